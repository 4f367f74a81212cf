package geometry

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/dgml/dgml"
)

// Limits guard the readers against hostile files.
type Limits struct {
	MaxTriangles int   // 0: DefaultLimits.MaxTriangles
	MaxBytes     int64 // uncompressed bytes a 3MF may unpack to; 0: default
	// Size is the file's size in bytes when it is known: counts a file
	// announces beyond what it could hold are refused before anything is
	// allocated for them, and a 3MF may unpack to at most a multiple of it.
	Size int64
	// MaxCoord is the largest distance from the origin, in mm, a
	// coordinate may have (0: DefaultLimits.MaxCoord). Real parts are far
	// smaller; beyond it sums of areas and volumes lose all precision or
	// overflow.
	MaxCoord float64
}

// DefaultLimits allow any printable part while refusing files built to
// exhaust memory.
var DefaultLimits = Limits{MaxTriangles: 20_000_000, MaxBytes: 2 << 30, MaxCoord: 1e6}

// maxInflation is how many times its compressed size a 3MF's model may
// unpack to (real models compress 5 to 20 times; bombs, thousands).
const maxInflation = 64

// every is how many records a reader handles between looks at its
// context, so that work stops soon after the request is gone.
const every = 1 << 14

func (l Limits) coord() float64 {
	if l.MaxCoord <= 0 {
		return DefaultLimits.MaxCoord
	}
	return l.MaxCoord
}

// within says whether a coordinate is a finite number inside the limits.
func (l Limits) within(x float64) bool {
	return !math.IsNaN(x) && math.Abs(x) <= l.coord()
}

func (l Limits) withinVec(v Vec) bool { return l.within(v.X) && l.within(v.Y) && l.within(v.Z) }

func farError(name string, line int, field string, l Limits) error {
	return meshError(name, line, field, "a coordinate is not a finite number within %g mm of the origin", l.coord())
}

func (l Limits) triangles() int {
	if l.MaxTriangles <= 0 {
		return DefaultLimits.MaxTriangles
	}
	return l.MaxTriangles
}

func (l Limits) bytes() int64 {
	if l.MaxBytes <= 0 {
		return DefaultLimits.MaxBytes
	}
	return l.MaxBytes
}

