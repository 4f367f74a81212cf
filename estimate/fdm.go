package estimate

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/geometry"
)

// Feature names, as PrusaSlicer labels them in G-code.
const (
	ExternalPerimeter = "external perimeter"
	Perimeter         = "perimeter"
	SparseInfill      = "internal infill"
	SolidInfill       = "solid infill"
	TopSolidInfill    = "top solid infill"
	Bridge            = "bridge infill"
	Travel            = "travel"
)

// FDMResult is what printing a part takes.
type FDMResult struct {
	Layers     int                `json:"layers"`
	FilamentMM float64            `json:"filament_mm"`
	FilamentG  float64            `json:"filament_g"`
	VolumeMM3  float64            `json:"extruded_mm3"`
	Seconds    float64            `json:"seconds"`
	Features   map[string]Feature `json:"features"`
	Settings   FDM                `json:"settings"`
}

// Feature is one kind of move's share.
type Feature struct {
	LengthMM float64 `json:"length_mm"`
	Seconds  float64 `json:"seconds"`
}

// smallPerimeter is the loop length under which PrusaSlicer prints at
// small_perimeter_speed (its default threshold: a 6.5 mm radius).
const smallPerimeter = 2 * math.Pi * 6.5

func (s *FDM) check() error {
	for _, w := range []struct {
		key string
		w   float64
	}{{"extrusion_width", s.ExtrusionWidth}, {"perimeter_extrusion_width", s.PerimeterWidth}, {"external_perimeter_extrusion_width", s.ExternalPerimeterWidth},
		{"infill_extrusion_width", s.InfillWidth}, {"solid_infill_extrusion_width", s.SolidInfillWidth}, {"top_infill_extrusion_width", s.TopInfillWidth}} {
		if w.w < s.LayerHeight {
			return &dgml.Error{Kind: dgml.Invalid, Field: w.key, Msg: "an extrusion width must be at least the layer height"}
		}
	}
	if s.FirstLayerWidth < s.FirstLayerHeight {
		return &dgml.Error{Kind: dgml.Invalid, Field: "first_layer_extrusion_width", Msg: "an extrusion width must be at least the first layer's height"}
	}
	switch {
	case s.LayerHeight <= 0 || s.FirstLayerHeight <= 0:
		return &dgml.Error{Kind: dgml.Invalid, Field: "layer_height", Msg: "layer heights must be positive"}
	case s.FillDensity > 100:
		return &dgml.Error{Kind: dgml.Invalid, Field: "fill_density", Msg: "at most 100%"}
	case s.FilamentDiameter <= 0:
		return &dgml.Error{Kind: dgml.Invalid, Field: "filament_diameter", Msg: "must be positive"}
	}
	for _, v := range []float64{s.PerimeterSpeed, s.ExternalPerimSpeed, s.InfillSpeed, s.SolidInfillSpeed, s.TopSolidInfillSpeed, s.TravelSpeed, s.FirstLayerSpeed, s.DefaultAcceleration, s.GapFillSpeed, s.BridgeSpeed} {
		if v <= 0 {
			return &dgml.Error{Kind: dgml.Invalid, Field: "speeds", Msg: "speeds and accelerations must be positive"}
		}
	}
	return nil
}

