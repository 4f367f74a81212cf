package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dgml/dgml/blob"
	"github.com/dgml/dgml/postgres"
	"github.com/dgml/dgml/store"
)

// migrateTables are the tables a node's store holds, in an order that
// keeps every reference to a row copied before it.
var migrateTables = []string{
	"revisions", "designs", "design_revisions", "files", "revision_files", "design_facets", "search_changes", "file_cache",
	"facilities", "users", "sessions", "tokens", "roles", "proposals", "tasks", "task_skills", "comments", "events",
	"reports", "attestations", "votes", "translations", "settings", "vouches", "auth_failures", "jobs",
	"node_keys", "logs", "feed_entries", "peers", "feed_conflicts", "followers", "ap_followers",
	"machines", "bookings", "orders", "order_requests", "order_events", "notifications", "runs", "user_emails",
	"ledger_events", "value_policies", "distributions", "money_groups", "money_rows",
}

func runMigrate(ctx context.Context, args []string) error {
	fs := newFlags("migrate", "migrate --from DATA_DIR --to postgres://… [--blobs DIR]",
		`Copies a node's whole store from its data folder (SQLite and files) to
an empty PostgreSQL database: designs with every revision (byte for
byte), files, facilities, people (tokens and sessions as the digests
they are kept as), proposals, tasks, reports, attestations, votes,
translations, settings and vouches. Files go into the database, or into
--blobs DIR (a folder every hub process shares). Counts of every table,
every revision's id (the SHA-256 of its bytes) and every file's SHA-256
are checked after copying.`)
	from := fs.String("from", "", "the node's data folder")
	to := fs.String("to", "", "the PostgreSQL database (postgres://…); it must hold no designs yet")
	blobsDir := fs.String("blobs", "", "a shared folder for the files instead of the database")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return usageError{"give --from DATA_DIR and --to postgres://…"}
	}
	dbPath := filepath.Join(*from, "dgml.db")
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("%s holds no node (no dgml.db): %w", *from, err)
	}
	start := time.Now()
	src, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, *to)
	if err != nil {
		return fmt.Errorf("opening %s: %w", redact(*to), err)
	}
	defer dst.Close()
	var designs int
	if err := dst.Pool().QueryRow(ctx, `SELECT count(*) FROM designs`).Scan(&designs); err != nil || designs > 0 {
		return fmt.Errorf("the database already holds %d designs: migrate into an empty one (%v)", designs, err)
	}
	copied := map[string]int64{}
	for _, table := range migrateTables {
		n, err := copyTable(ctx, src, dst.Pool(), table)
		if err != nil {
			return fmt.Errorf("copying %s: %w", table, err)
		}
		copied[table] = n
		fmt.Fprintf(os.Stderr, "%-18s %9d rows\n", table, n)
	}
	if err := reindexText(ctx, src, dst.Pool()); err != nil {
		return fmt.Errorf("the search text: %w", err)
	}
	if err := finishCopy(ctx, src, dst.Pool()); err != nil {
		return err
	}
	var keeper store.Blobs = func() store.Blobs { b := dst.Blobs(); b.TempDir = os.TempDir(); return b }()
	if *blobsDir != "" {
		if keeper, err = blob.Open(*blobsDir); err != nil {
			return err
		}
	}
	files, err := copyFiles(ctx, src, filepath.Join(*from, "blobs"), keeper)
	if err != nil {
		return err
	}
	if err := checkCopy(ctx, src, dst.Pool(), copied); err != nil {
		return err
	}
	fmt.Printf("migrated %s to %s in %s: %d designs, %d revisions, %d files, %d people; counts, revision ids and file hashes checked\n",
		*from, redact(*to), time.Since(start).Round(time.Millisecond), copied["designs"], copied["revisions"], files, copied["users"])
	if copied["node_keys"] > 0 {
		// The keys moved sealed: the hub opens them with the node's
		// passphrase.
		how := "the passphrase the node was given (DGML_NODE_PASSPHRASE or DGML_NODE_PASSPHRASE_FILE)"
		if p := filepath.Join(*from, "node.passphrase"); fileExists(p) {
			how = "DGML_NODE_PASSPHRASE_FILE=" + p + " (or that file's content as DGML_NODE_PASSPHRASE)"
		}
		fmt.Printf("the node's identity moved with it, its keys sealed: start every hub process with %s\n", how)
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// columnTypes reads the target's columns of a table and their types.
func columnTypes(ctx context.Context, pg *pgxpool.Pool, table string) (map[string]string, error) {
	rows, err := pg.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema()`, table)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for rows.Next() {
		var c, t string
		if err := rows.Scan(&c, &t); err != nil {
			return nil, err
		}
		out[c] = t
	}
	return out, rows.Err()
}

// convert turns a SQLite value into what the PostgreSQL column takes.
func convert(v any, pgType string) (any, error) {
	if v == nil {
		return nil, nil
	}
	text := func() string {
		switch x := v.(type) {
		case string:
			return x
		case []byte:
			return string(x)
		}
		return fmt.Sprint(v)
	}
	switch pgType {
	case "timestamp with time zone":
		t, err := time.Parse(time.RFC3339Nano, text())
		if err != nil {
			return nil, fmt.Errorf("a time %q: %w", text(), err)
		}
		return t, nil
	case "jsonb":
		return json.RawMessage(text()), nil
	case "bytea":
		return []byte(text()), nil
	case "boolean":
		switch x := v.(type) {
		case int64:
			return x != 0, nil
		case bool:
			return x, nil
		}
		return text() == "1" || text() == "true", nil
	case "uuid", "text":
		return text(), nil
	}
	return v, nil
}

// copyTable copies a table's rows in their SQLite order (rowid) with
// COPY, converting each column to its PostgreSQL type.
func copyTable(ctx context.Context, src *sql.DB, pg *pgxpool.Pool, table string) (int64, error) {
	types, err := columnTypes(ctx, pg, table)
	if err != nil {
		return 0, err
	}
	rows, err := src.QueryContext(ctx, `SELECT * FROM "`+table+`" ORDER BY rowid`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	for _, c := range cols {
		if _, ok := types[c]; !ok {
			return 0, fmt.Errorf("column %s.%s has no place in PostgreSQL", table, c)
		}
	}
	var data [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return 0, err
		}
		for i, c := range cols {
			if vals[i], err = convert(vals[i], types[c]); err != nil {
				return 0, fmt.Errorf("%s.%s: %w", table, c, err)
			}
		}
		data = append(data, vals)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return pg.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(data))
}

// reindexText fills PostgreSQL's search table from the text SQLite's
// FTS5 table holds, computing the weighted documents in each design's
// language.
func reindexText(ctx context.Context, src *sql.DB, pg *pgxpool.Pool) error {
	rows, err := src.QueryContext(ctx, `SELECT f.rowid, f.name, f.function, f.keywords, f.parts, f.steps, d.languages FROM design_fts f JOIN designs d ON d.seq = f.rowid`)
	if err != nil {
		return err
	}
	defer rows.Close()
	b := &pgx.Batch{}
	for rows.Next() {
		var seq int64
		var name, fn, kw, parts, steps, langs string
		if err := rows.Scan(&seq, &name, &fn, &kw, &parts, &steps, &langs); err != nil {
			return err
		}
		postgres.QueueIndexText(b, seq, [5]string{name, fn, kw, parts, steps}, strings.Fields(langs))
		if b.Len() >= 500 {
			if err := pg.SendBatch(ctx, b).Close(); err != nil {
				return err
			}
			b = &pgx.Batch{}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return pg.SendBatch(ctx, b).Close()
}

// finishCopy moves the target's counters past what was copied.
func finishCopy(ctx context.Context, src *sql.DB, pg *pgxpool.Pool) error {
	var version int64
	if err := src.QueryRowContext(ctx, `SELECT version FROM facilities_version WHERE id = 1`).Scan(&version); err != nil {
		return err
	}
	if _, err := pg.Exec(ctx, `UPDATE facilities_version SET version = $1 WHERE id = 1`, version); err != nil {
		return err
	}
	for _, s := range [][2]string{{"designs", "seq"}, {"facilities", "seq"}, {"comments", "seq"}, {"events", "id"}, {"translations", "seq"}, {"search_changes", "id"}, {"attestations", "seq"}, {"votes", "seq"}, {"jobs", "id"}, {"order_events", "seq"}, {"notifications", "id"}, {"ledger_events", "seq"}, {"value_policies", "seq"}} {
		if _, err := pg.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', '%[2]s'), coalesce((SELECT max(%[2]s) FROM %[1]s), 0) + 1, false)`, s[0], s[1])); err != nil {
			return err
		}
	}
	return nil
}

