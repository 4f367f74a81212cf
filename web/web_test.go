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

	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/demo"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/internal/testnode"
)

func TestPagesRenderTheCommons(t *testing.T) {
	node := testnode.New(t)
	svc := node.Commons
	p, _ := demo.Printer()
	p.Content.Steps = append(p.Content.Steps, design.Step{Title: "Finish", Text: "<script>alert(1)</script>"})
	if _, err := svc.Commit(context.Background(), p.Content, p.Files, commons.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	h, _ := node.Handler(t, 0)
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func(path string) (int, string) {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, body := get("/")
	if code != 200 || !strings.Contains(body, `<dd id="stat-designs">1</dd>`) {
		t.Errorf("home: %d %s", code, body)
	}
	code, body = get("/designs?q=reprap")
	if code != 200 || !strings.Contains(body, "1 designs") || !strings.Contains(body, "/designs/reprap-mendel-style-3d-printer-demo") {
		t.Errorf("search page: %d", code)
	}
	code, body = get("/designs/reprap-mendel-style-3d-printer-demo")
	if code != 200 || !strings.Contains(body, "Extruder large gear") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("design page: %d", code)
	}
	if strings.Contains(body, "<script>alert(1)</script>") {
		t.Error("a step's text must be escaped")
	}
	if code, _ := get("/designs/nope"); code != 404 {
		t.Errorf("missing design page: %d", code)
	}
	if code, _ := get("/static/dgml.css"); code != 200 {
		t.Errorf("stylesheet: %d", code)
	}
}

func TestUploadFormShowsImporterErrors(t *testing.T) {
	base := demoSite(t)
	client := loggedIn(t, base)
	csrf := csrfOf(t, client, base+"/upload")
	post := func(name, body string) (int, string, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrf", csrf)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write([]byte(body))
		mw.Close()
		res, err := client.Post(base+"/upload", mw.FormDataContentType(), &buf)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header.Get("Location")
	}
	code, body, _ := post("okh.toml", "name = \"Lamp\"\n[[part]]\nname = \"shade\"\nquantity = -1\n")
	if code != 422 || !strings.Contains(body, `id="manifest-err"`) || !strings.Contains(body, "okh.toml:4: field part[0].quantity") {
		t.Errorf("a bad manifest: %d\n%s", code, body)
	}
	code, body, _ = post("notes.txt", "hello")
	if code != 422 || !strings.Contains(body, `id="file-err"`) || !strings.Contains(body, `aria-invalid="true"`) {
		t.Errorf("not a manifest: %d", code)
	}
	code, _, loc := post("okh.toml", "name = \"Desk Lamp\"\nlicense = \"CERN-OHL-S-2.0\"\n")
	if code != 303 || loc != "/designs/desk-lamp" {
		t.Errorf("a good manifest leads to its page: %d %q", code, loc)
	}
}

// loggedIn signs up a user through the form and returns a client that
// keeps its session cookie and does not follow redirects.
func loggedIn(t *testing.T, base string) *http.Client { return signedUp(t, base, "maker") }

// signedUp is loggedIn as the person named.
func signedUp(t *testing.T, base, name string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(base+"/signup", url.Values{"name": {name}, "password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign up: %d", res.StatusCode)
	}
	return client
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf reads the CSRF token a page's forms carry.
func csrfOf(t *testing.T, client *http.Client, page string) string {
	t.Helper()
	res, err := client.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := csrfRe.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no CSRF token on %s (%d)", page, res.StatusCode)
	}
	return string(m[1])
}

// Forms without the session's CSRF token are refused and change
// nothing; whatever people type is rendered escaped.
func TestCSRFAndEscaping(t *testing.T) {
	base := demoSite(t)
	client := loggedIn(t, base)
	form := url.Values{"name": {"<script>alert('x')</script> Lab"}, "location": {"37.98,23.73"}}
	res, err := client.PostForm(base+"/facilities/new", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a form without its CSRF token: %d", res.StatusCode)
	}
	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, _ = anon.PostForm(base+"/facilities/new", form)
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("an anonymous form: %d", res.StatusCode)
	}
	res.Body.Close()
	page := func(p string) string {
		res, err := client.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if strings.Contains(page("/facilities"), "alert('x')</script> Lab") {
		t.Fatal("the refused form stored the facility")
	}
	form.Set("csrf", csrfOf(t, client, base+"/facilities/new"))
	res, _ = client.PostForm(base+"/facilities/new", form)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("with the token: %d", res.StatusCode)
	}
	for _, p := range []string{"/facilities", res.Header.Get("Location")} {
		body := page(p)
		if strings.Contains(body, "<script>alert('x')") || !strings.Contains(body, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Lab") {
			t.Errorf("%s: the name must be escaped", p)
		}
	}
	// A task title and a design name typed by someone.
	csrf := csrfOf(t, client, base+"/designs/reprap-mendel-style-3d-printer-demo")
	res, _ = client.PostForm(base+"/designs/reprap-mendel-style-3d-printer-demo/tasks", url.Values{"csrf": {csrf}, "title": {`<img src=x onerror=alert(1)>`}})
	res.Body.Close()
	body := page(res.Header.Get("Location"))
	if strings.Contains(body, "<img src=x") || !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("task title not escaped")
	}
}

// After logging in, the browser goes only to a page of this node,
// whatever next= says.
func TestLoginRedirectStaysOnTheNode(t *testing.T) {
	node := testnode.New(t)
	h, _ := node.Handler(t, 0)
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := loggedIn(t, srv.URL)
	for next, want := range map[string]string{
		"/designs/x":              "/designs/x",
		"//evil.example/":         "/",
		"/\\evil.example":         "/",
		"/\t/evil.example":        "/",
		"https://evil.example/":   "/",
		"/%2F%2Fevil.example":     "/",
		"javascript:alert(1)":     "/",
		"/%5c%5cevil.example/a?b": "/",
	} {
		res, err := client.PostForm(srv.URL+"/login", url.Values{"name": {"maker"}, "password": {"correct horse battery"}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("next=%q: %d to %q, want %q", next, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
	// The log-in form itself carries only a safe next.
	res, err := http.Get(srv.URL + "/login?next=//evil.example")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(b), "evil.example") {
		t.Error("the log-in form carries the foreign next")
	}
}
