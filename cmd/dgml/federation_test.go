package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fedNode is one `dgml serve` on its own SQLite folder, in its own
// process, with an admin's token.
type fedNode struct {
	*hubProcess
	name, data, token, id string
	cmd                   *exec.Cmd
	addr                  string
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startFedNode(t *testing.T, name string) *fedNode {
	t.Helper()
	n := &fedNode{name: name, data: t.TempDir(), addr: freeAddr(t)}
	n.start(t)
	code, body := n.call(t, "POST", "/api/v1/users", "", "application/json", `{"name": "root", "password": "a long enough password"}`)
	if code != 201 {
		t.Fatalf("%s: sign up: %d %s", name, code, body)
	}
	// Make root an admin from the command line (the operator's way).
	cmd := exec.Command(binary, "admin", "create-user", "--data", n.data, "--admin", "op")
	cmd.Stdin = strings.NewReader("a long enough password\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: admin: %v %s", name, err, out)
	}
	code, body = n.call(t, "POST", "/api/v1/tokens", "", "application/json", `{"name": "op", "password": "a long enough password"}`)
	if code != 201 {
		t.Fatalf("%s: token: %d %s", name, code, body)
	}
	var tok struct{ Token string }
	json.Unmarshal([]byte(body), &tok)
	n.token = tok.Token
	_, doc := n.call(t, "GET", "/.well-known/dgml", "", "", "")
	var d struct{ Node string }
	json.Unmarshal([]byte(doc), &d)
	n.id = d.Node
	return n
}

