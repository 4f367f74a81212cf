package geometry

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/internal/sharedtest"
)

func cube(s float64) *Mesh {
	m, _ := Extrude([]Point2{{0, 0}, {s, 0}, {s, s}, {0, s}}, s)
	return m
}

func asciiSTL(m *Mesh) string {
	var b strings.Builder
	b.WriteString("solid test\n")
	for _, t := range m.Triangles {
		n := t.Normal()
		fmt.Fprintf(&b, "  facet normal %g %g %g\n    outer loop\n", n.X, n.Y, n.Z)
		for _, v := range t {
			fmt.Fprintf(&b, "      vertex %g %g %g\n", v.X, v.Y, v.Z)
		}
		b.WriteString("    endloop\n  endfacet\n")
	}
	b.WriteString("endsolid test\n")
	return b.String()
}

func TestSTLBinaryAndASCIIAgree(t *testing.T) {
	m := cube(10)
	var bin bytes.Buffer
	WriteSTL(&bin, m, "solid but binary") // a binary header starting with "solid"
	a, err := ReadSTL(context.Background(), "cube.stl", &bin, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadSTL(context.Background(), "cube.stl", strings.NewReader(asciiSTL(m)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Triangles) != 12 || len(b.Triangles) != 12 {
		t.Fatalf("%d and %d triangles", len(a.Triangles), len(b.Triangles))
	}
	for _, x := range []*Mesh{a, b} {
		an := mustAnalyze(x, Options{})
		if math.Abs(an.Volume-1000) > 1e-6 || math.Abs(an.Area-600) > 1e-6 || !an.Watertight || an.Shells != 1 || an.Vertices != 8 {
			t.Errorf("cube: %+v", an)
		}
	}
}

func TestReadErrorsNameTheRecord(t *testing.T) {
	var trunc bytes.Buffer
	WriteSTL(&trunc, cube(1), "x")
	short := trunc.Bytes()[:84+50*5+10]
	cases := []struct {
		name, body string
		line       int
		field      string
		kind       dgml.Kind
	}{
		{"a.stl", "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 zero\n", 5, "vertex", dgml.Invalid},
		{"b.stl", "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nendloop\nendfacet\n", 6, "endfacet", dgml.Invalid},
		{"c.stl", string(short), 0, "triangle 5", dgml.Invalid},
		{"d.obj", "v 0 0 0\nv 1 0 0\nf 1 2 3\n", 3, "f", dgml.Invalid},
		{"e.obj", "v 0 0 nan\n", 1, "v", dgml.Invalid},
		{"f.stl", "tiny", 0, "header", dgml.Invalid},
	}
	for _, c := range cases {
		_, err := Read(context.Background(), c.name, strings.NewReader(c.body), Limits{})
		var e *dgml.Error
		if !errors.As(err, &e) || e.File != c.name || e.Line != c.line || e.Field != c.field || e.Kind != c.kind {
			t.Errorf("%s: got %v (%+v)", c.name, err, e)
		}
	}
	var big bytes.Buffer
	WriteSTL(&big, cube(1), "x")
	if _, err := ReadSTL(context.Background(), "big.stl", &big, Limits{MaxTriangles: 5}); dgml.KindOf(err) != dgml.TooLarge {
		t.Errorf("over the triangle cap: %v", err)
	}
	// A header announcing a billion triangles must be refused before any
	// memory is given to it.
	hostile := make([]byte, 84)
	hostile[80], hostile[81], hostile[82], hostile[83] = 0, 0xca, 0x9a, 0x3b
	if _, err := ReadSTL(context.Background(), "hostile.stl", bytes.NewReader(hostile), Limits{}); dgml.KindOf(err) != dgml.TooLarge {
		t.Errorf("hostile count: %v", err)
	}
}

func TestOBJ(t *testing.T) {
	obj := "# a unit square pyramid\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv 0.5 0.5 1\nf 4 3 2 1\nf 1/1 2/2 5/5\nf 2 3 5\nf 3 4 -1\nf 4 1 5\n"
	m, err := ReadOBJ(context.Background(), "p.obj", strings.NewReader(obj), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	a := mustAnalyze(m, Options{})
	if len(m.Triangles) != 6 || !a.Watertight || math.Abs(a.Volume-1.0/3) > 1e-9 {
		t.Errorf("pyramid: %d triangles, %+v", len(m.Triangles), a)
	}
}

func zip3MF(t *testing.T, model string, rels string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	if rels != "" {
		w, _ := zw.Create("_rels/.rels")
		w.Write([]byte(rels))
	}
	w, _ := zw.Create("3D/3dmodel.model")
	w.Write([]byte(model))
	zw.Close()
	return b.Bytes()
}

const tetra = `<object id="1" type="model"><mesh><vertices>
<vertex x="0" y="0" z="0"/><vertex x="1" y="0" z="0"/><vertex x="0" y="1" z="0"/><vertex x="0" y="0" z="1"/>
</vertices><triangles><triangle v1="0" v2="2" v3="1"/><triangle v1="0" v2="1" v3="3"/><triangle v1="0" v2="3" v3="2"/><triangle v1="1" v2="2" v3="3"/></triangles></mesh></object>`

func Test3MFUnitsTransformsComponents(t *testing.T) {
	model := `<?xml version="1.0"?><model unit="centimeter" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02"><resources>` + tetra +
		`<object id="2"><components><component objectid="1" transform="2 0 0 0 2 0 0 0 2 0 0 0"/></components></object></resources>
<build><item objectid="1" transform="1 0 0 0 1 0 0 0 1 5 0 0"/><item objectid="2"/></build></model>`
	data := zip3MF(t, model, `<Relationships><Relationship Target="/3D/3dmodel.model" Id="r" Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/></Relationships>`)
	m, err := Read3MF(context.Background(), "t.3mf", bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	a := mustAnalyze(m, Options{})
	// Unit tetra is 1/6 cm³; the second item is scaled 2x: 8/6 cm³; in mm³ x1000.
	want := (1.0/6 + 8.0/6) * 1000
	if len(m.Triangles) != 8 || math.Abs(a.Volume-want) > 1e-6 || a.Shells != 2 || math.Abs(a.Max.X-60) > 1e-9 {
		t.Errorf("3MF: %d triangles, volume %v (want %v), shells %d, max %v", len(m.Triangles), a.Volume, want, a.Shells, a.Max)
	}
	bad := zip3MF(t, `<model><resources>`+tetra+`</resources><build><item objectid="9"/></build></model>`, "")
	if _, err := Read3MF(context.Background(), "bad.3mf", bytes.NewReader(bad), int64(len(bad)), Limits{}); err == nil || !strings.Contains(err.Error(), "no object 9") {
		t.Errorf("missing object: %v", err)
	}
	slip := zip3MF(t, `<model/>`, `<Relationships><Relationship Target="../../etc/passwd" Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/></Relationships>`)
	if _, err := Read3MF(context.Background(), "slip.3mf", bytes.NewReader(slip), int64(len(slip)), Limits{}); err == nil {
		t.Error("a model path leaving the package must be refused")
	}
	bomb := zip3MF(t, `<model><resources>`+strings.Repeat(" ", 3<<20)+`</resources></model>`, "")
	if _, err := Read3MF(context.Background(), "bomb.3mf", bytes.NewReader(bomb), int64(len(bomb)), Limits{MaxBytes: 1 << 20}); dgml.KindOf(err) != dgml.TooLarge {
		t.Errorf("a model inflating past the limit: %v", err)
	}
}

func TestAnalysisFindsDefects(t *testing.T) {
	m := cube(10)
	m.Triangles[3] = Triangle{m.Triangles[3][0], m.Triangles[3][2], m.Triangles[3][1]} // flip one
	a := mustAnalyze(m, Options{})
	if a.Watertight || a.FlippedFaces != 1 || a.BoundaryEdges != 0 {
		t.Errorf("one flipped face: %+v", a)
	}
	holed := cube(10)
	holed.Triangles = holed.Triangles[1:]
	a = mustAnalyze(holed, Options{})
	if a.Watertight || a.BoundaryEdges != 3 {
		t.Errorf("a missing face leaves 3 boundary edges: %+v", a)
	}
	two := cube(10)
	other := cube(5)
	other.Translate(Vec{20, 0, 0})
	two.Append(other)
	two.Triangles = append(two.Triangles, Triangle{{0, 0, 0}, {1, 1, 1}, {2, 2, 2}})
	a = mustAnalyze(two, Options{})
	if a.Shells != 3 || a.DegenerateFaces != 1 {
		t.Errorf("shells %d, degenerate %d", a.Shells, a.DegenerateFaces)
	}
}

func TestOrientationsAndOverhang(t *testing.T) {
	// A T shape: the bar overhangs when standing on its stem.
	m, _ := Extrude([]Point2{{0, 0}, {10, 0}, {10, 30}, {25, 30}, {25, 40}, {-15, 40}, {-15, 30}, {0, 30}}, 10)
	// Extruded along z; turn it so the T stands upright: y becomes z.
	for i := range m.Triangles {
		for j, v := range m.Triangles[i] {
			m.Triangles[i][j] = Vec{v.X, -v.Z, v.Y}
		}
	}
	a := mustAnalyze(m, Options{OverhangAngle: 45})
	if a.Overhang < 299 || a.Overhang > 301 {
		t.Errorf("standing T: the two arms' undersides (2 x 15 x 10 mm²) overhang, got %v", a.Overhang)
	}
	if a.Suggested == "+z" {
		t.Errorf("a T should rather lie down or stand on its bar, got %s", a.Suggested)
	}
	if a.Orientations[2].Size.Z != a.Size.X {
		t.Errorf("+x up: height is the x size: %+v", a.Orientations[2])
	}
}

func TestPrusaCorpus(t *testing.T) {
	dir := sharedtest.Dir(t, "data/meshes/prusa-i3-mk3s")
	files, _ := filepath.Glob(filepath.Join(dir, "*.stl"))
	if len(files) != 45 {
		t.Fatalf("%d files", len(files))
	}
	watertight := 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Read(context.Background(), f, fh, Limits{})
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		a := mustAnalyze(m, Options{})
		if a.Volume <= 0 || a.Size.X <= 0 || a.Triangles != len(m.Triangles) {
			t.Errorf("%s: %+v", filepath.Base(f), a)
		}
		if a.Watertight {
			watertight++
		}
		if filepath.Base(f) == "Einsy-base.stl" {
			// admesh reports 9142 facets, volume 41661.96 and X from -10 to 118.5.
			if a.Triangles != 9142 || math.Abs(a.Volume-41661.96) > 0.5 || a.Min.X != -10 || a.Max.X != 118.5 {
				t.Errorf("Einsy-base differs from admesh: %+v", a)
			}
		}
	}
	if watertight < 38 {
		t.Errorf("only %d of 45 printed parts watertight", watertight)
	}
}

// mustAnalyze is Analyze for meshes a test knows to be measurable.
func mustAnalyze(m *Mesh, opt Options) *Analysis {
	a, err := Analyze(context.Background(), m, opt)
	if err != nil {
		panic(err)
	}
	return a
}
