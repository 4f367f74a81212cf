package main

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/internal/storetest"
	"github.com/dgml/dgml/sqlite"
)

// A node's whole store moves to PostgreSQL: the same designs (every
// revision's id), files, facilities, people who can still log in with
// their passwords and tokens, and the same maturity of the demo printer.
func TestMigrateToPostgres(t *testing.T) {
	url := storetest.PostgresURL(t)
	_, schema := storetest.PostgresSchema(t)
	target := url + "&search_path=" + schema + ",public"
	if !strings.Contains(url, "?") {
		target = url + "?search_path=" + schema + ",public"
	}
	ctx := context.Background()
	data := t.TempDir()
	n, err := openNode(ctx, &where{data: data})
	if err != nil {
		t.Fatal(err)
	}
	if err := loadDemo(ctx, n, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	n.people.Node = "test.node"
	u, err := n.people.SignUp(ctx, "ana", "a long enough password", "", false)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := n.people.NewToken(ctx, u, "ci", "write")
	if err != nil {
		t.Fatal(err)
	}
	fork, err := n.people.Fork(ctx, u, "reprap-mendel-style-3d-printer-demo")
	if err != nil {
		t.Fatal(err)
	}
	beforeStats, _ := n.db.Stats(ctx)
	_, beforeMaturity, err := n.people.Maturity(ctx, "reprap-mendel-style-3d-printer-demo", "")
	if err != nil {
		t.Fatal(err)
	}
	n.Close()

	out, e, code := runDGML(t, "migrate", "--from", data, "--to", target)
	if code != 0 || !strings.Contains(out, "checked") || !strings.Contains(out, "DGML_NODE_PASSPHRASE_FILE="+filepath.Join(data, "node.passphrase")) {
		t.Fatalf("migrate: %d %s %s", code, out, e)
	}
	// The hub opens the node's key with the node's passphrase.
	t.Setenv("DGML_NODE_PASSPHRASE_FILE", filepath.Join(data, "node.passphrase"))
	m, err := openNode(ctx, &where{data: t.TempDir(), db: target})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.people.Node = "test.node"
	st, _ := m.db.Stats(ctx)
	if *st != *beforeStats {
		t.Errorf("stats: %+v, before %+v", st, beforeStats)
	}
	if _, err := m.people.Check(ctx, "ana", "a long enough password", "10.0.0.1"); err != nil {
		t.Errorf("ana's password after the move: %v", err)
	}
	if who, _, err := m.people.FromToken(ctx, token); err != nil || who.Name != "ana" {
		t.Errorf("ana's token after the move: %v %v", who, err)
	}
	if d, err := m.db.Design(ctx, fork.Slug); err != nil || d.ForkedFrom == nil {
		t.Errorf("the fork and its lineage: %+v %v", d, err)
	}
	res, err := m.db.Search(ctx, design.Query{Text: "printer"})
	if err != nil || res.Total < 2 {
		t.Errorf("search after the move: %+v %v", res, err)
	}
	_, after, err := m.people.Maturity(ctx, "reprap-mendel-style-3d-printer-demo", "")
	if err != nil || after.Independent != beforeMaturity.Independent || after.Attested != beforeMaturity.Attested || after.Readiness["otrl"].Median != beforeMaturity.Readiness["otrl"].Median {
		t.Errorf("maturity: %+v, before %+v (%v)", after, beforeMaturity, err)
	}
	d, rev, err := m.commons.Head(ctx, "reprap-mendel-style-3d-printer-demo")
	if err != nil || rev.Content.RevisionID() != d.Head {
		t.Fatalf("head: %v", err)
	}
	for _, f := range rev.Files() {
		if !m.blobs.Has(f.SHA256) {
			t.Errorf("file %s not moved", f.Path)
		}
	}
	if _, err := m.commons.Analysis(ctx, rev.Files()[0].SHA256); err != nil {
		t.Errorf("a moved mesh is read from the database: %v", err)
	}
	// Migrating again into a store that holds designs is refused.
	if _, e, code := runDGML(t, "migrate", "--from", data, "--to", target); code == 0 || !strings.Contains(e, "empty") {
		t.Errorf("a second migration: %d %s", code, e)
	}
}

// Every table a node has is copied by dgml migrate: a table added later
// and forgotten here would be lost on the way to a hub.
func TestMigrateCopiesEveryTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dgml.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'design_fts%'
		AND name NOT IN ('schema_migrations', 'facilities_version')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		rows.Scan(&name)
		if !slices.Contains(migrateTables, name) {
			t.Errorf("table %s is not copied by dgml migrate", name)
		}
	}
}
