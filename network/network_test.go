package network_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dgml/dgml/demo"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/internal/testnode"
	"github.com/dgml/dgml/network"
)

func demoNode(t *testing.T) *network.Service {
	ctx := context.Background()
	node := testnode.New(t)
	node.Demo(t, 2, false)
	s := node.Network
	if n, err := s.Import(ctx, nil, demo.Network()); err != nil || len(n.Added) != 14 {
		t.Fatalf("demo network: %+v %v", n, err)
	}
	if n, _ := s.Import(ctx, nil, demo.Network()); len(n.Added) != 0 || len(n.Skipped) != 14 {
		t.Errorf("importing the same facilities again must add none, added %d", len(n.Added))
	}
	return s
}

var athens = geo.Point{Lat: 37.9838, Lon: 23.7275}

// changePrinter commits a new revision of the demo printer, changed by
// edit, and returns the design and the content committed.
func changePrinter(t *testing.T, s *network.Service, edit func(*design.Content)) (*design.Design, design.Content) {
	t.Helper()
	ctx := context.Background()
	d, rev, err := s.Commons.Head(ctx, "reprap-mendel-style-3d-printer-demo")
	if err != nil {
		t.Fatal(err)
	}
	c := rev.Content
	edit(&c)
	if _, _, err := s.Commons.Store.Commit(ctx, design.CommitRequest{DesignID: d.ID, Content: c}); err != nil {
		t.Fatal(err)
	}
	return d, c
}

// The demo printer near Athens must get a complete plan.
func TestDemoPrinterNearAthens(t *testing.T) {
	s := demoNode(t)
	r, err := s.Plan(context.Background(), network.PlanRequest{Design: "reprap-mendel-style-3d-printer-demo", Near: athens, RadiusKm: 30})
	if err != nil {
		t.Fatal(err)
	}
	// Ten printed parts, and the assembly the design lists as a process,
	// at a workshop with an assembly bench.
	if len(r.Unmatched) != 0 || len(r.Assignments) != 11 || len(r.Bought) != 14 {
		t.Fatalf("incomplete plan: %d made, %v unmatched, %d bought", len(r.Assignments), r.Unmatched, len(r.Bought))
	}
	asm := r.Assignments[len(r.Assignments)-1]
	if asm.Part != "Mechanical assembly (whole design)" || asm.Process != design.ProcessAssembly || asm.Hours != 1 || !strings.HasPrefix(asm.Basis, "assumed: 1 h per unit") {
		t.Errorf("the assembly step: %+v", asm)
	}
	for _, a := range r.Assignments {
		if a.Km > 30 || a.CostEUR <= 0 || a.Hours <= 0 {
			t.Errorf("%+v", a)
		}
		if a.Process == design.ProcessFDM && a.Basis != "estimated from the part's mesh (3d-printing-fdm)" {
			t.Errorf("%s: printed parts have meshes, so their time comes from the FDM estimate: %s", a.Part, a.Basis)
		}
	}
	if r.Totals.CO2eKg <= 0 || r.Totals.LeadHours <= 0 || len(r.Baseline) != 2 || len(r.Pickups) == 0 {
		t.Errorf("totals %+v, baseline %+v", r.Totals, r.Baseline)
	}
	// Two printers cost more than one, and take longer on the same machines.
	r2, _ := s.Plan(context.Background(), network.PlanRequest{Design: "reprap-mendel-style-3d-printer-demo", Near: athens, RadiusKm: 30, Quantity: 2})
	if r2.Totals.CostEUR <= r.Totals.CostEUR || r2.Totals.LeadHours < r.Totals.LeadHours {
		t.Errorf("two printers: %+v against one: %+v", r2.Totals, r.Totals)
	}
}

// Parts a place cannot make say why and name the nearest facility that
// could.
func TestUnmatchedNamesTheNearestThatCould(t *testing.T) {
	s := demoNode(t)
	// The car needs welding: only variant-2 labs weld (Athens 3, Barcelona 3).
	r, err := s.Plan(context.Background(), network.PlanRequest{Design: "modular-commuter-car-wikispeed-style-demo", Near: geo.Point{Lat: -1.29, Lon: 36.82}, RadiusKm: 40})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, u := range r.Unmatched {
		if u.Process == design.ProcessWelding {
			found = true
			if u.Reason != "no facility within reach offers welding" || (u.Nearest != "Demo Fab Lab Athens 3" && u.Nearest != "Demo Fab Lab Barcelona 3") || u.NearestKm < 1000 {
				t.Errorf("welding near Nairobi: %+v", u)
			}
		}
	}
	if !found {
		t.Errorf("the frame rails cannot be welded near Nairobi: %+v", r.Unmatched)
	}
	// The 1200x800 mm body panels fit the CNC routers; the honeycomb
	// block (600 x 300 x 200) is too tall for their 152 mm Z.
	for _, u := range r.Unmatched {
		if u.Part == "Crush structure / Aluminium honeycomb block" && u.Reason[:7] != "too big" {
			t.Errorf("honeycomb: %+v", u)
		}
	}
}

func TestNear(t *testing.T) {
	s := demoNode(t)
	hits, err := s.Near(context.Background(), network.Query{Near: athens, RadiusKm: 20, Process: design.ProcessCNCMilling})
	if err != nil {
		t.Fatal(err)
	}
	// Athens 1 and 3 have routers; 2 does not.
	if len(hits) != 2 || hits[0].Km > hits[1].Km {
		t.Fatalf("%+v", hits)
	}
	for _, h := range hits {
		if h.Facility.City != "Athens" || len(h.Machines) != 1 || h.Machines[0].Process != design.ProcessCNCMilling {
			t.Errorf("%+v", h)
		}
	}
}

