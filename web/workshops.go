package web

import (
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/param"
)

// The workshop form registers a workshop and edits it later: any number
// of machines ("more machines" adds rows and keeps what was typed), its
// place by coordinates, a city of the offline gazetteer or a click on
// the map, and the currency of its rates.

// Machine rows: how many a new workshop's form offers, how many blank
// ones follow a workshop's own, and the most a form may post.
const (
	machineRows  = 3
	blankMachine = 1
	maxMachines  = 200
)

// Bounds of what a workshop may say, so that a typing slip (a build
// volume in metres, a year's hours) is caught before it reaches plans.
const (
	maxEnvelopeMM = 20000 // 20 m: the largest gantry or sheet
	maxWeekHours  = 168
	maxRate       = 10000
)

func (s *Site) facilityForm(w http.ResponseWriter, r *http.Request) (*view, error) {
	if me(r) == nil {
		return &view{redirect: "/login?next=/facilities/new"}, nil
	}
	form := map[string]string{"visibility": "public", "share_machines": "on", "currency": "EUR"}
	return workshopView(nil, form, machineRows, map[string]string{}, nil, http.StatusOK), nil
}

// workshopView renders the form, for a new workshop (f nil) or f.
func workshopView(f *facility.Facility, form map[string]string, rows int, errs map[string]string, dups []facility.Facility, status int) *view {
	title := "Register a workshop"
	if f != nil {
		title = "Edit " + f.Name
	}
	v := page("facility_form.html", title, map[string]any{"Rows": make([]struct{}, rows), "Form": form, "Errors": errs, "Editing": f, "Duplicates": dups,
		"Currencies": currencyCodes, "Map": true})
	v.status = status
	return v
}

// currencyCodes are offered for rates; any ISO 4217 code is taken.
var currencyCodes = []string{"EUR", "USD", "GBP", "CHF", "KES", "INR", "BRL", "ZAR", "NGN", "GHS", "MXN", "COP", "ARS", "PHP", "IDR"}

func postedForm(r *http.Request) map[string]string {
	form := map[string]string{}
	for k, v := range r.PostForm {
		form[k] = v[0]
	}
	return form
}

func machineCount(r *http.Request, least int) int {
	n, err := strconv.Atoi(r.PostForm.Get("machines"))
	if err != nil || n < least {
		n = least
	}
	return min(n, maxMachines)
}

func (s *Site) registerFacility(w http.ResponseWriter, r *http.Request) (*view, error) {
	if me(r) == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to register a workshop"}
	}
	form := postedForm(r)
	rows := machineCount(r, machineRows)
	if r.PostForm.Get("more") != "" {
		return workshopView(nil, form, rows+blankMachine, map[string]string{}, nil, http.StatusOK), nil
	}
	errs := map[string]string{}
	f := facilityFromForm(r, rows, errs)
	if len(errs) == 0 && r.PostForm.Get("not_a_duplicate") == "" {
		// The same workshop registered twice makes plans count its
		// machines twice: ask before adding one that looks like another.
		dups, err := s.lookalikes(r, f)
		if err != nil {
			return nil, err
		}
		if len(dups) > 0 {
			errs["duplicate"] = "A workshop of this name is already listed near this place. If it is yours, ask its operators to add you; if this is another workshop, tick the box and register again."
			return workshopView(nil, form, rows, errs, dups, http.StatusConflict), nil
		}
	}
	if len(errs) == 0 {
		if err := invalidTo(errs, s.network.Register(r.Context(), me(r), f)); err != nil {
			return nil, err
		}
	}
	if len(errs) > 0 {
		return workshopView(nil, form, rows, errs, nil, http.StatusUnprocessableEntity), nil
	}
	return &view{redirect: "/facilities/" + f.Slug}, nil
}

// invalidTo puts a check's refusal beside its field in errs; any other
// error is returned.
func invalidTo(errs map[string]string, err error) error {
	if e, ok := err.(*dgml.Error); ok && e.Kind == dgml.Invalid {
		errs[fieldOr(e.Field, "name")] = e.Msg
		return nil
	}
	return err
}

func fieldOr(field, def string) string {
	if field == "" {
		return def
	}
	return field
}

