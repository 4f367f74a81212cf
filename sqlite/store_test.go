package sqlite

import (
	"context"
	"path/filepath"
	"testing"

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
