package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/dgml/dgml/internal/sharedtest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dgml-bin-*")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "dgml")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building dgml: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func runDGML(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func TestEveryCommandHasHelp(t *testing.T) {
	out, errOut, code := runDGML(t, "--help")
	if code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	for _, c := range commands {
		if !strings.Contains(out+errOut, c.name) {
			t.Errorf("top-level help does not list %s", c.name)
		}
		if c.name == "version" {
			continue
		}
		o, e, code := runDGML(t, c.name, "--help")
		// mesh works on files, not on a node; facilities groups commands;
		// migrate takes --from; load measures nodes by their URLs; the
		// agent talks to a node by its URL.
		needsData := c.name != "version" && c.name != "mesh" && c.name != "facilities" && c.name != "license" && c.name != "migrate" && c.name != "load" && c.name != "agent"
		if code != 0 || !strings.Contains(o+e, "Usage: dgml "+c.name) || (needsData && !strings.Contains(o+e, "-data")) {
			t.Errorf("dgml %s --help: exit %d\n%s%s", c.name, code, o, e)
		}
	}
	for _, sub := range [][]string{{"mesh", "info"}, {"mesh", "estimate"}, {"mesh", "render"}, {"facilities", "near"}, {"facilities", "import"}, {"facilities", "list"}, {"facilities", "show"}, {"license", "check"}} {
		o, e, code := runDGML(t, append(sub, "--help")...)
		if code != 0 || !strings.Contains(o+e, "Usage: dgml "+strings.Join(sub, " ")) {
			t.Errorf("dgml %v --help: exit %d\n%s%s", sub, code, o, e)
		}
	}
	if _, _, code := runDGML(t, "frobnicate"); code != 2 {
		t.Errorf("an unknown command should exit 2, got %d", code)
	}
}

