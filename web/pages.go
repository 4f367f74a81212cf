package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/network"
	"github.com/dgml/dgml/param"
)

// where reads a place from a form: "near" as LAT,LON (the browser's
// location fills it), else "place" as coordinates or a known city.
func where(r *http.Request) (geo.Point, string, error) {
	q := r.URL.Query()
	if n := strings.TrimSpace(q.Get("near")); n != "" {
		p, err := param.Point("near", n)
		return p, n, err
	}
	place := strings.TrimSpace(q.Get("place"))
	if place == "" {
		return geo.Point{}, "", &dgml.Error{Kind: dgml.Invalid, Field: "place", Msg: "say where: a city (e.g. Athens) or LAT,LON"}
	}
	if p, err := param.Point("place", place); err == nil {
		return p, place, nil
	}
	if p, ok := geo.Place(place); ok {
		return p, place, nil
	}
	return geo.Point{}, place, &dgml.Error{Kind: dgml.Invalid, Field: "place", Msg: fmt.Sprintf("%q is not a place this node knows: give a large city or LAT,LON", place)}
}

func (s *Site) plan(w http.ResponseWriter, r *http.Request) (*view, error) {
	q := r.URL.Query()
	req := network.PlanRequest{Design: r.PathValue("ref")}
	// A place, quantity or radius that cannot be read sends the person
	// back to the design page, with what they typed and why beside it.
	errs := map[string]string{}
	note := func(err error) {
		if e, ok := err.(*dgml.Error); ok && e.Kind == dgml.Invalid {
			errs[e.Field] = e.Msg
		}
	}
	at, placeName, err := where(r)
	note(err)
	req.Near = at
	if req.Quantity, err = param.Positive("qty", q.Get("qty"), param.MaxQuantity, 1); err != nil {
		note(err)
	}
	if req.RadiusKm, err = param.Positive("radius", q.Get("radius"), param.MaxRadiusKm, 50); err != nil {
		note(err)
	}
	if req.DeadlineHours, err = param.Deadline(q.Get("deadline")); err != nil {
		note(err)
	}
	if req.TimeValueEURPerDay, err = param.TimeValue("time_value", q.Get("time_value")); err != nil {
		note(err)
	}
	if len(errs) > 0 {
		if _, ok := errs["near"]; ok {
			errs["place"] = errs["near"]
		}
		v, err := s.design(w, r)
		if err != nil {
			return nil, err
		}
		v.data["PlanErrors"], v.data["PlanForm"] = errs, map[string]string{"place": q.Get("place"), "qty": q.Get("qty"), "radius": q.Get("radius"), "time_value": q.Get("time_value")}
		v.status = http.StatusUnprocessableEntity
		return v, nil
	}
	res, err := s.network.Plan(r.Context(), req)
	if err != nil {
		return nil, err
	}
	pts := []mapPoint{{At: at, Label: "You: " + placeName, Kind: "user"}}
	for _, p := range res.Pickups {
		pts = append(pts, mapPoint{At: p.Location, Label: p.Facility, Kind: "chosen"})
	}
	groups := map[string][]bar{
		"Cost, EUR": {{"Made locally", res.Totals.CostEUR, money(res.Totals.CostEUR)}},
		"kg CO2e":   {{"Made locally", res.Totals.CO2eKg, kgText(res.Totals.CO2eKg)}},
		"Lead time": {{"Made locally", res.Totals.LeadHours, hoursText(res.Totals.LeadHours)}},
	}
	for _, b := range res.Baseline {
		label := strings.TrimPrefix(b.Name, "made in ")
		groups["Cost, EUR"] = append(groups["Cost, EUR"], bar{label, b.CostEUR, money(b.CostEUR)})
		groups["kg CO2e"] = append(groups["kg CO2e"], bar{label, b.CO2eKg, kgText(b.CO2eKg)})
		groups["Lead time"] = append(groups["Lead time"], bar{label, b.LeadHours, hoursText(b.LeadHours)})
	}
	return page("plan.html", "Plan: "+res.Design.Name, map[string]any{
		"Plan": res, "Place": placeName, "Map": s.liveMap(pts, true, "Map of you and the chosen facilities"),
		"Chart": barChart("Totals beside the industrial baseline", groups, []string{"Cost, EUR", "kg CO2e", "Lead time"}),
		"Why":   network.Why,
		// The order form starts from the plan's quantity, two weeks out.
		"OrderForm":   map[string]string{"quantity": strconv.Itoa(max(1, int(res.Request.Quantity))), "deadline": time.Now().AddDate(0, 0, 14).Format(time.DateOnly)},
		"OrderErrors": map[string]string{},
		// Nothing in reach, or a lead time nobody would wait for, is said
		// in words, with a wider search offered.
		"Wider":      widerPlan(r, req.RadiusKm),
		"TooLong":    res.Totals.LeadHours > tooLongHours,
		"BoughtCost": boughtTotals(res.Bought),
	}), nil
}

// tooLongHours is the lead time past which the plan page warns: about
// two months of machine queue.
const tooLongHours = 60 * 24

// widerPlan is the same plan's address with four times the radius.
func widerPlan(r *http.Request, radius float64) string {
	q := r.URL.Query()
	q.Set("radius", strconv.Itoa(int(min(radius*4, param.MaxRadiusKm))))
	return r.URL.Path + "?" + q.Encode()
}

// boughtTotals adds up the priced items to buy, by currency.
func boughtTotals(bs []network.Bought) map[string]float64 {
	out := map[string]float64{}
	for _, b := range bs {
		if b.Price > 0 {
			out[b.Currency] += b.Price * b.Quantity
		}
	}
	return out
}

