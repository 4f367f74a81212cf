// Package network is the local manufacturing network of a node: finding
// workshops near a place, matching a design's parts to their machines and
// planning where each part is made.
package network

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/cost"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/dispatch"
	"github.com/dgml/dgml/estimate"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/geometry"
	"github.com/dgml/dgml/license"
	"github.com/dgml/dgml/plan"
)

// Service answers questions about the network.
type Service struct {
	Store   facility.Store
	Commons *commons.Service
	Factors *cost.Factors
	// Assess, when set, gives the replication reports whose measured
	// figures replace model estimates.
	Assess assess.Store
	// Roles says who operates which facility; Tx makes a write of several
	// records one transaction.
	Roles account.Roles
	Tx    dgml.Atomic
	// Index, when set, answers near queries through the database's own
	// index (a hub's); otherwise Store does if it can, else the snapshot.
	Index facility.Nearer
	// Corrections, when set, gives machines' learned time factors
	// (dispatch.Service.Corrections); plans use them.
	Corrections func(ctx context.Context, machineIDs []string) (map[string]dispatch.Correction, error)

	mu      sync.Mutex
	version int64
	loaded  bool
	all     []facility.Facility
	index   *geo.Index
}

// snapshot returns the facilities and their index, reloaded when the
// store has changed (also by another process).
func (s *Service) snapshot(ctx context.Context) ([]facility.Facility, *geo.Index, error) {
	v, err := s.Store.FacilitiesVersion(ctx)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded && v == s.version {
		return s.all, s.index, nil
	}
	all, err := s.Store.Facilities(ctx)
	if err != nil {
		return nil, nil, err
	}
	pts := make([]geo.Point, len(all))
	for i := range all {
		pts[i] = all[i].Location
	}
	s.all, s.index, s.version, s.loaded = all, geo.NewIndex(pts), v, true
	return s.all, s.index, nil
}

// within lists the facilities within radiusKm of p, nearest first:
// through the store's own index when it has one (a hub's database), else
// through the in-memory index of the network.
func (s *Service) within(ctx context.Context, p geo.Point, radiusKm float64) ([]Hit, error) {
	n, ok := s.Store.(facility.Nearer)
	if s.Index != nil {
		n, ok = s.Index, true
	}
	if ok {
		fs, kms, err := n.FacilitiesNear(ctx, p, radiusKm, 0)
		if err != nil {
			return nil, err
		}
		out := make([]Hit, len(fs))
		for i := range fs {
			out[i] = Hit{Facility: &fs[i], Km: kms[i]}
		}
		return out, nil
	}
	all, index, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var out []Hit
	for _, h := range index.Within(p, radiusKm) {
		out = append(out, Hit{Facility: &all[h.ID], Km: h.Km})
	}
	return out, nil
}

// nearestFor finds for each job (nil: none) the facility nearest p with
// a machine that can make it, anywhere. Every store answers this from the
// network's snapshot (reloaded when any process changes a facility): a
// part no workshop can make would otherwise walk a hub's database
// through every workshop, decoding each.
func (s *Service) nearestFor(ctx context.Context, p geo.Point, jobs []*plan.Job) ([]*facility.Facility, []float64, error) {
	found := make([]*facility.Facility, len(jobs))
	kms := make([]float64, len(jobs))
	can := func(f *facility.Facility, j *plan.Job) bool {
		for k := range f.Machines {
			if plan.Can(&f.Machines[k], j) {
				return true
			}
		}
		return false
	}
	all, index, err := s.snapshot(ctx)
	if err != nil {
		return nil, nil, err
	}
	for i, j := range jobs {
		if j == nil {
			continue
		}
		if h, ok := index.Nearest(p, func(id int) bool { return can(&all[id], j) }); ok {
			found[i], kms[i] = &all[h.ID], h.Km
		}
	}
	return found, kms, nil
}

// Query selects facilities near a point.
type Query struct {
	Near     geo.Point
	RadiusKm float64
	Process  design.Process // optional
	Material string         // optional
	Limit    int
}