func TestImportSearchExportRealManifests(t *testing.T) {
	src := sharedtest.Dir(t, "data/okh")
	data := t.TempDir()
	out, errOut, code := runDGML(t, "import", "okh", "--data", data, src)
	if code != 1 {
		t.Errorf("the templates in the folder are refused, so the exit code must be 1, got %d", code)
	}
	if n := strings.Count(out, "imported "); n < 35 {
		t.Errorf("only %d manifests imported:\n%s", n, out)
	}
	if n := strings.Count(errOut, "refused "); n != 5 {
		t.Errorf("want the 5 templates/empty files refused, got %d:\n%s", n, errOut)
	}
	if !strings.Contains(errOut, "okh-TEMPLATE.toml:6: field name") {
		t.Errorf("a refusal must name file, line and field:\n%s", errOut)
	}
	out, _, code = runDGML(t, "designs", "--data", data, "--json", "loom")
	var res struct {
		Total int
		Items []struct{ Slug, Head string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || res.Total != 2 {
		t.Fatalf("designs loom --json: %v %d %s", err, code, out)
	}
	dir := filepath.Join(t.TempDir(), "export")
	if _, e, code := runDGML(t, "export", "okh", "--data", data, "-o", dir, res.Items[0].Slug); code != 0 {
		t.Fatalf("export: %s", e)
	}
	out, e, code := runDGML(t, "import", "okh", "--data", t.TempDir(), "--json", dir)
	var imp []struct{ Revision string }
	if err := json.Unmarshal([]byte(out), &imp); err != nil || code != 0 || imp[0].Revision != res.Items[0].Head {
		t.Errorf("export then import into another node must give the same revision %s: %s %s", res.Items[0].Head, out, e)
	}
	if _, e, code := runDGML(t, "export", "okh", "--data", data, "no-such-design"); code != 1 || !strings.Contains(e, "no design") {
		t.Errorf("exporting a missing design: exit %d %s", code, e)
	}
}

func TestBadManifestExitsNonZeroAndWritesNothing(t *testing.T) {
	data := t.TempDir()
	bad := filepath.Join(t.TempDir(), "okh.toml")
	os.WriteFile(bad, []byte("name = \"Wheel\"\n\n[[part]]\nname = \"rim\"\nquantity = \"many\"\n"), 0o644)
	_, e, code := runDGML(t, "import", "okh", "--data", data, bad)
	if code != 1 || !strings.Contains(e, bad+":5: field part[0].quantity") {
		t.Errorf("exit %d, stderr %q: want file, line 5 and the field", code, e)
	}
	out, _, _ := runDGML(t, "designs", "--data", data, "--json")
	if !strings.Contains(out, `"total": 0`) {
		t.Errorf("nothing may be stored: %s", out)
	}
}

// A node killed in the middle of a large import must come back with the
// design whole or absent, and every file it refers to present.
func TestKilledImportLeavesConsistentStore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large design; skipped with -short")
	}
	src := t.TempDir()
	var m strings.Builder
	m.WriteString("name = \"Big machine\"\nlicense = \"CERN-OHL-S-2.0\"\n")
	const parts = 1500
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 2048)
	for i := 0; i < parts; i++ {
		fmt.Fprintf(&m, "\n[[part]]\nname = \"part %d\"\nexport = \"cad/p%d.step\"\n", i, i)
		os.MkdirAll(filepath.Join(src, "cad"), 0o755)
		os.WriteFile(filepath.Join(src, "cad", fmt.Sprintf("p%d.step", i)), append([]byte(fmt.Sprint(i)), chunk...), 0o644)
	}
	os.WriteFile(filepath.Join(src, "okh.toml"), []byte(m.String()), 0o644)

	// Kill points follow the import's progress, not the clock: while
	// files are being stored (a share of the blobs written), and once all
	// are written, a little later, when the design is being measured and
	// committed.
	points := []struct {
		blobs int
		after time.Duration
	}{{parts / 10, 0}, {parts / 2, 0}, {parts * 9 / 10, 0}, {parts, 0}, {parts, 20 * time.Millisecond}, {parts, 80 * time.Millisecond}, {parts, 200 * time.Millisecond}}
	kills := 0
	for i, pt := range points {
		data := filepath.Join(t.TempDir(), fmt.Sprint(i))
		cmd := exec.Command(binary, "import", "okh", "--data", data, src)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		killed := false
	wait:
		for {
			select {
			case <-done:
				break wait
			case <-time.After(2 * time.Millisecond):
				if countBlobs(data) >= pt.blobs {
					time.Sleep(pt.after)
					if cmd.Process.Signal(syscall.SIGKILL) == nil {
						killed = true
					}
					<-done
					break wait
				}
			}
		}
		if killed {
			kills++
		}
		designs := checkConsistent(t, data, parts)
		t.Logf("killed at %d blobs + %v: %v; designs after restart: %d", pt.blobs, pt.after, killed, designs)
		// The node works after the crash: the import completes.
		if _, e, code := runDGML(t, "import", "okh", "--data", data, src); code != 0 {
			t.Fatalf("import after the crash failed: %s", e)
		}
		if got := checkConsistent(t, data, parts); got != 1 {
			t.Errorf("after re-import: %d designs (before %d), want 1", got, designs)
		}
	}
	if kills < 4 {
		t.Errorf("only %d of the imports were killed mid-way", kills)
	}
}

func countBlobs(data string) int {
	dirs, _ := os.ReadDir(filepath.Join(data, "blobs"))
	n := 0
	for _, d := range dirs {
		if d.IsDir() && d.Name() != "tmp" {
			entries, _ := os.ReadDir(filepath.Join(data, "blobs", d.Name()))
			n += len(entries)
		}
	}
	return n
}

