package geometry

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/dgml/dgml"
)

func TestSVGShapesUnitsAndTransforms(t *testing.T) {
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="100mm" height="50mm" viewBox="0 0 200 100">
  <rect x="0" y="0" width="200" height="100"/>
  <g transform="translate(100,50)"><circle cx="0" cy="0" r="20"/></g>
  <path d="M 10 10 h 20 v 20 h -20 z M40 10 L60 10 A 10 10 0 0 1 60 30"/>
  <line x1="0" y1="90" x2="50" y2="90"/>
</svg>`
	o, err := ReadSVG(context.Background(), "part.svg", strings.NewReader(svg), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// viewBox 200 user units over 100 mm: 0.5 mm per unit.
	want := 0.5 * (600 + 2*math.Pi*20 + 80 + 20 + math.Pi*10 + 50)
	if got := o.CutLength(); math.Abs(got-want) > 0.01*want {
		t.Errorf("cut length %v, want about %v", got, want)
	}
	if len(o.Paths) != 5 {
		t.Errorf("%d paths, want rect, circle, square, line+arc, line", len(o.Paths))
	}
	lo, hi := o.Bounds()
	if lo.X != 0 || hi.X != 100 || hi.Y != 50 {
		t.Errorf("bounds %v %v", lo, hi)
	}
}

func TestDXFEntities(t *testing.T) {
	dxf := strings.Join([]string{
		"0", "SECTION", "2", "HEADER", "9", "$INSUNITS", "70", "5", "0", "ENDSEC",
		"0", "SECTION", "2", "ENTITIES",
		"0", "LINE", "8", "0", "10", "0", "20", "0", "11", "10", "21", "0",
		"0", "CIRCLE", "10", "5", "20", "5", "40", "1",
		"0", "ARC", "10", "0", "20", "0", "40", "2", "50", "0", "51", "90",
		// a 2x2 square whose first edge bulges into a half circle
		"0", "LWPOLYLINE", "90", "4", "70", "1", "10", "0", "20", "0", "42", "1", "10", "2", "20", "0", "10", "2", "20", "2", "10", "0", "20", "2",
		"0", "ENDSEC", "0", "EOF", ""}, "\n")
	o, err := ReadDXF(context.Background(), "part.dxf", strings.NewReader(dxf), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// cm: everything x10.
	want := 10 * (10 + 2*math.Pi + math.Pi + (math.Pi + 6))
	if got := o.CutLength(); math.Abs(got-want) > 0.01*want {
		t.Errorf("cut length %v, want about %v", got, want)
	}
	_, err = ReadDXF(context.Background(), "bad.dxf", strings.NewReader("0\nSECTION\n2\nENTITIES\n0\nLINE\n10\nabc\n"), Limits{})
	var e *dgml.Error
	if !errors.As(err, &e) || e.Line != 8 || !strings.Contains(e.Field, "LINE") {
		t.Errorf("a bad number must name line and entity: %v", err)
	}
	if _, err := ReadSVG(context.Background(), "bad.svg", strings.NewReader(`<svg><path d="M 0 0 L 1"/></svg>`), Limits{}); err == nil || !strings.Contains(err.Error(), "bad.svg:1") {
		t.Errorf("a bad path must name file and line: %v", err)
	}
}

func FuzzReadSVG(f *testing.F) {
	f.Add([]byte(`<svg width="10mm" viewBox="0 0 10 10"><path d="M0 0 C 1 1 2 2 3 3 S 4 4 5 5 Q 6 6 7 7 T 8 8 A 1 2 30 1 0 9 9 z"/><polygon points="0,0 1,0 1,1"/></svg>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := ReadSVG(context.Background(), "fuzz.svg", strings.NewReader(string(data)), Limits{MaxTriangles: 100000, MaxBytes: 1 << 20})
		if err == nil && (math.IsNaN(o.CutLength()) || len(o.Paths) != len(o.Closed)) {
			t.Fatalf("inconsistent outline")
		}
	})
}

func FuzzReadDXF(f *testing.F) {
	f.Add([]byte("0\nSECTION\n2\nENTITIES\n0\nLWPOLYLINE\n70\n1\n10\n0\n20\n0\n42\n0.5\n10\n1\n20\n0\n10\n1\n20\n1\n0\nPOLYLINE\n70\n1\n0\nVERTEX\n10\n0\n20\n0\n0\nVERTEX\n10\n3\n20\n4\n0\nSEQEND\n0\nEOF\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := ReadDXF(context.Background(), "fuzz.dxf", strings.NewReader(string(data)), Limits{MaxTriangles: 100000, MaxBytes: 1 << 20})
		if err == nil && len(o.Paths) != len(o.Closed) {
			t.Fatalf("inconsistent outline")
		}
	})
}
