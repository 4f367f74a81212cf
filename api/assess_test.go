package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/dgml/dgml/demo"
)

const hinge = `name = "Hinge"
function = "A printable door hinge"
license = "CERN-OHL-S-2.0"
documentation-language = ["en", "fr"]

[[part]]
name = "Leaf"
tsdc = "3DP"
material = "PETG"
quantity = 2

[[step]]
title = "Print"
text = "Print both leaves flat."

[[step]]
title = "Join"
text = "Push the pin through both leaves."
`

func jsonOf(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("bad JSON %q: %v", body, err)
	}
	return m
}

func TestMaturityAttestationsAndVotes(t *testing.T) {
	n := newNode(t)
	ana, bob, cy := n.user(t, "ana"), n.user(t, "bob"), n.user(t, "cy")
	// This node lets every account's review count; the standing policy
	// has its own test.
	if err := n.db.PutSetting(context.Background(), "standing", `{"min_account_days": 0, "min_contributions": 0}`); err != nil {
		t.Fatal(err)
	}
	if code, body := n.as(t, ana, "POST", "/api/v1/designs", "application/toml", hinge); code != 201 {
		t.Fatalf("import: %d %s", code, body)
	}
	_, body := n.as(t, "", "GET", "/api/v1/designs/hinge/maturity", "", "")
	m := jsonOf(t, body)["maturity"].(map[string]any)
	crit := map[string]map[string]any{}
	for _, c := range m["criteria"].([]any) {
		c := c.(map[string]any)
		crit[c["id"].(string)] = c
	}
	if crit["license"]["met"] != true || crit["steps"]["met"] != true {
		t.Errorf("license and steps should be met: %s", body)
	}
	if crit["exports"]["met"] != false || !strings.Contains(fmt.Sprint(crit["exports"]["missing"]), "Leaf") {
		t.Errorf("exports: the leaf has no file for the printer: %v", crit["exports"])
	}
	if crit["readiness"]["met"] != false || crit["readiness"]["evidence"] == "" {
		t.Errorf("readiness: %v", crit["readiness"])
	}

	attest := func(tok, note string, holds bool) (int, string) {
		return n.as(t, tok, "POST", "/api/v1/designs/hinge/attestations", "application/json", fmt.Sprintf(`{"holds": %v, "note": %q}`, holds, note))
	}
	if code, body := attest(bob, "", true); code != 422 || !strings.Contains(body, `"field":"note"`) {
		t.Errorf("attestation without a note: %d %s", code, body)
	}
	if code, _ := attest("", "printed it", true); code != 401 {
		t.Errorf("anonymous attestation: %d", code)
	}
	attest(ana, "I wrote it, it is fine", true)
	attest(bob, "printed both leaves from the docs alone", true)
	_, body = n.as(t, "", "GET", "/api/v1/designs/hinge/maturity", "", "")
	m = jsonOf(t, body)["maturity"].(map[string]any)
	if m["attested"] != false || m["independent_reviewers"] != 1.0 {
		t.Errorf("the author's own attestation must not count: %s", body)
	}
	attest(cy, "followed the steps; the pin size is missing but guessable", true)
	_, body = n.as(t, "", "GET", "/api/v1/designs/hinge/maturity", "", "")
	m = jsonOf(t, body)["maturity"].(map[string]any)
	if m["attested"] != true || m["independent_reviewers"] != 2.0 || len(m["attestations"].([]any)) != 3 {
		t.Errorf("two independent reviewers attest: %s", body)
	}

	for _, bad := range []string{`{"scale": "otrl", "level": 5}`, `{"scale": "otrl", "level": 9, "reason": "x"}`, `{"scale": "trl", "level": 3, "reason": "x"}`} {
		if code, body := n.as(t, bob, "POST", "/api/v1/designs/hinge/votes", "application/json", bad); code != 422 {
			t.Errorf("vote %s: %d %s", bad, code, body)
		}
	}
	n.as(t, bob, "POST", "/api/v1/designs/hinge/votes", "application/json", `{"scale": "otrl", "level": 5, "reason": "built and used on two doors"}`)
	n.as(t, cy, "POST", "/api/v1/designs/hinge/votes", "application/json", `{"scale": "otrl", "level": 3, "reason": "only a prototype so far"}`)
	n.as(t, cy, "POST", "/api/v1/designs/hinge/votes", "application/json", `{"scale": "otrl", "level": 4, "reason": "changed my mind after printing it"}`)
	_, body = n.as(t, "", "GET", "/api/v1/designs/hinge/maturity", "", "")
	otrl := jsonOf(t, body)["maturity"].(map[string]any)["readiness"].(map[string]any)["otrl"].(map[string]any)
	if len(otrl["votes"].([]any)) != 2 || otrl["median"] != 4.0 || !strings.Contains(body, "changed my mind") {
		t.Errorf("otrl: a later vote replaces the voter's earlier one; median of 4 and 5 is 4: %v", otrl)
	}

	// A new revision: the attestations were of the old one.
	old := jsonOf(t, body)["maturity"].(map[string]any)["revision"].(string)
	if code, body := n.as(t, ana, "POST", "/api/v1/designs?into=hinge", "application/toml", strings.Replace(hinge, "flat.", "flat, 20% infill.", 1)); code != 201 {
		t.Fatalf("new revision: %d %s", code, body)
	}
	_, body = n.as(t, "", "GET", "/api/v1/designs/hinge/maturity", "", "")
	m = jsonOf(t, body)["maturity"].(map[string]any)
	if m["attested"] != false || m["older_attestations"] != 3.0 || m["revision"] == old {
		t.Errorf("a new revision starts unattested: %s", body)
	}
	_, body = n.as(t, "", "GET", "/api/v1/designs/hinge/maturity?revision="+old, "", "")
	if jsonOf(t, body)["maturity"].(map[string]any)["attested"] != true {
		t.Errorf("the old revision stays attested: %s", body)
	}
	if code, _ := n.as(t, "", "GET", "/api/v1/designs/hinge/maturity?revision=0123456789abcdef", "", ""); code != 404 {
		t.Errorf("a revision of no design: %d", code)
	}
}