func meshError(file string, line int, field, format string, args ...any) error {
	return &dgml.Error{Kind: dgml.Invalid, Op: "geometry.Read", File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// ReadSTL reads a binary or ASCII STL from r, streaming. name is used in
// errors.
func ReadSTL(ctx context.Context, name string, r io.Reader, lim Limits) (*Mesh, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(512)
	if isASCIISTL(head) {
		return readASCIISTL(ctx, name, br, lim)
	}
	return readBinarySTL(ctx, name, br, lim)
}

// isASCIISTL tells ASCII from binary STL. Binary files may also start
// with "solid" in their header, so the next keyword decides.
func isASCIISTL(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n")
	if !bytes.HasPrefix(t, []byte("solid")) {
		return false
	}
	nl := bytes.IndexByte(t, '\n')
	if nl < 0 {
		return len(head) < 84 // a tiny file: an empty ASCII solid
	}
	rest := bytes.TrimLeft(t[nl+1:], " \t\r\n")
	return bytes.HasPrefix(rest, []byte("facet")) || bytes.HasPrefix(rest, []byte("endsolid")) || len(rest) == 0
}

func readBinarySTL(ctx context.Context, name string, r io.Reader, lim Limits) (*Mesh, error) {
	// The other core welds the triangles read so far into shared
	// vertices, which slicing and analysis need next.
	const batch = 1 << 12
	var m *Mesh
	var w *welder
	var full chan []Triangle
	welded := make(chan struct{})
	sent := 0
	err := eachBinarySTL(ctx, name, r, lim, func(n int) {
		m = &Mesh{Triangles: make([]Triangle, 0, n)}
		w, full = newWelder(n), make(chan []Triangle, 16)
		go func() {
			defer close(welded)
			for b := range full {
				for i := range b {
					w.add(b[i])
				}
			}
		}()
	}, func(t *Triangle) {
		m.Triangles = append(m.Triangles, *t)
		if len(m.Triangles)-sent == batch {
			full <- m.Triangles[sent:len(m.Triangles):len(m.Triangles)]
			sent = len(m.Triangles)
		}
	})
	if full != nil {
		if err == nil && sent < len(m.Triangles) {
			full <- m.Triangles[sent:len(m.Triangles):len(m.Triangles)]
		}
		close(full)
		<-welded
	}
	if err != nil {
		return nil, err
	}
	m.shared = w.done()
	return m, nil
}

// eachBinarySTL reads a binary STL's triangles in order: start is told
// how many to make room for (what the file can hold, not what its header
// says, when its size is unknown), then each goes to fn.
func eachBinarySTL(ctx context.Context, name string, r io.Reader, lim Limits, start func(n int), fn func(*Triangle)) error {
	var head [84]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return meshError(name, 0, "header", "not an STL file: shorter than the 84-byte binary header")
	}
	n := binary.LittleEndian.Uint32(head[80:])
	if int64(n) > int64(lim.triangles()) {
		return &dgml.Error{Kind: dgml.TooLarge, File: name, Field: "triangle count", Msg: fmt.Sprintf("%d triangles, more than the limit of %d", n, lim.triangles())}
	}
	if lim.Size > 0 && 84+50*int64(n) > lim.Size {
		return meshError(name, 0, "triangle count", "the header announces %d triangles, but a file of %d bytes holds at most %d", n, lim.Size, max(0, lim.Size-84)/50)
	}
	if lim.Size > 0 {
		start(int(n)) // the file is known to hold them all
	} else {
		start(min(int(n), 1<<16))
	}
	// Whole blocks of records at a time.
	const block = 1 << 12
	buf := make([]byte, 50*block)
	var t Triangle
	for i := uint32(0); i < n; {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		k := min(n-i, block)
		got, err := io.ReadFull(r, buf[:50*k])
		short := err != nil
		if short {
			k = uint32(got / 50) // the whole records that came; the next is cut
		}
		for j := uint32(0); j < k; j, i = j+1, i+1 {
			rec := buf[50*j : 50*j+50]
			for v := 0; v < 3; v++ {
				for c := 0; c < 3; c++ {
					f := float64(math.Float32frombits(binary.LittleEndian.Uint32(rec[12+v*12+c*4:])))
					if !lim.within(f) {
						return farError(name, 0, fmt.Sprintf("triangle %d", i), lim)
					}
					setCoord(&t[v], c, f)
				}
			}
			fn(&t)
		}
		if short {
			return meshError(name, 0, fmt.Sprintf("triangle %d", i), "file ends after %d of the %d triangles its header announces", i, n)
		}
	}
	return nil
}

func setCoord(v *Vec, c int, f float64) {
	switch c {
	case 0:
		v.X = f
	case 1:
		v.Y = f
	default:
		v.Z = f
	}
}

func readASCIISTL(ctx context.Context, name string, br *bufio.Reader, lim Limits) (*Mesh, error) {
	m := &Mesh{}
	line := 0
	var t Triangle
	nv := -1 // vertices read in the current facet; -1 outside one
	var fields [8][]byte
	for {
		raw, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return nil, meshError(name, line+1, "", "a line longer than 64 KiB")
		}
		if len(raw) == 0 && err != nil {
			if err != io.EOF {
				return nil, meshError(name, line, "", "cannot read: %v", err)
			}
			break
		}
		line++
		if line%every == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		f := splitFields(raw, fields[:0])
		if len(f) == 0 {
			continue
		}
		switch string(f[0]) {
		case "solid", "endsolid", "outer", "endloop":
		case "facet":
			if nv >= 0 {
				return nil, meshError(name, line, "facet", "a facet starts before the previous one ended")
			}
			nv = 0
		case "vertex":
			if nv < 0 || nv > 2 {
				return nil, meshError(name, line, "vertex", "a vertex outside a facet, or a fourth one in it")
			}
			if len(f) != 4 {
				return nil, meshError(name, line, "vertex", "a vertex needs 3 coordinates, got %d", len(f)-1)
			}
			for c := 0; c < 3; c++ {
				v, ok := parseFloat(f[1+c])
				if !ok {
					return nil, meshError(name, line, "vertex", "%q is not a number", f[1+c])
				}
				if !lim.within(v) {
					return nil, farError(name, line, "vertex", lim)
				}
				setCoord(&t[nv], c, v)
			}
			nv++
		case "endfacet":
			if nv != 3 {
				return nil, meshError(name, line, "endfacet", "a facet with %d vertices; STL facets have 3", max(nv, 0))
			}
			if len(m.Triangles) >= lim.triangles() {
				return nil, &dgml.Error{Kind: dgml.TooLarge, File: name, Line: line, Msg: fmt.Sprintf("more than %d triangles", lim.triangles())}
			}
			m.Triangles = append(m.Triangles, t)
			nv = -1
		default:
			return nil, meshError(name, line, string(f[0]), "unknown keyword in an ASCII STL")
		}
		if err == io.EOF {
			break
		}
	}
	if nv >= 0 {
		return nil, meshError(name, line, "facet", "the file ends inside a facet")
	}
	return m, nil
}

// splitFields splits a line on blanks without allocating (up to cap(dst)
// fields; more make the line invalid anyway).
func splitFields(line []byte, dst [][]byte) [][]byte {
	i := 0
	for i < len(line) {
		for i < len(line) && isBlank(line[i]) {
			i++
		}
		j := i
		for j < len(line) && !isBlank(line[j]) {
			j++
		}
		if j > i {
			if len(dst) == cap(dst) {
				return append(dst, line[i:j])
			}
			dst = append(dst, line[i:j])
		}
		i = j
	}
	return dst
}

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'
}

var pow10 = func() [40]float64 {
	var p [40]float64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// parseFloat reads the decimal numbers STL files hold (sign, digits,
// fraction, exponent) without allocating, falling back to strconv for
// anything longer or stranger. The same text always gives the same value,
// which vertex welding relies on.
func parseFloat(b []byte) (float64, bool) {
	i, neg := 0, false
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	var mant uint64
	digits, frac := 0, 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		mant = mant*10 + uint64(b[i]-'0')
		digits++
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			mant = mant*10 + uint64(b[i]-'0')
			digits++
			frac++
		}
	}
	exp := 0
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			eneg = b[i] == '-'
			i++
		}
		start := i
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9' && i-start < 4; i++ {
			exp = exp*10 + int(b[i]-'0')
		}
		if i == start {
			return slowFloat(b)
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(b) || digits == 0 || digits > 18 {
		return slowFloat(b)
	}
	e := exp - frac
	v := float64(mant)
	switch {
	case e == 0:
	case e > 0 && e < len(pow10):
		v *= pow10[e]
	case e < 0 && -e < len(pow10):
		v /= pow10[-e]
	default:
		return slowFloat(b)
	}
	if neg {
		v = -v
	}
	return v, true
}

func slowFloat(b []byte) (float64, bool) {
	v, err := strconv.ParseFloat(string(b), 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}