// Hit is a facility found, with its distance and the machines that
// answer the query.
type Hit struct {
	Facility *facility.Facility `json:"facility"`
	Km       float64            `json:"km"`
	Machines []facility.Machine `json:"machines"`
	// AskFirst: the machines list no materials, and are shown because no
	// workshop in reach says it works the one asked for (as plans choose).
	AskFirst bool `json:"ask_first,omitempty"`
}

// Near finds facilities within the radius that can do the process in the
// material, nearest first.
func (s *Service) Near(ctx context.Context, q Query) ([]Hit, error) {
	if !q.Near.Valid() {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "near", Msg: "a latitude, longitude pair on the globe"}
	}
	if q.RadiusKm <= 0 {
		q.RadiusKm = 50
	}
	within, err := s.within(ctx, q.Near, q.RadiusKm)
	if err != nil {
		return nil, err
	}
	// The planner's rule: machines that say they work the material; only
	// when none in reach does, those that list no materials, flagged.
	pick := func(askFirst bool) []Hit {
		var out []Hit
		for _, h := range within {
			f := h.Facility
			var ms []facility.Machine
			for _, m := range f.Machines {
				if q.Process != "" && m.Process != q.Process {
					continue
				}
				j := plan.Job{Material: q.Material}
				if q.Material == "" || (!askFirst && !plan.AskFirst(&m, &j) && m.Works(q.Material)) || (askFirst && plan.AskFirst(&m, &j)) {
					ms = append(ms, m)
				}
			}
			if (q.Process != "" || q.Material != "") && len(ms) == 0 {
				continue
			}
			out = append(out, Hit{Facility: f, Km: h.Km, Machines: ms, AskFirst: askFirst})
			if q.Limit > 0 && len(out) >= q.Limit {
				break
			}
		}
		return out
	}
	out := pick(false)
	if len(out) == 0 && q.Material != "" {
		out = pick(true)
	}
	return out, nil
}

// PlanRequest asks for a plan.
type PlanRequest struct {
	Design        string    `json:"design"`
	Near          geo.Point `json:"near"`
	Quantity      float64   `json:"quantity"`
	RadiusKm      float64   `json:"radius_km"`
	DeadlineHours float64   `json:"deadline_hours"`
	UnitPriceEUR  float64   `json:"unit_price_eur,omitempty"` // of the industrial baseline, per made part
	// TimeValueEURPerDay is what a day less of waiting is worth to the
	// person asking; nil takes the factor table's.
	TimeValueEURPerDay *float64 `json:"time_value_eur_per_day,omitempty"`
	// Exclude names facilities the plan must not use (those that
	// declined the order's parts).
	Exclude []string `json:"exclude,omitempty"`
}

// Result is a plan with what it was made for.
type Result struct {
	Design   *design.Design `json:"design"`
	Revision string         `json:"revision"`
	Request  PlanRequest    `json:"request"`
	*plan.Plan
	Bought []Bought   `json:"bought"`
	Jobs   []plan.Job `json:"jobs"`
	// LicenseNotes say how the design's licence narrowed the choice.
	LicenseNotes []string `json:"license_notes,omitempty"`
}

// Bought is an off-the-shelf item: bought, not made.
type Bought struct {
	Part       string  `json:"part"`
	Quantity   float64 `json:"quantity"`
	PartNumber string  `json:"part_number,omitempty"`
	Supplier   string  `json:"supplier,omitempty"`
	// Price is what one costs, in Currency, where the design says.
	Price    float64 `json:"price,omitempty"`
	Currency string  `json:"currency,omitempty"`
}

