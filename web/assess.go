package web

import (
	"github.com/dgml/dgml"
	"net/http"
	"strconv"
	"strings"

	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/license"
	"github.com/dgml/dgml/param"
	"github.com/dgml/dgml/people"
)

func (s *Site) assessPages(mux *http.ServeMux) {
	mux.HandleFunc("GET /licenses", s.page(s.licenses))
	if s.people == nil {
		return
	}
	mux.HandleFunc("GET /designs/{ref}/maturity", s.page(s.maturity))
	mux.HandleFunc("POST /designs/{ref}/attestations", s.page(s.attest))
	mux.HandleFunc("POST /designs/{ref}/votes", s.page(s.vote))
	mux.HandleFunc("GET /designs/{ref}/reports", s.page(s.reports))
	mux.HandleFunc("POST /designs/{ref}/reports", s.page(s.addReport))
	mux.HandleFunc("GET /designs/{ref}/translations", s.page(s.translations))
	mux.HandleFunc("POST /designs/{ref}/translations", s.page(s.translate))
	mux.HandleFunc("POST /designs/{ref}/translations/adopt", s.page(s.adopt))
	mux.HandleFunc("GET /designs/{ref}/attribution", s.page(s.attribution))
}

// licenses is the licence checker: two licences in, a verdict and its
// reason out.
func (s *Site) licenses(w http.ResponseWriter, r *http.Request) (*view, error) {
	q := r.URL.Query()
	d, m := strings.TrimSpace(q.Get("design")), strings.TrimSpace(q.Get("module"))
	data := map[string]any{"Known": license.Known, "DesignLic": d, "ModuleLic": m}
	if d != "" && m != "" {
		data["Verdict"] = license.Check(d, m)
		data["Conditions"] = license.Conditions(d)
	}
	return page("licenses.html", "Licence checker", data), nil
}

func (s *Site) maturity(w http.ResponseWriter, r *http.Request) (*view, error) {
	d, m, err := s.people.Maturity(r.Context(), r.PathValue("ref"), r.URL.Query().Get("revision"))
	if err != nil {
		return nil, err
	}
	return page("maturity.html", "Maturity of "+d.Name, map[string]any{"Design": d, "M": m, "Min": assess.MinReviewers,
		"OTRL": m.Readiness["otrl"], "ODRL": m.Readiness["odrl"]}), nil
}

func (s *Site) attest(w http.ResponseWriter, r *http.Request) (*view, error) {
	holds := r.PostFormValue("holds") != "no"
	a, err := s.people.Attest(r.Context(), me(r), r.PathValue("ref"), r.PostFormValue("revision"), holds, r.PostFormValue("note"))
	if err != nil {
		return nil, err
	}
	return &view{redirect: "/designs/" + r.PathValue("ref") + "/maturity?revision=" + a.Revision}, nil
}

func (s *Site) vote(w http.ResponseWriter, r *http.Request) (*view, error) {
	level, _ := strconv.Atoi(r.PostFormValue("level"))
	v, err := s.people.Vote(r.Context(), me(r), r.PathValue("ref"), r.PostFormValue("revision"), r.PostFormValue("scale"), level, r.PostFormValue("reason"))
	if err != nil {
		return nil, err
	}
	return &view{redirect: "/designs/" + r.PathValue("ref") + "/maturity?revision=" + v.Revision}, nil
}

