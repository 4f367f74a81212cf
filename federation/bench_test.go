package federation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/synth"
)

// BenchmarkSync measures a fresh follower reading a node of N synthetic
// designs, each with a small part file (N from $DGML_BENCH_DESIGNS,
// default 2,000), then an incremental sync after 100 changes: wall
// time and bytes read, over loopback HTTP, both nodes on SQLite in this
// process.
func BenchmarkSync(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("DGML_BENCH_DESIGNS")); err == nil && v > 0 {
		n = v
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		a := newPeerB(b, "athens")
		g := synth.New(4)
		t0 := time.Now()
		fill(b, a, g, 0, n)
		b.Logf("%d designs with files published in %v", n, time.Since(t0).Round(time.Millisecond))
		f := newPeerB(b, "berlin")
		if _, err := f.fed.AddPeer(ctx, a.srv.URL); err != nil {
			b.Fatal(err)
		}
		// $DGML_SYNC_PROFILE names a file for a CPU profile of the full
		// sync alone (the fill before it is left out).
		if path := os.Getenv("DGML_SYNC_PROFILE"); path != "" {
			pf, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			if err := pprof.StartCPUProfile(pf); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		t0 = time.Now()
		res, err := f.fed.Sync(ctx, a.fed.Node())
		full := time.Since(t0)
		pprof.StopCPUProfile()
		if err != nil || res.Entries != n {
			b.Fatalf("%+v %v", res, err)
		}
		b.StopTimer()
		fill(b, a, g, n, n+100)
		t0 = time.Now()
		inc, err := f.fed.Sync(ctx, a.fed.Node())
		incTook := time.Since(t0)
		if err != nil || inc.Entries != 100 {
			b.Fatalf("%+v %v", inc, err)
		}
		b.ReportMetric(full.Seconds(), "full-s")
		b.ReportMetric(float64(res.Bytes)/(1<<20), "full-MiB")
		b.ReportMetric(float64(n)/full.Seconds(), "designs/s")
		b.ReportMetric(incTook.Seconds()*1000, "incr100-ms")
		b.ReportMetric(float64(inc.Bytes)/1024, "incr100-KiB")
		b.ReportMetric(float64(n), "designs")
		// The closest peer (Open Hardware Manager) sends, on every sync,
		// a digest listing the hash of every record it holds, whatever
		// changed: what that would weigh for this commons.
		b.ReportMetric(float64(ohmDigest(n+100))/1024, "ohm-digest-KiB")
	}
}

// fill commits designs lo..hi with one small STL part each, 500 to a
// transaction.
func fill(b *testing.B, p *peer, g *synth.Generator, lo, hi int) {
	for start := lo; start < hi; start += 500 {
		err := p.DB.Atomically(ctx, func(ctx context.Context) error {
			for i := start; i < min(start+500, hi); i++ {
				if err := fillOne(ctx, p, g, i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func fillOne(ctx context.Context, p *peer, g *synth.Generator, i int) error {
	{
		c := g.Design(i)
		if len(c.Parts) > 0 {
			c.Parts[0].Exports = []design.FileRef{{Path: "part.stl"}}
		}
		stl := fmt.Sprintf("solid p%d\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex %d 0 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid p%d\n", i, i+1, i)
		_, err := p.Commons.Commit(ctx, c, map[string][]byte{"part.stl": []byte(stl)}, commons.ImportOptions{Author: "ana@" + p.fed.Domain})
		return err
	}
}

// ohmDigest is the size of an anti-entropy digest that lists every
// record's SHA-256 (hex), as Open Hardware Manager's
// POST /federation/sync/digest body does: {merkle_root, record_count,
// publisher_did, leaf_hashes}.
func ohmDigest(records int) int {
	hashes := make([]string, records)
	for i := range hashes {
		hashes[i] = strings.Repeat("a", 64)
	}
	b, _ := json.Marshal(map[string]any{"merkle_root": strings.Repeat("a", 64), "record_count": records,
		"publisher_did": "did:key:z6Mk" + strings.Repeat("a", 44), "leaf_hashes": hashes})
	return len(b)
}
