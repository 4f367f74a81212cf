package feed

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func key(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// own makes a log of n design entries signed by k.
func own(t *testing.T, k ed25519.PrivateKey, n int) (*Follower, []*Entry) {
	t.Helper()
	pub := k.Public().(ed25519.PublicKey)
	f := &Follower{Node: NodeID(pub), Key: pub, Tree: NewTree()}
	var out []*Entry
	for i := range n {
		e, err := f.Append(KindDesign, map[string]any{"id": fmt.Sprint("d", i), "name": "Gear ✓ <&>", "mass": 0.1 * float64(i)}, k, "2026-12-03T10:00:00Z")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return f, out
}

func follower(k ed25519.PrivateKey) *Follower {
	pub := k.Public().(ed25519.PublicKey)
	return &Follower{Node: NodeID(pub), Key: pub, Tree: NewTree()}
}

// rfc6962Root is the Merkle tree hash of RFC 6962 section 2.1, written
// out from the definition, to check the compact range against.
func rfc6962Root(leaves [][]byte) []byte {
	switch len(leaves) {
	case 0:
		s := sha256.Sum256(nil)
		return s[:]
	case 1:
		s := sha256.Sum256(append([]byte{0}, leaves[0]...))
		return s[:]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	l, r := rfc6962Root(leaves[:k]), rfc6962Root(leaves[k:])
	s := sha256.Sum256(append(append([]byte{1}, l...), r...))
	return s[:]
}

func TestEntriesChainSignAndAgreeOnTheRoot(t *testing.T) {
	k := key(1)
	owner, entries := own(t, k, 37)
	var leaves [][]byte
	f := follower(k)
	for _, e := range entries {
		b, _ := e.Bytes()
		leaves = append(leaves, b)
		// The entry as it travels: decoded from JSON and checked.
		var got Entry
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if err := f.Next(&got); err != nil {
			t.Fatalf("entry %d: %v", e.Seq, err)
		}
		if want := hex.EncodeToString(rfc6962Root(leaves)); f.Tree.Root() != want {
			t.Fatalf("root at %d: %s, RFC 6962 says %s", len(leaves), f.Tree.Root(), want)
		}
	}
	cp, err := owner.Checkpoint(k, "2026-12-03T10:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Check(cp); err != nil {
		t.Fatal(err)
	}
	// Canonical bytes: sorted keys, no HTML escaping, one number form.
	b, _ := entries[3].Bytes()
	if !bytes.Contains(b, []byte(`"object":{"id":"d3","mass":0.30000000000000004,"name":"Gear ✓ <&>"}`)) {
		t.Errorf("not canonical: %s", b)
	}
	// A restored tree goes on where the old one stopped.
	r, err := RestoreTree(f.Tree.Size(), f.Tree.State())
	if err != nil || r.Root() != f.Tree.Root() {
		t.Fatalf("restored %v %v", r, err)
	}
}

func TestTamperingIsRefused(t *testing.T) {
	k := key(2)
	_, entries := own(t, k, 5)
	other := key(3)
	cases := map[string]func(e *Entry){
		"object changed": func(e *Entry) { e.Object = json.RawMessage(`{"id":"d2","name":"Evil"}`) },
		"seq skipped":    func(e *Entry) { e.Seq++ },
		"prev forged":    func(e *Entry) { e.Prev = strings.Repeat("0", 64) },
		"other key": func(e *Entry) {
			if err := e.Sign(other); err != nil {
				t.Fatal(err)
			}
		},
		"re-signed with the node's key named": func(e *Entry) {
			e.Object = json.RawMessage(`{"id":"x"}`)
			e.Sig = strings.Repeat("A", 86)
		},
		"unknown kind": func(e *Entry) { e.Kind = "bribe" },
		"other node":   func(e *Entry) { e.Node = "feedfacefeedfacefeedfacefeedface" },
	}
	for name, mutate := range cases {
		f := follower(k)
		for _, e := range entries[:2] {
			if err := f.Next(e); err != nil {
				t.Fatal(err)
			}
		}
		before := f.Tree.Root()
		e := *entries[2]
		mutate(&e)
		if err := f.Next(&e); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if f.Seq != 2 || f.Tree.Root() != before {
			t.Errorf("%s: the follower moved on a refused entry", name)
		}
	}
}

// A node that rewrites an entry already followed and signs everything
// again is caught: by its checkpoint's root, and by the chain at the
// next entry.
func TestRewrittenHistoryIsCaught(t *testing.T) {
	k := key(4)
	_, entries := own(t, k, 6)
	f := follower(k)
	for _, e := range entries[:4] {
		if err := f.Next(e); err != nil {
			t.Fatal(err)
		}
	}
	second := rewritten(t, k, entries, 2)
	liar := follower(k)
	for _, e := range second[:4] {
		if err := liar.Next(e); err != nil {
			t.Fatal(err)
		}
	}
	cp, _ := liar.Checkpoint(k, "2026-12-03T11:00:00Z")
	if err := f.Check(cp); err == nil || !strings.Contains(err.Error(), "rewritten") {
		t.Errorf("a checkpoint of a rewritten history: %v", err)
	}
	if err := f.Next(second[4]); err == nil || !strings.Contains(err.Error(), "rewritten") {
		t.Errorf("entry 5 of a rewritten log: %v", err)
	}
}

func rewritten(t *testing.T, k ed25519.PrivateKey, entries []*Entry, at int) []*Entry {
	f := follower(k)
	var out []*Entry
	for i, e := range entries {
		obj := any(json.RawMessage(e.Object))
		if i == at {
			obj = map[string]string{"id": "d2", "name": "Rewritten"}
		}
		n, err := f.Append(e.Kind, obj, k, e.Created)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func TestKeyRotation(t *testing.T) {
	old, nu := key(5), key(6)
	owner, _ := own(t, old, 3)
	f := follower(old)
	// Replay what the owner did, then rotate.
	_, entries := own(t, old, 3)
	for _, e := range entries {
		if err := f.Next(e); err != nil {
			t.Fatal(err)
		}
	}
	rot, err := owner.Append(KindKey, KeyChange{Key: EncodeKey(nu.Public().(ed25519.PublicKey))}, old, "2026-12-03T12:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Next(rot); err != nil {
		t.Fatal(err)
	}
	after, err := owner.Append(KindDesign, map[string]string{"id": "d9"}, nu, "2026-12-03T12:00:01Z")
	if err != nil {
		t.Fatal(err)
	}
	// The old key no longer speaks for the node.
	stale := *after
	stale.Sign(old)
	if err := f.Copy().Next(&stale); err == nil {
		t.Error("an entry signed with the retired key was accepted")
	}
	if err := f.Next(after); err != nil {
		t.Fatal(err)
	}
	if f.Node != NodeID(old.Public().(ed25519.PublicKey)) {
		t.Error("the node's id changed with its key")
	}
}

func TestReadBatchBounds(t *testing.T) {
	k := key(7)
	owner, entries := own(t, k, 3)
	cp, _ := owner.Checkpoint(k, "2026-12-03T10:00:00Z")
	var es []Entry
	for _, e := range entries {
		es = append(es, *e)
	}
	good, _ := json.Marshal(Batch{Entries: es, Checkpoint: cp})
	b, err := ReadBatch(context.Background(), bytes.NewReader(good), DefaultLimits)
	if err != nil || len(b.Entries) != 3 {
		t.Fatalf("%v %v", b, err)
	}
	for name, body := range map[string]string{
		"too big":       `{"entries":[` + strings.Repeat(`{"node":"x"},`, 100) + `{}]}`,
		"too deep":      `{"entries":[{"object":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}]}`,
		"unknown field": "{\n\"entries\":[],\n\"bribe\":1}",
		"wrong type":    "{\n\"entries\":[{\"seq\":\"one\"}]}",
		"trailing":      `{"entries":[]} {}`,
	} {
		lim := DefaultLimits
		if name == "too big" {
			lim.Bytes = 200
		}
		_, err := ReadBatch(context.Background(), strings.NewReader(body), lim)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if name == "wrong type" && !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%s: %v does not name the line", name, err)
		}
	}
	lim := DefaultLimits
	lim.Entries = 2
	if _, err := ReadBatch(context.Background(), bytes.NewReader(good), lim); err == nil {
		t.Error("a batch of more entries than allowed was accepted")
	}
}

func FuzzReadBatch(f *testing.F) {
	f.Add([]byte(`{"entries":[{"node":"a","seq":1,"prev":"","kind":"design","object":{},"created":"x","key":"k","sig":"s"}],"checkpoint":null,"more":false}`))
	f.Add([]byte(`{"entries":[[[[[`))
	k := key(8)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ReadBatch(context.Background(), bytes.NewReader(data), Limits{Bytes: 1 << 16, Entries: 50, Depth: 16})
		if err != nil {
			return
		}
		// Whatever decodes, a follower refuses what it did not sign.
		fl := follower(k)
		for i := range b.Entries {
			if fl.Next(&b.Entries[i]) == nil {
				t.Fatal("an entry nobody signed was accepted")
			}
		}
	})
}

// BenchmarkVerify measures how many entries a follower checks a second
// (signature, chain and Merkle tree).
func BenchmarkVerify(b *testing.B) {
	k := key(9)
	pub := k.Public().(ed25519.PublicKey)
	owner := &Follower{Node: NodeID(pub), Key: pub, Tree: NewTree()}
	var entries []*Entry
	for i := range 1000 {
		e, err := owner.Append(KindDesign, map[string]any{"id": fmt.Sprint("d", i), "name": "A design with a name", "revision": strings.Repeat("ab", 32)}, k, "2026-12-03T10:00:00Z")
		if err != nil {
			b.Fatal(err)
		}
		entries = append(entries, e)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := follower(k)
		for _, e := range entries {
			if err := f.Next(e); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(entries))/b.Elapsed().Seconds(), "entries/s")
}

// An entry is kept as the bytes its node signed, whether its object came
// in canonical form (checked as it came) or reformatted on the way
// (made canonical again before checking).
func TestEntryKeptAsSignedHoweverItsObjectCame(t *testing.T) {
	k := key(4)
	_, entries := own(t, k, 3)
	for _, indent := range []bool{false, true} {
		f := follower(k)
		for _, e := range entries {
			want, _ := e.Bytes()
			var got Entry
			if err := json.Unmarshal(want, &got); err != nil {
				t.Fatal(err)
			}
			if indent {
				var buf bytes.Buffer
				if err := json.Indent(&buf, got.Object, "", "   "); err != nil {
					t.Fatal(err)
				}
				got.Object = buf.Bytes()
			}
			if err := f.Next(&got); err != nil {
				t.Fatalf("indent %v, entry %d: %v", indent, e.Seq, err)
			}
			if b, _ := got.Bytes(); !bytes.Equal(b, want) {
				t.Errorf("indent %v, entry %d kept as\n%s\nsigned as\n%s", indent, e.Seq, b, want)
			}
		}
	}
	// Escaped the way encoding/json escapes HTML, the object is not the
	// signed bytes; it is made canonical, and verifies.
	b, _ := entries[1].Bytes()
	var got Entry
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	got.Object = json.RawMessage(strings.ReplaceAll(string(got.Object), "<", `\u003c`))
	if err := got.VerifySig(k.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	if kept, _ := got.Bytes(); !bytes.Equal(kept, b) {
		t.Errorf("kept %s", kept)
	}
}
