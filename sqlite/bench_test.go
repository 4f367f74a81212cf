package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/synth"
)

// benchDB returns a store of n synthetic designs, built once and kept in
// the temporary folder between benchmark runs (the generator is
// deterministic, so the file is the same every time).
func benchDB(b *testing.B, n int) *DB {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("dgml-bench-synth-v1-%d.db", n))
	ready := path + ".ready"
	if _, err := os.Stat(ready); err != nil {
		os.Remove(path)
		db, err := Open(context.Background(), path)
		if err != nil {
			b.Fatal(err)
		}
		fill(b, db, n)
		db.Close()
		os.WriteFile(ready, nil, 0o644)
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func fill(b *testing.B, db *DB, n int) {
	g := synth.New(1)
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, _, err := db.Commit(context.Background(), design.CommitRequest{Content: g.Design(i)}); err != nil {
			b.Fatal(err)
		}
		if i > 0 && i%20000 == 0 {
			b.Logf("%d designs stored in %v", i, time.Since(start))
		}
	}
}

// BenchmarkSearch100k measures search latency over 100,000 synthetic
// designs with a realistic mix: one word, two words, a prefix, filters
// alone and with words, deep pages.
func BenchmarkSearch100k(b *testing.B) {
	db := benchDB(b, 100_000)
	var queries []design.Query
	for i, w := range synth.Words() {
		queries = append(queries, design.Query{Text: w})
		if i%3 == 0 {
			queries = append(queries, design.Query{Text: w + " " + synth.Words()[(i*7)%len(synth.Words())]})
		}
		if i%5 == 0 {
			queries = append(queries, design.Query{Text: w[:3]}, design.Query{Text: w, License: "CERN-OHL-S-2.0", MinOTRL: 4})
		}
	}
	queries = append(queries,
		design.Query{Process: "3d-printing-fdm"}, design.Query{Material: "PLA", Language: "en"},
		design.Query{Text: "bracket", Offset: 1000}, design.Query{}, design.Query{Text: "no-such-word-anywhere"})
	ctx := context.Background()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	if _, err := db.Search(ctx, design.Query{Text: "warm"}); err != nil {
		b.Fatal(err)
	}
	build := time.Since(t0)
	runtime.GC()
	runtime.ReadMemStats(&after)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)]
		t0 := time.Now()
		if _, err := db.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(build.Seconds(), "index-build-s")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "index-MiB")
}

// BenchmarkCommit measures storing one synthetic design, and reports the
// store's size per 1,000 designs.
func BenchmarkCommit(b *testing.B) {
	dir := b.TempDir()
	db, err := Open(context.Background(), filepath.Join(dir, "dgml.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	g := synth.New(2)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := db.Commit(context.Background(), design.CommitRequest{Content: g.Design(i)}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	db.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	st, _ := os.Stat(filepath.Join(dir, "dgml.db"))
	if b.N >= 100 {
		b.ReportMetric(float64(st.Size())/float64(b.N)*1000/(1<<20), "MiB/1000designs")
	}
}