// FDM estimates a fused-filament print of the mesh as placed (+Z up):
// it slices the mesh, lays perimeters, solid and sparse infill as a slicer
// would, and times every move under a motion model with acceleration and
// junction speeds from jerk, then slows short layers down for cooling.
//
// Work stops when ctx is done. A part whose layers would take more than
// MaxCells raster cells in all (far beyond any printer's bed) is refused.
func EstimateFDM(ctx context.Context, m *geometry.Mesh, s FDM) (*FDMResult, error) {
	s = s.Resolve()
	if err := s.check(); err != nil {
		return nil, err
	}
	layers, err := geometry.Slice(ctx, m, s.FirstLayerHeight, s.LayerHeight)
	if err != nil {
		return nil, err
	}
	closeSlivers(layers, s.SliceClosingRadius)
	res := &FDMResult{Layers: len(layers), Features: map[string]Feature{}, Settings: s}
	if len(layers) == 0 {
		return res, nil
	}
	lo, hi := bounds2(layers)
	w, d := (hi.X-lo.X)/s.SolidInfillWidth+3, (hi.Y-lo.Y)/s.SolidInfillWidth+3
	if cells := w * d * float64(len(layers)); !(cells <= MaxCells) {
		return nil, &dgml.Error{Kind: dgml.TooLarge, Op: "estimate.FDM", Msg: fmt.Sprintf("a part of %.0f × %.0f mm in %d layers is larger than any printer's bed: split it into printable parts", hi.X-lo.X, hi.Y-lo.Y, len(layers))}
	}
	p := newPrint(m, layers, s)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Layers are timed on every core, then added up in order (so the
	// sums are the same however the work was shared).
	times := make([]layerTime, len(layers))
	eachLayer(len(layers), func(i int) { times[i] = p.layer(i) })
	for i := range times {
		times[i].addTo(res)
	}
	area := math.Pi * s.FilamentDiameter * s.FilamentDiameter / 4
	res.FilamentMM = res.VolumeMM3 / area
	res.FilamentG = res.VolumeMM3 / 1000 * s.FilamentDensity
	return res, nil
}

// closeSlivers drops the loops PrusaSlicer's closing radius closes when
// it slices: those whose area over half their length is under it (a
// hole less than twice the radius across, a sliver under it wide).
func closeSlivers(layers []geometry.Layer, r float64) {
	if r <= 0 {
		return
	}
	for i := range layers {
		kept := layers[i].Loops[:0]
		for _, loop := range layers[i].Loops {
			if L := geometry.Length(loop); L > 0 && 2*math.Abs(geometry.SignedArea(loop))/L >= r {
				kept = append(kept, loop)
			}
		}
		layers[i].Loops = kept
	}
}

// MaxCells bounds the raster of one estimate (three bits a cell in all
// layers: about 190 MB at the bound).
const MaxCells = 500_000_000

// print holds what the layers share.
type print struct {
	s      FDM
	layers []geometry.Layer
	full   []*grid // cells with material
	inner  []*grid // cells inside the perimeters
	solids []*grid // inner cells printed solid
	cell   float64 // the solid infill's width: its lines are a row of cells
	// squeezed layers are walls thinner than their perimeters: printed
	// as beads that fill them (as PrusaSlicer's Arachne does), no infill.
	squeezed []bool
	// islands are each layer's outlines with the holes in them; a thin
	// one is printed as beads even where the rest of the layer is not.
	islands [][]island
	// absorbed is the area of each layer's gaps between perimeters too
	// narrow for infill, mm²: the perimeters widen over it.
	absorbed []float64
	// fillScale corrects each layer's infill for the raster: the area
	// inside the perimeters as the outline gives it, over the cells'.
	fillScale   []float64
	top, bottom int // solid layers, at least the minimum thickness
}

func newPrint(m *geometry.Mesh, layers []geometry.Layer, s FDM) *print {
	lo, hi := bounds2(layers)
	p := &print{s: s, layers: layers, cell: s.SolidInfillWidth}
	p.top = max(s.TopSolidLayers, layersFor(s.TopSolidMinThickness, s.LayerHeight))
	p.bottom = max(s.BottomSolidLayers, layersFor(s.BottomSolidMinThick, s.LayerHeight))
	proto := newGrid(lo.X-p.cell, lo.Y-p.cell, hi.X+p.cell, hi.Y+p.cell, p.cell)
	p.full, p.inner = make([]*grid, len(layers)), make([]*grid, len(layers))
	p.squeezed, p.fillScale = make([]bool, len(layers)), make([]float64, len(layers))
	p.islands = make([][]island, len(layers))
	p.absorbed = make([]float64, len(layers))
	// The perimeters' band is as many cells as their spacings add up to.
	erosions := 0
	if s.Perimeters > 0 {
		erosions = max(1, int(math.Round(p.inset(s.LayerHeight)/p.cell)))
	}
	eachLayer(len(layers), func(i int) {
		g := proto.empty()
		g.fill(layers[i].Loops)
		p.full[i] = g
		p.islands[i] = p.walls(&layers[i])
		p.squeezed[i] = len(p.islands[i]) > 0
		for _, is := range p.islands[i] {
			p.squeezed[i] = p.squeezed[i] && is.thin
		}
		// Islands whose gap between perimeters is too narrow for a line
		// of infill get none: their perimeters widen to close it, and
		// take its material. The infill's cells are those of the other
		// islands, inside their perimeters.
		p.absorbed[i] = p.absorb(&layers[i], p.islands[i])
		in := g
		if keep, closed := openLoops(&layers[i], p.islands[i]); p.squeezed[i] {
			in = g.empty()
		} else if closed {
			in = proto.empty()
			in.fill(keep)
		}
		for k := 0; k < erosions && !p.squeezed[i]; k++ {
			in = in.erode(k%2 == 1)
		}
		p.inner[i] = in
		p.fillScale[i] = p.infillArea(&layers[i], p.islands[i], in)
	})
	// Each layer's solid area depends only on the layers' outlines.
	p.solids = make([]*grid, len(layers))
	eachLayer(len(layers), func(i int) { p.solids[i] = p.solidMask(i) })
	return p
}

// eachLayer runs work for layers 0..n-1 on every core.
func eachLayer(n int, work func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				work(i)
			}
		}()
	}
	wg.Wait()
}

func bounds2(layers []geometry.Layer) (geometry.Point2, geometry.Point2) {
	lo := geometry.Point2{X: math.Inf(1), Y: math.Inf(1)}
	hi := geometry.Point2{X: math.Inf(-1), Y: math.Inf(-1)}
	for _, l := range layers {
		for _, loop := range l.Loops {
			for _, q := range loop {
				lo.X, lo.Y = math.Min(lo.X, q.X), math.Min(lo.Y, q.Y)
				hi.X, hi.Y = math.Max(hi.X, q.X), math.Max(hi.Y, q.Y)
			}
		}
	}
	if math.IsInf(lo.X, 1) {
		return geometry.Point2{}, geometry.Point2{}
	}
	return lo, hi
}

// section is the cross-section of an extrusion w wide and h high, a
// rectangle with round ends, as slicers compute flow.
func section(w, h float64) float64 { return (w-h)*h + math.Pi*h*h/4 }