// checkConsistent opens a data folder the way a restarted node does and
// returns how many designs it holds, failing on any half-stored state.
func checkConsistent(t *testing.T, data string, parts int) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "dgml.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var designs int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM designs`).Scan(&designs); err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return 0 // killed before the schema was made
		}
		t.Fatal(err)
	}
	var fkProblems int
	rows, err := db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		fkProblems++
	}
	rows.Close()
	if fkProblems > 0 {
		t.Errorf("%d foreign key violations", fkProblems)
	}
	var ok string
	db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok)
	if ok != "ok" {
		t.Errorf("integrity check: %s", ok)
	}
	r2, err := db.QueryContext(ctx, `SELECT d.parts, (SELECT count(*) FROM revision_files f WHERE f.revision_id = d.head) FROM designs d`)
	if err != nil {
		t.Fatal(err)
	}
	for r2.Next() {
		var p, f int
		r2.Scan(&p, &f)
		if p != parts || f != parts {
			t.Errorf("a design with %d of %d parts and %d files: not whole", p, parts, f)
		}
	}
	r2.Close()
	sums, err := db.QueryContext(ctx, `SELECT sha256 FROM files`)
	if err != nil {
		t.Fatal(err)
	}
	defer sums.Close()
	for sums.Next() {
		var s string
		sums.Scan(&s)
		if _, err := os.Stat(filepath.Join(data, "blobs", s[:2], s)); err != nil {
			t.Errorf("the store refers to file %s, which is missing", s)
		}
	}
	return designs
}

