package geometry

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/dgml/dgml"
)

// dxfUnits maps $INSUNITS to mm.
var dxfUnits = map[int]float64{0: 1, 1: 25.4, 2: 304.8, 4: 1, 5: 10, 6: 1000}

type dxfPair struct {
	code  int
	value string
	line  int
}

// ReadDXF reads the cutting geometry of an ASCII DXF: LINE, ARC, CIRCLE,
// LWPOLYLINE (with bulges) and POLYLINE/VERTEX entities, in mm by the
// header's $INSUNITS (mm when not given).
func ReadDXF(ctx context.Context, name string, r io.Reader, lim Limits) (*Outline, error) {
	sc := bufio.NewScanner(io.LimitReader(r, lim.bytes()))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var pairs []dxfPair
	line := 0
	for sc.Scan() {
		line++
		if line%every == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		codeText := strings.TrimSpace(sc.Text())
		if !sc.Scan() {
			return nil, meshError(name, line, "", "group code %q without a value", codeText)
		}
		line++
		code, err := strconv.Atoi(codeText)
		if err != nil {
			return nil, meshError(name, line-1, "", "%q is not a DXF group code (is this a binary DXF? save as ASCII)", codeText)
		}
		pairs = append(pairs, dxfPair{code, strings.TrimSpace(sc.Text()), line})
		if len(pairs) > 4*lim.triangles() {
			return nil, &dgml.Error{Kind: dgml.TooLarge, File: name, Line: line, Msg: "too many DXF records"}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, meshError(name, line, "", "cannot read: %v", err)
	}
	scale := 1.0
	for i := 0; i+1 < len(pairs); i++ {
		if pairs[i].code == 9 && pairs[i].value == "$INSUNITS" {
			u, _ := strconv.Atoi(pairs[i+1].value)
			if s, ok := dxfUnits[u]; ok {
				scale = s
			}
		}
	}
	out := &Outline{}
	var poly *dxfEntity // an open POLYLINE collecting VERTEX records
	for i := 0; i < len(pairs); i++ {
		if pairs[i].code != 0 {
			continue
		}
		kind := pairs[i].value
		j := i + 1
		for j < len(pairs) && pairs[j].code != 0 {
			j++
		}
		e, err := parseEntity(name, pairs[i:j], lim)
		if err != nil {
			return nil, err
		}
		switch kind {
		case "LINE":
			out.add([]Point2{{e.f(10), e.f(20)}, {e.f(11), e.f(21)}}, false)
		case "CIRCLE":
			if e.f(40) > 0 {
				p := arcPoints(Point2{e.f(10), e.f(20)}, e.f(40), e.f(40), 0, 0, 2*math.Pi)
				out.add(p[:len(p)-1], true)
			}
		case "ARC":
			// Angles in degrees, counter-clockwise from start to end;
			// reduced to one turn first, whatever their size.
			a0, a1 := math.Mod(e.f(50), 360)*math.Pi/180, math.Mod(e.f(51), 360)*math.Pi/180
			if a1 <= a0 {
				a1 += 2 * math.Pi
			}
			if e.f(40) > 0 {
				out.add(arcPoints(Point2{e.f(10), e.f(20)}, e.f(40), e.f(40), 0, a0, a1-a0), false)
			}
		case "LWPOLYLINE":
			out.add(bulged(e.xs, e.ys, e.bulges, e.closed), e.closed)
		case "POLYLINE":
			poly = &dxfEntity{closed: e.closed}
		case "VERTEX":
			if poly != nil {
				poly.xs = append(poly.xs, e.f(10))
				poly.ys = append(poly.ys, e.f(20))
				poly.bulges = append(poly.bulges, e.f(42))
			}
		case "SEQEND":
			if poly != nil {
				out.add(bulged(poly.xs, poly.ys, poly.bulges, poly.closed), poly.closed)
				poly = nil
			}
		}
		i = j - 1
	}
	for _, p := range out.Paths {
		for k := range p {
			p[k] = Point2{p[k].X * scale, p[k].Y * scale}
		}
	}
	return out, nil
}

type dxfEntity struct {
	vals           map[int]float64
	xs, ys, bulges []float64
	closed         bool
}

func (e *dxfEntity) f(code int) float64 { return e.vals[code] }

func parseEntity(name string, pairs []dxfPair, lim Limits) (*dxfEntity, error) {
	e := &dxfEntity{vals: map[int]float64{}}
	for _, p := range pairs[1:] {
		numeric := (p.code >= 10 && p.code <= 59) || (p.code >= 70 && p.code <= 99)
		if !numeric {
			continue
		}
		v, err := strconv.ParseFloat(p.value, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, meshError(name, p.line, fmt.Sprintf("%s group %d", pairs[0].value, p.code), "%q is not a number", p.value)
		}
		if p.code >= 10 && p.code <= 40 && !lim.within(v) { // coordinates and radii
			return nil, farError(name, p.line, fmt.Sprintf("%s group %d", pairs[0].value, p.code), lim)
		}
		switch p.code {
		case 10:
			e.xs = append(e.xs, v)
			e.bulges = append(e.bulges, 0)
		case 20:
			e.ys = append(e.ys, v)
		case 42:
			if len(e.bulges) > 0 {
				e.bulges[len(e.bulges)-1] = v
			}
		case 70:
			e.closed = int(v)&1 == 1
		}
		if _, seen := e.vals[p.code]; !seen {
			e.vals[p.code] = v
		}
	}
	if len(e.xs) != len(e.ys) {
		return nil, meshError(name, pairs[0].line, pairs[0].value, "%d x but %d y coordinates", len(e.xs), len(e.ys))
	}
	return e, nil
}

// bulged expands polyline vertices whose bulge (tan of a quarter of the
// arc's angle) makes the segment to the next vertex an arc.
func bulged(xs, ys, bulges []float64, closed bool) []Point2 {
	n := len(xs)
	var out []Point2
	for i := 0; i < n; i++ {
		p := Point2{xs[i], ys[i]}
		out = append(out, p)
		if i == n-1 && !closed {
			break
		}
		b := bulges[i]
		if b == 0 {
			continue
		}
		q := Point2{xs[(i+1)%n], ys[(i+1)%n]}
		theta := 4 * math.Atan(b)
		chord := math.Hypot(q.X-p.X, q.Y-p.Y)
		if chord == 0 {
			continue
		}
		r := chord / (2 * math.Sin(theta/2))
		mid := Point2{(p.X + q.X) / 2, (p.Y + q.Y) / 2}
		h := r * math.Cos(theta/2) // distance from chord middle to centre
		nx, ny := -(q.Y-p.Y)/chord, (q.X-p.X)/chord
		c := Point2{mid.X + nx*h, mid.Y + ny*h}
		a0 := math.Atan2(p.Y-c.Y, p.X-c.X)
		pts := arcPoints(c, math.Abs(r), math.Abs(r), 0, a0, theta)
		out = append(out, pts[1:len(pts)-1]...)
	}
	return out
}
