// Package attack_test is the attack suite: it starts a real node (the
// dgml binary, `serve --demo`, in its own process), throws every class
// of hostile request at it in parallel with ordinary read traffic, and
// records for each payload the status, the time to answer and the
// server's peak memory. It asserts that every hostile request is refused
// with the expected 4xx problem within 2 s, that the server stays under
// 512 MiB resident, that ordinary reads keep answering, and that nothing
// stored changed (every table and the blob folder, before and after).
package attack_test

import (
	"archive/zip"
	"bufio"
	"bytes"
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
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgml/dgml/internal/hostile"
	"github.com/dgml/dgml/internal/testnode"
)

// Goals of the suite (issue 10).
const (
	maxAnswer = 2 * time.Second
	maxRSS    = 512 << 20
	maxP99    = 200 * time.Millisecond
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dgml-attack-*")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "dgml")
	if out, err := exec.Command("go", "build", "-o", binary, "../cmd/dgml").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building dgml: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// node is the running server.
type node struct {
	base, data string
	cmd        *exec.Cmd
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func start(t *testing.T) *node {
	t.Helper()
	data := t.TempDir()
	env := append(os.Environ(), "DGML_NODE=attack.test")
	for _, u := range []struct {
		name  string
		admin bool
	}{{"root", true}, {"ana", false}, {"bob", false}} {
		args := []string{"admin", "create-user", "--data", data, u.name}
		if u.admin {
			args = append(args, "--admin")
		}
		cmd := exec.Command(binary, args...)
		cmd.Env, cmd.Stdin = env, strings.NewReader("a long enough password\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("create %s: %v %s", u.name, err, out)
		}
	}
	addr := freePort(t)
	cmd := exec.Command(binary, "serve", "--demo", "--data", data, "--addr", addr)
	cmd.Env = env
	logf, _ := os.Create(filepath.Join(t.TempDir(), "serve.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("server log:\n%s", tail(string(b), 4000))
		}
	})
	n := &node{base: "http://" + addr, data: data, cmd: cmd}
	for deadline := time.Now().Add(2 * time.Minute); ; {
		if res, err := http.Get(n.base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return n
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the node did not come up")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// rss is the server's resident memory now and at its peak, from /proc.
func (n *node) rss() (now, peak int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", n.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			switch f[0] {
			case "VmRSS:":
				now = kb << 10
			case "VmHWM:":
				peak = kb << 10
			}
		}
	}
	return now, peak
}

// request is one HTTP request of the suite.
type request struct {
	method, path, ctype, token string
	body                       []byte
	cookie                     *http.Cookie
	header                     map[string]string
}

func (n *node) do(r request) (int, http.Header, string, error) {
	req, err := http.NewRequest(r.method, n.base+r.path, bytes.NewReader(r.body))
	if err != nil {
		return 0, nil, "", err
	}
	if r.ctype != "" {
		req.Header.Set("Content-Type", r.ctype)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.cookie != nil {
		req.AddCookie(r.cookie)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, res.Header, string(b), nil
}

func (n *node) must(t *testing.T, r request, want int) string {
	t.Helper()
	code, _, body, err := n.do(r)
	if err != nil || code != want {
		t.Fatalf("%s %s: %d %v %.400s", r.method, r.path, code, err, body)
	}
	return body
}

func (n *node) token(t *testing.T, name string) string {
	body := n.must(t, request{method: "POST", path: "/api/v1/tokens", ctype: "application/json", body: []byte(`{"name": "` + name + `", "password": "a long enough password"}`)}, 201)
	var v struct{ Token string }
	json.Unmarshal([]byte(body), &v)
	return v.Token
}

// session logs in through the web form and returns the cookie and the
// CSRF token of the session.
func (n *node) session(t *testing.T, name string) (*http.Cookie, string) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(n.base+"/login", url.Values{"name": {name}, "password": {"a long enough password"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	u, _ := url.Parse(n.base)
	var c *http.Cookie
	for _, k := range jar.Cookies(u) {
		if k.Name == "dgml_session" {
			c = k
		}
	}
	res, err = client.Get(n.base + "/upload")
	if err != nil || c == nil {
		t.Fatalf("log in %s: %v", name, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatal("no CSRF token on the upload form")
	}
	return c, m[1]
}

func zipOf(files map[string][]byte) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	names := make([]string, 0, len(files))
	for k := range files {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		w, _ := zw.Create(name)
		w.Write(files[name])
	}
	zw.Close()
	return b.Bytes()
}

// withPart is an archive of a one-part design whose part is the file.
func withPart(file string, data []byte) []byte {
	return zipOf(map[string][]byte{
		"okh.toml": []byte("name = \"Hostile " + file + "\"\nlicense = \"CC0-1.0\"\n[[part]]\nname = \"p\"\nexport = \"" + file + "\"\n"),
		file:       data,
	})
}

// payload is one hostile request and the answer it must get.
type payload struct {
	class, name string
	req         request
	want        []int
	// check, when set, looks further at the answer (a redirect's target).
	check func(h http.Header, body string) string
	raw   func() (int, error) // sent by hand (a body the client would not send)
}

// result is what the suite saw of a payload.
type result struct {
	payload
	status  int
	took    time.Duration
	problem bool
	why     string
}

func TestAttackSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node with the demo; skipped with -short")
	}
	n := start(t)
	ana, bob := n.token(t, "ana"), n.token(t, "bob")
	// What the attacks go after: Ana's design, workshop, task; Bob's
	// proposal to her design; stored drawings that are hostile to read.
	n.must(t, request{method: "POST", path: "/api/v1/designs", ctype: "application/toml", token: ana, body: []byte("name = \"Ana Stool\"\nlicense = \"CC0-1.0\"\n[[part]]\nname = \"leg\"\nquantity = 3\n")}, 201)
	body := n.must(t, request{method: "POST", path: "/api/v1/facilities", ctype: "application/json", token: ana, body: []byte(`{"name": "Ana Lab", "location": {"lat": 37.97, "lon": 23.72}, "machines": [{"process": "3d-printing-fdm"}]}`)}, 201)
	anaLab := between(body, `"id": "`, `"`)
	body = n.must(t, request{method: "POST", path: "/api/v1/designs/ana-stool/tasks", ctype: "application/json", token: ana, body: []byte(`{"title": "paint the legs"}`)}, 201)
	task := between(body, `"id": "`, `"`)
	body = n.must(t, request{method: "POST", path: "/api/v1/designs/ana-stool/fork", token: bob}, 201)
	fork := between(body, `"slug": "`, `"`)
	n.must(t, request{method: "POST", path: "/api/v1/designs?into=" + fork, ctype: "application/toml", token: bob, body: []byte("name = \"Ana Stool\"\nlicense = \"CC0-1.0\"\n[[part]]\nname = \"leg\"\nquantity = 4\n")}, 201)
	body = n.must(t, request{method: "POST", path: "/api/v1/designs/ana-stool/proposals", ctype: "application/json", token: bob, body: []byte(`{"from": "` + fork + `"}`)}, 201)
	proposal := between(body, `"id": "`, `"`)
	// Drawings are not measured on import; reading them later is bounded.
	n.must(t, request{method: "POST", path: "/api/v1/designs", ctype: "application/zip", token: ana, body: zipOf(map[string][]byte{
		"okh.toml": []byte("name = \"Panels\"\nlicense = \"CC0-1.0\"\n[[part]]\nname = \"deep\"\nexport = \"deep.svg\"\n"),
		"deep.svg": hostile.SVGDeep(100_000),
	})}, 201)
	body = n.must(t, request{method: "GET", path: "/api/v1/designs/panels/parts"}, 200)
	deepSVG := between(body, `"sha256": "`, `"`)
	readToken := between(n.must(t, request{method: "POST", path: "/api/v1/tokens", ctype: "application/json", token: bob, body: []byte(`{"scope": "read"}`)}, 201), `"token": "`, `"`)
	bobCookie, _ := n.session(t, "bob")

	reads := []string{"/", "/designs?q=printer", "/designs/reprap-mendel-style-3d-printer-demo", "/facilities",
		"/api/v1/designs?q=gear", "/api/v1/facilities?near=37.98,23.73&radius=50", "/api/v1/designs/reprap-mendel-style-3d-printer-demo/plan?near=37.98,23.73",
		"/api/v1/tasks?skill=painting", "/api/v1/designs/ana-stool/maturity"}
	for _, p := range reads { // warm the caches reads fill, before the snapshot
		n.must(t, request{method: "GET", path: p}, 200)
	}
	dbPath, blobs := filepath.Join(n.data, "dgml.db"), filepath.Join(n.data, "blobs")
	before := testnode.Snapshot(t, dbPath, blobs)

	payloads := hostilePayloads(n, ana, bob, readToken, bobCookie, anaLab, task, proposal, deepSVG)
	results := make([]result, len(payloads))
	var (
		wg       sync.WaitGroup
		stop     = make(chan struct{})
		latMu    sync.Mutex
		lats     []time.Duration
		readErrs []string
		peak     int64
	)
	// Ordinary reads, all along.
	for r := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := r; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				p := reads[i%len(reads)]
				start := time.Now()
				code, _, _, err := n.do(request{method: "GET", path: p})
				d := time.Since(start)
				latMu.Lock()
				lats = append(lats, d)
				if err != nil || code != 200 {
					readErrs = append(readErrs, fmt.Sprintf("%s: %d %v", p, code, err))
				}
				latMu.Unlock()
			}
		}()
	}
	// The server's memory, sampled.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			now, _ := n.rss()
			latMu.Lock()
			peak = max(peak, now)
			latMu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	// The attacks, four at a time.
	jobs := make(chan int)
	var attackers sync.WaitGroup
	for range 4 {
		attackers.Add(1)
		go func() {
			defer attackers.Done()
			for i := range jobs {
				p := payloads[i]
				start := time.Now()
				var code int
				var h http.Header
				var b string
				var err error
				if p.raw != nil {
					code, err = p.raw()
				} else {
					code, h, b, err = n.do(p.req)
				}
				r := result{payload: p, status: code, took: time.Since(start)}
				r.problem = h == nil || strings.HasPrefix(h.Get("Content-Type"), "application/problem+json") || strings.HasPrefix(h.Get("Content-Type"), "text/html")
				switch {
				case err != nil:
					r.why = err.Error()
				case !slices.Contains(p.want, code):
					r.why = fmt.Sprintf("status %d, want %v: %.200s", code, p.want, b)
				case p.check != nil:
					r.why = p.check(h, b)
				case code >= 400 && !r.problem:
					r.why = "not a problem document or error page: " + h.Get("Content-Type")
				}
				if r.why == "" && r.took > maxAnswer {
					r.why = fmt.Sprintf("answered in %v, more than %v", r.took.Round(time.Millisecond), maxAnswer)
				}
				results[i] = r
			}
		}()
	}
	for i := range payloads {
		jobs <- i
	}
	close(jobs)
	attackers.Wait()
	close(stop)
	wg.Wait()
	_, hwm := n.rss()

	// The report.
	var out strings.Builder
	fmt.Fprintf(&out, "%-14s %-44s %6s %9s  %s\n", "CLASS", "PAYLOAD", "STATUS", "MS", "VERDICT")
	failed := 0
	for _, r := range results {
		verdict := "ok"
		if r.why != "" {
			verdict, failed = "FAIL: "+r.why, failed+1
		}
		fmt.Fprintf(&out, "%-14s %-44s %6d %9.1f  %s\n", r.class, r.name, r.status, float64(r.took.Microseconds())/1000, verdict)
	}
	slices.Sort(lats)
	p := func(q float64) time.Duration {
		if len(lats) == 0 {
			return 0
		}
		return lats[min(len(lats)-1, int(q*float64(len(lats))))]
	}
	fmt.Fprintf(&out, "\n%d hostile requests, %d refused as expected; %d ordinary reads beside them: p50 %v, p99 %v, max %v, %d failed\n",
		len(results), len(results)-failed, len(lats), p(0.5).Round(time.Microsecond), p(0.99).Round(time.Microsecond), p(1).Round(time.Microsecond), len(readErrs))
	fmt.Fprintf(&out, "server memory: peak resident %.0f MiB sampled, %.0f MiB high-water mark (goal: under %d MiB)\n", float64(peak)/(1<<20), float64(hwm)/(1<<20), maxRSS>>20)
	t.Log("\n" + out.String())
	if path := os.Getenv("DGML_ATTACK_REPORT"); path != "" {
		os.WriteFile(path, []byte(out.String()), 0o644)
	}
	if failed > 0 {
		t.Errorf("%d hostile requests were not refused as expected (see the report)", failed)
	}
	if hwm > maxRSS {
		t.Errorf("the server's resident memory reached %d MiB", hwm>>20)
	}
	if len(readErrs) > 0 {
		t.Errorf("ordinary reads failed: %v", readErrs[:min(5, len(readErrs))])
	}
	if p(0.99) > maxP99 {
		t.Errorf("ordinary reads p99 %v, more than %v", p(0.99), maxP99)
	}
	after := testnode.Snapshot(t, dbPath, blobs)
	// The one write refused requests make: the login guard counting the
	// attacker's failed logins (auth_failures), which is its job.
	if after["auth_failures"] == before["auth_failures"] {
		t.Error("the failed logins were not counted in the store")
	}
	delete(before, "auth_failures")
	delete(after, "auth_failures")
	if changed := testnode.Changed(before, after); len(changed) > 0 {
		t.Errorf("hostile requests changed the store:\n%s", strings.Join(changed, "\n"))
	}

	// What must change something, checked after the snapshot: of many
	// accepts of one proposal at once exactly one wins, and accounts made
	// in a hurry do not make a design attested.
	var codes sync.Map
	var racers sync.WaitGroup
	for i := range 10 {
		racers.Add(1)
		go func() {
			defer racers.Done()
			code, _, _, _ := n.do(request{method: "POST", path: "/api/v1/proposals/" + proposal + "/accept", token: ana})
			codes.Store(i, code)
		}()
	}
	racers.Wait()
	won := 0
	codes.Range(func(_, v any) bool {
		if v.(int) == 200 {
			won++
		} else if v.(int) != 409 {
			t.Errorf("a racing accept got %d", v.(int))
		}
		return true
	})
	if won != 1 {
		t.Errorf("%d of 10 racing accepts won", won)
	}
	limited := 0
	for i := range 12 {
		code, _, _, _ := n.do(request{method: "POST", path: "/api/v1/users", ctype: "application/json", body: []byte(fmt.Sprintf(`{"name": "sock%d", "password": "a long enough password"}`, i))})
		if code == 429 {
			limited++
			continue
		}
		tok := n.token(t, fmt.Sprintf("sock%d", i))
		n.do(request{method: "POST", path: "/api/v1/designs/ana-stool/attestations", ctype: "application/json", token: tok, body: []byte(`{"holds": true, "note": "trust me"}`)})
	}
	if limited == 0 {
		t.Error("twelve sign-ups from one address: none refused")
	}
	if m := n.must(t, request{method: "GET", path: "/api/v1/designs/ana-stool/maturity"}, 200); !strings.Contains(m, `"attested": false`) || !strings.Contains(m, `"independent_reviewers": 0`) {
		t.Errorf("throwaway accounts attested the design: %.300s", m)
	}
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	return s[:strings.Index(s, b)]
}

