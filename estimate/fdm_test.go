package estimate

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/geometry"
	"github.com/dgml/dgml/internal/sharedtest"
)

func pts(xy ...float64) []geometry.Point2 {
	var out []geometry.Point2
	for i := 0; i+1 < len(xy); i += 2 {
		out = append(out, geometry.Point2{X: xy[i], Y: xy[i+1]})
	}
	return out
}

func box(x, y, z float64) *geometry.Mesh {
	m, _ := geometry.Extrude(pts(0, 0, x, 0, x, y, 0, y), z)
	return m
}

// A solid block printed at 100% infill extrudes about its own volume.
func TestFullInfillExtrudesTheVolume(t *testing.T) {
	s := DefaultFDM
	s.FillDensity = 100
	r, err := EstimateFDM(context.Background(), box(20, 20, 10), s)
	if err != nil {
		t.Fatal(err)
	}
	if r.Layers != 50 {
		t.Errorf("10 mm at 0.2 mm: %d layers", r.Layers)
	}
	if r.VolumeMM3 < 0.85*4000 || r.VolumeMM3 > 1.15*4000 {
		t.Errorf("a 4000 mm³ block at 100%% extrudes %v mm³", r.VolumeMM3)
	}
	want := r.VolumeMM3 / (math.Pi * 1.75 * 1.75 / 4)
	if math.Abs(r.FilamentMM-want) > 1e-6 || math.Abs(r.FilamentG-r.VolumeMM3/1000*1.24) > 1e-9 {
		t.Errorf("filament %v mm, %v g", r.FilamentMM, r.FilamentG)
	}
}

// Less infill, less filament and time; more perimeters, more of them.
func TestSettingsMoveTheEstimate(t *testing.T) {
	m := box(40, 30, 15)
	base, _ := EstimateFDM(context.Background(), m, DefaultFDM)
	sparse := DefaultFDM
	sparse.FillDensity = 10
	lo, _ := EstimateFDM(context.Background(), m, sparse)
	walls := DefaultFDM
	walls.Perimeters = 4
	hi, _ := EstimateFDM(context.Background(), m, walls)
	fast := DefaultFDM
	fast.InfillSpeed, fast.SolidInfillSpeed = 160, 160
	quick, _ := EstimateFDM(context.Background(), m, fast)
	if !(lo.FilamentG < base.FilamentG && lo.Seconds < base.Seconds) {
		t.Errorf("10%% infill should use less than 20%%: %v/%v g", lo.FilamentG, base.FilamentG)
	}
	if hi.Features[Perimeter].LengthMM <= base.Features[Perimeter].LengthMM*2 {
		t.Errorf("4 perimeters lay more than twice the inner walls of 2: %v vs %v", hi.Features[Perimeter].LengthMM, base.Features[Perimeter].LengthMM)
	}
	if quick.Seconds >= base.Seconds || math.Abs(quick.FilamentG-base.FilamentG) > 1e-9 {
		t.Errorf("faster infill: %v s vs %v s, same filament", quick.Seconds, base.Seconds)
	}
}

func TestSegmentTime(t *testing.T) {
	// 100 mm at 50 mm/s, 1000 mm/s² from and to rest: 2 x 0.05 s ramps
	// covering 1.25 mm each, 97.5 mm cruising: 0.1 + 1.95 = 2.05 s.
	if got := segmentTime(100, 0, 50, 0, 1000); math.Abs(got-2.05) > 1e-9 {
		t.Errorf("trapezoid: %v", got)
	}
	// 1 mm never reaches 50 mm/s: a triangle, 2*sqrt(1/1000).
	if got := segmentTime(1, 0, 50, 0, 1000); math.Abs(got-2*math.Sqrt(0.001)) > 1e-9 {
		t.Errorf("triangle: %v", got)
	}
}

