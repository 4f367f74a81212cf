package plan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dgml/dgml/cost"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/synth"
)

// exact finds the optimum by exhaustive search: every set of sites, and
// within it every assignment (depth first, bounded by the cheapest
// options left). It maximises the parts assigned, then minimises cost.
func exact(p *problem) (assigned int, best float64) {
	n := len(p.req.Sites)
	best = math.Inf(1)
	assign := make([]int, len(p.options))
	for mask := 1; mask < 1<<n; mask++ {
		load := make([]float64, len(p.capacity))
		var dfs func(j, count int, cost float64)
		dfs = func(j, count int, c float64) {
			if j == len(assign) {
				t := p.total(assign)
				if count > assigned || (count == assigned && t < best) {
					assigned, best = count, t
				}
				return
			}
			// Bound: even assigning every remaining job cannot beat best.
			if count+len(assign)-j < assigned {
				return
			}
			for o, op := range p.options[j] {
				if mask&(1<<op.site) == 0 {
					continue
				}
				h := p.req.Jobs[j].Hours()
				if load[op.mid]+h > p.capacity[op.mid]+1e-9 {
					continue
				}
				load[op.mid] += h
				assign[j] = o
				dfs(j+1, count+1, c+op.cost)
				load[op.mid] -= h
			}
			assign[j] = -1
			dfs(j+1, count, c)
		}
		dfs(0, 0, 0)
	}
	return assigned, best
}

var processes = []design.Process{design.ProcessFDM, design.ProcessLaserCutting, design.ProcessCNCMilling, design.ProcessPCBAssembly}
var materials = map[design.Process][]string{
	design.ProcessFDM: {"pla", "petg"}, design.ProcessLaserCutting: {"wood", "acrylic"},
	design.ProcessCNCMilling: {"wood", "aluminium"}, design.ProcessPCBAssembly: {""},
}

// instance makes a small random planning problem.
func instance(r *rand.Rand, jobs, sites int) *Request {
	req := &Request{Factors: cost.Default()}
	if r.IntN(3) == 0 {
		req.DeadlineHours = float64(24 + r.IntN(120))
	}
	for s := 0; s < sites; s++ {
		f := &facility.Facility{ID: fmt.Sprint(s), Name: fmt.Sprintf("site %d", s), Country: []string{"GR", "DE", "FR"}[r.IntN(3)]}
		for m := 0; m < 1+r.IntN(3); m++ {
			p := processes[r.IntN(len(processes))]
			f.Machines = append(f.Machines, facility.Machine{
				ID: fmt.Sprintf("%d-%d", s, m), Process: p, Materials: materials[p][:1+r.IntN(len(materials[p]))],
				Envelope:   design.Dimensions{X: float64(100 + r.IntN(300)), Y: float64(100 + r.IntN(300)), Z: float64(50 + r.IntN(250))},
				HourlyRate: float64(2 + r.IntN(40)), SetupFee: float64(r.IntN(15)), CapacityHours: float64(2 + r.IntN(30)),
			})
		}
		req.Sites = append(req.Sites, Site{Facility: f, Km: 0.5 + r.Float64()*60})
	}
	for j := 0; j < jobs; j++ {
		p := processes[r.IntN(len(processes))]
		req.Jobs = append(req.Jobs, Job{
			Part: fmt.Sprintf("part %d", j), Quantity: float64(1 + r.IntN(4)), Process: p, Material: materials[p][r.IntN(len(materials[p]))],
			Size:         &design.Dimensions{X: float64(10 + r.IntN(300)), Y: float64(10 + r.IntN(200)), Z: float64(2 + r.IntN(150))},
			HoursPerUnit: 0.1 + r.Float64()*3, KgPerUnit: 0.01 + r.Float64()*0.3,
		})
	}
	return req
}

