// Package web serves the node's pages: server-rendered HTML from embedded
// templates, usable without JavaScript.
package web

import (
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/api"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/geometry"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Site is the web interface.
type Site struct {
	commons *commons.Service
	log     *slog.Logger
	tmpl    *template.Template
}

// New registers the pages on mux.
func New(c *commons.Service, log *slog.Logger, mux *http.ServeMux) *Site {
	funcs := template.FuncMap{
		"short": func(s string) string {
			if len(s) > 12 {
				return s[:12]
			}
			return s
		},
		"join":  strings.Join,
		"isURL": func(s string) bool { return strings.Contains(s, "://") },
		"mm":    dims,
		"mesh":  meshSum,
	}
	s := &Site{commons: c, log: log, tmpl: template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))}
	mux.Handle("GET /static/", http.FileServerFS(staticFS))
	mux.HandleFunc("GET /{$}", s.page(s.home))
	mux.HandleFunc("GET /designs", s.page(s.designs))
	mux.HandleFunc("GET /designs/{ref}", s.page(s.design))
	return s
}

func (s *Site) page(h func(w http.ResponseWriter, r *http.Request) (string, any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name, data, err := h(w, r)
		if err != nil {
			s.fail(w, err)
			return
		}
		s.render(w, http.StatusOK, name, data)
	}
}

func (s *Site) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if err := s.tmpl.ExecuteTemplate(w, name, data); err != nil {
		s.log.Error("render", "template", name, "err", err)
	}
}

func (s *Site) fail(w http.ResponseWriter, err error) {
	kind := dgml.KindOf(err)
	msg := err.Error()
	if kind == dgml.Internal {
		s.log.Error("page failed", "err", err)
		msg = "Something went wrong on this node. Its log says what."
	}
	var e *dgml.Error
	if errors.As(err, &e) && e.Field != "" {
		msg = e.Field + ": " + e.Msg
	}
	s.render(w, dgml.HTTPStatus(kind), "error.html", map[string]any{"Title": "Error", "Message": msg})
}

func (s *Site) home(w http.ResponseWriter, r *http.Request) (string, any, error) {
	stats, err := s.commons.Store.Stats(r.Context())
	if err != nil {
		return "", nil, err
	}
	recent, err := s.commons.Store.Search(r.Context(), design.Query{Limit: 8})
	if err != nil {
		return "", nil, err
	}
	return "home.html", map[string]any{"Title": "dgml commons", "Stats": stats, "Recent": recent}, nil
}

func (s *Site) designs(w http.ResponseWriter, r *http.Request) (string, any, error) {
	q, err := api.Query(r)
	if err != nil {
		return "", nil, err
	}
	res, err := s.commons.Store.Search(r.Context(), q)
	if err != nil {
		return "", nil, err
	}
	next := ""
	if res.Offset+len(res.Items) < res.Total {
		v := r.URL.Query()
		v.Set("offset", itoa(res.Offset+len(res.Items)))
		next = "/designs?" + v.Encode()
	}
	return "designs.html", map[string]any{"Title": "Designs", "Query": q, "Results": res, "Next": next, "Processes": design.Processes}, nil
}

func (s *Site) design(w http.ResponseWriter, r *http.Request) (string, any, error) {
	d, rev, err := s.commons.Head(r.Context(), r.PathValue("ref"))
	if err != nil {
		return "", nil, err
	}
	return "design.html", map[string]any{"Title": d.Name, "Design": d, "Rev": rev, "Totals": design.Count(rev.Parts)}, nil
}

// meshSum is the hash of a part's first stored mesh, for its thumbnail.
func meshSum(p design.Part) string {
	for _, refs := range [][]design.FileRef{p.Exports, p.Sources} {
		for _, r := range refs {
			if r.SHA256 != "" && geometry.Readable(r.Path) {
				return r.SHA256
			}
		}
	}
	return ""
}
