package geometry

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/dgml/dgml"
)

// MaxLayers bounds a slicing: 100,000 layers are 20 m at 0.2 mm.
const MaxLayers = 100_000

// Layer is one horizontal cut through a mesh: closed loops in the plane
// at height Z. Outer boundaries run counter-clockwise and holes clockwise
// when the mesh is consistently oriented, so the signed areas add up to
// the layer's area.
type Layer struct {
	Z      float64 // height of the cut
	Bottom float64 // bottom of the printed layer
	Height float64 // thickness of the printed layer
	Loops  [][]Point2
}

// Area is the layer's net area (holes subtracted).
func (l *Layer) Area() float64 {
	a := 0.0
	for _, p := range l.Loops {
		a += signedArea(p)
	}
	return math.Abs(a)
}

// Perimeter is the total length of the layer's loops.
func (l *Layer) Perimeter() float64 {
	s := 0.0
	for _, p := range l.Loops {
		s += Length(p)
	}
	return s
}

// Length is the length of a closed loop.
func Length(p []Point2) float64 {
	s := 0.0
	for i := range p {
		q := p[(i+1)%len(p)]
		s += math.Hypot(q.X-p[i].X, q.Y-p[i].Y)
	}
	return s
}

// SignedArea is positive for a counter-clockwise loop.
func SignedArea(p []Point2) float64 { return signedArea(p) }

// Slice cuts the mesh, resting on z=0 at its lowest point, into layers:
// the first firstHeight thick, the rest layerHeight, each cut at its
// middle as slicers do.
//
// A part would need more than MaxLayers layers is refused: it is no print.
func Slice(ctx context.Context, m *Mesh, firstHeight, layerHeight float64) ([]Layer, error) {
	if m.Len() == 0 || !(layerHeight > 0) || !(firstHeight > 0) {
		return nil, nil
	}
	ix := weld(m)
	lo, hi := bounds(ix.verts)
	top := hi.Z - lo.Z
	if n := (top-firstHeight)/layerHeight + 1; !(n <= MaxLayers) {
		return nil, &dgml.Error{Kind: dgml.TooLarge, Op: "geometry.Slice", Msg: fmt.Sprintf("a part %.0f mm tall at %g mm layers needs more than %d layers", top, layerHeight, MaxLayers)}
	}
	var layers []Layer
	for bottom, h := 0.0, firstHeight; bottom+h/2 < top; bottom, h = bottom+h, layerHeight {
		layers = append(layers, Layer{Z: bottom + h/2, Bottom: bottom, Height: h})
	}
	if len(layers) == 0 {
		return nil, nil // thinner than half a first layer: nothing to print
	}
	// Each triangle joins the sweep at the first layer whose plane is at
	// or above its lowest point: a counting sort by that layer (no
	// comparison sort of millions of triangles), and the sweep keeps
	// those that still span the current plane.
	first := make([]int32, len(ix.tris))
	zmax := make([]float64, len(ix.tris))
	starts := make([]int32, len(layers)+2)
	for i, t := range ix.tris {
		a, b, c := ix.verts[t[0]].Z-lo.Z, ix.verts[t[1]].Z-lo.Z, ix.verts[t[2]].Z-lo.Z
		zmin := math.Min(a, math.Min(b, c))
		zmax[i] = math.Max(a, math.Max(b, c))
		// The layers after the first are evenly spaced: guess, then
		// step to the exact one.
		li := 0
		if zmin > layers[0].Z && len(layers) > 1 {
			li = min(len(layers)-1, max(1, int((zmin-layers[1].Z)/layerHeight)+1))
		}
		for li > 0 && layers[li-1].Z >= zmin {
			li--
		}
		for li < len(layers) && layers[li].Z < zmin {
			li++
		}
		first[i] = int32(li) // len(layers): above every plane, never cut
		starts[li+1]++
	}
	for li := 1; li < len(starts); li++ {
		starts[li] += starts[li-1]
	}
	byLayer := make([]int32, len(ix.tris))
	fill := append([]int32(nil), starts...)
	for i, li := range first {
		byLayer[fill[li]] = int32(i)
		fill[li]++
	}
	first, fill = nil, nil
	// The sweep hands each layer its triangles; the layers are cut on
	// every core.
	type work struct {
		li   int
		tris []int32
	}
	jobs := make(chan work, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c cutter
			for w := range jobs {
				layers[w.li].Loops = c.cut(ix, w.tris, layers[w.li].Z+lo.Z)
			}
		}()
	}
	var active []int32
	var err error
	for li := range layers {
		if li%256 == 0 && ctx.Err() != nil {
			err = ctx.Err()
			break
		}
		z := layers[li].Z
		active = append(active, byLayer[starts[li]:starts[li+1]]...)
		kept := active[:0]
		for _, t := range active {
			if zmax[t] > z {
				kept = append(kept, t)
			}
		}
		active = kept
		jobs <- work{li, append([]int32(nil), active...)}
	}
	close(jobs)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	return layers, nil
}

type cutter struct {
	point   map[uint64]Point2
	next    map[uint64]uint64
	scratch []Point2
	starts  []uint64
}

// cut intersects the given triangles with the plane at z and chains the
// segments into loops. A segment's ends are named by the mesh edges they
// lie on, so chaining is exact, without tolerances.
//
// The cutter keeps its tables from layer to layer: a tall part's layers
// would otherwise each build them anew.
func (c *cutter) cut(ix *indexed, tris []int32, z float64) [][]Point2 {
	if c.point == nil {
		c.point, c.next = map[uint64]Point2{}, map[uint64]uint64{}
	}
	clear(c.point)
	clear(c.next)
	c.starts = c.starts[:0]
	point, next := c.point, c.next
	above := func(v int32) bool { return ix.verts[v].Z > z }
	cross := func(u, v int32) uint64 {
		key, _ := edgeKey(u, v)
		if _, ok := point[key]; !ok {
			a, b := ix.verts[u], ix.verts[v]
			t := (z - a.Z) / (b.Z - a.Z)
			point[key] = Point2{a.X + t*(b.X-a.X), a.Y + t*(b.Y-a.Y)}
		}
		return key
	}
	for _, ti := range tris {
		t := ix.tris[ti]
		// Walking the triangle's edges in order, the plane is entered on
		// the edge going from below to above and left on the one going
		// from above to below; the segment runs from the exit to the
		// entry point so that, seen from above, material lies to its left.
		var in, out uint64
		var hasIn, hasOut bool
		for k := 0; k < 3; k++ {
			u, v := t[k], t[(k+1)%3]
			switch {
			case !above(u) && above(v):
				in, hasIn = cross(u, v), true
			case above(u) && !above(v):
				out, hasOut = cross(u, v), true
			}
		}
		if hasIn && hasOut && in != out {
			next[out] = in
			c.starts = append(c.starts, out)
		}
	}
	// Loops start where the first triangle's segment does, so that the
	// same mesh always gives the same loops (a map's order would not).
	var loops [][]Point2
	for _, start := range c.starts {
		if _, ok := next[start]; !ok {
			continue
		}
		loop := c.scratch[:0]
		k := start
		for {
			n, ok := next[k]
			if !ok {
				break // an open chain: the mesh has a hole here
			}
			loop = append(loop, point[k])
			delete(next, k)
			k = n
			if k == start {
				break
			}
		}
		c.scratch = loop // grown once, reused for the next loop
		if len(loop) >= 3 {
			loops = append(loops, slices.Clone(loop))
		}
	}
	return loops
}
