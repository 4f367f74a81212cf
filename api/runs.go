package api

import (
	"net/http"

	"github.com/dgml/dgml/dispatch"
)

func (s *Server) runRoutes() {
	if s.cfg.Dispatch == nil {
		return
	}
	s.handle("GET", "/api/v1/facilities/{ref}/runs", s.facilityRuns)
	s.handle("GET", "/api/v1/runs/{id}", s.getRun)
	s.handle("POST", "/api/v1/runs/{id}/report", s.reportRun)
	s.handle("POST", "/api/v1/runs/{id}/clear", s.clearRun)
}

// facilityRuns lists a workshop's runs for its operators and its agent:
// machine= keeps one machine's, open=1 those not finished.
func (s *Server) facilityRuns(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cfg.Network.Store.Facility(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := s.cfg.Dispatch.List(r.Context(), caller(r), f.ID, dispatch.Filter{Machine: q.Get("machine"), Open: q.Get("open") != ""})
	if err != nil {
		return err
	}
	if list == nil {
		list = []dispatch.Run{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"total": len(list), "items": list})
}

func (s *Server) getRun(w http.ResponseWriter, r *http.Request) error {
	run, err := s.cfg.Dispatch.Get(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, run)
}

func (s *Server) reportRun(w http.ResponseWriter, r *http.Request) error {
	var rep dispatch.Report
	if err := body(r, &rep); err != nil {
		return err
	}
	run, err := s.cfg.Dispatch.Report(r.Context(), caller(r), r.PathValue("id"), rep)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, run)
}

func (s *Server) clearRun(w http.ResponseWriter, r *http.Request) error {
	run, err := s.cfg.Dispatch.Clear(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, run)
}
