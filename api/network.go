package api

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/network"
	"github.com/dgml/dgml/okw"
	"github.com/dgml/dgml/param"
)

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
	if nq.Near, err = param.Point("near", q.Get("near")); err != nil {
		return nq, err
	}
	if nq.RadiusKm, err = param.Positive("radius", q.Get("radius"), param.MaxRadiusKm, 0); err != nil {
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
	nq.Limit, err = param.Int("limit", q.Get("limit"), 0, param.MaxNearLimit, 0)
	return nq, err
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
	// back with PUT; whether it is demo data, and which node it was
	// learned from, are the node's to say.
	f.Demo, f.Home = false, ""
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
	fs, warns, err := okw.Parse(r.Context(), name, body)
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
	if req.Near, err = param.Point("near", q.Get("near")); err != nil {
		return err
	}
	if req.Quantity, err = param.Positive("qty", q.Get("qty"), param.MaxQuantity, 1); err != nil {
		return err
	}
	if req.RadiusKm, err = param.Positive("radius", q.Get("radius"), param.MaxRadiusKm, 50); err != nil {
		return err
	}
	if req.UnitPriceEUR, err = param.Float("unit_price", q.Get("unit_price"), 0, param.MaxPriceEUR, 0); err != nil {
		return err
	}
	if req.DeadlineHours, err = param.Deadline(q.Get("deadline")); err != nil {
		return err
	}
	if req.TimeValueEURPerDay, err = param.TimeValue("time_value", q.Get("time_value")); err != nil {
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