// Plan plans a design's head revision near a place.
func (s *Service) Plan(ctx context.Context, req PlanRequest) (*Result, error) {
	if !req.Near.Valid() {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "near", Msg: "a latitude, longitude pair on the globe"}
	}
	if req.Quantity <= 0 {
		req.Quantity = 1
	}
	if req.RadiusKm <= 0 {
		req.RadiusKm = 50
	}
	d, rev, err := s.Commons.Head(ctx, req.Design)
	if err != nil {
		return nil, err
	}
	jobs, bought := s.jobs(ctx, rev, req.Quantity)
	if err := s.useReports(ctx, d.ID, rev, jobs); err != nil {
		return nil, err
	}
	within, err := s.within(ctx, req.Near, req.RadiusKm)
	if err != nil {
		return nil, err
	}
	preq := &plan.Request{Jobs: jobs, Factors: s.Factors, DeadlineHours: req.DeadlineHours, TimeValuePerDay: req.TimeValueEURPerDay}
	conds := license.Conditions(rev.Manifest.License)
	var notes []string
	excluded := 0
	for _, h := range within {
		f := h.Facility
		if why := barred(f, conds); why != "" {
			excluded++
			continue
		}
		if slices.Contains(req.Exclude, f.ID) {
			continue
		}
		preq.Sites = append(preq.Sites, plan.Site{Facility: f, Km: h.Km})
	}
	for _, c := range conds {
		notes = append(notes, fmt.Sprintf("%s asks for %s making (%s); %d facilities within reach left out", rev.Manifest.License, c.Condition, c.Reason, excluded))
	}
	if err := s.correct(ctx, preq.Sites); err != nil {
		return nil, err
	}
	p := plan.Make(preq)
	var lost []*plan.Job
	for i := range p.Unmatched {
		job := findJob(jobs, p.Unmatched[i].Part)
		if job == nil || job.Process == design.ProcessUnknown {
			job = nil
		}
		lost = append(lost, job)
	}
	found, kms, err := s.nearestFor(ctx, req.Near, lost)
	if err != nil {
		return nil, err
	}
	for i := range p.Unmatched {
		if found[i] != nil {
			p.Unmatched[i].Nearest, p.Unmatched[i].NearestKm = found[i].Name, math.Round(kms[i]*10)/10
		}
	}
	p.Baseline = plan.Baseline(s.Factors, jobs, req.Near, req.UnitPriceEUR)
	return &Result{Design: d, Revision: rev.ID, Request: req, Plan: p, Bought: bought, Jobs: jobs, LicenseNotes: notes}, nil
}

// workerOwned are the ownership types the Peer Production License counts
// as owned by those who work there.
var workerOwned = map[string]bool{"worker-owned": true, "cooperative": true, "worker cooperative": true, "collective": true}

// barred says why a licence's condition rules a facility out: a
// non-commercial licence rules out commercial services; a copyfarleft one
// rules out commercial services that are not worker-owned.
func barred(f *facility.Facility, conds []license.Condition) string {
	for _, c := range conds {
		commercial := f.Access == facility.AccessCommercial
		switch c.Condition {
		case "non-commercial":
			if commercial {
				return "a commercial service may not make a non-commercial design"
			}
		case "worker-owned":
			if commercial && !workerOwned[strings.ToLower(f.Ownership)] {
				return "only worker-owned businesses may make this design commercially"
			}
		}
	}
	return ""
}

// useReports puts what builders measured in place of estimates: for each
// part line with successful reports of its process, the median time and
// material per unit (the basis says so and how many reports it rests on).
func (s *Service) useReports(ctx context.Context, designID string, rev *design.Revision, jobs []plan.Job) error {
	if s.Assess == nil {
		return nil
	}
	rs, err := s.Assess.Reports(ctx, designID)
	if err != nil {
		return err
	}
	measured := assess.ByPart(rs)
	for i := range jobs {
		j := &jobs[i]
		m, ok := measured[assess.PartKey(j.Part, j.Process)]
		if !ok || (m.Hours == 0 && m.MaterialG == 0) {
			continue
		}
		var used []string
		if m.Hours > 0 {
			j.HoursPerUnit = m.Hours
			used = append(used, "time")
		}
		if m.MaterialG > 0 {
			j.KgPerUnit = m.MaterialG / 1000
			used = append(used, "material")
		}
		j.Basis = fmt.Sprintf("measured: %s, the median of %d replication report(s); model: %s", strings.Join(used, " and "), m.Reports, j.Basis)
	}
	return nil
}