func (s *Site) facilities(w http.ResponseWriter, r *http.Request) (*view, error) {
	q := r.URL.Query()
	data := map[string]any{"Process": q.Get("process"), "Material": q.Get("material"), "Place": q.Get("place"), "Radius": q.Get("radius")}
	var pts []mapPoint
	type item struct {
		F  *facility.Facility
		Km float64
		Ms []facility.Machine
		// AskFirst: its machines list no materials; shown because no
		// workshop in reach lists the one asked for.
		AskFirst bool
	}
	var items []item
	if q.Get("place") != "" || q.Get("near") != "" {
		at, _, err := where(r)
		if err != nil {
			return nil, err
		}
		nq := network.Query{Near: at, Material: q.Get("material")}
		if nq.RadiusKm, err = param.Positive("radius", q.Get("radius"), param.MaxRadiusKm, 100); err != nil {
			return nil, err
		}
		if p := q.Get("process"); p != "" {
			nq.Process = design.Process(p)
		}
		hits, err := s.network.Near(r.Context(), nq)
		if err != nil {
			return nil, err
		}
		pts = append(pts, mapPoint{At: at, Label: "Search centre", Kind: "user"})
		for _, h := range hits {
			items = append(items, item{h.Facility, h.Km, h.Machines, h.AskFirst})
		}
	} else {
		all, err := s.network.All(r.Context())
		if err != nil {
			return nil, err
		}
		for _, f := range network.Sorted(all) {
			f := f
			keep := false
			for _, m := range f.Machines {
				if (q.Get("process") == "" || string(m.Process) == q.Get("process")) && (q.Get("material") == "" || (len(m.Materials) > 0 && m.Works(q.Get("material")))) {
					keep = true
				}
			}
			if keep || (q.Get("process") == "" && q.Get("material") == "") {
				items = append(items, item{F: &f, Km: -1, Ms: f.Machines})
			}
		}
	}
	for _, it := range items {
		pts = append(pts, mapPoint{At: it.F.Location, Label: it.F.Name, Kind: "facility", Link: "/facilities/" + it.F.Slug})
	}
	data["Items"] = items
	data["Map"] = s.liveMap(pts, len(pts) > 0 && (q.Get("place") != "" || q.Get("near") != ""), "Map of the facilities listed")
	data["Withdrawn"] = r.URL.Query().Get("withdrawn")
	return page("facilities.html", "Facilities", data), nil
}

func (s *Site) facility(w http.ResponseWriter, r *http.Request) (*view, error) {
	f, err := s.network.Store.Facility(r.Context(), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	operator := f.Home == "" && me(r) != nil && account.Permit(r.Context(), s.network.Roles, me(r), account.Operator, f.ID) == nil
	return page("facility.html", f.Name, map[string]any{"F": f, "Operator": operator, "Saved": r.URL.Query().Get("saved") != "",
		"Map": s.liveMap([]mapPoint{{At: f.Location, Label: f.Name, Kind: "chosen"}}, true, "Where "+f.Name+" is")}), nil
}

func (s *Site) uploadForm(w http.ResponseWriter, r *http.Request) (*view, error) {
	if me(r) == nil {
		return &view{redirect: "/login?next=" + url.QueryEscape(r.URL.RequestURI())}, nil
	}
	into, err := s.uploadInto(r, r.URL.Query().Get("into"))
	if err != nil {
		return nil, err
	}
	return page("upload.html", "Upload a design", map[string]any{"Errors": map[string]string{}, "Into": into}), nil
}

// uploadInto finds the design an upload goes into, which the person
// must maintain (nil: a new design).
func (s *Site) uploadInto(r *http.Request, ref string) (*design.Design, error) {
	if ref == "" || s.people == nil {
		return nil, nil
	}
	d, err := s.commons.Store.Design(r.Context(), ref)
	if err != nil {
		return nil, err
	}
	if err := s.mayEdit(r, d); err != nil {
		return nil, err
	}
	return d, nil
}

// upload takes a manifest or an archive of a manifest folder, as the
// API's import does; the importer's errors go next to the field.
func (s *Site) upload(w http.ResponseWriter, r *http.Request) (*view, error) {
	into, err := s.uploadInto(r, r.PostFormValue("into"))
	if err != nil {
		return nil, err
	}
	fail := func(field, msg string, warnings any) *view {
		v := page("upload.html", "Upload a design", map[string]any{"Errors": map[string]string{field: msg}, "Warnings": warnings, "Into": into})
		v.status = http.StatusUnprocessableEntity
		return v
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return fail("file", "choose an okh.toml, okh.yml or a zip/tar of a manifest folder", nil), nil
	}
	defer file.Close()
	dir, err := mkTemp(s.tmpDir)
	if err != nil {
		return nil, err
	}
	defer removeAll(dir)
	targets, err := commons.Unbundle(file, hdr.Filename, hdr.Header.Get("Content-Type"), s.tmpDir, dir)
	if err != nil {
		return fail("file", relative(err.Error(), dir), nil), nil
	}
	var last *commons.Imported
	if into != nil && len(targets) != 1 {
		return fail("file", fmt.Sprintf("the archive holds %d manifests: a new revision comes from one", len(targets)), nil), nil
	}
	dest := ""
	if into != nil {
		dest = into.ID
	}
	for _, t := range targets {
		res, err := s.people.Import(r.Context(), me(r), t, dest)
		if err != nil {
			field := "file"
			if e, ok := err.(*dgml.Error); ok && e.Field != "" {
				field = "manifest"
			}
			return fail(field, relative(err.Error(), dir), nil), nil
		}
		last = res
	}
	return &view{redirect: "/designs/" + last.Design.Slug}, nil
}

func relative(s, dir string) string { return strings.ReplaceAll(s, dir+"/", "") }
