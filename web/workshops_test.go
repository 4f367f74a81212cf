package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dgml/dgml/internal/testnode"
)

func TestWorkshopRegisterEditWithdraw(t *testing.T) {
	node := testnode.New(t)
	h, _ := node.Handler(t, 0)
	base := serve(t, h)
	client := loggedIn(t, base)
	csrf := csrfOf(t, client, base+"/facilities/new")
	post := func(path string, v url.Values) (int, string, string) {
		t.Helper()
		v.Set("csrf", csrf)
		res, err := client.PostForm(base+path, v)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header.Get("Location")
	}
	form := url.Values{"machines": {"3"}, "name": {"Kibera Makers"}, "location": {"-1.3133,36.7872"}, "city": {"Nairobi"}, "country": {"ke"},
		"contact": {"call us maybe"}, "currency": {"KES"}, "access": {"public"}, "visibility": {"public"}, "share_machines": {"on"},
		"m0_process": {"3d-printing-fdm"}, "m0_make": {"Prusa"}, "m0_model": {"MK4"}, "m0_x": {"250"}, "m0_y": {"210"}, "m0_z": {"220"}, "m0_rate": {"450"}, "m0_capacity": {"200"}}
	code, body, _ := post("/facilities/new", form)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="contact-err"`) || !strings.Contains(body, `id="m0_capacity-err"`) {
		t.Fatalf("bad contact and a week of 200 hours: %d\n%s", code, body)
	}
	for _, want := range []string{`value="Kibera Makers"`, `value="call us maybe"`, `value="MK4"`, `value="KES"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lost %s", want)
		}
	}
	form.Set("contact", "+254 700 123456")
	form.Set("m0_capacity", "30")
	code, body, loc := post("/facilities/new", form)
	if code != http.StatusSeeOther || loc != "/facilities/kibera-makers" {
		t.Fatalf("register: %d %q\n%s", code, loc, body)
	}
	// The same name a few hundred metres away: asked first.
	form.Set("location", "-1.3150,36.7900")
	code, body, _ = post("/facilities/new", form)
	if code != http.StatusConflict || !strings.Contains(body, `id="duplicate"`) || !strings.Contains(body, `href="/facilities/kibera-makers"`) {
		t.Fatalf("a look-alike: %d\n%s", code, body)
	}
	form.Set("not_a_duplicate", "on")
	if code, _, loc = post("/facilities/new", form); code != http.StatusSeeOther || loc != "/facilities/kibera-makers-2" {
		t.Fatalf("a second workshop of that name, confirmed: %d %q", code, loc)
	}

	// Editing: the machines come back, "more machines" adds a row and
	// keeps what was typed, and saving keeps the machine's id.
	res, _ := client.Get(base + "/facilities/kibera-makers/edit")
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), `value="MK4"`) || !strings.Contains(string(b), `name="machines" value="2"`) {
		t.Fatalf("edit form: %d\n%s", res.StatusCode, b)
	}
	f0, err := node.Network.Store.Facility(context.Background(), "kibera-makers")
	if err != nil {
		t.Fatal(err)
	}
	edit := url.Values{"machines": {"2"}, "name": {"Kibera Makers"}, "location": {"-1.3133,36.7872"}, "city": {"Nairobi"}, "country": {"KE"},
		"contact": {"hello@kibera.example"}, "currency": {"KES"}, "access": {"public"}, "visibility": {"public"}, "share_machines": {"on"},
		"m0_id": {f0.Machines[0].ID}, "m0_process": {"3d-printing-fdm"}, "m0_make": {"Prusa"}, "m0_model": {"MK4S"}, "m0_rate": {"500"}, "m0_capacity": {"30"},
		"m1_process": {"laser-cutting"}, "m1_make": {"Epilog"}, "more": {"1"}}
	code, body, _ = post("/facilities/kibera-makers/edit", edit)
	if code != 200 || !strings.Contains(body, `name="machines" value="3"`) || !strings.Contains(body, `value="Epilog"`) || !strings.Contains(body, `value="MK4S"`) {
		t.Fatalf("more machines: %d\n%s", code, body)
	}
	edit.Del("more")
	edit.Set("machines", "3")
	edit.Set("m2_process", "cnc-milling")
	edit.Set("m2_x", "1220")
	code, body, loc = post("/facilities/kibera-makers/edit", edit)
	if code != http.StatusSeeOther || loc != "/facilities/kibera-makers?saved=1" {
		t.Fatalf("save: %d %q\n%s", code, loc, body)
	}
	f1, _ := node.Network.Store.Facility(context.Background(), "kibera-makers")
	if len(f1.Machines) != 3 || f1.Machines[0].ID != f0.Machines[0].ID || f1.Machines[0].Model != "MK4S" || f1.Currency != "KES" || f1.Contact != "hello@kibera.example" {
		t.Errorf("after editing: %+v", f1)
	}

	// Nobody else edits or withdraws it.
	other := signedUp(t, base, "stranger")
	res, _ = other.Get(base + "/facilities/kibera-makers/edit")
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a stranger's edit form: %d", res.StatusCode)
	}
	ocsrf := csrfOf(t, other, base+"/facilities/new")
	res, _ = other.PostForm(base+"/facilities/kibera-makers/withdraw", url.Values{"csrf": {ocsrf}, "confirm": {"on"}})
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a stranger withdraws: %d", res.StatusCode)
	}

	// Withdrawing asks for the tick, then the workshop goes.
	if code, body, _ = post("/facilities/kibera-makers/withdraw", url.Values{}); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="confirm-err"`) {
		t.Errorf("withdraw without the tick: %d", code)
	}
	if code, _, loc = post("/facilities/kibera-makers/withdraw", url.Values{"confirm": {"on"}}); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/facilities?withdrawn=") {
		t.Errorf("withdraw: %d %q", code, loc)
	}
	if _, err := node.Network.Store.Facility(context.Background(), "kibera-makers"); err == nil {
		t.Error("the workshop is still listed")
	}
}
