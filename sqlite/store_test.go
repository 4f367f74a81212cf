package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/design"
)

func open(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "dgml.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func content(name, fn string, parts ...design.Part) design.Content {
	return design.Content{Manifest: design.Manifest{Name: name, Function: fn, License: "CERN-OHL-S-2.0", Languages: []string{"en-GB"}, OTRL: 3, ODRL: 2}, Parts: parts}
}

func TestMigrationsAreIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dgml.db")
	for i := 0; i < 2; i++ {
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := db.SchemaVersion(context.Background())
		if v < 1 {
			t.Errorf("schema version %d", v)
		}
		db.Close()
	}
}

// The command line's one-shot search (FTS5 and SQL, no index) filters
// and orders as the index does: keywords, part files, date, builds.
func TestOneShotDiscovery(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	c := func(name string, kw []string, mesh bool) *design.Design {
		ct := content(name, "a "+name, design.Part{Name: "P", Kind: design.KindPart, Quantity: 1})
		ct.Manifest.Keywords = kw
		req := design.CommitRequest{Content: ct}
		if mesh {
			sum := strings.Repeat("cd", 32)
			req.Content.Parts[0].Exports = []design.FileRef{{Path: "p.stl", SHA256: sum, Size: 84}}
			req.Files = []design.FileInfo{{SHA256: sum, Size: 84, MediaType: "model/stl", Name: "p.stl"}}
		}
		d, _, err := db.Commit(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	seeder := c("Seeder", []string{"agriculture", "seeds"}, true)
	c("Loom", []string{"textile"}, false)
	c("Harrow", []string{"agriculture"}, false)
	if err := db.AddReport(ctx, &assess.Report{DesignID: seeder.ID, Revision: seeder.Head, Author: "bo@n", Place: "Lyon", Quantity: 1, Success: true}); err != nil {
		t.Fatal(err)
	}
	db.OneShot()
	for _, tc := range []struct {
		q    design.Query
		want string
	}{
		{design.Query{Keyword: "agriculture"}, "[Harrow Seeder]"},
		{design.Query{Keyword: "agriculture", Sort: design.SortBuilt}, "[Seeder Harrow]"},
		{design.Query{HasFiles: true}, "[Seeder]"},
		{design.Query{Text: "a", Keyword: "agriculture", Sort: design.SortRecent}, "[Harrow Seeder]"},
	} {
		res, err := db.Search(ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range res.Items {
			got = append(got, s.Name)
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("%+v: %v, want %s", tc.q, got, tc.want)
		}
	}
}
