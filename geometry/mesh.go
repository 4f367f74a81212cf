// Package geometry is dgml's geometry engine: triangle meshes, their file
// formats, and the measures a quote needs. It imports no store and no
// HTTP, so it can be tested and benchmarked alone.
package geometry

import (
	"bufio"
	"encoding/binary"
	"io"
	"math"
)

// Vec is a point or direction in millimetres.
type Vec struct{ X, Y, Z float64 }

// Add, Sub, Scale, Cross and Dot are the vector operations meshes need.
func (a Vec) Add(b Vec) Vec       { return Vec{a.X + b.X, a.Y + b.Y, a.Z + b.Z} }
func (a Vec) Sub(b Vec) Vec       { return Vec{a.X - b.X, a.Y - b.Y, a.Z - b.Z} }
func (a Vec) Scale(s float64) Vec { return Vec{a.X * s, a.Y * s, a.Z * s} }
func (a Vec) Dot(b Vec) float64   { return a.X*b.X + a.Y*b.Y + a.Z*b.Z }
func (a Vec) Cross(b Vec) Vec {
	return Vec{a.Y*b.Z - a.Z*b.Y, a.Z*b.X - a.X*b.Z, a.X*b.Y - a.Y*b.X}
}

// Len is the Euclidean length.
func (a Vec) Len() float64 { return math.Sqrt(a.Dot(a)) }

// Triangle is a face, counter-clockwise seen from outside.
type Triangle [3]Vec

// Normal is the unit normal of a triangle (zero for a degenerate one).
func (t Triangle) Normal() Vec {
	n := t[1].Sub(t[0]).Cross(t[2].Sub(t[0]))
	l := n.Len()
	if l == 0 {
		return Vec{}
	}
	return n.Scale(1 / l)
}

// Mesh is a triangle soup.
type Mesh struct {
	Triangles []Triangle
	// shared is the mesh with shared vertices when a reader built it
	// alongside (on another core); nil once the triangles change.
	shared *indexed
	// sharedOnly: read for slicing, the mesh is only shared; Triangles
	// is nil.
	sharedOnly bool
}

// Len is how many triangles the mesh has.
func (m *Mesh) Len() int {
	if m.sharedOnly {
		return len(m.shared.tris)
	}
	return len(m.Triangles)
}

// Translate moves every vertex by d.
func (m *Mesh) Translate(d Vec) {
	m.shared = nil
	for i := range m.Triangles {
		for j := range m.Triangles[i] {
			m.Triangles[i][j] = m.Triangles[i][j].Add(d)
		}
	}
}

// Append adds another mesh's triangles.
func (m *Mesh) Append(o *Mesh) {
	m.shared = nil
	m.Triangles = append(m.Triangles, o.Triangles...)
}

// WriteSTL writes the mesh as binary STL.
func WriteSTL(w io.Writer, m *Mesh, name string) error {
	bw := bufio.NewWriter(w)
	var header [80]byte
	copy(header[:], "dgml "+name)
	bw.Write(header[:])
	binary.Write(bw, binary.LittleEndian, uint32(len(m.Triangles)))
	var rec [50]byte
	for _, t := range m.Triangles {
		n := t.Normal()
		put := func(off int, v Vec) {
			binary.LittleEndian.PutUint32(rec[off:], math.Float32bits(float32(v.X)))
			binary.LittleEndian.PutUint32(rec[off+4:], math.Float32bits(float32(v.Y)))
			binary.LittleEndian.PutUint32(rec[off+8:], math.Float32bits(float32(v.Z)))
		}
		put(0, n)
		put(12, t[0])
		put(24, t[1])
		put(36, t[2])
		if _, err := bw.Write(rec[:]); err != nil {
			return err
		}
	}
	return bw.Flush()
}
