// Package facility holds the local side of the network: workshops (fab
// labs, makerspaces, small factories) and the machines they offer, and
// the interface through which they are stored.
package facility

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/geo"
)

// Access says who may use a facility.
type Access string

// Access kinds.
const (
	AccessPublic     Access = "public"     // anyone may walk in
	AccessMembers    Access = "members"    // members only
	AccessCommercial Access = "commercial" // a service that takes orders
	AccessRestricted Access = "restricted" // by arrangement
)

// Facility is a workshop.
type Facility struct {
	ID           string    `json:"id"`
	Slug         string    `json:"slug"`
	Name         string    `json:"name"`
	Description  string    `json:"description,omitempty"`
	Location     geo.Point `json:"location"`
	Address      string    `json:"address,omitempty"`
	City         string    `json:"city,omitempty"`
	Country      string    `json:"country,omitempty"` // ISO 3166-1 alpha-2
	Contact      string    `json:"contact,omitempty"` // e-mail, phone or web page
	URL          string    `json:"url,omitempty"`
	Access       Access    `json:"access,omitempty"`
	OpeningHours string    `json:"opening_hours,omitempty"`
	// GridIntensity is the carbon intensity of the electricity used, g
	// CO2e/kWh; zero means "the country's average".
	GridIntensity float64 `json:"grid_g_per_kwh,omitempty"`
	// RenewableShare is the share of electricity from the facility's own
	// renewable supply, 0..1; it scales the grid intensity down.
	RenewableShare float64 `json:"renewable_share,omitempty"`
	// Ownership says who owns the business (e.g. worker-owned); licenses
	// such as the Peer Production License depend on it.
	Ownership string `json:"ownership,omitempty"`
	// Currency is what the machines' rates and fees are in (ISO 4217);
	// empty means EUR.
	Currency string    `json:"currency,omitempty"`
	Status   string    `json:"status,omitempty"` // active, planned
	Source   string    `json:"source,omitempty"` // where the record came from
	Machines []Machine `json:"machines"`
	Demo     bool      `json:"demo,omitempty"`
	Updated  time.Time `json:"updated"`
	// Home is the node the record was learned from, which alone changes
	// it; empty for this node's own workshops.
	Home string `json:"home,omitempty"`
	// Disclosure is what the workshop publishes to other nodes; nil: the
	// default.
	Disclosure *Disclosure `json:"disclosure,omitempty"`
}

// ReplicaID is the id a workshop learned from another node is kept
// under here: its id there and its node, so that two nodes' ids never
// meet.
func ReplicaID(home, id string) string {
	return id + "@" + home[:min(12, len(home))]
}

// Machine is one machine (or a set of identical ones) a facility offers.
type Machine struct {
	ID       string         `json:"id"`
	Process  design.Process `json:"process"`
	Make     string         `json:"make,omitempty"`
	Model    string         `json:"model,omitempty"`
	Quantity int            `json:"quantity,omitempty"`
	// Envelope is the largest part the machine takes, mm (build volume, bed
	// and sheet thickness, or travel); zero when unknown.
	Envelope  design.Dimensions `json:"envelope"`
	Materials []string          `json:"materials,omitempty"` // lower case; empty means not listed
	NozzleMM  float64           `json:"nozzle_mm,omitempty"`
	LaserW    float64           `json:"laser_w,omitempty"`
	SpindleW  float64           `json:"spindle_w,omitempty"`
	PowerKW   float64           `json:"power_kw,omitempty"` // average draw while working; zero: the process's default
	// HourlyRate and SetupFee are in the facility's currency; zero: the
	// network's defaults.
	HourlyRate float64 `json:"hourly_rate,omitempty"`
	SetupFee   float64 `json:"setup_fee,omitempty"`
	// CapacityHours is what the facility offers the network per week.
	CapacityHours float64 `json:"capacity_hours_per_week,omitempty"`
	// Name tells identical machines apart on a workshop's calendar
	// ("Prusa 2"); empty: make and model.
	Name string `json:"name,omitempty"`
	// Hours are when the machine is open; nil: by arrangement.
	Hours *Hours `json:"hours,omitempty"`
	// Use says who may book the machine themselves; nil: only the
	// workshop's operators book it.
	Use *Use `json:"use,omitempty"`
	// TimeFactor is how much longer than estimated the machine's jobs
	// take, learned from its finished runs; the planner multiplies its
	// machine hours by it. 0 means 1. The node sets it when planning; it
	// is not part of the workshop's record.
	TimeFactor float64 `json:"time_factor,omitempty"`
	// TimeFactorJobs is how many finished runs TimeFactor rests on.
	TimeFactorJobs int `json:"time_factor_jobs,omitempty"`
	// Removed is set when the workshop took the machine off its list; the
	// machine keeps its id, so that old bookings and jobs still name it.
	Removed *time.Time `json:"removed,omitempty"`
}

