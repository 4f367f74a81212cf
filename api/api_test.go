package api_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/api"
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/demo"
	"github.com/dgml/dgml/dispatch"
	"github.com/dgml/dgml/internal/testnode"
	"github.com/dgml/dgml/order"
	"github.com/dgml/dgml/people"
	"github.com/dgml/dgml/sqlite"
)

type node struct {
	srv     *httptest.Server
	api     *api.Server
	db      *sqlite.DB
	people  *people.Service
	dataDir string
	token   string // a write token of the user "tester", sent with every request
	tn      *testnode.Node
}

func newNode(t *testing.T) *node {
	t.Helper()
	return newNodeWith(t, nil)
}

// newNodeWith is newNode with the test node changed before its handler
// is built.
func newNodeWith(t *testing.T, change func(*testnode.Node)) *node {
	t.Helper()
	tn := testnode.New(t)
	if change != nil {
		change(tn)
	}
	dir, db, people := tn.Dir, tn.DB, tn.People
	h, a := tn.Handler(t, 1<<20)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, err := people.SignUp(context.Background(), "tester", "correct horse battery", "", false)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := people.NewToken(context.Background(), u, "test", "write")
	if err != nil {
		t.Fatal(err)
	}
	return &node{srv: srv, api: a, db: db, people: people, dataDir: dir, token: token, tn: tn}
}

func (n *node) do(t *testing.T, method, path, contentType string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, n.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if n.token != "" {
		req.Header.Set("Authorization", "Bearer "+n.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("bad JSON %q: %v", b, err)
	}
}

const manifest = `okhv = "OKH-LOSHv1.0"
name = "Door Hinge"
license = "CERN OHL S 2.0"
function = "a printable hinge"
documentation-language = "en"

[[part]]
name = "Leaf"
tsdc = "3DP"
material = "PETG"
export = "leaf.stl"
quantity = 2
`

func zipOf(t *testing.T, files map[string]string) *bytes.Buffer {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(files[n]))
	}
	zw.Close()
	return &buf
}

type problem struct {
	Type, Title, Detail, Kind, File, Field string
	Status, Line                           int
}

func TestImportZipThenReadEverything(t *testing.T) {
	n := newNode(t)
	stl := "solid leaf\nendsolid leaf\n"
	res, body := n.do(t, "POST", "/api/v1/designs", "application/zip", zipOf(t, map[string]string{"hinge/okh.toml": manifest, "hinge/leaf.stl": stl}))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("import: %d %s", res.StatusCode, body)
	}
	var imp struct {
		Results []commons.Imported `json:"results"`
	}
	decode(t, body, &imp)
	if len(imp.Results) != 1 || imp.Results[0].Design.Slug != "door-hinge" || res.Header.Get("Location") != "/api/v1/designs/door-hinge" {
		t.Fatalf("import result: %s", body)
	}
	if w := imp.Results[0].Warnings; len(w) == 0 || strings.Contains(w[0].File, n.dataDir) {
		t.Errorf("the license repair should warn, without server paths: %+v", w)
	}

	_, body = n.do(t, "GET", "/api/v1/designs/door-hinge/parts", "", nil)
	var parts struct {
		Revision string
		Parts    []struct {
			Name     string
			Quantity float64
			Exports  []struct {
				Path   string
				SHA256 string
			}
		}
	}
	decode(t, body, &parts)
	if len(parts.Parts) != 1 || parts.Parts[0].Quantity != 2 || parts.Parts[0].Exports[0].SHA256 == "" {
		t.Fatalf("parts: %s", body)
	}
	sum := parts.Parts[0].Exports[0].SHA256

	res, body = n.do(t, "GET", "/api/v1/files/"+sum, "", nil)
	if res.StatusCode != 200 || string(body) != stl || res.Header.Get("Content-Type") != "model/stl" || res.Header.Get("ETag") != `"`+sum+`"` {
		t.Errorf("file: %d %q %v", res.StatusCode, body, res.Header)
	}
	req, _ := http.NewRequest("GET", n.srv.URL+"/api/v1/files/"+sum, nil)
	req.Header.Set("If-None-Match", `"`+sum+`"`)
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the ETag should give 304: %v %v", r.StatusCode, err)
	}

	res, body = n.do(t, "GET", "/api/v1/revisions/"+parts.Revision+"/export", "", nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/toml" || !strings.Contains(string(body), `license = "CERN-OHL-S-2.0"`) {
		t.Errorf("export: %d %s", res.StatusCode, body)
	}
	// The exported zip imports again as the same revision.
	res, zipBody := n.do(t, "GET", "/api/v1/designs/door-hinge/export?format=zip", "", nil)
	if res.StatusCode != 200 {
		t.Fatal(res.StatusCode)
	}
	res, body = n.do(t, "POST", "/api/v1/designs", "application/zip", bytes.NewReader(zipBody))
	decode(t, body, &imp)
	if res.StatusCode != 201 || !imp.Results[0].Unchanged || imp.Results[0].Revision != parts.Revision {
		t.Errorf("re-importing the export should find the same revision unchanged: %s", body)
	}

	_, body = n.do(t, "GET", "/api/v1/designs?q=hinge&material=petg&language=en", "", nil)
	var found struct{ Total int }
	decode(t, body, &found)
	if found.Total != 1 {
		t.Errorf("search: %s", body)
	}
}

