// Package storetest is the contract every store of a node keeps: one
// suite of tests per aggregate (designs, search, files and cache,
// facilities, people, collaboration, assessment, translations,
// transactions and races), run against the embedded SQLite store always
// and against PostgreSQL when DGML_TEST_POSTGRES names a server.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/jobs"
	"github.com/dgml/dgml/store"
)

// Open makes a new, empty store for one test, closed when it ends.
type Open func(t *testing.T) store.Store

// Run runs the whole contract against stores made by open.
func Run(t *testing.T, open Open) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"CommitAndRead", commitAndRead},
		{"CommitIsAllOrNothing", commitIsAllOrNothing},
		{"SearchRanksAndFilters", searchRanksAndFilters},
		{"ConcurrentCommitsAndReads", concurrentCommitsAndReads},
		{"FilesAndCache", filesAndCache},
		{"Facilities", facilities},
		{"People", people},
		{"Proposals", proposals},
		{"Tasks", tasks},
		{"Events", events},
		{"Assessment", assessment},
		{"Translations", translations},
		{"AtomicallyRollsBack", atomicallyRollsBack},
		{"RaceForOneSlug", raceForOneSlug},
		{"RaceForOneProposal", raceForOneProposal},
		{"RaceForOneUserName", raceForOneUserName},
		{"RaceForOneClaim", raceForOneClaim},
		{"RaceForOneToken", raceForOneToken},
		{"Jobs", jobQueue},
		{"JobsRacingWorkers", jobsRacingWorkers},
		{"Failures", failures},
		{"NearUsesTheIndex", nearUsesTheIndex},
		{"FeedLogs", feedLogs},
		{"RaceForOneEntry", raceForOneEntry},
		{"Replicas", replicas},
		{"Machines", machines},
		{"Bookings", bookings},
		{"RaceForOneSlot", raceForOneSlot},
		{"Orders", orders},
		{"RaceForOneRequest", raceForOneRequest},
		{"Runs", runs},
		{"RolesAndEmails", rolesAndEmails},
		{"LedgerEvents", ledgerEvents},
		{"LedgerMoney", ledgerMoney},
		{"RaceForOneConfirmation", raceForOneConfirmation},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
	}
}

var ctx = context.Background()

func content(name, fn string, parts ...design.Part) design.Content {
	return design.Content{Manifest: design.Manifest{Name: name, Function: fn, License: "CERN-OHL-S-2.0", Languages: []string{"en-GB"}, OTRL: 3, ODRL: 2}, Parts: parts}
}

func part(name, material string, p design.Process) design.Part {
	return design.Part{Name: name, Kind: design.KindPart, Quantity: 1, Material: material, Process: p}
}

