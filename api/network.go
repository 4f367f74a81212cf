package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/network"
	"github.com/dgml/dgml/okw"
)

// ParsePoint reads "lat,lon".
func ParsePoint(field, s string) (geo.Point, error) {
	a, b, ok := strings.Cut(s, ",")
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	p := geo.Point{Lat: lat, Lon: lon}
	if !ok || err1 != nil || err2 != nil || !p.Valid() {
		return p, &dgml.Error{Kind: dgml.Invalid, Field: field, Msg: "write LAT,LON in degrees, e.g. 37.98,23.73"}
	}
	return p, nil
}

func floatParam(v string, field string) (float64, error) {
	if v == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return 0, &dgml.Error{Kind: dgml.Invalid, Field: field, Msg: "a non-negative number"}
	}
	return f, nil
}

// ParseDeadline reads "72h", "3d" or "2w" as hours.
func ParseDeadline(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	mult := map[byte]float64{'d': 24, 'w': 168}
	if m, ok := mult[s[len(s)-1]]; ok {
		n, err := strconv.ParseFloat(s[:len(s)-1], 64)
		if err == nil && n > 0 {
			return n * m, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, &dgml.Error{Kind: dgml.Invalid, Field: "deadline", Msg: "a duration such as 72h, 5d or 2w"}
	}
	return d.Hours(), nil
}

func (s *Server) listFacilities(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("near") == "" {
		all, err := s.cfg.Network.All(r.Context())
		if err != nil {
			return err
		}
		if all == nil {
			all = []facility.Facility{}
		}
		return writeJSON(w, http.StatusOK, map[string]any{"total": len(all), "items": network.Sorted(all)})
	}
	nq, err := nearQuery(r)
	if err != nil {
		return err
	}
	hits, err := s.cfg.Network.Near(r.Context(), nq)
	if err != nil {
		return err
	}
	if hits == nil {
		hits = []network.Hit{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"total": len(hits), "items": hits})
}

func nearQuery(r *http.Request) (network.Query, error) {
	q := r.URL.Query()
	var nq network.Query
	var err error
	if nq.Near, err = ParsePoint("near", q.Get("near")); err != nil {
		return nq, err
	}
	if nq.RadiusKm, err = floatParam(q.Get("radius"), "radius"); err != nil {
		return nq, err
	}
	if p := q.Get("process"); p != "" {
		proc, ok := design.ParseProcess(p)
		if !ok || proc == design.ProcessUnknown {
			return nq, &dgml.Error{Kind: dgml.Invalid, Field: "process", Msg: "not in the process vocabulary (see /api/v1/processes)"}
		}
		nq.Process = proc
	}
	nq.Material = q.Get("material")
	if l := q.Get("limit"); l != "" {
		nq.Limit, _ = strconv.Atoi(l)
	}
	return nq, nil
}

func readFacility(r *http.Request) (*facility.Facility, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	var f facility.Facility
	if err := json.Unmarshal(body, &f); err != nil {
		return nil, &dgml.Error{Kind: dgml.Invalid, Msg: "not a facility as JSON", Err: err}
	}
	// The node's own fields (id, slug, updated) are set by the store
	// whatever the body says, so that a record read with GET can be sent
	// back with PUT; whether it is demo data is the node's to say.
	f.Demo = false
	return &f, nil
}

func (s *Server) createFacility(w http.ResponseWriter, r *http.Request) error {
	f, err := readFacility(r)
	if err != nil {
		return err
	}
	if err := s.cfg.Network.Register(r.Context(), caller(r), f); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/facilities/"+f.Slug)
	return writeJSON(w, http.StatusCreated, f)
}

func (s *Server) getFacility(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cfg.Network.Store.Facility(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, f)
}

func (s *Server) putFacility(w http.ResponseWriter, r *http.Request) error {
	f, err := readFacility(r)
	if err != nil {
		return err
	}
	if err := s.cfg.Network.Update(r.Context(), caller(r), r.PathValue("ref"), f); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, f)
}

func (s *Server) deleteFacility(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Network.Withdraw(r.Context(), caller(r), r.PathValue("ref")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) facilityOKW(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cfg.Network.Store.Facility(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	b, err := okw.Marshal(f)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+f.Slug+`-okw.json"`)
	return writeRaw(w, "application/json", b)
}

// importFacilities takes OKW JSON (one record or a list), a Map of Makers
// list or a GeoJSON point collection.
func (s *Server) importFacilities(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	name := r.URL.Query().Get("filename")
	if name == "" {
		name = "upload.json"
	}
	fs, warns, err := okw.Parse(name, body)
	if err != nil {
		return err
	}
	res, err := s.cfg.Network.Import(r.Context(), caller(r), fs)
	if err != nil {
		return err
	}
	if warns == nil {
		warns = []okw.Warning{}
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"read": len(fs), "added": len(res.Added), "updated": len(res.Updated), "skipped": res.Skipped, "warnings": warns})
}

func (s *Server) designPlan(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	req := network.PlanRequest{Design: r.PathValue("ref")}
	var err error
	if req.Near, err = ParsePoint("near", q.Get("near")); err != nil {
		return err
	}
	if req.Quantity, err = floatParam(q.Get("qty"), "qty"); err != nil {
		return err
	}
	if req.RadiusKm, err = floatParam(q.Get("radius"), "radius"); err != nil {
		return err
	}
	if req.UnitPriceEUR, err = floatParam(q.Get("unit_price"), "unit_price"); err != nil {
		return err
	}
	if req.DeadlineHours, err = ParseDeadline(q.Get("deadline")); err != nil {
		return err
	}
	res, err := s.cfg.Network.Plan(r.Context(), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *Server) factors(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, s.cfg.Network.Factors)
}