// copyFiles copies every file the store refers to, checking each by its
// SHA-256 as it lands.
func copyFiles(ctx context.Context, src *sql.DB, from string, to store.Blobs) (int, error) {
	sums, err := src.QueryContext(ctx, `SELECT sha256 FROM files ORDER BY sha256`)
	if err != nil {
		return 0, err
	}
	var all []string
	for sums.Next() {
		var s string
		sums.Scan(&s)
		all = append(all, s)
	}
	sums.Close()
	folder, err := blob.Open(from)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range all {
		if !folder.Has(s) {
			continue // a file the node never had (a reference by path)
		}
		f, err := folder.Open(s)
		if err != nil {
			return n, err
		}
		got, _, err := to.Put(f)
		f.Close()
		if err != nil {
			return n, fmt.Errorf("file %s: %w", s, err)
		}
		if got != s {
			return n, fmt.Errorf("file %s arrived as %s: the folder's copy is damaged", s, got)
		}
		n++
	}
	return n, nil
}

// checkCopy compares every table's count, and every revision's id with
// the SHA-256 of the bytes stored under it.
func checkCopy(ctx context.Context, src *sql.DB, pg *pgxpool.Pool, copied map[string]int64) error {
	for _, table := range migrateTables {
		var a, b int64
		if err := src.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`"`).Scan(&a); err != nil {
			return err
		}
		if err := pg.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&b); err != nil {
			return err
		}
		if a != b || b != copied[table] {
			return fmt.Errorf("%s: %d rows in the folder, %d in the database", table, a, b)
		}
	}
	rows, err := pg.Query(ctx, `SELECT id, content FROM revisions`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		var content []byte
		if err := rows.Scan(&id, &content); err != nil {
			return err
		}
		if sum := sha256.Sum256(content); hex.EncodeToString(sum[:]) != id {
			return fmt.Errorf("revision %s: its bytes do not hash to its id", id)
		}
		ids = append(ids, id)
	}
	var want []string
	r, err := src.QueryContext(ctx, `SELECT id FROM revisions`)
	if err != nil {
		return err
	}
	for r.Next() {
		var id string
		r.Scan(&id)
		want = append(want, id)
	}
	r.Close()
	slices.Sort(ids)
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		return fmt.Errorf("the revision ids differ between the folder and the database")
	}
	return nil
}