// On small instances (up to 12 parts and 8 facilities) the planner must
// come within 5% of the exact optimum, every time: planning on cost
// alone, and with lead time weighed at 10 and at 60 EUR a day.
func TestPlannerNearOptimal(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 7))
	var gaps []float64
	for i := 0; i < 400; i++ {
		jobs, sites := 2+r.IntN(11), 2+r.IntN(7)
		if i%10 == 0 {
			jobs, sites = 12, 8
		}
		req := instance(r, jobs, sites)
		tv := []float64{0, 10, 60}[i%3]
		req.TimeValuePerDay = &tv
		p := prepare(req)
		wantN, want := exact(p)
		got := prepare(req)
		assign := got.solve()
		n := 0
		for _, o := range assign {
			if o >= 0 {
				n++
			}
		}
		if n != wantN {
			t.Errorf("instance %d: %d parts assigned, the optimum assigns %d", i, n, wantN)
			continue
		}
		possible := 0
		for _, os := range p.options {
			if len(os) > 0 {
				possible++
			}
		}
		// Costs compare only between complete plans: when capacity leaves
		// some parts out, different choices leave different parts out.
		if wantN == 0 || wantN < possible {
			continue
		}
		gap := (got.total(assign) - want) / want
		gaps = append(gaps, gap)
		if gap > 0.05 {
			t.Errorf("instance %d (%d parts, %d sites, time at %g EUR/day): %.2f EUR against the optimum %.2f (%.1f%%)", i, jobs, sites, tv, got.total(assign), want, gap*100)
		}
		if gap < -1e-9 {
			t.Fatalf("instance %d: the planner beat the exhaustive search: the search is wrong", i)
		}
	}
	sort.Float64s(gaps)
	t.Logf("%d instances: median gap %.3f%%, worst %.3f%%", len(gaps), gaps[len(gaps)/2]*100, gaps[len(gaps)-1]*100)
}

func TestPlanExplains(t *testing.T) {
	f := &facility.Facility{ID: "a", Name: "Athens Fab Lab", Country: "GR", Location: geo.Point{Lat: 37.98, Lon: 23.73}, Machines: []facility.Machine{
		{ID: "p", Process: design.ProcessFDM, Envelope: design.Dimensions{X: 200, Y: 200, Z: 200}, Materials: []string{"pla"}},
	}}
	req := &Request{Factors: cost.Default(), Sites: []Site{{Facility: f, Km: 3}}, Jobs: []Job{
		{Part: "bracket", Quantity: 2, Process: design.ProcessFDM, Material: "PLA", Size: &design.Dimensions{X: 50, Y: 40, Z: 10}, HoursPerUnit: 1, KgPerUnit: 0.02},
		{Part: "panel", Quantity: 1, Process: design.ProcessLaserCutting, Material: "wood", HoursPerUnit: 0.2, KgPerUnit: 0.3},
		{Part: "frame", Quantity: 1, Process: design.ProcessFDM, Material: "pla", Size: &design.Dimensions{X: 300, Y: 50, Z: 10}, HoursPerUnit: 5, KgPerUnit: 0.1},
		{Part: "gasket", Quantity: 1, Process: design.ProcessFDM, Material: "tpu", Size: &design.Dimensions{X: 30, Y: 30, Z: 2}, HoursPerUnit: 0.5, KgPerUnit: 0.01},
	}}
	plan := Make(req)
	if len(plan.Assignments) != 1 || plan.Assignments[0].Part != "bracket" || len(plan.Unmatched) != 3 {
		t.Fatalf("%+v", plan)
	}
	reasons := map[string]string{}
	for _, u := range plan.Unmatched {
		reasons[u.Part] = u.Reason
	}
	if reasons["panel"] != "no facility within reach offers laser-cutting" ||
		reasons["frame"] != "too big for every 3d-printing-fdm envelope within reach (300×50×10 mm)" ||
		reasons["gasket"] != "no 3d-printing-fdm machine within reach works tpu" {
		t.Errorf("reasons: %v", reasons)
	}
	a := plan.Assignments[0]
	// Defaults: 3 EUR/h, 2 EUR setup, PLA 25 EUR/kg: 2 + 2*3 + 0.04*25 = 9.
	if math.Abs(a.CostEUR-9) > 1e-9 {
		t.Errorf("production cost %v", a.CostEUR)
	}
	// Electricity 2 h x 0.12 kW x 330 g/kWh + PLA 0.04 kg x 0.75.
	if math.Abs(a.CO2eKg-(2*0.12*0.330+0.04*0.75)) > 1e-9 {
		t.Errorf("footprint %v", a.CO2eKg)
	}
	pu := plan.Pickups[0]
	if pu.Mode != "cargo-bike" || pu.Why != "the only facility within reach that can make these 1 part(s)" || plan.Totals.Pickups != 1 {
		t.Errorf("pickup %+v", pu)
	}
	base := Baseline(cost.Default(), req.Jobs[:1], f.Location, 0)
	if len(base) != 2 || base[1].CO2eKg <= base[0].CO2eKg || base[1].LeadHours >= base[0].LeadHours {
		t.Errorf("air freight emits more and arrives sooner than sea: %+v", base)
	}
}