// Use is a workshop's rule for booking one machine: who, at what price,
// and how far ahead a booking may be cancelled.
type Use struct {
	Rules    []UseRule `json:"rules"`
	Currency string    `json:"currency,omitempty"` // ISO 4217; empty: EUR
	// CancelHours is how long before its start a booking may still be
	// cancelled by the person who made it.
	CancelHours float64 `json:"cancel_hours,omitempty"`
	// MaxHours is the longest session one person books at once; 0: 8.
	MaxHours float64 `json:"max_hours,omitempty"`
}

// Who may book under a rule.
const (
	WhoPublic    = "public"    // anyone with an account
	WhoMembers   = "members"   // the workshop's members
	WhoQualified = "qualified" // people the workshop granted Qualification
)

// UseRule lets a group book a machine at a price an hour. Bookings under
// it fall within the machine's hours unless Anytime (members with a key).
type UseRule struct {
	Who           string  `json:"who"`
	Qualification string  `json:"qualification,omitempty"` // e.g. "laser safety"
	PricePerHour  float64 `json:"price_per_hour"`
	Anytime       bool    `json:"anytime,omitempty"`
}

// Label names a machine on a calendar.
func (m *Machine) Label() string {
	if m.Name != "" {
		return m.Name
	}
	if s := strings.TrimSpace(m.Make + " " + m.Model); s != "" {
		return s
	}
	return string(m.Process)
}

// Validate checks a facility before it is stored; the error names the
// field.
func (f *Facility) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &dgml.Error{Kind: dgml.Invalid, Op: "facility.Validate", Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if f.Disclosure != nil {
		if err := ValidDisclosure(*f.Disclosure); err != nil {
			return err
		}
	}
	if strings.TrimSpace(f.Name) == "" {
		return bad("name", "a facility needs a name")
	}
	// Checked here, so that every way in (form, API, import, a peer's
	// record) keeps rates in a currency plans can name.
	if f.Currency != "" && !currencyRe.MatchString(f.Currency) {
		return bad("currency", "an ISO 4217 code such as EUR or KES, got %q", f.Currency)
	}
	if !f.Location.Valid() {
		return bad("location", "latitude must be -90..90 and longitude -180..180, got %v,%v", f.Location.Lat, f.Location.Lon)
	}
	if f.Country != "" && len(f.Country) != 2 {
		return bad("country", "an ISO 3166 two-letter code, got %q", f.Country)
	}
	if !(f.RenewableShare >= 0 && f.RenewableShare <= 1) || !(f.GridIntensity >= 0 && f.GridIntensity <= 5000) {
		return bad("grid", "renewable share 0..1 and a non-negative grid intensity")
	}
	switch f.Access {
	case "", AccessPublic, AccessMembers, AccessCommercial, AccessRestricted:
	default:
		return bad("access", "public, members, commercial or restricted, got %q", f.Access)
	}
	for i, m := range f.Machines {
		field := fmt.Sprintf("machines[%d]", i)
		if !m.Process.Valid() || m.Process == design.ProcessUnknown {
			return bad(field+".process", "%q is not in the process vocabulary", m.Process)
		}
		// Bounds no real machine reaches: 100 m envelopes, 100,000 an
		// hour, a week of 168 hours for each of up to 1,000 machines.
		for _, v := range []struct {
			name  string
			value float64
			most  float64
		}{{"envelope", m.Envelope.X, 1e5}, {"envelope", m.Envelope.Y, 1e5}, {"envelope", m.Envelope.Z, 1e5},
			{"hourly_rate", m.HourlyRate, 1e5}, {"setup_fee", m.SetupFee, 1e6}, {"capacity_hours", m.CapacityHours, 168 * 1000}, {"power_kw", m.PowerKW, 1e4}} {
			if !(v.value >= 0 && v.value <= v.most) {
				return bad(field+"."+v.name, "a number from 0 to %g", v.most)
			}
		}
		if m.Quantity < 0 || m.Quantity > 1000 {
			return bad(field+".quantity", "0 to 1000 machines")
		}
		if len(m.Name) > 100 {
			return bad(field+".name", "at most 100 characters")
		}
		if m.Hours != nil {
			if err := m.Hours.Validate(field + ".hours"); err != nil {
				return err
			}
		}
		if m.Use != nil {
			if err := m.Use.validate(field + ".use"); err != nil {
				return err
			}
		}
	}
	return nil
}