func TestUploadsThatMustBeRefused(t *testing.T) {
	n := newNode(t)
	var tarSlip bytes.Buffer
	tw := tar.NewWriter(&tarSlip)
	tw.WriteHeader(&tar.Header{Name: "okh.toml", Mode: 0o644, Size: int64(len(manifest)), Typeflag: tar.TypeReg})
	tw.Write([]byte(manifest))
	tw.WriteHeader(&tar.Header{Name: "leaf.stl", Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink})
	tw.Close()
	cases := []struct {
		name, contentType string
		body              io.Reader
		status            int
		field, file       string
		line              int
	}{
		{"zip slip", "application/zip", zipOf(t, map[string]string{"okh.toml": manifest, "../../evil.stl": "x"}), 422, "../../evil.stl", "", 0},
		{"absolute path", "application/zip", zipOf(t, map[string]string{"/tmp/evil/okh.toml": manifest}), 422, "/tmp/evil/okh.toml", "", 0},
		{"symlink in tar", "application/x-tar", &tarSlip, 422, "leaf.stl", "", 0},
		{"template", "application/toml", strings.NewReader("name = \"your-awesome-OSH\"\nlicense = \"MIT\"\n"), 422, "name", "okh.toml", 1},
		{"bad toml", "application/toml", strings.NewReader("name = \"x\"\nversion = [\n"), 422, "version", "okh.toml", 2},
		{"too large", "application/toml", strings.NewReader("name = \"" + strings.Repeat("a", 2<<20) + "\"\n"), 413, "", "", 0},
		{"not an archive", "application/octet-stream", strings.NewReader("hello"), 422, "", "", 0},
		{"zip without manifest", "application/zip", zipOf(t, map[string]string{"readme.md": "hi"}), 422, "", "", 0},
	}
	for _, c := range cases {
		res, body := n.do(t, "POST", "/api/v1/designs", c.contentType, c.body)
		var p problem
		if res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: want problem+json, got %s %s", c.name, res.Header.Get("Content-Type"), body)
			continue
		}
		decode(t, body, &p)
		if res.StatusCode != c.status || p.Status != c.status || p.Field != c.field || p.File != c.file || p.Line != c.line {
			t.Errorf("%s: got %d %+v", c.name, res.StatusCode, p)
		}
		if strings.Contains(string(body), n.dataDir) {
			t.Errorf("%s: the problem leaks the server's folder: %s", c.name, body)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(n.dataDir), "evil.stl")); err == nil {
		t.Error("zip slip wrote outside the data folder")
	}
	st, _ := n.db.Stats(context.Background())
	if st.Designs != 0 || st.Files != 0 {
		t.Errorf("refused uploads must store nothing: %+v", st)
	}
	left, _ := os.ReadDir(filepath.Join(n.dataDir, "tmp"))
	if len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestMultipartUploadOfYAML(t *testing.T) {
	n := newNode(t)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "okh.yml")
	fw.Write([]byte("title: Braille sign\nlicense:\n  hardware: CERN-OHL-P-2.0\nversion: 1.10\n"))
	mw.Close()
	res, body := n.do(t, "POST", "/api/v1/designs", mw.FormDataContentType(), &buf)
	if res.StatusCode != 201 {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	_, body = n.do(t, "GET", "/api/v1/designs/braille-sign", "", nil)
	var v struct {
		Head struct {
			Manifest struct{ Version, License string }
		}
	}
	decode(t, body, &v)
	if v.Head.Manifest.Version != "1.10" || v.Head.Manifest.License != "CERN-OHL-P-2.0" {
		t.Errorf("version 1.10 must stay 1.10: %s", body)
	}
}

