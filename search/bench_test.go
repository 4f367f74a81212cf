package search_test

import (
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/search"
	"github.com/dgml/dgml/synth"
)

// build indexes n synthetic designs, made in parallel chunks and not
// kept (a benchmark that held a million designs' text would measure the
// collector scanning it, not the index).
func build(n int) *search.Index {
	g := synth.New(1)
	x := search.New()
	const chunk = 20000
	workers := runtime.GOMAXPROCS(0)
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		out := make([]search.Doc, hi-lo)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := lo + w; i < hi; i += workers {
					c := g.Design(i)
					ix := design.Index(&c)
					d := search.Doc{Text: ix.Text, OTRL: ix.OTRL, ODRL: ix.ODRL, Updated: int64(i)}
					for _, f := range ix.Facets {
						d.Facets = append(d.Facets, f[0]+"="+f[1])
					}
					out[i-lo] = d
				}
			}()
		}
		wg.Wait()
		for i, d := range out {
			x.Put(int64(lo+i+1), d)
		}
	}
	x.Trim()
	return x
}

// size is the number of designs of BenchmarkSearchN: $DGML_BENCH_DESIGNS,
// else 1,000,000.
func size() int {
	if n, err := strconv.Atoi(os.Getenv("DGML_BENCH_DESIGNS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// BenchmarkSearchN builds the index over synthetic designs (a million
// unless $DGML_BENCH_DESIGNS says) and measures its size, its build time
// (generating the designs included) and the latency of a mix of queries: one word, two words, prefixes,
// filters with and without words, deep pages.
func BenchmarkSearchN(b *testing.B) {
	n := size()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	x := build(n)
	took := time.Since(t0)
	runtime.GC()
	runtime.ReadMemStats(&after)
	var queries []search.Query
	w := design.SearchWeights
	for i, word := range synth.Words() {
		queries = append(queries, search.Query{Text: word, Limit: 20, PrefixLast: true, FieldWeights: w})
		if i%3 == 0 {
			queries = append(queries, search.Query{Text: word + " " + synth.Words()[(i*7)%len(synth.Words())], Limit: 20, PrefixLast: true, FieldWeights: w})
		}
		if i%5 == 0 {
			queries = append(queries, search.Query{Text: word[:3], Limit: 20, PrefixLast: true, FieldWeights: w},
				search.Query{Text: word, Facets: []string{"license=cern-ohl-s-2.0"}, MinOTRL: 4, Limit: 20, PrefixLast: true, FieldWeights: w})
		}
	}
	queries = append(queries, search.Query{Facets: []string{"process=3d-printing-fdm"}, Limit: 20}, search.Query{Facets: []string{"material=pla", "language=en"}, Limit: 20},
		search.Query{Text: "bracket", Offset: 1000, Limit: 20, PrefixLast: true, FieldWeights: w}, search.Query{Limit: 20}, search.Query{Text: "no-such-word-anywhere", Limit: 20, FieldWeights: w})
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		x.Search(queries[i%len(queries)])
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(took.Seconds(), "build-s")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "index-MiB")
	b.ReportMetric(float64(len(queries)), "queries")
}
