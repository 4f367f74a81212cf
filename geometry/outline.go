package geometry

import (
	"context"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/dgml/dgml"
)

// Outline is a 2D drawing for cutting: polylines in mm.
type Outline struct {
	Paths  [][]Point2
	Closed []bool
}

func (o *Outline) add(p []Point2, closed bool) {
	if len(p) >= 2 {
		o.Paths = append(o.Paths, p)
		o.Closed = append(o.Closed, closed)
	}
}

// CutLength is the total length of every path.
func (o *Outline) CutLength() float64 {
	s := 0.0
	for i, p := range o.Paths {
		for k := 1; k < len(p); k++ {
			s += math.Hypot(p[k].X-p[k-1].X, p[k].Y-p[k-1].Y)
		}
		if o.Closed[i] {
			s += math.Hypot(p[0].X-p[len(p)-1].X, p[0].Y-p[len(p)-1].Y)
		}
	}
	return s
}

// Bounds is the outline's bounding box.
func (o *Outline) Bounds() (Point2, Point2) {
	lo := Point2{math.Inf(1), math.Inf(1)}
	hi := Point2{math.Inf(-1), math.Inf(-1)}
	for _, p := range o.Paths {
		for _, q := range p {
			lo = Point2{math.Min(lo.X, q.X), math.Min(lo.Y, q.Y)}
			hi = Point2{math.Max(hi.X, q.X), math.Max(hi.Y, q.Y)}
		}
	}
	if len(o.Paths) == 0 {
		return Point2{}, Point2{}
	}
	return lo, hi
}

// ReadOutline reads an SVG or DXF drawing by its extension.
func ReadOutline(ctx context.Context, name string, r io.Reader, lim Limits) (*Outline, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".svg":
		return ReadSVG(ctx, name, r, lim)
	case ".dxf":
		return ReadDXF(ctx, name, r, lim)
	}
	return nil, &dgml.Error{Kind: dgml.Unsupported, File: name, Msg: "not an outline format dgml reads: use SVG or DXF"}
}

// arcPoints flattens an arc around c from angle a0 to a1 (radians, the
// sweep's sign gives its direction) into points, one per 5 degrees.
func arcPoints(c Point2, rx, ry, rot, a0, sweep float64) []Point2 {
	if !(math.Abs(sweep) <= 2*math.Pi) { // NaN too: a full turn at most
		sweep = 2 * math.Pi
	}
	n := max(2, int(math.Ceil(math.Abs(sweep)/(5*math.Pi/180))))
	out := make([]Point2, 0, n+1)
	cr, sr := math.Cos(rot), math.Sin(rot)
	for i := 0; i <= n; i++ {
		a := a0 + sweep*float64(i)/float64(n)
		x, y := rx*math.Cos(a), ry*math.Sin(a)
		out = append(out, Point2{c.X + x*cr - y*sr, c.Y + x*sr + y*cr})
	}
	return out
}
