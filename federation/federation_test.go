package federation_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/federation"
	"github.com/dgml/dgml/feed"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/internal/testnode"
	"github.com/dgml/dgml/ledger"
)

var ctx = context.Background()

// peer is a node in this process, on the real store, served over HTTP.
type peer struct {
	*testnode.Node
	fed *federation.Service
	srv *httptest.Server
}

func newPeer(t *testing.T, name string) *peer { return newPeerB(t, name) }

func newPeerB(t testing.TB, name string) *peer {
	t.Helper()
	n := testnode.New(t)
	fed := n.Federate(t, name)
	fed.Domain = name + ".test"
	n.Ledger.Node = fed.Domain // events are recorded by the node its feed names
	h, _ := n.Handler(t, 1<<20)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	fed.URL = srv.URL
	return &peer{Node: n, fed: fed, srv: srv}
}

func (p *peer) commit(t *testing.T, name string) *design.Design {
	t.Helper()
	d, _, err := p.Commons.Store.Commit(ctx, design.CommitRequest{Content: design.Content{Manifest: design.Manifest{Name: name, License: "CC0-1.0"}}, Author: "ana@" + p.fed.Domain})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func follow(t *testing.T, b, a *peer) {
	t.Helper()
	if _, err := b.fed.AddPeer(ctx, a.srv.URL); err != nil {
		t.Fatal(err)
	}
}

func status(t *testing.T, b, a *peer) *feed.Peer {
	t.Helper()
	p, err := b.DB.Peer(ctx, a.fed.Node())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A node that rotates its key is still believed: the rotation entry,
// signed by the old key, hands its log to the new one.
func TestRotatedKeyIsFollowed(t *testing.T) {
	a, b := newPeer(t, "athens"), newPeer(t, "berlin")
	a.commit(t, "Gear one")
	follow(t, b, a)
	if _, err := b.fed.Sync(ctx, a.fed.Node()); err != nil {
		t.Fatal(err)
	}
	before, _ := a.fed.Document()
	if _, err := a.fed.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := a.fed.Document()
	if after.Key == before.Key || after.Node != before.Node || after.FirstKey != before.FirstKey {
		t.Fatalf("rotation: %+v then %+v", before, after)
	}
	d := a.commit(t, "Gear two")
	res, err := b.fed.Sync(ctx, a.fed.Node())
	if err != nil || res.Entries != 2 {
		t.Fatalf("sync after rotation: %+v %v", res, err)
	}
	if got, err := b.DB.Design(ctx, d.ID); err != nil || got.Home != a.fed.Node() {
		t.Errorf("the design signed by the new key: %+v %v", got, err)
	}
	// A follower that starts after the rotation reads the whole log.
	c := newPeer(t, "cusco")
	follow(t, c, a)
	if res, err := c.fed.Sync(ctx, a.fed.Node()); err != nil || res.Entries != 3 {
		t.Errorf("a new follower: %+v %v", res, err)
	}
}

// A node that shows a second version of an entry already followed,
// signed with its own key, has equivocated: both versions are kept,
// nothing of the new one applied, and the node no longer followed.
func TestEquivocationIsKeptAndFlagged(t *testing.T) {
	a, b := newPeer(t, "athens"), newPeer(t, "berlin")
	a.commit(t, "Gear one")
	a.commit(t, "Gear two")
	follow(t, b, a)
	if _, err := b.fed.Sync(ctx, a.fed.Node()); err != nil {
		t.Fatal(err)
	}
	// A rewrites its history: its log starts again, and says something
	// else at entry 2, signed by its key.
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(a.Dir, "dgml.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM feed_entries; DELETE FROM logs`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if err := a.fed.Publish(ctx, feed.KindTombstone, federation.Tombstone{Kind: "facility", ID: "nothing"}); err != nil {
		t.Fatal(err)
	}
	if err := a.fed.Publish(ctx, feed.KindTombstone, federation.Tombstone{Kind: "facility", ID: "else"}); err != nil {
		t.Fatal(err)
	}
	if err := a.fed.Publish(ctx, feed.KindTombstone, federation.Tombstone{Kind: "facility", ID: "more"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.fed.Sync(ctx, a.fed.Node()); err == nil {
		t.Fatal("a rewritten history was followed")
	}
	p := status(t, b, a)
	if p.Status != feed.PeerEquivocation || !strings.Contains(p.Error, "different entry") {
		t.Errorf("peer %+v", p)
	}
	cs, _ := b.DB.Conflicts(ctx, a.fed.Node())
	if len(cs) != 1 || cs[0].Seq != 2 {
		t.Errorf("conflicts kept: %+v", cs)
	}
	if st, _ := b.DB.Log(ctx, a.fed.Node()); st.Seq != 2 {
		t.Errorf("the log followed moved to %d", st.Seq)
	}
	// It stays out of the scheduled syncs until an operator decides.
	if rs := b.fed.SyncAll(ctx); len(rs) != 0 {
		t.Errorf("an equivocating peer was synced: %+v", rs)
	}
}

// A node publishes what its own people said, and changes only what it
// owns: a report in someone else's name, or a design entry for a design
// that lives elsewhere, is refused with nothing kept.
func TestPeerSpeaksOnlyForItself(t *testing.T) {
	a, b := newPeer(t, "athens"), newPeer(t, "berlin")
	d := a.commit(t, "Gear")
	if err := a.fed.Publish(ctx, feed.KindReport, federation.ReportEntry{Report: assess.Report{ID: "r1", DesignID: d.ID, Revision: d.Head, Author: "mallory@berlin.test", Place: "Berlin", Quantity: 1, Success: true}}); err != nil {
		t.Fatal(err)
	}
	follow(t, b, a)
	if _, err := b.fed.Sync(ctx, a.fed.Node()); err == nil {
		t.Fatal("a report in another node's person's name was kept")
	}
	if p := status(t, b, a); p.Status != feed.PeerRefused || !strings.Contains(p.Error, "mallory@berlin.test") {
		t.Errorf("peer %+v", p)
	}
	if _, err := b.DB.Design(ctx, d.ID); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("the batch was kept in part: %v", err)
	}

	// A design entry claiming one of C's own designs.
	c, e := newPeer(t, "cusco"), newPeer(t, "evil")
	own := c.commit(t, "Cusco loom")
	rev, _ := c.DB.Revision(ctx, own.Head)
	if err := e.fed.Publish(ctx, feed.KindDesign, federation.DesignEntry{ID: own.ID, Slug: "loom", Name: "Loom", Revision: rev.ID, Number: 2, Created: feed.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := e.DB.PutRevision(ctx, rev, nil); err != nil { // so that e can serve it
		t.Fatal(err)
	}
	follow(t, c, e)
	_, err := c.fed.Sync(ctx, e.fed.Node())
	if err == nil || !strings.Contains(err.Error(), "lives at this node") {
		t.Errorf("a peer advancing a local design: %v", err)
	}
	if got, _ := c.DB.Design(ctx, own.ID); got.Revisions != 1 || got.Home != "" {
		t.Errorf("the local design changed: %+v", got)
	}
}

// What a follower downloads grows with what changed, not with the size
// of the commons: a second sync after one new design reads one entry.
func TestIncrementalSync(t *testing.T) {
	a, b := newPeer(t, "athens"), newPeer(t, "berlin")
	for i := range 30 {
		a.commit(t, "Part "+string(rune('A'+i)))
	}
	follow(t, b, a)
	first, err := b.fed.Sync(ctx, a.fed.Node())
	if err != nil || first.Entries != 30 {
		t.Fatalf("%+v %v", first, err)
	}
	a.commit(t, "One more")
	second, err := b.fed.Sync(ctx, a.fed.Node())
	if err != nil || second.Entries != 1 {
		t.Fatalf("%+v %v", second, err)
	}
	if second.Bytes*10 > first.Bytes {
		t.Errorf("one new design cost %d bytes, thirty cost %d", second.Bytes, first.Bytes)
	}
	var res struct{ Total int }
	got, _ := b.DB.Search(ctx, design.Query{Text: "part"})
	b2, _ := json.Marshal(got)
	json.Unmarshal(b2, &res)
	if res.Total != 30 {
		t.Errorf("%d parts on B", res.Total)
	}
}

// A workshop shared with followers only reaches a node that follows and
// said so, signed, and nobody else; what it withholds never leaves.
func TestFollowersOnlyWorkshop(t *testing.T) {
	a, b := newPeer(t, "athens"), newPeer(t, "berlin")
	lab := &facility.Facility{Name: "Quiet Lab", Location: geo.Point{Lat: 37.9812, Lon: 23.7312}, Contact: "quiet@example.org",
		Machines:   []facility.Machine{{Process: design.ProcessFDM, HourlyRate: 20}},
		Disclosure: &facility.Disclosure{Visibility: facility.VisibilityFollowers, Share: []string{facility.ShareMachines, facility.ShareLocation}}}
	if err := a.Network.Store.CreateFacility(ctx, lab); err != nil {
		t.Fatal(err)
	}
	// The entry itself names the record by hash only.
	bodies, _ := a.DB.Entries(ctx, a.fed.Node(), 0, 10)
	if len(bodies) != 1 || strings.Contains(string(bodies[0]), "Quiet Lab") {
		t.Fatalf("the log shows the record: %s", bodies)
	}
	follow(t, b, a)
	if _, err := b.fed.Sync(ctx, a.fed.Node()); err != nil {
		t.Fatal(err)
	}
	got, err := b.DB.Facility(ctx, facility.ReplicaID(a.fed.Node(), lab.ID))
	if err != nil {
		t.Fatalf("the follower did not get the record: %v", err)
	}
	if got.Contact != "" || got.Machines[0].HourlyRate != 0 || got.Location.Lat != 37.9812 || got.Home != a.fed.Node() {
		t.Errorf("the record as shared: %+v", got)
	}
	// A request not signed by a follower is refused.
	if _, err := a.fed.Private(ctx, "nobody", feed.Now(), "AAAA", "/federation/private/x", "x"); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("a stranger: %v", err)
	}
	if _, err := a.fed.Private(ctx, b.fed.Node(), feed.Now(), strings.Repeat("A", 86), "/federation/private/x", "x"); dgml.KindOf(err) != dgml.Unauthorized {
		t.Errorf("a forged signature: %v", err)
	}
	if _, err := a.fed.Private(ctx, b.fed.Node(), "2001-01-01T00:00:00Z", strings.Repeat("A", 86), "/federation/private/x", "x"); dgml.KindOf(err) != dgml.Unauthorized {
		t.Errorf("an old request: %v", err)
	}
}

// cutAfter is a transport that fails every log request after the first
// n, as a network that drops in the middle of a sync.
type cutAfter struct {
	n    int
	seen int
}

func (c *cutAfter) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.Path, "/federation/feed") {
		c.seen++
		if c.seen > c.n {
			return nil, fmt.Errorf("connection reset (cut by the test)")
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// A sync cut in the middle keeps what it had checked and stored, and the
// next sync goes on from there: every entry once, nothing twice.
func TestSyncCutMidwayResumes(t *testing.T) {
	a, b := newPeer(t, "athens"), newPeer(t, "berlin")
	n := 2*federation.BatchSize + 150
	for i := range n {
		a.commit(t, fmt.Sprint("Design ", i))
	}
	follow(t, b, a)
	normal := b.fed.Client
	b.fed.Client = &http.Client{Transport: &cutAfter{n: 2}}
	res, err := b.fed.Sync(ctx, a.fed.Node())
	if err == nil {
		t.Fatal("the cut sync reported no error")
	}
	kept := status(t, b, a).Seq
	if kept == 0 || kept >= uint64(n) || res.Entries != int(kept) {
		t.Fatalf("after the cut: %d entries kept, %+v", kept, res)
	}
	b.fed.Client = normal
	res, err = b.fed.Sync(ctx, a.fed.Node())
	if err != nil || res.Entries != n-int(kept) {
		t.Fatalf("resumed: %+v %v, want %d more", res, err, n-int(kept))
	}
	got, _ := b.DB.Search(ctx, design.Query{Limit: 1})
	if got.Total != n || status(t, b, a).Seq != uint64(n) {
		t.Errorf("%d designs on B at entry %d, want %d", got.Total, status(t, b, a).Seq, n)
	}
	if again, err := b.fed.Sync(ctx, a.fed.Node()); err != nil || again.Entries != 0 {
		t.Errorf("a third sync: %+v %v", again, err)
	}
}

// Economic events travel: a commit's work rides in its design entry, a
// translation's service in an entry of its own; the follower keeps them
// under the same ids. An event a node claims another node recorded is
// refused with the whole batch.
func TestEventsTravel(t *testing.T) {
	a, b := newPeer(t, "athens"), newPeer(t, "berlin")
	d := a.commit(t, "Clamp")
	if err := a.Ledger.Record(ctx, ledger.Event{Action: "deliverService", Provider: "ana@athens.test", Design: "design:" + d.ID, Note: "review: clear steps"}); err != nil {
		t.Fatal(err)
	}
	want, err := a.DB.LedgerEvents(ctx, ledger.Filter{})
	if err != nil || len(want) != 2 {
		t.Fatalf("events on A: %+v %v", want, err)
	}
	follow(t, b, a)
	res, err := b.fed.Sync(ctx, a.fed.Node())
	if err != nil || res.Entries != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	got, _ := b.DB.LedgerEvents(ctx, ledger.Filter{})
	if len(got) != 2 || got[0].ID != want[0].ID || got[1].ID != want[1].ID || got[0].Node != "athens.test" {
		t.Errorf("events on B: %+v", got)
	}

	// Athens starts speaking for another node's ledger.
	a.Ledger.Node = "cusco.test"
	a.commit(t, "Vice")
	a.commit(t, "Saw")
	if _, err := b.fed.Sync(ctx, a.fed.Node()); err == nil || !strings.Contains(err.Error(), "recorded by cusco.test") {
		t.Errorf("events in another node's name: %v", err)
	}
	if got, _ := b.DB.LedgerEvents(ctx, ledger.Filter{}); len(got) != 2 {
		t.Errorf("%d events kept after the refused batch", len(got))
	}
	if res, _ := b.DB.Search(ctx, design.Query{Text: "vice"}); res.Total != 0 {
		t.Error("the refused batch's design was kept")
	}
}
