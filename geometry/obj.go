package geometry

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/dgml/dgml"
)

// ReadOBJ reads the geometry of a Wavefront OBJ file (v and f records;
// faces of more than three vertices are split into fans; negative
// indices count back from the last vertex). Units are taken as mm.
func ReadOBJ(ctx context.Context, name string, r io.Reader, lim Limits) (*Mesh, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxOBJLine)
	var verts []Vec
	m := &Mesh{}
	line := 0
	for sc.Scan() {
		line++
		if line%every == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		f := bytes.Fields(sc.Bytes())
		if len(f) == 0 || f[0][0] == '#' {
			continue
		}
		switch string(f[0]) {
		case "v":
			if len(f) < 4 {
				return nil, meshError(name, line, "v", "a vertex needs 3 coordinates")
			}
			var v [3]float64
			for c := 0; c < 3; c++ {
				x, err := strconv.ParseFloat(string(f[1+c]), 64)
				if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, meshError(name, line, "v", "%q is not a number", f[1+c])
				}
				if !lim.within(x) {
					return nil, farError(name, line, "v", lim)
				}
				v[c] = x
			}
			if len(verts) >= 3*lim.triangles() {
				return nil, &dgml.Error{Kind: dgml.TooLarge, File: name, Line: line, Msg: "too many vertices"}
			}
			verts = append(verts, Vec{v[0], v[1], v[2]})
		case "f":
			if len(f) < 4 {
				return nil, meshError(name, line, "f", "a face needs at least 3 vertices")
			}
			if len(f)-1 > maxFaceVertices {
				return nil, meshError(name, line, "f", "a face of %d vertices; at most %d", len(f)-1, maxFaceVertices)
			}
			idx := make([]int, 0, len(f)-1)
			for _, tok := range f[1:] {
				i, err := objIndex(tok, len(verts))
				if err != nil {
					return nil, meshError(name, line, "f", "%v", err)
				}
				idx = append(idx, i)
			}
			for k := 1; k+1 < len(idx); k++ {
				if len(m.Triangles) >= lim.triangles() {
					return nil, &dgml.Error{Kind: dgml.TooLarge, File: name, Line: line, Msg: fmt.Sprintf("more than %d triangles", lim.triangles())}
				}
				m.Triangles = append(m.Triangles, Triangle{verts[idx[0]], verts[idx[k]], verts[idx[k+1]]})
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, meshError(name, line, "", "cannot read: %v", err)
	}
	return m, nil
}

// Bounds of an OBJ file's lines: real faces have a few vertices, and
// lines a few dozen bytes.
const (
	maxOBJLine      = 256 << 10
	maxFaceVertices = 4096
)

// objIndex reads "7", "7/1/3" or "-1" into a 0-based vertex index.
func objIndex(tok []byte, n int) (int, error) {
	if i := bytes.IndexByte(tok, '/'); i >= 0 {
		tok = tok[:i]
	}
	i, err := strconv.Atoi(string(tok))
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a vertex index", tok)
	case i < 0:
		i = n + i
	case i > 0:
		i--
	default:
		return 0, fmt.Errorf("vertex index 0: OBJ counts from 1")
	}
	if i < 0 || i >= n {
		return 0, fmt.Errorf("vertex %s does not exist (%d vertices so far)", tok, n)
	}
	return i, nil
}
