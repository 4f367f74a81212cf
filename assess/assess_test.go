package assess

import (
	"strings"
	"testing"

	"github.com/dgml/dgml/design"
)

func TestSummarise(t *testing.T) {
	rs := []Report{
		{Place: "Athens, GR", Quantity: 1, CostEUR: 300, Hours: 40, Success: true},
		{Place: "athens, gr", Quantity: 2, CostEUR: 500, Hours: 60, Success: true}, // 250 €, 30 h a unit
		{Place: "Lyon, FR", Quantity: 1, CostEUR: 900, Success: false},
		{Place: "Pune, IN", Part: "Frame", Process: design.ProcessWelding, Quantity: 1, Hours: 3, Success: true},
	}
	f := Summarise(rs)
	if f.TimesBuilt != 2 || f.Failures != 1 || f.PartReports != 1 || f.Reports != 4 {
		t.Errorf("counts = %+v", f)
	}
	if f.SuccessRate < 0.66 || f.SuccessRate > 0.67 {
		t.Errorf("success rate = %v, want 2/3", f.SuccessRate)
	}
	if f.MedianCostEUR != 275 || f.MedianHours != 35 {
		t.Errorf("medians = %v €, %v h; want 275 and 35 (per unit, successes only)", f.MedianCostEUR, f.MedianHours)
	}
	if strings.Join(f.Places, ";") != "Athens, GR;Lyon, FR;Pune, IN" {
		t.Errorf("places = %v", f.Places)
	}
}

func TestByPart(t *testing.T) {
	rs := []Report{
		{Part: "Frame / Corner", Process: design.ProcessFDM, Quantity: 4, Hours: 8, MaterialG: 200, Success: true},
		{Part: "Frame / Corner", Process: design.ProcessFDM, Quantity: 1, Hours: 3, Success: true},
		{Part: "Frame / Corner", Process: design.ProcessFDM, Quantity: 1, Hours: 90, Success: false},
		{Part: "Frame / Corner", Process: design.ProcessCNCMilling, Quantity: 1, Hours: 1, Success: true},
	}
	m := ByPart(rs)
	got := m[PartKey("Frame / Corner", design.ProcessFDM)]
	if got.Reports != 2 || got.Hours != 2.5 || got.MaterialG != 50 {
		t.Errorf("FDM corner = %+v, want 2 reports, 2.5 h and 50 g a unit", got)
	}
	if m[PartKey("Frame / Corner", design.ProcessCNCMilling)].Hours != 1 {
		t.Errorf("milling is a separate figure: %+v", m)
	}
}

func TestReportCheck(t *testing.T) {
	for _, r := range []Report{
		{Place: ""},
		{Place: "X", Hours: -1},
		{Place: "X", Process: "teleportation"},
	} {
		if err := r.Check(); err == nil {
			t.Errorf("%+v passed the check", r)
		}
	}
	r := Report{Place: " Kumasi, GH "}
	if err := r.Check(); err != nil || r.Quantity != 1 || r.Place != "Kumasi, GH" {
		t.Errorf("check = %v, %+v", err, r)
	}
}

func documented() *design.Revision {
	c := design.Content{
		Manifest: design.Manifest{Name: "Box", License: "CERN-OHL-S-2.0", OTRL: 5, ODRL: 3},
		Parts: []design.Part{
			{Name: "Lid", Kind: design.KindPart, Quantity: 1, Material: "PLA", Process: design.ProcessFDM,
				Sources: []design.FileRef{{Path: "lid.scad"}}, Exports: []design.FileRef{{Path: "lid.stl"}}},
			{Name: "Screw", Kind: design.KindBought, Quantity: 4, PartNumber: "ISO 7380 M3x8"},
		},
		Steps: []design.Step{{Text: "Screw the lid on."}},
	}
	return &design.Revision{ID: c.RevisionID(), Content: c}
}