func TestCoolingSlowsSmallLayers(t *testing.T) {
	m := box(12, 12, 4)
	r, _ := EstimateFDM(context.Background(), m, DefaultFDM)
	// The G-code's stated time of each layer is stretched to 10 s; the
	// firmware's corners, accelerations and Z moves come on top, as they
	// do in PrusaSlicer's estimate (3m52s for this box: 11.6 s a layer).
	if per := r.Seconds / float64(r.Layers); per < 10.5 || per > 12.5 {
		t.Errorf("small layers are slowed to slowdown_below_layer_time (10 s stated, about 11.6 s planned): %v s", per)
	}
	tiny, _ := EstimateFDM(context.Background(), box(3, 3, 4), DefaultFDM)
	if per := tiny.Seconds / float64(tiny.Layers); per >= 9 {
		t.Errorf("a tiny layer cannot be slowed below min_print_speed, so it stays under 10 s: %v s", per)
	}
	s := DefaultFDM
	s.SlowdownBelowLayerTime = 0
	fast, _ := EstimateFDM(context.Background(), m, s)
	if fast.Seconds >= r.Seconds {
		t.Errorf("without the slowdown it should be faster: %v vs %v", fast.Seconds, r.Seconds)
	}
}

func TestSettingsByPrusaSlicerName(t *testing.T) {
	s := DefaultFDM
	if err := s.LoadINI("p.ini", strings.NewReader("# a profile\nlayer_height = 0.3\nfill_density = 35%\nbed_temperature = 60\n")); err != nil {
		t.Fatal(err)
	}
	if s.LayerHeight != 0.3 || s.FillDensity != 35 {
		t.Errorf("%+v", s)
	}
	err := s.Set("fill_densty", "10")
	if e, ok := err.(*dgml.Error); !ok || e.Field != "fill_densty" {
		t.Errorf("a typo must be an error naming the key: %v", err)
	}
	if err := s.LoadINI("bad.ini", strings.NewReader("perimeters = two\n")); err == nil || !strings.Contains(err.Error(), "bad.ini:1") {
		t.Errorf("bad value: %v", err)
	}
}

func TestLaserAndCNC(t *testing.T) {
	o := &geometry.Outline{Paths: [][]geometry.Point2{pts(0, 0, 100, 0, 100, 50, 0, 50), pts(10, 10, 20, 10, 20, 20, 10, 20)}, Closed: []bool{true, true}}
	r, err := Laser(o, "plywood", 3)
	if err != nil {
		t.Fatal(err)
	}
	if r.CutMM != 340 || r.Pierces != 2 || r.SheetArea != 110*60 {
		t.Errorf("laser: %+v", r)
	}
	want := 340/15.0 + 2*LaserPierce + (0+math.Hypot(10, 10))/LaserTravel
	if math.Abs(r.Seconds-want) > 1e-9 {
		t.Errorf("laser time %v, want %v", r.Seconds, want)
	}
	thick, _ := Laser(o, "plywood", 6)
	if thick.Seconds <= r.Seconds {
		t.Error("6 mm cuts slower than 3 mm")
	}
	if _, err := Laser(o, "steel", 3); err == nil {
		t.Error("a CO2 laser does not cut steel")
	}
	a := mustAnalyze(box(20, 10, 5), geometry.Options{})
	c, err := CNC(a, "aluminium")
	if err != nil {
		t.Fatal(err)
	}
	stock := 26.0 * 16 * 8
	if math.Abs(c.StockMM3-stock) > 1e-6 || math.Abs(c.RemovedMM3-(stock-1000)) > 1e-6 || c.Seconds <= c.SetupS {
		t.Errorf("cnc: %+v", c)
	}
}

// The estimates must stay close to PrusaSlicer's on real parts; these
// reference figures were produced by PrusaSlicer 2.5.0 with
// tools/compare/fdm.ini (tools/compare/compare-prusaslicer.sh reruns it).
func TestCloseToPrusaSlicer(t *testing.T) {
	dir := sharedtest.Dir(t, "data/meshes/prusa-i3-mk3s")
	s := DefaultFDM
	f, err := os.Open("../tools/compare/fdm.ini")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := s.LoadINI("fdm.ini", f); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file    string
		seconds float64
		grams   float64
	}{
		{"x-carriage.stl", 9229, 28.18},
		{"Spool-holder.stl", 16893, 58.19},
		{"fs-lever.stl", 549, 0.90},
		{"extruder-idler.stl", 1755, 4.87},
	} {
		fh, err := os.Open(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		m, err := geometry.ReadSTL(context.Background(), c.file, fh, geometry.Limits{})
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		r, err := EstimateFDM(context.Background(), m, s)
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(r.Seconds-c.seconds) / c.seconds; d > 0.15 {
			t.Errorf("%s: %.0f s, PrusaSlicer %.0f s (%.0f%% off)", c.file, r.Seconds, c.seconds, d*100)
		}
		if d := math.Abs(r.FilamentG-c.grams) / c.grams; d > 0.10 {
			t.Errorf("%s: %.2f g, PrusaSlicer %.2f g (%.0f%% off)", c.file, r.FilamentG, c.grams, d*100)
		}
	}
}

