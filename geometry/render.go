package geometry

import (
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
)

// Render draws the mesh shaded, seen from a fixed isometric direction,
// scaled to fill a size×size picture: a software rasteriser with a depth
// buffer and one light, enough for a thumbnail on any machine.
func Render(m *Mesh, size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	bg := color.NRGBA{245, 246, 244, 255}
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = bg.R, bg.G, bg.B, bg.A
	}
	if len(m.Triangles) == 0 {
		return img
	}
	// Isometric camera: rotate 45° about Z, then tilt by atan(1/√2).
	view := func(v Vec) Vec {
		x := (v.X - v.Y) / math.Sqrt2
		y := (v.X + v.Y) / math.Sqrt2
		c, s := math.Sqrt(2.0/3), math.Sqrt(1.0/3)
		return Vec{x, v.Z*c - y*s, v.Z*s + y*c} // screen x, screen up, depth (towards viewer negative)
	}
	lo := Vec{math.Inf(1), math.Inf(1), math.Inf(1)}
	hi := Vec{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for _, t := range m.Triangles {
		for _, v := range t {
			p := view(v)
			lo = Vec{math.Min(lo.X, p.X), math.Min(lo.Y, p.Y), math.Min(lo.Z, p.Z)}
			hi = Vec{math.Max(hi.X, p.X), math.Max(hi.Y, p.Y), math.Max(hi.Z, p.Z)}
		}
	}
	margin := 0.06 * float64(size)
	span := math.Max(hi.X-lo.X, hi.Y-lo.Y)
	if span == 0 {
		span = 1
	}
	scale := (float64(size) - 2*margin) / span
	ox := margin + (float64(size)-2*margin-(hi.X-lo.X)*scale)/2
	oy := margin + (float64(size)-2*margin-(hi.Y-lo.Y)*scale)/2
	depth := make([]float64, size*size)
	for i := range depth {
		depth[i] = math.Inf(1)
	}
	light := Vec{-0.4, 0.5, 0.77} // from the upper left, in view space
	for _, t := range m.Triangles {
		var p [3]Vec
		for k, v := range t {
			q := view(v)
			p[k] = Vec{ox + (q.X-lo.X)*scale, float64(size) - (oy + (q.Y-lo.Y)*scale), q.Z}
		}
		n := view(t[1]).Sub(view(t[0])).Cross(view(t[2]).Sub(view(t[0])))
		if l := n.Len(); l > 0 {
			n = n.Scale(1 / l)
		}
		// Faces pointing away are still drawn (meshes may be flipped);
		// their shade uses the absolute angle.
		shade := 0.35 + 0.65*math.Abs(n.X*light.X+n.Y*light.Y+n.Z*light.Z)
		col := color.NRGBA{uint8(40 + 150*shade), uint8(90 + 130*shade), uint8(70 + 110*shade), 255}
		fillTriangle(img, depth, p, col)
	}
	return img
}

func fillTriangle(img *image.NRGBA, depth []float64, p [3]Vec, col color.NRGBA) {
	size := img.Rect.Dx()
	minX := int(math.Max(0, math.Floor(math.Min(p[0].X, math.Min(p[1].X, p[2].X)))))
	maxX := int(math.Min(float64(size-1), math.Ceil(math.Max(p[0].X, math.Max(p[1].X, p[2].X)))))
	minY := int(math.Max(0, math.Floor(math.Min(p[0].Y, math.Min(p[1].Y, p[2].Y)))))
	maxY := int(math.Min(float64(size-1), math.Ceil(math.Max(p[0].Y, math.Max(p[1].Y, p[2].Y)))))
	area := (p[1].X-p[0].X)*(p[2].Y-p[0].Y) - (p[2].X-p[0].X)*(p[1].Y-p[0].Y)
	if area == 0 {
		return
	}
	for y := minY; y <= maxY; y++ {
		for x := minX; x <= maxX; x++ {
			px, py := float64(x)+0.5, float64(y)+0.5
			w0 := ((p[1].X-px)*(p[2].Y-py) - (p[2].X-px)*(p[1].Y-py)) / area
			w1 := ((p[2].X-px)*(p[0].Y-py) - (p[0].X-px)*(p[2].Y-py)) / area
			w2 := 1 - w0 - w1
			if w0 < 0 || w1 < 0 || w2 < 0 {
				continue
			}
			z := w0*p[0].Z + w1*p[1].Z + w2*p[2].Z
			i := y*size + x
			if z >= depth[i] {
				continue
			}
			depth[i] = z
			o := img.PixOffset(x, y)
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = col.R, col.G, col.B, col.A
		}
	}
}

// WritePNG renders the mesh and encodes it as PNG.
func WritePNG(w io.Writer, m *Mesh, size int) error {
	return png.Encode(w, Render(m, size))
}
