package geometry

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/dgml/dgml"
)

// affine is a 2D transform [a c e; b d f], as SVG writes it.
type affine [6]float64

var ident2 = affine{1, 0, 0, 1, 0, 0}

func (m affine) apply(p Point2) Point2 {
	return Point2{m[0]*p.X + m[2]*p.Y + m[4], m[1]*p.X + m[3]*p.Y + m[5]}
}

// mul composes transforms: n is applied first, then m.
func (m affine) mul(n affine) affine {
	return affine{
		m[0]*n[0] + m[2]*n[1], m[1]*n[0] + m[3]*n[1],
		m[0]*n[2] + m[2]*n[3], m[1]*n[2] + m[3]*n[3],
		m[0]*n[4] + m[2]*n[5] + m[4], m[1]*n[4] + m[3]*n[5] + m[5],
	}
}

// ReadSVG reads the shapes of an SVG drawing (path, rect, circle,
// ellipse, line, polyline, polygon, with transforms) in mm: the root's
// width/height in mm with its viewBox, else CSS pixels at 96 per inch.
// Elements are read one at a time (nesting at most maxSVGDepth deep);
// <use> references are not expanded, so a drawing costs what it weighs.
func ReadSVG(ctx context.Context, name string, r io.Reader, lim Limits) (*Outline, error) {
	dec := xml.NewDecoder(io.LimitReader(r, lim.bytes()))
	dec.Strict = false
	out := &Outline{}
	stack := []affine{ident2}
	points, elems := 0, 0
	for {
		if elems++; elems%every == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		line, _ := dec.InputPos()
		if err != nil {
			return nil, meshError(name, line, "", "not valid XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case xml.StartElement:
			if len(stack) > maxSVGDepth {
				return nil, meshError(name, line, t.Name.Local, "elements nested deeper than %d", maxSVGDepth)
			}
			a := attrs(t)
			m := stack[len(stack)-1]
			if t.Name.Local == "svg" && len(stack) == 1 {
				m = svgRoot(a)
			}
			tf, err := svgTransform(a["transform"])
			if err != nil {
				return nil, meshError(name, line, t.Name.Local+".transform", "%v", err)
			}
			m = m.mul(tf)
			stack = append(stack, m)
			paths, closed, err := svgShape(t.Name.Local, a)
			if err != nil {
				return nil, meshError(name, line, t.Name.Local, "%v", err)
			}
			for i, p := range paths {
				for k := range p {
					p[k] = m.apply(p[k])
					if !lim.within(p[k].X) || !lim.within(p[k].Y) {
						return nil, farError(name, line, t.Name.Local, lim)
					}
				}
				points += len(p)
				if points > lim.triangles() {
					return nil, &dgml.Error{Kind: dgml.TooLarge, File: name, Line: line, Msg: "too many points"}
				}
				out.add(p, closed[i])
			}
		}
	}
	return out, nil
}

// maxSVGDepth bounds how deeply a drawing's elements nest.
const maxSVGDepth = 256

// svgRoot maps user units to mm.
func svgRoot(a map[string]string) affine {
	scale := 25.4 / 96 // CSS px
	w, unit := splitUnit(a["width"])
	vb := strings.Fields(strings.ReplaceAll(a["viewBox"], ",", " "))
	mm := map[string]float64{"mm": 1, "cm": 10, "in": 25.4, "pt": 25.4 / 72, "px": 25.4 / 96, "": 25.4 / 96}
	if u, ok := mm[unit]; ok && w > 0 {
		if len(vb) == 4 {
			if vw, err := strconv.ParseFloat(vb[2], 64); err == nil && vw > 0 {
				s := w * u / vw
				x0, _ := strconv.ParseFloat(vb[0], 64)
				y0, _ := strconv.ParseFloat(vb[1], 64)
				return affine{s, 0, 0, s, -x0 * s, -y0 * s}
			}
		}
		scale = u
	}
	return affine{scale, 0, 0, scale, 0, 0}
}

func splitUnit(s string) (float64, string) {
	s = strings.TrimSpace(s)
	i := len(s)
	for i > 0 && (s[i-1] < '0' || s[i-1] > '9') && s[i-1] != '.' {
		i--
	}
	v, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, ""
	}
	return v, strings.TrimSpace(s[i:])
}