func BenchmarkFDMCorpus(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(sharedtest.Dir(b, "data/meshes/prusa-i3-mk3s"), "*.stl"))
	var meshes []*geometry.Mesh
	for _, f := range files {
		fh, _ := os.Open(f)
		m, err := geometry.ReadSTL(context.Background(), f, fh, geometry.Limits{})
		fh.Close()
		if err != nil {
			b.Fatal(err)
		}
		meshes = append(meshes, m)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, m := range meshes {
			if _, err := EstimateFDM(context.Background(), m, DefaultFDM); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(meshes)*b.N)/b.Elapsed().Seconds(), "parts/s")
}

func TestRatesOverride(t *testing.T) {
	saved := append([]Material(nil), Materials...)
	defer func() { Materials = saved }()
	err := LoadRates("rates.json", strings.NewReader(`[{"name": "plywood", "laser_speed_3mm": 30, "laser_source": "measured on our Trotec, 2026"}, {"name": "cork", "density_g_cm3": 0.24, "source": "our supplier"}]`))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := LookupMaterial("plywood")
	c, ok := LookupMaterial("cork")
	if p.LaserSpeed3 != 30 || p.LaserSpeed6 != 6 || p.LaserSource != "measured on our Trotec, 2026" || !ok || c.Density != 0.24 {
		t.Errorf("override: %+v %+v", p, c)
	}
	if err := LoadRates("bad.json", strings.NewReader(`[{"density_g_cm3": 1}]`)); err == nil || !strings.Contains(err.Error(), "[0].name") {
		t.Errorf("an entry without a name: %v", err)
	}
}

// mustAnalyze is geometry.Analyze for meshes a test knows to be measurable.
func mustAnalyze(m *geometry.Mesh, opt geometry.Options) *geometry.Analysis {
	a, err := geometry.Analyze(context.Background(), m, opt)
	if err != nil {
		panic(err)
	}
	return a
}

// The moves between extrusions are timed within the machine's Z and E
// limits: a slower Z axis, a longer retraction or one at every layer
// change each add time and no material, in proportion to the layers.
func TestLayerChangeAndRetraction(t *testing.T) {
	m := box(20, 20, 10)
	s := DefaultFDM
	s.SlowdownBelowLayerTime = 0 // cooling would absorb the difference
	base, err := EstimateFDM(context.Background(), m, s)
	if err != nil {
		t.Fatal(err)
	}
	slowZ := s
	slowZ.MaxFeedrateZ, slowZ.MaxAccelZ = 0.5, 10
	lift, _ := EstimateFDM(context.Background(), m, slowZ)
	// 0.2 mm at 0.5 mm/s, 10 mm/s² from 0.4 mm/s: at least 0.4 s a layer.
	if got := (lift.Seconds - base.Seconds) / float64(base.Layers); got < 0.3 || got > 0.5 {
		t.Errorf("a slow Z axis adds %.3f s a layer, want about 0.4", got)
	}
	every := s
	every.RetractLayerChange = 1
	retr, _ := EstimateFDM(context.Background(), m, every)
	// 0.8 mm out and back at 35 mm/s, 1250 mm/s², from 4.5 mm/s: 2 × 0.044 s.
	if got := (retr.Seconds - base.Seconds) / float64(base.Layers); math.Abs(got-2*0.0442) > 0.005 {
		t.Errorf("retract_layer_change adds %.4f s a layer, want 0.088", got)
	}
	if retr.FilamentG != base.FilamentG || lift.FilamentG != base.FilamentG {
		t.Errorf("moves without extrusion changed the filament: %v %v %v", base.FilamentG, lift.FilamentG, retr.FilamentG)
	}
}

