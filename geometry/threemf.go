package geometry

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/dgml/dgml"
)

// Read3MF reads the build of a 3MF file (the core specification): every
// build item, its object's mesh or components, transforms applied, in
// millimetres whatever the model's unit.
// The component graph is checked (no cycles, at most maxDepth levels, at
// most the triangle limit once every instance is placed) before anything
// is placed, and the model may unpack to at most maxInflation times the
// file's size.
func Read3MF(ctx context.Context, name string, r io.ReaderAt, size int64, lim Limits) (*Mesh, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, meshError(name, 0, "", "not a 3MF (zip) file: %v", err)
	}
	model, err := modelPart(zr)
	if err != nil {
		return nil, meshError(name, 0, "_rels/.rels", "%v", err)
	}
	f, err := zr.Open(model)
	if err != nil {
		return nil, meshError(name, 0, model, "the model part is missing: %v", err)
	}
	defer f.Close()
	unpacked := lim.bytes()
	if size > 0 {
		unpacked = min(unpacked, max(16<<20, maxInflation*size))
	}
	lr := &limitedReader{r: f, left: unpacked}
	doc, err := parseModel(ctx, name+"/"+model, lr, lim)
	if err != nil {
		if lr.left < 0 {
			return nil, &dgml.Error{Kind: dgml.TooLarge, File: name, Field: model, Msg: fmt.Sprintf("the model unpacks to more than %d bytes (%d times the file)", unpacked, maxInflation)}
		}
		return nil, err
	}
	if err := doc.check(name + "/" + model); err != nil {
		return nil, err
	}
	return doc.build(ctx, name+"/"+model)
}

