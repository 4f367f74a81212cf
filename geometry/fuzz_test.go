package geometry

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

func seedMeshes(f *testing.F) {
	files, _ := filepath.Glob("../../shared/data/meshes/prusa-i3-mk3s/*.stl")
	for i, p := range files {
		if i%9 != 0 {
			continue // a few real files; the fuzzer mutates them
		}
		if b, err := os.ReadFile(p); err == nil && len(b) < 300<<10 {
			f.Add(b)
		}
	}
	var bin bytes.Buffer
	WriteSTL(&bin, cube(3), "seed")
	f.Add(bin.Bytes())
	f.Add([]byte(asciiSTL(cube(2))))
}

func fuzzRead(f *testing.F, name string) {
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Read(context.Background(), name, bytes.NewReader(data), Limits{MaxTriangles: 100000, MaxBytes: 8 << 20})
		if err != nil {
			return
		}
		a := mustAnalyze(m, Options{})
		if a.Triangles != len(m.Triangles) || a.Shells < 0 {
			t.Fatalf("inconsistent analysis: %+v", a)
		}
	})
}

func FuzzReadSTL(f *testing.F) {
	seedMeshes(f)
	fuzzRead(f, "fuzz.stl")
}

func FuzzReadOBJ(f *testing.F) {
	f.Add([]byte("v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 3 2\nf 1 2 4\nf 1 4 3\nf 2 3 4\n"))
	f.Add([]byte("v 1 2 3\nf -1 -1 -1 1\n"))
	fuzzRead(f, "fuzz.obj")
}

func FuzzRead3MF(f *testing.F) {
	f.Add(zip3MF(nil, `<model unit="millimeter"><resources>`+tetra+`</resources><build><item objectid="1"/></build></model>`, ""))
	fuzzRead(f, "fuzz.3mf")
}
