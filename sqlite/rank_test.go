package sqlite

import (
	"context"
	"fmt"
	"testing"

	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/synth"
)

// The in-memory index must answer exactly as FTS5 with bm25() does: same
// totals, same designs in the same order, filters and paging included.
func TestIndexRanksAsFTS5(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	g := synth.New(11)
	for i := 0; i < 1500; i++ {
		c := g.Design(i)
		if i%100 == 0 {
			c.Manifest.Name = fmt.Sprintf("Möbel Brücke %d", i) // diacritics fold the same way
		}
		if _, _, err := db.Commit(ctx, design.CommitRequest{Content: c}); err != nil {
			t.Fatal(err)
		}
	}
	var queries []design.Query
	for i, w := range synth.Words() {
		queries = append(queries, design.Query{Text: w}, design.Query{Text: w[:2]})
		other := synth.Words()[(i*5+3)%len(synth.Words())]
		queries = append(queries, design.Query{Text: w + " " + other, Limit: 50}, design.Query{Text: w, License: "cern-ohl-s-2.0", MinOTRL: 3, Offset: 5})
	}
	queries = append(queries, design.Query{Text: "mobel"}, design.Query{Text: "BRÜCKE"}, design.Query{Text: "bracket", Process: "3d-printing-fdm", Material: "pla"},
		design.Query{Text: "gear", Offset: 100, Limit: 30}, design.Query{Text: "nothingmatches"})
	differ := 0
	for _, q := range queries {
		want, err := db.searchFTS(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != want.Total || len(got.Items) != len(want.Items) {
			t.Errorf("%+v: index %d/%d, FTS5 %d/%d", q, got.Total, len(got.Items), want.Total, len(want.Items))
			continue
		}
		for i := range got.Items {
			if got.Items[i].ID != want.Items[i].ID {
				differ++
				if differ < 5 {
					t.Errorf("%+v: position %d: index %s, FTS5 %s", q, i, got.Items[i].Name, want.Items[i].Name)
				}
				break
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d queries ranked differently", differ, len(queries))
	}
	// Lists without text: the index and plain SQL page alike.
	for _, q := range []design.Query{{}, {Process: "laser-cutting", Offset: 7}, {Material: "pla", Language: "en", MinODRL: 2}, {License: "mit", Limit: 100}} {
		got, err := db.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want, err := db.searchSQL(ctx, q.Clamp())
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != want.Total || fmt.Sprint(ids(got)) != fmt.Sprint(ids(want)) {
			t.Errorf("%+v: index %d %v, SQL %d %v", q, got.Total, ids(got)[:min(3, len(got.Items))], want.Total, ids(want)[:min(3, len(want.Items))])
		}
	}
}

func ids(r *design.Results) []string {
	var out []string
	for _, s := range r.Items {
		out = append(out, s.ID)
	}
	return out
}

// A commit made through another handle (another process) is seen by the
// next search.
func TestIndexFollowsOtherWriters(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/dgml.db"
	a, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if res, _ := a.Search(ctx, design.Query{Text: "windmill"}); res.Total != 0 {
		t.Fatal("empty store")
	}
	d, _, err := b.Commit(ctx, design.CommitRequest{Content: content("Windmill", "pumps water")})
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := a.Search(ctx, design.Query{Text: "windmill"}); res.Total != 1 {
		t.Errorf("a commit by another handle is not found: %d", res.Total)
	}
	c2 := content("Wind pump", "pumps water")
	if _, _, err := b.Commit(ctx, design.CommitRequest{DesignID: d.ID, Content: c2}); err != nil {
		t.Fatal(err)
	}
	if res, _ := a.Search(ctx, design.Query{Text: "windmill"}); res.Total != 0 {
		t.Errorf("the old head's text is still found after a new revision")
	}
	if res, _ := a.Search(ctx, design.Query{Text: "wind pump"}); res.Total != 1 {
		t.Errorf("the new head's text is not found")
	}
}