// Cooling caps the extrusions' speed so that the G-code's stated time,
// length over speed, is slowdown_below_layer_time: a layer of stated
// time 5 s is planned again at half its speeds, not stretched after
// planning, so the acceleration it spends is that of the slower moves.
func TestCoolingCapsSpeeds(t *testing.T) {
	s := DefaultFDM
	lt := layerTime{asked: []asked{{80, 240}, {25, 25}}, askedOther: 1}
	// Stated: 240/80 + 25/25 + 1 = 5 s. Capped at v: 240/v + 25/min(25,v) + 1 = 10.
	v := lt.coolingCap(s)
	if want := 240.0 / 8; math.Abs(v-want) > 1e-6 {
		t.Errorf("cap %.4f mm/s, want %.4f (the 25 mm/s moves keep their speed)", v, want)
	}
	s.MinPrintSpeed = 40
	if v := lt.coolingCap(s); v != 40 {
		t.Errorf("cap %.4f mm/s, want min_print_speed 40", v)
	}
	slow := layerTime{asked: []asked{{20, 300}}}
	if v := slow.coolingCap(DefaultFDM); v != 0 {
		t.Errorf("a 15 s layer needs no cooling, got a cap of %v", v)
	}
}

// A thin fin beside a thick block is printed as beads, as it is alone:
// each island is judged by its own thickness, not the layer's.
func TestThinIslandBesideThickOne(t *testing.T) {
	s := DefaultFDM
	s.SlowdownBelowLayerTime = 0
	block := box(20, 20, 10)
	fin, _ := geometry.Extrude(pts(30, 0, 30.6, 0, 30.6, 20, 30, 20), 10)
	both := box(20, 20, 10)
	both.Append(fin)
	est := func(m *geometry.Mesh) *FDMResult {
		r, err := EstimateFDM(context.Background(), m, s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	b, f, bf := est(block), est(fin), est(both)
	// The fin alone is 0.6 × 20 × 10 = 120 mm³ of beads.
	if f.VolumeMM3 < 110 || f.VolumeMM3 > 130 {
		t.Fatalf("a 0.6 mm fin alone extrudes %.0f mm³, want its 120", f.VolumeMM3)
	}
	if got, want := bf.VolumeMM3, b.VolumeMM3+f.VolumeMM3; math.Abs(got-want) > 0.01*want {
		t.Errorf("block and fin extrude %.0f mm³, want %.0f as apart (block %.0f, fin %.0f)", got, want, b.VolumeMM3, f.VolumeMM3)
	}
}

func TestGroupIslands(t *testing.T) {
	ring := func(x0, y0, x1, y1 float64, cw bool) []geometry.Point2 {
		p := pts(x0, y0, x1, y0, x1, y1, x0, y1)
		if cw {
			slices.Reverse(p)
		}
		return p
	}
	loops := [][]geometry.Point2{
		ring(0, 0, 100, 100, false), // a frame
		ring(10, 10, 90, 90, true),  // its opening
		ring(20, 20, 80, 80, false), // a block standing in the opening
		ring(40, 40, 60, 60, true),  // the block's hole
		ring(200, 0, 210, 10, true), // a hole outside everything
	}
	got := groupIslands(loops, signedAreas(loops))
	want := [][]int{{0, 1}, {2, 3}, {4}}
	if len(got) != len(want) {
		t.Fatalf("%d islands, want %d: %+v", len(got), len(want), got)
	}
	for n := range want {
		if !slices.Equal(got[n].loops, want[n]) {
			t.Errorf("island %d holds loops %v, want %v", n, got[n].loops, want[n])
		}
	}
}

// Honeycomb infill lays a third more line than straight lines at the
// same density (the sides two columns share are laid by both) and runs
// slower along its 60° corners; PrusaSlicer 2.5 takes 14% longer on an
// 18 mm tower with it than with rectilinear. 3D honeycomb is not
// modelled, and is refused rather than estimated as lines.
func TestHoneycomb(t *testing.T) {
	m := box(30, 30, 20)
	s := DefaultFDM
	s.SlowdownBelowLayerTime = 0
	lines, _ := EstimateFDM(context.Background(), m, s)
	s.FillPattern = "honeycomb"
	hex, err := EstimateFDM(context.Background(), m, s)
	if err != nil {
		t.Fatal(err)
	}
	l, h := lines.Features[SparseInfill], hex.Features[SparseInfill]
	t.Logf("sparse infill: lines %.0f mm in %.0f s, honeycomb %.0f mm in %.0f s", l.LengthMM, l.Seconds, h.LengthMM, h.Seconds)
	if r := h.LengthMM / l.LengthMM; r < 1.2 || r > 1.38 { // the turns between lines add less
		t.Errorf("honeycomb lays %.2f times the lines' length, want about 4/3", r)
	}
	if r := h.Seconds / l.Seconds; r < 1.5 {
		t.Errorf("honeycomb takes %.2f times the lines' time: its corners should slow it more than its length", r)
	}
	var cfg FDM = DefaultFDM
	err = cfg.Set("fill_pattern", "3dhoneycomb")
	var e *dgml.Error
	if !errors.As(err, &e) || e.Field != "fill_pattern" {
		t.Errorf("3dhoneycomb should be refused naming fill_pattern, got %v", err)
	}
}

// squareTube is a square tube with no top or bottom: outer side a,
// wall w, height h, each face facing out of the material.
func squareTube(a, w, h float64) *geometry.Mesh {
	out := []geometry.Vec{{X: 0, Y: 0}, {X: a, Y: 0}, {X: a, Y: a}, {X: 0, Y: a}}
	in := []geometry.Vec{{X: w, Y: w}, {X: a - w, Y: w}, {X: a - w, Y: a - w}, {X: w, Y: a - w}}
	up := func(v geometry.Vec) geometry.Vec { v.Z = h; return v }
	m := &geometry.Mesh{}
	quad := func(p, q, r, s geometry.Vec) {
		m.Triangles = append(m.Triangles, geometry.Triangle{p, q, r}, geometry.Triangle{p, r, s})
	}
	for i := range 4 {
		j := (i + 1) % 4
		quad(out[i], out[j], up(out[j]), up(out[i])) // outside, facing out
		quad(in[j], in[i], up(in[i]), up(in[j]))     // inside, facing the hole
		quad(up(out[i]), up(out[j]), up(in[j]), up(in[i]))
		quad(out[j], out[i], in[i], in[j])
	}
	return m
}

// A gap between perimeters narrower than a line of infill gets none:
// PrusaSlicer's walls widen over it (a 2 mm wall with two perimeters of
// 0.45 mm), and the part's whole volume is still extruded. A 3 mm wall
// with three perimeters leaves room for a line.
func TestNarrowGapClosedByPerimeters(t *testing.T) {
	s := DefaultFDM
	s.SlowdownBelowLayerTime = 0
	r, err := EstimateFDM(context.Background(), squareTube(30, 2, 10), s)
	if err != nil {
		t.Fatal(err)
	}
	if n := r.Features[SolidInfill].LengthMM + r.Features[SparseInfill].LengthMM; n > 0 {
		t.Errorf("a 2 mm wall with 2 perimeters got %.0f mm of infill, want none", n)
	}
	want := (30*30 - 26*26) * 10.0
	if math.Abs(r.VolumeMM3-want) > 0.03*want {
		t.Errorf("the tube extrudes %.0f mm³, want its %.0f", r.VolumeMM3, want)
	}
	s.Perimeters = 3
	r, _ = EstimateFDM(context.Background(), squareTube(30, 3, 10), s)
	if n := r.Features[SolidInfill].LengthMM + r.Features[SparseInfill].LengthMM; n == 0 {
		t.Errorf("a 3 mm wall with 3 perimeters leaves 0.49 mm for a line of infill, got none")
	}
}

// Solid infill over sparse infill is bridged only where the sparse
// infill is as deep as the bridge's thread (the nozzle): one sparse
// layer between a floor's bottom and top layers takes no bridge, many
// sparse layers under a top skin do.
func TestBridgeOverSparseNeedsDepth(t *testing.T) {
	s := DefaultFDM
	// 10 layers: 4 bottom, 1 sparse, 5 top.
	thin, _ := EstimateFDM(context.Background(), box(20, 20, 2), s)
	if b := thin.Features[Bridge].LengthMM; b > 0 {
		t.Errorf("one sparse layer under the top skin got %.0f mm of bridge", b)
	}
	tall, _ := EstimateFDM(context.Background(), box(20, 20, 10), s)
	if b := tall.Features[Bridge].LengthMM; b == 0 {
		t.Errorf("a top skin over 1 cm of sparse infill should start with a bridge")
	}
}

// A pinhole down a part's axis, as a mesh revolved from its axis has,
// is closed as PrusaSlicer's slice_closing_radius closes it: no
// perimeters are laid around it. A part thinner than the radius has
// nothing left to print, and says so without failing.
func TestSliceClosingRadius(t *testing.T) {
	s := DefaultFDM
	solid, _ := EstimateFDM(context.Background(), box(6, 6, 5), s)
	pin := squareTube(6, 2.99, 5) // a 0.02 mm square hole in the middle
	holed, err := EstimateFDM(context.Background(), pin, s)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(holed.Seconds-solid.Seconds) > 0.01*solid.Seconds || math.Abs(holed.VolumeMM3-solid.VolumeMM3) > 0.01*solid.VolumeMM3 {
		t.Errorf("a 0.02 mm pinhole changed the estimate: %.0f s %.1f mm³, solid %.0f s %.1f mm³", holed.Seconds, holed.VolumeMM3, solid.Seconds, solid.VolumeMM3)
	}
	s.SliceClosingRadius = 0
	open, _ := EstimateFDM(context.Background(), pin, s)
	// Unclosed, the pinhole counts as a hole the perimeters grow around,
	// a disc of their band's radius taken from the infill.
	if open.VolumeMM3 >= solid.VolumeMM3-1 {
		t.Errorf("with slice_closing_radius = 0 the pinhole should take infill: %.1f mm³ vs %.1f", open.VolumeMM3, solid.VolumeMM3)
	}
	sliver, err := EstimateFDM(context.Background(), box(20, 0.04, 5), DefaultFDM)
	if err != nil || sliver.VolumeMM3 != 0 {
		t.Errorf("a 0.04 mm sliver: %v, %v", sliver, err)
	}
}

func TestCorners(t *testing.T) {
	square := pts(0, 0, 10, 0, 10, 10, 10, 10, 0, 10) // a repeated point
	if got := corners(square); math.Abs(got-4) > 1e-9 {
		t.Errorf("a square's corners: %v, want 4", got)
	}
	slices.Reverse(square)
	if got := corners(square); math.Abs(got+4) > 1e-9 {
		t.Errorf("a square hole's corners: %v, want -4", got)
	}
	var circle []geometry.Point2
	for i := range 1000 {
		a := 2 * math.Pi * float64(i) / 1000
		circle = append(circle, geometry.Point2{X: math.Cos(a), Y: math.Sin(a)})
	}
	if got := corners(circle); math.Abs(got-math.Pi) > 1e-3 {
		t.Errorf("a circle's corners: %v, want π", got)
	}
	spike := pts(0, 0, 10, 0, 0, 0.001) // turns almost back: mitres stop at 3 widths
	if got := corners(spike); got > 3*2*math.Sqrt2+1e-9 {
		t.Errorf("a spike's corners: %v, want at most 3 mitres of 2√2", got)
	}
}

// A layer of many rings each with its hole would make grouping holes
// with outlines quadratic; past its budget the layer is one island, in
// time linear in its points.
func TestGroupIslandsBounded(t *testing.T) {
	var loops [][]geometry.Point2
	for i := range 3000 {
		x := float64(i) * 3
		loops = append(loops, pts(x, 0, x+2, 0, x+2, 2, x, 2))
		hole := pts(x+0.5, 0.5, x+1.5, 0.5, x+1.5, 1.5, x+0.5, 1.5)
		slices.Reverse(hole)
		loops = append(loops, hole)
	}
	got := groupIslands(loops, signedAreas(loops))
	if len(got) != 1 || len(got[0].loops) != len(loops) {
		t.Errorf("%d islands from 3000 rings past the budget, want the layer as one", len(got))
	}
	few := groupIslands(loops[:200], signedAreas(loops[:200]))
	if len(few) != 100 {
		t.Errorf("100 rings make %d islands, want 100", len(few))
	}
}
