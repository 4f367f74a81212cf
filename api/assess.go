package api

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/license"
	"github.com/dgml/dgml/people"
)

func (s *Server) assessRoutes() {
	s.handle("GET", "/api/v1/licenses/check", s.licenseCheck)
	s.handle("GET", "/api/v1/designs/{ref}/reports", s.listReports)
	s.handle("POST", "/api/v1/designs/{ref}/reports", s.addReport)
	s.handle("GET", "/api/v1/designs/{ref}/maturity", s.maturity)
	s.handle("POST", "/api/v1/designs/{ref}/attestations", s.attest)
	s.handle("POST", "/api/v1/designs/{ref}/votes", s.vote)
	s.handle("GET", "/api/v1/designs/{ref}/texts", s.texts)
	s.handle("POST", "/api/v1/designs/{ref}/translations", s.translate)
	s.handle("POST", "/api/v1/designs/{ref}/translations/adopt", s.adopt)
	s.handle("GET", "/api/v1/designs/{ref}/attribution", s.attribution)
	s.handle("GET", "/api/v1/standing", s.standingPolicy)
	s.handle("PUT", "/api/v1/standing", s.setStandingPolicy)
	s.handle("POST", "/api/v1/people/{name}/vouch", s.vouch)
}

func (s *Server) standingPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := s.cfg.People.StandingPolicy(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"policy": p, "text": p.Text()})
}

func (s *Server) setStandingPolicy(w http.ResponseWriter, r *http.Request) error {
	var p assess.StandingPolicy
	if err := body(r, &p); err != nil {
		return err
	}
	if err := s.cfg.People.SetStandingPolicy(r.Context(), caller(r), p); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"policy": p, "text": p.Text()})
}

func (s *Server) vouch(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Note string `json:"note"`
	}
	if err := body(r, &in); err != nil {
		return err
	}
	if err := s.cfg.People.Vouch(r.Context(), caller(r), r.PathValue("name"), in.Note); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// reportOwned are the fields of a report the node sets.
var reportOwned = []string{"id", "design_id", "author", "created"}

// decodeReport reads the "report" field of a multipart report as body
// does a JSON request.
func decodeReport(data []byte, rep *assess.Report) error {
	r, _ := http.NewRequest("POST", "/", bytes.NewReader(data))
	err := body(r, rep, reportOwned...)
	if e, ok := err.(*dgml.Error); ok && e.Field == "" {
		e.Field = "report"
	}
	return err
}

func (s *Server) licenseCheck(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d, m := strings.TrimSpace(q.Get("design")), strings.TrimSpace(q.Get("module"))
	if d == "" || m == "" {
		return &dgml.Error{Kind: dgml.Invalid, Field: "design", Msg: "give both licences: ?design=EXPR&module=EXPR"}
	}
	v := license.Check(d, m)
	return writeJSON(w, http.StatusOK, map[string]any{"design": d, "module": m, "result": v.Result, "reason": v.Reason, "conditions": license.Conditions(d)})
}

func (s *Server) listReports(w http.ResponseWriter, r *http.Request) error {
	_, f, err := s.cfg.People.Reports(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, f)
}

// addReport takes a report as JSON, or as a multipart form with the
// report in a "report" field and photos as "photo" files.
func (s *Server) addReport(w http.ResponseWriter, r *http.Request) error {
	var rep assess.Report
	var photos []people.Photo
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return &dgml.Error{Kind: dgml.Invalid, Msg: "expected a multipart form", Err: err}
		}
		defer r.MultipartForm.RemoveAll()
		if err := decodeReport([]byte(r.FormValue("report")), &rep); err != nil {
			return err
		}
		if photos, err = people.ReadPhotos(r.MultipartForm.File["photo"]); err != nil {
			return err
		}
	} else {
		if err := body(r, &rep, reportOwned...); err != nil {
			return err
		}
	}
	if err := s.cfg.People.Report(r.Context(), caller(r), r.PathValue("ref"), &rep, photos); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, rep)
}

func (s *Server) maturity(w http.ResponseWriter, r *http.Request) error {
	d, m, err := s.cfg.People.Maturity(r.Context(), r.PathValue("ref"), r.URL.Query().Get("revision"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"design": d, "maturity": m})
}

func (s *Server) attest(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Revision string `json:"revision"`
		Holds    *bool  `json:"holds"`
		Note     string `json:"note"`
	}
	if err := body(r, &in); err != nil {
		return err
	}
	if in.Holds == nil {
		return &dgml.Error{Kind: dgml.Invalid, Field: "holds", Msg: "true if the documentation is enough to build it, false if not"}
	}
	a, err := s.cfg.People.Attest(r.Context(), caller(r), r.PathValue("ref"), in.Revision, *in.Holds, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, a)
}

func (s *Server) vote(w http.ResponseWriter, r *http.Request) error {
	var in assess.Vote
	if err := body(r, &in, "design_id", "voter", "created"); err != nil {
		return err
	}
	v, err := s.cfg.People.Vote(r.Context(), caller(r), r.PathValue("ref"), in.Revision, in.Scale, in.Level, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, v)
}

func (s *Server) texts(w http.ResponseWriter, r *http.Request) error {
	l, err := s.cfg.People.Localise(r.Context(), r.PathValue("ref"), r.URL.Query().Get("lang"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, l)
}

func (s *Server) translate(w http.ResponseWriter, r *http.Request) error {
	var t design.TextTranslation
	if err := body(r, &t, "design_id", "source", "source_revision", "author", "created"); err != nil {
		return err
	}
	if err := s.cfg.People.Translate(r.Context(), caller(r), r.PathValue("ref"), &t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, t)
}

func (s *Server) attribution(w http.ResponseWriter, r *http.Request) error {
	a, err := s.cfg.People.Attribution(r.Context(), r.PathValue("ref"), r.URL.Query().Get("revision"))
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "text" {
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		_, err := w.Write([]byte(a.Text()))
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

func (s *Server) adopt(w http.ResponseWriter, r *http.Request) error {
	d, langs, err := s.cfg.People.Adopt(r.Context(), caller(r), r.PathValue("ref"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"design": d, "adopted": langs})
}