func TestCheckMetAndMissing(t *testing.T) {
	rev := documented()
	for _, c := range Check(&rev.Content) {
		if !c.Met || c.Evidence == "" {
			t.Errorf("%s: met=%v evidence=%q, want met with evidence", c.ID, c.Met, c.Evidence)
		}
	}
	rev.Manifest.License = "CC-BY-NC-SA-4.0"
	rev.Manifest.ODRL = 0
	rev.Parts[0].Exports = nil
	rev.Parts[0].Sources = nil
	rev.Parts[1].PartNumber = ""
	rev.Steps = nil
	missing := map[string]string{}
	for _, c := range Check(&rev.Content) {
		if c.Met {
			t.Errorf("%s still met: %s", c.ID, c.Evidence)
		}
		missing[c.ID] = strings.Join(c.Missing, ";") + " | " + c.Evidence
	}
	for id, want := range map[string]string{"license": "CC-BY-NC-SA-4.0", "sources": "Lid", "exports": ".stl", "bom": "Screw", "steps": "steps", "readiness": "odrl"} {
		if !strings.Contains(missing[id], want) {
			t.Errorf("%s: %q does not name %q", id, missing[id], want)
		}
	}
}

func TestAssessNeedsTwoIndependentReviewersOfThisRevision(t *testing.T) {
	rev := documented()
	atts := []Attestation{
		{Revision: rev.ID, Reviewer: "ana@n", Holds: true},
		{Revision: rev.ID, Reviewer: "author@n", Holds: true}, // the author does not count
		{Revision: "older", Reviewer: "bo@n", Holds: true},    // another revision does not count
		{Revision: rev.ID, Reviewer: "cy@n", Holds: false},    // found wanting
	}
	all := map[string]Standing{}
	for _, who := range []string{"ana@n", "author@n", "bo@n", "cy@n", "dee@n"} {
		all[who] = Standing{Counts: true}
	}
	m := Assess(rev, []string{"author@n"}, atts, nil, all, DefaultStanding)
	if m.Attested || m.Independent != 1 || m.Older != 1 || len(m.Attestations) != 3 {
		t.Fatalf("maturity = %+v, want 1 independent reviewer, not attested", m)
	}
	atts = append(atts, Attestation{Revision: rev.ID, Reviewer: "dee@n", Holds: true})
	if m = Assess(rev, []string{"author@n"}, atts, nil, all, DefaultStanding); !m.Attested || m.Independent != 2 {
		t.Errorf("maturity = %+v, want attested by 2", m)
	}
	// Without standing on the node, the same two reviewers do not count.
	delete(all, "dee@n")
	if m = Assess(rev, []string{"author@n"}, atts, nil, all, DefaultStanding); m.Attested || m.Independent != 1 || m.Attestations[3].Standing.Counts {
		t.Errorf("maturity = %+v: a reviewer without standing must not count", m)
	}
	if m.Met != 6 || len(m.Criteria) != 6 {
		t.Errorf("criteria met = %d of %d", m.Met, len(m.Criteria))
	}
}

func TestAssessVotes(t *testing.T) {
	rev := documented()
	votes := []Vote{
		{Revision: rev.ID, Scale: "otrl", Level: 4, Reason: "a", Voter: "a@n"},
		{Revision: rev.ID, Scale: "otrl", Level: 6, Reason: "b", Voter: "b@n"},
		{Revision: rev.ID, Scale: "otrl", Level: 5, Reason: "c", Voter: "c@n"},
		{Revision: rev.ID, Scale: "otrl", Level: 7, Reason: "d", Voter: "d@n"},
		{Revision: rev.ID, Scale: "otrl", Level: 1, Reason: "a throwaway", Voter: "new@n"},
		{Revision: "older", Scale: "odrl", Level: 1, Reason: "e", Voter: "a@n"},
	}
	all := map[string]Standing{"a@n": {Counts: true}, "b@n": {Counts: true}, "c@n": {Counts: true}, "d@n": {Counts: true}}
	m := Assess(rev, nil, nil, votes, all, DefaultStanding)
	if l := m.Readiness["otrl"]; l.Median != 5 || len(l.Votes) != 5 || l.Declared != 5 {
		t.Errorf("otrl = %+v, want median 5 (the lower middle) of the 4 votes with standing, declared 5", l)
	}
	if l := m.Readiness["odrl"]; l.Median != 0 || len(l.Votes) != 0 || l.Declared != 3 {
		t.Errorf("odrl = %+v: votes on another revision must not count", l)
	}
}
