package geometry

import (
	"context"
	"github.com/dgml/dgml"
	"math"
	"sort"
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

// indexed is a mesh with shared vertices, as analysis needs it.
type indexed struct {
	verts []Vec
	tris  [][3]int32
}

func weld(m *Mesh) *indexed {
	ix := &indexed{tris: make([][3]int32, len(m.Triangles)), verts: make([]Vec, 0, len(m.Triangles)/2+3)}
	seen := make(map[Vec]int32, len(m.Triangles)/2+3)
	for i, t := range m.Triangles {
		for j, v := range t {
			id, ok := seen[v]
			if !ok {
				id = int32(len(ix.verts))
				seen[v] = id
				ix.verts = append(ix.verts, v)
			}
			ix.tris[i][j] = id
		}
	}
	return ix
}

// Analyze measures a mesh. Work stops when ctx is done; a mesh whose
// figures come out as no finite number (a model of coordinates made to
// overflow) is refused with an error rather than measured wrong.
func Analyze(ctx context.Context, m *Mesh, opt Options) (*Analysis, error) {
	if opt.OverhangAngle <= 0 || math.IsNaN(opt.OverhangAngle) {
		opt.OverhangAngle = DefaultOptions.OverhangAngle
	}
	a := &Analysis{Triangles: len(m.Triangles)}
	if len(m.Triangles) == 0 {
		return a, nil
	}
	ix := weld(m)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a.Vertices = len(ix.verts)
	a.Min, a.Max = bounds(ix.verts)
	a.Size = a.Max.Sub(a.Min)
	var normals []Vec
	normals, a.Area, a.Volume, a.DegenerateFaces = faces(m)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	topology(ix, a)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a.Orientations = orientations(m, normals, a, opt)
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

// faces computes unit normals, total area, the signed volume (divergence
// theorem, so right for a closed mesh) and the faces of no area.
func faces(m *Mesh) (normals []Vec, area, volume float64, degenerate int) {
	normals = make([]Vec, len(m.Triangles))
	for i, t := range m.Triangles {
		c := t[1].Sub(t[0]).Cross(t[2].Sub(t[0]))
		l := c.Len()
		if l < 1e-12 {
			degenerate++
			continue
		}
		normals[i] = c.Scale(1 / l)
		area += l / 2
		volume += t[0].Dot(t[1].Cross(t[2])) / 6
	}
	return normals, area, volume, degenerate
}

// topology counts shells and checks that every edge joins exactly two
// faces that run it in opposite directions.
func topology(ix *indexed, a *Analysis) {
	parent := make([]int32, len(ix.tris))
	for i := range parent {
		parent[i] = int32(i)
	}
	// parity[f] is f's orientation relative to its union-find parent:
	// neighbours agree when they run their shared edge in opposite
	// directions, so a shell's faces split into two parities, and the
	// smaller part is the flipped faces.
	parity := make([]bool, len(ix.tris))
	var find func(x int32) (int32, bool)
	find = func(x int32) (int32, bool) {
		if parent[x] == x {
			return x, false
		}
		r, p := find(parent[x])
		parent[x] = r
		parity[x] = parity[x] != p
		return r, parity[x]
	}
	inconsistent := 0
	// An edge's state: first face << 8 | direction << 7 | uses (to 127).
	edges := make(map[uint64]int64, len(ix.tris)*3/2)
	for f, t := range ix.tris {
		for k := 0; k < 3; k++ {
			u, v := t[k], t[(k+1)%3]
			if u == v {
				continue
			}
			key, fwd := edgeKey(u, v)
			st, seen := edges[key]
			if !seen {
				edges[key] = int64(f)<<8 | b2i(fwd)<<7 | 1
				continue
			}
			uses := st & 127
			if uses < 127 {
				edges[key] = st + 1
			}
			if uses >= 2 {
				if uses == 2 {
					a.NonManifoldEdges++
				}
				continue
			}
			g, gfwd := int32(st>>8), st>>7&1 == 1
			flip := fwd == gfwd
			rf, pf := find(int32(f))
			rg, pg := find(g)
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
	for _, st := range edges {
		if st&127 == 1 {
			a.BoundaryEdges++
		}
	}
	count := map[int32][2]int{}
	for i := range ix.tris {
		r, p := find(int32(i))
		c := count[r]
		if p {
			c[1]++
		} else {
			c[0]++
		}
		count[r] = c
	}
	a.Shells = len(count)
	for _, c := range count {
		a.FlippedFaces += min(c[0], c[1])
	}
	a.Watertight = a.BoundaryEdges == 0 && a.NonManifoldEdges == 0 && inconsistent == 0 && a.FlippedFaces == 0 && a.Volume > 0
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
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
func orientations(m *Mesh, normals []Vec, a *Analysis, opt Options) []Orientation {
	limit := math.Sin(opt.OverhangAngle * math.Pi / 180)
	out := make([]Orientation, len(axes))
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
		bed := math.Min(ax.up.Dot(a.Min), ax.up.Dot(a.Max))
		for f, n := range normals {
			down := -n.Dot(ax.up)
			if down <= limit {
				continue
			}
			t := m.Triangles[f]
			low := math.Max(math.Max(ax.up.Dot(t[0]), ax.up.Dot(t[1])), ax.up.Dot(t[2]))
			if low-bed < 0.05 {
				continue // on the bed
			}
			o.Overhang += t[1].Sub(t[0]).Cross(t[2].Sub(t[0])).Len() / 2
		}
		out[i] = o
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