func TestErrorsAreProblems(t *testing.T) {
	n := newNode(t)
	for _, c := range []struct {
		path   string
		status int
		kind   string
	}{
		{"/api/v1/designs/nope", 404, "not-found"},
		{"/api/v1/revisions/xyz", 422, "invalid"},
		{"/api/v1/revisions/" + strings.Repeat("a", 64), 404, "not-found"},
		{"/api/v1/files/" + strings.Repeat("b", 64), 404, "not-found"},
		{"/api/v1/designs?otrl=-1", 422, "invalid"},
		{"/api/v1/designs?limit=5000", 422, "invalid"},
		{"/api/v1/nothing/here", 404, "not-found"},
	} {
		res, body := n.do(t, "GET", c.path, "", nil)
		var p problem
		decode(t, body, &p)
		if res.StatusCode != c.status || p.Kind != c.kind || p.Type != "urn:dgml:problem:"+c.kind || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s", c.path, res.StatusCode, body)
		}
	}
}

// The OpenAPI document must describe exactly the routes the server has,
// and every documented operation must answer with a documented status.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	n := newNodeWith(t, func(tn *testnode.Node) { tn.Federate(t, "api") })
	d, err := demo.Printer()
	if err != nil {
		t.Fatal(err)
	}
	dsg, err := n.people.Commons.Commit(context.Background(), d.Content, d.Files, commons.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var fileSum string
	_, body := n.do(t, "GET", "/api/v1/designs/"+dsg.Slug+"/parts", "", nil)
	if m := regexp.MustCompile(`"sha256": "([0-9a-f]{64})"`).FindStringSubmatch(string(body)); m != nil {
		fileSum = m[1]
	}
	res, body := n.do(t, "GET", "/api/v1/openapi.json", "", nil)
	if res.StatusCode != 200 {
		t.Fatal(res.StatusCode)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
	}
	decode(t, body, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("not OpenAPI 3: %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	served := map[string]bool{}
	for _, r := range n.api.Routes() {
		served[r.Method+" "+r.Pattern] = true
		if !documented[r.Method+" "+r.Pattern] {
			t.Errorf("served but not documented: %s %s", r.Method, r.Pattern)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("documented but not served: %s", k)
		}
	}
	lab := demo.Network()[0]
	if err := n.db.CreateFacility(context.Background(), &lab); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	me, _, _ := n.db.UserByName(ctx, "tester")
	fork, err := n.people.Fork(ctx, me, dsg.Slug)
	if err != nil {
		t.Fatal(err)
	}
	task := &collab.Task{Title: "print a spare gear"}
	if err := n.people.AddTask(ctx, me, dsg.Slug, task); err != nil {
		t.Fatal(err)
	}
	prop := &collab.Proposal{DesignID: dsg.ID, FromDesign: fork.ID, Revision: dsg.Head, Base: dsg.Head, Title: "t", Author: "tester@test.node"}
	if err := n.db.CreateProposal(ctx, prop); err != nil {
		t.Fatal(err)
	}
	if err := n.db.AddRole(ctx, account.Operator, lab.ID, me.ID); err != nil {
		t.Fatal(err)
	}
	slot := time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)
	bk := &booking.Booking{MachineID: lab.Machines[0].ID, FacilityID: lab.ID, Unit: 1, Kind: booking.Maintenance, Start: slot, End: slot.Add(time.Hour), Person: me.ID}
	if err := n.db.Book(ctx, bk, time.Now()); err != nil {
		t.Fatal(err)
	}
	ord := &order.Order{Person: me.ID, PersonName: "tester", DesignID: dsg.ID, Quantity: 1, Deadline: slot.Add(240 * time.Hour),
		Requests: []order.Request{{FacilityID: lab.ID, FacilityName: lab.Name, State: order.Requested}}}
	if err := n.db.CreateOrder(ctx, ord); err != nil {
		t.Fatal(err)
	}
	run := &dispatch.Run{RequestID: ord.Requests[0].ID, Line: 1, FacilityID: lab.ID, MachineID: lab.Machines[0].ID, State: dispatch.Queued}
	if err := n.db.CreateRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer("{ref}", dsg.Slug, "{id}", dsg.Head, "{other}", dsg.Head, "{sha256}", fileSum, "{name}", "tester", "{node}", "nobody")
	query := map[string]string{"/api/v1/designs/{ref}/plan": "?near=37.98,23.73", "/api/v1/licenses/check": "?design=CERN-OHL-S-2.0&module=CC-BY-4.0",
		"/.well-known/webfinger": "?resource=acct:commons@test.node"}
	for p, ops := range doc.Paths {
		for m, op := range ops {
			if m != "get" {
				continue // writes are exercised by their own tests
			}
			path := fill.Replace(p)
			switch {
			case strings.HasPrefix(p, "/api/v1/facilities/{ref}"):
				path = strings.Replace(p, "{ref}", lab.Slug, 1)
			case strings.HasPrefix(p, "/api/v1/tasks/{id}"):
				path = strings.Replace(p, "{id}", task.ID, 1)
			case strings.HasPrefix(p, "/api/v1/proposals/{id}"):
				path = strings.Replace(p, "{id}", prop.ID, 1)
			case strings.HasPrefix(p, "/api/v1/machines/{id}"):
				path = strings.Replace(p, "{id}", lab.Machines[0].ID, 1)
			case strings.HasPrefix(p, "/api/v1/bookings/{id}"):
				path = strings.Replace(p, "{id}", bk.ID, 1)
			case strings.HasPrefix(p, "/api/v1/orders/{id}"):
				path = strings.Replace(p, "{id}", ord.ID, 1)
			case strings.HasPrefix(p, "/api/v1/runs/{id}"):
				path = strings.Replace(p, "{id}", run.ID, 1)
			case strings.HasPrefix(p, "/api/v1/order-requests/{id}"):
				path = strings.Replace(p, "{id}", ord.Requests[0].ID, 1)
			}
			res, _ := n.do(t, strings.ToUpper(m), path+query[p], "", nil)
			if _, ok := op.Responses[fmt.Sprint(res.StatusCode)]; !ok {
				t.Errorf("%s %s answered %d, which the document does not list", m, p, res.StatusCode)
			}
			// A followers-only record needs a follower's signed request:
			// federation's tests make one.
			if res.StatusCode != 200 && p != "/federation/private/{ref}" {
				t.Errorf("%s %s with real parameters answered %d", m, p, res.StatusCode)
			}
		}
	}
}

func TestConcurrentRequests(t *testing.T) {
	n := newNode(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			m := strings.Replace(manifest, "Door Hinge", fmt.Sprintf("Hinge %d", i), 1)
			req, _ := http.NewRequest("POST", n.srv.URL+"/api/v1/designs", strings.NewReader(m))
			req.Header.Set("Content-Type", "application/toml")
			req.Header.Set("Authorization", "Bearer "+n.token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			if res.StatusCode != 201 {
				t.Errorf("import %d: %d", i, res.StatusCode)
			}
			r2, err := http.Get(n.srv.URL + "/api/v1/designs?q=hinge")
			if err == nil {
				r2.Body.Close()
			}
		}(i)
	}
	wg.Wait()
	st, _ := n.db.Stats(context.Background())
	if st.Designs != 8 {
		t.Errorf("8 concurrent imports, %d designs", st.Designs)
	}
}

func TestMeshEndpoints(t *testing.T) {
	n := newNode(t)
	d, _ := demo.Printer()
	if _, err := n.tn.Commons.Commit(context.Background(), d.Content, d.Files, commons.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	_, body := n.do(t, "GET", "/api/v1/designs/reprap-mendel-style-3d-printer-demo/parts", "", nil)
	sum := regexp.MustCompile(`"sha256": "([0-9a-f]{64})"`).FindStringSubmatch(string(body))[1]
	res, body := n.do(t, "GET", "/api/v1/files/"+sum+"/analysis", "", nil)
	var a struct {
		Watertight bool    `json:"watertight"`
		Volume     float64 `json:"volume_mm3"`
	}
	decode(t, body, &a)
	if res.StatusCode != 200 || !a.Watertight || a.Volume <= 0 {
		t.Errorf("analysis: %d %s", res.StatusCode, body)
	}
	var e1, e2 struct {
		Seconds   float64 `json:"seconds"`
		FilamentG float64 `json:"filament_g"`
	}
	_, body = n.do(t, "GET", "/api/v1/files/"+sum+"/estimate", "", nil)
	decode(t, body, &e1)
	_, body = n.do(t, "GET", "/api/v1/files/"+sum+"/estimate?fill_density=80%25&material=PETG", "", nil)
	decode(t, body, &e2)
	if e1.Seconds <= 0 || e2.FilamentG <= e1.FilamentG {
		t.Errorf("80%% PETG should take more filament than the default: %+v %+v", e1, e2)
	}
	res, body = n.do(t, "GET", "/api/v1/files/"+sum+"/estimate?fill_densty=80", "", nil)
	if res.StatusCode != 422 || !strings.Contains(string(body), "fill_densty") {
		t.Errorf("a misspelled setting: %d %s", res.StatusCode, body)
	}
	res, body = n.do(t, "GET", "/api/v1/files/"+sum+"/thumbnail.png?size=64", "", nil)
	img, err := png.Decode(bytes.NewReader(body))
	if res.StatusCode != 200 || err != nil || img.Bounds().Dx() != 64 {
		t.Errorf("thumbnail: %d %v", res.StatusCode, err)
	}
	_, again := n.do(t, "GET", "/api/v1/files/"+sum+"/thumbnail.png?size=64", "", nil)
	if !bytes.Equal(body, again) {
		t.Error("the cached thumbnail differs")
	}
	if _, ok, _ := n.db.CacheGet(context.Background(), sum, "thumbnail", "64"); !ok {
		t.Error("the thumbnail is not cached in the store")
	}
}

func TestFacilitiesAndPlan(t *testing.T) {
	n := newNode(t)
	d, _ := demo.Printer()
	if _, err := n.tn.Commons.Commit(context.Background(), d.Content, d.Files, commons.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	body := `{"name": "Corner Lab", "location": {"lat": 37.99, "lon": 23.74}, "country": "GR", "access": "public",
	  "machines": [{"process": "3d-printing-fdm", "make": "Prusa", "envelope": {"x": 250, "y": 210, "z": 220}, "materials": ["pla"]},
	               {"process": "pcb-assembly"}]}`
	res, out := n.do(t, "POST", "/api/v1/facilities", "application/json", strings.NewReader(body))
	var f struct {
		ID, Slug string
		Machines []struct{ ID string }
	}
	decode(t, out, &f)
	if res.StatusCode != 201 || f.Slug != "corner-lab" || len(f.Machines) != 2 || f.Machines[0].ID == "" {
		t.Fatalf("create: %d %s", res.StatusCode, out)
	}
	res, out = n.do(t, "POST", "/api/v1/facilities", "application/json", strings.NewReader(`{"name": "Nowhere", "location": {"lat": 123, "lon": 0}}`))
	var p problem
	decode(t, out, &p)
	if res.StatusCode != 422 || p.Field != "location" {
		t.Errorf("a bad location: %d %s", res.StatusCode, out)
	}
	_, out = n.do(t, "GET", "/api/v1/facilities?near=37.98,23.73&radius=10&process=3d-printing-fdm&material=PLA", "", nil)
	var near struct {
		Total int
		Items []struct {
			Km       float64
			Facility struct{ Name string }
		}
	}
	decode(t, out, &near)
	if near.Total != 1 || near.Items[0].Facility.Name != "Corner Lab" || near.Items[0].Km < 1 || near.Items[0].Km > 2 {
		t.Errorf("near: %s", out)
	}
	// Nobody here lists steel: only machines that list no materials are
	// offered, flagged to ask first (the planner's rule).
	_, out = n.do(t, "GET", "/api/v1/facilities?near=37.98,23.73&radius=10&material=steel", "", nil)
	var steel struct {
		Items []struct {
			AskFirst bool `json:"ask_first"`
			Machines []struct{ Materials []string }
		}
	}
	decode(t, out, &steel)
	for _, it := range steel.Items {
		for _, m := range it.Machines {
			if !it.AskFirst || len(m.Materials) != 0 {
				t.Errorf("no steel here: %s", out)
			}
		}
	}
	res, out = n.do(t, "GET", "/api/v1/designs/reprap-mendel-style-3d-printer-demo/plan?near=37.98,23.73&qty=2&deadline=2w", "", nil)
	var plan struct {
		Assignments []struct{ Part, Facility string }
		Unmatched   []struct{ Part, Reason string }
		Bought      []struct{ Part string }
		Totals      struct {
			CostEUR float64 `json:"cost_eur"`
			CO2eKg  float64 `json:"co2e_kg"`
		}
		Baseline []struct{ Name string }
	}
	decode(t, out, &plan)
	// The ten printed parts; the assembly the design lists is a step the
	// Corner Lab does not offer, and the plan says so.
	if res.StatusCode != 200 || len(plan.Assignments) != 10 || len(plan.Unmatched) != 1 || len(plan.Bought) != 14 || plan.Totals.CostEUR <= 0 || len(plan.Baseline) != 2 ||
		plan.Unmatched[0].Reason != "no facility within reach offers assembly" {
		t.Errorf("plan: %d %s", res.StatusCode, out)
	}
	res, out = n.do(t, "GET", "/api/v1/designs/reprap-mendel-style-3d-printer-demo/plan?near=37.98,23.73&time_value=-3", "", nil)
	if res.StatusCode != 422 || !strings.Contains(string(out), `"field":"time_value"`) {
		t.Errorf("a negative value of time: %d %s", res.StatusCode, out)
	}
	for _, a := range plan.Assignments {
		if a.Facility != "Corner Lab" {
			t.Errorf("%s planned at %s", a.Part, a.Facility)
		}
	}
	res, _ = n.do(t, "DELETE", "/api/v1/facilities/corner-lab", "", nil)
	if res.StatusCode != 204 {
		t.Errorf("delete: %d", res.StatusCode)
	}
	_, out = n.do(t, "GET", "/api/v1/designs/reprap-mendel-style-3d-printer-demo/plan?near=37.98,23.73", "", nil)
	decode(t, out, &plan)
	if len(plan.Assignments) != 0 || len(plan.Unmatched) != 11 || !strings.Contains(plan.Unmatched[0].Reason, "no facility within reach offers") {
		t.Errorf("after the only lab is gone every part is unplanned with a reason: %s", out)
	}
	res, out = n.do(t, "POST", "/api/v1/facilities/import?filename=spaces.json", "application/json", strings.NewReader(`[{"name": "Space A", "lat": 52.37, "lon": 4.89, "processes": ["laser_cutting"]}]`))
	if res.StatusCode != 201 || !strings.Contains(string(out), `"added": 1`) {
		t.Errorf("import: %d %s", res.StatusCode, out)
	}
}