// solidMask is the part of layer i's inner area that must be solid: not
// covered by material in all of the top layers above or the bottom
// layers below.
func (p *print) solidMask(i int) *grid {
	if p.s.FillDensity >= 100 {
		return p.inner[i] // all solid infill, as PrusaSlicer makes 100% sparse
	}
	covered := func(from, to int) *grid {
		g := p.inner[i]
		for k := from; k <= to; k++ {
			if k < 0 || k >= len(p.full) {
				return p.inner[i].empty()
			}
			g = g.and(p.full[k])
		}
		return g
	}
	up := covered(i+1, i+p.top)
	down := covered(i-p.bottom, i-1)
	solid := p.inner[i].andNot(up.and(down))
	// ensure_vertical_shell_thickness: where a wall slopes, the band the
	// perimeters cover in the layers above and below is filled solid here,
	// so the shell stays as thick as the perimeters make it.
	band := p.inner[i].empty()
	for k := i - p.bottom; k <= i+p.top; k++ {
		if k == i || k < 0 || k >= len(p.full) {
			continue
		}
		band = band.or(p.inner[i].and(p.full[k].andNot(p.inner[k])))
	}
	// As PrusaSlicer regularises the shell it adds, slivers a cell wide
	// (a gently sloping wall's step from layer to layer) are left to the
	// sparse infill: only bands of some width are filled solid.
	band = band.erode(false).dilate().and(p.inner[i])
	solid = solid.or(band)
	// solid_infill_below_area: sparse islands too small to be worth a
	// pattern are printed solid (PrusaSlicer's default: 70 mm²). An
	// island's area is its cells' corrected as the layer's infill area is:
	// the raster's cells miss part of what the outline holds, and a leg
	// of 71 mm² inside its perimeters must not count as 67.
	sparse := p.inner[i].andNot(solid)
	cellArea := p.cell * p.cell
	if p.fillScale[i] > 0 {
		cellArea *= p.fillScale[i]
	}
	cells := int(p.s.SolidInfillBelowArea / cellArea)
	sparse.smallIslands(cells, solid)
	return solid
}

// layersFor is how many layers of height h make a thickness t.
func layersFor(t, h float64) int {
	if t <= 0 {
		return 0
	}
	return int(math.Ceil(t/h - 1e-9))
}

// spacing is how far apart neighbouring extrusions w wide and h high
// lie: their round sides overlap (PrusaSlicer's flow spacing).
func spacing(w, h float64) float64 { return w - h*(1-math.Pi/4) }

// island is an outline and the holes inside it.
type island struct {
	loops []int   // indices into the layer's loops, the outline first
	area  float64 // mm², holes taken away
	// thin: its perimeters would need more area, at their spacing, than
	// it has.
	thin bool
	// closed: the gap its perimeters leave is narrower than an infill
	// line would need, so the perimeters widen over it.
	closed bool
	// Each loop's length and corners (see corners), in loops' order.
	lengths, turns []float64
}

// inset is how far in from an outline its perimeters reach: their
// spacings added up (their volume is their length times their spacing).
func (p *print) inset(h float64) float64 {
	return spacing(p.s.ExternalPerimeterWidth, h) + float64(p.s.Perimeters-1)*spacing(p.s.PerimeterWidth, h)
}

// band is the area an island's perimeters cover.
func band(is island, inset float64) float64 {
	b := 0.0
	for j := range is.loops {
		b += math.Max(0, is.lengths[j]*inset-is.turns[j]*inset*inset)
	}
	return b
}

// absorb marks the islands whose perimeters leave a gap too narrow for
// infill and returns its area. The gap is the inner area inside the
// perimeters over half that area's outline: the width of a strip (and
// half the side of a square). Narrower than one solid infill line's spacing, PrusaSlicer
// lays no line in it and its Arachne walls widen over it instead
// (checked on its output: 2 mm walls with 2 perimeters of 0.45 mm leave
// 0.37 mm and get none; 3 mm walls with 3 leave 0.49 mm and get a line).
func (p *print) absorb(l *geometry.Layer, islands []island) float64 {
	if p.s.Perimeters == 0 {
		return 0
	}
	inset, total := p.inset(l.Height), 0.0
	for n := range islands {
		is := &islands[n]
		if is.thin {
			continue
		}
		// The inner outline's length: each loop offset by the inset,
		// shorter by twice its corners' share (longer, for a hole).
		around := 0.0
		for j := range is.loops {
			around += math.Max(0, is.lengths[j]-2*is.turns[j]*inset)
		}
		gap := math.Max(0, is.area-band(*is, inset))
		if around > 0 && 2*gap/around < spacing(p.s.SolidInfillWidth, l.Height) {
			is.closed = true
			total += gap
		}
	}
	return total
}

// openLoops is the loops of the islands that are not closed, and whether
// any island is.
func openLoops(l *geometry.Layer, islands []island) (loops [][]geometry.Point2, closed bool) {
	for _, is := range islands {
		if is.closed {
			closed = true
			continue
		}
		for _, k := range is.loops {
			loops = append(loops, l.Loops[k])
		}
	}
	return loops, closed
}

// walls groups a layer's loops into islands and says which are too thin
// for their perimeters. Each island is judged alone: a thin fin beside a
// thick block is printed as beads, the block with perimeters and infill.
func (p *print) walls(l *geometry.Layer) []island {
	s := &p.s
	areas := signedAreas(l.Loops)
	out := groupIslands(l.Loops, areas)
	for n := range out {
		is := &out[n]
		need := 0.0
		is.lengths, is.turns = make([]float64, len(is.loops)), make([]float64, len(is.loops))
		for j, k := range is.loops {
			loop := l.Loops[k]
			a := areas[k]
			is.area += a
			L := geometry.Length(loop)
			is.lengths[j], is.turns[j] = L, corners(loop)
			sign := 1.0
			if a < 0 {
				sign = -1
			}
			for k, d := range p.offsets(l.Height) {
				Lk := L - sign*2*math.Pi*d
				if Lk <= s.ExtrusionWidth {
					break
				}
				need += Lk * spacing(p.perimeterWidth(k), l.Height)
			}
		}
		is.thin = s.Perimeters > 0 && is.area > 0 && need > is.area
	}
	return out
}

