package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/geometry"
	"github.com/dgml/dgml/internal/testnode"
)

// editPost sends the design editor's form as a browser does: the fields
// given, and files by input name.
func editPost(t *testing.T, client *http.Client, target string, fields url.Values, files map[string][2]string) (int, string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for field, f := range files {
		fw, _ := mw.CreateFormFile(field, f[0])
		fw.Write([]byte(f[1]))
	}
	mw.Close()
	res, err := client.Post(target, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header.Get("Location")
}

func cubeSTL(t *testing.T, side float64) string {
	t.Helper()
	m, err := geometry.Extrude([]geometry.Point2{{X: 0, Y: 0}, {X: side, Y: 0}, {X: side, Y: side}, {X: 0, Y: side}}, side)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := geometry.WriteSTL(&b, m, "cube"); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var keptRe = regexp.MustCompile(`name="(p\d+_kept)" value="([^"]+)"`)

func TestEditorMakesAndChangesADesign(t *testing.T) {
	node := testnode.New(t)
	h, _ := node.Handler(t, 0)
	base := serve(t, h)
	client := loggedIn(t, base)
	csrf := csrfOf(t, client, base+"/designs/new")

	form := url.Values{"csrf": {csrf}, "parts": {"3"}, "steps": {"1"},
		"name": {"Seed drill"}, "function": {"Sows seeds in rows"}, "license": {"CERN-OHL-S-2.0"}, "languages": {"en, pt-br"}, "otrl": {"4"},
		"p0_order": {"1"}, "p0_name": {"Frame"}, "p0_kind": {"module"},
		"p1_order": {"2"}, "p1_name": {"Hopper bracket"}, "p1_kind": {"part"}, "p1_module": {"Frame"}, "p1_qty": {"4"}, "p1_process": {"3d-printing-fdm"}, "p1_material": {"PETG"},
		"p2_order": {"3"}, "p2_name": {"M5 bolt"}, "p2_kind": {"bought"}, "p2_module": {"Frame"}, "p2_qty": {"8"}, "p2_supplier": {"Bolt shop"}, "p2_price": {"0.40"},
		"s0_order": {"1"}, "s0_title": {"Print"}, "s0_text": {"Print the brackets in PETG."},
		"message": {"first draft"}}
	cube := cubeSTL(t, 20)
	// A price without its currency: the form comes back with every value,
	// the uploaded mesh kept by its hash.
	code, body, _ := editPost(t, client, base+"/designs/new", form, map[string][2]string{"p1_file": {"bracket.stl", cube}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="currency-err"`) {
		t.Fatalf("a price without currency: %d\n%s", code, body)
	}
	for _, want := range []string{`value="Hopper bracket"`, `value="Bolt shop"`, `value="0.40"`, "Print the brackets in PETG.", "bracket.stl (uploaded, kept)", `value="en, pt-br"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lost %q", want)
		}
	}
	m := keptRe.FindStringSubmatch(body)
	if m == nil || m[1] != "p1_kept" {
		t.Fatalf("no kept file on the bracket's row: %v", m)
	}
	// The kept file says its size; the node reads it from the bytes.
	kept := strings.SplitN(m[2], ":", 3)
	form.Set("p1_kept", kept[0]+":999:"+kept[2])
	form.Set("currency", "eur")
	code, body, loc := editPost(t, client, base+"/designs/new", form, nil)
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/designs/seed-drill/edit?saved=") {
		t.Fatalf("saving: %d %q\n%s", code, loc, body)
	}
	d, rev, err := node.Commons.Head(context.Background(), "seed-drill")
	if err != nil {
		t.Fatal(err)
	}
	if len(rev.Parts) != 1 || rev.Parts[0].Kind != design.KindModule || len(rev.Parts[0].Children) != 2 {
		t.Fatalf("tree: %+v", rev.Parts)
	}
	br, bolt := rev.Parts[0].Children[0], rev.Parts[0].Children[1]
	if br.Quantity != 4 || br.Material != "PETG" || len(br.Exports) != 1 || br.Exports[0].SHA256 == "" || br.Exports[0].Size != int64(len(cube)) || br.Dimensions == nil || br.Dimensions.X != 20 {
		t.Errorf("bracket: %+v %+v", br, br.Dimensions)
	}
	if bolt.Price != 0.4 || bolt.Currency != "EUR" || bolt.Supplier != "Bolt shop" {
		t.Errorf("bolt: %+v", bolt)
	}
	if got := strings.Join(rev.Manifest.Languages, ","); got != "en,pt-BR" || rev.Manifest.OTRL != 4 {
		t.Errorf("manifest: %q %d", got, rev.Manifest.OTRL)
	}
	// The page after saving says so and shows the measured size.
	res, err := client.Get(base + loc)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), `id="saved"`) || !strings.Contains(string(b), "measured 20 × 20 × 20 mm") {
		t.Errorf("after saving:\n%s", b)
	}

	// Change it: the bolt goes, the bracket comes first, a message says
	// why. The history lists both revisions; the changes page says what
	// went.
	edit := url.Values{"csrf": {csrf}, "base": {d.Head}, "parts": {"3"}, "steps": {"1"}, "name": {"Seed drill"}, "license": {"CERN-OHL-S-2.0"}, "currency": {"EUR"},
		"p0_key": {"0"}, "p0_order": {"2"}, "p0_name": {"Frame"}, "p0_kind": {"module"},
		"p1_key": {"0.0"}, "p1_order": {"1"}, "p1_name": {"Hopper bracket"}, "p1_kind": {"part"}, "p1_qty": {"4"}, "p1_process": {"3d-printing-fdm"}, "p1_material": {"PETG"},
		"p2_key": {"0.1"}, "p2_name": {"M5 bolt"}, "p2_kind": {"bought"}, "p2_remove": {"on"},
		"s0_key": {"0"}, "s0_title": {"Print"}, "s0_text": {"Print the brackets in PETG."}, "message": {"bolts come with the frame kit"}}
	code, body, _ = editPost(t, client, base+"/designs/seed-drill/edit", edit, nil)
	if code != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", code, body)
	}
	_, rev2, _ := node.Commons.Head(context.Background(), "seed-drill")
	if len(rev2.Parts) != 2 || rev2.Parts[0].Name != "Hopper bracket" || rev2.Parts[0].Exports[0].SHA256 != br.Exports[0].SHA256 || len(rev2.Parts[1].Children) != 0 {
		t.Errorf("after the edit: %+v", rev2.Parts)
	}
	res, _ = client.Get(base + "/designs/seed-drill/revisions")
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), "bolts come with the frame kit") || !strings.Contains(string(b), "first draft") || !strings.Contains(string(b), "maker@") {
		t.Errorf("history:\n%s", b)
	}
	res, _ = client.Get(base + "/designs/seed-drill/changes?from=" + d.Head + "&to=" + rev2.ID)
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), "part removed") || !strings.Contains(string(b), "M5 bolt") {
		t.Errorf("changes:\n%s", b)
	}

	// An editor opened before that edit: its save is held back, with
	// everything typed kept.
	edit.Set("base", d.Head)
	edit.Set("message", "stale")
	code, body, _ = editPost(t, client, base+"/designs/seed-drill/edit", edit, nil)
	if code != http.StatusConflict || !strings.Contains(body, "newer revision") || !strings.Contains(body, `value="stale"`) {
		t.Errorf("a stale editor: %d", code)
	}

	// Somebody else may not edit it, on any path.
	other := signedUp(t, base, "stranger")
	res, _ = other.Get(base + "/designs/seed-drill/edit")
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a stranger opens the editor: %d", res.StatusCode)
	}
	ocsrf := csrfOf(t, other, base+"/designs/new")
	edit.Set("csrf", ocsrf)
	edit.Set("base", rev2.ID)
	if code, _, _ := editPost(t, other, base+"/designs/seed-drill/edit", edit, nil); code != http.StatusForbidden {
		t.Errorf("a stranger saves: %d", code)
	}
	if _, rev3, _ := node.Commons.Head(context.Background(), "seed-drill"); rev3.ID != rev2.ID {
		t.Error("a stranger's save changed the design")
	}
}

