package geometry

import (
	"bufio"
	"context"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/dgml/dgml"
)

// Options tune the analysis.
type Options struct {
	// OverhangAngle is the steepest overhang printable without support,
	// in degrees from vertical (45 is the common FDM rule of thumb).
	OverhangAngle float64
}

// DefaultOptions are those of a typical FDM printer.
var DefaultOptions = Options{OverhangAngle: 45}

// Analysis is what the engine measures of a mesh. Lengths in mm.
type Analysis struct {
	Triangles        int     `json:"triangles"`
	Vertices         int     `json:"vertices"`
	Min              Vec     `json:"min"`
	Max              Vec     `json:"max"`
	Size             Vec     `json:"size"`
	Volume           float64 `json:"volume_mm3"`
	Area             float64 `json:"area_mm2"`
	Shells           int     `json:"shells"`
	BoundaryEdges    int     `json:"boundary_edges"`    // used by one face: a hole
	NonManifoldEdges int     `json:"nonmanifold_edges"` // used by three faces or more
	FlippedFaces     int     `json:"flipped_faces"`     // facing against their neighbours
	DegenerateFaces  int     `json:"degenerate_faces"`  // of no area
	Watertight       bool    `json:"watertight"`        // closed, manifold, consistently oriented
	Overhang         float64 `json:"overhang_area_mm2"` // as placed, +Z up
	// Orientations are the six axis-aligned ways to place the part; the
	// planner tests their sizes against machine envelopes.
	Orientations []Orientation `json:"orientations"`
	Suggested    string        `json:"suggested_orientation"` // least overhang, then least height

	inconsistent int // edges whose faces disagree within a shell
}

// Orientation is the part placed with one axis pointing up.
type Orientation struct {
	Up       string  `json:"up"` // +z, -z, +x, -x, +y, -y
	Size     Vec     `json:"size"`
	Overhang float64 `json:"overhang_area_mm2"`
}

// Vec's JSON form is [x, y, z].
func (v Vec) MarshalJSON() ([]byte, error) {
	return []byte("[" + num(v.X) + "," + num(v.Y) + "," + num(v.Z) + "]"), nil
}

func num(f float64) string {
	b, _ := jsonFloat(f)
	return string(b)
}

// Analyze measures a mesh. Work stops when ctx is done; a mesh whose
// figures come out as no finite number (a model of coordinates made to
// overflow) is refused with an error rather than measured wrong.
func Analyze(ctx context.Context, m *Mesh, opt Options) (*Analysis, error) {
	if m.Len() == 0 {
		return &Analysis{}, nil
	}
	return analyzeIndexed(ctx, weld(m), opt)
}

// AnalyzeFile measures a part file as Analyze does. A binary STL is
// streamed into shared vertices without ever holding its triangles one
// by one, so a file of millions of triangles takes a fraction of the
// memory; other formats are read whole first.
func AnalyzeFile(ctx context.Context, name string, r io.Reader, lim Limits, opt Options) (*Analysis, error) {
	m, err := ReadForSlicing(ctx, name, r, lim)
	if err != nil {
		return nil, err
	}
	return Analyze(ctx, m, opt)
}

// ReadForSlicing reads a part file for slicing and analysis only. A
// binary STL is streamed straight into shared vertices (decoded on one
// core, welded on the other) and the mesh returned holds no triangle
// list; Slice and Analyze read it as any other. Other formats are read
// whole.
func ReadForSlicing(ctx context.Context, name string, r io.Reader, lim Limits) (*Mesh, error) {
	if strings.ToLower(filepath.Ext(name)) == ".stl" {
		br := bufio.NewReaderSize(r, 1<<16)
		head, _ := br.Peek(512)
		if !isASCIISTL(head) {
			ix, err := streamWeld(ctx, name, br, lim)
			if err != nil {
				return nil, err
			}
			return &Mesh{shared: ix, sharedOnly: true}, nil
		}
		r = br
	}
	return Read(ctx, name, r, lim)
}

// streamWeld reads a binary STL into shared vertices: one core decodes
// records while the other welds them.
func streamWeld(ctx context.Context, name string, r io.Reader, lim Limits) (*indexed, error) {
	const batch = 1 << 12
	full, free := make(chan []Triangle, 4), make(chan []Triangle, 4)
	for range 4 {
		free <- make([]Triangle, 0, batch)
	}
	var w *welder
	var err error
	go func() {
		defer close(full)
		cur := <-free
		err = eachBinarySTL(ctx, name, r, lim, func(n int) { w = newWelder(n) }, func(t *Triangle) {
			cur = append(cur, *t)
			if len(cur) == batch {
				full <- cur
				cur = <-free
			}
		})
		if len(cur) > 0 {
			full <- cur
		}
	}()
	for b := range full {
		for i := range b {
			w.add(b[i])
		}
		free <- b[:0]
	}
	if err != nil {
		return nil, err
	}
	if w == nil {
		return &indexed{}, nil
	}
	return w.done(), nil
}