func (u *Use) validate(field string) error {
	bad := func(f, format string, args ...any) error {
		return &dgml.Error{Kind: dgml.Invalid, Op: "facility.Validate", Field: field + f, Msg: fmt.Sprintf(format, args...)}
	}
	if len(u.Rules) > 20 {
		return bad(".rules", "at most 20 rules")
	}
	for i, r := range u.Rules {
		f := fmt.Sprintf(".rules[%d]", i)
		switch r.Who {
		case WhoPublic, WhoMembers:
		case WhoQualified:
			if q := strings.TrimSpace(r.Qualification); q == "" || len(q) > 60 {
				return bad(f+".qualification", "name the qualification the workshop grants (up to 60 characters)")
			}
		default:
			return bad(f+".who", "public, members or qualified, got %q", r.Who)
		}
		if !(r.PricePerHour >= 0 && r.PricePerHour <= 1e5) {
			return bad(f+".price_per_hour", "a number from 0 to 100000")
		}
	}
	if u.Currency != "" && !currencyRe.MatchString(u.Currency) {
		return bad(".currency", "an ISO 4217 code such as EUR, got %q", u.Currency)
	}
	if !(u.CancelHours >= 0 && u.CancelHours <= 24*90) {
		return bad(".cancel_hours", "0 to 2160 hours")
	}
	if !(u.MaxHours >= 0 && u.MaxHours <= 24*14) {
		return bad(".max_hours", "0 to 336 hours")
	}
	return nil
}

var currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)

// Fits reports whether a part of the given size fits the envelope in one
// of the six axis-aligned orientations: sorting both sizes compares the
// best pairing of axes. An unknown envelope is taken to fit.
func (m *Machine) Fits(part design.Dimensions) bool {
	e := m.Envelope
	if e.X == 0 && e.Y == 0 && e.Z == 0 {
		return true
	}
	p := sorted3(part.X, part.Y, part.Z)
	q := sorted3(e.X, e.Y, e.Z)
	return p[0] <= q[0] && p[1] <= q[1] && p[2] <= q[2]
}

func sorted3(a, b, c float64) [3]float64 {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b, c = c, b
	}
	if a > b {
		a, b = b, a
	}
	return [3]float64{a, b, c}
}

// Works reports whether the machine works a material; a machine that
// lists none is taken to work any.
func (m *Machine) Works(material string) bool {
	if len(m.Materials) == 0 || material == "" {
		return true
	}
	want := NormalizeMaterial(material)
	for _, x := range m.Materials {
		if x == want {
			return true
		}
	}
	return false
}

// NormalizeMaterial gives a material name its common lower-case form
// ("Polylactic acid", "pla", "https://en.wikipedia.org/wiki/PLA" → "pla").
func NormalizeMaterial(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "/wiki/"); i >= 0 {
		s = s[i+6:]
	}
	s = strings.ToLower(strings.ReplaceAll(s, "_", " "))
	if a, ok := materialAliases[s]; ok {
		return a
	}
	// A description ("steel tube 40x40x2", "plywood 12 mm") names its
	// material among other words.
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '-' || r == '/' }) {
		if a, ok := materialAliases[w]; ok {
			return a
		}
		if baseMaterials[w] {
			return w
		}
	}
	return s
}

// baseMaterials are the materials machines are described by.
var baseMaterials = map[string]bool{
	"pla": true, "petg": true, "abs": true, "asa": true, "tpu": true, "nylon": true, "resin": true,
	"wood": true, "acrylic": true, "aluminium": true, "steel": true, "copper": true, "brass": true,
	"hdpe": true, "felt": true, "cardboard": true, "vinyl": true, "leather": true, "fabric": true,
	"foam": true, "composite": true, "plastic": true,
}

var materialAliases = map[string]string{
	"polylactic acid": "pla", "aluminum": "aluminium", "pmma": "acrylic", "plexiglass": "acrylic",
	"plywood": "wood", "mdf": "wood", "timber": "wood", "softwood": "wood", "hardwood": "wood",
	"stainless steel": "steel", "mild steel": "steel", "polyamide": "nylon", "pa": "nylon",
	"pet-g": "petg", "thermoplastic polyurethane": "tpu",
}

// Nearer is a store that answers near queries through an index of its
// own (a hub's database): facilities within radiusKm of p, nearest
// first, with their distances.
type Nearer interface {
	FacilitiesNear(ctx context.Context, p geo.Point, radiusKm float64, limit int) ([]Facility, []float64, error)
}