func findJob(jobs []plan.Job, part string) *plan.Job {
	for i := range jobs {
		if jobs[i].Part == part {
			return &jobs[i]
		}
	}
	return nil
}

// jobs turns a revision's parts tree into part lines to make (quantities
// multiplied through modules) and items to buy.
func (s *Service) jobs(ctx context.Context, rev *design.Revision, qty float64) ([]plan.Job, []Bought) {
	var jobs []plan.Job
	var bought []Bought
	var walk func(ps []design.Part, mult float64, prefix string)
	walk = func(ps []design.Part, mult float64, prefix string) {
		for i := range ps {
			p := &ps[i]
			q := p.Quantity * mult
			name := p.Name
			if prefix != "" {
				name = prefix + " / " + p.Name
			}
			switch p.Kind {
			case design.KindModule:
				walk(p.Children, q, name)
			case design.KindBought:
				bought = append(bought, Bought{Part: name, Quantity: q, PartNumber: p.PartNumber, Supplier: p.Supplier, Price: p.Price, Currency: p.Currency})
			default:
				jobs = append(jobs, s.job(ctx, p, name, q))
			}
		}
	}
	walk(rev.Parts, qty, "")
	return append(jobs, s.steps(rev, jobs, qty)...), bought
}

// steps are the design's own processes that no part line is made by:
// assembly, finishing, electronics, welding, sewing, done once per unit
// of the design at a workshop that offers them. A design with no parts
// at all gets a line for each making process it lists (printing,
// cutting) too, so a manifest of processes alone still gets a plan.
func (s *Service) steps(rev *design.Revision, jobs []plan.Job, qty float64) []plan.Job {
	made := map[design.Process]bool{}
	for i := range jobs {
		made[jobs[i].Process] = true
	}
	var out []plan.Job
	for _, pr := range rev.Manifest.Processes {
		if pr == design.ProcessUnknown || made[pr] {
			continue
		}
		h, step := s.Factors.StepHours[pr]
		if !step && len(jobs) > 0 {
			// A making process the parts do not name is theirs to say
			// (a part without a process is reported as such), not a
			// second line for the whole design.
			continue
		}
		made[pr] = true
		j := plan.Job{Part: StepName(pr), Quantity: qty, Process: pr}
		if step {
			j.HoursPerUnit = h.Value
			j.Basis = fmt.Sprintf("assumed: %g h per unit for a step of the whole design (factor table: %s)", h.Value, h.Source)
		} else {
			p := design.Part{Name: j.Part, Process: pr}
			j.HoursPerUnit, j.KgPerUnit, j.Basis = roughEstimate(&p, s.Factors)
			j.Basis = "the design lists this process but no part made by it; " + j.Basis
		}
		out = append(out, j)
	}
	return out
}

// StepName names the line of a whole-design step in plans and orders.
func StepName(p design.Process) string {
	for _, e := range design.Processes {
		if e.Process == p {
			return e.Label + " (whole design)"
		}
	}
	return string(p) + " (whole design)"
}

// PartFiles gives the files of each made part line of a revision, by
// the name plans give the line ("Module / Part"): exports (what a
// machine takes) before sources.
func PartFiles(rev *design.Revision) map[string][]design.FileRef {
	out := map[string][]design.FileRef{}
	var walk func(ps []design.Part, prefix string)
	walk = func(ps []design.Part, prefix string) {
		for i := range ps {
			p := &ps[i]
			name := p.Name
			if prefix != "" {
				name = prefix + " / " + p.Name
			}
			switch p.Kind {
			case design.KindModule:
				walk(p.Children, name)
			case design.KindBought:
			default:
				out[name] = append(append([]design.FileRef(nil), p.Exports...), p.Sources...)
			}
		}
	}
	walk(rev.Parts, "")
	return out
}

