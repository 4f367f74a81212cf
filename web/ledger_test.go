package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/internal/testnode"
	"github.com/dgml/dgml/ledger"
)

// The ledger's pages: a design's contributors and value equation, a
// maintainer's edit of it that keeps what was typed when it is wrong,
// a pledge to a task with its error beside the field, and the fund.
func TestLedgerPages(t *testing.T) {
	ctx := context.Background()
	node := testnode.New(t)
	h, _ := node.Handler(t, 0)
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := loggedIn(t, srv.URL) // "maker"
	maker, _, err := node.DB.UserByName(ctx, "maker")
	if err != nil {
		t.Fatal(err)
	}
	c := design.Content{Manifest: design.Manifest{Name: "Hinge", Function: "a hinge", License: "CC0-1.0"}}
	d, err := node.Commons.Commit(ctx, c, nil, commons.ImportOptions{Author: "maker@test.node"})
	if err != nil {
		t.Fatal(err)
	}
	if err := node.DB.AddRole(ctx, "maintainer", d.ID, maker.ID); err != nil {
		t.Fatal(err)
	}
	read := func(res *http.Response, err error) (int, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	page := srv.URL + "/designs/" + d.Slug + "/contributors"
	code, body := read(client.Get(page + "?amount=50&currency=EUR"))
	if code != 200 || !strings.Contains(body, "maker@test.node") || !strings.Contains(body, "dgml default") || !strings.Contains(body, "EUR 50.00") && !strings.Contains(body, "50.00 EUR") {
		t.Fatalf("contributors page: %d %s", code, body)
	}
	// A policy whose buckets do not add up comes back with what was
	// typed and the reason beside it.
	bad := `{"name":"mine","buckets":[{"name":"all","basis_points":9000,"rule":"workshop"}]}`
	code, body = read(client.PostForm(page, url.Values{"csrf": {csrfOf(t, client, page)}, "policy": {bad}}))
	if code != 422 || !strings.Contains(body, "add up to 90.00%") || !strings.Contains(body, `&#34;basis_points&#34;:9000`) {
		t.Errorf("a wrong policy: %d %s", code, body)
	}
	good := `{"name":"mine","buckets":[{"name":"all","basis_points":9000,"rule":"workshop"},{"name":"us","basis_points":1000,"rule":"contributors"}]}`
	if code, _ = read(client.PostForm(page, url.Values{"csrf": {csrfOf(t, client, page)}, "policy": {good}})); code != http.StatusSeeOther {
		t.Errorf("a good policy: %d", code)
	}
	if p, _ := node.DB.ValuePolicy(ctx, "design:"+d.ID); p == nil || p.Name != "mine" || p.Version != 1 {
		t.Errorf("policy stored: %+v", p)
	}
	// A pledge of nonsense keeps the amount typed, its error beside it.
	task := &collab.Task{Title: "Stronger pin"}
	if err := node.People.AddTask(ctx, maker, d.Slug, task); err != nil {
		t.Fatal(err)
	}
	tp := srv.URL + "/tasks/" + task.ID
	code, body = read(client.PostForm(tp+"/pledges", url.Values{"csrf": {csrfOf(t, client, tp)}, "amount": {"12,3.4"}, "currency": {"EUR"}}))
	if code != 422 || !strings.Contains(body, `value="12,3.4"`) || !strings.Contains(body, `id="pledge-err"`) {
		t.Errorf("a wrong pledge: %d %s", code, body)
	}
	if code, _ = read(client.PostForm(tp+"/pledges", url.Values{"csrf": {csrfOf(t, client, tp)}, "amount": {"12.50"}, "currency": {"EUR"}})); code != http.StatusSeeOther {
		t.Errorf("a pledge: %d", code)
	}
	// The maintainer confirms the pledge from the task's ledger page.
	lp := srv.URL + "/ledger/" + url.PathEscape("task:"+task.ID)
	code, body = read(client.Get(lp))
	if code != 200 || !strings.Contains(body, "Confirm it") || !strings.Contains(body, "waiting for design:") {
		t.Fatalf("task ledger: %d %s", code, body)
	}
	gs, _ := node.DB.MoneyGroups(ctx, "task:"+task.ID, "", 0)
	if code, _ = read(client.PostForm(lp, url.Values{"csrf": {csrfOf(t, client, lp)}, "action": {"confirm"}, "id": {gs[0].ID}})); code != http.StatusSeeOther {
		t.Errorf("confirm: %d", code)
	}
	code, body = read(client.Get(tp))
	if code != 200 || !strings.Contains(body, "12.50 EUR held for whoever does it") {
		t.Errorf("task page after the pledge: %d %s", code, body)
	}
	// The fund's page takes gifts and says what went wrong.
	fp := srv.URL + "/ledger/" + url.PathEscape("fund@test.node")
	if res, err := client.Get(srv.URL + "/fund"); err != nil || res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/ledger/fund@test.node" {
		t.Errorf("/fund: %v %v", res, err)
	}
	code, body = read(client.Get(fp))
	if code != 200 || !strings.Contains(body, "commons fund of test.node") || !strings.Contains(body, "Record the gift") {
		t.Errorf("fund: %d", code)
	}
	code, body = read(client.PostForm(fp, url.Values{"csrf": {csrfOf(t, client, fp)}, "action": {"give"}, "amount": {"lots"}, "currency": {"EUR"}, "memo": {"for the lab"}}))
	if code != 422 || !strings.Contains(body, `value="lots"`) || !strings.Contains(body, `value="for the lab"`) {
		t.Errorf("a wrong gift: %d %s", code, body)
	}
}

