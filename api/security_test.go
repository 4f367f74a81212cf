package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dgml/dgml/collab"
)

// as makes a request with a given token ("" for anonymous).
func (n *node) as(t *testing.T, token, method, path, contentType, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, n.srv.URL+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
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

// user signs a user up and returns a write token.
func (n *node) user(t *testing.T, name string) string {
	t.Helper()
	code, _ := n.as(t, "", "POST", "/api/v1/users", "application/json", fmt.Sprintf(`{"name": %q, "password": "a long enough password"}`, name))
	if code != 201 {
		t.Fatalf("sign up %s: %d", name, code)
	}
	code, body := n.as(t, "", "POST", "/api/v1/tokens", "application/json", fmt.Sprintf(`{"name": %q, "password": "a long enough password", "scope": "write"}`, name))
	if code != 201 {
		t.Fatalf("token for %s: %d %s", name, code, body)
	}
	return between(body, `"token": "`, `"`)
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	return s[:strings.Index(s, b)]
}

// What an attacker would try must be refused with the right status and
// leave the data as it was.
func TestSecurity(t *testing.T) {
	n := newNode(t)
	ana, bob := n.user(t, "ana"), n.user(t, "bob")
	// Ana imports a design and registers a workshop.
	code, body := n.as(t, ana, "POST", "/api/v1/designs", "application/toml", "name = \"Ana's Hinge\"\nlicense = \"CC0-1.0\"\n")
	if code != 201 {
		t.Fatalf("import: %d %s", code, body)
	}
	code, body = n.as(t, ana, "POST", "/api/v1/facilities", "application/json", `{"name": "Ana Lab", "location": {"lat": 1, "lon": 2}}`)
	if code != 201 {
		t.Fatalf("facility: %d %s", code, body)
	}
	before := snapshot(t, n)

	cases := []struct {
		name, token, method, path, ctype, body string
		status                                 int
	}{
		{"anonymous import", "", "POST", "/api/v1/designs", "application/toml", "name = \"Spam\"\n", 401},
		{"anonymous facility", "", "POST", "/api/v1/facilities", "application/json", `{"name": "x", "location": {"lat": 1, "lon": 2}}`, 401},
		{"bob edits ana's design", bob, "POST", "/api/v1/designs?into=ana-s-hinge", "application/toml", "name = \"Bob's Hinge\"\n", 403},
		{"bob edits ana's workshop", bob, "PUT", "/api/v1/facilities/ana-lab", "application/json", `{"name": "Bob Lab", "location": {"lat": 1, "lon": 2}}`, 403},
		{"bob deletes ana's workshop", bob, "DELETE", "/api/v1/facilities/ana-lab", "", "", 403},
		{"a made-up token", "dgml_forged", "POST", "/api/v1/designs", "application/toml", "name = \"X\"\n", 401},
		{"a malformed authorization", "", "GET", "/api/v1/me", "", "", 401},
		{"oversized body", ana, "POST", "/api/v1/facilities", "application/json", `{"name": "` + strings.Repeat("x", 2<<20) + `"}`, 413},
		{"malformed JSON", ana, "POST", "/api/v1/facilities", "application/json", `{"name": `, 422},
		{"malformed manifest", ana, "POST", "/api/v1/designs", "application/toml", "name = [", 422},
		{"anonymous report", "", "POST", "/api/v1/designs/ana-s-hinge/reports", "application/json", `{"place": "x", "success": true}`, 401},
		{"anonymous vote", "", "POST", "/api/v1/designs/ana-s-hinge/votes", "application/json", `{"scale": "otrl", "level": 3, "reason": "x"}`, 401},
		{"oversized attestation", bob, "POST", "/api/v1/designs/ana-s-hinge/attestations", "application/json", `{"holds": true, "note": "` + strings.Repeat("x", 2<<20) + `"}`, 413},
		{"malformed report", bob, "POST", "/api/v1/designs/ana-s-hinge/reports", "application/json", `{"place": `, 422},
		{"report of no design", bob, "POST", "/api/v1/designs/nope/reports", "application/json", `{"place": "x"}`, 404},
		{"a photo that is a program", bob, "POST", "/api/v1/designs/ana-s-hinge/reports", "multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"report\"\r\n\r\n{\"place\": \"x\"}\r\n--B\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.exe\"\r\n\r\nMZ\x90\x00\r\n--B--\r\n", 422},
	}
	for _, c := range cases {
		code, body := n.as(t, c.token, c.method, c.path, c.ctype, c.body)
		if c.name == "a malformed authorization" {
			req, _ := http.NewRequest("GET", n.srv.URL+"/api/v1/me", nil)
			req.Header.Set("Authorization", "Basic YW5hOnB3")
			res, _ := http.DefaultClient.Do(req)
			code = res.StatusCode
			res.Body.Close()
		}
		if code != c.status {
			t.Errorf("%s: %d, want %d (%.200s)", c.name, code, c.status, body)
		}
	}
	// A revoked token stops working.
	code, body = n.as(t, bob, "GET", "/api/v1/tokens", "", "")
	if code != 200 {
		t.Fatalf("tokens: %d", code)
	}
	id := between(body, `"id": "`, `"`)
	if code, _ := n.as(t, bob, "DELETE", "/api/v1/tokens/"+id, "", ""); code != 204 {
		t.Fatalf("revoke: %d", code)
	}
	if code, _ := n.as(t, bob, "POST", "/api/v1/designs", "application/toml", "name = \"Late\"\n"); code != 401 {
		t.Errorf("a revoked token must be refused: %d", code)
	}
	// A read token cannot write.
	code, body = n.as(t, "", "POST", "/api/v1/tokens", "application/json", `{"name": "ana", "password": "a long enough password", "scope": "read"}`)
	if code != 201 {
		t.Fatalf("read token: %d", code)
	}
	read := between(body, `"token": "`, `"`)
	if code, _ := n.as(t, read, "POST", "/api/v1/designs", "application/toml", "name = \"Y\"\n"); code != 403 {
		t.Errorf("a read token must not write: %d", code)
	}
	// Guessing passwords: after 5 failures even the right one waits.
	for i := 0; i < 5; i++ {
		if code, _ := n.as(t, "", "POST", "/api/v1/tokens", "application/json", fmt.Sprintf(`{"name": "ana", "password": "guess %d"}`, i)); code != 401 {
			t.Errorf("wrong password %d: %d", i, code)
		}
	}
	if code, body := n.as(t, "", "POST", "/api/v1/tokens", "application/json", `{"name": "ana", "password": "a long enough password"}`); code != 429 || !strings.Contains(body, "too many") {
		t.Errorf("past the limit: %d %s", code, body)
	}
	if after := snapshot(t, n); after != before {
		t.Errorf("refused requests changed the data:\n%s\n%s", before, after)
	}
}

// snapshot sums up what an attacker might have changed.
func snapshot(t *testing.T, n *node) string {
	ctx := context.Background()
	st, _ := n.db.Stats(ctx)
	f, err := n.db.Facility(ctx, "ana-lab")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := n.db.Design(ctx, "ana-s-hinge")
	reports, _ := n.db.Reports(ctx, d.ID)
	atts, _ := n.db.Attestations(ctx, d.ID)
	votes, _ := n.db.Votes(ctx, d.ID)
	return fmt.Sprintf("%+v %s %s %s reports=%d attestations=%d votes=%d", *st, f.Name, d.Head, d.Name, len(reports), len(atts), len(votes))
}

// Collaboration end to end: fork, change, propose, diff, accept; tasks
// claimed, progressed and closed; the activity as JSON and Atom.
func TestForkProposeAcceptAndTasks(t *testing.T) {
	n := newNode(t)
	ana, bob := n.user(t, "ana"), n.user(t, "bob")
	n.as(t, ana, "POST", "/api/v1/designs", "application/toml", "name = \"Stool\"\nlicense = \"CC0-1.0\"\n[[part]]\nname = \"leg\"\nquantity = 3\nmaterial = \"oak\"\n")
	code, body := n.as(t, bob, "POST", "/api/v1/designs/stool/fork", "", "")
	if code != 201 {
		t.Fatalf("fork: %d %s", code, body)
	}
	fork := between(body, `"slug": "`, `"`)
	// Bob changes his fork: four legs, and a seat.
	code, body = n.as(t, bob, "POST", "/api/v1/designs?into="+fork, "application/toml", "name = \"Stool\"\nlicense = \"CC0-1.0\"\n[[part]]\nname = \"leg\"\nquantity = 4\nmaterial = \"oak\"\n[[part]]\nname = \"seat\"\n")
	if code != 201 {
		t.Fatalf("bob's revision: %d %s", code, body)
	}
	_, body = n.as(t, "", "GET", "/api/v1/designs/"+fork+"/lineage", "", "")
	if !strings.Contains(body, `"slug": "stool"`) {
		t.Errorf("lineage up: %s", body)
	}
	_, body = n.as(t, "", "GET", "/api/v1/designs/stool/lineage", "", "")
	if !strings.Contains(body, `"slug": "`+fork+`"`) {
		t.Errorf("lineage down: %s", body)
	}
	code, body = n.as(t, bob, "POST", "/api/v1/designs/stool/proposals", "application/json", `{"from": "`+fork+`", "title": "four legs <script>alert(1)</script>"}`)
	if code != 201 {
		t.Fatalf("propose: %d %s", code, body)
	}
	pid := between(body, `"id": "`, `"`)
	_, body = n.as(t, "", "GET", "/api/v1/proposals/"+pid, "", "")
	if !strings.Contains(body, `"kind": "part-added"`) || !strings.Contains(body, "quantity 3 → 4") {
		t.Errorf("the diff: %s", body)
	}
	if code, _ := n.as(t, bob, "POST", "/api/v1/proposals/"+pid+"/accept", "", ""); code != 403 {
		t.Errorf("bob may not accept his own proposal to ana's design: %d", code)
	}
	n.as(t, bob, "POST", "/api/v1/proposals/"+pid+"/comments", "application/json", `{"text": "tested on a real stool"}`)
	if code, body := n.as(t, ana, "POST", "/api/v1/proposals/"+pid+"/accept", "", ""); code != 200 || !strings.Contains(body, `"status": "accepted"`) {
		t.Errorf("accept: %d %s", code, body)
	}
	_, body = n.as(t, "", "GET", "/api/v1/designs/stool/parts", "", "")
	if !strings.Contains(body, `"quantity": 4`) || !strings.Contains(body, `"seat"`) {
		t.Errorf("after accepting, the design's head is the fork's: %s", body)
	}
	if code, _ := n.as(t, ana, "POST", "/api/v1/proposals/"+pid+"/decline", "", ""); code != 409 {
		t.Errorf("deciding twice: %d", code)
	}

	code, body = n.as(t, ana, "POST", "/api/v1/designs/stool/tasks", "application/json", `{"title": "Translate the steps into Spanish", "skills": ["translation"], "language": "es"}`)
	if code != 201 {
		t.Fatalf("task: %d %s", code, body)
	}
	tid := between(body, `"id": "`, `"`)
	_, body = n.as(t, "", "GET", "/api/v1/tasks?skill=translation&language=es", "", "")
	if !strings.Contains(body, tid) {
		t.Errorf("help wanted by skill and language: %s", body)
	}
	_, body = n.as(t, "", "GET", "/api/v1/tasks?skill=welding", "", "")
	if strings.Contains(body, tid) {
		t.Errorf("filtered out by skill: %s", body)
	}
	if code, _ := n.as(t, bob, "POST", "/api/v1/tasks/"+tid+"/claim", "", ""); code != 200 {
		t.Fatalf("claim: %d", code)
	}
	if code, _ := n.as(t, ana, "POST", "/api/v1/tasks/"+tid+"/claim", "", ""); code != 409 {
		t.Errorf("a claimed task cannot be claimed again: %d", code)
	}
	n.as(t, bob, "POST", "/api/v1/tasks/"+tid+"/progress", "application/json", `{"text": "half done"}`)
	if code, _ := n.as(t, bob, "POST", "/api/v1/tasks/"+tid+"/close", "application/json", `{"resolution": "javascript:alert(1)"}`); code != 422 {
		t.Errorf("a resolution must be a link: %d", code)
	}
	if code, body := n.as(t, bob, "POST", "/api/v1/tasks/"+tid+"/close", "application/json", `{"resolution": "/designs/stool"}`); code != 200 || !strings.Contains(body, `"status": "done"`) {
		t.Errorf("close: %d %s", code, body)
	}
	_, body = n.as(t, "", "GET", "/api/v1/tasks", "", "")
	if strings.Contains(body, tid) {
		t.Errorf("a done task leaves the help-wanted feed")
	}
	_, body = n.as(t, "", "GET", "/api/v1/designs/stool/activity", "", "")
	for _, kind := range []string{"revision", "fork", "proposal", "proposal-accepted", "task", "task-claimed", "task-progress", "task-done"} {
		if !strings.Contains(body, `"kind": "`+kind+`"`) {
			t.Errorf("activity lacks %s", kind)
		}
	}
	if !strings.Contains(body, "bob@test.node") {
		t.Errorf("people are named user@node: %s", body)
	}
	code, atom := n.as(t, "", "GET", "/api/v1/people/bob/activity?format=atom", "", "")
	if code != 200 || !strings.Contains(atom, `<feed xmlns="http://www.w3.org/2005/Atom">`) || !strings.Contains(atom, "&lt;script&gt;") {
		t.Errorf("Atom feed (escaped): %d %.300s", code, atom)
	}
}

// A stale claim expires: another person may take the task.
func TestStaleClaimExpires(t *testing.T) {
	task := collab.Task{Status: "claimed"}
	now := task.Created
	past := now.AddDate(0, 0, -1)
	task.ClaimUntil = &past
	if !task.Open(now) {
		t.Error("a claim past its date leaves the task open")
	}
	future := now.AddDate(0, 0, 1)
	task.ClaimUntil = &future
	if task.Open(now) {
		t.Error("a live claim keeps the task")
	}
}
