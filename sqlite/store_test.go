package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/dgml/dgml"
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

func part(name, material string, p design.Process) design.Part {
	return design.Part{Name: name, Kind: design.KindPart, Quantity: 1, Material: material, Process: p}
}

func TestCommitAndRead(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	c := content("Open Loom", "a hand loom", part("Comb", "PLA", design.ProcessFDM))
	d, rev, err := db.Commit(ctx, design.CommitRequest{Content: c, Author: "ana@node-a"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Slug != "open-loom" || d.Head != rev.ID || rev.ID != c.RevisionID() || d.Revisions != 1 {
		t.Errorf("new design: %+v rev %s", d, rev.ID)
	}
	got, err := db.Design(ctx, "open-loom")
	if err != nil || got.ID != d.ID {
		t.Fatalf("by slug: %v %v", got, err)
	}
	if got, err = db.Design(ctx, d.ID); err != nil || got.Slug != d.Slug {
		t.Fatalf("by id: %v %v", got, err)
	}
	r, err := db.Revision(ctx, rev.ID)
	if err != nil || r.Parts[0].Material != "PLA" || r.Content.RevisionID() != rev.ID {
		t.Fatalf("revision read back differs: %+v %v", r, err)
	}
	// A second design of the same name gets its own slug; the same
	// content as a new head of the same design is refused as no change.
	d2, _, err := db.Commit(ctx, design.CommitRequest{Content: content("Open Loom", "another")})
	if err != nil || d2.Slug != "open-loom-2" {
		t.Errorf("second slug: %+v %v", d2, err)
	}
	_, _, err = db.Commit(ctx, design.CommitRequest{DesignID: d.ID, Content: c})
	if dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("committing the head again: want conflict, got %v", err)
	}
	c2 := c
	c2.Manifest.Version = "2"
	d3, rev2, err := db.Commit(ctx, design.CommitRequest{DesignID: d.ID, Content: c2, Message: "v2"})
	if err != nil || d3.Head != rev2.ID || d3.Revisions != 2 {
		t.Fatalf("second revision: %+v %v", d3, err)
	}
	h, err := db.History(ctx, d.ID)
	if err != nil || len(h) != 2 || h[0].Revision != rev2.ID || h[1].Author != "ana@node-a" {
		t.Errorf("history newest first: %+v %v", h, err)
	}
	if _, err := db.Design(ctx, "nope"); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("missing design: %v", err)
	}
}

func TestCommitIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	c := content("Bracket", "holds things", part("Arm", "PETG", design.ProcessFDM))
	c.Parts[0].Exports = []design.FileRef{{Path: "arm.stl", SHA256: "ab" + fmt.Sprintf("%062d", 0)}}
	if _, _, err := db.Commit(ctx, design.CommitRequest{Content: c}); dgml.KindOf(err) != dgml.Invalid {
		t.Fatalf("a reference to a file that is not stored must be refused: %v", err)
	}
	s, err := db.Stats(ctx)
	if err != nil || s.Designs != 0 || s.Revisions != 0 {
		t.Errorf("a refused commit must leave nothing: %+v %v", s, err)
	}
	res, _ := db.Search(ctx, design.Query{Text: "bracket"})
	if res.Total != 0 {
		t.Errorf("nor anything in the index")
	}
}

func TestSearchRanksAndFilters(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	commit := func(c design.Content) {
		if _, _, err := db.Commit(ctx, design.CommitRequest{Content: c}); err != nil {
			t.Fatal(err)
		}
	}
	tractor := content("LifeTrac", "open source tractor", part("Frame", "steel", design.ProcessWelding))
	tractor.Manifest.Keywords = []string{"agriculture"}
	tractor.Manifest.OTRL = 5
	commit(tractor)
	mention := content("Seeder", "pulled by a tractor or by hand", part("Hopper", "plywood", design.ProcessLaserCutting))
	mention.Manifest.License = "CC-BY-SA-4.0"
	mention.Manifest.Languages = []string{"es"}
	commit(mention)
	printer := content("RepRap Prusa", "a 3D printer that prints its own parts", part("X end", "PLA", design.ProcessFDM))
	printer.Steps = []design.Step{{Title: "Frame", Text: "Bolt the threaded rods to the tractor-style frame"}}
	commit(printer)

	res, err := db.Search(ctx, design.Query{Text: "tractor"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 || res.Items[0].Name != "LifeTrac" || res.Items[2].Name != "RepRap Prusa" {
		t.Errorf("tractor: name > function > steps expected, got %+v", names(res))
	}
	for _, c := range []struct {
		q    design.Query
		want []string
	}{
		{design.Query{Text: "repr"}, []string{"RepRap Prusa"}},
		{design.Query{Text: "tractor", License: "cc-by-sa-4.0"}, []string{"Seeder"}},
		{design.Query{Process: "3d-printing-fdm"}, []string{"RepRap Prusa"}},
		{design.Query{Material: "Steel"}, []string{"LifeTrac"}},
		{design.Query{Language: "en"}, []string{"RepRap Prusa", "LifeTrac"}},
		{design.Query{Language: "es", Text: "hopper"}, []string{"Seeder"}},
		{design.Query{MinOTRL: 4}, []string{"LifeTrac"}},
		{design.Query{Text: `"); DROP TABLE designs; --`}, nil},
		{design.Query{Text: "*** OR NEAR("}, nil},
	} {
		res, err := db.Search(ctx, c.q)
		if err != nil {
			t.Fatalf("%+v: %v", c.q, err)
		}
		if fmt.Sprint(names(res)) != fmt.Sprint(c.want) {
			t.Errorf("%+v: got %v, want %v", c.q, names(res), c.want)
		}
	}
	page, _ := db.Search(ctx, design.Query{Text: "tractor", Limit: 1, Offset: 1})
	if page.Total != 3 || len(page.Items) != 1 || page.Items[0].Name != "Seeder" {
		t.Errorf("paging: %+v", page)
	}
}

func names(r *design.Results) []string {
	var out []string
	for _, s := range r.Items {
		out = append(out, s.Name)
	}
	return out
}

func TestConcurrentCommitsAndReads(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 4; w++ {
		wg.Add(2)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				c := content(fmt.Sprintf("Gear %d-%d", w, i), "spur gear", part("Gear", "PLA", design.ProcessFDM))
				if _, _, err := db.Commit(ctx, design.CommitRequest{Content: c}); err != nil {
					errs <- err
				}
			}
		}(w)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if _, err := db.Search(ctx, design.Query{Text: "gear"}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	res, _ := db.Search(ctx, design.Query{Text: "gear"})
	if res.Total != 40 {
		t.Errorf("40 designs committed concurrently, %d found", res.Total)
	}
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
