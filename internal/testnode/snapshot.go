package testnode

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // read the store as its own process wrote it
)

// Snapshot digests every table of the SQLite store at dbPath (each
// table's rows in a fixed order) and the names and sizes of every file
// in blobDir, so that a test can show a batch of refused requests
// changed nothing at all. It reads through its own connection, so it
// sees what another process committed.
func Snapshot(t testing.TB, dbPath, blobDir string) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'design_fts_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string]string{}
	for _, table := range tables {
		rs, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("reading %s: %v", table, err)
		}
		cols, _ := rs.Columns()
		var lines []string
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, fmt.Sprintf("%q", vals))
		}
		rs.Close()
		sort.Strings(lines)
		h := sha256.Sum256([]byte(strings.Join(lines, "\n")))
		out[table] = fmt.Sprintf("%d rows %s", len(lines), hex.EncodeToString(h[:8]))
	}
	var files []string
	filepath.WalkDir(blobDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			info, _ := d.Info()
			files = append(files, fmt.Sprintf("%s %d", p, info.Size()))
		}
		return nil
	})
	sort.Strings(files)
	h := sha256.Sum256([]byte(strings.Join(files, "\n")))
	out["(blobs)"] = fmt.Sprintf("%d files %s", len(files), hex.EncodeToString(h[:8]))
	return out
}

// Changed lists what differs between two snapshots.
func Changed(before, after map[string]string) []string {
	var out []string
	for k, v := range after {
		if before[k] != v {
			out = append(out, fmt.Sprintf("%s: %s -> %s", k, before[k], v))
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, k+": gone")
		}
	}
	sort.Strings(out)
	return out
}

// Snapshot of this node's own store and blobs.
func (n *Node) Snapshot(t testing.TB) map[string]string {
	return Snapshot(t, filepath.Join(n.Dir, "dgml.db"), filepath.Join(n.Dir, "blobs"))
}
