package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dgml/dgml/blob"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/cost"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/network"
	"github.com/dgml/dgml/postgres"
	"github.com/dgml/dgml/sqlite"
	"github.com/dgml/dgml/store"
	"github.com/dgml/dgml/synth"
)

// The store benchmarks run the same work on both stores: committing a
// design into a store that already holds many, searching them with a
// mix of queries, and planning a design against a network of 20,000
// facilities. The stores are filled once and kept between runs (the
// synthetic designs are the same every time): SQLite in the temporary
// folder, PostgreSQL in a schema of $DGML_TEST_POSTGRES that is not
// dropped. An interrupted fill resumes where it stopped.
//
//	go test ./internal/storetest -run X -bench Store -benchtime 2000x
//	DGML_BENCH_DESIGNS=1000000 go test ./internal/storetest -run X -bench Store/.*/search -timeout 3h
//
// The commit benchmark adds its designs to the kept store; a later run
// reports how many designs it searched.

const benchVersion = "v2" // bump when synth or the schema changes what a fill makes

func benchDesigns() int {
	if n, err := strconv.Atoi(os.Getenv("DGML_BENCH_DESIGNS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

const benchFacilities = 20_000

func BenchmarkStore(b *testing.B) {
	n := benchDesigns()
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			db := filled(b, kind, n)
			built := warm(b, db)
			b.Run("search", func(b *testing.B) { benchSearch(b, db, kind, built) })
			b.Run("plan", func(b *testing.B) { benchPlan(b, db) })
			b.Run("commit", func(b *testing.B) { benchCommit(b, db) })
		})
	}
}

// filled opens the kept store of kind with at least n designs and the
// synthetic network, filling what is missing. It opens the store again
// after filling, so that the first search builds what a starting node
// builds.
func filled(b *testing.B, kind string, n int) store.Store {
	b.Helper()
	db := openKept(b, kind, n)
	fill(b, db, n)
	db.Close()
	db = openKept(b, kind, n)
	b.Cleanup(func() { db.Close() })
	return db
}