func svgTransform(s string) (affine, error) {
	m := ident2
	s = strings.TrimSpace(s)
	for s != "" {
		open := strings.IndexByte(s, '(')
		end := strings.IndexByte(s, ')')
		if open < 0 || end < open {
			return m, fmt.Errorf("unreadable transform %q", s)
		}
		fn := strings.TrimSpace(strings.Trim(s[:open], ", "))
		args, err := numbers(s[open+1 : end])
		if err != nil {
			return m, err
		}
		var t affine
		switch {
		case fn == "matrix" && len(args) == 6:
			t = affine{args[0], args[1], args[2], args[3], args[4], args[5]}
		case fn == "translate" && len(args) >= 1:
			ty := 0.0
			if len(args) > 1 {
				ty = args[1]
			}
			t = affine{1, 0, 0, 1, args[0], ty}
		case fn == "scale" && len(args) >= 1:
			sy := args[0]
			if len(args) > 1 {
				sy = args[1]
			}
			t = affine{args[0], 0, 0, sy, 0, 0}
		case fn == "rotate" && len(args) >= 1:
			a := args[0] * math.Pi / 180
			t = affine{math.Cos(a), math.Sin(a), -math.Sin(a), math.Cos(a), 0, 0}
			if len(args) == 3 {
				t = affine{1, 0, 0, 1, args[1], args[2]}.mul(t).mul(affine{1, 0, 0, 1, -args[1], -args[2]})
			}
		case fn == "skewX" && len(args) == 1:
			t = affine{1, 0, math.Tan(args[0] * math.Pi / 180), 1, 0, 0}
		case fn == "skewY" && len(args) == 1:
			t = affine{1, math.Tan(args[0] * math.Pi / 180), 0, 1, 0, 0}
		default:
			return m, fmt.Errorf("unknown transform %s with %d numbers", fn, len(args))
		}
		m = m.mul(t)
		s = strings.TrimSpace(s[end+1:])
	}
	return m, nil
}

// numbers reads SVG number lists: "1,2 3-4 .5.5 1e2".
func numbers(s string) ([]float64, error) {
	var out []float64
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == ',' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		if i >= len(s) {
			break
		}
		j := i
		if s[j] == '+' || s[j] == '-' {
			j++
		}
		dot, exp := false, false
		for j < len(s) {
			c := s[j]
			switch {
			case c >= '0' && c <= '9':
			case c == '.' && !dot && !exp:
				dot = true
			case (c == 'e' || c == 'E') && !exp:
				exp = true
				if j+1 < len(s) && (s[j+1] == '-' || s[j+1] == '+') {
					j++
				}
			default:
				goto done
			}
			j++
		}
	done:
		v, err := strconv.ParseFloat(s[i:j], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%q is not a number", s[i:max(j, i+1)])
		}
		out = append(out, v)
		i = j
	}
	return out, nil
}

func num1(a map[string]string, k string) float64 {
	v, _ := splitUnit(a[k])
	return v
}

