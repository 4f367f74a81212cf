package plan

import (
	"fmt"
	"math"
	"sort"

	"github.com/dgml/dgml/cost"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
)

// Plan is where each part is made, at what cost, by when and with what
// footprint, beside the industrial baseline.
type Plan struct {
	// TimeValuePerDay is what each day of lead time was weighed at, EUR.
	TimeValuePerDay float64      `json:"time_value_eur_per_day"`
	Assignments     []Assignment `json:"assignments"`
	Unmatched       []Unmatched  `json:"unmatched,omitempty"`
	Pickups         []Pickup     `json:"pickups"`
	Totals          Totals       `json:"totals"`
	Baseline        []Scenario   `json:"baseline"`
}

// Assignment is one part line made at one machine.
type Assignment struct {
	Part       string         `json:"part"`
	Quantity   float64        `json:"quantity"`
	Process    design.Process `json:"process"`
	Material   string         `json:"material,omitempty"`
	FacilityID string         `json:"facility_id"`
	Facility   string         `json:"facility"`
	MachineID  string         `json:"machine_id"`
	Machine    string         `json:"machine"`
	Km         float64        `json:"km"`
	Hours      float64        `json:"machine_hours"`
	Basis      string         `json:"estimate_basis"`
	CostEUR    float64        `json:"cost_eur"`    // setup, machine time and material
	CO2eKg     float64        `json:"co2e_kg"`     // material and electricity
	ReadyHours float64        `json:"ready_hours"` // from order to ready for pick-up
	// Of is the whole part line's quantity when the line is split over
	// several machines to be ready sooner or before the deadline; this
	// assignment makes Quantity of them.
	Of float64 `json:"of,omitempty"`
	// AskFirst: the machine lists no materials, so whether it takes this
	// one is the workshop's to confirm; chosen because no machine in
	// reach says it does.
	AskFirst bool `json:"ask_first,omitempty"`
}

// Unmatched is a part no machine within reach can make, and why.
type Unmatched struct {
	Part string `json:"part"`
	// Quantity is set when only some units of a split line are left.
	Quantity float64        `json:"quantity,omitempty"`
	Process  design.Process `json:"process"`
	Reason   string         `json:"reason"`
	// Nearest names the nearest facility anywhere that could, when the
	// caller found one.
	Nearest   string  `json:"nearest,omitempty"`
	NearestKm float64 `json:"nearest_km,omitempty"`
}

// Pickup is one facility's share: the trip that brings its parts.
type Pickup struct {
	FacilityID string    `json:"facility_id"`
	Facility   string    `json:"facility"`
	Location   geo.Point `json:"location"`
	Km         float64   `json:"road_km"`
	Mode       string    `json:"mode"`
	Parts      int       `json:"parts"`
	TripEUR    float64   `json:"trip_eur"`
	TripCO2eKg float64   `json:"trip_co2e_kg"`
	ReadyHours float64   `json:"ready_hours"`
	Why        string    `json:"why"`
}

// Totals add a plan up.
type Totals struct {
	CostEUR   float64 `json:"cost_eur"`
	CO2eKg    float64 `json:"co2e_kg"`
	LeadHours float64 `json:"lead_hours"`
	Parts     float64 `json:"parts"`
	Pickups   int     `json:"pickups"`
}