func openKept(b *testing.B, kind string, n int) store.Store {
	b.Helper()
	switch kind {
	case "sqlite":
		path := filepath.Join(os.TempDir(), fmt.Sprintf("dgml-bench-%s-%d.db", benchVersion, n))
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		return s
	default:
		url := PostgresURL(b)
		schema := fmt.Sprintf("dgml_bench_%s_%d", benchVersion, n)
		admin, err := pgx.Connect(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+schema); err != nil {
			b.Fatal(err)
		}
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			b.Fatal(err)
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = schema + ",public"
		s, err := postgres.OpenConfig(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
}

// fill commits synthetic designs from the count already stored up to n,
// five hundred to a transaction (a fill of a million designs one
// transaction each would measure the disk's flushes, not the store),
// and stores the synthetic network if it is missing.
func fill(b *testing.B, db store.Store, n int) {
	b.Helper()
	have, err := db.Search(ctx, design.Query{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	g := synth.New(1)
	start := time.Now()
	const batch = 500
	for lo := have.Total; lo < n; lo += batch {
		err := db.Atomically(ctx, func(ctx context.Context) error {
			for i := lo; i < min(lo+batch, n); i++ {
				if _, _, err := db.Commit(ctx, design.CommitRequest{Content: g.Design(i)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if (lo+batch)%50_000 == 0 {
			done := lo + batch - have.Total
			b.Logf("%d of %d designs stored, %v, %.0f a second", lo+batch, n, time.Since(start).Round(time.Second), float64(done)/time.Since(start).Seconds())
		}
	}
	fs, err := db.Facilities(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if len(fs) < benchFacilities {
		net := synth.New(9).Network(benchFacilities, 5.5)
		err := db.Atomically(ctx, func(ctx context.Context) error {
			for i := range net {
				if err := db.CreateFacility(ctx, &net[i]); err != nil {
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

// benchCommit stores new designs, one transaction each, into the full
// store.
func benchCommit(b *testing.B, db store.Store) {
	g := synth.New(3)
	base := int(time.Now().UnixNano() % 1e9 * 1000) // names unused by earlier runs
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := db.Commit(ctx, design.CommitRequest{Content: g.Design(base + i)}); err != nil {
			b.Fatal(err)
		}
	}
}

// queries is the search mix: one word, two words, a prefix, filters alone
// and with words, a deep page, a word found nowhere.
func queries() []design.Query {
	var qs []design.Query
	for i, w := range synth.Words() {
		qs = append(qs, design.Query{Text: w})
		if i%3 == 0 {
			qs = append(qs, design.Query{Text: w + " " + synth.Words()[(i*7)%len(synth.Words())]})
		}
		if i%5 == 0 {
			qs = append(qs, design.Query{Text: w[:3]}, design.Query{Text: w, License: "CERN-OHL-S-2.0", MinOTRL: 4})
		}
	}
	return append(qs,
		design.Query{Process: "3d-printing-fdm"}, design.Query{Material: "PLA", Language: "en"},
		design.Query{Text: "bracket", Offset: 1000}, design.Query{}, design.Query{Text: "no-such-word-anywhere"})
}

// built is what the first search of a starting node costs: the time
// and heap of the in-memory index SQLite builds from the store.
type built struct {
	took time.Duration
	heap uint64
}

// warm makes the first search, once per store (a benchmark function runs
// more than once, and only the first run would build the index).
func warm(b *testing.B, db store.Store) built {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	if _, err := db.Search(ctx, design.Query{Text: "warm"}); err != nil {
		b.Fatal(err)
	}
	took := time.Since(t0)
	runtime.GC()
	runtime.ReadMemStats(&after)
	return built{took, after.HeapAlloc - min(before.HeapAlloc, after.HeapAlloc)}
}

// benchSearch reports the latency of the mix (p50 and p99), how many
// designs it searched, and the size of the search index: the in-memory
// index's heap on SQLite (with the time to build it from the store), the
// search documents with their GIN index on PostgreSQL.
func benchSearch(b *testing.B, db store.Store, kind string, first built) {
	all, err := db.Search(ctx, design.Query{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	qs := queries()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := db.Search(ctx, qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(all.Total), "designs")
	switch kind {
	case "sqlite":
		b.ReportMetric(first.took.Seconds(), "index-build-s")
		b.ReportMetric(float64(first.heap)/(1<<20), "index-MiB")
	case "postgres":
		if p, ok := db.(*postgres.DB); ok {
			size, err := p.SearchIndexBytes(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(size)/(1<<20), "index-MiB")
		}
	}
}

// benchPlan plans synthetic designs for a place at the busiest spot of
// the network: the head revision read, the facilities within 100 km
// found (the S2 index over a snapshot on SQLite, earthdistance in the
// database on PostgreSQL), the parts matched, the nearest facility found
// for parts none near can make, and the plan made. Both stores plan the
// same fifty designs (found by their numbers, not by ranking, which
// differs) and must make the same number of assignments.
func benchPlan(b *testing.B, db store.Store) {
	blobs, err := blob.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	c := &commons.Service{Store: db, Blobs: blobs, Cache: db, Tx: db, Jobs: db}
	svc := &network.Service{Store: db, Assess: db, Commons: c, Factors: cost.Default(), Roles: db, Tx: db}
	near := synth.New(9).Network(1, 5.5)[0].Location
	var ids []string
	step := max(benchDesigns()/50, 1)
	for i := 0; len(ids) < 50; i += step {
		name := synth.New(1).Design(i).Manifest.Name
		res, err := db.Search(ctx, design.Query{Text: name, Limit: 100})
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range res.Items {
			if s.Name == name {
				ids = append(ids, s.ID)
				break
			}
		}
		if i >= benchDesigns() {
			b.Fatalf("only %d numbered designs found", len(ids))
		}
	}
	made := 0
	for _, id := range ids {
		r, err := svc.Plan(ctx, network.PlanRequest{Design: id, Near: near, RadiusKm: 100})
		if err != nil {
			b.Fatal(err)
		}
		made += len(r.Assignments)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := svc.Plan(ctx, network.PlanRequest{Design: ids[i%len(ids)], Near: near, RadiusKm: 100}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(made), "assignments/50")
}