func analyzeIndexed(ctx context.Context, ix *indexed, opt Options) (*Analysis, error) {
	if opt.OverhangAngle <= 0 || math.IsNaN(opt.OverhangAngle) {
		opt.OverhangAngle = DefaultOptions.OverhangAngle
	}
	a := &Analysis{Triangles: len(ix.tris), Vertices: len(ix.verts)}
	a.Min, a.Max = bounds(ix.verts)
	a.Size = a.Max.Sub(a.Min)
	// The faces' measures and the topology read the mesh and write apart:
	// they run on two cores.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.Area, a.Volume, a.DegenerateFaces = faces(ix)
		a.Orientations = orientations(ix, a, opt)
	}()
	topology(ix, a)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a.Watertight = a.BoundaryEdges == 0 && a.NonManifoldEdges == 0 && a.inconsistent == 0 && a.FlippedFaces == 0 && a.Volume > 0
	a.Overhang = a.Orientations[0].Overhang
	a.Suggested = suggest(a.Orientations)
	for _, x := range []float64{a.Area, a.Volume, a.Size.X, a.Size.Y, a.Size.Z, a.Overhang} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, &dgml.Error{Kind: dgml.Invalid, Op: "geometry.Analyze", Msg: "the mesh's area, volume or size is not a finite number: its coordinates are out of any printable range"}
		}
	}
	return a, nil
}

