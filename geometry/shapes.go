package geometry

import (
	"errors"
	"math"
)

// Point2 is a point of a 2D outline.
type Point2 struct{ X, Y float64 }

// Extrude makes a closed solid from a simple polygon (counter-clockwise or
// not) swept from z=0 to z=height. The caps are triangulated by ear
// clipping, so the polygon may be concave (brackets, clips, gears).
func Extrude(poly []Point2, height float64) (*Mesh, error) {
	if len(poly) < 3 || height <= 0 {
		return nil, errors.New("extrude: need 3 points and a positive height")
	}
	if signedArea(poly) < 0 {
		rev := make([]Point2, len(poly))
		for i, p := range poly {
			rev[len(poly)-1-i] = p
		}
		poly = rev
	}
	caps, err := earClip(poly)
	if err != nil {
		return nil, err
	}
	m := &Mesh{}
	at := func(p Point2, z float64) Vec { return Vec{p.X, p.Y, z} }
	for _, t := range caps {
		a, b, c := poly[t[0]], poly[t[1]], poly[t[2]]
		m.Triangles = append(m.Triangles,
			Triangle{at(a, height), at(b, height), at(c, height)}, // top faces up
			Triangle{at(a, 0), at(c, 0), at(b, 0)})                // bottom faces down
	}
	for i := range poly {
		a, b := poly[i], poly[(i+1)%len(poly)]
		m.Triangles = append(m.Triangles,
			Triangle{at(a, 0), at(b, 0), at(b, height)},
			Triangle{at(a, 0), at(b, height), at(a, height)})
	}
	return m, nil
}

func signedArea(p []Point2) float64 {
	s := 0.0
	for i := range p {
		j := (i + 1) % len(p)
		s += p[i].X*p[j].Y - p[j].X*p[i].Y
	}
	return s / 2
}

// earClip triangulates a counter-clockwise simple polygon.
func earClip(poly []Point2) ([][3]int, error) {
	idx := make([]int, len(poly))
	for i := range idx {
		idx[i] = i
	}
	var out [][3]int
	for guard := 0; len(idx) > 3; guard++ {
		if guard > len(poly)*len(poly) {
			return nil, errors.New("extrude: polygon is not simple")
		}
		n := len(idx)
		for i := 0; i < n; i++ {
			a, b, c := idx[(i+n-1)%n], idx[i], idx[(i+1)%n]
			if !isEar(poly, idx, a, b, c) {
				continue
			}
			out = append(out, [3]int{a, b, c})
			idx = append(idx[:i], idx[i+1:]...)
			break
		}
	}
	return append(out, [3]int{idx[0], idx[1], idx[2]}), nil
}

func cross2(o, a, b Point2) float64 { return (a.X-o.X)*(b.Y-o.Y) - (a.Y-o.Y)*(b.X-o.X) }

func isEar(p []Point2, idx []int, a, b, c int) bool {
	if cross2(p[a], p[b], p[c]) <= 0 {
		return false
	}
	for _, k := range idx {
		if k == a || k == b || k == c {
			continue
		}
		q := p[k]
		if cross2(p[a], p[b], q) >= 0 && cross2(p[b], p[c], q) >= 0 && cross2(p[c], p[a], q) >= 0 {
			return false
		}
	}
	return true
}

// Circle is a regular polygon approximating a circle.
func Circle(r float64, segments int) []Point2 {
	out := make([]Point2, segments)
	for i := range out {
		a := 2 * math.Pi * float64(i) / float64(segments)
		out[i] = Point2{r * math.Cos(a), r * math.Sin(a)}
	}
	return out
}

// Gear is the outline of a spur gear: teeth as trapezoids on a root
// circle, good enough for a printable demo part.
func Gear(teeth int, module float64) []Point2 {
	pitch := module * float64(teeth) / 2
	outer, root := pitch+module, pitch-1.25*module
	var out []Point2
	step := 2 * math.Pi / float64(teeth)
	for i := 0; i < teeth; i++ {
		a := step * float64(i)
		for _, f := range []struct{ da, r float64 }{{0, root}, {0.2, outer}, {0.45, outer}, {0.65, root}} {
			out = append(out, Point2{f.r * math.Cos(a+f.da*step), f.r * math.Sin(a+f.da*step)})
		}
	}
	return out
}

// LBracket is the outline of an L-shaped bracket with legs a and b and
// wall thickness t.
func LBracket(a, b, t float64) []Point2 {
	return []Point2{{0, 0}, {a, 0}, {a, t}, {t, t}, {t, b}, {0, b}}
}

// Clip is the outline of a C-shaped snap clip for a rod of diameter d.
func Clip(d, wall float64) []Point2 {
	r, R := d/2, d/2+wall
	var out []Point2
	const n = 24
	open := 0.6 // radians left open for the snap
	for i := 0; i <= n; i++ {
		a := open + (2*math.Pi-2*open)*float64(i)/n
		out = append(out, Point2{R * math.Cos(a), R * math.Sin(a)})
	}
	for i := n; i >= 0; i-- {
		a := open + (2*math.Pi-2*open)*float64(i)/n
		out = append(out, Point2{r * math.Cos(a), r * math.Sin(a)})
	}
	return out
}