func TestMeshCommands(t *testing.T) {
	dir := sharedtest.Dir(t, "data/meshes/prusa-i3-mk3s")
	files, _ := filepath.Glob(filepath.Join(dir, "*.stl"))
	out, e, code := runDGML(t, append([]string{"mesh", "info", "--json"}, files...)...)
	var rows []struct {
		File     string
		Analysis struct {
			Triangles  int  `json:"triangles"`
			Watertight bool `json:"watertight"`
		}
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != 0 || len(rows) != 45 {
		t.Fatalf("mesh info --json: %v %d %s", err, code, e)
	}
	for i, r := range rows {
		if r.File != files[i] || r.Analysis.Triangles == 0 {
			t.Errorf("row %d: %+v (rows keep the order of the arguments)", i, r)
		}
	}
	out, _, code = runDGML(t, "mesh", "info", files[0], files[1])
	if code != 0 || !strings.Contains(out, "WATERTIGHT") || !strings.Contains(out, "Einsy-doors.stl") {
		t.Errorf("table: %s", out)
	}
	out, e, code = runDGML(t, "mesh", "estimate", "--process", "fdm", "--set", "fill_density=40%", filepath.Join(dir, "fs-lever.stl"))
	if code != 0 || !strings.Contains(out, "PRINT TIME") || !strings.Contains(out, "external perimeter") {
		t.Errorf("estimate: %d %s %s", code, out, e)
	}
	if _, e, code := runDGML(t, "mesh", "estimate", "--set", "infil=3", files[0]); code != 1 || !strings.Contains(e, "infil") {
		t.Errorf("unknown setting: %d %s", code, e)
	}
	png := filepath.Join(t.TempDir(), "lever.png")
	if _, e, code := runDGML(t, "mesh", "render", "-o", png, "--size", "64", filepath.Join(dir, "fs-lever.stl")); code != 0 {
		t.Fatal(e)
	}
	if b, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("render wrote no PNG: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.stl")
	os.WriteFile(bad, []byte("solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 zero\n"), 0o644)
	if _, e, code := runDGML(t, "mesh", "info", bad); code != 1 || !strings.Contains(e, "bad.stl:4") {
		t.Errorf("a bad file: exit %d, %q", code, e)
	}
	svg := filepath.Join(t.TempDir(), "panel.svg")
	os.WriteFile(svg, []byte(`<svg width="100mm" height="100mm" viewBox="0 0 100 100"><rect width="100" height="50"/></svg>`), 0o644)
	out, e, code = runDGML(t, "mesh", "estimate", "--process", "laser", "--material", "acrylic", "--thickness", "3", svg)
	if code != 0 || !strings.Contains(out, "cut 0.30 m") {
		t.Errorf("laser: %s %s", out, e)
	}
}

func TestFacilitiesAndPlanCommands(t *testing.T) {
	data := t.TempDir()
	okwDir := sharedtest.Dir(t, "data/okw")
	out, e, code := runDGML(t, "facilities", "import", "--data", data, okwDir, filepath.Join(okwDir, "..", "makerspaces", "hackerspaces.geojson"))
	if code != 0 || !strings.Contains(out, "added") {
		t.Fatalf("import: %d %s %s", code, out, e)
	}
	out, _, code = runDGML(t, "facilities", "near", "--data", data, "--radius", "100", "--process", "laser-cutting", "45.44,10.99")
	if code != 0 || !strings.Contains(out, "Laser Cutting Facility 1") {
		t.Errorf("near Verona: %s", out)
	}
	out, _, _ = runDGML(t, "facilities", "near", "--data", data, "--json", "--radius", "30", "51.46,7.01")
	var hits []struct {
		Facility struct{ Name string }
		Km       float64
	}
	if err := json.Unmarshal([]byte(out), &hits); err != nil || len(hits) == 0 || hits[0].Facility.Name != "3D Druckzentrum Ruhr" {
		t.Errorf("a hackerspace from the GeoJSON: %v %s", err, out)
	}
	if _, e, code := runDGML(t, "facilities", "near", "--data", data, "--process", "knitting", "1,2"); code != 2 || !strings.Contains(e, "unknown process") {
		t.Errorf("unknown process: %d %s", code, e)
	}
	if _, e, code := runDGML(t, "plan", "--data", data, "--near", "37.98,23.73", "no-such-design"); code != 1 || !strings.Contains(e, "no design") {
		t.Errorf("plan of a missing design: %d %s", code, e)
	}
	// A plan of nothing is said in words, never as zero totals.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bracket.toml"), []byte("name = \"Shelf bracket\"\nlicense = \"CC0-1.0\"\n[[part]]\nname = \"Bracket\"\nquantity = 2\nmaterial = \"PLA\"\nmanufacturing-process = \"3D printing\"\n[[part]]\nname = \"M4 screw\"\nquantity = 4\nkind = \"bought\"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "idea.toml"), []byte("name = \"Shelf idea\"\nlicense = \"CC0-1.0\"\n"), 0o644)
	if out, e, code := runDGML(t, "import", "okh", "--data", data, filepath.Join(dir, "bracket.toml"), filepath.Join(dir, "idea.toml")); code != 0 {
		t.Fatalf("import: %s %s", out, e)
	}
	out, _, code = runDGML(t, "plan", "--data", data, "--near", "-75.1,123.3", "shelf-bracket")
	if code != 0 || !strings.Contains(out, "No workshop within 50 km can make any of its") || !strings.Contains(out, "--radius 200") || strings.Contains(out, "made locally (this plan)") {
		t.Errorf("nothing in reach: %d\n%s", code, out)
	}
	if _, e, code := runDGML(t, "plan", "--data", data, "--near", "37.98,23.73", "--time-value", "-3", "shelf-bracket"); code == 0 || !strings.Contains(e, "--time-value") {
		t.Errorf("a negative value of time: %d %s", code, e)
	}
	out, _, _ = runDGML(t, "plan", "--data", data, "--near", "-75.1,123.3", "shelf-idea")
	if !strings.Contains(out, "lists no parts to make") || strings.Contains(out, "0.00") {
		t.Errorf("no parts:\n%s", out)
	}
}

// runIn runs dgml with standard input (a password).
func runIn(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return o.String(), e.String(), code
}

func TestPeopleCommands(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "okh.toml"), []byte("name = \"Bench\"\nlicense = \"CC0-1.0\"\n[[part]]\nname = \"top\"\nquantity = 1\n"), 0o644)
	if _, e, code := runDGML(t, "import", "okh", "--data", data, dir); code != 0 {
		t.Fatal(e)
	}
	pw := "a long enough password\n"
	if out, e, code := runIn(t, pw, "admin", "create-user", "--data", data, "--admin", "root"); code != 0 || !strings.Contains(out, "node admin") {
		t.Fatalf("create admin: %s %s", out, e)
	}
	if _, e, code := runIn(t, pw, "admin", "create-user", "--data", data, "eve"); code != 0 {
		t.Fatal(e)
	}
	if _, e, code := runIn(t, "short\n", "admin", "create-user", "--data", data, "mallory"); code != 1 || !strings.Contains(e, "at least 10") {
		t.Errorf("a short password: %d %s", code, e)
	}
	out, e, code := runIn(t, pw, "fork", "--data", data, "--as", "eve", "bench")
	if code != 0 || !strings.Contains(out, "forked as") {
		t.Fatalf("fork: %s %s", out, e)
	}
	fork := strings.Fields(out)[2]
	os.WriteFile(filepath.Join(dir, "okh.toml"), []byte("name = \"Bench\"\nlicense = \"CC0-1.0\"\n[[part]]\nname = \"top\"\nquantity = 2\n"), 0o644)
	if _, e, code := runDGML(t, "import", "okh", "--data", data, "--into", fork, dir); code != 2 || !strings.Contains(e, "--as") {
		t.Errorf("--into without --as must be refused: %d %s", code, e)
	}
	if _, e, code := runIn(t, pw, "import", "okh", "--data", data, "--as", "eve", "--into", "bench", dir); code != 1 || !strings.Contains(e, "maintainers") {
		t.Errorf("eve may not add a revision to bench, which she does not maintain: %d %s", code, e)
	}
	if _, e, code := runIn(t, pw, "import", "okh", "--data", data, "--as", "eve", "--into", fork, dir); code != 0 {
		t.Fatal(e)
	}
	out, e, code = runIn(t, pw, "propose", "--data", data, "--as", "eve", "--from", fork, "--title", "two tops", "bench")
	if code != 0 {
		t.Fatalf("propose: %s", e)
	}
	pid := strings.Fields(out)[1]
	if _, e, code := runIn(t, pw, "decide", "--data", data, "--as", "eve", pid, "accept"); code != 1 || !strings.Contains(e, "maintainers") {
		t.Errorf("eve does not maintain bench: %d %s", code, e)
	}
	if out, e, code := runIn(t, pw, "decide", "--data", data, "--as", "root", pid, "accept"); code != 0 || !strings.Contains(out, "accepted") {
		t.Errorf("root accepts: %s %s", out, e)
	}
	out, _, _ = runDGML(t, "proposals", "--data", data, "bench")
	if !strings.Contains(out, "accepted") || !strings.Contains(out, "eve@") {
		t.Errorf("proposals: %s", out)
	}
	out, e, code = runIn(t, pw, "task", "add", "--data", data, "--as", "eve", "--title", "sand the top", "--skills", "woodwork", "bench")
	if code != 0 {
		t.Fatal(e)
	}
	tid := strings.Fields(out)[1]
	out, _, _ = runDGML(t, "tasks", "--data", data, "--skill", "woodwork")
	if !strings.Contains(out, tid) {
		t.Errorf("tasks: %s", out)
	}
	if _, e, code := runIn(t, pw, "task", "claim", "--data", data, "--as", "root", tid); code != 0 {
		t.Error(e)
	}
	if _, e, code := runIn(t, pw, "task", "close", "--data", data, "--as", "root", "--resolution", "/designs/bench", tid); code != 0 {
		t.Error(e)
	}
	out, _, _ = runDGML(t, "activity", "--data", data, "bench")
	for _, want := range []string{"forked", "proposed: two tops", "accepted", "task: sand the top", "done: sand the top"} {
		if !strings.Contains(out, want) {
			t.Errorf("activity lacks %q:\n%s", want, out)
		}
	}
	assessCommands(t, data, pw)
	if out, e, code := runIn(t, pw, "token", "create", "--data", data, "--scope", "read", "eve"); code != 0 || !strings.HasPrefix(out, "dgml_") {
		t.Errorf("token: %s %s", out, e)
	}
}

