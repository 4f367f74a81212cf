// Package plan decides where each part of a design is made: it matches
// parts to machines that can make them and assigns them so that the total
// cost (production plus transport, plus a penalty for each extra
// pick-up) is least, within each machine's capacity before the deadline.
// It is pure: the caller gives the parts, the candidate workshops and the
// factor table.
package plan

import (
	"math"
	"sort"

	"github.com/dgml/dgml/cost"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
)

// Job is one part line of a design: all its units are made on one
// machine (one pick-up, one setup).
type Job struct {
	Part     string             `json:"part"`
	Quantity float64            `json:"quantity"`
	Process  design.Process     `json:"process"`
	Material string             `json:"material,omitempty"`
	Size     *design.Dimensions `json:"size,omitempty"` // nil: unknown, taken to fit
	// HoursPerUnit and KgPerUnit are machine time and material per unit;
	// Basis says where they come from (a mesh estimate, the dimensions).
	HoursPerUnit float64 `json:"hours_per_unit"`
	KgPerUnit    float64 `json:"kg_per_unit"`
	Basis        string  `json:"basis"`
}

// Hours is the machine time of the whole line.
func (j *Job) Hours() float64 { return j.HoursPerUnit * j.Quantity }

// Kg is the material of the whole line.
func (j *Job) Kg() float64 { return j.KgPerUnit * j.Quantity }

// Site is a workshop within reach, with its distance to the customer.
type Site struct {
	Facility *facility.Facility
	Km       float64 // great-circle distance to the customer
}

// Request is everything a plan needs.
type Request struct {
	Jobs    []Job
	Sites   []Site
	Factors *cost.Factors
	// DeadlineHours bounds each machine's hours to what it offers before
	// the deadline; zero means no deadline.
	DeadlineHours float64
	// TimeValuePerDay is what a day less of lead time is worth, EUR; nil
	// takes the factor table's. The plan weighs its lead time at it.
	TimeValuePerDay *float64
}

// TimeValue is the value of a day of lead time the request plans with.
func (r *Request) TimeValue() float64 {
	if r.TimeValuePerDay != nil {
		return max(0, *r.TimeValuePerDay)
	}
	return max(0, r.Factors.TimeValueEURPerDay.Value)
}

// option is one way to make a job: a machine at a site, and what it costs
// apart from the trip.
type option struct {
	site, machine int
	mid           int     // dense machine number, indexing load and capacity
	cost          float64 // setup + machine time + material, EUR
	co2e          float64 // material + electricity, kg
	askFirst      bool    // the machine lists no materials: the workshop must say
}

// problem is a request prepared for searching.
type problem struct {
	req      *Request
	options  [][]option // per job, cheapest first
	siteCost []float64  // trip and handling per site used, EUR
	capacity []float64  // hours per machine (by mid) before the deadline
	penalty  float64
	byMid    []map[int]int // per job: machine -> option, built when needed
	// Lead time: the latest pick-up is ready when its machine's queue
	// ends, plus handling and the trip. Each hour of it costs leadEUR.
	leadEUR   float64
	calendar  []float64 // per mid: calendar hours per estimated hour queued
	midSite   []int
	siteExtra []float64 // per site: handling and trip hours
	capable   []int     // per job: machines that could make it, given time
	first     []int     // per site: the mid of its first machine
}

const defaultWeeklyHours = 40 // capacity assumed for a machine that states none

func prepare(req *Request) *problem {
	f := req.Factors
	p := &problem{req: req, options: make([][]option, len(req.Jobs)), siteCost: make([]float64, len(req.Sites)), penalty: f.FacilityPenaltyEUR.Value,
		leadEUR: req.TimeValue() / 24, siteExtra: make([]float64, len(req.Sites)), capable: make([]int, len(req.Jobs))}
	first := make([]int, len(req.Sites)) // mid of each site's first machine
	for s, site := range req.Sites {
		p.siteCost[s] = tripCost(f, site.Km) + f.HandlingEUR.Value
		p.siteExtra[s] = pickupHours(f, site.Km)
		first[s] = len(p.capacity)
		for _, mc := range site.Facility.Machines {
			p.capacity = append(p.capacity, capacityHours(mc, req.DeadlineHours))
			p.calendar = append(p.calendar, calendarPerHour(&mc))
			p.midSite = append(p.midSite, s)
		}
	}
	p.first = first
	for j := range req.Jobs {
		p.options[j], p.capable[j] = p.optionsFor(&req.Jobs[j])
	}
	return p
}

// optionsFor lists the ways to make a job, cheapest first, and counts
// the machines that could make it given the time.
func (p *problem) optionsFor(job *Job) ([]option, int) {
	// A machine that lists no materials may or may not take the job's:
	// it is asked first, and planned only when no machine in reach says
	// it works the material.
	var sure, ask []option
	capable := 0
	for s, site := range p.req.Sites {
		for m := range site.Facility.Machines {
			mc := &site.Facility.Machines[m]
			mid := p.first[s] + m
			if !Can(mc, job) {
				continue
			}
			capable++
			if p.capacity[mid] < job.Hours() {
				continue
			}
			c, e := production(p.req.Factors, site.Facility, mc, job)
			if AskFirst(mc, job) {
				ask = append(ask, option{s, m, mid, c, e, true})
			} else {
				sure = append(sure, option{s, m, mid, c, e, false})
			}
		}
	}
	out := sure
	if len(sure) == 0 {
		out = ask
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].cost < out[b].cost })
	return out, capable
}