// lookalikes are listed workshops with the same name within 2 km, or in
// the same city.
func (s *Site) lookalikes(r *http.Request, f *facility.Facility) ([]facility.Facility, error) {
	all, err := s.network.All(r.Context())
	if err != nil {
		return nil, err
	}
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	var out []facility.Facility
	for _, o := range all {
		if o.ID == f.ID || norm(o.Name) != norm(f.Name) {
			continue
		}
		if geo.DistanceKm(o.Location, f.Location) <= 2 || f.City != "" && norm(o.City) == norm(f.City) {
			out = append(out, o)
		}
	}
	return out, nil
}

// formOfFacility fills the form from a stored workshop.
func formOfFacility(f *facility.Facility) map[string]string {
	form := map[string]string{"name": f.Name, "location": fmt.Sprintf("%.5f,%.5f", f.Location.Lat, f.Location.Lon), "address": f.Address, "city": f.City,
		"country": f.Country, "contact": f.Contact, "opening_hours": f.OpeningHours, "access": string(f.Access), "ownership": f.Ownership, "currency": f.Currency}
	if form["currency"] == "" {
		form["currency"] = "EUR"
	}
	if f.GridIntensity > 0 {
		form["grid"] = num(f.GridIntensity)
	}
	d := facility.Disclosure{Visibility: facility.VisibilityPublic, Share: []string{facility.ShareMachines}}
	if f.Disclosure != nil {
		d = *f.Disclosure
	}
	form["visibility"] = d.Visibility
	for _, g := range d.Share {
		form["share_"+g] = "on"
	}
	numOr := func(x float64) string {
		if x == 0 {
			return ""
		}
		return num(x)
	}
	for i, m := range f.Machines {
		p := fmt.Sprintf("m%d_", i)
		form[p+"id"], form[p+"process"], form[p+"make"], form[p+"model"] = m.ID, string(m.Process), m.Make, m.Model
		form[p+"x"], form[p+"y"], form[p+"z"] = numOr(m.Envelope.X), numOr(m.Envelope.Y), numOr(m.Envelope.Z)
		form[p+"materials"] = strings.Join(m.Materials, ", ")
		form[p+"rate"], form[p+"capacity"] = numOr(m.HourlyRate), numOr(m.CapacityHours)
	}
	return form
}

func (s *Site) editFacility(w http.ResponseWriter, r *http.Request) (*view, error) {
	f, err := s.operated(r)
	if err != nil {
		return nil, err
	}
	return workshopView(f, formOfFacility(f), len(f.Machines)+blankMachine, map[string]string{}, nil, http.StatusOK), nil
}

// operated finds the workshop of the request, which the person must
// operate (or be an admin), and which must be this node's own.
func (s *Site) operated(r *http.Request) (*facility.Facility, error) {
	u := me(r)
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in as one of the workshop's operators"}
	}
	f, err := s.network.Store.Facility(r.Context(), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	if f.Home != "" {
		return nil, &dgml.Error{Kind: dgml.Forbidden, Msg: f.Name + " is listed by another node and changes only there"}
	}
	if err := account.Permit(r.Context(), s.network.Roles, u, account.Operator, f.ID); err != nil {
		return nil, err
	}
	return f, nil
}

func (s *Site) updateFacility(w http.ResponseWriter, r *http.Request) (*view, error) {
	old, err := s.operated(r)
	if err != nil {
		return nil, err
	}
	form := postedForm(r)
	rows := machineCount(r, 1)
	if r.PostForm.Get("more") != "" {
		return workshopView(old, form, rows+blankMachine, map[string]string{}, nil, http.StatusOK), nil
	}
	errs := map[string]string{}
	f := facilityFromForm(r, rows, errs)
	if len(errs) == 0 {
		if err := invalidTo(errs, s.network.Update(r.Context(), me(r), old.ID, f)); err != nil {
			return nil, err
		}
	}
	if len(errs) > 0 {
		return workshopView(old, form, rows, errs, nil, http.StatusUnprocessableEntity), nil
	}
	return &view{redirect: "/facilities/" + old.Slug + "?saved=1"}, nil
}

func (s *Site) withdrawFacility(w http.ResponseWriter, r *http.Request) (*view, error) {
	f, err := s.operated(r)
	if err != nil {
		return nil, err
	}
	if r.PostForm.Get("confirm") == "" {
		errs := map[string]string{"confirm": "tick the box to confirm: the listing, its machines and their calendars go"}
		return workshopView(f, formOfFacility(f), len(f.Machines)+blankMachine, errs, nil, http.StatusUnprocessableEntity), nil
	}
	if err := s.network.Withdraw(r.Context(), me(r), f.ID); err != nil {
		return nil, err
	}
	return &view{redirect: "/facilities?withdrawn=" + url.QueryEscape(f.Name)}, nil
}

