// Package api serves a node's commons over HTTP as JSON under /api/v1,
// with errors as RFC 9457 problem documents.
package api

import (
	"embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/dispatch"
	"github.com/dgml/dgml/federation"
	"github.com/dgml/dgml/guard"
	"github.com/dgml/dgml/ledger"
	"github.com/dgml/dgml/network"
	"github.com/dgml/dgml/order"
	"github.com/dgml/dgml/people"
)

// Config is what a Server needs.
type Config struct {
	Commons *commons.Service
	Network *network.Service
	People  *people.Service
	// Federation, when set, serves the node's log and objects to its
	// peers and manages whom it follows.
	Federation *federation.Service
	// Bookings, when set, books machine time.
	Bookings *booking.Service
	// Orders, when set, takes orders to workshops.
	Orders *order.Service
	// Dispatch, when set, follows runs on machines.
	Dispatch *dispatch.Service
	// Ledger, when set, keeps the commons' value accounting.
	Ledger    *ledger.Service
	TempDir   string // inside the data folder: uploads are unpacked here
	MaxUpload int64  // bytes; 0 means DefaultMaxUpload
	Log       *slog.Logger
}

// DefaultMaxUpload bounds an upload (a manifest folder with its meshes).
const DefaultMaxUpload = 256 << 20

// Bodies larger than guard.DefaultBody that routes take.
const (
	maxFacilityImport = 32 << 20
	maxReport         = 6*people.MaxPhotoBytes + 1<<20 // up to six photos
)

// Route is one registered endpoint, kept so that the OpenAPI document
// can be checked against what is really served.
type Route struct {
	Method  string
	Pattern string
}

// Server is the API.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	routes []Route
	limits map[string]int64
}

// New builds the API's routes on mux (which may also carry the web UI).
func New(cfg Config, mux *http.ServeMux) *Server {
	if cfg.MaxUpload == 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Server{cfg: cfg, mux: mux, limits: map[string]int64{
		"POST /api/v1/designs":               cfg.MaxUpload,
		"POST /api/v1/facilities/import":     maxFacilityImport,
		"POST /api/v1/designs/{ref}/reports": maxReport,
	}}
	s.handle("GET", "/healthz", s.healthz)
	s.handle("GET", "/api/v1/openapi.json", s.openapi)
	s.handle("GET", "/api/v1/stats", s.stats)
	s.handle("GET", "/api/v1/processes", s.processes)
	s.handle("GET", "/api/v1/designs", s.listDesigns)
	s.handle("POST", "/api/v1/designs", s.importDesigns)
	s.handle("GET", "/api/v1/designs/{ref}", s.getDesign)
	s.handle("GET", "/api/v1/designs/{ref}/revisions", s.designHistory)
	s.handle("GET", "/api/v1/designs/{ref}/parts", s.designParts)
	s.handle("GET", "/api/v1/designs/{ref}/export", s.designExport)
	s.handle("GET", "/api/v1/revisions/{id}", s.getRevision)
	s.handle("GET", "/api/v1/revisions/{id}/parts", s.revisionParts)
	s.handle("GET", "/api/v1/revisions/{id}/export", s.revisionExport)
	s.handle("GET", "/api/v1/files/{sha256}", s.getFile)
	s.handle("GET", "/api/v1/files/{sha256}/analysis", s.fileAnalysis)
	s.handle("GET", "/api/v1/files/{sha256}/estimate", s.fileEstimate)
	s.handle("GET", "/api/v1/files/{sha256}/thumbnail.png", s.fileThumbnail)
	if cfg.Network != nil {
		s.handle("GET", "/api/v1/facilities", s.listFacilities)
		s.handle("POST", "/api/v1/facilities", s.createFacility)
		s.handle("POST", "/api/v1/facilities/import", s.importFacilities)
		s.handle("GET", "/api/v1/facilities/{ref}", s.getFacility)
		s.handle("PUT", "/api/v1/facilities/{ref}", s.putFacility)
		s.handle("DELETE", "/api/v1/facilities/{ref}", s.deleteFacility)
		s.handle("GET", "/api/v1/facilities/{ref}/okw", s.facilityOKW)
		s.handle("GET", "/api/v1/designs/{ref}/plan", s.designPlan)
		s.handle("GET", "/api/v1/factors", s.factors)
	}
	s.peopleRoutes()
	s.assessRoutes()
	s.federationRoutes()
	s.bookingRoutes()
	s.orderRoutes()
	s.runRoutes()
	s.ledgerRoutes()
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, dgml.Errorf(dgml.NotFound, "no such endpoint: see /api/v1/openapi.json"))
	})
	return s
}

// Routes lists what the server serves.
func (s *Server) Routes() []Route { return s.routes }

// BodyLimits are the routes that take bodies larger than
// guard.DefaultBody, by mux pattern, with their limits in bytes.
func (s *Server) BodyLimits() map[string]int64 { return s.limits }

func (s *Server) handle(method, pattern string, h func(http.ResponseWriter, *http.Request) error) {
	s.register(method, pattern, false, h)
}

// handlePublic is for the writes anyone may make: signing up, and
// exchanging a password for a token.
func (s *Server) handlePublic(method, pattern string, h func(http.ResponseWriter, *http.Request) error) {
	s.register(method, pattern, true, h)
}

func (s *Server) register(method, pattern string, public bool, h func(http.ResponseWriter, *http.Request) error) {
	s.routes = append(s.routes, Route{method, pattern})
	s.mux.HandleFunc(method+" "+pattern, func(w http.ResponseWriter, r *http.Request) {
		r, err := s.authorize(r, public)
		if err != nil {
			writeProblem(w, r, err)
			return
		}
		if r.Method == http.MethodPut || r.Method == http.MethodDelete {
			w.Header().Set("Cache-Control", "no-store")
		}
		if err := h(w, r); err != nil {
			err = guard.TooLarge(err)
			if dgml.KindOf(err) == dgml.Internal && r.Context().Err() == nil {
				s.cfg.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			}
			writeProblem(w, r, err)
		}
	})
}

// problem is an RFC 9457 problem document, with dgml's pointers into the
// input that was wrong.
type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	Kind     string `json:"kind"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Field    string `json:"field,omitempty"`
}

// ProblemType is the problem type URI of a kind; a client maps it back
// with the kind member, so errors keep their kind across nodes.
func ProblemType(k dgml.Kind) string { return "urn:dgml:problem:" + string(k) }

// WriteProblem answers err as a problem document.
func WriteProblem(w http.ResponseWriter, r *http.Request, err error) { writeProblem(w, r, err) }

func writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	kind := dgml.KindOf(err)
	status := dgml.HTTPStatus(kind)
	p := problem{Type: ProblemType(kind), Title: http.StatusText(status), Status: status, Instance: r.URL.Path, Kind: string(kind)}
	if kind == dgml.Internal {
		p.Detail = "the node could not answer; its log says why"
	} else {
		p.Detail = err.Error()
	}
	var e *dgml.Error
	if errors.As(err, &e) {
		p.File, p.Line, p.Field = e.File, e.Line, e.Field
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

//go:embed openapi.json
var openapiDoc embed.FS

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	b, err := openapiDoc.ReadFile("openapi.json")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(b)
	return err
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.cfg.Commons.Store.Stats(r.Context()); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request) error {
	st, err := s.cfg.Commons.Store.Stats(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

// relative strips the server's temporary folder from what an error or
// warning says, so that clients see paths inside their own upload.
func relative(s, dir string) string {
	return strings.ReplaceAll(s, dir+"/", "")
}

var zeroTime = time.Time{}
