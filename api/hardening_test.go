package api_test

import (
	"bufio"
	"context"
	"fmt"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/collab"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Importing facilities never takes over a record someone else operates:
// an OKW record carrying the id (or the slug) of Ana's workshop is
// refused with a conflict naming the id, and nothing is stored; Ana
// herself may update her record the same way.
func TestFacilityImportCannotTakeOver(t *testing.T) {
	n := newNode(t)
	ana, bob := n.user(t, "ana"), n.user(t, "bob")
	code, body := n.as(t, ana, "POST", "/api/v1/facilities", "application/json", `{"name": "Ana Lab", "location": {"lat": 1, "lon": 2}}`)
	if code != 201 {
		t.Fatalf("register: %d %s", code, body)
	}
	id := between(body, `"id": "`, `"`)
	tn := n.tn
	before := tn.Snapshot(t)
	for _, ref := range []string{id, "ana-lab"} {
		okw := fmt.Sprintf(`{"id": %q, "name": "Bob's Lab Now", "location": {"gps_coordinates": "5, 6"}}`, ref)
		code, body := n.as(t, bob, "POST", "/api/v1/facilities/import", "application/json", okw)
		if code != 409 || !strings.Contains(body, `"kind":"conflict"`) || !strings.Contains(body, id) || !hasField(body, "id") {
			t.Errorf("bob imports a record with ana's %s: %d %s", ref, code, body)
		}
		// The same inside a list with a new record first: the whole import
		// is refused, the new record included.
		list := `[{"name": "Bob Shed", "location": {"gps_coordinates": "7, 8"}}, ` + okw + `]`
		if code, body := n.as(t, bob, "POST", "/api/v1/facilities/import", "application/json", list); code != 409 {
			t.Errorf("a list with ana's record: %d %s", code, body)
		}
	}
	if changed := testChanged(before, tn.Snapshot(t)); len(changed) > 0 {
		t.Errorf("refused imports changed the store: %v", changed)
	}
	if code, body := n.as(t, "", "POST", "/api/v1/facilities/import", "application/json", `{"id": "`+id+`", "name": "x", "location": {"gps_coordinates": "1, 2"}}`); code != 401 {
		t.Errorf("anonymous import: %d %s", code, body)
	}
	code, body = n.as(t, ana, "POST", "/api/v1/facilities/import", "application/json", `{"id": "`+id+`", "name": "Ana Lab", "description": "moved upstairs", "location": {"gps_coordinates": "1, 2"}}`)
	if code != 201 || !strings.Contains(body, `"updated": 1`) {
		t.Errorf("ana updates her own record: %d %s", code, body)
	}
	_, body = n.as(t, "", "GET", "/api/v1/facilities/"+id, "", "")
	if !strings.Contains(body, "moved upstairs") {
		t.Errorf("the update landed: %s", body)
	}
	// Bob's import of the same record unchanged is harmless: skipped.
	code, body = n.as(t, bob, "POST", "/api/v1/facilities/import", "application/json", `{"id": "`+id+`", "name": "Ana Lab", "location": {"gps_coordinates": "1, 2"}}`)
	if code != 201 || !strings.Contains(body, `"added": 0`) || !strings.Contains(body, `"updated": 0`) {
		t.Errorf("the same record again: %d %s", code, body)
	}
	// A facility created with PUT fields it may not set keeps the node's.
	code, body = n.as(t, ana, "PUT", "/api/v1/facilities/"+id, "application/json", `{"id": "someone-else", "slug": "x", "demo": true, "name": "Ana Lab", "location": {"lat": 1, "lon": 2}}`)
	if code != 200 || !strings.Contains(body, `"id": "`+id+`"`) || !strings.Contains(body, `"slug": "ana-lab"`) || strings.Contains(body, `"demo": true`) {
		t.Errorf("PUT with server-owned fields: %d %s", code, body)
	}
}

func testChanged(before, after map[string]string) []string {
	var out []string
	for k, v := range after {
		if before[k] != v {
			out = append(out, k)
		}
	}
	return out
}

// Tokens never widen their scope, and making one needs a credential that
// may write (or the password); a browser session must send its CSRF token.
func TestTokenScopes(t *testing.T) {
	n := newNode(t)
	ana := n.user(t, "ana")
	_, body := n.as(t, ana, "POST", "/api/v1/tokens", "application/json", `{"scope": "read"}`)
	read := between(body, `"token": "`, `"`)
	if read == "" {
		t.Fatalf("a write token makes a read token: %s", body)
	}
	for _, c := range []struct {
		name, token, body string
		status            int
	}{
		{"read token asks for write", read, `{"scope": "write"}`, 403},
		{"read token asks for read", read, `{"scope": "read"}`, 403},
		{"read token, default scope", read, `{}`, 403},
		{"nobody", "", `{"scope": "read"}`, 401},
		{"unknown scope", ana, `{"scope": "admin"}`, 422},
		{"write token asks for write", ana, `{"scope": "write"}`, 201},
	} {
		if code, body := n.as(t, c.token, "POST", "/api/v1/tokens", "application/json", c.body); code != c.status {
			t.Errorf("%s: %d, want %d (%s)", c.name, code, c.status, body)
		}
	}
	// A browser session: without the CSRF token it is refused, with it
	// the token is made.
	secret, csrf, err := n.people.Login(context.Background(), "ana", "a long enough password", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	post := func(csrfHeader string) int {
		req, _ := http.NewRequest("POST", n.srv.URL+"/api/v1/tokens", strings.NewReader(`{"scope": "read"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: "dgml_session", Value: secret})
		if csrfHeader != "" {
			req.Header.Set("X-CSRF-Token", csrfHeader)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := post(""); code != 403 {
		t.Errorf("session without CSRF: %d", code)
	}
	if code := post("wrong"); code != 403 {
		t.Errorf("session with a wrong CSRF token: %d", code)
	}
	if code := post(csrf); code != 201 {
		t.Errorf("session with its CSRF token: %d", code)
	}
}

// Fields the node sets itself are refused in request bodies, naming the
// field; a field the request does not have is refused too.
func TestServerOwnedFieldsRefused(t *testing.T) {
	n := newNode(t)
	ana := n.user(t, "ana")
	n.as(t, ana, "POST", "/api/v1/designs", "application/toml", "name = \"Stool\"\nlicense = \"CC0-1.0\"\n")
	before := n.tn.Snapshot(t)
	for _, c := range []struct{ path, body, field string }{
		{"/api/v1/designs/stool/tasks", `{"title": "x", "claimed_by": "eve@elsewhere"}`, "claimed_by"},
		{"/api/v1/designs/stool/tasks", `{"title": "x", "status": "done"}`, "status"},
		{"/api/v1/designs/stool/tasks", `{"title": "x", "resolution": "/x"}`, "resolution"},
		{"/api/v1/designs/stool/tasks", `{"title": "x", "created": "2001-01-01T00:00:00Z"}`, "created"},
		{"/api/v1/designs/stool/tasks", `{"title": "x", "author": "root@test.node"}`, "author"},
		{"/api/v1/designs/stool/reports", `{"place": "x", "success": true, "quantity": 1, "author": "root@test.node"}`, "author"},
		{"/api/v1/designs/stool/votes", `{"scale": "otrl", "level": 3, "reason": "x", "voter": "root@test.node"}`, "voter"},
		{"/api/v1/designs/stool/translations", `{"key": "name", "lang": "fr", "text": "Tabouret", "author": "x"}`, "author"},
		{"/api/v1/users", `{"name": "mallory", "password": "a long enough password", "admin": true}`, "admin"},
		{"/api/v1/designs/stool/tasks", `{"title": "x", "priority": 1}`, "priority"},
	} {
		code, body := n.as(t, ana, "POST", c.path, "application/json", c.body)
		if code != 422 || !hasField(body, c.field) {
			t.Errorf("%s with %s: %d %s", c.path, c.field, code, body)
		}
	}
	if changed := testChanged(before, n.tn.Snapshot(t)); len(changed) > 0 {
		t.Errorf("refused bodies changed the store: %v", changed)
	}
}

// Numbers in query parameters: NaN, infinities, negatives and absurd
// magnitudes are refused with 422 naming the parameter.
func TestNumericParameters(t *testing.T) {
	n := newNode(t)
	n.as(t, n.token, "POST", "/api/v1/designs", "application/toml", "name = \"Stool\"\nlicense = \"CC0-1.0\"\n")
	for _, c := range []struct{ path, field string }{
		{"/api/v1/designs/stool/plan?near=37.9,23.7&qty=NaN", "qty"},
		{"/api/v1/designs/stool/plan?near=37.9,23.7&qty=-2", "qty"},
		{"/api/v1/designs/stool/plan?near=37.9,23.7&qty=1e300", "qty"},
		{"/api/v1/designs/stool/plan?near=37.9,23.7&qty=Infinity", "qty"},
		{"/api/v1/designs/stool/plan?near=37.9,23.7&radius=-1", "radius"},
		{"/api/v1/designs/stool/plan?near=37.9,23.7&radius=1e12", "radius"},
		{"/api/v1/designs/stool/plan?near=NaN,NaN", "near"},
		{"/api/v1/designs/stool/plan?near=37.9,Inf", "near"},
		{"/api/v1/designs/stool/plan?near=37.9,23.7&deadline=-3d", "deadline"},
		{"/api/v1/designs/stool/plan?near=37.9,23.7&deadline=1e15h", "deadline"},
		{"/api/v1/designs/stool/plan?near=37.9,23.7&unit_price=NaN", "unit_price"},
		{"/api/v1/facilities?near=37.9,23.7&radius=NaN", "radius"},
		{"/api/v1/facilities?near=37.9,23.7&limit=-5", "limit"},
		{"/api/v1/designs?offset=-1", "offset"},
		{"/api/v1/designs?offset=1e9", "offset"},
		{"/api/v1/designs/stool/activity?limit=abc", "limit"},
		{"/api/v1/tasks?near=1,2&radius=NaN", "radius"},
	} {
		code, body := n.as(t, "", "GET", c.path, "", "")
		if code != 422 || !hasField(body, c.field) {
			t.Errorf("%s: %d %s", c.path, code, body)
		}
	}
}

// Of many maintainers accepting one proposal at the same moment, exactly
// one wins; the others get 409 and the design advances once.
func TestConcurrentAcceptsOneWins(t *testing.T) {
	n := newNode(t)
	ana, bob := n.user(t, "ana"), n.user(t, "bob")
	n.as(t, ana, "POST", "/api/v1/designs", "application/toml", "name = \"Stool\"\nlicense = \"CC0-1.0\"\n[[part]]\nname = \"leg\"\nquantity = 3\n")
	_, body := n.as(t, bob, "POST", "/api/v1/designs/stool/fork", "", "")
	fork := between(body, `"slug": "`, `"`)
	n.as(t, bob, "POST", "/api/v1/designs?into="+fork, "application/toml", "name = \"Stool\"\nlicense = \"CC0-1.0\"\n[[part]]\nname = \"leg\"\nquantity = 4\n")
	_, body = n.as(t, bob, "POST", "/api/v1/designs/stool/proposals", "application/json", `{"from": "`+fork+`"}`)
	pid := between(body, `"id": "`, `"`)
	const racers = 12
	codes := make([]int, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			action := "accept"
			if i%3 == 2 {
				action = "decline"
			}
			codes[i], _ = n.as(t, ana, "POST", "/api/v1/proposals/"+pid+"/"+action, "", "")
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case 200:
			won++
		case 409:
		default:
			t.Errorf("a racer got %d", c)
		}
	}
	if won != 1 {
		t.Errorf("%d decisions won (codes %v), want exactly 1", won, codes)
	}
	_, body = n.as(t, "", "GET", "/api/v1/designs/stool/revisions", "", "")
	_, prop := n.as(t, "", "GET", "/api/v1/proposals/"+pid, "", "")
	accepted := strings.Contains(prop, `"status": "accepted"`)
	if revs := strings.Count(body, `"revision": "`); (accepted && revs != 2) || (!accepted && revs != 1) {
		t.Errorf("accepted=%v and the design has %d revisions", accepted, revs)
	}
}

// Whether a name has an account is not told by its activity page.
func TestPersonActivityDoesNotRevealNames(t *testing.T) {
	n := newNode(t)
	n.user(t, "quiet")
	c1, b1 := n.as(t, "", "GET", "/api/v1/people/quiet/activity", "", "")
	c2, b2 := n.as(t, "", "GET", "/api/v1/people/nobody-at-all/activity", "", "")
	if c1 != 200 || c2 != 200 || b1 != b2 {
		t.Errorf("an account with no activity and no account answer alike: %d %q / %d %q", c1, b1, c2, b2)
	}
}

// Failed logins: per name and address, and per account across
// addresses; an unknown name is answered as a wrong password.
func TestLoginGuessing(t *testing.T) {
	n := newNode(t)
	n.user(t, "ana")
	ctx := context.Background()
	_, err1 := n.people.Check(ctx, "ana", "wrong password!", "10.0.0.9")
	_, err2 := n.people.Check(ctx, "no-such-person", "wrong password!", "10.0.0.9")
	if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
		t.Errorf("unknown name and wrong password must read alike: %v / %v", err1, err2)
	}
	// Guessing Ana's password from many addresses: after the account's
	// failures pass its threshold, even the right password from a fresh
	// address waits (a short backoff), and says so.
	for i := range 12 {
		n.people.Check(ctx, "ana", "guess", fmt.Sprintf("10.1.%d.1", i))
	}
	if _, err := n.people.Check(ctx, "ana", "a long enough password", "10.9.9.9"); err == nil || !strings.Contains(err.Error(), "try again in") {
		t.Errorf("account backoff: %v", err)
	}
	// Sign-ups from one address are limited (ana's counted already).
	limited := false
	for i := range 11 {
		code, _ := n.as(t, "", "POST", "/api/v1/users", "application/json", fmt.Sprintf(`{"name": "many%d", "password": "a long enough password"}`, i))
		limited = limited || code == 429
	}
	if !limited {
		t.Error("eleven sign-ups from one address in an hour: none refused")
	}
}

// The login guard's memory stays bounded whatever names and addresses
// are tried.
func TestLoginGuardBounded(t *testing.T) {
	m := account.NewMemoryFailures(1000)
	g := account.NewGuard(m)
	ctx := context.Background()
	for i := range 200_000 {
		g.Fail(ctx, fmt.Sprintf("name-%d", i), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
	}
	if k := m.Keys(); k > 3*1000 {
		t.Errorf("%d keys held for a bound of 1000 per kind", k)
	}
}

// Unknown pages get the site's 404 page; every answer forbids framing.
func TestNotFoundAndFrames(t *testing.T) {
	n := newNode(t)
	for _, c := range []struct {
		path, ctype string
		status      int
	}{
		{"/no/such/page", "text/html", 404},
		{"/api/v1/nothing", "application/problem+json", 404},
		{"/healthz", "application/json", 200},
		{"/designs", "text/html", 200},
	} {
		res, err := http.Get(n.srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.status || !strings.HasPrefix(res.Header.Get("Content-Type"), c.ctype) {
			t.Errorf("%s: %d %s", c.path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if res.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s may be framed: %v", c.path, res.Header)
		}
	}
}

// A body announced larger than the route takes is refused with 413
// before any of it is read: the client gets the answer having sent only
// the headers.
func TestOversizedBodyRefusedBeforeReading(t *testing.T) {
	n := newNode(t)
	u, _ := url.Parse(n.srv.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/facilities HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", n.token, 5<<30)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 413 || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("5 GiB announced: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// hasField says whether a problem document names the field.
func hasField(body, field string) bool {
	return strings.Contains(body, `"field":"`+field+`"`)
}

// The help-wanted feed filters in the store: a task older than the
// newest 500 is still found by its skill, and pages page matches.
func TestTaskFeedFiltersInTheStore(t *testing.T) {
	n := newNode(t)
	ana := n.user(t, "ana")
	n.as(t, ana, "POST", "/api/v1/designs", "application/toml", "name = \"Stool\"\nlicense = \"CC0-1.0\"\n")
	u, _, err := n.db.UserByName(context.Background(), "ana")
	if err != nil {
		t.Fatal(err)
	}
	add := func(title string, skills ...string) {
		tk := collab.Task{Title: title, Skills: skills}
		if err := n.people.AddTask(context.Background(), u, "stool", &tk); err != nil {
			t.Fatal(err)
		}
	}
	add("the oldest: weld the frame", "welding")
	for i := range 520 {
		add(fmt.Sprintf("paint leg %d", i), "painting")
	}
	_, body := n.as(t, "", "GET", "/api/v1/tasks?skill=welding", "", "")
	if !strings.Contains(body, "weld the frame") {
		t.Errorf("an old task is lost behind newer ones: %.300s", body)
	}
	_, body = n.as(t, "", "GET", "/api/v1/tasks?skill=painting&limit=200&offset=400", "", "")
	if c := strings.Count(body, `"title": "paint leg`); c != 120 {
		t.Errorf("the last page of painting has %d tasks, want 120", c)
	}
	if c := strings.Count(body, "weld"); c != 0 {
		t.Errorf("the welding task is not painting")
	}
}

// Sixty fresh accounts cannot make a design attested or move its
// readiness; a reviewer an admin vouches for, or one with standing of
// their own, counts; the policy is the admin's to set.
func TestThrowawayAccountsDoNotCount(t *testing.T) {
	n := newNode(t)
	ana := n.user(t, "ana")
	n.as(t, ana, "POST", "/api/v1/designs", "application/toml", hinge)
	var wg sync.WaitGroup
	tokens := make([]string, 60)
	// Made directly: sign-ups over HTTP are limited per address, and the
	// limit is not what this test is about (accounts are cheap elsewhere).
	for i := range tokens {
		u, err := n.people.SignUp(context.Background(), fmt.Sprintf("sock%02d", i), "a long enough password", "", false)
		if err != nil {
			t.Fatal(err)
		}
		tokens[i], _, _ = n.people.NewToken(context.Background(), u, "t", "write")
	}
	for _, tok := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.as(t, tok, "POST", "/api/v1/designs/hinge/attestations", "application/json", `{"holds": true, "note": "great, trust me"}`)
			n.as(t, tok, "POST", "/api/v1/designs/hinge/votes", "application/json", `{"scale": "otrl", "level": 8, "reason": "best ever"}`)
		}()
	}
	wg.Wait()
	maturity := func() map[string]any {
		_, body := n.as(t, "", "GET", "/api/v1/designs/hinge/maturity", "", "")
		return jsonOf(t, body)["maturity"].(map[string]any)
	}
	m := maturity()
	otrl := m["readiness"].(map[string]any)["otrl"].(map[string]any)
	if m["attested"] != false || m["independent_reviewers"] != 0.0 || otrl["median"] != nil || len(otrl["votes"].([]any)) != 60 {
		t.Fatalf("sixty throwaway accounts moved the maturity: attested %v, %v independent, otrl %v", m["attested"], m["independent_reviewers"], otrl["median"])
	}
	if !strings.Contains(fmt.Sprint(m["attestations"]), "not counted yet: account 0 of 14 days old") {
		t.Errorf("each review says why it does not count: %v", m["attestations"])
	}
	// A throwaway cannot vouch for another.
	if code, _ := n.as(t, tokens[0], "POST", "/api/v1/people/sock01/vouch", "application/json", `{"note": "my friend"}`); code != 403 {
		t.Errorf("a throwaway vouches: %d", code)
	}
	// Nor set the policy.
	if code, _ := n.as(t, tokens[0], "PUT", "/api/v1/standing", "application/json", `{"min_account_days": 0, "min_contributions": 0}`); code != 403 {
		t.Errorf("a throwaway sets the policy: %d", code)
	}
	// An admin vouches for two of them: their word counts now.
	ctx := context.Background()
	root, err := n.people.SignUp(ctx, "root", "a long enough password", "", true)
	if err != nil {
		t.Fatal(err)
	}
	rootTok, _, _ := n.people.NewToken(ctx, root, "t", "write")
	for _, who := range []string{"sock01", "sock02"} {
		if code, body := n.as(t, rootTok, "POST", "/api/v1/people/"+who+"/vouch", "application/json", `{"note": "met at the fab lab"}`); code != 204 {
			t.Fatalf("vouch: %d %s", code, body)
		}
	}
	if m = maturity(); m["attested"] != true || m["independent_reviewers"] != 2.0 {
		t.Errorf("two vouched reviewers attest: %v %v", m["attested"], m["independent_reviewers"])
	}
	if otrl = m["readiness"].(map[string]any)["otrl"].(map[string]any); otrl["median"] != 8.0 {
		t.Errorf("their votes count: %v", otrl["median"])
	}
	// The admin loosens the policy: everyone counts.
	if code, body := n.as(t, rootTok, "PUT", "/api/v1/standing", "application/json", `{"min_account_days": 0, "min_contributions": 0}`); code != 200 {
		t.Fatalf("policy: %d %s", code, body)
	}
	if m = maturity(); m["independent_reviewers"] != 60.0 {
		t.Errorf("with no requirement every reviewer counts: %v", m["independent_reviewers"])
	}
}