func commit(t *testing.T, db store.Store, c design.Content) *design.Design {
	t.Helper()
	d, _, err := db.Commit(ctx, design.CommitRequest{Content: c, Author: "ana@node-a"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func commitAndRead(t *testing.T, db store.Store) {
	c := content("Open Loom", "a hand loom", part("Comb", "PLA", design.ProcessFDM))
	d, rev, err := db.Commit(ctx, design.CommitRequest{Content: c, Author: "ana@node-a"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Slug != "open-loom" || d.Head != rev.ID || rev.ID != c.RevisionID() || d.Revisions != 1 {
		t.Errorf("new design: %+v rev %s", d, rev.ID)
	}
	// The bytes served to peers are the revision's id's preimage.
	if b, err := db.RevisionBytes(ctx, rev.ID); err != nil || fmt.Sprintf("%x", sha256.Sum256(b)) != rev.ID {
		t.Errorf("revision bytes: %.80s %v", b, err)
	}
	if _, err := db.RevisionBytes(ctx, fmt.Sprintf("%064d", 0)); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("bytes of no revision: %v", err)
	}
	got, err := db.Design(ctx, "open-loom")
	if err != nil || got.ID != d.ID {
		t.Fatalf("by slug: %v %v", got, err)
	}
	if got, err = db.Design(ctx, d.ID); err != nil || got.Slug != d.Slug || !got.Created.Equal(d.Created.Truncate(time.Microsecond)) && !got.Created.Equal(d.Created) {
		t.Fatalf("by id: %+v %v", got, err)
	}
	r, err := db.Revision(ctx, rev.ID)
	if err != nil || r.Parts[0].Material != "PLA" || r.Content.RevisionID() != rev.ID {
		t.Fatalf("revision read back differs: %+v %v", r, err)
	}
	if by, err := db.DesignByHead(ctx, rev.ID); err != nil || by.ID != d.ID {
		t.Errorf("by head: %+v %v", by, err)
	}
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
	if err != nil || len(h) != 2 || h[0].Revision != rev2.ID || h[1].Author != "ana@node-a" || h[0].Message != "v2" {
		t.Errorf("history newest first: %+v %v", h, err)
	}
	fork, _, err := db.Commit(ctx, design.CommitRequest{Content: c2, ForkedFrom: &design.Origin{Design: d.ID, Revision: rev2.ID}, Slug: "open-loom-bob"})
	if err != nil || fork.ForkedFrom == nil || fork.ForkedFrom.Design != d.ID {
		t.Fatalf("fork: %+v %v", fork, err)
	}
	if fs, err := db.Forks(ctx, d.ID); err != nil || len(fs) != 1 || fs[0].Slug != "open-loom-bob" {
		t.Errorf("forks: %+v %v", fs, err)
	}
	for _, ref := range []string{"nope", "0190e4c2-0000-7000-8000-000000000000", "'; DROP TABLE designs; --"} {
		if _, err := db.Design(ctx, ref); dgml.KindOf(err) != dgml.NotFound {
			t.Errorf("missing design %q: %v", ref, err)
		}
	}
	if _, err := db.Revision(ctx, "0000"); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("missing revision: %v", err)
	}
	st, err := db.Stats(ctx)
	if err != nil || st.Designs != 3 || st.Revisions != 3 || st.Parts != 2 {
		t.Errorf("stats: %+v %v", st, err)
	}
}

func commitIsAllOrNothing(t *testing.T, db store.Store) {
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

func names(r *design.Results) []string {
	var out []string
	for _, s := range r.Items {
		out = append(out, s.Name)
	}
	return out
}

func searchRanksAndFilters(t *testing.T, db store.Store) {
	tractor := content("LifeTrac", "open source tractor", part("Frame", "steel", design.ProcessWelding))
	tractor.Manifest.Keywords = []string{"agriculture"}
	tractor.Manifest.OTRL = 5
	commit(t, db, tractor)
	mention := content("Seeder", "pulled by a tractor or by hand", part("Hopper", "plywood", design.ProcessLaserCutting))
	mention.Manifest.License = "CC-BY-SA-4.0"
	mention.Manifest.Languages = []string{"es"}
	commit(t, db, mention)
	printer := content("RepRap Prusa", "a 3D printer that prints its own parts", part("X end", "PLA", design.ProcessFDM))
	printer.Steps = []design.Step{{Title: "Frame", Text: "Bolt the threaded rods to the tractor-style frame"}}
	commit(t, db, printer)
	accent := content("Métier à tisser", "un métier en bois", part("Cadre", "hêtre", design.ProcessCNCMilling))
	accent.Manifest.Languages = []string{"fr"}
	commit(t, db, accent)

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
		{design.Query{Text: "REPRAP prusa"}, []string{"RepRap Prusa"}},
		{design.Query{Text: "metier"}, []string{"Métier à tisser"}},
		{design.Query{Text: "tractor", License: "cc-by-sa-4.0"}, []string{"Seeder"}},
		{design.Query{Process: "3d-printing-fdm"}, []string{"RepRap Prusa"}},
		{design.Query{Material: "Steel"}, []string{"LifeTrac"}},
		{design.Query{Language: "en"}, []string{"RepRap Prusa", "LifeTrac"}},
		{design.Query{Language: "es", Text: "hopper"}, []string{"Seeder"}},
		{design.Query{MinOTRL: 4}, []string{"LifeTrac"}},
		{design.Query{Text: `"); DROP TABLE designs; --`}, nil},
		{design.Query{Text: "*** OR NEAR( & | ! :*"}, nil},
		{design.Query{Text: "'"}, nil},
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
	all, _ := db.Search(ctx, design.Query{})
	if all.Total != 4 || all.Items[0].Name != "Métier à tisser" || all.Items[0].Parts != 1 || len(all.Items[0].Languages) != 1 {
		t.Errorf("newest first without text: %+v", all.Items)
	}
	// Discovery: plurals find the singular, a date order, and only
	// designs with a part file to see.
	for _, c := range []struct {
		q    design.Query
		want []string
	}{
		{design.Query{Text: "tractors"}, []string{"LifeTrac", "Seeder", "RepRap Prusa"}},
		{design.Query{Text: "tractor", Sort: design.SortRecent}, []string{"RepRap Prusa", "Seeder", "LifeTrac"}},
		{design.Query{HasFiles: true}, nil},
		{design.Query{Keyword: "Agriculture"}, []string{"LifeTrac"}},
		{design.Query{Keyword: "agriculture", Text: "frame"}, []string{"LifeTrac"}},
		{design.Query{Keyword: "tractor"}, nil}, // in names and functions, not in keywords
		{design.Query{Keyword: "!!"}, nil},
	} {
		res, err := db.Search(ctx, c.q)
		if err != nil {
			t.Fatalf("%+v: %v", c.q, err)
		}
		if fmt.Sprint(names(res)) != fmt.Sprint(c.want) {
			t.Errorf("%+v: got %v, want %v", c.q, names(res), c.want)
		}
	}
	mesh := content("Tractor hitch pin", "a pin", part("Pin", "steel", design.ProcessCNCTurning))
	sum := strings.Repeat("ab", 32)
	mesh.Parts[0].Exports = []design.FileRef{{Path: "pin.stl", SHA256: sum, Size: 84}}
	if _, _, err := db.Commit(ctx, design.CommitRequest{Content: mesh, Files: []design.FileInfo{{SHA256: sum, Size: 84, MediaType: "model/stl", Name: "pin.stl"}}}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []design.Query{{HasFiles: true}, {HasFiles: true, Text: "tractor"}} {
		if res, _ := db.Search(ctx, q); fmt.Sprint(names(res)) != "[Tractor hitch pin]" {
			t.Errorf("%+v: %v", q, names(res))
		}
	}
	// Most built first: the seeder twice, the tractor once.
	for name, n := range map[string]int{"seeder": 2, "lifetrac": 1} {
		d, err := db.Design(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		for range n {
			if err := db.AddReport(ctx, &assess.Report{DesignID: d.ID, Revision: d.Head, Author: "bo@n", Place: "Lyon", Quantity: 1, Success: true}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, c := range []struct {
		q    design.Query
		want string
	}{
		{design.Query{Sort: design.SortBuilt, Limit: 3}, "[Seeder LifeTrac Tractor hitch pin]"},
		{design.Query{Sort: design.SortBuilt, Text: "tractor"}, "[Seeder LifeTrac Tractor hitch pin RepRap Prusa]"},
	} {
		if res, _ := db.Search(ctx, c.q); fmt.Sprint(names(res)) != c.want {
			t.Errorf("%+v: %v, want %s", c.q, names(res), c.want)
		}
	}
}

func concurrentCommitsAndReads(t *testing.T, db store.Store) {
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range 10 {
				c := content(fmt.Sprintf("Gear %d-%d", w, i), "spur gear", part("Gear", "PLA", design.ProcessFDM))
				if _, _, err := db.Commit(ctx, design.CommitRequest{Content: c}); err != nil {
					errs <- err
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 10 {
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

func filesAndCache(t *testing.T, db store.Store) {
	sum := fmt.Sprintf("%064x", 7)
	if err := db.AddFile(ctx, design.FileInfo{SHA256: sum, Size: 12, MediaType: "model/stl", Name: "gear.stl"}); err != nil {
		t.Fatal(err)
	}
	db.AddFile(ctx, design.FileInfo{SHA256: sum, Size: 12, MediaType: "model/stl", Name: "again.stl"})
	f, err := db.File(ctx, sum)
	if err != nil || f.Name != "gear.stl" || f.Size != 12 {
		t.Errorf("file: %+v %v", f, err)
	}
	if _, err := db.File(ctx, fmt.Sprintf("%064x", 8)); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("missing file: %v", err)
	}
	c := content("Gear", "a gear", part("Gear", "PLA", design.ProcessFDM))
	c.Parts[0].Exports = []design.FileRef{{Path: "gear.stl", SHA256: sum}}
	commit(t, db, c)
	var sums []string
	if err := db.FileSums(ctx, func(s string) { sums = append(sums, s) }); err != nil || !slices.Equal(sums, []string{sum}) {
		t.Errorf("file sums: %v %v", sums, err)
	}
	if _, ok, err := db.CacheGet(ctx, sum, "analysis", "v1"); ok || err != nil {
		t.Errorf("empty cache: %v %v", ok, err)
	}
	bin := []byte{0, 1, 2, 255, '{', '"'}
	if err := db.CachePut(ctx, sum, "analysis", "v1", bin); err != nil {
		t.Fatal(err)
	}
	db.CachePut(ctx, sum, "analysis", "v1", []byte("second"))
	if v, ok, err := db.CacheGet(ctx, sum, "analysis", "v1"); !ok || err != nil || string(v) != string(bin) {
		t.Errorf("cache: %q %v %v", v, ok, err)
	}
	if st, _ := db.Stats(ctx); st.Files != 1 || st.FileBytes != 12 {
		t.Errorf("stats of files: %+v", st)
	}
}

func facilities(t *testing.T, db store.Store) {
	v0, err := db.FacilitiesVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lab := facility.Facility{Name: "Fab Lab Athens", Location: geo.Point{Lat: 37.98, Lon: 23.73}, Country: "GR",
		Machines: []facility.Machine{{Process: design.ProcessFDM, Make: "Prusa"}}}
	if err := db.CreateFacility(ctx, &lab); err != nil {
		t.Fatal(err)
	}
	if lab.ID == "" || lab.Slug != "fab-lab-athens" || len(lab.Machines[0].ID) != 36 {
		t.Errorf("created: %+v", lab)
	}
	again := facility.Facility{ID: lab.ID, Name: "Taken", Location: geo.Point{Lat: 1, Lon: 1}}
	if err := db.CreateFacility(ctx, &again); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("creating over a stored id must be a conflict, got %v", err)
	}
	bySlug := facility.Facility{ID: "fab-lab-athens", Name: "Taken", Location: geo.Point{Lat: 1, Lon: 1}}
	if err := db.CreateFacility(ctx, &bySlug); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("an id equal to another's slug must be a conflict, got %v", err)
	}
	twin := facility.Facility{ID: "okw-7", Name: "Fab Lab Athens", Location: geo.Point{Lat: 38.0, Lon: 23.7}}
	if err := db.CreateFacility(ctx, &twin); err != nil || twin.Slug != "fab-lab-athens-2" || twin.ID != "okw-7" {
		t.Errorf("second of a name, keeping its id: %+v %v", twin, err)
	}
	lab.Description = "moved"
	if err := db.UpdateFacility(ctx, &lab); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Facility(ctx, "fab-lab-athens"); err != nil || got.Description != "moved" || got.ID != lab.ID {
		t.Errorf("updated: %+v %v", got, err)
	}
	if err := db.UpdateFacility(ctx, &facility.Facility{ID: "nobody", Name: "x", Location: geo.Point{Lat: 1, Lon: 1}}); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("update of nothing: %v", err)
	}
	bad := facility.Facility{Name: "Bad", Location: geo.Point{Lat: 100}}
	if err := db.CreateFacility(ctx, &bad); dgml.KindOf(err) != dgml.Invalid {
		t.Errorf("invalid facility: %v", err)
	}
	all, err := db.Facilities(ctx)
	if err != nil || len(all) != 2 || all[0].Name != "Fab Lab Athens" || all[1].ID != "okw-7" {
		t.Errorf("all: %+v %v", all, err)
	}
	if v, _ := db.FacilitiesVersion(ctx); v <= v0 {
		t.Errorf("version did not move: %d -> %d", v0, v)
	}
	if err := db.DeleteFacility(ctx, "okw-7"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteFacility(ctx, "okw-7"); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("delete twice: %v", err)
	}
}

func people(t *testing.T, db store.Store) {
	u, err := db.CreateUser(ctx, "ana", "hash", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, "ana", "x", false); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("taken name: %v", err)
	}
	got, hash, err := db.UserByName(ctx, "ana")
	if err != nil || got.ID != u.ID || hash != "hash" || got.Admin {
		t.Errorf("by name: %+v %q %v", got, hash, err)
	}
	if _, _, err := db.UserByName(ctx, "nobody"); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := db.User(ctx, "not-a-uuid"); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("unknown id: %v", err)
	}
	if n, _ := db.CountUsers(ctx); n != 1 {
		t.Errorf("count %d", n)
	}
	exp := time.Now().Add(time.Hour).UTC()
	if err := db.CreateSession(ctx, "sess-hash", account.Session{UserID: u.ID, CSRF: "c", Expires: exp}); err != nil {
		t.Fatal(err)
	}
	if s, err := db.Session(ctx, "sess-hash"); err != nil || s.UserID != u.ID || s.CSRF != "c" || s.Expires.Sub(exp).Abs() > time.Millisecond {
		t.Errorf("session: %+v %v", s, err)
	}
	db.CreateSession(ctx, "old", account.Session{UserID: u.ID, CSRF: "c", Expires: time.Now().Add(-time.Minute)})
	if _, err := db.Session(ctx, "old"); dgml.KindOf(err) != dgml.Unauthorized {
		t.Errorf("expired session: %v", err)
	}
	db.DeleteSession(ctx, "sess-hash")
	if _, err := db.Session(ctx, "sess-hash"); dgml.KindOf(err) != dgml.Unauthorized {
		t.Errorf("deleted session: %v", err)
	}
	tok := &account.Token{UserID: u.ID, Name: "ci", Scope: "read"}
	if err := db.CreateToken(ctx, tok, "secret-hash"); err != nil {
		t.Fatal(err)
	}
	if got, err := db.TokenBySecret(ctx, "secret-hash"); err != nil || got.ID != tok.ID || got.Scope != "read" {
		t.Errorf("token: %+v %v", got, err)
	}
	if err := db.RevokeToken(ctx, u.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TokenBySecret(ctx, "secret-hash"); dgml.KindOf(err) != dgml.Unauthorized {
		t.Errorf("revoked token: %v", err)
	}
	if err := db.RevokeToken(ctx, u.ID, tok.ID); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("revoked twice: %v", err)
	}
	if ts, err := db.Tokens(ctx, u.ID); err != nil || len(ts) != 1 || ts[0].Revoked == nil {
		t.Errorf("tokens: %+v %v", ts, err)
	}
	bo, _ := db.CreateUser(ctx, "bo", "h", true)
	for _, r := range [][3]string{{account.Maintainer, "d1", u.ID}, {account.Maintainer, "d1", u.ID}, {account.Operator, "f1", bo.ID}, {account.Maintainer, "d2", u.ID}} {
		if err := db.AddRole(ctx, r[0], r[1], r[2]); err != nil {
			t.Fatal(err)
		}
	}
	if ok, _ := db.HasRole(ctx, account.Maintainer, "d1", u.ID); !ok {
		t.Error("role missing")
	}
	if ok, _ := db.HasRole(ctx, account.Maintainer, "d1", bo.ID); ok {
		t.Error("role of someone else")
	}
	if hs, _ := db.Holders(ctx, account.Maintainer, "d1"); len(hs) != 1 || hs[0].Name != "ana" {
		t.Errorf("holders: %+v", hs)
	}
	if os, _ := db.Objects(ctx, account.Maintainer, u.ID); !slices.Equal(os, []string{"d1", "d2"}) {
		t.Errorf("objects: %v", os)
	}
	if err := db.AddVouch(ctx, u.ID, bo.ID, "known"); err != nil {
		t.Fatal(err)
	}
	db.AddVouch(ctx, u.ID, bo.ID, "known well")
	if vs, err := db.Vouchers(ctx, u.ID); err != nil || len(vs) != 1 || vs[0].Name != "bo" || !vs[0].Admin {
		t.Errorf("vouchers: %+v %v", vs, err)
	}
	if _, ok, _ := db.Setting(ctx, "standing"); ok {
		t.Error("a setting never set")
	}
	db.PutSetting(ctx, "standing", `{"a":1}`)
	db.PutSetting(ctx, "standing", `{"a":2}`)
	if v, ok, err := db.Setting(ctx, "standing"); !ok || err != nil || v != `{"a":2}` {
		t.Errorf("setting: %q %v %v", v, ok, err)
	}
}

// designWithUser makes a design and a user for the collaboration tests.
func designWithUser(t *testing.T, db store.Store) (*design.Design, *account.User) {
	d := commit(t, db, content("Stool", "a stool", part("Leg", "oak", design.ProcessCNCMilling)))
	u, err := db.CreateUser(ctx, "ana", "h", false)
	if err != nil {
		t.Fatal(err)
	}
	return d, u
}

func proposals(t *testing.T, db store.Store) {
	d, _ := designWithUser(t, db)
	c := content("Stool", "a better stool", part("Leg", "oak", design.ProcessCNCMilling))
	fork, rev, err := db.Commit(ctx, design.CommitRequest{Content: c, ForkedFrom: &design.Origin{Design: d.ID, Revision: d.Head}})
	if err != nil {
		t.Fatal(err)
	}
	p := &collab.Proposal{DesignID: d.ID, FromDesign: fork.ID, Revision: rev.ID, Base: d.Head, Title: "better", Author: "bo@n"}
	if err := db.CreateProposal(ctx, p); err != nil {
		t.Fatal(err)
	}
	db.AddComment(ctx, "proposal", p.ID, collab.Comment{Author: "ana@n", Text: "first"})
	db.AddComment(ctx, "proposal", p.ID, collab.Comment{Author: "bo@n", Text: "second"})
	got, err := db.Proposal(ctx, p.ID)
	if err != nil || got.Status != "open" || len(got.Comments) != 2 || got.Comments[1].Text != "second" || got.FromDesign != fork.ID {
		t.Errorf("proposal: %+v %v", got, err)
	}
	if ps, _ := db.Proposals(ctx, d.ID); len(ps) != 1 {
		t.Errorf("proposals: %+v", ps)
	}
	if err := db.SetProposalStatus(ctx, p.ID, "open", "accepted"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetProposalStatus(ctx, p.ID, "open", "declined"); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("deciding a decided proposal: %v", err)
	}
	if _, err := db.Proposal(ctx, "nope"); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("missing proposal: %v", err)
	}
	if n, err := db.Contributions(ctx, "bo@n"); n != 1 || err != nil {
		t.Errorf("an accepted proposal is a contribution: %d %v", n, err)
	}
}

func tasks(t *testing.T, db store.Store) {
	d, _ := designWithUser(t, db)
	now := time.Now().UTC()
	mk := func(title string, skills []string, process, lang string, lat, lon float64) *collab.Task {
		tk := &collab.Task{DesignID: d.ID, Title: title, Skills: skills, Process: process, Language: lang, Lat: lat, Lon: lon, Author: "ana@n"}
		if err := db.CreateTask(ctx, tk); err != nil {
			t.Fatal(err)
		}
		return tk
	}
	weld := mk("weld the frame", []string{"welding"}, "welding", "", 37.98, 23.73)
	mk("translate", []string{"translation"}, "", "fr", 0, 0)
	far := mk("paint in Nairobi", []string{"painting"}, "", "", -1.29, 36.82)
	claimed := mk("claimed", []string{"welding"}, "", "", 0, 0)
	until := now.Add(time.Hour)
	claimed.Status, claimed.ClaimedBy, claimed.ClaimUntil = "claimed", "bo@n", &until
	if err := db.UpdateTask(ctx, claimed); err != nil {
		t.Fatal(err)
	}
	stale := mk("stale", []string{"welding"}, "", "", 0, 0)
	past := now.Add(-time.Hour)
	stale.Status, stale.ClaimedBy, stale.ClaimUntil = "claimed", "bo@n", &past
	db.UpdateTask(ctx, stale)
	done := mk("done", []string{"welding"}, "", "", 0, 0)
	done.Status, done.Resolution = "done", "/x"
	db.UpdateTask(ctx, done)
	db.AddComment(ctx, "task", weld.ID, collab.Comment{Author: "bo@n", Text: "half"})
	athens := geo.Point{Lat: 37.9, Lon: 23.7}
	for _, c := range []struct {
		q    collab.TaskQuery
		want []string
	}{
		{collab.TaskQuery{Skill: "welding", OpenOnly: true, Now: now}, []string{"stale", "weld the frame"}},
		{collab.TaskQuery{Skill: "welding"}, []string{"done", "stale", "claimed", "weld the frame"}},
		{collab.TaskQuery{Language: "fr"}, []string{"translate"}},
		{collab.TaskQuery{Process: "welding"}, []string{"weld the frame"}},
		{collab.TaskQuery{Design: d.ID, OpenOnly: true, Now: now, Limit: 2}, []string{"stale", "paint in Nairobi"}},
		{collab.TaskQuery{Design: d.ID, OpenOnly: true, Now: now, Limit: 2, Offset: 2}, []string{"translate", "weld the frame"}},
		{collab.TaskQuery{Near: &athens, RadiusKm: 50}, []string{"done", "stale", "claimed", "translate", "weld the frame"}},
		{collab.TaskQuery{Near: &athens, RadiusKm: 50, Skill: "painting"}, nil},
		{collab.TaskQuery{Design: "not-a-design"}, nil},
	} {
		got, err := db.Tasks(ctx, c.q)
		if err != nil {
			t.Fatalf("%+v: %v", c.q, err)
		}
		var titles []string
		for _, tk := range got {
			titles = append(titles, tk.Title)
		}
		if fmt.Sprint(titles) != fmt.Sprint(c.want) {
			t.Errorf("%+v: %v, want %v", c.q, titles, c.want)
		}
	}
	got, err := db.Task(ctx, weld.ID)
	if err != nil || len(got.Progress) != 1 || got.Skills[0] != "welding" {
		t.Errorf("task: %+v %v", got, err)
	}
	if _, err := db.Task(ctx, far.ID+"x"); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("missing task: %v", err)
	}
}

func events(t *testing.T, db store.Store) {
	for i := range 5 {
		if err := db.AddEvent(ctx, collab.Event{DesignID: "d1", Actor: fmt.Sprintf("p%d@n", i%2), Kind: "k", Summary: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	es, err := db.Events(ctx, "d1", "", 2, 1)
	if err != nil || len(es) != 2 || es[0].Summary != "3" || es[1].Summary != "2" {
		t.Errorf("page of events: %+v %v", es, err)
	}
	if es, _ := db.Events(ctx, "", "p1@n", 10, 0); len(es) != 2 {
		t.Errorf("a person's events: %+v", es)
	}
	if es, _ := db.Events(ctx, "none", "", 10, 0); es == nil || len(es) != 0 {
		t.Errorf("no events: %#v", es)
	}
}

func assessment(t *testing.T, db store.Store) {
	d, _ := designWithUser(t, db)
	r := &assess.Report{DesignID: d.ID, Revision: d.Head, Author: "bo@n", Place: "Athens", Quantity: 1, Success: true}
	if err := db.AddReport(ctx, r); err != nil {
		t.Fatal(err)
	}
	if rs, err := db.Reports(ctx, d.ID); err != nil || len(rs) != 1 || rs[0].ID != r.ID || rs[0].Place != "Athens" {
		t.Errorf("reports: %+v %v", rs, err)
	}
	for _, a := range []assess.Attestation{{Reviewer: "x@n", Holds: true, Note: "first"}, {Reviewer: "y@n", Holds: false, Note: "n"}, {Reviewer: "x@n", Holds: false, Note: "changed"}} {
		a.DesignID, a.Revision = d.ID, d.Head
		if err := db.PutAttestation(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	as, err := db.Attestations(ctx, d.ID)
	if err != nil || len(as) != 2 || as[0].Reviewer != "x@n" || as[0].Note != "changed" || as[0].Holds {
		t.Errorf("attestations (one per reviewer, the later kept, in first order): %+v %v", as, err)
	}
	for _, v := range []assess.Vote{{Voter: "x@n", Scale: "otrl", Level: 3}, {Voter: "x@n", Scale: "odrl", Level: 2}, {Voter: "x@n", Scale: "otrl", Level: 4}} {
		v.DesignID, v.Revision = d.ID, d.Head
		db.PutVote(ctx, v)
	}
	if vs, _ := db.Votes(ctx, d.ID); len(vs) != 2 || vs[0].Level != 4 {
		t.Errorf("votes: %+v", vs)
	}
	if n, _ := db.Contributions(ctx, "bo@n"); n != 1 {
		t.Errorf("a report is a contribution: %d", n)
	}
}

func translations(t *testing.T, db store.Store) {
	d, _ := designWithUser(t, db)
	for i, text := range []string{"Tabouret", "Le tabouret"} {
		tr := &design.TextTranslation{DesignID: d.ID, Key: "name", Lang: "fr", Text: text, Author: "bo@n"}
		if err := db.AddTranslation(ctx, tr); err != nil {
			t.Fatal(err)
		}
		if tr.Created.IsZero() {
			t.Errorf("translation %d not dated", i)
		}
	}
	ts, err := db.Translations(ctx, d.ID)
	if err != nil || len(ts) != 2 || ts[1].Text != "Le tabouret" {
		t.Errorf("translations oldest first: %+v %v", ts, err)
	}
	if n, _ := db.Contributions(ctx, "bo@n"); n != 2 {
		t.Errorf("translations are contributions: %d", n)
	}
}

// Everything inside Atomically is undone when it fails, whatever store
// it touched.
func atomicallyRollsBack(t *testing.T, db store.Store) {
	boom := errors.New("boom")
	err := db.Atomically(ctx, func(ctx context.Context) error {
		d, _, err := db.Commit(ctx, design.CommitRequest{Content: content("Gone", "never")})
		if err != nil {
			return err
		}
		u, err := db.CreateUser(ctx, "ghost", "h", false)
		if err != nil {
			return err
		}
		if err := db.AddRole(ctx, account.Maintainer, d.ID, u.ID); err != nil {
			return err
		}
		if err := db.AddEvent(ctx, collab.Event{DesignID: d.ID, Actor: "ghost@n", Kind: "k"}); err != nil {
			return err
		}
		// Inside, the transaction sees its own writes.
		if _, err := db.Design(ctx, d.ID); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("want the function's error, got %v", err)
	}
	st, _ := db.Stats(ctx)
	n, _ := db.CountUsers(ctx)
	es, _ := db.Events(ctx, "", "ghost@n", 10, 0)
	if st.Designs != 0 || st.Revisions != 0 || n != 0 || len(es) != 0 {
		t.Errorf("a failed transaction left %+v, %d users, %d events", st, n, len(es))
	}
}

// race runs fn from n goroutines at once and counts who won and who got
// a conflict.
func race(t *testing.T, n int, fn func(i int) error) (won, conflicts int) {
	t.Helper()
	var w, c atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := fn(i)
			switch {
			case err == nil:
				w.Add(1)
			case dgml.KindOf(err) == dgml.Conflict:
				c.Add(1)
			default:
				t.Errorf("racer %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	return int(w.Load()), int(c.Load())
}

// Many commits of one name at once: each gets its own slug.
func raceForOneSlug(t *testing.T, db store.Store) {
	won, _ := race(t, 12, func(i int) error {
		_, _, err := db.Commit(ctx, design.CommitRequest{Content: content("Same Name", fmt.Sprint(i))})
		return err
	})
	res, _ := db.Search(ctx, design.Query{Limit: 50})
	slugs := map[string]bool{}
	for _, s := range res.Items {
		slugs[s.Slug] = true
	}
	if won != 12 || len(slugs) != 12 || !slugs["same-name"] || !slugs["same-name-12"] {
		t.Errorf("%d commits won, %d distinct slugs: %v", won, len(slugs), slugs)
	}
}

// Many decisions of one proposal at once, each in a transaction that
// reads, checks and moves it: exactly one wins.
func raceForOneProposal(t *testing.T, db store.Store) {
	d, _ := designWithUser(t, db)
	p := &collab.Proposal{DesignID: d.ID, FromDesign: d.ID, Revision: d.Head, Base: d.Head, Title: "t", Author: "bo@n"}
	if err := db.CreateProposal(ctx, p); err != nil {
		t.Fatal(err)
	}
	won, conflicts := race(t, 16, func(i int) error {
		return db.Atomically(ctx, func(ctx context.Context) error {
			got, err := db.Proposal(ctx, p.ID)
			if err != nil {
				return err
			}
			if got.Status != "open" {
				return &dgml.Error{Kind: dgml.Conflict, Msg: "already " + got.Status}
			}
			if err := db.AddEvent(ctx, collab.Event{DesignID: d.ID, Actor: fmt.Sprintf("m%d@n", i), Kind: "decided"}); err != nil {
				return err
			}
			return db.SetProposalStatus(ctx, p.ID, "open", []string{"accepted", "declined"}[i%2])
		})
	})
	es, _ := db.Events(ctx, d.ID, "", 50, 0)
	if won != 1 || conflicts != 15 || len(es) != 1 {
		t.Errorf("%d won, %d conflicts, %d events: want 1, 15, 1", won, conflicts, len(es))
	}
}

// Many sign-ups of one name at once: one account.
func raceForOneUserName(t *testing.T, db store.Store) {
	won, conflicts := race(t, 16, func(int) error {
		_, err := db.CreateUser(ctx, "popular", "h", false)
		return err
	})
	if won != 1 || conflicts != 15 {
		t.Errorf("%d won, %d conflicts", won, conflicts)
	}
}

// Many claims of one task at once (read, check, write in a transaction):
// one claimant.
func raceForOneClaim(t *testing.T, db store.Store) {
	d, _ := designWithUser(t, db)
	tk := &collab.Task{DesignID: d.ID, Title: "one"}
	if err := db.CreateTask(ctx, tk); err != nil {
		t.Fatal(err)
	}
	won, conflicts := race(t, 16, func(i int) error {
		return db.Atomically(ctx, func(ctx context.Context) error {
			got, err := db.Task(ctx, tk.ID)
			if err != nil {
				return err
			}
			if !got.Open(time.Now()) {
				return &dgml.Error{Kind: dgml.Conflict, Msg: "claimed"}
			}
			until := time.Now().Add(time.Hour)
			got.Status, got.ClaimedBy, got.ClaimUntil = "claimed", fmt.Sprintf("p%d@n", i), &until
			return db.UpdateTask(ctx, got)
		})
	})
	if won != 1 || conflicts != 15 {
		t.Errorf("%d won, %d conflicts", won, conflicts)
	}
}

// Failed attempts are counted by kind and key within a window, forgotten
// on request, and pruned after a day.
func failures(t *testing.T, db store.Store) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i := range 3 {
		if err := db.AddFailure(ctx, "pair", "ana ip", now.Add(time.Duration(i-3)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	db.AddFailure(ctx, "account", "ana", now)
	n, first, last, err := db.CountFailures(ctx, "pair", "ana ip", now.Add(-150*time.Second))
	if err != nil || n != 2 || !first.Equal(now.Add(-2*time.Minute)) || !last.Equal(now.Add(-time.Minute)) {
		t.Errorf("count: %d %v %v %v", n, first, last, err)
	}
	if n, _, _, _ := db.CountFailures(ctx, "pair", "bob ip", now.Add(-time.Hour)); n != 0 {
		t.Errorf("another key: %d", n)
	}
	db.ForgetFailures(ctx, "pair", "ana ip")
	if n, _, _, _ := db.CountFailures(ctx, "pair", "ana ip", now.Add(-time.Hour)); n != 0 {
		t.Errorf("forgotten: %d", n)
	}
	if n, _, _, _ := db.CountFailures(ctx, "account", "ana", now.Add(-time.Hour)); n != 1 {
		t.Errorf("the account's count stays: %d", n)
	}
	// A day later the old failure is pruned as a new one comes.
	db.AddFailure(ctx, "account", "bo", now.Add(25*time.Hour))
	if n, _, _, _ := db.CountFailures(ctx, "account", "ana", now.Add(-time.Hour)); n != 0 {
		t.Errorf("not pruned: %d", n)
	}
}

// A store that answers near queries itself finds what the in-memory S2
// index finds, in the same order, across the antimeridian too.
func nearUsesTheIndex(t *testing.T, db store.Store) {
	n, ok := db.(facility.Nearer)
	if !ok {
		t.Skip("this store answers no near queries of its own (the network's in-memory index does)")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var pts []geo.Point
	var ids []string
	for i := range 300 {
		p := geo.Point{Lat: rng.Float64()*20 + 30, Lon: rng.Float64()*20 + 170}
		if p.Lon > 180 {
			p.Lon -= 360
		}
		if i%10 == 9 {
			p = pts[i-1] // two workshops in one building: a tie
		}
		f := facility.Facility{ID: fmt.Sprintf("f%03d", i), Name: fmt.Sprintf("Lab %d", i), Location: p}
		if err := db.CreateFacility(ctx, &f); err != nil {
			t.Fatal(err)
		}
		pts, ids = append(pts, p), append(ids, f.ID)
	}
	index := geo.NewIndex(pts)
	for range 40 {
		c := geo.Point{Lat: rng.Float64()*20 + 30, Lon: rng.Float64()*20 + 170}
		if c.Lon > 180 {
			c.Lon -= 360
		}
		r := rng.Float64() * 800
		want := index.Within(c, r)
		got, kms, err := n.FacilitiesNear(ctx, c, r, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Points within a metre of the circle may fall either way
		// between two spheres' arithmetic.
		if d := len(got) - len(want); d < -1 || d > 1 {
			t.Fatalf("near %v within %.0f km: %d found, the index finds %d", c, r, len(got), len(want))
		}
		for i := range min(len(got), len(want)) {
			if math.Abs(kms[i]-want[i].Km) > 0.01*want[i].Km+0.01 {
				t.Errorf("near %v: #%d at %.3f km, the index says %.3f", c, i, kms[i], want[i].Km)
				break
			}
			if got[i].ID != ids[want[i].ID] && math.Abs(kms[i]-want[i].Km) > 1e-6 {
				t.Errorf("near %v: #%d is %s, the index says %s", c, i, got[i].ID, ids[want[i].ID])
				break
			}
		}
	}
}

// Many tokens of one secret at once: one token.
func raceForOneToken(t *testing.T, db store.Store) {
	u, err := db.CreateUser(ctx, "ana", "h", false)
	if err != nil {
		t.Fatal(err)
	}
	won, conflicts := race(t, 16, func(i int) error {
		return db.CreateToken(ctx, &account.Token{UserID: u.ID, Name: fmt.Sprint(i), Scope: "write"}, "the same digest")
	})
	if ts, _ := db.Tokens(ctx, u.ID); won != 1 || conflicts != 15 || len(ts) != 1 {
		t.Errorf("%d won, %d conflicts, %d tokens", won, conflicts, len(ts))
	}
}

// The job queue: enqueued with the write or not at all, one waiting job a
// key, retried later on failure and failed for good past its attempts,
// taken again when its lease runs out.
func jobQueue(t *testing.T, db store.Store) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	j, _ := jobs.New("thumbnail", map[string]string{"sha256": "ab"})
	j.UniqueKey, j.RunAt = "thumbnail:ab", now
	db.Atomically(ctx, func(ctx context.Context) error {
		if _, _, err := db.Enqueue(ctx, j); err != nil {
			t.Fatal(err)
		}
		return errors.New("the write failed")
	})
	if js, _ := db.Jobs(ctx, "", 10); len(js) != 0 {
		t.Fatalf("a job of a rolled-back write: %+v", js)
	}
	id, ok, err := db.Enqueue(ctx, j)
	if err != nil || !ok || id == 0 {
		t.Fatalf("enqueue: %d %v %v", id, ok, err)
	}
	if _, ok, _ := db.Enqueue(ctx, j); ok {
		t.Error("a second job of a key that waits")
	}
	later, _ := jobs.New("estimate", 1)
	later.RunAt = now.Add(time.Hour)
	db.Enqueue(ctx, later)
	got, err := db.Lease(ctx, "w1", now, now.Add(time.Minute))
	if err != nil || got == nil || got.ID != id || got.Kind != "thumbnail" || !sameJSON(got.Args, `{"sha256":"ab"}`) || got.Attempts != 1 {
		t.Fatalf("lease: %+v %v", got, err)
	}
	if none, err := db.Lease(ctx, "w2", now, now.Add(time.Minute)); none != nil || err != nil {
		t.Errorf("a leased job and a job not due are not leased: %+v %v", none, err)
	}
	if err := db.Finish(ctx, id, "w2", now, "", now); !errors.Is(err, jobs.ErrNoJob) {
		t.Errorf("finish by another worker: %v", err)
	}
	if err := db.Finish(ctx, id, "w1", now, "disk full", now.Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if again, _ := db.Lease(ctx, "w1", now.Add(5*time.Second), now.Add(time.Minute)); again != nil {
		t.Errorf("retried before its time: %+v", again)
	}
	again, _ := db.Lease(ctx, "w1", now.Add(11*time.Second), now.Add(11*time.Second+time.Minute))
	if again == nil || again.ID != id || again.Attempts != 2 || again.LastError != "disk full" {
		t.Fatalf("retry: %+v", again)
	}
	// The process dies: its lease runs out and another takes the job.
	stolen, _ := db.Lease(ctx, "w3", now.Add(2*time.Minute), now.Add(3*time.Minute))
	if stolen == nil || stolen.ID != id || stolen.Attempts != 3 {
		t.Fatalf("an expired lease: %+v", stolen)
	}
	if err := db.Finish(ctx, id, "w1", now, "", now); !errors.Is(err, jobs.ErrNoJob) {
		t.Errorf("the first worker finishes a job taken from it: %v", err)
	}
	if err := db.Finish(ctx, id, "w3", now.Add(2*time.Minute), "", now); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.Enqueue(ctx, j); !ok {
		t.Error("a key is free again once its job is done")
	}
	// Out of attempts: failed for good.
	f, _ := jobs.New("doomed", 0)
	f.MaxAttempts, f.RunAt = 2, now
	fid, _, _ := db.Enqueue(ctx, f)
	for i := range 2 {
		at := now.Add(time.Duration(i+1) * 10 * time.Hour)
		l, _ := db.Lease(ctx, "w", at, at.Add(time.Minute))
		for l != nil && l.ID != fid {
			db.Finish(ctx, l.ID, "w", at, "", at)
			l, _ = db.Lease(ctx, "w", at, at.Add(time.Minute))
		}
		if l == nil {
			t.Fatalf("attempt %d: not leased", i+1)
		}
		db.Finish(ctx, fid, "w", at, "always", at)
	}
	js, _ := db.Jobs(ctx, "doomed", 5)
	if len(js) != 1 || js[0].State != jobs.Failed || js[0].Attempts != 2 {
		t.Errorf("a job out of attempts: %+v", js)
	}
}

// Workers racing for 60 jobs: each runs once.
func jobsRacingWorkers(t *testing.T, db store.Store) {
	for i := range 60 {
		j, _ := jobs.New("count", i)
		if _, _, err := db.Enqueue(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker := fmt.Sprintf("w%d", w)
			for {
				now := time.Now().UTC()
				j, err := db.Lease(ctx, worker, now, now.Add(time.Minute))
				if err != nil {
					t.Error(err)
					return
				}
				if j == nil {
					return
				}
				mu.Lock()
				seen[j.ID]++
				mu.Unlock()
				if err := db.Finish(ctx, j.ID, worker, time.Now().UTC(), "", now); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != 60 {
		t.Errorf("%d of 60 jobs ran", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("job %d ran %d times", id, n)
		}
	}
}

func sameJSON(a []byte, b string) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal([]byte(b), &y) == nil && fmt.Sprint(x) == fmt.Sprint(y)
}
