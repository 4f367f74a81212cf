// Package sqlite is the embedded store of a dgml node: designs,
// revisions, files and the search index in one SQLite database
// (modernc.org/sqlite, no cgo), in WAL mode with foreign keys on.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the driver

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/internal/crashpoint"
	"github.com/dgml/dgml/ledger"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open store.
type DB struct {
	db      *sql.DB
	stmts   *prepared
	now     func() time.Time
	search  searchIndex
	oneShot bool
}

// Open opens (creating when missing) the database at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	q := url.Values{}
	// A transaction that stores a batch of designs (an import, a sync)
	// touches more pages than SQLite's default 2 MiB page cache holds,
	// which made it spill pages to the WAL mid-transaction; and every
	// statement under foreign keys keeps a statement journal, which
	// went to a temporary file. Cache per connection and temporary data
	// in memory keep both off the disk. Reading pages through a memory
	// map instead of a read call each cut a 100,000-design sync from 90
	// to 82 s (one run each). A follower keeping 100,000 designs spent a
	// fifth of its time writing and reading pages: a map of 1 GiB (the
	// address space only; the pages are the system's file cache), 64 MiB
	// of cache, and checkpoints every 32 MiB of log instead of 4 (a page
	// changed by several transactions between two checkpoints is copied
	// once) took it from 62 to under 60 s.
	for _, p := range []string{"foreign_keys(1)", "journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)", "cache_size(-65536)", "temp_store(MEMORY)", "mmap_size(1073741824)", "wal_autocheckpoint(8192)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	sdb, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	sdb.SetMaxOpenConns(8)
	db := &DB{db: sdb, stmts: &prepared{db: sdb}, now: func() time.Time { return time.Now().UTC() }}
	if err := db.migrate(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("migrating %s: %w", path, err)
	}
	return db, nil
}

// conn is what a statement runs on: the pool, or a transaction.
type conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type txKey struct{}

type txState struct {
	db     *DB
	tx     *sql.Tx
	search searchRows // written just before the commit
	events []ledger.Event
}

// q is where a statement of ctx runs: inside the transaction that
// Atomically opened for ctx, else on the pool.
func (db *DB) q(ctx context.Context) conn {
	if st, ok := ctx.Value(txKey{}).(*txState); ok && st.db == db {
		return cached{p: db.stmts, tx: st.tx}
	}
	return cached{p: db.stmts}
}

// Atomically runs fn in one transaction: every call fn makes to this
// store with the ctx it is given is part of it. It commits when fn
// returns nil and rolls everything back otherwise; a call inside another
// Atomically joins the outer transaction. SQLite transactions here begin
// IMMEDIATE, so writers queue instead of failing half-way.
func (db *DB) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	if st, ok := ctx.Value(txKey{}).(*txState); ok && st.db == db {
		return fn(ctx)
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st := &txState{db: db, tx: tx}
	if err := fn(context.WithValue(ctx, txKey{}, st)); err != nil {
		return err
	}
	if err := st.flushEvents(ctx); err != nil {
		return err
	}
	if err := st.search.write(ctx, cached{p: db.stmts, tx: tx}); err != nil {
		return err
	}
	crashpoint.Here("tx:before-commit")
	return tx.Commit()
}

// Close closes the database.
func (db *DB) Close() error {
	db.stmts.close()
	return db.db.Close()
}

func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.q(ctx).ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", name)
		}
		if err := db.apply(ctx, v, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) apply(ctx context.Context, version int, name string) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, db.now().Format(time.RFC3339Nano)); err != nil {
		return err
	}
	return tx.Commit()
}

// SchemaVersion is the newest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.q(ctx).QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.db.PingContext(ctx) }

func notFound(what, ref string) error {
	return &dgml.Error{Kind: dgml.NotFound, Msg: fmt.Sprintf("no %s %q", what, ref)}
}

func timeText(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// timeKey writes a time for comparisons in SQL: UTC with a fixed
// nine-digit fraction, so that text order is time order.
func timeKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// records reads the JSON data column of a query's rows.
func records[T any](ctx context.Context, db *DB, query string, args ...any) ([]T, error) {
	rows, err := db.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