// Can tells whether a machine can make a job's part: process, material
// and envelope.
func Can(m *facility.Machine, j *Job) bool {
	return m.Process == j.Process && m.Works(j.Material) && (j.Size == nil || m.Fits(*j.Size))
}

// AskFirst says whether a machine may make a job's material only as far
// as anyone knows: the job names a material and the machine lists none.
func AskFirst(m *facility.Machine, j *Job) bool {
	return j.Material != "" && len(m.Materials) == 0
}

// calendarPerHour is how many hours pass while a machine does one
// estimated hour of work: it runs its weekly hours (on each of its
// units) and takes its learned time factor longer than estimated.
func calendarPerHour(m *facility.Machine) float64 {
	weekly := m.CapacityHours
	if weekly == 0 {
		weekly = defaultWeeklyHours
	}
	return factor(m) * 7 * 24 / (weekly * float64(max(m.Quantity, 1)))
}

// pickupHours is what follows the last job at a site: handling, then the
// trip to the customer.
func pickupHours(f *cost.Factors, km float64) float64 {
	mode := Mode(km)
	return f.HandlingHours.Value + km*f.RoadDetour.Value/f.Modes[mode].SpeedKmh.Value
}

// lead is the lead time of machines loaded with load (estimated hours by
// mid): the latest of their queues' ends plus their site's pick-up.
func (p *problem) lead(load []float64) float64 {
	t := 0.0
	for mid, h := range load {
		if h > 1e-12 {
			t = math.Max(t, h*p.calendar[mid]+p.siteExtra[p.midSite[mid]])
		}
	}
	return t
}

func capacityHours(m facility.Machine, deadline float64) float64 {
	if deadline <= 0 {
		return math.Inf(1)
	}
	weekly := m.CapacityHours
	if weekly == 0 {
		weekly = defaultWeeklyHours
	}
	n := float64(max(m.Quantity, 1))
	// A machine that takes longer than estimated fits fewer estimated
	// hours before the deadline.
	return weekly * n * deadline / (7 * 24) / factor(&m)
}

// factor is a machine's learned time factor (1 when it has none).
func factor(m *facility.Machine) float64 {
	if m.TimeFactor > 0 {
		return m.TimeFactor
	}
	return 1
}

// production is the cost and footprint of making a job on a machine.
func production(f *cost.Factors, fac *facility.Facility, m *facility.Machine, j *Job) (eur, co2e float64) {
	pf := f.Process(m.Process)
	rate, setup, kw := m.HourlyRate, m.SetupFee, m.PowerKW
	// Rates in a currency the table cannot convert count as unstated.
	if r, ok := f.ToEUR(rate, fac.Currency); ok {
		rate = r
	} else {
		rate = 0
	}
	if s, ok := f.ToEUR(setup, fac.Currency); ok {
		setup = s
	} else {
		setup = 0
	}
	stated := rate > 0
	if rate == 0 {
		rate = pf.HourlyRate.Value
	}
	if setup == 0 && !stated {
		setup = pf.SetupFee.Value
	}
	if kw == 0 {
		kw = pf.PowerKW.Value
	}
	mat, _ := f.Material(j.Material)
	hours := j.Hours() * factor(m)
	eur = setup + hours*rate + j.Kg()*mat.PriceEURPerKg.Value
	co2e = j.Kg()*mat.CO2ePerKg.Value + hours*kw*gridKg(f, fac)
	return eur, co2e
}

// gridKg is the facility's electricity footprint, kg CO2e per kWh.
func gridKg(f *cost.Factors, fac *facility.Facility) float64 {
	g := fac.GridIntensity
	if g == 0 {
		g = f.Grid(fac.Country).Value
	}
	return g * (1 - fac.RenewableShare) / 1000
}

// Mode picks how parts come from a facility: by cargo bike within 8 km,
// else by van.
func Mode(km float64) string {
	if km <= 8 {
		return "cargo-bike"
	}
	return "van"
}

func tripCost(f *cost.Factors, km float64) float64 {
	m := f.Modes[Mode(km)]
	return km * f.RoadDetour.Value * m.EURPerKm.Value
}

// total is the objective of an assignment (job -> option index, -1 for
// none): production, trips, the penalty for every site beyond the
// first, and the lead time at the value of time.
func (p *problem) total(assign []int) float64 {
	used := map[int]bool{}
	load := make([]float64, len(p.capacity))
	t := 0.0
	for j, o := range assign {
		if o < 0 {
			continue
		}
		op := p.options[j][o]
		t += op.cost
		used[op.site] = true
		load[op.mid] += p.req.Jobs[j].Hours()
	}
	if p.leadEUR > 0 {
		t += p.leadEUR * p.lead(load)
	}
	for s := range used {
		t += p.siteCost[s]
	}
	if len(used) > 1 {
		t += p.penalty * float64(len(used)-1)
	}
	return t
}