// groupIslands puts each hole (a clockwise loop) with the smallest
// outline (counter-clockwise) around it. A hole outside every outline, as
// a broken mesh gives, is an island of its own.
//
// The search is bounded: a layer built to make it quadratic (a million
// rings, or a million holes in an outline of a million points) would
// hold up the estimate for hours. Past a budget of points visited, a
// few times the layer's own, the layer is judged as one island, as it
// was before islands were told apart.
func groupIslands(loops [][]geometry.Point2, areas []float64) []island {
	// The outlines, with their bounds and areas, in the islands' order.
	type outline struct {
		lo, hi geometry.Point2
		area   float64
	}
	var out []island
	var outlines []outline
	budget := 1_000_000
	for k, loop := range loops {
		budget += 20 * len(loop)
		if areas[k] > 0 {
			out = append(out, island{loops: []int{k}})
			lo, hi := bounds2([]geometry.Layer{{Loops: [][]geometry.Point2{loop}}})
			outlines = append(outlines, outline{lo, hi, areas[k]})
		}
	}
	for k, loop := range loops {
		if areas[k] > 0 || len(loop) == 0 {
			continue
		}
		pt, best := loop[0], -1
		for n, o := range outlines {
			if budget--; pt.X < o.lo.X || pt.X > o.hi.X || pt.Y < o.lo.Y || pt.Y > o.hi.Y {
				continue
			}
			if best < 0 || o.area < outlines[best].area {
				around := loops[out[n].loops[0]]
				if budget -= len(around); inside(pt, around) {
					best = n
				}
			}
		}
		if budget < 0 {
			all := make([]int, len(loops))
			for k := range all {
				all[k] = k
			}
			return []island{{loops: all}}
		}
		if best < 0 {
			out = append(out, island{loops: []int{k}})
			outlines = append(outlines, outline{}) // never a hole's home: empty bounds
			continue
		}
		out[best].loops = append(out[best].loops, k)
	}
	return out
}

// signedAreas is each loop's signed area: outlines positive, holes
// negative.
func signedAreas(loops [][]geometry.Point2) []float64 {
	out := make([]float64, len(loops))
	for k, loop := range loops {
		out[k] = geometry.SignedArea(loop)
	}
	return out
}

// inside says whether pt is inside the loop (crossings of a ray).
func inside(pt geometry.Point2, loop []geometry.Point2) bool {
	in := false
	for i, j := 0, len(loop)-1; i < len(loop); j, i = i, i+1 {
		a, b := loop[i], loop[j]
		if (a.Y > pt.Y) != (b.Y > pt.Y) && pt.X < (b.X-a.X)*(pt.Y-a.Y)/(b.Y-a.Y)+a.X {
			in = !in
		}
	}
	return in
}

// infillArea is how much more (or less) area the infill has than the
// cells inside the perimeters count: the outline's area less the
// perimeters' band, over the cells'.
func (p *print) infillArea(l *geometry.Layer, islands []island, inner *grid) float64 {
	cells := float64(inner.count()) * p.cell * p.cell
	if cells == 0 || p.s.Perimeters == 0 {
		return 1
	}
	// The perimeters' volume is their length times their spacing (and
	// height), so they fill a band as wide as their spacings add up to.
	// Thin islands are all beads, closed ones all perimeters: no infill.
	inset := p.inset(l.Height)
	area, covered := 0.0, 0.0
	for _, is := range islands {
		if is.thin || is.closed {
			continue
		}
		area += is.area
		covered += band(is, inset)
	}
	return math.Min(1.5, math.Max(0, (area-covered)/cells))
}

// corners is what a loop's turns take from the band inside it, in units
// of the band's width squared: an offset by d inside a loop of length L
// has area L·d − corners·d². A sharp corner turning by φ is mitred, as
// perimeters are, and gives tan(φ/2) (4 for a rectangle); a finely cut
// curve's small turns add up to π, a round hole's to −π (its offset
// grows). Miters stop at three times the width, as Clipper's do.
func corners(loop []geometry.Point2) float64 {
	n := len(loop)
	if n < 3 {
		return 0
	}
	// tan(φ/2) = sin φ / (1 + cos φ): the cross product over the lengths'
	// product plus the dot product, no trigonometry (a loop of millions
	// of points has as many corners). A mitre of three widths is a half
	// turn of acos(1/3), whose tangent is 2√2.
	const maxTan = 2 * math.Sqrt2
	k := 0.0
	prev := loop[n-1]
	var ux, uy, lu float64
	for j := n - 2; j >= 0 && lu == 0; j-- { // the last edge of some length
		ux, uy = prev.X-loop[j].X, prev.Y-loop[j].Y
		lu = math.Hypot(ux, uy)
	}
	for _, c := range loop {
		vx, vy := c.X-prev.X, c.Y-prev.Y
		lv := math.Hypot(vx, vy)
		if lv == 0 {
			continue // a repeated point: the turn is taken at the next
		}
		if lu > 0 {
			cross, den := ux*vy-uy*vx, lu*lv+ux*vx+uy*vy
			t := maxTan
			if cross < 0 {
				t = -maxTan
			}
			if den > 0 && math.Abs(cross) < maxTan*den {
				t = cross / den
			}
			k += t
		}
		prev, ux, uy, lu = c, vx, vy, lv
	}
	return k
}

func (p *print) perimeterWidth(k int) float64 {
	if k == 0 {
		return p.s.ExternalPerimeterWidth
	}
	return p.s.PerimeterWidth
}

