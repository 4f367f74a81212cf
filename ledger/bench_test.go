package ledger_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/dgml/dgml/ledger"
	"github.com/dgml/dgml/sqlite"
)

// genEvents makes n events of a node's life: revisions, reviews and
// translations on 5,000 designs by 2,000 people; jobs on 300 machines
// (use, consume, work, produce); transfers of parts; corrections of one
// event in a hundred.
func genEvents(n int) []ledger.Event {
	r := rand.New(rand.NewPCG(7, 11))
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]ledger.Event, 0, n)
	seen := make(map[string]bool, n)
	for len(out) < n {
		at = at.Add(time.Duration(r.IntN(60)) * time.Second)
		person := fmt.Sprintf("p%d@node%d", r.IntN(2000), r.IntN(20))
		ws := fmt.Sprintf("workshop:w%d@node%d", r.IntN(100), r.IntN(20))
		d := fmt.Sprintf("design:d%d", r.IntN(5000))
		var e ledger.Event
		switch k := r.IntN(10); {
		case k < 3:
			e = ledger.Event{Action: "work", Provider: person, Design: d, Effort: &ledger.Measure{Value: float64(r.IntN(40)) / 4, Unit: ledger.Hour}, Note: "revision"}
		case k < 4:
			e = ledger.Event{Action: "deliverService", Provider: person, Design: d, Note: "review"}
		case k < 6:
			e = ledger.Event{Action: "use", Provider: ws, Resource: fmt.Sprintf("machine:m%d", r.IntN(300)), Effort: &ledger.Measure{Value: float64(r.IntN(100)) / 10, Unit: ledger.Hour}}
		case k < 8:
			e = ledger.Event{Action: "consume", Provider: ws, Resource: "material:PLA@" + ws, Quantity: &ledger.Measure{Value: float64(r.IntN(500)), Unit: ledger.Gram}}
		case k < 9:
			e = ledger.Event{Action: "produce", Provider: ws, Resource: "part:" + d, Quantity: &ledger.Measure{Value: float64(1 + r.IntN(20)), Unit: ledger.One}}
		default:
			e = ledger.Event{Action: "transfer", Provider: ws, Receiver: person, Resource: "part:" + d, Quantity: &ledger.Measure{Value: 1, Unit: ledger.One}}
		}
		e.At, e.Node = ledger.Time(at), "node0"
		if len(out) > 0 && r.IntN(100) == 0 {
			old := out[r.IntN(len(out))]
			e = old
			e.Corrects, e.Note = old.ID, "correction"
		}
		if err := e.Seal(); err != nil {
			panic(err)
		}
		if seen[e.ID] {
			continue // the same event twice is one event
		}
		seen[e.ID] = true
		out = append(out, e)
	}
	return out
}

func benchEvents() int {
	if v, err := strconv.Atoi(os.Getenv("DGML_BENCH_EVENTS")); err == nil && v > 0 {
		return v
	}
	return 100_000
}

// BenchmarkReplay replays N events ($DGML_BENCH_EVENTS, default 100,000)
// to every resource's quantities, in memory, reporting time and the
// heap it took beside the events themselves.
func BenchmarkReplay(b *testing.B) {
	events := genEvents(benchEvents())
	runtime.GC()
	var before, after runtime.MemStats
	b.ResetTimer()
	for range b.N {
		runtime.ReadMemStats(&before)
		rs := ledger.Derive(events)
		runtime.ReadMemStats(&after)
		if len(rs) == 0 {
			b.Fatal("nothing derived")
		}
	}
	b.ReportMetric(float64(len(events))/b.Elapsed().Seconds()*float64(b.N), "events/s")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), "alloc-MiB")
}

// BenchmarkReplayFromStore stores N events in a SQLite node, then reads
// them all back page by page and replays them: what a node does to
// answer "what does every resource hold" from scratch.
func BenchmarkReplayFromStore(b *testing.B) {
	n := benchEvents()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "dgml.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	events := genEvents(n)
	t0 := time.Now()
	for i := 0; i < len(events); i += 10000 {
		if err := db.AddLedgerEvents(ctx, events[i:min(len(events), i+10000)]...); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d events stored in %v", n, time.Since(t0).Round(time.Millisecond))
	events = nil
	runtime.GC()
	b.ResetTimer()
	var peak uint64
	for range b.N {
		all := make([]ledger.Event, 0, n)
		if err := db.EachLedgerEvent(ctx, func(s ledger.Stored) error { all = append(all, s.Event); return nil }); err != nil {
			b.Fatal(err)
		}
		rs := ledger.Derive(all)
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapInuse)
		if len(rs) == 0 || len(all) != n {
			b.Fatal("short replay")
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds()*float64(b.N), "events/s")
	b.ReportMetric(float64(peak)/(1<<20), "heap-MiB")
}