func assessCommands(t *testing.T, data, pw string) {
	t.Helper()
	if out, e, code := runIn(t, pw, "report", "--data", data, "--as", "eve", "--place", "Lyon, FR", "--part", "top", "--process", "woodworking", "--hours", "2", "--quantity", "2", "bench"); code != 0 || !strings.Contains(out, "stored") {
		t.Errorf("report: %d %s %s", code, out, e)
	}
	if _, e, code := runIn(t, pw, "report", "--data", data, "--as", "eve", "--place", "Lyon, FR", "--photo", "/etc/hostname", "bench"); code != 1 || !strings.Contains(e, "not a JPEG") {
		t.Errorf("a text file as a photo: %d %s", code, e)
	}
	runIn(t, pw, "report", "--data", data, "--as", "root", "--place", "Oslo, NO", "--cost", "40", "bench")
	out, _, _ := runDGML(t, "reports", "--data", data, "bench")
	if !strings.Contains(out, "built 1 times") || !strings.Contains(out, "in 2 places") || !strings.Contains(out, "40.00 EUR") {
		t.Errorf("reports:\n%s", out)
	}
	if _, e, code := runIn(t, pw, "attest", "--data", data, "--as", "eve", "--note", "built it from the docs", "bench"); code != 0 {
		t.Errorf("attest: %s", e)
	}
	if _, e, code := runIn(t, pw, "vote", "--data", data, "--as", "eve", "--scale", "odrl", "--level", "7", "--reason", "x", "bench"); code != 1 || !strings.Contains(e, "1 to 5") {
		t.Errorf("vote out of range: %d %s", code, e)
	}
	runIn(t, pw, "vote", "--data", data, "--as", "eve", "--scale", "odrl", "--level", "2", "--reason", "a BOM, no drawings", "bench")
	out, _, _ = runDGML(t, "maturity", "--data", data, "bench")
	for _, want := range []string{"documentation criteria met", "no   Assembly instructions", "0 independent reviewer(s), 2 needed", " (maintainer or author: not counted)", "a BOM, no drawings"} {
		if !strings.Contains(out, want) {
			t.Errorf("maturity lacks %q:\n%s", want, out)
		}
	}
	if _, e, code := runIn(t, pw, "translate", "--data", data, "--as", "eve", "--key", "name", "--lang", "nb", "--text", "Benk", "bench"); code != 0 {
		t.Errorf("translate: %s", e)
	}
	out, _, _ = runDGML(t, "texts", "--data", data, "--lang", "nb", "bench")
	if !strings.Contains(out, "[name, nb] Benk") || !strings.Contains(out, "nb: 100%") {
		t.Errorf("texts:\n%s", out)
	}
	if _, e, code := runIn(t, pw, "translate", "--data", data, "--as", "eve", "--adopt", "bench"); code != 1 || !strings.Contains(e, "maintainers") {
		t.Errorf("eve may not adopt translations of bench: %d %s", code, e)
	}
	if _, e, code := runIn(t, pw, "translate", "--data", data, "--as", "root", "--adopt", "bench"); code != 1 || !strings.Contains(e, "no translation to adopt") {
		t.Errorf("bench has no step to carry a translation: %d %s", code, e)
	}
	out, _, _ = runDGML(t, "attribution", "--data", data, "bench")
	if !strings.Contains(out, "## Attribution") || !strings.Contains(out, "CC0-1.0") {
		t.Errorf("attribution:\n%s", out)
	}
	if out, _, code := runDGML(t, "license", "check", "--design", "CERN-OHL-P-2.0", "--module", "CERN-OHL-S-2.0"); code != 1 || !strings.Contains(out, "refuse") || !strings.Contains(out, "§") {
		t.Errorf("refused combination: %d %s", code, out)
	}
	if out, _, code := runDGML(t, "license", "check", "--design", "CERN-OHL-S-2.0", "--module", "CC0-1.0", "--json"); code != 0 || !strings.Contains(out, `"result": "allow"`) {
		t.Errorf("allowed combination: %d %s", code, out)
	}
}
