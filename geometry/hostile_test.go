package geometry

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/internal/hostile"
)

// Files made to exhaust a reader are refused with the file named, a kind
// the API maps to a 4xx, and without the allocation their counts ask for.
func TestHostileFiles(t *testing.T) {
	lim := Limits{MaxTriangles: 100_000}
	for _, c := range []struct {
		name string
		data []byte
		kind dgml.Kind
		msg  string
	}{

		{"lie-big.stl", hostile.STLHeaderLie(4_000_000_000), dgml.TooLarge, "more than the limit"},
		{"lie-small.stl", hostile.STLHeaderLie(90_000), dgml.Invalid, "holds at most 0"},
		{"far.stl", hostile.STLFar(), dgml.Invalid, "not a finite number within"},
		{"fan.obj", hostile.OBJFan(4000), dgml.Invalid, ""}, // degenerate, but within bounds: read
		{"wide-face.obj", hostile.OBJFan(100_000), dgml.Invalid, "a face of 100000 vertices"},
		{"many-faces.obj", []byte("v 0 0 0\nv 1 0 0\nv 0 1 0\n" + strings.Repeat("f 1 2 3\n", 150_000)), dgml.TooLarge, "more than 100000 triangles"},
		{"cycle.3mf", hostile.ThreeMFCycle(), dgml.Invalid, "contains itself"},
		{"fan.3mf", hostile.ThreeMFFanOut(10, 9, true), dgml.TooLarge, "once components are placed"},
		{"small-fan.3mf", hostile.ThreeMFFanOut(4, 4, true), "", ""}, // 1024 triangles: fine
		{"empty-fan.3mf", hostile.ThreeMFFanOut(40, 6, false), dgml.TooLarge, "placements"},
		{"deep.3mf", hostile.ThreeMFFanOut(1, 40, true), dgml.Invalid, "nested deeper than"},
		{"bomb.3mf", hostile.ThreeMFZipBomb(200 << 20), dgml.TooLarge, "unpacks to more than"},
		{"deep.svg", hostile.SVGDeep(100_000), dgml.Invalid, "nested deeper than"},
		{"arc.dxf", hostile.DXFHugeArc(), "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			l := lim
			l.Size = int64(len(c.data))
			var err error
			if Readable(c.name) {
				var m *Mesh
				if m, err = Read(context.Background(), c.name, bytes.NewReader(c.data), l); err == nil {
					_, err = Analyze(context.Background(), m, Options{})
				}
			} else {
				_, err = ReadOutline(context.Background(), c.name, bytes.NewReader(c.data), l)
			}
			runtime.ReadMemStats(&after)
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 256<<20 {
				t.Errorf("allocated %d MiB for a %d KiB file", grew>>20, len(c.data)>>10)
			}
			if c.kind == "" || c.msg == "" {
				if err != nil {
					t.Errorf("want it read (bounded): %v", err)
				}
				return
			}
			var e *dgml.Error
			if !errors.As(err, &e) || e.Kind != c.kind || !strings.HasPrefix(e.File, c.name) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("%d bytes: %v (kind %s)", len(c.data), err, dgml.KindOf(err))
			}
		})
	}
}

// Reading and measuring stop when their context is done.
func TestContextStopsWork(t *testing.T) {
	m := cube(10)
	for len(m.Triangles) < 200_000 {
		o := *m
		o.Triangles = append([]Triangle(nil), m.Triangles...)
		o.Translate(Vec{0, 0, 12})
		m.Append(&o)
	}
	var buf bytes.Buffer
	WriteSTL(&buf, m, "big")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadSTL(ctx, "big.stl", bytes.NewReader(buf.Bytes()), Limits{}); !errors.Is(err, context.Canceled) {
		t.Errorf("read: %v", err)
	}
	if _, err := Analyze(ctx, m, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("analysis: %v", err)
	}
	if _, err := Slice(ctx, m, 0.2, 0.2); !errors.Is(err, context.Canceled) {
		t.Errorf("slicing: %v", err)
	}
}