// A Peer Production License design may be made commercially only by
// worker-owned businesses: other commercial services are left out.
func TestLicenseConditionsNarrowThePlan(t *testing.T) {
	s := demoNode(t)
	ctx := context.Background()
	d, _ := changePrinter(t, s, func(c *design.Content) { c.Manifest.License = "LicenseRef-PPL" })
	// Athens 2 is the commercial demo lab; make Athens 1 and 3 commercial
	// too, one of them worker-owned.
	for slug, own := range map[string]string{"demo-fab-lab-athens-1": "", "demo-fab-lab-athens-3": "cooperative"} {
		f, err := s.Store.Facility(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		f.Access, f.Ownership = "commercial", own
		if err := s.Store.UpdateFacility(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	r, err := s.Plan(ctx, network.PlanRequest{Design: d.Slug, Near: athens, RadiusKm: 30})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.LicenseNotes) != 1 || !strings.Contains(r.LicenseNotes[0], "worker-owned") || !strings.Contains(r.LicenseNotes[0], "2 facilities") {
		t.Errorf("notes: %v", r.LicenseNotes)
	}
	for _, a := range r.Assignments {
		if a.Facility != "Demo Fab Lab Athens 3" {
			t.Errorf("%s planned at %s, which is not worker-owned", a.Part, a.Facility)
		}
	}
}

// facilities near follows the planner's material rule: machines that
// list the material; only when none in reach does, those that list
// none, flagged.
func TestNearAsksFirstLikeThePlanner(t *testing.T) {
	s := demoNode(t)
	shed := facility.Facility{Name: "Garden shed printer", Location: geo.Point{Lat: 37.99, Lon: 23.73}, Country: "GR",
		Machines: []facility.Machine{{Process: design.ProcessFDM, Make: "Ender", Model: "3"}}}
	if _, err := s.Import(context.Background(), nil, []facility.Facility{shed}); err != nil {
		t.Fatal(err)
	}
	hits, err := s.Near(context.Background(), network.Query{Near: athens, RadiusKm: 30, Process: design.ProcessFDM, Material: "PLA"})
	if err != nil || len(hits) == 0 {
		t.Fatalf("%+v %v", hits, err)
	}
	for _, h := range hits {
		for _, m := range h.Machines {
			if h.AskFirst || len(m.Materials) == 0 {
				t.Errorf("PLA is listed near Athens, yet %s's %s (materials %v) is offered", h.Facility.Name, m.Label(), m.Materials)
			}
		}
	}
	hits, err = s.Near(context.Background(), network.Query{Near: athens, RadiusKm: 30, Process: design.ProcessFDM, Material: "unobtainium"})
	if err != nil || len(hits) != 1 || hits[0].Facility.Name != "Garden shed printer" {
		t.Fatalf("a material nobody lists: %+v %v", hits, err)
	}
	for _, h := range hits {
		for _, m := range h.Machines {
			if !h.AskFirst || len(m.Materials) != 0 {
				t.Errorf("a material nobody lists: %s's %s (materials %v), ask first %v", h.Facility.Name, m.Label(), m.Materials, h.AskFirst)
			}
		}
	}
}

// A design that lists processes and no parts (as the peer's manifests
// do) still gets a plan of its processes; a step no workshop in reach
// offers is said, not dropped.
func TestProcessesWithoutParts(t *testing.T) {
	s := demoNode(t)
	ctx := context.Background()
	d, c := changePrinter(t, s, func(c *design.Content) {
		c.Parts = nil
		c.Manifest.Processes = []design.Process{design.ProcessLaserCutting, design.ProcessAssembly, design.ProcessFinishing}
	})
	r, err := s.Plan(ctx, network.PlanRequest{Design: d.Slug, Near: athens, RadiusKm: 30, Quantity: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := map[design.Process]float64{}
	for _, a := range r.Assignments {
		got[a.Process] = a.Quantity
		if a.CostEUR <= 0 || a.Hours <= 0 {
			t.Errorf("a step planned for nothing: %+v", a)
		}
	}
	if got[design.ProcessLaserCutting] != 3 || got[design.ProcessAssembly] != 3 || r.Totals.CostEUR <= 0 {
		t.Errorf("planned %v, totals %+v", got, r.Totals)
	}
	if len(r.Unmatched) != 1 || r.Unmatched[0].Part != "Post-processing and finishing (whole design)" ||
		r.Unmatched[0].Reason != "no facility within reach offers finishing" {
		t.Errorf("finishing, which no demo workshop offers: %+v", r.Unmatched)
	}
	// With parts, a making process they do not name is not a second,
	// whole-design line; a step still is.
	c.Parts = []design.Part{{Name: "Frame", Kind: design.KindPart, Quantity: 1}}
	c.Manifest.Processes = []design.Process{design.ProcessFDM, design.ProcessAssembly}
	if _, _, err := s.Commons.Store.Commit(ctx, design.CommitRequest{DesignID: d.ID, Content: c}); err != nil {
		t.Fatal(err)
	}
	r, err = s.Plan(ctx, network.PlanRequest{Design: d.Slug, Near: athens, RadiusKm: 30})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, j := range r.Jobs {
		lines = append(lines, j.Part)
	}
	if strings.Join(lines, ",") != "Frame,Mechanical assembly (whole design)" {
		t.Errorf("lines: %v", lines)
	}
}