// facilityFromForm reads the workshop form; errs collects problems by
// field name, as the form names its inputs.
func facilityFromForm(r *http.Request, rows int, errs map[string]string) *facility.Facility {
	v := r.PostForm
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	f := &facility.Facility{Name: get("name"), Address: get("address"), City: get("city"),
		Country: strings.ToUpper(get("country")), Contact: get("contact"), OpeningHours: get("opening_hours"),
		Access: facility.Access(v.Get("access")), Ownership: get("ownership"), Source: "web", Machines: []facility.Machine{},
		Currency: strings.ToUpper(get("currency"))}
	if f.Name == "" {
		errs["name"] = "a workshop needs a name"
	}
	if len(f.Name) > 200 {
		errs["name"] = "at most 200 characters"
	}
	place := get("location")
	if p, err := param.Point("location", place); err == nil {
		f.Location = p
	} else if p, ok := geo.Place(place); ok {
		f.Location = p
		if f.City == "" {
			f.City = place
		}
	} else {
		errs["location"] = "give LAT,LON (e.g. 37.98,23.73), a city the node knows, or click on the map"
	}
	if f.Country != "" && !twoLetters(f.Country) {
		errs["country"] = "the two-letter code, such as GR or KE"
	}
	if f.Contact != "" && !contactLike(f.Contact) {
		errs["contact"] = "an e-mail address, a phone number (+30 210 …) or a web address (https://…)"
	}
	if f.Currency == "" {
		f.Currency = "EUR"
	}
	if !design.CurrencyCode(f.Currency) {
		errs["currency"] = "a three-letter code such as EUR, KES or USD"
	}
	num := func(field string, max float64, what string) float64 {
		s := get(field)
		if s == "" {
			return 0
		}
		x, err := param.Float(field, strings.Replace(s, ",", ".", 1), 0, max, 0)
		if err != nil {
			errs[field] = fmt.Sprintf("%s from 0 to %s", what, num(max))
		}
		return x
	}
	f.GridIntensity = num("grid", 2000, "grams per kWh")
	for i := 0; i < rows; i++ {
		pfx := fmt.Sprintf("m%d_", i)
		proc := v.Get(pfx + "process")
		if proc == "" {
			continue
		}
		m := facility.Machine{ID: get(pfx + "id"), Process: design.Process(proc), Make: get(pfx + "make"), Model: get(pfx + "model"),
			Envelope:   design.Dimensions{X: num(pfx+"x", maxEnvelopeMM, "millimetres"), Y: num(pfx+"y", maxEnvelopeMM, "millimetres"), Z: num(pfx+"z", maxEnvelopeMM, "millimetres")},
			HourlyRate: num(pfx+"rate", maxRate, "a rate"), CapacityHours: num(pfx+"capacity", maxWeekHours, "hours (a week has 168)")}
		if !m.Process.Valid() {
			errs[pfx+"process"] = "choose a process from the list"
		}
		for _, mat := range strings.Split(v.Get(pfx+"materials"), ",") {
			if mat = strings.TrimSpace(mat); mat != "" {
				m.Materials = append(m.Materials, facility.NormalizeMaterial(mat))
			}
		}
		f.Machines = append(f.Machines, m)
	}
	// What other nodes may see of it: the form's first showing checks
	// the machines only, the default.
	d := facility.Disclosure{Visibility: v.Get("visibility")}
	if d.Visibility == "" {
		d.Visibility = facility.VisibilityPublic
	}
	for _, g := range []string{facility.ShareMachines, facility.ShareLocation, facility.ShareContact, facility.ShareRates} {
		if v.Get("share_"+g) != "" {
			d.Share = append(d.Share, g)
		}
	}
	if err := facility.ValidDisclosure(d); err != nil {
		errs["visibility"] = "every node, only nodes that follow this one, or none"
	}
	f.Disclosure = &d
	return f
}

func twoLetters(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// contactLike accepts an e-mail address, a phone number or a web
// address: what a person can use to reach the workshop.
func contactLike(s string) bool {
	if strings.Contains(s, "@") {
		_, err := mail.ParseAddress(s)
		return err == nil
	}
	if u, err := url.Parse(s); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		return true
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+ ()-./", r):
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 15
}
