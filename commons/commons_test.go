package commons_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/demo"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/geometry"
	"github.com/dgml/dgml/internal/sharedtest"
	"github.com/dgml/dgml/internal/testnode"
	"github.com/dgml/dgml/jobs"
	"github.com/dgml/dgml/okh"
	"github.com/dgml/dgml/sqlite"
)

func service(t testing.TB) (*commons.Service, *sqlite.DB) {
	n := testnode.New(t)
	return n.Commons, n.DB
}

func TestDemoCommons(t *testing.T) {
	ctx := context.Background()
	svc, db := service(t)
	designs, err := demo.Commons()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range designs {
		if _, err := svc.Commit(ctx, d.Content, d.Files, commons.ImportOptions{Author: "demo"}); err != nil {
			t.Fatalf("%s: %v", d.Content.Manifest.Name, err)
		}
	}
	first := func(q design.Query) string {
		res, err := db.Search(ctx, q)
		if err != nil || res.Total == 0 {
			t.Fatalf("%+v: %v %v", q, res, err)
		}
		return res.Items[0].Name
	}
	if got := first(design.Query{Text: "reprap"}); got != "RepRap Mendel-style 3D printer (demo)" {
		t.Errorf("reprap finds %q", got)
	}
	res, _ := db.Search(ctx, design.Query{Text: "tractor", Limit: 5})
	found := false
	for _, s := range res.Items {
		found = found || s.Name == "LifeTrac (GVCS)"
	}
	if !found {
		t.Errorf("tractor should find LifeTrac: %+v", res.Items)
	}
	gvcs, _ := db.Search(ctx, design.Query{Text: "gvcs", Limit: 100})
	proto, _ := db.Search(ctx, design.Query{Text: "gvcs prototype", Limit: 100})
	if gvcs.Total != 50 || proto.Total == 0 || proto.Total >= 50 {
		t.Errorf("GVCS: %d machines (want 50), %d prototyped", gvcs.Total, proto.Total)
	}

	// The printer's printed parts are real binary STL files, stored.
	_, printer, err := svc.Head(ctx, "reprap-mendel-style-3d-printer-demo")
	if err != nil {
		t.Fatal(err)
	}
	files := printer.Files()
	if len(files) < 8 {
		t.Fatalf("the printer refers to %d stored files", len(files))
	}
	for _, f := range files {
		r, err := svc.Blobs.Open(f.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 84)
		r.Read(head)
		r.Close()
		n := binary.LittleEndian.Uint32(head[80:])
		if f.MediaType != "model/stl" || int64(84+50*n) != f.Size || n < 12 {
			t.Errorf("%s: not a consistent binary STL (%d triangles, %d bytes, %s)", f.Path, n, f.Size, f.MediaType)
		}
	}
	_, car, err := svc.Head(ctx, "modular-commuter-car-wikispeed-style-demo")
	if err != nil {
		t.Fatal(err)
	}
	owners := map[string]bool{}
	for _, m := range car.Parts {
		if m.Kind == design.KindModule && m.Owner != "" {
			owners[m.Owner] = true
		}
	}
	if len(owners) < 5 {
		t.Errorf("the car's modules should be owned by different teams: %v", owners)
	}
}

func TestImportTargetUnchangedAndInto(t *testing.T) {
	ctx := context.Background()
	svc, _ := service(t)
	dir := t.TempDir()
	write := func(body string) okh.Target {
		p := filepath.Join(dir, "okh.toml")
		if err := writeFile(p, body); err != nil {
			t.Fatal(err)
		}
		return okh.Target{Root: dir, Manifest: "okh.toml", Folder: true}
	}
	first, err := svc.ImportTarget(ctx, write("name = \"Stool\"\nlicense = \"CC0-1.0\"\n"), commons.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.ImportTarget(ctx, write("name = \"Stool\"\nlicense = \"CC0-1.0\"\n"), commons.ImportOptions{})
	if err != nil || !again.Unchanged || again.Design.ID != first.Design.ID {
		t.Errorf("the same manifest again should be found unchanged: %+v %v", again, err)
	}
	next, err := svc.ImportTarget(ctx, write("name = \"Stool\"\nlicense = \"CC0-1.0\"\nversion = \"2\"\n"), commons.ImportOptions{Into: first.Design.Slug})
	if err != nil || next.Design.ID != first.Design.ID || next.Design.Revisions != 2 {
		t.Errorf("--into adds a revision to the design: %+v %v", next, err)
	}
	if _, err := svc.ImportTarget(ctx, write("name = \"Stool\"\n"), commons.ImportOptions{Into: "missing"}); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("into a missing design: %v", err)
	}
}