// offsets are how far inside the outline each perimeter's centre runs.
func (p *print) offsets(h float64) []float64 {
	s := &p.s
	out := make([]float64, s.Perimeters)
	for k := range out {
		if k == 0 {
			out[k] = s.ExternalPerimeterWidth / 2
			continue
		}
		out[k] = spacing(s.ExternalPerimeterWidth, h) + (float64(k)-0.5)*spacing(s.PerimeterWidth, h)
	}
	return out
}

type motion struct {
	speed, accel, jerk float64
}

// layer times layer i. A layer that would print faster than
// slowdown_below_layer_time is slowed as PrusaSlicer's cooling slows
// it: the G-code's own times (length over the speed asked for) are
// stretched to the layer time by capping every extrusion's speed at one
// value, no lower than min_print_speed, and the layer is then planned
// again at those speeds, so its accelerations and corners are those of
// the slower moves.
func (p *print) layer(i int) layerTime {
	t := p.layerAt(i, math.Inf(1))
	if v := t.coolingCap(p.s); v > 0 {
		t = p.layerAt(i, v)
	}
	return t
}

// layerAt times layer i with no extrusion faster than limit.
func (p *print) layerAt(i int, limit float64) layerTime {
	s := p.s
	l := &p.layers[i]
	first := i == 0
	h := l.Height
	flow := s.ExtrusionMultiplier
	// On the first layer every extrusion has the first layer's width.
	width := func(w float64) float64 {
		if first {
			return s.FirstLayerWidth
		}
		return w
	}
	accel := func(a float64) float64 {
		if first {
			a = s.FirstLayerAccel
		}
		if a <= 0 {
			a = s.DefaultAcceleration
		}
		return math.Min(a, math.Min(orInf(s.MaxAcceleration), math.Min(orInf(s.MaxAccelX), orInf(s.MaxAccelY))))
	}
	jerk := math.Min(s.Jerk, s.JerkY)
	// speed is a feature's speed on this layer, within the machine's
	// feed rate and the hot end's volumetric limit for its cross-section.
	speed := func(v, sec float64) float64 {
		if first {
			v = s.FirstLayerSpeed
		}
		v = math.Min(v, math.Min(orInf(s.MaxFeedrateX), orInf(s.MaxFeedrateY)))
		v = math.Min(v, limit)
		for _, mvs := range []float64{s.MaxVolumetricSpeed, s.FilamentMaxVolumetric} {
			if mvs > 0 {
				v = math.Min(v, mvs/(sec*flow))
			}
		}
		return v
	}
	var t layerTime
	t.layerChange(h, s)
	loopsOut := 0
	loops := make([][]geometry.Point2, len(l.Loops))
	for n, loop := range l.Loops {
		loops[n] = simplify(loop, s.Resolution)
	}
	// beads prints a thin island as beads across its mean thickness,
	// two of them external, each running the wall's length (half its
	// loops').
	beads := func(is island) {
		we := width(s.ExternalPerimeterWidth)
		around := 0.0
		for _, k := range is.loops {
			around += geometry.Length(loops[k])
		}
		if around <= 0 {
			return
		}
		n := min(max(1, int(math.Round(2*is.area/around/spacing(we, h)))), 2*s.Perimeters)
		for _, k := range is.loops {
			loop := loops[k]
			L := geometry.Length(loop)
			if L < we {
				continue
			}
			if geometry.SignedArea(loop) > 0 {
				loopsOut++
			}
			share := L / around * is.area * h * flow // of the island's volume
			for b := 0; b < n; b++ {
				name, v := ExternalPerimeter, s.ExternalPerimSpeed
				if b >= 2 {
					name, v = Perimeter, s.PerimeterSpeed
				}
				if L/2 < smallPerimeter && s.SmallPerimeterSpeed > 0 {
					v = math.Min(v, s.SmallPerimeterSpeed)
				}
				mv := motion{speed(v, section(we, h)), accel(s.PerimeterAccel), jerk}
				t.add(name, L/2, loopTime(loop, mv)/2, share/float64(n), mv.speed)
			}
			t.travel(p.travelLength(l), s)
		}
	}
	thin := make([]bool, len(loops))
	for _, is := range p.islands[i] {
		if is.thin {
			beads(is)
			for _, k := range is.loops {
				thin[k] = true
			}
		}
	}
	if p.squeezed[i] {
		return t // all beads: no perimeters, no infill
	}
	// Perimeters: every loop, external wall first, then the inner walls,
	// each an offset of the loop by one more spacing.
	offsets := p.offsets(h)
	for k, loop := range loops {
		L := geometry.Length(loop)
		if L < s.ExtrusionWidth || thin[k] {
			continue
		}
		sign := 1.0
		if geometry.SignedArea(loop) < 0 {
			sign = -1 // a hole grows as it is offset into the material
		} else {
			loopsOut++
		}
		for k, d := range offsets {
			Lk := L - sign*2*math.Pi*d
			w := width(p.perimeterWidth(k))
			if Lk <= w {
				break
			}
			name, v := Perimeter, s.PerimeterSpeed
			if k == 0 {
				name, v = ExternalPerimeter, s.ExternalPerimSpeed
			}
			if Lk < smallPerimeter && s.SmallPerimeterSpeed > 0 {
				v = math.Min(v, s.SmallPerimeterSpeed)
			}
			sec := section(w, h)
			mv := motion{speed(v, sec), accel(s.PerimeterAccel), jerk}
			t.add(name, Lk, loopTime(loop, mv)*Lk/L, Lk*sec*flow, mv.speed)
		}
		t.travel(p.travelLength(l), s)
	}
	if p.absorbed[i] > 0 {
		t.add(Perimeter, 0, 0, p.absorbed[i]*h*flow, s.PerimeterSpeed)
	}
	// Infill: solid where the part needs a skin, sparse inside.
	solid := p.solids[i]
	top := solid.andNot(p.aboveOrEmpty(i))
	// A solid area over air is bridged; so is one over sparse infill,
	// but only where every layer the bridge's thread reaches down into
	// (its nozzle-thick height) is sparse there, as PrusaSlicer decides:
	// one sparse layer between solid ones is too shallow to take it.
	bridge := solid.empty()
	if i > 0 {
		rest := solid.andNot(top)
		bridge = rest.andNot(p.full[i-1])
		over := rest.and(p.inner[i-1].andNot(p.solids[i-1]))
		wb := s.NozzleDiameter * math.Sqrt(s.BridgeFlowRatio)
		for k := i - 2; k >= 0 && !over.isEmpty() && l.Z-p.layers[k].Z <= wb+1e-9; k-- {
			over = over.and(p.inner[k].andNot(p.solids[k]))
		}
		bridge = bridge.or(over)
	}
	internal := solid.andNot(top).andNot(bridge)
	sparse := p.inner[i].andNot(solid)
	vertical := i%2 == 1
	// fill lays a region's lines; curved, when set, is the speed the
	// pattern's own curve allows (gyroid) at the feature's motion.
	fill := func(g *grid, density, w, v, a float64, name string, sec float64, dirs int, curved func(motion) float64) {
		// density·cell/spacing lines to a row of cells: a fraction of
		// the rows, or every row more than once.
		q := density * p.cell / spacing(w, h) * p.fillScale[i]
		if name == Bridge {
			q = density * p.cell / w * p.fillScale[i]
		}
		mv := motion{speed(v, sec), accel(a), jerk}
		if curved != nil && !g.isEmpty() {
			mv.speed = curved(mv)
		}
		for d := 0; d < dirs; d++ {
			p.lines(&t, g, q/float64(dirs), vertical != (d == 1), name, mv, sec*flow)
		}
	}
	ws, wt := width(s.SolidInfillWidth), width(s.TopInfillWidth)
	fill(top, 1, wt, s.TopSolidInfillSpeed, s.InfillAccel, TopSolidInfill, section(wt, h), 1, nil)
	fill(internal, 1, ws, s.SolidInfillSpeed, s.InfillAccel, SolidInfill, section(ws, h), 1, nil)
	// Bridges are round threads as thick as the nozzle (PrusaSlicer's
	// thick bridges), scaled by the bridge flow ratio.
	wb := s.NozzleDiameter * math.Sqrt(s.BridgeFlowRatio)
	ab := s.BridgeAccel
	if ab <= 0 {
		ab = s.DefaultAcceleration
	}
	fill(bridge, 1, wb, s.BridgeSpeed, ab, Bridge, math.Pi*wb*wb/4, 1, nil)
	every := max(1, s.InfillEveryLayers)
	if s.FillDensity > 0 && (every == 1 || i%every == every-1) {
		// infill_every_layers: the sparse infill of several layers at
		// once, as thick as they are.
		wi := width(s.InfillWidth)
		dirs := 1
		switch s.FillPattern {
		case "grid", "triangles", "stars", "cubic":
			dirs = 2 // lines crossing in one layer: half as many each way
		}
		var curved func(motion) float64
		density := s.FillDensity / 100
		switch s.FillPattern {
		case "gyroid":
			curved = func(mv motion) float64 { return gyroidSpeed(spacing(wi, h), s.FillDensity/100, mv, s.Resolution) }
		case "honeycomb":
			curved = func(mv motion) float64 { return honeycombSpeed(spacing(wi, h), s.FillDensity/100, mv) }
			density *= honeycombLength
		}
		fill(sparse, density, wi, s.InfillSpeed, s.InfillAccel, SparseInfill, section(wi, h*float64(every)), dirs, curved)
	}
	if loopsOut > 0 {
		t.travel(p.travelLength(l), s) // from the perimeters to the infill
	}
	return t
}

