package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"

	"github.com/dgml/dgml/internal/storetest"
	"github.com/dgml/dgml/sqlite"
)

// table is what the parity test compares of a table: its columns with
// whether each may be null, and its unique keys (primary key, unique
// constraints and unique indexes) as sorted column lists.
type table struct {
	columns map[string]bool // name: NOT NULL
	unique  []string
}

// dialectOnly are the columns one dialect has and the other does not,
// each for a reason of the dialect: SQLite's FTS5 table keys its rows by
// rowid, PostgreSQL's names the design and its language's configuration;
// SQLite keeps insertion order in rowid, PostgreSQL in seq.
var dialectOnly = map[string]bool{
	"postgres design_fts.design_seq": true, "postgres design_fts.config": true,
	"postgres attestations.seq": true, "postgres votes.seq": true,
}

// dialectUnique are unique keys of one dialect only, for the same reasons.
var dialectUnique = map[string]bool{
	"postgres design_fts(design_seq)": true, "postgres attestations(seq)": true, "postgres votes(seq)": true,
}

// The two dialects' schemas agree: the same tables, columns, nullability
// and unique keys, but for the few differences each dialect needs.
func TestSchemaParity(t *testing.T) {
	ctx := context.Background()
	pg, schema := storetest.PostgresSchema(t)
	_ = pg
	path := filepath.Join(t.TempDir(), "dgml.db")
	sdb, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	lite := sqliteSchema(t, path)
	post := postgresSchema(t, storetest.PostgresURL(t), schema)
	var problems []string
	for _, name := range union(keys(lite), keys(post)) {
		l, lok := lite[name]
		p, pok := post[name]
		// Files kept in the database, and the weighted search documents
		// (SQLite's ranking index lives in memory).
		if !lok && (name == "blobs" || name == "blob_chunks" || name == "design_docs") {
			continue
		}
		if !lok || !pok {
			problems = append(problems, fmt.Sprintf("table %s: in sqlite %v, in postgres %v", name, lok, pok))
			continue
		}
		for _, col := range union(keys(l.columns), keys(p.columns)) {
			ln, lok := l.columns[col]
			pn, pok := p.columns[col]
			switch {
			case !lok && dialectOnly["postgres "+name+"."+col], !pok && dialectOnly["sqlite "+name+"."+col]:
			case !lok || !pok:
				problems = append(problems, fmt.Sprintf("%s.%s: in sqlite %v, in postgres %v", name, col, lok, pok))
			case ln != pn && name != "design_fts":
				problems = append(problems, fmt.Sprintf("%s.%s: NOT NULL in sqlite %v, in postgres %v", name, col, ln, pn))
			}
		}
		for _, u := range union(l.unique, p.unique) {
			inL, inP := slices.Contains(l.unique, u), slices.Contains(p.unique, u)
			if inL != inP && !dialectUnique[map[bool]string{true: "sqlite ", false: "postgres "}[inL]+name+"("+u+")"] {
				problems = append(problems, fmt.Sprintf("%s unique (%s): in sqlite %v, in postgres %v", name, u, inL, inP))
			}
		}
	}
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("%d tables compared; designs: %v unique %v", len(lite), len(post["designs"].columns), post["designs"].unique)
	if len(lite) < 20 {
		t.Errorf("only %d tables read from SQLite", len(lite))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

func sqliteSchema(t *testing.T, path string) map[string]*table {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var names []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'design_fts_%'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	out := map[string]*table{}
	for _, name := range names {
		tb := &table{columns: map[string]bool{}}
		var pk []string
		cols, err := db.Query(`SELECT name, "notnull", pk FROM pragma_table_info(?) ORDER BY pk`, name)
		if err != nil {
			t.Fatal(err)
		}
		for cols.Next() {
			var c string
			var notnull, k int
			cols.Scan(&c, &notnull, &k)
			// A primary key column is never null, whatever SQLite's
			// table_info says of INTEGER PRIMARY KEY.
			tb.columns[c] = notnull == 1 || k > 0
			if k > 0 {
				pk = append(pk, c)
			}
		}
		cols.Close()
		if len(pk) > 0 {
			slices.Sort(pk)
			tb.unique = append(tb.unique, strings.Join(pk, ","))
		}
		idx, err := db.Query(`SELECT name FROM pragma_index_list(?) WHERE "unique" = 1`, name)
		if err != nil {
			t.Fatal(err)
		}
		var indexes []string
		for idx.Next() {
			var n string
			idx.Scan(&n)
			indexes = append(indexes, n)
		}
		idx.Close()
		for _, ix := range indexes {
			var cs []string
			r, _ := db.Query(`SELECT name FROM pragma_index_info(?)`, ix)
			for r.Next() {
				var c string
				r.Scan(&c)
				cs = append(cs, c)
			}
			r.Close()
			slices.Sort(cs)
			if u := strings.Join(cs, ","); !slices.Contains(tb.unique, u) {
				tb.unique = append(tb.unique, u)
			}
		}
		slices.Sort(tb.unique)
		out[name] = tb
	}
	return out
}

func postgresSchema(t *testing.T, url, schema string) map[string]*table {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	out := map[string]*table{}
	rows, err := c.Query(ctx, `SELECT table_name, column_name, is_nullable = 'NO' FROM information_schema.columns WHERE table_schema = $1`, schema)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tn, cn string
		var notnull bool
		rows.Scan(&tn, &cn, &notnull)
		if out[tn] == nil {
			out[tn] = &table{columns: map[string]bool{}}
		}
		out[tn].columns[cn] = notnull
	}
	rows.Close()
	// Unique keys: every unique index (primary keys and unique
	// constraints have one).
	rows, err = c.Query(ctx, `SELECT t.relname, array_agg(a.attname::text ORDER BY a.attname)
		FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
		JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey)
		WHERE n.nspname = $1 AND i.indisunique GROUP BY t.relname, i.indexrelid`, schema)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tn string
		var cols []string
		rows.Scan(&tn, &cols)
		if out[tn] != nil {
			out[tn].unique = append(out[tn].unique, strings.Join(cols, ","))
		}
	}
	rows.Close()
	for _, tb := range out {
		slices.Sort(tb.unique)
	}
	return out
}