// job estimates one part line: from its mesh when it has one, else from
// its stated dimensions and mass.
func (s *Service) job(ctx context.Context, p *design.Part, name string, qty float64) plan.Job {
	j := plan.Job{Part: name, Quantity: qty, Process: p.Process, Material: p.Material, Size: p.Dimensions}
	if ref := meshRef(p); ref != "" && (p.Process == design.ProcessFDM || p.Process == design.ProcessCNCMilling) {
		req := commons.EstimateRequest{Process: "fdm", Material: materialFor(p)}
		if p.Process == design.ProcessCNCMilling {
			req = commons.EstimateRequest{Process: "cnc", Material: materialFor(p)}
		}
		if b, err := s.Commons.Estimate(ctx, ref, req); err == nil {
			var r struct {
				Seconds    float64 `json:"seconds"`
				FilamentG  float64 `json:"filament_g"`
				StockMassG float64 `json:"stock_mass_g"`
			}
			if json.Unmarshal(b, &r) == nil && r.Seconds > 0 {
				j.HoursPerUnit = r.Seconds / 3600
				j.KgPerUnit = (r.FilamentG + r.StockMassG) / 1000
				j.Basis = "estimated from the part's mesh (" + string(p.Process) + ")"
				return j
			}
		}
	}
	j.HoursPerUnit, j.KgPerUnit, j.Basis = roughEstimate(p, s.Factors)
	return j
}

func meshRef(p *design.Part) string {
	for _, refs := range [][]design.FileRef{p.Exports, p.Sources} {
		for _, r := range refs {
			if r.SHA256 != "" && geometry.Readable(r.Path) {
				return r.SHA256
			}
		}
	}
	return ""
}

func materialFor(p *design.Part) string {
	if _, ok := estimate.LookupMaterial(p.Material); ok {
		return p.Material
	}
	if p.Process == design.ProcessCNCMilling {
		return "plywood"
	}
	return "PLA"
}

// Rough throughputs for parts without a mesh (assumptions, stated as the
// estimate's basis): FDM prints about 12 g of PLA an hour at 0.2 mm
// layers; a laser cuts a part's outline twice over at 15 mm/s; a router
// clears a part's bounding block at 400 mm³/s; hand processes take half
// an hour a part.
func roughEstimate(p *design.Part, f *cost.Factors) (hours, kg float64, basis string) {
	kg = p.MassG / 1000
	d := p.Dimensions
	vol := 0.0
	if d != nil {
		vol = d.X * d.Y * d.Z
	}
	if kg == 0 {
		mat, ok := estimate.LookupMaterial(p.Material)
		switch {
		case vol > 0 && ok:
			kg = vol * 0.3 / 1e6 * mat.Density // a third full, as most parts are
		default:
			kg = f.DefaultMaterialKg.Value
		}
	}
	switch p.Process {
	case design.ProcessFDM, design.ProcessSLA, design.ProcessSLS:
		return math.Max(0.1, kg*1000/12), kg, "rough: 12 g per hour from the part's mass"
	case design.ProcessLaserCutting, design.ProcessVinylCutting, design.ProcessPlasmaCutting, design.ProcessWaterjet:
		if d != nil {
			return math.Max(0.05, 2*2*(d.X+d.Y)/15/3600), kg, "rough: the outline twice over at 15 mm/s"
		}
	case design.ProcessCNCMilling, design.ProcessCNCTurning:
		if vol > 0 {
			return math.Max(0.25, vol/400/3600+0.25), kg, "rough: the bounding block at 400 mm³/s plus setup"
		}
	}
	return 0.5, kg, "rough: half an hour a part"
}

// Why explains an unplanned part in one line, for tables.
func Why(u plan.Unmatched) string {
	s := u.Reason
	if u.Nearest != "" {
		s += fmt.Sprintf("; nearest that could: %s, %.0f km", u.Nearest, u.NearestKm)
	}
	return s
}

// Imported says what an import did with each record it read.
type Imported struct {
	Added   []*facility.Facility `json:"added"`
	Updated []*facility.Facility `json:"updated"`
	Skipped []string             `json:"skipped"` // names of records already here under another id
}