// aboveOrEmpty is the material of the layer above, nothing for the top.
func (p *print) aboveOrEmpty(i int) *grid {
	if i+1 < len(p.full) {
		return p.full[i+1]
	}
	return p.full[i].empty()
}

// travelLength is a typical move between islands of a layer: a quarter
// of its diagonal, at most 20 mm.
func (p *print) travelLength(l *geometry.Layer) float64 {
	lo, hi := bounds2([]geometry.Layer{*l})
	return math.Min(20, 0.25*math.Hypot(hi.X-lo.X, hi.Y-lo.Y))
}

// lines lays infill lines over the cells of g: q lines to a row of
// cells (a fraction of the rows when under one, each row more than once
// when over), joined end to end (each line turns back at its end).
func (p *print) lines(t *layerTime, g *grid, q float64, vertical bool, name string, mv motion, sec float64) {
	if q <= 0 {
		return
	}
	frac, times := math.Min(q, 1), math.Max(q, 1)
	link := p.cell / frac / times // from one line to the next
	turn := mv.jerk / 2           // a reversal: each axis may change by the jerk
	v := mv.speed
	for _, r := range g.runs(frac, vertical) {
		L := float64(r) * p.cell
		sec2 := segmentTime(L, math.Min(turn, v), v, math.Min(turn, v), mv.accel)
		sec2 += segmentTime(link, math.Min(turn, v), v, math.Min(turn, v), mv.accel)
		// The turn to the next line runs along the region's edge: in a
		// solid fill that edge is within the area the lines fill (time,
		// no more material); sparse lines are joined by anchors laid
		// along the perimeters, extruded as well.
		extruded := L
		if frac < 1 {
			extruded += link
		}
		t.add(name, (L+link)*times, sec2*times, extruded*times*sec, v)
	}
}