func bounds(vs []Vec) (Vec, Vec) {
	lo := Vec{math.Inf(1), math.Inf(1), math.Inf(1)}
	hi := Vec{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for _, v := range vs {
		lo = Vec{math.Min(lo.X, v.X), math.Min(lo.Y, v.Y), math.Min(lo.Z, v.Z)}
		hi = Vec{math.Max(hi.X, v.X), math.Max(hi.Y, v.Y), math.Max(hi.Z, v.Z)}
	}
	return lo, hi
}

// faces computes the total area, the signed volume (divergence theorem,
// so right for a closed mesh) and the faces of no area.
func faces(ix *indexed) (area, volume float64, degenerate int) {
	for f := range ix.tris {
		t := ix.triangle(f)
		c := t[1].Sub(t[0]).Cross(t[2].Sub(t[0]))
		l := c.Len()
		if l < 1e-12 {
			degenerate++
			continue
		}
		area += l / 2
		volume += t[0].Dot(t[1].Cross(t[2])) / 6
	}
	return area, volume, degenerate
}

// topology counts shells and checks that every edge joins exactly two
// faces that run it in opposite directions. Faces meeting at an edge are
// found through the faces around each vertex (a compact list, 4 bytes a
// corner), not through a table of edges.
func topology(ix *indexed, a *Analysis) {
	n := len(ix.tris)
	// around[start[v]:start[v+1]] are the faces at vertex v, in order.
	start := make([]int32, len(ix.verts)+1)
	for _, t := range ix.tris {
		for _, v := range t {
			start[v+1]++
		}
	}
	for v := range ix.verts {
		start[v+1] += start[v]
	}
	around := make([]int32, start[len(ix.verts)])
	fill := make([]int32, len(ix.verts))
	for f, t := range ix.tris {
		for _, v := range t {
			around[start[v]+fill[v]] = int32(f)
			fill[v]++
		}
	}
	fill = nil
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	// parity[f] is f's orientation relative to its union-find parent:
	// neighbours agree when they run their shared edge in opposite
	// directions, so a shell's faces split into two parities, and the
	// smaller part is the flipped faces.
	parity := make([]bool, n)
	find := func(x int32) (int32, bool) {
		// Up to the root, then back down compressing the path.
		r, p := x, false
		for parent[r] != r {
			p = p != parity[r]
			r = parent[r]
		}
		for x != r {
			next, px := parent[x], parity[x]
			parent[x], parity[x] = r, p
			p = p != px
			x = next
		}
		return r, false
	}
	// direction says whether face g runs the edge u→v (true) or v→u, and
	// whether it has the edge at all.
	direction := func(g int32, u, v int32) (has, fwd bool) {
		t := ix.tris[g]
		for k := 0; k < 3; k++ {
			a, b := t[k], t[(k+1)%3]
			if a == u && b == v {
				return true, true
			}
			if a == v && b == u {
				return true, false
			}
		}
		return false, false
	}
	inconsistent := 0
	for f, t := range ix.tris {
		for k := 0; k < 3; k++ {
			u, v := t[k], t[(k+1)%3]
			if u == v {
				continue
			}
			// The faces along this edge, in face order; the edge is
			// counted once, by the first of them.
			first, second, uses := int32(f), int32(-1), 1
			secondFwd := false
			own := true
			for _, g := range around[start[u]:start[u+1]] {
				if g == int32(f) {
					continue
				}
				has, fwd := direction(g, u, v)
				if !has {
					continue
				}
				if g < int32(f) {
					own = false
					break
				}
				uses++
				if second < 0 {
					second, secondFwd = g, fwd
				}
			}
			if !own {
				continue
			}
			switch {
			case uses == 1:
				a.BoundaryEdges++
				continue
			case uses > 2:
				a.NonManifoldEdges++
			}
			// The first two faces are joined: they agree when they run the
			// edge in opposite directions (f runs it u→v).
			flip := secondFwd
			rf, _ := find(first)
			rg, _ := find(second)
			pf, pg := parityOf(parent, parity, first), parityOf(parent, parity, second)
			if rf == rg {
				if (pf != pg) != flip {
					inconsistent++
				}
				continue
			}
			parent[rg] = rf
			parity[rg] = pf != pg != flip
		}
	}
	around, start = nil, nil
	// Faces per shell and parity, indexed by the shell's root.
	counts := make([][2]int32, n)
	for i := range ix.tris {
		r, _ := find(int32(i))
		p := parityOf(parent, parity, int32(i))
		if p {
			counts[r][1]++
		} else {
			counts[r][0]++
		}
	}
	for _, c := range counts {
		if c[0]+c[1] > 0 {
			a.Shells++
			a.FlippedFaces += int(min(c[0], c[1]))
		}
	}
	a.inconsistent = inconsistent
}

// parityOf is a face's orientation relative to its root, once find has
// compressed its path (its parent is then the root, or it is the root).
func parityOf(parent []int32, parity []bool, x int32) bool {
	if parent[x] == x {
		return false
	}
	return parity[x]
}

func edgeKey(u, v int32) (uint64, bool) {
	if u < v {
		return uint64(u)<<32 | uint64(v), true
	}
	return uint64(v)<<32 | uint64(u), false
}

var axes = []struct {
	name string
	up   Vec
}{{"+z", Vec{0, 0, 1}}, {"-z", Vec{0, 0, -1}}, {"+x", Vec{1, 0, 0}}, {"-x", Vec{-1, 0, 0}}, {"+y", Vec{0, 1, 0}}, {"-y", Vec{0, -1, 0}}}

// orientations measures the part placed with each axis up: its size
// (width, depth, height) and the area of faces that overhang more than the
// printable angle, not counting faces resting on the bed.
func orientations(ix *indexed, a *Analysis, opt Options) []Orientation {
	limit := math.Sin(opt.OverhangAngle * math.Pi / 180)
	out := make([]Orientation, len(axes))
	var bed [6]float64
	for i, ax := range axes {
		o := Orientation{Up: ax.name}
		switch ax.name[1] {
		case 'z':
			o.Size = Vec{a.Size.X, a.Size.Y, a.Size.Z}
		case 'x':
			o.Size = Vec{a.Size.Y, a.Size.Z, a.Size.X}
		default:
			o.Size = Vec{a.Size.X, a.Size.Z, a.Size.Y}
		}
		bed[i] = math.Min(ax.up.Dot(a.Min), ax.up.Dot(a.Max))
		out[i] = o
	}
	for f := range ix.tris {
		t := ix.triangle(f)
		c := t[1].Sub(t[0]).Cross(t[2].Sub(t[0]))
		l := c.Len()
		if l < 1e-12 {
			continue
		}
		n := c.Scale(1 / l)
		for i, ax := range axes {
			down := -n.Dot(ax.up)
			if down <= limit {
				continue
			}
			low := math.Max(math.Max(ax.up.Dot(t[0]), ax.up.Dot(t[1])), ax.up.Dot(t[2]))
			if low-bed[i] < 0.05 {
				continue // on the bed
			}
			out[i].Overhang += l / 2
		}
	}
	return out
}

func suggest(os []Orientation) string {
	best := append([]Orientation(nil), os...)
	sort.SliceStable(best, func(i, j int) bool {
		if math.Abs(best[i].Overhang-best[j].Overhang) > 1e-6 {
			return best[i].Overhang < best[j].Overhang
		}
		return best[i].Size.Z < best[j].Size.Z
	})
	return best[0].Up
}