// hostilePayloads lists the suite's attacks, class by class.
func hostilePayloads(n *node, ana, bob, readToken string, bobCookie *http.Cookie, anaLab, task, proposal, deepSVG string) []payload {
	up := func(name string, body []byte, ctype string) request {
		return request{method: "POST", path: "/api/v1/designs?filename=" + url.QueryEscape(name), ctype: ctype, token: bob, body: body}
	}
	jsonReq := func(method, path, token, body string) request {
		return request{method: method, path: path, ctype: "application/json", token: token, body: []byte(body)}
	}
	get := func(path string) request { return request{method: "GET", path: path} }
	many := func(n int) string {
		var b strings.Builder
		b.WriteString("[")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"name": "x%d", "location": {"gps_coordinates": "1, 2"}}`, i)
		}
		return b.String() + "]"
	}
	ps := []payload{
		// 1. Ownership on every write path.
		{class: "ownership", name: "bob imports ana's workshop by its id", req: jsonReq("POST", "/api/v1/facilities/import", bob, `{"id": "`+anaLab+`", "name": "Bob's now", "location": {"gps_coordinates": "5, 6"}}`), want: []int{409}},
		{class: "ownership", name: "bob imports ana's workshop by its slug", req: jsonReq("POST", "/api/v1/facilities/import", bob, `[{"name": "Shed", "location": {"gps_coordinates": "7, 8"}}, {"id": "ana-lab", "name": "Mine", "location": {"gps_coordinates": "5, 6"}}]`), want: []int{409}},
		{class: "ownership", name: "bob replaces ana's workshop", req: jsonReq("PUT", "/api/v1/facilities/ana-lab", bob, `{"name": "Bob Lab", "location": {"lat": 1, "lon": 2}}`), want: []int{403}},
		{class: "ownership", name: "bob deletes ana's workshop", req: request{method: "DELETE", path: "/api/v1/facilities/ana-lab", token: bob}, want: []int{403}},
		{class: "ownership", name: "bob adds a revision to ana's design", req: request{method: "POST", path: "/api/v1/designs?into=ana-stool", ctype: "application/toml", token: bob, body: []byte("name = \"Ana Stool\"\nlicense = \"CC0-1.0\"\n")}, want: []int{403}},
		{class: "ownership", name: "bob accepts his own proposal", req: request{method: "POST", path: "/api/v1/proposals/" + proposal + "/accept", token: bob}, want: []int{403}},
		{class: "ownership", name: "bob closes ana's task", req: jsonReq("POST", "/api/v1/tasks/"+task+"/close", bob, `{"resolution": "/designs/ana-stool"}`), want: []int{403}},
		{class: "ownership", name: "bob sets the review policy", req: jsonReq("PUT", "/api/v1/standing", bob, `{"min_account_days": 0, "min_contributions": 0}`), want: []int{403}},
		{class: "ownership", name: "anonymous import", req: request{method: "POST", path: "/api/v1/designs", ctype: "application/toml", body: []byte("name = \"x\"\n")}, want: []int{401}},
		{class: "ownership", name: "web form without CSRF token", req: request{method: "POST", path: "/designs/ana-stool/fork", ctype: "application/x-www-form-urlencoded", cookie: bobCookie, body: []byte("x=1")}, want: []int{403}},
		// 2. Parsers bounded in memory, time and depth.
		{class: "parser", name: "YAML alias bomb (9 levels of 9)", req: up("okh.yml", hostile.YAMLAliasBomb(9, 9), "application/yaml"), want: []int{422}},
		{class: "parser", name: "YAML 100,000-deep flow nesting", req: up("okh.yml", hostile.YAMLDeepFlow(100_000), "application/yaml"), want: []int{422}},
		{class: "parser", name: "YAML 1,000-deep block nesting", req: up("okh.yml", hostile.YAMLDeepBlock(1000), "application/yaml"), want: []int{422}},
		{class: "parser", name: "YAML 100,000 nested dashes", req: up("okh.yml", hostile.YAMLDeepDashes(100_000), "application/yaml"), want: []int{422}},
		{class: "parser", name: "TOML 100,000-deep arrays", req: up("okh.toml", hostile.TOMLDeepArray(100_000), "application/toml"), want: []int{422}},
		{class: "parser", name: "TOML 100,000-deep inline tables", req: up("okh.toml", hostile.TOMLDeepInline(100_000), "application/toml"), want: []int{422}},
		{class: "parser", name: "TOML key of 100,000 dotted parts", req: up("okh.toml", hostile.TOMLDottedKey(100_000), "application/toml"), want: []int{422}},
		{class: "parser", name: "manifest of 4 MiB", req: up("okh.toml", append([]byte("name = \"big\"\ndescription = \""), append(bytes.Repeat([]byte("x"), 4<<20), '"', '\n')...), "application/toml"), want: []int{413}},
		{class: "parser", name: "3MF: 4e9 triangles by components", req: up("d.zip", withPart("fan.3mf", hostile.ThreeMFFanOut(10, 9, true)), "application/zip"), want: []int{413}},
		{class: "parser", name: "3MF: empty objects fanning out", req: up("d.zip", withPart("fan.3mf", hostile.ThreeMFFanOut(40, 6, false)), "application/zip"), want: []int{413}},
		{class: "parser", name: "3MF: a cycle of components", req: up("d.zip", withPart("cycle.3mf", hostile.ThreeMFCycle()), "application/zip"), want: []int{422}},
		{class: "parser", name: "3MF: zip bomb model", req: up("d.zip", withPart("bomb.3mf", hostile.ThreeMFZipBomb(300<<20)), "application/zip"), want: []int{413}},
		{class: "parser", name: "STL header announcing 4e9 triangles", req: up("d.zip", withPart("lie.stl", hostile.STLHeaderLie(4_000_000_000)), "application/zip"), want: []int{413}},
		{class: "parser", name: "STL header announcing 900,000 (empty)", req: up("d.zip", withPart("lie.stl", hostile.STLHeaderLie(900_000)), "application/zip"), want: []int{422}},
		{class: "parser", name: "STL with overflowing coordinates", req: up("d.zip", withPart("far.stl", hostile.STLFar()), "application/zip"), want: []int{422}},
		{class: "parser", name: "OBJ face of 100,000 vertices", req: up("d.zip", withPart("fan.obj", hostile.OBJFan(100_000)), "application/zip"), want: []int{422}},
		{class: "parser", name: "BOM of 1,000 columns", req: up("d.zip", zipOf(map[string][]byte{"okh.toml": []byte("name = \"w\"\nbom = \"sBoM.csv\"\n"), "sBoM.csv": hostile.CSVWide(1000)}), "application/zip"), want: []int{422}},
		{class: "parser", name: "archive unpacking 200x its size", req: up("d.zip", zipOf(map[string][]byte{"okh.toml": []byte("name = \"z\"\n"), "pad.bin": make([]byte, 400<<20)}), "application/zip"), want: []int{413, 422}},
		{class: "parser", name: "archive entry leaving the folder", req: up("d.zip", zipOf(map[string][]byte{"okh.toml": []byte("name = \"z\"\n"), "../../evil": []byte("x")}), "application/zip"), want: []int{422}},
		{class: "parser", name: "OKW JSON nested 20,000 deep", req: jsonReq("POST", "/api/v1/facilities/import", bob, string(hostile.JSONDeep(20_000))), want: []int{422}},
		{class: "parser", name: "OKW list of lists", req: jsonReq("POST", "/api/v1/facilities/import", bob, `[[{"name": "x", "location": {"gps_coordinates": "1, 2"}}]]`), want: []int{422}},
		{class: "parser", name: "OKW list of 20,000 records", req: jsonReq("POST", "/api/v1/facilities/import", bob, many(20_000)), want: []int{413}},
		{class: "parser", name: "SVG nested 100,000 deep (laser estimate)", req: get("/api/v1/files/" + deepSVG + "/estimate?process=laser"), want: []int{422}},
		{class: "parser", name: "FDM layer height 1e-300", req: get("/api/v1/files/" + deepSVG + "/estimate?process=fdm&layer_height=1e-300"), want: []int{422}},
		{class: "parser", name: "FDM fill density NaN", req: get("/api/v1/files/" + deepSVG + "/estimate?process=fdm&fill_density=NaN"), want: []int{422}},
		// 3. Tokens and sessions.
		{class: "tokens", name: "read token makes a write token", req: jsonReq("POST", "/api/v1/tokens", readToken, `{"scope": "write"}`), want: []int{403}},
		{class: "tokens", name: "read token makes a read token", req: jsonReq("POST", "/api/v1/tokens", readToken, `{"scope": "read"}`), want: []int{403}},
		{class: "tokens", name: "session makes a token without CSRF", req: request{method: "POST", path: "/api/v1/tokens", ctype: "application/json", cookie: bobCookie, body: []byte(`{"scope": "read"}`)}, want: []int{403}},
		// 4. Bounded requests.
		{class: "bodies", name: "5 GiB announced, headers only", raw: func() (int, error) { return announce(n, bob, 5<<30) }, want: []int{413}},
		{class: "bodies", name: "3 MiB facility, chunked", req: request{method: "POST", path: "/api/v1/facilities", ctype: "application/json", token: bob, body: append(append([]byte(`{"name": "`), bytes.Repeat([]byte("x"), 3<<20)...), []byte(`"}`)...), header: map[string]string{"Transfer-Encoding": "chunked"}}, want: []int{413}},
		{class: "bodies", name: "2 MiB JSON to a small endpoint", req: jsonReq("POST", "/api/v1/designs/ana-stool/votes", bob, `{"reason": "`+strings.Repeat("x", 2<<20)+`"}`), want: []int{413}},
		// 5. Logins.
		{class: "login", name: "unknown name", req: jsonReq("POST", "/api/v1/tokens", "", `{"name": "nobody", "password": "guess guess guess"}`), want: []int{401, 429}},
		{class: "login", name: "a megabyte as the password", req: jsonReq("POST", "/api/v1/tokens", "", `{"name": "ana", "password": "`+strings.Repeat("p", 900<<10)+`"}`), want: []int{401, 429}},
		{class: "login", name: "person activity of no such person", req: get("/api/v1/people/nobody-here/activity"), want: []int{200}, check: func(_ http.Header, b string) string {
			if strings.TrimSpace(b) != "[]" {
				return "reveals something: " + b
			}
			return ""
		}},
		// 6. Redirects, frames, unknown URLs.
		{class: "redirects", name: "log-in form keeps a foreign next", req: get("/login?next=%2F%2Fevil.example"), want: []int{200}, check: func(_ http.Header, b string) string {
			if strings.Contains(b, "evil.example") {
				return "the form carries the foreign next"
			}
			return ""
		}},
		{class: "redirects", name: "failed log-in with next=/\\evil", req: request{method: "POST", path: "/login", ctype: "application/x-www-form-urlencoded", body: []byte("name=ana&password=wrong+password&next=%2F%5Cevil.example")}, want: []int{401, 429}, check: func(_ http.Header, b string) string {
			if strings.Contains(b, "evil.example") {
				return "the form carries the foreign next"
			}
			return ""
		}},
		{class: "redirects", name: "unknown page", req: get("/wp-login.php"), want: []int{404}, check: func(h http.Header, _ string) string {
			if h.Get("X-Frame-Options") != "DENY" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
				return "may be framed"
			}
			return ""
		}},
		{class: "redirects", name: "unknown API endpoint", req: get("/api/v1/admin/users"), want: []int{404}},
		// 7. Open assessment: a fresh account's vote is stored but does not
		// count; here only what is refused outright.
		{class: "assessment", name: "vote out of range", req: jsonReq("POST", "/api/v1/designs/ana-stool/votes", bob, `{"scale": "otrl", "level": 99, "reason": "x"}`), want: []int{422}},
		{class: "assessment", name: "a throwaway vouches for another", req: jsonReq("POST", "/api/v1/people/ana/vouch", bob, `{"note": "my friend"}`), want: []int{403}},
		// 8. Numbers and server-owned fields.
		{class: "numbers", name: "plan qty=NaN", req: get("/api/v1/designs/ana-stool/plan?near=37.98,23.73&qty=NaN"), want: []int{422}},
		{class: "numbers", name: "plan qty=1e300", req: get("/api/v1/designs/ana-stool/plan?near=37.98,23.73&qty=1e300"), want: []int{422}},
		{class: "numbers", name: "plan radius=-1", req: get("/api/v1/designs/ana-stool/plan?near=37.98,23.73&radius=-1"), want: []int{422}},
		{class: "numbers", name: "plan near=NaN,Inf", req: get("/api/v1/designs/ana-stool/plan?near=NaN,Inf"), want: []int{422}},
		{class: "numbers", name: "plan deadline=1e15h", req: get("/api/v1/designs/ana-stool/plan?near=37.98,23.73&deadline=1e15h"), want: []int{422}},
		{class: "numbers", name: "web plan qty=-Inf", req: get("/designs/ana-stool/plan?near=37.98,23.73&qty=-Inf"), want: []int{422}},
		{class: "numbers", name: "facilities limit=-5", req: get("/api/v1/facilities?near=37.98,23.73&limit=-5"), want: []int{422}},
		{class: "numbers", name: "designs offset=1e18", req: get("/api/v1/designs?offset=1000000000000000000"), want: []int{422}},
		{class: "numbers", name: "workshop hourly rate 1e300", req: jsonReq("POST", "/api/v1/facilities", bob, `{"name": "x", "location": {"lat": 1, "lon": 2}, "machines": [{"process": "3d-printing-fdm", "hourly_rate": 1e300}]}`), want: []int{422}},
		{class: "owned fields", name: "task claimed by someone else", req: jsonReq("POST", "/api/v1/designs/ana-stool/tasks", bob, `{"title": "x", "claimed_by": "ana@attack.test"}`), want: []int{422}},
		{class: "owned fields", name: "sign-up as an admin", req: jsonReq("POST", "/api/v1/users", "", `{"name": "mallory", "password": "a long enough password", "admin": true}`), want: []int{422}},
		{class: "owned fields", name: "report authored by another", req: jsonReq("POST", "/api/v1/designs/ana-stool/reports", bob, `{"place": "x", "success": true, "quantity": 1, "author": "ana@attack.test"}`), want: []int{422}},
	}
	// Password guessing against Ana, from this address: refused from the
	// sixth attempt on.
	for i := range 8 {
		ps = append(ps, payload{class: "login", name: fmt.Sprintf("guess %d of ana's password", i+1), req: jsonReq("POST", "/api/v1/tokens", "", fmt.Sprintf(`{"name": "ana", "password": "guess number %d"}`, i)), want: []int{401, 429}})
	}
	return ps
}

// announce sends only the headers of a request whose body would be size
// bytes, and reads the answer.
func announce(n *node, token string, size int64) (int, error) {
	u, _ := url.Parse(n.base)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/designs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/zip\r\nContent-Length: %d\r\n\r\nPK", token, size)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}