func pngBytes(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReportsFeedFiguresAndPlanner(t *testing.T) {
	n := newNode(t)
	ana, bob := n.user(t, "ana"), n.user(t, "bob")
	n.as(t, ana, "POST", "/api/v1/designs", "application/toml", hinge)
	lab := demo.Network()[0]
	if err := n.db.CreateFacility(context.Background(), &lab); err != nil {
		t.Fatal(err)
	}
	near := fmt.Sprintf("?near=%f,%f", lab.Location.Lat, lab.Location.Lon)
	_, body := n.as(t, "", "GET", "/api/v1/designs/hinge/plan"+near, "", "")
	if strings.Contains(body, "measured") {
		t.Fatalf("no reports yet, but: %s", body)
	}

	report := func(tok, js string) (int, string) {
		return n.as(t, tok, "POST", "/api/v1/designs/hinge/reports", "application/json", js)
	}
	if code, body := report(bob, `{"part": "Hinge pin", "place": "Lyon, FR"}`); code != 422 || !strings.Contains(body, `"field":"part"`) {
		t.Errorf("report of a part the design lacks: %d %s", code, body)
	}
	if code, body := report(bob, `{"place": ""}`); code != 422 || !strings.Contains(body, `"field":"place"`) {
		t.Errorf("report without a place: %d %s", code, body)
	}
	if code, _ := report("", `{"place": "Lyon, FR", "success": true}`); code != 401 {
		t.Errorf("anonymous report: %d", code)
	}
	if code, body := report(bob, `{"part": "leaf", "place": "Lyon, FR", "quantity": 2, "hours": 3, "material_g": 40, "success": true}`); code != 201 || !strings.Contains(body, `"process": "3d-printing-fdm"`) || !strings.Contains(body, `"part": "Leaf"`) {
		t.Errorf("part report: %d %s", code, body)
	}
	report(bob, `{"place": "Lyon, FR", "cost_eur": 12, "hours": 4, "success": true}`)
	report(ana, `{"place": "Athens, GR", "cost_eur": 30, "success": false, "notes": "the pin snapped"}`)

	// A report with a photo, as a form; a text file is no photo.
	form := func(photo []byte, name string) (int, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("report", `{"place": "Pune, IN", "cost_eur": 8, "hours": 2, "success": true}`)
		w, _ := mw.CreateFormFile("photo", name)
		w.Write(photo)
		mw.Close()
		return n.as(t, bob, "POST", "/api/v1/designs/hinge/reports", mw.FormDataContentType(), buf.String())
	}
	if code, body := form([]byte("not an image"), "notes.txt"); code != 422 || !strings.Contains(body, "notes.txt") {
		t.Errorf("text as a photo: %d %s", code, body)
	}
	code, body := form(pngBytes(t), "hinge.png")
	if code != 201 {
		t.Fatalf("report with a photo: %d %s", code, body)
	}
	photo := jsonOf(t, body)["photos"].([]any)[0].(string)
	if code, _ := n.as(t, "", "GET", "/api/v1/files/"+photo, "", ""); code != 200 {
		t.Errorf("the photo is not served: %d", code)
	}

	_, body = n.as(t, "", "GET", "/api/v1/designs/hinge/reports", "", "")
	f := jsonOf(t, body)
	if f["times_built"] != 2.0 || f["failures"] != 1.0 || f["part_reports"] != 1.0 || f["median_cost_eur"] != 10.0 || f["median_hours"] != 3.0 {
		t.Errorf("figures: %s", body)
	}
	if rate := f["success_rate"].(float64); rate < 0.66 || rate > 0.67 {
		t.Errorf("success rate %v, want 2 of 3", rate)
	}
	if len(f["places"].([]any)) != 3 || len(f["items"].([]any)) != 4 {
		t.Errorf("places and items: %s", body)
	}

	_, body = n.as(t, "", "GET", "/api/v1/designs/hinge/plan"+near, "", "")
	var plan struct {
		Jobs []struct {
			Part         string  `json:"part"`
			HoursPerUnit float64 `json:"hours_per_unit"`
			KgPerUnit    float64 `json:"kg_per_unit"`
			Basis        string  `json:"basis"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal([]byte(body), &plan); err != nil || len(plan.Jobs) != 1 {
		t.Fatalf("plan: %v %s", err, body)
	}
	j := plan.Jobs[0]
	if j.HoursPerUnit != 1.5 || j.KgPerUnit != 0.02 || !strings.Contains(j.Basis, "measured") || !strings.Contains(j.Basis, "1 replication report") {
		t.Errorf("the leaf's job should use the report (1.5 h, 20 g a unit) and say so: %+v", j)
	}
}

func TestTranslationsGoStale(t *testing.T) {
	n := newNode(t)
	ana, bob := n.user(t, "ana"), n.user(t, "bob")
	n.as(t, ana, "POST", "/api/v1/designs", "application/toml", hinge)
	tr := func(tok, js string) (int, string) {
		return n.as(t, tok, "POST", "/api/v1/designs/hinge/translations", "application/json", js)
	}
	if code, _ := tr("", `{"key": "step:1", "lang": "fr", "text": "Imprimer."}`); code != 401 {
		t.Errorf("anonymous translation: %d", code)
	}
	for _, bad := range []string{
		`{"key": "step:9", "lang": "fr", "text": "x"}`,
		`{"key": "step:1", "lang": "français", "text": "x"}`,
		`{"key": "step:1", "lang": "en", "text": "x"}`,
		`{"key": "step:1", "lang": "fr", "text": "  "}`,
	} {
		if code, body := tr(bob, bad); code != 422 {
			t.Errorf("%s: %d %s", bad, code, body)
		}
	}
	if code, body := tr(bob, `{"key": "step:1", "lang": "FR", "title": "Imprimer", "text": "Imprimer les deux ailes à plat."}`); code != 201 || !strings.Contains(body, `"source_revision"`) || !strings.Contains(body, `"lang": "fr"`) {
		t.Errorf("translation: %d %s", code, body)
	}
	tr(bob, `{"key": "name", "lang": "fr", "text": "Charnière"}`)

	texts := func() map[string]map[string]any {
		_, body := n.as(t, "", "GET", "/api/v1/designs/hinge/texts?lang=FR", "", "")
		out := map[string]map[string]any{}
		for _, x := range jsonOf(t, body)["texts"].([]any) {
			x := x.(map[string]any)
			out[x["key"].(string)] = x
		}
		out["_completeness"] = jsonOf(t, body)["completeness"].([]any)[0].(map[string]any)
		return out
	}
	got := texts()
	if got["step:1"]["lang"] != "fr" || got["step:1"]["text"] != "Imprimer les deux ailes à plat." || got["name"]["text"] != "Charnière" {
		t.Errorf("French texts: %v", got)
	}
	if got["step:2"]["lang"] != "en" || got["step:2"]["note"] == nil {
		t.Errorf("step 2 falls back to English and says so: %v", got["step:2"])
	}
	if c := got["_completeness"]; c["lang"] != "fr" || c["current"] != 2.0 || c["texts"] != 4.0 || c["percent"] != 50.0 {
		t.Errorf("completeness: %v", c)
	}

	// Bob may not adopt; Ana, who maintains it, writes the current French
	// step into a new revision, and it travels in the OKH export.
	if code, _ := n.as(t, bob, "POST", "/api/v1/designs/hinge/translations/adopt", "", ""); code != 403 {
		t.Errorf("bob adopts: %d", code)
	}
	if code, body := n.as(t, ana, "POST", "/api/v1/designs/hinge/translations/adopt", "", ""); code != 201 || !strings.Contains(body, "fr (1 steps)") {
		t.Errorf("adopt: %d %s", code, body)
	}
	if code, _ := n.as(t, ana, "POST", "/api/v1/designs/hinge/translations/adopt", "", ""); code != 409 {
		t.Errorf("adopting twice: %d", code)
	}
	_, export := n.as(t, "", "GET", "/api/v1/designs/hinge/export", "", "")
	if !strings.Contains(export, "Imprimer les deux ailes") {
		t.Errorf("the export lacks the adopted translation:\n%s", export)
	}
	if got := texts(); got["step:1"]["lang"] != "fr" {
		t.Errorf("adopting must not make the translation stale: %v", got["step:1"])
	}

	n.as(t, ana, "POST", "/api/v1/designs?into=hinge", "application/toml", strings.Replace(hinge, "flat.", "flat, 20% infill.", 1))
	got = texts()
	if got["step:1"]["lang"] != "en" || !strings.Contains(got["step:1"]["text"].(string), "20% infill") || !strings.Contains(fmt.Sprint(got["step:1"]["note"]), "out of date") {
		t.Errorf("step 1 changed: its translation is stale: %v", got["step:1"])
	}
	if c := got["_completeness"]; c["current"] != 1.0 || fmt.Sprint(c["stale"]) != "[step:1]" {
		t.Errorf("completeness after the change: %v", c)
	}
}

func TestAttributionAndLicenseChecks(t *testing.T) {
	n := newNode(t)
	ana, bob := n.user(t, "ana"), n.user(t, "bob")
	n.as(t, ana, "POST", "/api/v1/designs", "application/toml", strings.Replace(hinge, "license =", "contributors = [\"Ana Lima\"]\nlicense =", 1))
	_, body := n.as(t, "", "GET", "/api/v1/designs/hinge", "", "")
	hingeID := between(body, `"id": "`, `"`)

	door := func(lic string) string {
		return fmt.Sprintf("name = \"Door\"\nlicense = %q\n[[part]]\nname = \"Hinge\"\nquantity = 3\n[part.reuses]\ndesign = %q\n[[part.part]]\nname = \"Leaf\"\nquantity = 2\nmaterial = \"PETG\"\n", lic, hingeID)
	}
	code, body := n.as(t, bob, "POST", "/api/v1/designs", "application/toml", door("CERN-OHL-P-2.0"))
	if code != 422 || !strings.Contains(body, "CERN-OHL-S-2.0") {
		t.Errorf("a permissive design may not take in a strongly reciprocal module: %d %s", code, body)
	}
	if code, body = n.as(t, bob, "POST", "/api/v1/designs", "application/toml", door("CERN-OHL-S-2.0")); code != 201 {
		t.Fatalf("door: %d %s", code, body)
	}
	code, body = n.as(t, bob, "POST", "/api/v1/designs/door/fork", "", "")
	if code != 201 {
		t.Fatalf("fork: %d %s", code, body)
	}
	fork := between(body, `"slug": "`, `"`)
	_, body = n.as(t, "", "GET", "/api/v1/designs/"+fork+"/attribution", "", "")
	var a struct {
		Credits []struct {
			Relation     string   `json:"relation"`
			Name         string   `json:"name"`
			License      string   `json:"license"`
			Contributors []string `json:"contributors"`
		} `json:"credits"`
	}
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, c := range a.Credits {
		rel = append(rel, c.Relation+" "+c.Name+" "+c.License+" "+strings.Join(c.Contributors, ","))
	}
	want := []string{
		"this design Door (bob's fork) CERN-OHL-S-2.0 bob@test.node",
		"forked from Door CERN-OHL-S-2.0 bob@test.node",
		`module "Hinge" reused from Hinge CERN-OHL-S-2.0 Ana Lima,ana@test.node`,
	}
	if strings.Join(rel, "\n") != strings.Join(want, "\n") {
		t.Errorf("credits:\n%s\nwant:\n%s", strings.Join(rel, "\n"), strings.Join(want, "\n"))
	}
	_, text := n.as(t, "", "GET", "/api/v1/designs/"+fork+"/attribution?format=text", "", "")
	if !strings.HasPrefix(text, "## Attribution") || !strings.Contains(text, "**Hinge**") || !strings.Contains(text, "Ana Lima") {
		t.Errorf("README text:\n%s", text)
	}

	_, body = n.as(t, "", "GET", "/api/v1/licenses/check?design=CERN-OHL-P-2.0&module=CERN-OHL-S-2.0", "", "")
	if v := jsonOf(t, body); v["result"] != "refuse" || v["reason"] == "" {
		t.Errorf("check: %s", body)
	}
	_, body = n.as(t, "", "GET", "/api/v1/licenses/check?design=LicenseRef-PPL&module=CC-BY-4.0", "", "")
	if !strings.Contains(body, "worker-owned") {
		t.Errorf("the PPL's condition: %s", body)
	}
	if code, _ := n.as(t, "", "GET", "/api/v1/licenses/check?design=MIT", "", ""); code != 422 {
		t.Errorf("check without a module: %d", code)
	}
}

// A fork may not move to a licence that cannot take in its parent, and a
// design may not take in a proposal under a licence it cannot incorporate.
func TestForkAndMergeRespectLicences(t *testing.T) {
	n := newNode(t)
	ana, bob := n.user(t, "ana"), n.user(t, "bob")
	stool := func(lic string, legs int) string {
		return fmt.Sprintf("name = \"Stool\"\nlicense = %q\n[[part]]\nname = \"leg\"\nquantity = %d\nmaterial = \"oak\"\n", lic, legs)
	}
	n.as(t, ana, "POST", "/api/v1/designs", "application/toml", stool("CC-BY-4.0", 3))
	_, body := n.as(t, bob, "POST", "/api/v1/designs/stool/fork", "", "")
	fork := between(body, `"slug": "`, `"`)
	code, body := n.as(t, bob, "POST", "/api/v1/designs?into="+fork, "application/toml", stool("CC0-1.0", 4))
	if code != 422 || !strings.Contains(body, "CC0-1.0") || !strings.Contains(body, "CC-BY-4.0") {
		t.Errorf("a fork may not drop the parent's attribution condition: %d %s", code, body)
	}
	_, body = n.as(t, "", "GET", "/api/v1/designs/"+fork, "", "")
	if !strings.Contains(body, `"revisions": 1`) {
		t.Errorf("the refused revision was stored: %s", body)
	}
	if code, body = n.as(t, bob, "POST", "/api/v1/designs?into="+fork, "application/toml", stool("CC-BY-NC-SA-4.0", 4)); code != 201 {
		t.Fatalf("a CC-BY work may be adapted under BY-NC-SA: %d %s", code, body)
	}
	code, body = n.as(t, bob, "POST", "/api/v1/designs/stool/proposals", "application/json", `{"from": "`+fork+`", "title": "four legs"}`)
	if code != 201 {
		t.Fatalf("propose: %d %s", code, body)
	}
	pid := between(body, `"id": "`, `"`)
	_, body = n.as(t, "", "GET", "/api/v1/proposals/"+pid, "", "")
	if !strings.Contains(body, "cannot be accepted as it stands") {
		t.Errorf("the proposal should carry the licence note at once: %s", body)
	}
	code, body = n.as(t, ana, "POST", "/api/v1/proposals/"+pid+"/accept", "", "")
	if code != 422 || !strings.Contains(body, "CC-BY-NC-SA-4.0") {
		t.Errorf("a CC-BY design may not take in non-commercial work: %d %s", code, body)
	}
	_, body = n.as(t, "", "GET", "/api/v1/designs/stool", "", "")
	if !strings.Contains(body, `"revisions": 1`) || !strings.Contains(body, "CC-BY-4.0") {
		t.Errorf("the design changed anyway: %s", body)
	}
}