// BenchmarkPlan500x20k plans a 500-part design against a synthetic
// network of 20,000 facilities with 100,000 machines: the radius query,
// matching and the search.
func BenchmarkPlan500x20k(b *testing.B) {
	g := synth.New(9)
	network := g.Network(20000, 5.5)
	machines := 0
	pts := make([]geo.Point, len(network))
	for i := range network {
		machines += len(network[i].Machines)
		pts[i] = network[i].Location
	}
	t0 := time.Now()
	index := geo.NewIndex(pts)
	build := time.Since(t0)
	r := rand.New(rand.NewPCG(5, 5))
	var jobs []Job
	for j := 0; j < 500; j++ {
		p := processes[r.IntN(len(processes))]
		jobs = append(jobs, Job{Part: fmt.Sprint("part ", j), Quantity: float64(1 + r.IntN(3)), Process: p, Material: materials[p][r.IntN(len(materials[p]))],
			Size: &design.Dimensions{X: float64(10 + r.IntN(200)), Y: float64(10 + r.IntN(150)), Z: float64(2 + r.IntN(100))}, HoursPerUnit: 0.1 + r.Float64()*2, KgPerUnit: 0.05})
	}
	// The busiest place of the network: where its first facility is.
	user := network[0].Location
	f := cost.Default()
	var sites int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		hits := index.Within(user, 100)
		req := &Request{Factors: f, Jobs: jobs, DeadlineHours: 7 * 24}
		for _, h := range hits {
			req.Sites = append(req.Sites, Site{Facility: &network[h.ID], Km: h.Km})
		}
		sites = len(req.Sites)
		Make(req)
	}
	b.ReportMetric(float64(sites), "sites-in-100km")
	b.ReportMetric(float64(machines), "machines")
	b.ReportMetric(build.Seconds()*1000, "index-build-ms")
}

// A machine whose finished runs took longer than estimated costs more
// hours in the plan, and the plan says so; the other printer wins.
func TestLearnedTimeFactor(t *testing.T) {
	f := &facility.Facility{ID: "a", Name: "Lab", Location: geo.Point{Lat: 37.98, Lon: 23.73}, Machines: []facility.Machine{
		{ID: "slow", Process: design.ProcessFDM, HourlyRate: 3, TimeFactor: 1.5, TimeFactorJobs: 7},
		{ID: "fast", Process: design.ProcessFDM, HourlyRate: 4},
	}}
	job := Job{Part: "bracket", Quantity: 1, Process: design.ProcessFDM, Material: "pla", HoursPerUnit: 10, Basis: "mesh estimate"}
	p := Make(&Request{Factors: cost.Default(), Sites: []Site{{Facility: f, Km: 1}}, Jobs: []Job{job}})
	if len(p.Assignments) != 1 || p.Assignments[0].MachineID != "fast" || p.Assignments[0].Hours != 10 {
		t.Fatalf("10 h at 4/h beats 15 h at 3/h: %+v", p.Assignments)
	}
	f.Machines = f.Machines[:1]
	p = Make(&Request{Factors: cost.Default(), Sites: []Site{{Facility: f, Km: 1}}, Jobs: []Job{job}})
	a := p.Assignments[0]
	if a.Hours != 15 || !strings.Contains(a.Basis, "×1.50 from 7 finished runs") {
		t.Errorf("on the slow printer alone: %+v", a)
	}
}