// Import stores facilities read elsewhere (OKW, lists, GeoJSON points)
// on behalf of u, in one transaction. A record whose id is already
// stored replaces it only when u operates it (or is an admin); from
// anyone else, or from the node itself (u nil: the command line without
// --as, the demo), the whole import is refused with a conflict naming
// the id, and nothing is stored. A new record with the name and place of
// one already stored is skipped as a duplicate. u operates what it adds.
func (s *Service) Import(ctx context.Context, u *account.User, fs []facility.Facility) (*Imported, error) {
	all, _, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	key := func(f *facility.Facility) string {
		return fmt.Sprintf("%s|%.4f|%.4f", strings.ToLower(f.Name), f.Location.Lat, f.Location.Lon)
	}
	var out *Imported
	var created []*facility.Facility
	err = s.Tx.Atomically(ctx, func(ctx context.Context) error {
		out = &Imported{Added: []*facility.Facility{}, Updated: []*facility.Facility{}, Skipped: []string{}}
		created = nil
		seen := map[string]bool{}
		stored := map[string]bool{}               // ids and slugs: only these are looked up
		adding := map[string]*facility.Facility{} // by id, earlier in this import
		for i := range all {
			seen[key(&all[i])] = true
			stored[all[i].ID], stored[all[i].Slug] = true, true
		}
		for i := range fs {
			f := &fs[i]
			if prev := adding[f.ID]; f.ID != "" && prev != nil {
				// The same id twice in one import: the same record again
				// is nothing to do, a different one is refused.
				if key(prev) == key(f) {
					out.Skipped = append(out.Skipped, f.Name)
					continue
				}
				return &dgml.Error{Kind: dgml.Conflict, Field: "id", Msg: fmt.Sprintf("facility %s is in the import twice, as %s and as %s: give each its own id", f.ID, prev.Name, f.Name)}
			}
			if f.ID != "" && stored[f.ID] {
				old, err := s.Store.Facility(ctx, f.ID)
				switch {
				case err == nil:
					if err := s.mayChange(ctx, u, old); err != nil {
						if key(old) == key(f) {
							// The same record again, from someone who may
							// not change it: already here, nothing to do.
							out.Skipped = append(out.Skipped, f.Name)
							continue
						}
						return err
					}
					f.ID = old.ID
					facility.KeepMachineIDs(old, f)
					if err := s.Store.UpdateFacility(ctx, f); err != nil {
						return err
					}
					out.Updated = append(out.Updated, f)
					continue
				case dgml.KindOf(err) != dgml.NotFound:
					return err
				}
			}
			if seen[key(f)] {
				out.Skipped = append(out.Skipped, f.Name)
				continue
			}
			seen[key(f)] = true
			if f.ID != "" {
				adding[f.ID] = f
			}
			created = append(created, f)
		}
		return s.createAll(ctx, u, created)
	})
	if err != nil {
		return nil, err
	}
	out.Added = append(out.Added, created...)
	return out, nil
}

// createAll stores new facilities operated by u (nobody, when u is
// nil), all at once where the store can.
func (s *Service) createAll(ctx context.Context, u *account.User, fs []*facility.Facility) error {
	if b, ok := s.Store.(facility.BatchStore); ok {
		if err := b.CreateFacilities(ctx, fs); err != nil {
			return err
		}
	} else {
		for _, f := range fs {
			if err := s.Store.CreateFacility(ctx, f); err != nil {
				return err
			}
		}
	}
	if u == nil {
		return nil
	}
	for _, f := range fs {
		if err := s.Roles.AddRole(ctx, account.Operator, f.ID, u.ID); err != nil {
			return err
		}
	}
	return nil
}