// Make plans a request.
func Make(req *Request) *Plan {
	p, assign, line := solveSplitting(req)
	whole := make([]float64, len(req.Jobs)) // each line's quantity
	split := make([]bool, len(req.Jobs))
	for j := range p.req.Jobs {
		whole[line[j]] += p.req.Jobs[j].Quantity
		split[line[j]] = split[line[j]] || p.req.Jobs[j].Quantity != req.Jobs[line[j]].Quantity
	}
	orig := req
	req = p.req
	out := &Plan{Assignments: []Assignment{}, Pickups: []Pickup{}, TimeValuePerDay: orig.TimeValue()}
	merged := map[[2]int]int{} // (line, mid) -> assignment, for chunks that meet again
	f := req.Factors
	type siteState struct {
		hours map[int]float64 // machine -> hours queued
		parts int
		kg    float64
		ready float64
	}
	sites := map[int]*siteState{}
	for j, o := range assign {
		job := &req.Jobs[j]
		if o < 0 {
			u := Unmatched{Part: job.Part, Process: job.Process, Reason: reason(req, job)}
			if split[line[j]] {
				u.Quantity = job.Quantity
			}
			out.Unmatched = append(out.Unmatched, u)
			continue
		}
		op := p.options[j][o]
		site := req.Sites[op.site]
		mc := site.Facility.Machines[op.machine]
		st := sites[op.site]
		if st == nil {
			st = &siteState{hours: map[int]float64{}}
			sites[op.site] = st
		}
		hours := job.Hours() * factor(&mc)
		st.hours[op.machine] += hours
		weekly := mc.CapacityHours
		if weekly == 0 {
			weekly = defaultWeeklyHours
		}
		ready := st.hours[op.machine] / (weekly * float64(max(mc.Quantity, 1))) * 7 * 24
		st.ready = math.Max(st.ready, ready)
		st.kg += job.Kg()
		out.Totals.Parts += job.Quantity
		if k, ok := merged[[2]int{line[j], op.mid}]; ok {
			// Two units of one split line on one machine are one job:
			// one setup, one pick-up count.
			a := &out.Assignments[k]
			both := *job
			both.Quantity = a.Quantity + job.Quantity
			c, e := production(req.Factors, site.Facility, &mc, &both)
			out.Totals.CostEUR += c - a.CostEUR
			out.Totals.CO2eKg += e - a.CO2eKg
			a.Quantity, a.Hours, a.CostEUR, a.CO2eKg, a.ReadyHours = both.Quantity, a.Hours+hours, c, e, ready
			continue
		}
		st.parts++
		a := Assignment{
			Part: job.Part, Quantity: job.Quantity, Process: job.Process, Material: job.Material,
			FacilityID: site.Facility.ID, Facility: site.Facility.Name, MachineID: mc.ID, Machine: machineLabel(mc.Make, mc.Model, mc.Process),
			Km: site.Km, Hours: hours, Basis: basis(job.Basis, &mc), CostEUR: op.cost, CO2eKg: op.co2e, ReadyHours: ready, AskFirst: op.askFirst,
		}
		if split[line[j]] {
			a.Of = whole[line[j]]
		}
		merged[[2]int{line[j], op.mid}] = len(out.Assignments)
		out.Assignments = append(out.Assignments, a)
		out.Totals.CostEUR += op.cost
		out.Totals.CO2eKg += op.co2e
	}
	idx := make([]int, 0, len(sites))
	for s := range sites {
		idx = append(idx, s)
	}
	sort.Ints(idx)
	for _, s := range idx {
		st, site := sites[s], req.Sites[s]
		mode := Mode(site.Km)
		road := site.Km * f.RoadDetour.Value
		pu := Pickup{
			FacilityID: site.Facility.ID, Facility: site.Facility.Name, Location: site.Facility.Location, Km: road, Mode: mode, Parts: st.parts,
			TripEUR:    p.siteCost[s],
			TripCO2eKg: st.kg / 1000 * road * f.Modes[mode].CO2ePerTkm.Value,
			ReadyHours: st.ready + f.HandlingHours.Value + road/f.Modes[mode].SpeedKmh.Value,
			Why:        p.why(assign, s),
		}
		out.Pickups = append(out.Pickups, pu)
		out.Totals.CostEUR += pu.TripEUR
		out.Totals.CO2eKg += pu.TripCO2eKg
		out.Totals.LeadHours = math.Max(out.Totals.LeadHours, pu.ReadyHours)
	}
	out.Totals.Pickups = len(out.Pickups)
	// The penalty for extra pick-ups steers the choice; it is not a cost
	// anyone pays, so the totals leave it out.
	return out
}

func machineLabel(make, model string, p design.Process) string {
	s := make
	if model != "" {
		if s != "" {
			s += " "
		}
		s += model
	}
	if s == "" {
		s = string(p)
	}
	return s
}

// why explains a site's choice: what it makes and what the next best
// option for those parts would cost.
func (p *problem) why(assign []int, site int) string {
	n, extra := 0, 0.0
	only := 0
	for j, o := range assign {
		if o < 0 || p.options[j][o].site != site {
			continue
		}
		n++
		next := math.Inf(1)
		for _, op := range p.options[j] {
			if op.site != site {
				next = math.Min(next, op.cost)
			}
		}
		if math.IsInf(next, 1) {
			only++
			continue
		}
		extra += next - p.options[j][o].cost
	}
	switch {
	case only == n:
		return fmt.Sprintf("the only facility within reach that can make these %d part(s)", n)
	case only > 0:
		return fmt.Sprintf("makes %d part(s), %d of which no other facility within reach can; elsewhere the rest would cost %.2f EUR more", n, only, extra)
	case extra > 0.005:
		return fmt.Sprintf("makes %d part(s) for %.2f EUR less than the next best facilities", n, extra)
	}
	return fmt.Sprintf("makes %d part(s) as cheaply as any other, and saves a pick-up", n)
}