func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// The plan page says when nothing is in reach, offers a wider search,
// and a place it cannot read comes back beside its field.
func TestPlanPageSaysWhatIsMissing(t *testing.T) {
	base := demoSite(t)
	get := func(path string) (int, string) { return getPage(t, base+path) }
	slug := "/designs/reprap-mendel-style-3d-printer-demo"
	code, body := get(slug + "/plan?place=-75.1,123.3&radius=10")
	if code != 200 || !strings.Contains(body, `id="nothing-near"`) || !strings.Contains(body, "radius=40") || strings.Contains(body, `id="total-cost"`) {
		t.Errorf("nothing in reach: %d\n%s", code, body)
	}
	code, body = get(slug + "/plan?place=Atlantis&qty=3&radius=20")
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="place-err"`) || !strings.Contains(body, `value="Atlantis"`) || !strings.Contains(body, `value="3"`) {
		t.Errorf("an unknown place: %d", code)
	}
	code, body = get(slug + "/plan?place=Athens&qty=400")
	if code != 200 || !strings.Contains(body, `id="too-long"`) {
		t.Errorf("400 printers near Athens: %d", code)
	}
	if !strings.Contains(body, `id="to-buy"`) || !strings.Contains(body, "not made near you") {
		t.Error("the items to buy are not listed apart")
	}
}

// Forms that fail come back with what was typed and the reason beside
// the field: a build report, a translation, a task. Unknown addresses get
// the styled page with a search; signing up returns where one was going.
func TestFormsComeBackWithWhatWasTyped(t *testing.T) {
	base := demoSite(t)
	client := loggedIn(t, base)
	slug := "/designs/reprap-mendel-style-3d-printer-demo"
	csrf := csrfOf(t, client, base+slug)
	code, body, _ := editPost(t, client, base+slug+"/reports", url.Values{"csrf": {csrf}, "place": {"Lyon, FR"}, "hours": {"a while"}, "notes": {"went fine"}, "success": {"no"}},
		map[string][2]string{"photo": {"bench.jpg", "not really a picture"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="hours-err"`) || !strings.Contains(body, `value="Lyon, FR"`) ||
		!strings.Contains(body, "went fine") || !strings.Contains(body, `id="photo-err"`) || !strings.Contains(body, `value="no" checked`) {
		t.Errorf("a report with unreadable hours: %d", code)
	}
	code, body, _ = editPost(t, client, base+slug+"/translations", url.Values{"csrf": {csrf}, "key": {"step:1"}, "lang": {"fr"}, "title": {"Imprimer"}, "text": {""}}, nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="ttext-err"`) || !strings.Contains(body, `value="Imprimer"`) || !strings.Contains(body, `<option value="step:1" selected>Step 1:`) {
		t.Errorf("an empty translation: %d\n%s", code, body)
	}
	if strings.Contains(body, "<strong>step:") {
		t.Error("the translations page shows internal keys")
	}
	code, body, _ = editPost(t, client, base+slug+"/tasks", url.Values{"csrf": {csrf}, "title": {""}, "body": {"The hinge needs supports today."}, "skills": {"cad"}}, nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "The hinge needs supports today.") || !strings.Contains(body, `value="cad"`) || !strings.Contains(body, "<details open>") {
		t.Errorf("a task without a title: %d", code)
	}
	res, err := http.Get(base + "/no/such/page")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 404 || !strings.Contains(string(b), "<h1>Not found</h1>") || !strings.Contains(string(b), `id="nf-q"`) || !strings.Contains(string(b), "dgml.css") {
		t.Errorf("an unknown address: %d\n%s", res.StatusCode, b)
	}
	// Asked to log in on the way to the editor, a newcomer signs up and
	// lands in the editor.
	jar, _ := cookiejar.New(nil)
	fresh := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, _ = fresh.Get(base + "/designs/new")
	res.Body.Close()
	if loc := res.Header.Get("Location"); loc != "/login?next=/designs/new" {
		t.Fatalf("the editor, logged out: %q", loc)
	}
	res, _ = fresh.Get(base + "/signup?next=/designs/new")
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), `name="next" value="/designs/new"`) {
		t.Fatalf("the sign-up form forgets where one was going")
	}
	res, err = fresh.PostForm(base+"/signup", url.Values{"name": {"newcomer"}, "password": {"correct horse battery"}, "next": {"/designs/new"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); loc != "/designs/new" {
		t.Errorf("after signing up: %q", loc)
	}
	res, _ = fresh.PostForm(base+"/signup", url.Values{"name": {"other"}, "password": {"correct horse battery"}, "next": {"https://evil.example/"}})
	res.Body.Close()
	if loc := res.Header.Get("Location"); strings.Contains(loc, "evil") {
		t.Errorf("sign-up sends people off the node: %q", loc)
	}
}

// The editor takes meshes as large as an upload may be, not only what
// an ordinary form may send.
func TestEditorTakesLargeMeshes(t *testing.T) {
	node := testnode.New(t)
	h, _ := node.Handler(t, 0)
	base := serve(t, h)
	client := loggedIn(t, base)
	csrf := csrfOf(t, client, base+"/designs/new")
	m, err := geometry.Extrude(geometry.Circle(40, 12000), 12)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := geometry.WriteSTL(&b, m, "disc"); err != nil {
		t.Fatal(err)
	}
	if b.Len() < 2<<20 {
		t.Fatalf("the mesh is only %d bytes", b.Len())
	}
	form := url.Values{"csrf": {csrf}, "parts": {"1"}, "steps": {"0"}, "name": {"Seed disc"}, "p0_name": {"Disc"}, "p0_process": {"3d-printing-fdm"}}
	code, body, loc := editPost(t, client, base+"/designs/new", form, map[string][2]string{"p0_file": {"disc.stl", b.String()}})
	if code != http.StatusSeeOther {
		t.Fatalf("a %d-byte mesh: %d %q\n%.500s", b.Len(), code, loc, body)
	}
	_, rev, err := node.Commons.Head(context.Background(), "seed-disc")
	if err != nil || rev.Parts[0].Dimensions == nil || rev.Parts[0].Dimensions.X != 80 {
		t.Errorf("the disc: %+v %v", rev.Parts, err)
	}
}

// The designs page filters and orders, and forgives a slip.
func TestDesignsPageDiscovery(t *testing.T) {
	base := demoSite(t)
	get := func(path string) (int, string) { return getPage(t, base+path) }
	code, body := get("/designs?q=printr")
	if code != 200 || !strings.Contains(body, "/designs/reprap-mendel-style-3d-printer-demo") {
		t.Errorf("a slip in a word: %d", code)
	}
	code, body = get("/designs?files=yes&sort=recent")
	if code != 200 || !strings.Contains(body, `name="files" value="yes" checked`) || !strings.Contains(body, `<option value="recent" selected>`) {
		t.Errorf("filters kept on the page: %d", code)
	}
	if !strings.Contains(body, "/designs/reprap-mendel-style-3d-printer-demo") {
		t.Error("the printer has part files and is not listed")
	}
	if code, _ := get("/designs?sort=cheapest"); code != http.StatusUnprocessableEntity {
		t.Errorf("an unknown order: %d", code)
	}
	code, body = get("/designs?otrl=4")
	if code != 200 || !strings.Contains(body, "at least 4: working prototype") {
		t.Errorf("readiness in words: %d", code)
	}
}

// A changed manifest uploaded into a design one maintains is its next
// revision, never a new design; nobody else may do it.
func TestUploadIntoADesign(t *testing.T) {
	node := testnode.New(t)
	h, _ := node.Handler(t, 0)
	base := serve(t, h)
	client := loggedIn(t, base)
	csrf := csrfOf(t, client, base+"/designs/new")
	form := url.Values{"csrf": {csrf}, "parts": {"0"}, "steps": {"0"}, "name": {"Rain gauge"}}
	if code, body, _ := editPost(t, client, base+"/designs/new", form, nil); code != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", code, body)
	}
	res, _ := client.Get(base + "/upload?into=rain-gauge")
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), `name="into" value="rain-gauge"`) {
		t.Fatalf("the upload form does not say where it goes:\n%s", b)
	}
	manifest := "name = \"Rain gauge\"\nfunction = \"Measures rain in mm\"\nlicense = \"CERN-OHL-P-2.0\"\n"
	code, _, loc := editPost(t, client, base+"/upload", url.Values{"csrf": {csrf}, "into": {"rain-gauge"}}, map[string][2]string{"file": {"okh.toml", manifest}})
	if code != http.StatusSeeOther || loc != "/designs/rain-gauge" {
		t.Fatalf("upload into: %d %q", code, loc)
	}
	d, rev, err := node.Commons.Head(context.Background(), "rain-gauge")
	if err != nil || d.Revisions != 2 || rev.Manifest.Function != "Measures rain in mm" {
		t.Errorf("after the upload: %+v %v", d, err)
	}
	if all, _ := node.Commons.Store.Search(context.Background(), design.Query{}); all.Total != 1 {
		t.Errorf("%d designs: the upload made a new one", all.Total)
	}
	other := signedUp(t, base, "stranger")
	ocsrf := csrfOf(t, other, base+"/designs/new")
	if code, _, _ := editPost(t, other, base+"/upload", url.Values{"csrf": {ocsrf}, "into": {"rain-gauge"}}, map[string][2]string{"file": {"okh.toml", manifest}}); code != http.StatusForbidden {
		t.Errorf("a stranger uploads into it: %d", code)
	}
}

// getPage reads a page: its status and body.
func getPage(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
