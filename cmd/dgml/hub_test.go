package main

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dgml/dgml/internal/storetest"
)

// hubProcess is one `dgml serve --db` of a hub.
type hubProcess struct{ base string }

func startHub(t *testing.T, db string) *hubProcess {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(binary, "serve", "--data", t.TempDir(), "--db", db, "--addr", addr)
	cmd.Env = append(os.Environ(), "DGML_NODE=hub.test", "DGML_NODE_PASSPHRASE=the hub's shared passphrase")
	logf, _ := os.Create(filepath.Join(t.TempDir(), "log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("%s log:\n%s", addr, b)
		}
	})
	return &hubProcess{base: "http://" + addr}
}

func (h *hubProcess) waitUp(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if res, err := http.Get(h.base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
	}
	t.Fatalf("%s did not come up", h.base)
}

func (h *hubProcess) call(t *testing.T, method, path, token, ctype, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, h.base+path, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// Two dgml processes on one PostgreSQL database, as behind a load
// balancer: what one writes the other reads — accounts and sessions,
// designs in search and their files, facilities near a place and in
// plans — and failed logins are counted together.
func TestTwoProcessesOneDatabase(t *testing.T) {
	pgURL := storetest.PostgresURL(t)
	_, schema := storetest.PostgresSchema(t)
	sep := "?"
	if strings.Contains(pgURL, "?") {
		sep = "&"
	}
	db := pgURL + sep + "search_path=" + schema + ",public"
	a, b := startHub(t, db), startHub(t, db) // both migrate at once: one waits
	a.waitUp(t)
	b.waitUp(t)

	if code, body := a.call(t, "POST", "/api/v1/users", "", "application/json", `{"name": "ana", "password": "a long enough password"}`); code != 201 {
		t.Fatalf("sign up on A: %d %s", code, body)
	}
	code, body := b.call(t, "POST", "/api/v1/tokens", "", "application/json", `{"name": "ana", "password": "a long enough password"}`)
	if code != 201 {
		t.Fatalf("token on B for an account made on A: %d %s", code, body)
	}
	var tok struct{ Token string }
	json.Unmarshal([]byte(body), &tok)

	// A browser session opened on A is good on B.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(a.base+"/login", url.Values{"name": {"ana"}, "password": {"a long enough password"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	ua, _ := url.Parse(a.base)
	ub, _ := url.Parse(b.base)
	jar.SetCookies(ub, jar.Cookies(ua))
	res, err = client.Get(b.base + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("a session from A on B: %d", res.StatusCode)
	}

	// A design imported through A, with a part file, is found and served
	// by B.
	stl := "solid cube\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid cube\n"
	zipBody := zipOf(t, map[string]string{"okh.toml": "name = \"Hub Stool\"\nlicense = \"CC0-1.0\"\n[[part]]\nname = \"leg\"\nexport = \"leg.stl\"\nprocess = \"3d-printing-fdm\"\n", "leg.stl": stl})
	if code, body := a.call(t, "POST", "/api/v1/designs", tok.Token, "application/zip", zipBody); code != 201 {
		t.Fatalf("import on A: %d %s", code, body)
	}
	code, body = b.call(t, "GET", "/api/v1/designs?q=stool", "", "", "")
	if code != 200 || !strings.Contains(body, `"slug": "hub-stool"`) {
		t.Errorf("search on B: %d %.300s", code, body)
	}
	_, parts := b.call(t, "GET", "/api/v1/designs/hub-stool/parts", "", "", "")
	sum := between(parts, `"sha256": "`, `"`)
	if code, got := b.call(t, "GET", "/api/v1/files/"+sum, "", "", ""); code != 200 || got != stl {
		t.Errorf("the part file on B: %d %q", code, got)
	}
	// A workshop registered on A is near Athens on B, and in B's plans.
	if code, body := a.call(t, "POST", "/api/v1/facilities", tok.Token, "application/json", `{"name": "Hub Lab", "location": {"lat": 37.98, "lon": 23.73}, "machines": [{"process": "3d-printing-fdm", "envelope": {"x": 200, "y": 200, "z": 200}}]}`); code != 201 {
		t.Fatalf("facility on A: %d %s", code, body)
	}
	if code, body := b.call(t, "GET", "/api/v1/facilities?near=37.97,23.72&radius=10", "", "", ""); code != 200 || !strings.Contains(body, "Hub Lab") {
		t.Errorf("near on B: %d %.300s", code, body)
	}
	if code, body := b.call(t, "GET", "/api/v1/designs/hub-stool/plan?near=37.97,23.72", "", "", ""); code != 200 || !strings.Contains(body, `"facility": "Hub Lab"`) {
		t.Errorf("plan on B: %d %.400s", code, body)
	}
	// Password guessing spread over both processes is counted together.
	for i := range 5 {
		p := []*hubProcess{a, b}[i%2]
		p.call(t, "POST", "/api/v1/tokens", "", "application/json", fmt.Sprintf(`{"name": "ana", "password": "guess %d"}`, i))
	}
	for _, p := range []*hubProcess{a, b} {
		if code, _ := p.call(t, "POST", "/api/v1/tokens", "", "application/json", `{"name": "ana", "password": "a long enough password"}`); code != 429 {
			t.Errorf("after five failures over both processes, %s let a sixth try: %d", p.base, code)
		}
	}
}

func zipOf(t *testing.T, files map[string]string) string {
	var b strings.Builder
	zw := zip.NewWriter(&b)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	return b.String()
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	return s[:strings.Index(s, b)]
}