// reason says why no site within reach can make a job.
func reason(req *Request, job *Job) string {
	process, fits := false, false
	for _, s := range req.Sites {
		for i := range s.Facility.Machines {
			m := &s.Facility.Machines[i]
			if m.Process != job.Process {
				continue
			}
			process = true
			if job.Size == nil || m.Fits(*job.Size) {
				fits = true
				if m.Works(job.Material) {
					return "every machine that could make it is fully booked before the deadline"
				}
			}
		}
	}
	switch {
	case !process:
		return fmt.Sprintf("no facility within reach offers %s", job.Process)
	case !fits:
		return fmt.Sprintf("too big for every %s envelope within reach (%.0f×%.0f×%.0f mm)", job.Process, job.Size.X, job.Size.Y, job.Size.Z)
	}
	return fmt.Sprintf("no %s machine within reach works %s", job.Process, job.Material)
}

// Scenario is the baseline: the same parts made in a central hub and
// shipped.
type Scenario struct {
	Name      string  `json:"name"`
	CostEUR   float64 `json:"cost_eur"`
	CO2eKg    float64 `json:"co2e_kg"`
	LeadHours float64 `json:"lead_hours"`
	Km        float64 `json:"km"`
}

// Baseline prices the industrial alternative for jobs going to the
// customer at to: made at the hub (unit price given per kg, or the
// factor table's), shipped by sea and road, or by air.
func Baseline(f *cost.Factors, jobs []Job, to geo.Point, unitPriceEUR float64) []Scenario {
	b := f.Baseline
	kg, units := 0.0, 0.0
	for i := range jobs {
		kg += jobs[i].Kg()
		units += jobs[i].Quantity
	}
	price := kg * b.PriceEURPerKg.Value
	if unitPriceEUR > 0 {
		price = unitPriceEUR * units
	}
	make := 0.0
	for i := range jobs {
		m, _ := f.Material(jobs[i].Material)
		make += jobs[i].Kg() * m.CO2ePerKg.Value
	}
	make += kg * b.EnergyKWhPerKg.Value * f.Grid(b.Grid).Value / 1000
	gc := geo.DistanceKm(geo.Point{Lat: b.HubLat, Lon: b.HubLon}, to)
	t := kg / 1000
	last := b.LastMileKm.Value
	truck := f.Modes["truck"]
	sea := gc * f.SeaDetour.Value
	ship, air := f.Modes["ship"], f.Modes["air"]
	days := func(d float64) float64 { return d * 24 }
	return []Scenario{
		{
			Name:      "made in " + b.HubName + ", shipped by sea and road",
			CostEUR:   price + t*(sea*ship.EURPerTkm.Value+last*truck.EURPerTkm.Value),
			CO2eKg:    make + t*(sea*ship.CO2ePerTkm.Value+last*truck.CO2ePerTkm.Value),
			LeadHours: days(b.MakeDays.Value+2*b.PortDays.Value) + sea/ship.SpeedKmh.Value + last/truck.SpeedKmh.Value,
			Km:        sea + last,
		},
		{
			Name:      "made in " + b.HubName + ", shipped by air",
			CostEUR:   price + t*(gc*air.EURPerTkm.Value+last*truck.EURPerTkm.Value),
			CO2eKg:    make + t*(gc*air.CO2ePerTkm.Value+last*truck.CO2ePerTkm.Value),
			LeadHours: days(b.MakeDays.Value+2) + gc/air.SpeedKmh.Value + last/truck.SpeedKmh.Value,
			Km:        gc + last,
		},
	}
}

// basis says where an assignment's hours come from, with the machine's
// learned factor when it has one.
func basis(b string, m *facility.Machine) string {
	if m.TimeFactor > 0 && m.TimeFactor != 1 {
		return fmt.Sprintf("%s, ×%.2f from %d finished runs on this machine", b, m.TimeFactor, m.TimeFactorJobs)
	}
	return b
}
