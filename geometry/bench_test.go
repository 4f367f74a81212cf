package geometry

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/dgml/dgml/internal/sharedtest"
)

// BenchmarkReadAnalyzeCorpus reads and analyses the 45 Prusa parts
// (ASCII STL) and reports triangles per second and bytes allocated per
// triangle (memory grows linearly with the mesh).
func BenchmarkReadAnalyzeCorpus(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(sharedtest.Dir(b, "data/meshes/prusa-i3-mk3s"), "*.stl"))
	var data [][]byte
	for _, f := range files {
		d, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, d)
	}
	tris := 0
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k, d := range data {
			m, err := ReadSTL(context.Background(), files[k], bytes.NewReader(d), Limits{})
			if err != nil {
				b.Fatal(err)
			}
			tris += mustAnalyze(m, Options{}).Triangles
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(tris)/b.Elapsed().Seconds(), "triangles/s")
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(tris), "B/triangle")
}

// BenchmarkBinarySTL measures reading and analysing a large binary STL
// (a finely tessellated gear, about a million triangles).
func BenchmarkBinarySTL(b *testing.B) {
	m, _ := Extrude(Gear(400, 0.5), 10)
	for len(m.Triangles) < 1_000_000 {
		o := *m
		o.Triangles = append([]Triangle(nil), m.Triangles...)
		o.Translate(Vec{0, 0, 12})
		m.Append(&o)
	}
	var buf bytes.Buffer
	WriteSTL(&buf, m, "bench")
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mm, err := ReadSTL(context.Background(), "bench.stl", bytes.NewReader(data), Limits{})
		if err != nil {
			b.Fatal(err)
		}
		mustAnalyze(mm, Options{})
	}
	b.ReportMetric(float64(len(m.Triangles)*b.N)/b.Elapsed().Seconds(), "triangles/s")
}
