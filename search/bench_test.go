package search_test

import (
	"fmt"
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

// docs makes n synthetic designs as the index sees them, once per n.
var (
	docsMu    sync.Mutex
	docsCache = map[int][]search.Doc{}
)

func docs(n int) []search.Doc {
	docsMu.Lock()
	defer docsMu.Unlock()
	if d, ok := docsCache[n]; ok {
		return d
	}
	g := synth.New(1)
	out := make([]search.Doc, n)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				c := g.Design(i)
				ix := design.Index(&c)
				d := search.Doc{Text: ix.Text, OTRL: ix.OTRL, ODRL: ix.ODRL, Updated: int64(i)}
				for _, f := range ix.Facets {
					d.Facets = append(d.Facets, f[0]+"="+f[1])
				}
				out[i] = d
			}
		}()
	}
	wg.Wait()
	docsCache[n] = out
	return out
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
// and the latency of a mix of queries: one word, two words, prefixes,
// filters with and without words, deep pages.
func BenchmarkSearchN(b *testing.B) {
	n := size()
	all := docs(n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	x := search.New()
	for i, d := range all {
		x.Put(int64(i+1), d)
	}
	x.Trim()
	build := time.Since(t0)
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
	b.ReportMetric(build.Seconds(), "build-s")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "index-MiB")
	b.ReportMetric(float64(len(queries)), "queries")
	_ = fmt.Sprint
}