func svgShape(el string, a map[string]string) ([][]Point2, []bool, error) {
	switch el {
	case "path":
		return svgPath(a["d"])
	case "rect":
		x, y, w, h := num1(a, "x"), num1(a, "y"), num1(a, "width"), num1(a, "height")
		if w <= 0 || h <= 0 {
			return nil, nil, nil
		}
		return [][]Point2{{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}}}, []bool{true}, nil
	case "circle", "ellipse":
		rx, ry := num1(a, "r"), num1(a, "r")
		if el == "ellipse" {
			rx, ry = num1(a, "rx"), num1(a, "ry")
		}
		if rx <= 0 || ry <= 0 {
			return nil, nil, nil
		}
		p := arcPoints(Point2{num1(a, "cx"), num1(a, "cy")}, rx, ry, 0, 0, 2*math.Pi)
		return [][]Point2{p[:len(p)-1]}, []bool{true}, nil
	case "line":
		return [][]Point2{{{num1(a, "x1"), num1(a, "y1")}, {num1(a, "x2"), num1(a, "y2")}}}, []bool{false}, nil
	case "polyline", "polygon":
		v, err := numbers(a["points"])
		if err != nil {
			return nil, nil, err
		}
		var p []Point2
		for i := 0; i+1 < len(v); i += 2 {
			p = append(p, Point2{v[i], v[i+1]})
		}
		return [][]Point2{p}, []bool{el == "polygon"}, nil
	}
	return nil, nil, nil
}

// svgPath flattens path data: lines, cubic and quadratic Béziers (16
// segments each) and elliptical arcs.
func svgPath(d string) ([][]Point2, []bool, error) {
	var paths [][]Point2
	var closed []bool
	var cur []Point2
	var pos, start, ctrl Point2
	var last byte
	flush := func(c bool) {
		if len(cur) >= 2 {
			paths = append(paths, cur)
			closed = append(closed, c)
		}
		cur = nil
	}
	i := 0
	for i < len(d) {
		c := d[i]
		if c == ' ' || c == ',' || c == '\n' || c == '\t' || c == '\r' {
			i++
			continue
		}
		if !strings.ContainsRune("MmLlHhVvCcSsQqTtAaZz", rune(c)) {
			return nil, nil, fmt.Errorf("unknown path command %q at character %d", c, i)
		}
		j := i + 1
		for j < len(d) && !strings.ContainsRune("MmLlHhVvCcSsQqTtAaZz", rune(d[j])) {
			j++
		}
		args, err := numbers(d[i+1 : j])
		if err != nil {
			return nil, nil, err
		}
		rel := c >= 'a'
		up := c &^ 0x20
		need := map[byte]int{'M': 2, 'L': 2, 'H': 1, 'V': 1, 'C': 6, 'S': 4, 'Q': 4, 'T': 2, 'A': 7, 'Z': 0}[up]
		if need > 0 && (len(args) == 0 || len(args)%need != 0) {
			return nil, nil, fmt.Errorf("path command %c needs a multiple of %d numbers, got %d", c, need, len(args))
		}
		at := func(x, y float64) Point2 {
			if rel {
				return Point2{pos.X + x, pos.Y + y}
			}
			return Point2{x, y}
		}
		if up == 'Z' {
			flush(true)
			pos = start
			last = 'Z'
			i = j
			continue
		}
		for k := 0; k < len(args); k += need {
			g := args[k : k+need]
			switch up {
			case 'M':
				if k == 0 {
					flush(false)
					pos = at(g[0], g[1])
					start = pos
					cur = []Point2{pos}
					continue
				}
				pos = at(g[0], g[1]) // further pairs are lines
			case 'L':
				pos = at(g[0], g[1])
			case 'H':
				if rel {
					pos.X += g[0]
				} else {
					pos.X = g[0]
				}
			case 'V':
				if rel {
					pos.Y += g[0]
				} else {
					pos.Y = g[0]
				}
			case 'C', 'S', 'Q', 'T':
				var c1, c2, end Point2
				switch up {
				case 'C':
					c1, c2, end = at(g[0], g[1]), at(g[2], g[3]), at(g[4], g[5])
				case 'S':
					c1 = pos
					if last == 'C' || last == 'S' {
						c1 = Point2{2*pos.X - ctrl.X, 2*pos.Y - ctrl.Y}
					}
					c2, end = at(g[0], g[1]), at(g[2], g[3])
				case 'Q':
					q := at(g[0], g[1])
					end = at(g[2], g[3])
					c1 = Point2{pos.X + 2.0/3*(q.X-pos.X), pos.Y + 2.0/3*(q.Y-pos.Y)}
					c2 = Point2{end.X + 2.0/3*(q.X-end.X), end.Y + 2.0/3*(q.Y-end.Y)}
					ctrl = q
				case 'T':
					q := pos
					if last == 'Q' || last == 'T' {
						q = Point2{2*pos.X - ctrl.X, 2*pos.Y - ctrl.Y}
					}
					end = at(g[0], g[1])
					c1 = Point2{pos.X + 2.0/3*(q.X-pos.X), pos.Y + 2.0/3*(q.Y-pos.Y)}
					c2 = Point2{end.X + 2.0/3*(q.X-end.X), end.Y + 2.0/3*(q.Y-end.Y)}
					ctrl = q
				}
				for s := 1; s <= 16; s++ {
					t := float64(s) / 16
					u := 1 - t
					cur = append(cur, Point2{
						u*u*u*pos.X + 3*u*u*t*c1.X + 3*u*t*t*c2.X + t*t*t*end.X,
						u*u*u*pos.Y + 3*u*u*t*c1.Y + 3*u*t*t*c2.Y + t*t*t*end.Y,
					})
				}
				if up == 'C' || up == 'S' {
					ctrl = c2
				}
				pos = end
				last = up
				continue
			case 'A':
				end := at(g[5], g[6])
				cur = append(cur, svgArc(pos, end, g[0], g[1], g[2], g[3] != 0, g[4] != 0)...)
				pos = end
				last = up
				continue
			}
			cur = append(cur, pos)
		}
		last = up
		i = j
	}
	flush(false)
	return paths, closed, nil
}