// An operator records a payout to a person from the person's ledger
// page; a wrong amount comes back beside its field; the payee confirms.
func TestPayoutFromTheLedgerPage(t *testing.T) {
	ctx := context.Background()
	node := testnode.New(t)
	node.Demo(t, 0, true)
	h, _ := node.Handler(t, 0)
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := loggedIn(t, srv.URL) // "maker", the operator
	maker, _, _ := node.DB.UserByName(ctx, "maker")
	fs, _ := node.DB.Facilities(ctx)
	if err := node.DB.AddRole(ctx, "operator", fs[0].ID, maker.ID); err != nil {
		t.Fatal(err)
	}
	ws := "workshop:" + fs[0].ID + "@test.node"
	// The workshop owes fay 5.00 (a distribution, as a confirmed
	// payment leaves it).
	g := ledger.Group{ID: "g1", Kind: ledger.KindDistribution, Currency: "EUR", Rows: []ledger.Row{{Account: ws, Amount: -500}, {Account: "fay@test.node", Amount: 500}}, Created: time.Now()}
	if err := node.DB.AddMoney(ctx, &g); err != nil {
		t.Fatal(err)
	}
	page := srv.URL + "/ledger/fay@test.node"
	res, err := client.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), `<option value="`+ws+`"`) {
		t.Fatalf("no payout form for the operator: %s", b)
	}
	post := func(amount string) (int, string) {
		res, err := client.PostForm(page, url.Values{"csrf": {csrfOf(t, client, page)}, "action": {"payout"}, "payer": {ws}, "amount": {amount}, "currency": {"EUR"}, "memo": {"bank"}})
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := post("6.00"); code != 422 || !strings.Contains(body, "is owed 5.00 EUR") || !strings.Contains(body, `value="6.00"`) {
		t.Errorf("paying more than is owed: %d %s", code, body)
	}
	if code, _ := post("5.00"); code != http.StatusSeeOther {
		t.Errorf("payout: %d", code)
	}
	gs, _ := node.DB.MoneyGroups(ctx, "fay@test.node", "", 0)
	if len(gs) != 2 || gs[0].Kind != ledger.KindPayout || gs[0].Confirmer != "fay@test.node" || gs[0].Ref != ws || gs[0].Confirmed != nil {
		t.Errorf("payout recorded: %+v", gs)
	}
}
