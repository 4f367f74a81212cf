package main

import (
	"math"

	"github.com/dgml/dgml/geometry"
)

// fdmParts are the kinds of part the issue names, each a closed mesh.
func fdmParts() map[string]*geometry.Mesh {
	ring := func(r, wall float64) []p2 { // an annulus profile, r outer
		return []p2{{r - wall, 0}, {r, 0}, {r, 1}, {r - wall, 1}}
	}
	return map[string]*geometry.Mesh{
		"tower":          box(0, 0, 0, 18, 18, 60),
		"tube-1mm":       revolve(scaleZ(ring(15, 1.0), 40), 128),
		"tube-08mm":      revolve(scaleZ(ring(10, 0.8), 30), 96),
		"vase-12mm":      revolve([]p2{{0.001, 0}, {22, 0}, {14, 50}, {12.8, 50}, {20.8, 1.2}, {0.001, 1.2}}, 128),
		"plate":          box(0, 0, 0, 80, 60, 3),
		"hollow-box":     voxels(40, 40, 30, 1, func(x, y, z int) bool { return !(x >= 2 && x < 38 && y >= 2 && y < 38 && z >= 2 && z < 28) }),
		"cup-12mm":       voxels(75, 75, 62, 0.4, func(x, y, z int) bool { return !(x >= 3 && x < 72 && y >= 3 && y < 72 && z >= 3) }),
		"bridge":         standUp(must(geometry.Extrude(outline(0, 0, 10, 0, 10, 20, 40, 20, 40, 0, 50, 0, 50, 25, 0, 25), 12))),
		"overhang":       standUp(must(geometry.Extrude(outline(0, 0, 12, 0, 12, 15, 30, 33, 30, 38, 0, 38), 15))),
		"sphere":         revolve(semicircle(20, 64), 128),
		"torus":          torus(25, 8, 128, 48),
		"tiny-cube":      box(0, 0, 0, 5, 5, 5),
		"tiny-pin":       revolve(scaleZ([]p2{{0.001, 0}, {3, 0}, {3, 1}, {0.001, 1}}, 8), 48),
		"gear":           must(geometry.Extrude(geometry.Gear(20, 2), 8)),
		"perforated":     voxels(120, 80, 6, 0.5, func(x, y, z int) bool { return !hole(x, y) }),
		"thin-fin-plate": finPlate(),
	}
}

type p2 struct{ r, z float64 }

func scaleZ(ps []p2, h float64) []p2 {
	out := make([]p2, len(ps))
	for i, p := range ps {
		out[i] = p2{p.r, p.z * h}
	}
	return out
}

func semicircle(r float64, n int) []p2 {
	out := make([]p2, 0, n+1)
	for i := 0; i <= n; i++ {
		a := -math.Pi/2 + math.Pi*float64(i)/float64(n)
		out = append(out, p2{math.Max(r*math.Cos(a), 0.001), r + r*math.Sin(a)})
	}
	return out
}

// revolve turns a closed profile (r > 0, counter-clockwise in the r-z
// plane) around the Z axis in n steps.
func revolve(profile []p2, n int) *geometry.Mesh {
	m := &geometry.Mesh{}
	at := func(p p2, i int) vec {
		a := 2 * math.Pi * float64(i%n) / float64(n)
		return vec{X: p.r * math.Cos(a), Y: p.r * math.Sin(a), Z: p.z}
	}
	for k := range profile {
		a, b := profile[k], profile[(k+1)%len(profile)]
		for i := 0; i < n; i++ {
			quad(m, at(a, i), at(a, i+1), at(b, i+1), at(b, i))
		}
	}
	return m
}

func box(x0, y0, z0, x1, y1, z1 float64) *geometry.Mesh {
	m, _ := geometry.Extrude(outline(x0, y0, x1, y0, x1, y1, x0, y1), z1-z0)
	return m
}

// standUp turns a part extruded along Z so that its outline stands in
// the X-Z plane (a rotation, so the faces keep facing out).
func standUp(m *geometry.Mesh) *geometry.Mesh {
	for i := range m.Triangles {
		for j := range m.Triangles[i] {
			v := m.Triangles[i][j]
			m.Triangles[i][j] = vec{X: v.X, Y: -v.Z, Z: v.Y}
		}
	}
	return m
}

// voxels meshes the solid cells of a grid: a face wherever a solid cell
// meets an empty one or the outside.
func voxels(nx, ny, nz int, cell float64, solid func(x, y, z int) bool) *geometry.Mesh {
	in := func(x, y, z int) bool {
		return x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz && solid(x, y, z)
	}
	m := &geometry.Mesh{}
	p := func(x, y, z int) vec { return vec{X: float64(x) * cell, Y: float64(y) * cell, Z: float64(z) * cell} }
	for x := 0; x < nx; x++ {
		for y := 0; y < ny; y++ {
			for z := 0; z < nz; z++ {
				if !in(x, y, z) {
					continue
				}
				if !in(x+1, y, z) {
					quad(m, p(x+1, y, z), p(x+1, y+1, z), p(x+1, y+1, z+1), p(x+1, y, z+1))
				}
				if !in(x-1, y, z) {
					quad(m, p(x, y, z), p(x, y, z+1), p(x, y+1, z+1), p(x, y+1, z))
				}
				if !in(x, y+1, z) {
					quad(m, p(x, y+1, z), p(x, y+1, z+1), p(x+1, y+1, z+1), p(x+1, y+1, z))
				}
				if !in(x, y-1, z) {
					quad(m, p(x, y, z), p(x+1, y, z), p(x+1, y, z+1), p(x, y, z+1))
				}
				if !in(x, y, z+1) {
					quad(m, p(x, y, z+1), p(x+1, y, z+1), p(x+1, y+1, z+1), p(x, y+1, z+1))
				}
				if !in(x, y, z-1) {
					quad(m, p(x, y, z), p(x, y+1, z), p(x+1, y+1, z), p(x+1, y, z))
				}
			}
		}
	}
	return m
}

// hole says whether a cell of the perforated plate (0.5 mm cells) is in
// one of its 6 mm round holes on a 12 mm grid.
func hole(x, y int) bool {
	cx, cy := float64(x)*0.5+0.25, float64(y)*0.5+0.25
	gx, gy := math.Mod(cx, 12)-6, math.Mod(cy, 12)-6
	return math.Hypot(gx, gy) < 3
}

// finPlate is a base plate with upright fins 0.6, 0.8, 1.0 and 1.2 mm
// thick: walls thinner than two perimeters.
func finPlate() *geometry.Mesh {
	m := box(0, 0, 0, 60, 30, 2)
	x := 5.0
	for _, t := range []float64{0.6, 0.8, 1.0, 1.2} {
		f := box(x, 3, 0, x+t, 27, 23)
		f.Translate(vec{Z: 2}) // standing on the plate, not in it
		m.Append(f)
		x += 14
	}
	return m
}

// outline is a polygon from x, y pairs.
func outline(xy ...float64) []geometry.Point2 {
	out := make([]geometry.Point2, 0, len(xy)/2)
	for i := 0; i+1 < len(xy); i += 2 {
		out = append(out, geometry.Point2{X: xy[i], Y: xy[i+1]})
	}
	return out
}