// svgArc flattens an SVG endpoint arc (SVG 1.1 implementation notes,
// appendix F.6: conversion to centre parameterisation).
func svgArc(p0, p1 Point2, rx, ry, phiDeg float64, large, sweep bool) []Point2 {
	rx, ry = math.Abs(rx), math.Abs(ry)
	if rx == 0 || ry == 0 || p0 == p1 {
		return []Point2{p1}
	}
	phi := phiDeg * math.Pi / 180
	cp, sp := math.Cos(phi), math.Sin(phi)
	dx, dy := (p0.X-p1.X)/2, (p0.Y-p1.Y)/2
	x1 := cp*dx + sp*dy
	y1 := -sp*dx + cp*dy
	if l := x1*x1/(rx*rx) + y1*y1/(ry*ry); l > 1 {
		rx, ry = rx*math.Sqrt(l), ry*math.Sqrt(l)
	}
	num := rx*rx*ry*ry - rx*rx*y1*y1 - ry*ry*x1*x1
	den := rx*rx*y1*y1 + ry*ry*x1*x1
	co := math.Sqrt(math.Max(0, num/den))
	if large == sweep {
		co = -co
	}
	cxp, cyp := co*rx*y1/ry, -co*ry*x1/rx
	c := Point2{cp*cxp - sp*cyp + (p0.X+p1.X)/2, sp*cxp + cp*cyp + (p0.Y+p1.Y)/2}
	angle := func(ux, uy, vx, vy float64) float64 {
		return math.Atan2(ux*vy-uy*vx, ux*vx+uy*vy)
	}
	a0 := angle(1, 0, (x1-cxp)/rx, (y1-cyp)/ry)
	da := angle((x1-cxp)/rx, (y1-cyp)/ry, (-x1-cxp)/rx, (-y1-cyp)/ry)
	if !sweep && da > 0 {
		da -= 2 * math.Pi
	} else if sweep && da < 0 {
		da += 2 * math.Pi
	}
	pts := arcPoints(c, rx, ry, phi, a0, da)
	pts[len(pts)-1] = p1
	return pts[1:]
}