// BenchmarkImportSharedOKH imports every manifest of ../shared/data/okh
// into a fresh node per iteration, the real store and blob folder behind.
func BenchmarkImportSharedOKH(b *testing.B) {
	targets, err := okh.Discover(sharedtest.Dir(b, "data/okh"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		svc, _ := service(b)
		b.StartTimer()
		for _, t := range targets {
			svc.ImportTarget(ctx, t, commons.ImportOptions{})
		}
	}
	b.ReportMetric(float64(len(targets)), "manifests/op")
}

func TestImportMeasuresMeshes(t *testing.T) {
	ctx := context.Background()
	svc, db := service(t)
	svc.Cache = db
	dir := t.TempDir()
	var cube bytes.Buffer
	m, _ := geometry.Extrude([]geometry.Point2{{X: 0, Y: 0}, {X: 20, Y: 0}, {X: 20, Y: 10}, {X: 0, Y: 10}}, 5)
	geometry.WriteSTL(&cube, m, "block")
	open := &geometry.Mesh{Triangles: m.Triangles[1:]} // a face missing: not watertight
	var holed bytes.Buffer
	geometry.WriteSTL(&holed, open, "holed")
	os.WriteFile(filepath.Join(dir, "block.stl"), cube.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "holed.stl"), holed.Bytes(), 0o644)
	writeFile(filepath.Join(dir, "okh.toml"), `name = "Blocks"
license = "CC0-1.0"
[[part]]
name = "Block"
material = "aluminium"
process = "cnc-milling"
export = "block.stl"
[[part]]
name = "Printed"
material = "PLA"
tsdc = "3DP"
export = "holed.stl"
[part.outer-dimensions]
width = 1
depth = 2
height = 3
`)
	res, err := svc.ImportTarget(ctx, okh.Target{Root: dir, Manifest: "okh.toml", Folder: true}, commons.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, rev, _ := svc.Head(ctx, res.Design.Slug)
	block, printed := rev.Parts[0], rev.Parts[1]
	if block.Dimensions == nil || *block.Dimensions != (design.Dimensions{X: 20, Y: 10, Z: 5}) || math.Abs(block.MassG-2.7) > 1e-9 {
		t.Errorf("block: dimensions from the mesh and mass = 1 cm³ x 2.70 g/cm³: %+v %v", block.Dimensions, block.MassG)
	}
	if *printed.Dimensions != (design.Dimensions{X: 1, Y: 2, Z: 3}) {
		t.Errorf("dimensions the manifest gives are kept: %+v", printed.Dimensions)
	}
	found := false
	for _, w := range res.Warnings {
		found = found || (w.Field == "Printed" && strings.Contains(w.Msg, "not watertight"))
	}
	if !found {
		t.Errorf("the open mesh should be flagged: %v", res.Warnings)
	}
	if _, ok, _ := db.CacheGet(ctx, block.Exports[0].SHA256, "analysis", "v1"); !ok {
		t.Error("the analysis made at import should be cached")
	}
}

// A new mesh's thumbnail and estimate are queued with the design that
// brings it, once a file, and a worker's run of the job fills the cache.
func TestImportQueuesPreparation(t *testing.T) {
	node := testnode.New(t)
	ctx := context.Background()
	d, _ := demo.Printer()
	if _, err := node.Commons.Commit(ctx, d.Content, d.Files, commons.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	queued, err := node.DB.Jobs(ctx, commons.PrepareKind, 100)
	if err != nil || len(queued) == 0 {
		t.Fatalf("queued: %d %v", len(queued), err)
	}
	meshes := map[string]bool{}
	for _, f := range d.Content.Files() {
		if strings.HasSuffix(f.Path, ".stl") {
			meshes[f.Path] = true
		}
	}
	if len(queued) > len(meshes) {
		t.Errorf("%d jobs for %d meshes", len(queued), len(meshes))
	}
	r := &jobs.Runner{Store: node.DB, Worker: "test", Lease: time.Minute}
	r.Handle(commons.PrepareKind, node.Commons.Prepare)
	for {
		did, err := r.RunOne(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !did {
			break
		}
	}
	var args struct{ SHA256 string }
	json.Unmarshal(queued[0].Args, &args)
	if _, ok, _ := node.DB.CacheGet(ctx, args.SHA256, "thumbnail", "256"); !ok {
		t.Error("the thumbnail was not made")
	}
	done, _ := node.DB.Jobs(ctx, commons.PrepareKind, 100)
	for _, j := range done {
		if j.State != jobs.Done {
			t.Errorf("job %d: %s %s", j.ID, j.State, j.LastError)
		}
	}
}