// Store keeps facilities.
type Store interface {
	// CreateFacility stores a new facility; an id already stored is a
	// conflict, never a replacement.
	CreateFacility(ctx context.Context, f *Facility) error
	// UpdateFacility replaces the facility stored under f.ID.
	UpdateFacility(ctx context.Context, f *Facility) error
	Facility(ctx context.Context, ref string) (*Facility, error)
	DeleteFacility(ctx context.Context, ref string) error
	// Facilities lists every facility (the network index is built from
	// it); FacilitiesVersion changes whenever one does.
	Facilities(ctx context.Context) ([]Facility, error)
	FacilitiesVersion(ctx context.Context) (int64, error)
}

// BatchStore is a Store that stores many new facilities at once, as an
// import of thousands does; Store.CreateFacility one by one is the same
// but slower.
type BatchStore interface {
	CreateFacilities(ctx context.Context, fs []*Facility) error
}

// Disclosure says what of a workshop's record leaves this node for its
// peers: to everyone, to the nodes that follow this one (fetched with a
// signed request), or to nobody; and which groups of fields beyond its
// name, place (to about a kilometre) and kind of access.
type Disclosure struct {
	Visibility string   `json:"visibility"`      // public, followers, none
	Share      []string `json:"share,omitempty"` // contact, location, machines, rates
}

// Visibilities and the field groups a workshop may share.
const (
	VisibilityPublic    = "public"
	VisibilityFollowers = "followers"
	VisibilityNone      = "none"

	ShareContact  = "contact"  // contact, address
	ShareLocation = "location" // the exact place rather than one rounded to about 1 km
	ShareMachines = "machines" // machines, what they take and make
	ShareRates    = "rates"    // hourly rates and set-up fees
)

// DefaultDisclosure is what a workshop that chose nothing publishes:
// its machines, so that plans elsewhere can use it, and nothing that
// reaches a person or prices the work.
var DefaultDisclosure = Disclosure{Visibility: VisibilityPublic, Share: []string{ShareMachines}}

// Disclosed is the record's disclosure, or the default.
func (f *Facility) Disclosed() Disclosure {
	if f.Disclosure == nil {
		return DefaultDisclosure
	}
	return *f.Disclosure
}

// ValidDisclosure checks a disclosure's words.
func ValidDisclosure(d Disclosure) error {
	switch d.Visibility {
	case VisibilityPublic, VisibilityFollowers, VisibilityNone:
	default:
		return &dgml.Error{Kind: dgml.Invalid, Field: "disclosure.visibility", Msg: "public, followers or none"}
	}
	for _, s := range d.Share {
		switch s {
		case ShareContact, ShareLocation, ShareMachines, ShareRates:
		default:
			return &dgml.Error{Kind: dgml.Invalid, Field: "disclosure.share", Msg: fmt.Sprintf("%q is not a field group (contact, location, machines, rates)", s)}
		}
	}
	return nil
}

// Redacted is the record as its disclosure lets it leave the node.
func (f *Facility) Redacted() Facility {
	d := f.Disclosed()
	shares := func(g string) bool { return slices.Contains(d.Share, g) }
	r := *f
	r.Disclosure = nil
	r.Home = ""
	if !shares(ShareContact) {
		r.Contact, r.Address = "", ""
	}
	if !shares(ShareLocation) {
		r.Location.Lat = math.Round(r.Location.Lat*100) / 100
		r.Location.Lon = math.Round(r.Location.Lon*100) / 100
		r.Address = ""
	}
	r.Machines = nil
	if shares(ShareMachines) {
		r.Machines = slices.Clone(f.Machines)
		if !shares(ShareRates) {
			for i := range r.Machines {
				r.Machines[i].HourlyRate, r.Machines[i].SetupFee = 0, 0
			}
		}
	}
	if r.Machines == nil {
		r.Machines = []Machine{}
	}
	return r
}

// KeepMachineIDs gives the machines of an updated record that came
// without ids (an OKW file imported again, a form that does not carry
// them) the ids of the stored record's machines they match — same name,
// process, make and model, in order — so that their bookings and jobs
// still name them. Machines with ids, and those matching none, are left.
func KeepMachineIDs(old, f *Facility) {
	key := func(m *Machine) string {
		return strings.ToLower(strings.Join([]string{m.Name, string(m.Process), m.Make, m.Model}, "\x00"))
	}
	taken := map[string]bool{}
	for _, m := range f.Machines {
		if m.ID != "" {
			taken[m.ID] = true
		}
	}
	for i := range f.Machines {
		m := &f.Machines[i]
		if m.ID != "" {
			continue
		}
		for j := range old.Machines {
			o := &old.Machines[j]
			if !taken[o.ID] && key(o) == key(m) {
				m.ID = o.ID
				taken[o.ID] = true
				break
			}
		}
	}
}