// start runs the node's process (again, after stop: same folder, same
// address).
func (n *fedNode) start(t *testing.T) {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--data", n.data, "--addr", n.addr, "--sync-every", "0")
	cmd.Env = append(os.Environ(), "DGML_NODE="+n.name+".test", "DGML_NODE_NAME="+n.name)
	logf, _ := os.OpenFile(filepath.Join(n.data, "serve.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n.cmd = cmd
	n.hubProcess = &hubProcess{base: "http://" + n.addr}
	t.Cleanup(func() {
		n.stop()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("%s log:\n%s", n.name, b)
		}
	})
	n.waitUp(t)
}

func (n *fedNode) stop() {
	if n.cmd != nil && n.cmd.ProcessState == nil {
		n.cmd.Process.Kill()
		n.cmd.Wait()
	}
}

func (n *fedNode) follow(t *testing.T, other string) string {
	t.Helper()
	code, body := n.call(t, "POST", "/api/v1/peers", n.token, "application/json", fmt.Sprintf(`{"url": %q}`, other))
	if code != 201 {
		t.Fatalf("%s follows %s: %d %s", n.name, other, code, body)
	}
	var p struct{ Node string }
	json.Unmarshal([]byte(body), &p)
	return p.Node
}

func (n *fedNode) sync(t *testing.T, peer string) (int, string) {
	t.Helper()
	return n.call(t, "POST", "/api/v1/peers/"+peer+"/sync", n.token, "", "")
}

func (n *fedNode) mustSync(t *testing.T, peer string) {
	t.Helper()
	if code, body := n.sync(t, peer); code != 200 {
		t.Fatalf("%s syncs %s: %d %s", n.name, peer, code, body)
	}
}

type designView struct {
	ID         string `json:"id"`
	Slug       string `json:"slug"`
	Head       string `json:"head"`
	Home       string `json:"home"`
	Revisions  int    `json:"revisions"`
	ForkedFrom *struct {
		Design, Revision, Node string
	} `json:"forked_from"`
}

func (n *fedNode) design(t *testing.T, ref string) (*designView, int) {
	t.Helper()
	code, body := n.call(t, "GET", "/api/v1/designs/"+ref, "", "", "")
	if code != 200 {
		return nil, code
	}
	var out struct {
		Design designView `json:"design"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Design.ID == "" {
		var d designView
		json.Unmarshal([]byte(body), &d)
		return &d, code
	}
	return &out.Design, code
}

// Three nodes in three processes: A publishes, B follows A, C follows B
// and A. A design with a file reaches B and C with the same ids and
// bytes; B's fork reaches C naming A as its origin's home; a workshop
// withdrawn on A disappears elsewhere; a sync cut off resumes without
// duplicates; a node that stopped catches up when it is back.
func TestThreeNodes(t *testing.T) {
	a, b, c := startFedNode(t, "athens"), startFedNode(t, "berlin"), startFedNode(t, "cusco")

	stl := "solid leg\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 10 0 0\nvertex 0 10 0\nendloop\nendfacet\nendsolid leg\n"
	zipBody := zipOf(t, map[string]string{"okh.toml": "name = \"Fed Stool\"\nlicense = \"CC-BY-SA-4.0\"\nfunction = \"A stool to sit on.\"\n[[part]]\nname = \"leg\"\nexport = \"leg.stl\"\nprocess = \"3d-printing-fdm\"\n", "leg.stl": stl})
	if code, body := a.call(t, "POST", "/api/v1/designs", a.token, "application/zip", zipBody); code != 201 {
		t.Fatalf("import on A: %d %s", code, body)
	}
	if code, body := a.call(t, "POST", "/api/v1/facilities", a.token, "application/json",
		`{"name": "Athens Lab", "location": {"lat": 37.98, "lon": 23.73}, "contact": "lab@example.org", "machines": [{"process": "3d-printing-fdm", "envelope": {"x": 200, "y": 200, "z": 200}, "hourly_rate": 12}]}`); code != 201 {
		t.Fatalf("facility on A: %d %s", code, body)
	}
	onA, _ := a.design(t, "fed-stool")

	aid := b.follow(t, a.base)
	if aid != a.id {
		t.Fatalf("B follows %s, A is %s", aid, a.id)
	}
	b.mustSync(t, a.id)
	onB, code := b.design(t, onA.ID)
	if code != 200 || onB.Head != onA.Head || onB.Home != a.id {
		t.Fatalf("the design on B: %d %+v, on A %+v", code, onB, onA)
	}
	// B forks it; C follows B and A.
	code, body := b.call(t, "POST", "/api/v1/designs/"+onA.ID+"/fork", b.token, "", "")
	if code != 201 {
		t.Fatalf("fork on B: %d %s", code, body)
	}
	var fork designView
	json.Unmarshal([]byte(body), &fork)
	c.follow(t, b.base)
	c.follow(t, a.base)
	c.mustSync(t, b.id)
	c.mustSync(t, a.id)
	onC, _ := c.design(t, onA.ID)
	if onC == nil || onC.Head != onA.Head || onC.Home != a.id {
		t.Fatalf("the design on C: %+v", onC)
	}
	forkOnC, _ := c.design(t, fork.ID)
	if forkOnC == nil || forkOnC.Home != b.id || forkOnC.ForkedFrom == nil || forkOnC.ForkedFrom.Design != onA.ID || forkOnC.ForkedFrom.Node != a.id {
		t.Fatalf("B's fork on C: %+v", forkOnC)
	}
	// People see where a design lives, and the admins which nodes are
	// followed and how their syncs went.
	if _, page := c.call(t, "GET", "/designs/"+onA.ID, "", "", ""); !strings.Contains(page, "Lives at") || !strings.Contains(page, a.base+"/designs/"+onA.ID) || !strings.Contains(page, ">athens</a>") {
		t.Errorf("the design page on C does not say where it lives: %.300s", between(page, "<dl", "</dl>"))
	}
	if _, page := c.call(t, "GET", "/designs?q=stool", "", "", ""); !strings.Contains(page, "from athens") || !strings.Contains(page, "from berlin") {
		t.Errorf("search on C does not name the designs' homes")
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	if res, err := browser.PostForm(c.base+"/login", url.Values{"name": {"op"}, "password": {"a long enough password"}}); err == nil {
		res.Body.Close()
	}
	res, err := browser.Get(c.base + "/admin/peers")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "athens") || !strings.Contains(string(page), "berlin") || !strings.Contains(string(page), "<td>ok") {
		t.Errorf("the peers page on C: %d %.500s", res.StatusCode, page)
	}
	if code, _ := c.call(t, "GET", "/admin/peers", "", "", ""); code != 401 {
		t.Errorf("the peers page to someone not logged in: %d", code)
	}

	// The part file is the same bytes on every node.
	_, parts := a.call(t, "GET", "/api/v1/designs/fed-stool/parts", "", "", "")
	sum := between(parts, `"sha256": "`, `"`)
	for _, n := range []*fedNode{b, c} {
		if code, got := n.call(t, "GET", "/api/v1/files/"+sum, "", "", ""); code != 200 || got != stl {
			t.Errorf("the part file on %s: %d", n.name, code)
		}
	}
	// The workshop, as it chose to be published: machines, no contact,
	// no rates, its place to about a kilometre.
	_, near := c.call(t, "GET", "/api/v1/facilities?near=37.98,23.73&radius=20", "", "", "")
	if !strings.Contains(near, "Athens Lab") || strings.Contains(near, "lab@example.org") || strings.Contains(near, `"hourly_rate"`) {
		t.Errorf("A's workshop on C: %.600s", near)
	}
	if _, page := c.call(t, "GET", "/facilities", "", "", ""); !strings.Contains(page, "Athens Lab") || !strings.Contains(page, "from athens") {
		t.Errorf("C's workshops page does not name where Athens Lab is listed")
	}
	// Nobody but A changes A's design.
	if code, _ := c.call(t, "POST", "/api/v1/designs", c.token, "application/toml", "name = \"Fed Stool\"\nlicense = \"CC0-1.0\"\n"); code != 201 {
		t.Errorf("a design of the same name on C: %d", code)
	}

	// C forks A's design, changes its fork and proposes the change to A;
	// A accepts; the new head reaches B and C, and C's copy of the
	// proposal learns it was accepted.
	code, body = c.call(t, "POST", "/api/v1/designs/"+onA.ID+"/fork", c.token, "", "")
	if code != 201 {
		t.Fatalf("fork on C: %d %s", code, body)
	}
	var cfork designView
	json.Unmarshal([]byte(body), &cfork)
	better := "name = \"Fed Stool\"\nlicense = \"CC-BY-SA-4.0\"\nfunction = \"A stool to sit on, now with a footrest.\"\n"
	if code, body := c.call(t, "POST", "/api/v1/designs?into="+cfork.Slug, c.token, "application/toml", better); code != 201 {
		t.Fatalf("change the fork on C: %d %s", code, body)
	}
	code, body = c.call(t, "POST", "/api/v1/designs/"+onA.ID+"/proposals", c.token, "application/json", fmt.Sprintf(`{"from": %q, "title": "Add a footrest"}`, cfork.Slug))
	if code != 201 {
		t.Fatalf("propose from C: %d %s", code, body)
	}
	var sent struct{ ID string }
	json.Unmarshal([]byte(body), &sent)
	// The delivery is a queued job: wait for it to reach A.
	var pid string
	for deadline := time.Now().Add(30 * time.Second); pid == "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		_, list := a.call(t, "GET", "/api/v1/designs/fed-stool/proposals", "", "", "")
		if strings.Contains(list, "Add a footrest") {
			pid = between(list, `"id": "`, `"`)
		}
	}
	if pid == "" {
		t.Fatal("C's proposal never reached A")
	}
	if code, body := c.call(t, "POST", "/api/v1/proposals/"+sent.ID+"/accept", c.token, "", ""); code != 403 {
		t.Errorf("C accepting a proposal to A's design: %d %s", code, body)
	}
	if code, body := a.call(t, "POST", "/api/v1/proposals/"+pid+"/accept", a.token, "", ""); code != 200 {
		t.Fatalf("A accepts: %d %s", code, body)
	}
	onA, _ = a.design(t, "fed-stool")
	b.mustSync(t, a.id)
	c.mustSync(t, a.id)
	for _, n := range []*fedNode{b, c} {
		if d, _ := n.design(t, onA.ID); d == nil || d.Head != onA.Head || d.Revisions != 2 {
			t.Errorf("the accepted head on %s: %+v, A has %s", n.name, d, onA.Head)
		}
	}
	if _, body := c.call(t, "GET", "/api/v1/proposals/"+sent.ID, "", "", ""); !strings.Contains(body, `"status": "accepted"`) {
		t.Errorf("C's copy of the proposal: %.400s", body)
	}

	// B's people report a build of A's design and attest it; C, which
	// follows B, shows both under B's names; a node cannot speak for
	// another's people.
	if code, body := b.call(t, "POST", "/api/v1/designs/"+onA.ID+"/reports", b.token, "application/json", `{"place": "Berlin, DE", "success": true, "quantity": 2, "hours": 3}`); code != 201 {
		t.Fatalf("report on B: %d %s", code, body)
	}
	if code, body := b.call(t, "POST", "/api/v1/designs/"+onA.ID+"/attestations", b.token, "application/json", `{"holds": true, "note": "built it from the documents alone"}`); code/100 != 2 {
		t.Fatalf("attest on B: %d %s", code, body)
	}
	c.mustSync(t, b.id)
	if _, body := c.call(t, "GET", "/api/v1/designs/"+onA.ID+"/reports", "", "", ""); !strings.Contains(body, "op@berlin.test") || !strings.Contains(body, "Berlin, DE") {
		t.Errorf("B's report on C: %.400s", body)
	}
	if _, body := c.call(t, "GET", "/api/v1/designs/"+onA.ID+"/maturity", "", "", ""); !strings.Contains(body, "op@berlin.test") {
		t.Errorf("B's attestation on C: %.600s", body)
	}

	// A withdraws its workshop: gone on B and C after their syncs.
	_, fac := a.call(t, "GET", "/api/v1/facilities", "", "", "")
	fid := between(fac, `"id": "`, `"`)
	if code, body := a.call(t, "DELETE", "/api/v1/facilities/"+fid, a.token, "", ""); code != 204 {
		t.Fatalf("withdraw on A: %d %s", code, body)
	}
	b.mustSync(t, a.id)
	c.mustSync(t, a.id)
	for _, n := range []*fedNode{b, c} {
		if _, near := n.call(t, "GET", "/api/v1/facilities?near=37.98,23.73&radius=20", "", "", ""); strings.Contains(near, "Athens Lab") {
			t.Errorf("the withdrawn workshop is still on %s", n.name)
		}
	}

	// A partition: C stops; A publishes more; C comes back and catches
	// up, and every node agrees on the head.
	c.stop()
	for i := range 3 {
		body := fmt.Sprintf("name = \"Fed Bench %d\"\nlicense = \"CC0-1.0\"\n", i)
		if code, _ := a.call(t, "POST", "/api/v1/designs", a.token, "application/toml", body); code != 201 {
			t.Fatal("import on A")
		}
	}
	if code, _ := b.sync(t, c.id); code == 200 {
		t.Error("B synced from a C it does not follow")
	}
	b.mustSync(t, a.id)
	c.start(t)
	c.mustSync(t, a.id)
	for _, n := range []*fedNode{b, c} {
		if code, body := n.call(t, "GET", "/api/v1/designs?q=bench", "", "", ""); code != 200 || !strings.Contains(body, `"total": 3`) {
			t.Errorf("benches on %s: %.300s", n.name, body)
		}
	}
	// Nothing more to read: a sync keeps nothing twice.
	code, body = c.sync(t, a.id)
	if code != 200 || !strings.Contains(body, `"entries": 0`) {
		t.Errorf("a second sync: %d %s", code, body)
	}
	_ = time.Second
}

// A node that serves a tampered entry, a forged file or a rewritten
// history is caught: nothing of the batch is kept and the peer's status
// says why.
func TestTamperedPeerIsRefused(t *testing.T) {
	a, b := startFedNode(t, "athens"), startFedNode(t, "berlin")
	stl := "solid leg\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 10 0 0\nvertex 0 10 0\nendloop\nendfacet\nendsolid leg\n"
	zipBody := zipOf(t, map[string]string{"okh.toml": "name = \"True Stool\"\nlicense = \"CC0-1.0\"\n[[part]]\nname = \"leg\"\nexport = \"leg.stl\"\n", "leg.stl": stl})
	if code, body := a.call(t, "POST", "/api/v1/designs", a.token, "application/zip", zipBody); code != 201 {
		t.Fatalf("import on A: %d %s", code, body)
	}
	// A man in the middle, in front of A, changing what passes.
	var mode string
	mitm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, _ := io.ReadAll(r.Body)
		code, body := a.call(t, r.Method, r.URL.RequestURI(), "", r.Header.Get("Content-Type"), string(in))
		switch {
		case mode == "entry" && strings.HasPrefix(r.URL.Path, "/federation/feed"):
			body = strings.Replace(body, "True Stool", "Evil Stool", 1)
		case mode == "file" && strings.HasPrefix(r.URL.Path, "/federation/objects") && strings.Contains(body, "solid leg"):
			body = strings.Replace(body, "vertex 10 0 0", "vertex 99 0 0", 1)
		case mode == "checkpoint" && strings.HasPrefix(r.URL.Path, "/federation/feed"):
			i := strings.Index(body, `"root": "`) + len(`"root": "`)
			body = body[:i] + "00" + body[i+2:]
		}
		w.WriteHeader(code)
		w.Write([]byte(body))
	}))
	defer mitm.Close()
	b.follow(t, mitm.URL)
	for _, m := range []string{"entry", "file", "checkpoint"} {
		mode = m
		code, body := b.sync(t, a.id)
		if code == 200 {
			t.Errorf("%s tampered: the sync succeeded: %s", m, body)
		}
		if _, c := b.design(t, "true-stool"); c != 404 {
			t.Errorf("%s tampered: the design was kept", m)
		}
		_, peers := b.call(t, "GET", "/api/v1/peers", "", "", "")
		if !strings.Contains(peers, `"status": "refused"`) {
			t.Errorf("%s tampered: peers say %s", m, peers)
		}
	}
	// Honest again: everything arrives.
	mode = ""
	b.mustSync(t, a.id)
	if d, code := b.design(t, "true-stool"); code != 200 || d.Home != a.id {
		t.Errorf("after an honest sync: %d %+v", code, d)
	}
}