func (s *Site) reports(w http.ResponseWriter, r *http.Request) (*view, error) {
	ctx := r.Context()
	d, rev, err := s.commons.Head(ctx, r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	f, err := s.people.ReportsOf(ctx, d)
	if err != nil {
		return nil, err
	}
	var parts []string
	design.Walk(rev.Parts, func(p []string, part *design.Part) {
		if part.Kind != design.KindBought {
			parts = append(parts, strings.Join(p, " / "))
		}
	})
	return page("reports.html", "Builds of "+d.Name, map[string]any{"Design": d, "F": f, "Parts": parts}), nil
}

func formFloat(r *http.Request, name string) (float64, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, nil
	}
	return param.Float(name, strings.Replace(v, ",", ".", 1), 0, 1e9, 0)
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func (s *Site) addReport(w http.ResponseWriter, r *http.Request) (*view, error) {
	rep := assess.Report{Place: r.PostFormValue("place"), Part: r.PostFormValue("part"), Facility: r.PostFormValue("facility"),
		Machines: splitList(r.PostFormValue("machines")), Materials: splitList(r.PostFormValue("materials")),
		Success: r.PostFormValue("success") != "no", Notes: r.PostFormValue("notes")}
	errs := map[string]string{}
	for name, dst := range map[string]*float64{"quantity": &rep.Quantity, "hours": &rep.Hours, "cost_eur": &rep.CostEUR, "material_g": &rep.MaterialG} {
		var err error
		if *dst, err = formFloat(r, name); err != nil {
			errs[name] = "a number, such as 2 or 3.5"
		}
	}
	var photos []people.Photo
	if r.MultipartForm != nil && len(errs) == 0 {
		var err error
		if photos, err = people.ReadPhotos(r.MultipartForm.File["photo"]); err != nil {
			if dgml.KindOf(err) != dgml.Invalid && dgml.KindOf(err) != dgml.TooLarge {
				return nil, err
			}
			errs["photo"] = err.Error()
		}
	}
	if len(errs) == 0 {
		err := s.people.Report(r.Context(), me(r), r.PathValue("ref"), &rep, photos)
		if e, ok := err.(*dgml.Error); ok && e.Kind == dgml.Invalid {
			errs[reportField(e.Field)] = e.Msg
		} else if err != nil {
			return nil, err
		}
	}
	if len(errs) > 0 {
		// The report comes back with everything typed; photos cannot be
		// refilled by a page, so the form says to choose them again.
		if r.MultipartForm != nil && len(r.MultipartForm.File["photo"]) > 0 && errs["photo"] == "" {
			errs["photo"] = "choose the photos again: a browser does not keep them when a form comes back"
		}
		v, err := s.reports(w, r)
		if err != nil {
			return nil, err
		}
		v.data["RF"], v.data["RE"], v.status = postedForm(r), errs, http.StatusUnprocessableEntity
		return v, nil
	}
	return &view{redirect: "/designs/" + r.PathValue("ref") + "/reports#r-" + rep.ID}, nil
}

// reportField names the report form's input for a field a check names.
func reportField(f string) string {
	switch f {
	case "place", "part", "facility", "machines", "materials", "quantity", "hours", "notes":
		return f
	case "cost", "cost_eur":
		return "cost_eur"
	case "material", "material_g":
		return "material_g"
	}
	return "place"
}

func (s *Site) translations(w http.ResponseWriter, r *http.Request) (*view, error) {
	ctx := r.Context()
	d, rev, err := s.commons.Head(ctx, r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	lang, _ := design.LanguageTag(r.URL.Query().Get("lang"))
	l, err := s.people.LocaliseRevision(ctx, d, rev, lang)
	if err != nil {
		return nil, err
	}
	maintainer := s.people.May(ctx, me(r), account.Maintainer, d.ID) == nil
	return page("translations.html", "Translations of "+d.Name, map[string]any{"L": l, "Units": rev.Units(), "Lang": r.URL.Query().Get("lang"), "IsMaintainer": maintainer}), nil
}

func (s *Site) adopt(w http.ResponseWriter, r *http.Request) (*view, error) {
	d, _, err := s.people.Adopt(r.Context(), me(r), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	return &view{redirect: "/designs/" + d.Slug + "/translations"}, nil
}

func (s *Site) translate(w http.ResponseWriter, r *http.Request) (*view, error) {
	t := design.TextTranslation{Key: r.PostFormValue("key"), Lang: r.PostFormValue("lang"), Title: r.PostFormValue("title"), Text: r.PostFormValue("text")}
	if err := s.people.Translate(r.Context(), me(r), r.PathValue("ref"), &t); err != nil {
		e, ok := err.(*dgml.Error)
		if !ok || e.Kind != dgml.Invalid {
			return nil, err
		}
		field := "text"
		if e.Field == "key" || e.Field == "title" {
			field = e.Field
		}
		q := r.URL.Query()
		q.Set("lang", t.Lang)
		r.URL.RawQuery = q.Encode()
		v, verr := s.translations(w, r)
		if verr != nil {
			return nil, verr
		}
		v.data["TF"], v.data["TE"], v.status = postedForm(r), map[string]string{field: e.Msg}, http.StatusUnprocessableEntity
		return v, nil
	}
	return &view{redirect: "/designs/" + r.PathValue("ref") + "/translations?lang=" + t.Lang}, nil
}

func (s *Site) attribution(w http.ResponseWriter, r *http.Request) (*view, error) {
	a, err := s.people.Attribution(r.Context(), r.PathValue("ref"), r.URL.Query().Get("revision"))
	if err != nil {
		return nil, err
	}
	return page("attribution.html", "Attribution of "+a.Design, map[string]any{"A": a, "Text": a.Text(), "Ref": r.PathValue("ref")}), nil
}