// loopTime plans a closed path as a printer's firmware does: the speed at
// each corner is limited by the jerk (the largest instant change of speed
// on an axis), and between corners the head speeds up and slows down at
// the acceleration.
func loopTime(loop []geometry.Point2, mv motion) float64 {
	n := len(loop)
	segs := make([]seg, 0, n)
	for i := 0; i < n; i++ {
		segs = appendSeg(segs, loop[i], loop[(i+1)%n])
	}
	// The path starts and ends at rest-ish (after a travel).
	start := math.Min(mv.jerk/2, mv.speed)
	return planned(segs, start, mv)
}

// seg is a straight move: its length and direction.
type seg struct{ l, dx, dy float64 }

func appendSeg(segs []seg, a, b geometry.Point2) []seg {
	l := math.Hypot(b.X-a.X, b.Y-a.Y)
	if l < 1e-6 {
		return segs
	}
	return append(segs, seg{l, (b.X - a.X) / l, (b.Y - a.Y) / l})
}

// planned times moves as a printer's firmware plans them, entered and
// left at speed ends: the speed at each corner is limited by the jerk
// (the largest instant change of speed on an axis), and between corners
// the head speeds up and slows down at the acceleration.
func planned(segs []seg, ends float64, mv motion) float64 {
	if len(segs) == 0 {
		return 0
	}
	// v[i] is the speed at the start of segment i.
	v := make([]float64, len(segs)+1)
	v[0], v[len(segs)] = ends, ends
	for i := 1; i < len(segs); i++ {
		a, b := segs[i-1], segs[i]
		d := math.Max(math.Abs(a.dx-b.dx), math.Abs(a.dy-b.dy))
		v[i] = mv.speed
		if d > 1e-9 {
			v[i] = math.Min(mv.speed, mv.jerk/d)
		}
	}
	for i := 1; i <= len(segs); i++ { // forward: reachable by accelerating
		v[i] = math.Min(v[i], math.Sqrt(v[i-1]*v[i-1]+2*mv.accel*segs[i-1].l))
	}
	for i := len(segs) - 1; i >= 0; i-- { // backward: able to brake
		v[i] = math.Min(v[i], math.Sqrt(v[i+1]*v[i+1]+2*mv.accel*segs[i].l))
	}
	t := 0.0
	for i, sg := range segs {
		t += segmentTime(sg.l, v[i], mv.speed, v[i+1], mv.accel)
	}
	return t
}

// segmentTime is the time of a straight move of length l entered at
// speed in and left at speed out, cruising at v if it gets there (a
// trapezoidal speed profile), else peaking (a triangle).
func segmentTime(l, in, v, out, a float64) float64 {
	if l <= 0 {
		return 0
	}
	if a <= 0 || math.IsInf(a, 1) {
		return l / v
	}
	in, out = math.Min(in, v), math.Min(out, v)
	da := (v*v - in*in) / (2 * a)
	dd := (v*v - out*out) / (2 * a)
	if da+dd <= l {
		return (v-in)/a + (v-out)/a + (l-da-dd)/v
	}
	peak := math.Sqrt((2*a*l + in*in + out*out) / 2)
	peak = math.Max(peak, math.Max(in, out))
	return math.Max(0, (peak-in)/a) + math.Max(0, (peak-out)/a)
}

func orInf(a float64) float64 {
	if a <= 0 {
		return math.Inf(1)
	}
	return a
}

// layerTime adds up one layer.
type layerTime struct {
	features map[string]Feature
	extrude  float64 // seconds extruding
	other    float64 // travel, retraction
	volume   float64
	// The times the G-code itself states (length over the speed asked
	// for, no acceleration), which PrusaSlicer's cooling works on: the
	// extrusions at each speed, and the rest.
	asked      []asked
	askedOther float64
}

// asked is the length extruded at one speed.
type asked struct{ speed, length float64 }

func (t *layerTime) add(name string, length, seconds, volume, speed float64) {
	t.feature(name, length, seconds)
	t.extrude += seconds
	t.volume += volume
	// A layer has a few speeds: a list, searched, keeps the sums in the
	// order the layer was laid (a map's order would change the last digit).
	for k := range t.asked {
		if t.asked[k].speed == speed {
			t.asked[k].length += length
			return
		}
	}
	t.asked = append(t.asked, asked{speed, length})
}

// feature adds a length and its time to one feature of the layer.
func (t *layerTime) feature(name string, length, seconds float64) {
	if t.features == nil {
		t.features = map[string]Feature{}
	}
	f := t.features[name]
	f.LengthMM += length
	f.Seconds += seconds
	t.features[name] = f
}

func (t *layerTime) travel(l float64, s FDM) {
	if l <= 0 {
		return
	}
	v := math.Min(s.TravelSpeed, math.Min(orInf(s.MaxFeedrateX), orInf(s.MaxFeedrateY)))
	sec := segmentTime(l, 0, v, 0, math.Min(orInf(s.TravelAccel), orInf(s.MaxAccelTravel)))
	if l > s.RetractBeforeTravel {
		sec += retraction(s)
	}
	t.feature(Travel, l, sec)
	t.other += sec
	t.askedOther += l / v
	if l > s.RetractBeforeTravel && s.RetractSpeed > 0 {
		t.askedOther += 2 * s.RetractLength / s.RetractSpeed
	}
}

