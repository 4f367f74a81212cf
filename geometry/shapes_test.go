package geometry

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

// volume by the divergence theorem: only right for a closed, outward
// oriented mesh, so it also checks the extrusion's orientation.
func volume(m *Mesh) float64 {
	v := 0.0
	for _, t := range m.Triangles {
		v += t[0].Dot(t[1].Cross(t[2])) / 6
	}
	return v
}

func TestExtrudeIsClosedAndOriented(t *testing.T) {
	for _, c := range []struct {
		name string
		poly []Point2
		h    float64
	}{
		{"L bracket", LBracket(40, 30, 5), 10},
		{"gear", Gear(20, 2), 6},
		{"clip", Clip(8, 3), 4},
		{"square clockwise", []Point2{{0, 0}, {0, 10}, {10, 10}, {10, 0}}, 2},
	} {
		m, err := Extrude(c.poly, c.h)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want := math.Abs(signedArea(c.poly)) * c.h
		if got := volume(m); math.Abs(got-want) > 1e-6*want {
			t.Errorf("%s: volume %v, want %v", c.name, got, want)
		}
		edges := map[[2]Vec]int{}
		for _, tr := range m.Triangles {
			for i := 0; i < 3; i++ {
				edges[[2]Vec{tr[i], tr[(i+1)%3]}]++
			}
		}
		for e, n := range edges {
			if n != 1 || edges[[2]Vec{e[1], e[0]}] != 1 {
				t.Fatalf("%s: edge %v used %d times, reverse %d: not a closed manifold", c.name, e, n, edges[[2]Vec{e[1], e[0]}])
			}
		}
	}
}

func TestWriteSTL(t *testing.T) {
	m, _ := Extrude(LBracket(10, 10, 2), 3)
	var b bytes.Buffer
	if err := WriteSTL(&b, m, "x"); err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint32(b.Bytes()[80:])
	if int(n) != len(m.Triangles) || b.Len() != 84+50*len(m.Triangles) {
		t.Errorf("%d triangles in the header, %d bytes", n, b.Len())
	}
}
