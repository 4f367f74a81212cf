package network_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/feed"
	"github.com/dgml/dgml/internal/sharedtest"
	"github.com/dgml/dgml/internal/testnode"
	"github.com/dgml/dgml/okw"
)

// peerFacilities makes n workshop records in the closest peer's (Open
// Hardware Manager's) OKW JSON shape: its own stored records from
// ../shared, each copied with a new id, name and place.
func peerFacilities(t testing.TB, n int) []byte {
	dir := sharedtest.Dir(t, "data/okw/ohm/storage/okw")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Fatal("no peer records")
	}
	var recs []map[string]any
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, m)
	}
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]json.RawMessage, n)
	for i := range out {
		var m map[string]any
		b, _ := json.Marshal(recs[i%len(recs)])
		json.Unmarshal(b, &m)
		m["id"] = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, r.Uint64()&0xffffffffffff)
		m["name"] = fmt.Sprintf("%v %d", m["name"], i)
		loc, _ := m["location"].(map[string]any)
		if loc == nil {
			loc = map[string]any{}
			m["location"] = loc
		}
		loc["gps_coordinates"] = fmt.Sprintf("%.5f, %.5f", -60+r.Float64()*130, -170+r.Float64()*340)
		out[i], _ = json.Marshal(m)
	}
	data, _ := json.Marshal(out)
	return data
}

// BenchmarkImportPeerFacilities reads 10,000 of the peer's workshop
// records (31 MB), stores them in a fresh SQLite node and publishes them
// to its signed log, as `dgml facilities import` does.
func BenchmarkImportPeerFacilities(b *testing.B) {
	data := peerFacilities(b, okw.MaxRecords)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		node := testnode.New(b)
		node.Federate(b, "bench")
		b.StartTimer()
		t0 := time.Now()
		fs, _, err := okw.Parse(ctx, "peer.json", data)
		if err != nil {
			b.Fatal(err)
		}
		parsed := time.Since(t0)
		res, err := node.Network.Import(ctx, nil, fs)
		if err != nil || len(res.Added) != len(fs) {
			b.Fatalf("%d of %d added: %v", len(res.Added), len(fs), err)
		}
		b.ReportMetric(parsed.Seconds(), "parse-s")
		b.ReportMetric(time.Since(t0).Seconds()-parsed.Seconds(), "store-s")
	}
	b.ReportMetric(float64(len(data))/1e6, "MB")
}

// An import of many of the peer's records stores each and publishes
// each to the node's log in one batch: the entries chain and verify as
// a follower reads them, one per workshop, in order.
func TestImportPublishesEachWorkshop(t *testing.T) {
	data := peerFacilities(t, 300)
	ctx := context.Background()
	node := testnode.New(t)
	fed := node.Federate(t, "importer")
	fs, _, err := okw.Parse(ctx, "peer.json", data)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := fed.LogSize(ctx)
	res, err := node.Network.Import(ctx, nil, fs)
	if err != nil || len(res.Added) != 300 {
		t.Fatalf("%+v %v", res, err)
	}
	after, _ := fed.LogSize(ctx)
	if after-before != 300 {
		t.Fatalf("%d entries published for 300 workshops", after-before)
	}
	bodies, err := node.DB.Entries(ctx, fed.Node(), 0, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	f := &feed.Follower{Node: fed.Node(), Tree: feed.NewTree()}
	for i, b := range bodies {
		e := &feed.Entry{}
		if err := json.Unmarshal(b, e); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			f.Key, _ = feed.DecodeKey(e.Key)
		}
		if err := f.Next(e); err != nil {
			t.Fatalf("entry %d does not verify: %v", i+1, err)
		}
	}
	st, _ := node.DB.Log(ctx, fed.Node())
	kept, err := feed.FollowerOf(*st)
	if err != nil || f.Tree.Root() != kept.Tree.Root() || f.Seq != after {
		t.Errorf("a follower reads %d entries to root %s; the node keeps %d, %v", f.Seq, f.Tree.Root(), after, err)
	}
}

// The same id twice in one import: the same record again is skipped, a
// different record under it refuses the import.
func TestImportSameIDTwice(t *testing.T) {
	ctx := context.Background()
	node := testnode.New(t)
	data := peerFacilities(t, 2)
	fs, _, err := okw.Parse(ctx, "peer.json", data)
	if err != nil {
		t.Fatal(err)
	}
	twice := append(fs, fs[0])
	res, err := node.Network.Import(ctx, nil, twice)
	if err != nil || len(res.Added) != 2 || len(res.Skipped) != 1 {
		t.Fatalf("the same record twice: %+v %v", res, err)
	}
	other := fs[1]
	other.ID = "another-id"
	clash := fs[0]
	clash.ID = other.ID
	clash.Name = "Someone else's lab"
	_, err = testnode.New(t).Network.Import(ctx, nil, []facility.Facility{other, clash})
	if dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("two records under one id: %v", err)
	}
}