// A workshop's rates in its own currency are compared in euros; a
// currency the factor table cannot convert counts as no rate stated.
func TestRatesInTheWorkshopsCurrency(t *testing.T) {
	f := cost.Default()
	j := &Job{Part: "p", Quantity: 1, Process: design.ProcessFDM, Material: "pla", HoursPerUnit: 2}
	m := &facility.Machine{Process: design.ProcessFDM, HourlyRate: 302, SetupFee: 151}
	eurKES, _ := production(f, &facility.Facility{Country: "KE", Currency: "KES"}, m, j)
	m2 := &facility.Machine{Process: design.ProcessFDM, HourlyRate: 2, SetupFee: 1}
	eurEUR, _ := production(f, &facility.Facility{Country: "KE"}, m2, j)
	if math.Abs(eurKES-eurEUR) > 1e-9 {
		t.Errorf("302 KES/h and 151 KES setup cost %v EUR; 2 EUR/h and 1 EUR setup %v", eurKES, eurEUR)
	}
	unknown, _ := production(f, &facility.Facility{Country: "KE", Currency: "XTS"}, m, j)
	pf := f.Process(design.ProcessFDM)
	if want := pf.SetupFee.Value + 2*pf.HourlyRate.Value; math.Abs(unknown-want) > 1e-9 {
		t.Errorf("an unknown currency: %v EUR, the defaults make %v", unknown, want)
	}
}

// A machine that lists no materials is asked first: planned only when no
// machine in reach says it works the material, and flagged then.
func TestUnlistedMaterialsAreAskedFirst(t *testing.T) {
	near := &facility.Facility{ID: "near", Name: "Near", Country: "GR", Machines: []facility.Machine{{ID: "n1", Process: design.ProcessFDM}}}
	far := &facility.Facility{ID: "far", Name: "Far", Country: "GR", Machines: []facility.Machine{{ID: "f1", Process: design.ProcessFDM, Materials: []string{"petg"}}}}
	req := &Request{Factors: cost.Default(), Sites: []Site{{Facility: near, Km: 1}, {Facility: far, Km: 30}}, Jobs: []Job{
		{Part: "clip", Quantity: 1, Process: design.ProcessFDM, Material: "petg", HoursPerUnit: 1, KgPerUnit: 0.01},
		{Part: "gear", Quantity: 1, Process: design.ProcessFDM, Material: "nylon", HoursPerUnit: 1, KgPerUnit: 0.01},
		{Part: "knob", Quantity: 1, Process: design.ProcessFDM, HoursPerUnit: 1, KgPerUnit: 0.01},
	}}
	got := map[string]Assignment{}
	for _, a := range Make(req).Assignments {
		got[a.Part] = a
	}
	if a := got["clip"]; a.FacilityID != "far" || a.AskFirst {
		t.Errorf("petg goes where petg is listed, farther but certain: %+v", a)
	}
	if a := got["gear"]; a.FacilityID != "near" || !a.AskFirst {
		t.Errorf("nylon, listed nowhere, goes to the unlisted machine, flagged: %+v", a)
	}
	if a := got["knob"]; a.AskFirst {
		t.Errorf("a part of no stated material asks nobody: %+v", a)
	}
}

func printers(id string, n int, rate float64) *facility.Facility {
	f := &facility.Facility{ID: id, Name: id, Country: "GR"}
	for i := 0; i < n; i++ {
		f.Machines = append(f.Machines, facility.Machine{ID: fmt.Sprintf("%s-%d", id, i), Process: design.ProcessFDM, Materials: []string{"pla"},
			Envelope: design.Dimensions{X: 250, Y: 210, Z: 210}, HourlyRate: rate, SetupFee: 1, CapacityHours: 40})
	}
	return f
}

func fdmJob(name string, qty, hours float64) Job {
	return Job{Part: name, Quantity: qty, Process: design.ProcessFDM, Material: "pla", HoursPerUnit: hours, KgPerUnit: 0.05}
}

