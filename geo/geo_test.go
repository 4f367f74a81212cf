package geo

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

func TestDistance(t *testing.T) {
	athens := Point{37.9838, 23.7275}
	barcelona := Point{41.3874, 2.1686}
	// About 1,870 km on a great circle.
	if d := DistanceKm(athens, barcelona); d < 1850 || d > 1890 {
		t.Errorf("Athens-Barcelona %v km", d)
	}
	// Across the antimeridian: 2 degrees of longitude at the equator.
	if d := DistanceKm(Point{0, 179}, Point{0, -179}); math.Abs(d-222.39) > 0.5 {
		t.Errorf("across the antimeridian %v km", d)
	}
}

// The index must find exactly what a scan of every point finds, in the
// same order, anywhere on the globe.
func TestIndexAgreesWithScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var pts []Point
	for i := 0; i < 5000; i++ {
		pts = append(pts, Point{math.Asin(2*r.Float64()-1) * 180 / math.Pi, r.Float64()*360 - 180})
	}
	pts = append(pts, Point{0, 179.99}, Point{0, -179.99}, Point{89.99, 0}, Point{89.99, 180})
	x := NewIndex(pts)
	for _, q := range []struct {
		p Point
		r float64
	}{{Point{0, 180}, 50}, {Point{90, 0}, 300}, {Point{37.98, 23.73}, 800}, {Point{-33.9, 151.2}, 2000}, {Point{10, 10}, 0.001}} {
		var want []Hit
		for i, p := range pts {
			if d := DistanceKm(q.p, p); d <= q.r {
				want = append(want, Hit{i, d})
			}
		}
		sort.Slice(want, func(a, b int) bool { return want[a].Km < want[b].Km })
		got := x.Within(q.p, q.r)
		if len(got) != len(want) {
			t.Fatalf("%+v: %d hits, scan finds %d", q, len(got), len(want))
		}
		for i := range got {
			if got[i].ID != want[i].ID {
				t.Fatalf("%+v: hit %d differs", q, i)
			}
		}
	}
	h, ok := x.Nearest(Point{0, 180}, func(id int) bool { return id == 5000 || id == 5001 })
	if !ok || (h.ID != 5000 && h.ID != 5001) || h.Km > 2 {
		t.Errorf("nearest across the antimeridian: %+v", h)
	}
}

func BenchmarkWithin20k(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	var pts []Point
	for i := 0; i < 20000; i++ {
		pts = append(pts, Point{r.Float64()*120 - 60, r.Float64()*360 - 180})
	}
	x := NewIndex(pts)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x.Within(Point{37.98, 23.73}, 500)
	}
}

// Every point within the radius lies in the box, across the antimeridian
// and near the poles too.
func TestBoxHoldsTheCircle(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for range 20000 {
		c := Point{Lat: rng.Float64()*180 - 90, Lon: rng.Float64()*360 - 180}
		r := rng.Float64() * 3000
		p := Point{Lat: rng.Float64()*180 - 90, Lon: rng.Float64()*360 - 180}
		if rng.IntN(2) == 0 { // most random points are far: take near ones too
			p = Point{Lat: math.Max(-90, math.Min(90, c.Lat+rng.NormFloat64()*r/111)), Lon: math.Mod(c.Lon+rng.NormFloat64()*r/50+540, 360) - 180}
		}
		if DistanceKm(c, p) > r {
			continue
		}
		lo, hi := Box(c, r)
		inLon := p.Lon >= lo.Lon && p.Lon <= hi.Lon
		if lo.Lon > hi.Lon {
			inLon = p.Lon >= lo.Lon || p.Lon <= hi.Lon
		}
		if p.Lat < lo.Lat || p.Lat > hi.Lat || !inLon {
			t.Fatalf("%v within %.0f km of %v but outside the box %v..%v", p, r, c, lo, hi)
		}
	}
}