// mayChange refuses a change of a stored facility by anyone but its
// operators and the node's admins, as a conflict naming its id when the
// change came as an import of a record with that id.
func (s *Service) mayChange(ctx context.Context, u *account.User, f *facility.Facility) error {
	if f.Home != "" {
		return &dgml.Error{Kind: dgml.Forbidden, Msg: fmt.Sprintf("%s is listed by node %s and changes only there", f.Name, f.Home)}
	}
	if u == nil {
		return &dgml.Error{Kind: dgml.Conflict, Field: "id", Msg: fmt.Sprintf("facility %s (%s) is already stored: import the record without its id to add it as a new facility, or log in as one of its operators (--as) to update it", f.ID, f.Name)}
	}
	err := account.Permit(ctx, s.Roles, u, account.Operator, f.ID)
	if dgml.KindOf(err) == dgml.Forbidden {
		return &dgml.Error{Kind: dgml.Conflict, Field: "id", Msg: fmt.Sprintf("facility %s (%s) is already stored and operated by someone else: import the record without its id to add it as a new facility", f.ID, f.Name)}
	}
	return err
}

// create stores a new facility operated by u (nobody, when u is nil).
func (s *Service) create(ctx context.Context, u *account.User, f *facility.Facility) error {
	if err := s.Store.CreateFacility(ctx, f); err != nil {
		return err
	}
	if u == nil {
		return nil
	}
	return s.Roles.AddRole(ctx, account.Operator, f.ID, u.ID)
}

// Register adds a facility that u operates.
func (s *Service) Register(ctx context.Context, u *account.User, f *facility.Facility) error {
	if u == nil {
		return &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to register a facility"}
	}
	f.ID = "" // the node names new records
	return s.Tx.Atomically(ctx, func(ctx context.Context) error { return s.create(ctx, u, f) })
}

// Update replaces a facility that u operates; its id and slug stay.
func (s *Service) Update(ctx context.Context, u *account.User, ref string, f *facility.Facility) error {
	return s.Tx.Atomically(ctx, func(ctx context.Context) error {
		old, err := s.Store.Facility(ctx, ref)
		if err != nil {
			return err
		}
		if old.Home != "" {
			return s.mayChange(ctx, u, old)
		}
		if err := account.Permit(ctx, s.Roles, u, account.Operator, old.ID); err != nil {
			return err
		}
		f.ID, f.Home = old.ID, ""
		facility.KeepMachineIDs(old, f)
		return s.Store.UpdateFacility(ctx, f)
	})
}

// Withdraw removes a facility that u operates.
func (s *Service) Withdraw(ctx context.Context, u *account.User, ref string) error {
	return s.Tx.Atomically(ctx, func(ctx context.Context) error {
		f, err := s.Store.Facility(ctx, ref)
		if err != nil {
			return err
		}
		if f.Home != "" {
			return s.mayChange(ctx, u, f)
		}
		if err := account.Permit(ctx, s.Roles, u, account.Operator, f.ID); err != nil {
			return err
		}
		return s.Store.DeleteFacility(ctx, f.ID)
	})
}

// Sorted returns facilities by name, for listings.
func Sorted(fs []facility.Facility) []facility.Facility {
	out := append([]facility.Facility(nil), fs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// All lists every facility.
func (s *Service) All(ctx context.Context) ([]facility.Facility, error) {
	all, _, err := s.snapshot(ctx)
	return all, err
}

// correct gives the sites' machines their learned time factors, on
// copies: the snapshot stays as stored.
func (s *Service) correct(ctx context.Context, sites []plan.Site) error {
	if s.Corrections == nil {
		return nil
	}
	var ids []string
	for _, site := range sites {
		for _, m := range site.Facility.Machines {
			ids = append(ids, m.ID)
		}
	}
	cs, err := s.Corrections(ctx, ids)
	if err != nil || len(cs) == 0 {
		return err
	}
	for i := range sites {
		f := *sites[i].Facility
		f.Machines = slices.Clone(f.Machines)
		for j := range f.Machines {
			if c, ok := cs[f.Machines[j].ID]; ok {
				f.Machines[j].TimeFactor, f.Machines[j].TimeFactorJobs = c.Factor, c.Jobs
			}
		}
		sites[i].Facility = &f
	}
	return nil
}
