package geometry

import (
	"math"
)

// indexed is a mesh with shared vertices, as analysis and slicing need
// it: a vertex is stored once however many faces meet at it.
type indexed struct {
	verts []Vec
	tris  [][3]int32
}

// welder builds an indexed mesh a vertex at a time. Equal coordinates
// are one vertex (minus zero is zero), found in an open-addressing table
// of vertex numbers: four bytes a slot instead of a map entry's forty.
type welder struct {
	ix    indexed
	table []int32 // vertex number + 1; 0 is an empty slot
	// recent holds the vertices met lately by hash: meshes list a
	// vertex's faces near one another, so most lookups end here, in a
	// table small enough for the processor's cache.
	recent [1 << 14]struct {
		v  Vec
		id int32 // + 1
	}
}

func newWelder(triangles int) *welder {
	w := &welder{ix: indexed{tris: make([][3]int32, 0, triangles), verts: make([]Vec, 0, triangles/2+3)}}
	w.table = make([]int32, tableSize(triangles/2+3))
	return w
}

// tableSize is the power of two that keeps n entries at most half full.
func tableSize(n int) int {
	s := 16
	for s < 2*n {
		s <<= 1
	}
	return s
}

func hashVec(v Vec) uint64 {
	h := math.Float64bits(v.X)*0x9e3779b97f4a7c15 ^ math.Float64bits(v.Y)*0xc2b2ae3d27d4eb4f ^ math.Float64bits(v.Z)*0x165667b19e3779f9
	return h ^ h>>29
}

func (w *welder) vertex(v Vec) int32 {
	// Minus zero and zero are one coordinate, as == says.
	v.X, v.Y, v.Z = v.X+0, v.Y+0, v.Z+0
	h := hashVec(v)
	c := &w.recent[h>>50]
	if c.id != 0 && c.v == v {
		return c.id - 1
	}
	mask := uint64(len(w.table) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		id := w.table[i]
		if id == 0 {
			n := int32(len(w.ix.verts))
			w.ix.verts = append(w.ix.verts, v)
			w.table[i] = n + 1
			if 2*len(w.ix.verts) > len(w.table) {
				w.grow()
			}
			c.v, c.id = v, n+1
			return n
		}
		if w.ix.verts[id-1] == v {
			c.v, c.id = v, id
			return id - 1
		}
	}
}

func (w *welder) grow() {
	w.table = make([]int32, 2*len(w.table))
	mask := uint64(len(w.table) - 1)
	for n, v := range w.ix.verts {
		i := hashVec(v) & mask
		for w.table[i] != 0 {
			i = (i + 1) & mask
		}
		w.table[i] = int32(n) + 1
	}
}

func (w *welder) add(t Triangle) {
	w.ix.tris = append(w.ix.tris, [3]int32{w.vertex(t[0]), w.vertex(t[1]), w.vertex(t[2])})
}

// done returns the mesh and lets the table go.
func (w *welder) done() *indexed {
	w.table = nil
	return &w.ix
}

func weld(m *Mesh) *indexed {
	if m.shared != nil && (m.sharedOnly || len(m.shared.tris) == len(m.Triangles)) {
		return m.shared
	}
	w := newWelder(len(m.Triangles))
	for _, t := range m.Triangles {
		w.add(t)
	}
	return w.done()
}

func (ix *indexed) triangle(f int) Triangle {
	t := ix.tris[f]
	return Triangle{ix.verts[t[0]], ix.verts[t[1]], ix.verts[t[2]]}
}