// The peer's failure: all the work queued on one cheap printer for weeks
// while a workshop 200 m further has five. Planning on cost alone keeps
// that; a day of waiting valued at 10 EUR spreads the work.
func TestLeadTimeSpreadsWork(t *testing.T) {
	base := Request{Factors: cost.Default(), Sites: []Site{{Facility: printers("one", 1, 2), Km: 0.1}, {Facility: printers("five", 5, 2.5), Km: 0.3}}}
	for i := 0; i < 10; i++ {
		base.Jobs = append(base.Jobs, fdmJob(fmt.Sprintf("part %d", i), 1, 10))
	}
	zero, ten := 0.0, 10.0
	costOnly, weighed := base, base
	costOnly.TimeValuePerDay, weighed.TimeValuePerDay = &zero, &ten
	a, b := Make(&costOnly), Make(&weighed)
	if a.Totals.Pickups != 1 || a.Assignments[0].Facility != "one" {
		t.Fatalf("on cost alone the cheapest printer takes everything: %+v", a.Pickups)
	}
	days := func(p *Plan) float64 { return p.Totals.LeadHours / 24 }
	if days(a) < 15 || days(b) > days(a)/3 {
		t.Errorf("lead time: %.1f days on cost alone, %.1f weighed: the work did not spread", days(a), days(b))
	}
	if extra := b.Totals.CostEUR - a.Totals.CostEUR; extra <= 0 || extra > (days(a)-days(b))*ten {
		t.Errorf("spreading cost %.2f EUR more to save %.1f days", extra, days(a)-days(b))
	}
	if b.TimeValuePerDay != 10 {
		t.Errorf("the plan does not say what a day was weighed at: %v", b.TimeValuePerDay)
	}
}

// A line too long for any one machine before the deadline is split over
// machines at two workshops; every unit is placed once.
func TestSplitLineMeetsDeadline(t *testing.T) {
	req := &Request{Factors: cost.Default(), DeadlineHours: 5 * 24,
		Sites: []Site{{Facility: printers("a", 1, 3), Km: 2}, {Facility: printers("b", 2, 3), Km: 5}},
		Jobs:  []Job{fdmJob("clip", 50, 1), fdmJob("knob", 1, 2)}}
	p := Make(req)
	if len(p.Unmatched) != 0 {
		t.Fatalf("units left out: %+v", p.Unmatched)
	}
	clips := 0.0
	machines := map[string]bool{}
	for _, a := range p.Assignments {
		if a.Part != "clip" {
			continue
		}
		clips += a.Quantity
		if a.Of != 50 {
			t.Errorf("a split assignment does not say it is part of 50: %+v", a)
		}
		if machines[a.MachineID] {
			t.Errorf("two assignments of the line on one machine: %+v", p.Assignments)
		}
		machines[a.MachineID] = true
		if cap := 40 * 5.0 / 7; a.Hours > cap+1e-6 {
			t.Errorf("%s has %.1f h, more than its %.1f h before the deadline", a.MachineID, a.Hours, cap)
		}
	}
	if clips != 50 || len(machines) < 2 || p.Totals.Parts != 51 {
		t.Errorf("%v clips on %d machines, %v parts in all", clips, len(machines), p.Totals.Parts)
	}
	// Without the deadline and with time worth nothing, one machine and
	// one setup make the line.
	zero := 0.0
	req.DeadlineHours, req.TimeValuePerDay = 0, &zero
	for _, a := range Make(req).Assignments {
		if a.Part == "clip" && (a.Quantity != 50 || a.Of != 0) {
			t.Errorf("split without a reason: %+v", a)
		}
	}
}

// With no deadline, a long line at a workshop of five printers is spread
// over them when the days saved are worth more than the extra setups.
func TestSplitLineForLeadTime(t *testing.T) {
	ten := 10.0
	req := &Request{Factors: cost.Default(), TimeValuePerDay: &ten, Sites: []Site{{Facility: printers("farm", 5, 3), Km: 1}},
		Jobs: []Job{fdmJob("bracket", 40, 2)}}
	p := Make(req)
	if len(p.Assignments) < 4 {
		t.Fatalf("80 h on one of five printers: %+v", p.Assignments)
	}
	if days := p.Totals.LeadHours / 24; days > 3 {
		t.Errorf("ready in %.1f days", days)
	}
}
