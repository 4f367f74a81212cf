package storetest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/feed"
	"github.com/dgml/dgml/store"
)

func feedKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// keepLog appends n entries to f and keeps them, one call.
func keepLog(t *testing.T, db store.Store, f *feed.Follower, k ed25519.PrivateKey, n int) []feed.Kept {
	t.Helper()
	var kept []feed.Kept
	for i := range n {
		e, err := f.Append(feed.KindDesign, map[string]int{"i": i}, k, feed.Now())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := e.Bytes()
		kept = append(kept, feed.Kept{Seq: e.Seq, Kind: e.Kind, Body: b, Root: f.Tree.Root()})
	}
	if err := db.KeepEntries(ctx, f.State(), kept); err != nil {
		t.Fatal(err)
	}
	return kept
}

// Logs are kept with their state, read back in order, and a log cannot
// be continued from anywhere but its end.
func feedLogs(t *testing.T, db store.Store) {
	k := feedKey(1)
	pub := k.Public().(ed25519.PublicKey)
	f := &feed.Follower{Node: feed.NodeID(pub), Key: pub, Tree: feed.NewTree()}
	if st, err := db.Log(ctx, f.Node); err != nil || st != nil {
		t.Fatalf("log before any entry: %v %v", st, err)
	}
	kept := keepLog(t, db, f, k, 5)
	kept = append(kept, keepLog(t, db, f, k, 3)...)
	st, err := db.Log(ctx, f.Node)
	if err != nil || st == nil || st.Seq != 8 {
		t.Fatalf("log %+v %v", st, err)
	}
	back, err := feed.FollowerOf(*st)
	if err != nil || back.Tree.Root() != f.Tree.Root() || back.Last != f.Last {
		t.Fatalf("state kept %+v, %v", back, err)
	}
	got, err := db.Entries(ctx, f.Node, 2, 4)
	if err != nil || len(got) != 4 || !bytes.Equal(got[0], kept[2].Body) || !bytes.Equal(got[3], kept[5].Body) {
		t.Fatalf("entries after 2: %d %v", len(got), err)
	}
	if r, err := db.RootAt(ctx, f.Node, 5); err != nil || r != kept[4].Root {
		t.Errorf("root at 5: %s %v", r, err)
	}
	if b, err := db.Entry(ctx, f.Node, 9); err != nil || b != nil {
		t.Errorf("entry 9: %v %v", b, err)
	}
	// Entries that do not follow the end are refused, and nothing of
	// them kept.
	stale := *st
	stale.Seq = 10
	err = db.KeepEntries(ctx, stale, []feed.Kept{{Seq: 10, Kind: feed.KindDesign, Body: []byte("{}"), Root: "x"}, {Seq: 11}})
	if dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("entries 10, 11 after 8: %v", err)
	}
	if st2, _ := db.Log(ctx, f.Node); st2.Seq != 8 {
		t.Errorf("log moved to %d", st2.Seq)
	}

	// Keys: the current one first; a retired one after it.
	now := time.Now().UTC().Truncate(time.Second)
	for _, s := range []byte{1, 2} {
		p := feedKey(s).Public().(ed25519.PublicKey)
		if err := db.AddNodeKey(ctx, feed.SealedKey{Public: feed.EncodeKey(p), Sealed: []byte{s, 9}, Created: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.RetireNodeKey(ctx, feed.EncodeKey(pub), now); err != nil {
		t.Fatal(err)
	}
	keys, err := db.NodeKeys(ctx)
	if err != nil || len(keys) != 2 || keys[0].Retired != nil || keys[1].Retired == nil || !bytes.Equal(keys[1].Sealed, []byte{1, 9}) {
		t.Fatalf("keys %+v %v", keys, err)
	}

	// Peers.
	p := &feed.Peer{Node: f.Node, URL: "http://127.0.0.1:9001", Name: "Athens", Status: feed.PeerNew, AddedAt: now}
	if err := db.SavePeer(ctx, p); err != nil {
		t.Fatal(err)
	}
	p.Status, p.SyncedAt = feed.PeerOK, &now
	if err := db.SavePeer(ctx, p); err != nil {
		t.Fatal(err)
	}
	other := &feed.Peer{Node: "other", URL: p.URL, Status: feed.PeerNew, AddedAt: now}
	if err := db.SavePeer(ctx, other); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("a second peer at one URL: %v", err)
	}
	got1, err := db.Peer(ctx, f.Node)
	if err != nil || got1.Status != feed.PeerOK || got1.Seq != 8 || got1.SyncedAt == nil || !got1.SyncedAt.Equal(now) {
		t.Fatalf("peer %+v %v", got1, err)
	}
	if err := db.RemovePeer(ctx, f.Node); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Peer(ctx, f.Node); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("removed peer: %v", err)
	}
	// Second versions of an entry are kept, once each.
	c := feed.Conflict{Node: f.Node, Seq: 3, Hash: "h", Body: []byte("two"), Source: p.URL, SeenAt: now}
	for range 2 {
		if err := db.AddConflict(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if cs, err := db.Conflicts(ctx, f.Node); err != nil || len(cs) != 1 || string(cs[0].Body) != "two" {
		t.Errorf("conflicts %+v %v", cs, err)
	}
}

// Two writers continuing one log at once: one keeps its entry, the
// other is told it conflicts, and the log has one entry 1.
func raceForOneEntry(t *testing.T, db store.Store) {
	k := feedKey(3)
	pub := k.Public().(ed25519.PublicKey)
	won, conflicts := race(t, 8, func(i int) error {
		f := &feed.Follower{Node: feed.NodeID(pub), Key: pub, Tree: feed.NewTree()}
		e, err := f.Append(feed.KindDesign, map[string]int{"writer": i}, k, feed.Now())
		if err != nil {
			return err
		}
		b, _ := e.Bytes()
		return db.Atomically(context.Background(), func(ctx context.Context) error {
			return db.KeepEntries(ctx, f.State(), []feed.Kept{{Seq: 1, Kind: e.Kind, Body: b, Root: f.Tree.Root()}})
		})
	})
	if won != 1 || conflicts != 7 {
		t.Errorf("%d kept entry 1, %d conflicts", won, conflicts)
	}
	got, _ := db.Entries(ctx, feed.NodeID(pub), 0, 10)
	if len(got) != 1 {
		t.Errorf("%d entries kept", len(got))
	}
}

// Designs learned from a peer keep their id and home; only the next
// revision from that home advances them, a commit here never does, and
// a fork here names the node its origin lives at.
func replicas(t *testing.T, db store.Store) {
	id := "0190f5e2-7a1c-7c3e-9b2a-1f2e3d4c5b6a"
	c1 := content("Replicated press", "Presses things, elsewhere.")
	rep := func(c design.Content, rev int, home string) error {
		_, _, err := db.Commit(ctx, design.CommitRequest{Content: c, Replica: &design.Replica{ID: id, Home: home, Revision: rev}, Author: "ana@athens"})
		return err
	}
	if err := rep(c1, 2, "athens"); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("revision 2 of an unknown design: %v", err)
	}
	if err := rep(c1, 1, "athens"); err != nil {
		t.Fatal(err)
	}
	d, err := db.Design(ctx, id)
	if err != nil || d.Home != "athens" || d.Revisions != 1 || d.ID != id {
		t.Fatalf("replica %+v %v", d, err)
	}
	c2 := c1
	c2.Manifest.Function = "Presses things, better."
	if err := rep(c2, 2, "nairobi"); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("another node advancing it: %v", err)
	}
	if _, _, err := db.Commit(ctx, design.CommitRequest{DesignID: id, Content: c2}); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("a local commit to a replica: %v", err)
	}
	if err := rep(c2, 3, "athens"); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("revision 3 after 1: %v", err)
	}
	if err := rep(c2, 2, "athens"); err != nil {
		t.Fatal(err)
	}
	if d, _ = db.Design(ctx, id); d.Revisions != 2 || d.Head != c2.RevisionID() {
		t.Errorf("after revision 2: %+v", d)
	}
	res, err := db.Search(ctx, design.Query{Text: "press"})
	if err != nil || len(res.Items) != 1 || res.Items[0].Home != "athens" {
		t.Errorf("search: %+v %v", res, err)
	}
	// A local design is not a replica's to take over.
	local := commit(t, db, content("Local lathe", "Turns."))
	_, _, err = db.Commit(ctx, design.CommitRequest{Content: c2, Replica: &design.Replica{ID: local.ID, Home: "athens", Revision: 2}})
	if dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("a peer advancing a local design: %v", err)
	}
	f, _, err := db.Commit(ctx, design.CommitRequest{Content: content("Press fork", "Forked."), ForkedFrom: &design.Origin{Design: id, Revision: c2.RevisionID()}})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ = db.Design(ctx, f.ID); f.ForkedFrom == nil || f.ForkedFrom.Node != "athens" || f.Home != "" {
		t.Errorf("fork %+v", f)
	}
}
