// Package postgres is the store of a hub: designs, revisions, files,
// facilities, people, collaboration and assessment in PostgreSQL
// (github.com/jackc/pgx/v5 with pgxpool), behind the same interfaces as
// the embedded SQLite store, so that several dgml processes can serve one
// commons. Search is PostgreSQL's own full text (weighted tsvector, GIN);
// near queries use earthdistance with a GiST index.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/internal/crashpoint"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open store.
type DB struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// Open connects to the database at url (postgres://…), and brings its
// schema up to date. Processes starting together take turns: the
// migrations run under an advisory lock.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("the database URL: %w", err)
	}
	return OpenConfig(ctx, cfg)
}

// OpenConfig is Open with a parsed configuration (tests set the schema
// each connection uses through it).
func OpenConfig(ctx context.Context, cfg *pgxpool.Config) (*DB, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	db := &DB{pool: pool, now: func() time.Time { return time.Now().UTC() }}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("migrating the database: %w", err)
	}
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// migrationLock names the advisory lock migrations run under.
const migrationLock = 0x64676d6c // "dgml"

func (db *DB) migrate(ctx context.Context) error {
	c, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	if _, err := c.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return err
	}
	defer c.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLock)
	if _, err := c.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(name, "migrations/"), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", name)
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, v).Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, v, db.now())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

// SchemaVersion is the newest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// conn is what a statement runs on: the pool, or a transaction.
type conn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

type txKey struct{}

type txState struct {
	db *DB
	tx pgx.Tx
}

// q is where a statement of ctx runs: inside the transaction Atomically
// opened for ctx, else on the pool.
func (db *DB) q(ctx context.Context) conn {
	if st, ok := ctx.Value(txKey{}).(*txState); ok && st.db == db {
		return st.tx
	}
	return db.pool
}

// maxAttempts bounds the retries of a transaction PostgreSQL aborted to
// keep it serializable.
const maxAttempts = 20

// Atomically runs fn in one SERIALIZABLE transaction: every call fn makes
// to this store with the ctx it is given is part of it, and it commits
// only if fn returns nil. Where two transactions would see each other
// half-done (two maintainers accepting one proposal, two imports taking
// one slug), PostgreSQL aborts one and it is run again from the start, so
// that it sees what the other did — the same as SQLite's one writer at a
// time, without the waiting. fn must therefore do nothing but store
// calls that can be repeated. A call inside another Atomically joins it.
func (db *DB) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	if st, ok := ctx.Value(txKey{}).(*txState); ok && st.db == db {
		return fn(ctx)
	}
	for attempt := 1; ; attempt++ {
		err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.Serializable}, func(tx pgx.Tx) error {
			if err := fn(context.WithValue(ctx, txKey{}, &txState{db: db, tx: tx})); err != nil {
				return err
			}
			crashpoint.Here("tx:before-commit")
			return nil
		})
		if !retryable(err) || attempt == maxAttempts {
			return err
		}
		// Back off a little, at random, so that the same two do not
		// collide again at once.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(rand.IntN(attempt*5)+1) * time.Millisecond):
		}
	}
}

// retryable says whether a transaction failed only because another ran
// at the same time (serialization failure, deadlock).
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// isUnique says whether err is a unique-key violation.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

func notFound(what, ref string) error {
	return &dgml.Error{Kind: dgml.NotFound, Msg: fmt.Sprintf("no %s %q", what, ref)}
}

// isUUID says whether s can be looked up in a uuid column; anything else
// names nothing there (and must not reach PostgreSQL as a uuid).
func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		panic(err)
	}
	return id.String()
}

// records reads the JSON data column of a query's rows.
func records[T any](ctx context.Context, db *DB, query string, args ...any) ([]T, error) {
	rows, err := db.q(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) {
		var v T
		err := row.Scan(&v)
		return v, err
	})
	if out == nil {
		out = []T{}
	}
	return out, err
}

// strs reads a query of one text column.
func strs(ctx context.Context, db *DB, query string, args ...any) ([]string, error) {
	rows, err := db.q(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