// retraction is the time to pull the filament back and push it again:
// two moves of the extruder alone, within its feed rate, its retracting
// acceleration and its jerk.
func retraction(s FDM) float64 {
	if s.RetractLength <= 0 {
		return 0
	}
	move := func(v float64) float64 {
		v = math.Min(v, orInf(s.MaxFeedrateE))
		in := math.Min(s.JerkE, v)
		return segmentTime(s.RetractLength, in, v, in, orInf(s.MaxAccelRetract))
	}
	back := s.DeretractSpeed
	if back <= 0 {
		back = s.RetractSpeed
	}
	return move(s.RetractSpeed) + move(back)
}

// layerChange times the move up to layer i (of height h): the Z axis is
// slow to speed up, and a retraction comes with it when
// retract_layer_change is set.
func (t *layerTime) layerChange(h float64, s FDM) {
	v := s.TravelSpeedZ
	if v <= 0 {
		v = s.TravelSpeed
	}
	v = math.Min(v, orInf(s.MaxFeedrateZ))
	in := math.Min(s.JerkZ, v)
	sec := segmentTime(h, in, v, in, orInf(s.MaxAccelZ))
	if s.RetractLayerChange == 1 {
		sec += retraction(s)
	}
	t.feature(Travel, 0, sec)
	t.other += sec
	t.askedOther += h / v
}

// coolingCap is the speed PrusaSlicer's cooling caps a layer's
// extrusions at: the one that makes the layer's stated time (lengths
// over speeds) slowdown_below_layer_time, no lower than min_print_speed;
// 0 when the layer is slow enough already.
func (t *layerTime) coolingCap(s FDM) float64 {
	if s.SlowdownBelowLayerTime <= 0 || len(t.asked) == 0 {
		return 0
	}
	stated := func(limit float64) float64 {
		sum := t.askedOther
		for _, a := range t.asked {
			sum += a.length / math.Min(a.speed, limit)
		}
		return sum
	}
	if stated(math.Inf(1)) >= s.SlowdownBelowLayerTime {
		return 0
	}
	lo, hi := s.MinPrintSpeed, 0.0
	for _, a := range t.asked {
		hi = math.Max(hi, a.speed)
	}
	if lo >= hi || stated(lo) <= s.SlowdownBelowLayerTime {
		return math.Max(lo, 1e-3) // even at the slowest the layer is quick
	}
	for range 60 { // the stated time falls as the cap rises
		mid := (lo + hi) / 2
		if stated(mid) > s.SlowdownBelowLayerTime {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

func (t *layerTime) addTo(res *FDMResult) {
	for name, f := range t.features {
		g := res.Features[name]
		g.LengthMM += f.LengthMM
		g.Seconds += f.Seconds
		res.Features[name] = g
	}
	res.Seconds += t.extrude + t.other
	res.VolumeMM3 += t.volume
}

// simplify drops the points of a closed loop that lie within tol of the
// path without them (Ramer-Douglas-Peucker, from the loop's farthest
// pair), as slicers do by their G-code resolution: a curve cut into
// tenth-of-a-millimetre segments is printed as the few moves that stay
// within it.
func simplify(loop []geometry.Point2, tol float64) []geometry.Point2 {
	if tol <= 0 || len(loop) < 4 {
		return loop
	}
	// Split at the point farthest from the first, so each half is an
	// open chain with distinct ends.
	far, best := 0, -1.0
	for i, p := range loop {
		if d := math.Hypot(p.X-loop[0].X, p.Y-loop[0].Y); d > best {
			far, best = i, d
		}
	}
	keep := make([]bool, len(loop))
	keep[0], keep[far] = true, true
	rdp(loop, keep, 0, far, tol)
	rdp(loop, keep, far, len(loop), tol) // back round to the first
	return kept(loop, keep)
}

// simplifyOpen is simplify for a path with two ends, which stay.
func simplifyOpen(path []geometry.Point2, tol float64) []geometry.Point2 {
	if tol <= 0 || len(path) < 3 {
		return path
	}
	keep := make([]bool, len(path))
	keep[0], keep[len(path)-1] = true, true
	rdp(path, keep, 0, len(path)-1, tol)
	return kept(path, keep)
}

// rdp marks in keep the points between a and b (b may run past the end
// of a loop, round to its start) that the path needs to stay within tol.
func rdp(pts []geometry.Point2, keep []bool, a, b int, tol float64) {
	n := len(pts)
	for {
		pa, pb := pts[a%n], pts[b%n]
		dx, dy := pb.X-pa.X, pb.Y-pa.Y
		l := math.Hypot(dx, dy)
		idx, worst := -1, tol
		for i := a + 1; i < b; i++ {
			p := pts[i%n]
			var d float64
			if l == 0 {
				d = math.Hypot(p.X-pa.X, p.Y-pa.Y)
			} else {
				d = math.Abs(dx*(p.Y-pa.Y)-dy*(p.X-pa.X)) / l
			}
			if d > worst {
				idx, worst = i, d
			}
		}
		if idx < 0 {
			return
		}
		keep[idx%n] = true
		// Recurse into the shorter side, loop over the longer: depth
		// stays logarithmic.
		if idx-a < b-idx {
			rdp(pts, keep, a, idx, tol)
			a = idx
		} else {
			rdp(pts, keep, idx, b, tol)
			b = idx
		}
	}
}

func kept(pts []geometry.Point2, keep []bool) []geometry.Point2 {
	out := make([]geometry.Point2, 0, len(pts)/4+3)
	for i, p := range pts {
		if keep[i] {
			out = append(out, p)
		}
	}
	return out
}
