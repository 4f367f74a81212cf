package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dgml/dgml/postgres"
	"github.com/dgml/dgml/sqlite"
	"github.com/dgml/dgml/store"
)

// SQLite opens a new embedded store in the test's temporary folder.
func SQLite(t *testing.T) store.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "dgml.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL is the server the PostgreSQL tests use: $DGML_TEST_POSTGRES.
// Without it they skip, saying so; CI sets it (and DGML_REQUIRE_POSTGRES,
// which turns the skip into a failure).
func PostgresURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("DGML_TEST_POSTGRES")
	if url == "" {
		if os.Getenv("DGML_REQUIRE_POSTGRES") != "" {
			t.Fatal("DGML_REQUIRE_POSTGRES is set but DGML_TEST_POSTGRES names no server")
		}
		t.Skip("DGML_TEST_POSTGRES is not set (a postgres:// URL): the PostgreSQL store is not tested here")
	}
	return url
}

// Postgres opens a new PostgreSQL store in a schema of its own on
// $DGML_TEST_POSTGRES, dropped when the test ends, so that tests run side
// by side on one server.
func Postgres(t *testing.T) store.Store {
	t.Helper()
	db, _ := PostgresSchema(t)
	return db
}

// PostgresSchema is Postgres, also saying the schema's name and URL.
func PostgresSchema(t testing.TB) (*postgres.DB, string) {
	t.Helper()
	url := PostgresURL(t)
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "dgml_test_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connecting to %s: %v", url, err)
	}
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema + ",public"
	cfg.MaxConns = 8
	db, err := postgres.OpenConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		admin.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		admin.Close(context.Background())
	})
	return db, schema
}