// limitedReader fails once more than left bytes are read, so a zip bomb
// is stopped while it inflates.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.left = -1
		return 0, fmt.Errorf("size limit reached")
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// modelPart finds the 3D model part through the package relationships,
// refusing names that would leave the package.
func modelPart(zr *zip.Reader) (string, error) {
	const fallback = "3D/3dmodel.model"
	rels, err := zr.Open("_rels/.rels")
	if err != nil {
		return fallback, nil
	}
	defer rels.Close()
	var doc struct {
		Rels []struct {
			Target string `xml:"Target,attr"`
			Type   string `xml:"Type,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.NewDecoder(io.LimitReader(rels, 1<<20)).Decode(&doc); err != nil {
		return "", fmt.Errorf("unreadable relationships: %v", err)
	}
	for _, r := range doc.Rels {
		if strings.HasSuffix(r.Type, "/3dmodel") {
			p := strings.TrimPrefix(path.Clean("/"+r.Target), "/")
			if strings.Contains(r.Target, "..") || p == "" {
				return "", fmt.Errorf("model target %q leaves the package", r.Target)
			}
			return p, nil
		}
	}
	return fallback, nil
}

type object struct {
	verts      []Vec
	tris       [][3]int
	components []component
}

type component struct {
	id int
	tf matrix
}

// matrix is a 3MF affine transform: x' = x*m[0]+y*m[3]+z*m[6]+m[9], ...
type matrix [12]float64

var identity = matrix{1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0}

func (m matrix) apply(v Vec) Vec {
	return Vec{
		v.X*m[0] + v.Y*m[3] + v.Z*m[6] + m[9],
		v.X*m[1] + v.Y*m[4] + v.Z*m[7] + m[10],
		v.X*m[2] + v.Y*m[5] + v.Z*m[8] + m[11],
	}
}

// then is m followed by n.
func (m matrix) then(n matrix) matrix {
	var out matrix
	for r := 0; r < 4; r++ {
		for c := 0; c < 3; c++ {
			s := 0.0
			for k := 0; k < 3; k++ {
				s += m[r*3+k] * n[k*3+c]
			}
			if r == 3 {
				s += n[9+c]
			}
			out[r*3+c] = s
		}
	}
	return out
}

type modelDoc struct {
	scale     float64
	objects   map[int]*object
	items     []component
	instances int // components and build items written in the file
	lim       Limits
}

// Bounds of a 3MF's component graph.
const (
	maxDepth     = 16
	maxInstances = 1 << 20
	// maxPlacements bounds the objects visited once components are
	// expanded, empty ones included: a graph of empty objects that fan
	// out would otherwise cost time without adding a triangle.
	maxPlacements = 1 << 22
)

var unitScale3MF = map[string]float64{"micron": 0.001, "millimeter": 1, "centimeter": 10, "inch": 25.4, "foot": 304.8, "meter": 1000, "": 1}

func parseModel(ctx context.Context, file string, r io.Reader, lim Limits) (*modelDoc, error) {
	dec := xml.NewDecoder(r)
	doc := &modelDoc{scale: 1, objects: map[int]*object{}, lim: lim}
	var cur *object
	tris, verts, elems := 0, 0, 0
	for {
		if elems++; elems%every == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		tok, err := dec.Token()
		if err == io.EOF {
			return doc, nil
		}
		if err != nil {
			line, _ := dec.InputPos()
			return nil, meshError(file, line, "", "not valid XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			if ee, end := tok.(xml.EndElement); end && ee.Name.Local == "object" {
				cur = nil
			}
			continue
		}
		line, _ := dec.InputPos()
		a := attrs(se)
		switch se.Name.Local {
		case "model":
			s, ok := unitScale3MF[a["unit"]]
			if !ok {
				return nil, meshError(file, line, "unit", "unknown unit %q", a["unit"])
			}
			doc.scale = s
		case "object":
			id, err := strconv.Atoi(a["id"])
			if err != nil {
				return nil, meshError(file, line, "object.id", "%q is not an object id", a["id"])
			}
			if _, dup := doc.objects[id]; dup {
				return nil, meshError(file, line, "object.id", "object %d is defined twice", id)
			}
			cur = &object{}
			doc.objects[id] = cur
		case "vertex":
			if cur == nil {
				return nil, meshError(file, line, "vertex", "a vertex outside an object")
			}
			v, err := vec(a)
			if err != nil {
				return nil, meshError(file, line, "vertex", "%v", err)
			}
			if v = v.Scale(doc.scale); !lim.withinVec(v) {
				return nil, farError(file, line, "vertex", lim)
			}
			if verts++; verts > 3*lim.triangles() {
				return nil, &dgml.Error{Kind: dgml.TooLarge, File: file, Line: line, Msg: fmt.Sprintf("more than %d vertices", 3*lim.triangles())}
			}
			cur.verts = append(cur.verts, v)
		case "triangle":
			if cur == nil {
				return nil, meshError(file, line, "triangle", "a triangle outside an object")
			}
			var t [3]int
			for i, k := range []string{"v1", "v2", "v3"} {
				n, err := strconv.Atoi(a[k])
				if err != nil || n < 0 || n >= len(cur.verts) {
					return nil, meshError(file, line, "triangle."+k, "%q is not one of the object's %d vertices", a[k], len(cur.verts))
				}
				t[i] = n
			}
			if tris++; tris > lim.triangles() {
				return nil, &dgml.Error{Kind: dgml.TooLarge, File: file, Line: line, Msg: fmt.Sprintf("more than %d triangles", lim.triangles())}
			}
			cur.tris = append(cur.tris, t)
		case "component", "item":
			id, err := strconv.Atoi(a["objectid"])
			if err != nil {
				return nil, meshError(file, line, se.Name.Local+".objectid", "%q is not an object id", a["objectid"])
			}
			tf, err := transform(a["transform"], doc.scale)
			if err != nil {
				return nil, meshError(file, line, se.Name.Local+".transform", "%v", err)
			}
			c := component{id: id, tf: tf}
			if doc.instances++; doc.instances > maxInstances {
				return nil, &dgml.Error{Kind: dgml.TooLarge, File: file, Line: line, Msg: fmt.Sprintf("more than %d components and build items", maxInstances)}
			}
			if se.Name.Local == "item" {
				doc.items = append(doc.items, c)
			} else if cur != nil {
				cur.components = append(cur.components, c)
			}
		}
	}
}

func attrs(se xml.StartElement) map[string]string {
	m := make(map[string]string, len(se.Attr))
	for _, a := range se.Attr {
		m[a.Name.Local] = a.Value
	}
	return m
}

func vec(a map[string]string) (Vec, error) {
	var c [3]float64
	for i, k := range []string{"x", "y", "z"} {
		f, err := strconv.ParseFloat(a[k], 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return Vec{}, fmt.Errorf("%s=%q is not a number", k, a[k])
		}
		c[i] = f
	}
	return Vec{c[0], c[1], c[2]}, nil
}

// transform reads a 3MF transform; translations are in model units.
func transform(s string, scale float64) (matrix, error) {
	if strings.TrimSpace(s) == "" {
		return identity, nil
	}
	f := strings.Fields(s)
	if len(f) != 12 {
		return matrix{}, fmt.Errorf("a transform has 12 numbers, got %d", len(f))
	}
	var m matrix
	for i, x := range f {
		v, err := strconv.ParseFloat(x, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return matrix{}, fmt.Errorf("%q is not a number", x)
		}
		m[i] = v
	}
	for i := 9; i < 12; i++ {
		m[i] *= scale
	}
	return m, nil
}

func (d *modelDoc) buildItems() []component {
	if len(d.items) > 0 {
		return d.items
	}
	var items []component
	for id := range d.objects {
		items = append(items, component{id: id, tf: identity})
	}
	return items
}

// check walks the component graph once, without placing anything: every
// referenced object exists, there is no cycle, no chain is deeper than
// maxDepth, and the triangles and placements every build item expands to
// stay within the limits. Counts are memoised per object, so the walk
// costs the size of the graph, not of its expansion.
func (d *modelDoc) check(file string) error {
	type counts struct{ tris, places int64 }
	const visiting, done = 1, 2
	state := map[int]int{}
	memo := map[int]counts{}
	limit := int64(d.lim.triangles())
	var walk func(id, depth int) (counts, error)
	walk = func(id, depth int) (counts, error) {
		if depth > maxDepth {
			return counts{}, meshError(file, 0, "component", "components nested deeper than %d", maxDepth)
		}
		o, ok := d.objects[id]
		if !ok {
			return counts{}, meshError(file, 0, "objectid", "no object %d", id)
		}
		switch state[id] {
		case visiting:
			return counts{}, meshError(file, 0, "component", "object %d contains itself (a cycle of components)", id)
		case done:
			return memo[id], nil
		}
		state[id] = visiting
		c := counts{tris: int64(len(o.tris)), places: 1}
		for _, ch := range o.components {
			sub, err := walk(ch.id, depth+1)
			if err != nil {
				return counts{}, err
			}
			// Saturate rather than overflow: past the limit is past it.
			c.tris = min(c.tris+sub.tris, limit+1)
			c.places = min(c.places+sub.places, maxPlacements+1)
		}
		state[id], memo[id] = done, c
		return c, nil
	}
	var total counts
	for _, it := range d.buildItems() {
		c, err := walk(it.id, 0)
		if err != nil {
			return err
		}
		total.tris = min(total.tris+c.tris, limit+1)
		total.places = min(total.places+c.places, maxPlacements+1)
	}
	if total.tris > limit {
		return &dgml.Error{Kind: dgml.TooLarge, File: file, Msg: fmt.Sprintf("more than %d triangles once components are placed", limit)}
	}
	if total.places > maxPlacements {
		return &dgml.Error{Kind: dgml.TooLarge, File: file, Msg: fmt.Sprintf("more than %d object placements once components are expanded", maxPlacements)}
	}
	return nil
}

// build places every build item (or, with no build element, every
// object) into one mesh; check has bounded what that takes.
func (d *modelDoc) build(ctx context.Context, file string) (*Mesh, error) {
	m := &Mesh{}
	placed := 0
	for _, it := range d.buildItems() {
		if err := d.place(ctx, m, it.id, it.tf, &placed, file); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (d *modelDoc) place(ctx context.Context, m *Mesh, id int, tf matrix, placed *int, file string) error {
	if *placed++; *placed%every == 0 && ctx.Err() != nil {
		return ctx.Err()
	}
	o := d.objects[id]
	for _, t := range o.tris {
		tri := Triangle{tf.apply(o.verts[t[0]]), tf.apply(o.verts[t[1]]), tf.apply(o.verts[t[2]])}
		for _, v := range tri {
			if !d.lim.withinVec(v) {
				return farError(file, 0, "transform", d.lim)
			}
		}
		m.Triangles = append(m.Triangles, tri)
	}
	for _, c := range o.components {
		if err := d.place(ctx, m, c.id, c.tf.then(tf), placed, file); err != nil {
			return err
		}
	}
	return nil
}
