// Package prusalinktest is a stand-in PrusaLink (API v1) for tests,
// built from Prusa's published OpenAPI document: PUT a file to a
// storage with Print-After-Upload and Overwrite, POST its path to print
// it (409 while busy), GET /api/v1/status and /api/v1/job (204 with no
// job), DELETE /api/v1/job/{id}, X-Api-Key authentication (401). It is
// not a printer: a print runs on a simulated clock for the time the
// G-code's slicer comment says, times Slowdown.
package prusalinktest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/dgml/dgml/dispatch"
)

// Server is one simulated Prusa printer.
type Server struct {
	*httptest.Server
	APIKey   string
	Speed    float64
	Slowdown float64

	mu       sync.Mutex
	files    map[string][]byte // by storage/path
	state    string            // IDLE, PRINTING, FINISHED, STOPPED
	job      int
	current  string
	started  time.Time
	duration float64
}

// New starts a stand-in PrusaLink.
func New(key string) *Server {
	s := &Server{APIKey: key, Speed: 3600, Slowdown: 1, files: map[string][]byte{}, state: "IDLE"}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /api/v1/files/{storage}/{path...}", s.put)
	mux.HandleFunc("GET /api/v1/files/{storage}/{path...}", s.info)
	mux.HandleFunc("POST /api/v1/files/{storage}/{path...}", s.print)
	mux.HandleFunc("GET /api/v1/status", s.status)
	mux.HandleFunc("GET /api/v1/job", s.getJob)
	mux.HandleFunc("DELETE /api/v1/job/{id}", s.stop)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != s.APIKey {
			fail(w, http.StatusUnauthorized, "Unauthorized", "")
			return
		}
		mux.ServeHTTP(w, r)
	}))
	return s
}

func fail(w http.ResponseWriter, code int, title, text string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"title": title, "text": text})
}

func ok(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// File returns an uploaded file.
func (s *Server) File(storage, path string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files[storage+"/"+path]
}

func (s *Server) tick() {
	if s.state == "PRINTING" && time.Since(s.started).Seconds()*s.Speed >= s.duration {
		s.state = "FINISHED"
	}
}

func (s *Server) put(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("storage") + "/" + r.PathValue("path")
	data, _ := io.ReadAll(io.LimitReader(r.Body, 256<<20))
	if r.ContentLength >= 0 && int64(len(data)) != r.ContentLength {
		fail(w, http.StatusBadRequest, "Bad Request", "Content-Length does not match the body")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	if _, exists := s.files[key]; exists && r.Header.Get("Overwrite") != "?1" {
		fail(w, http.StatusConflict, "Conflict", "File already exists")
		return
	}
	if s.state == "PRINTING" && s.current == key {
		fail(w, http.StatusConflict, "Conflict", "File is being printed")
		return
	}
	s.files[key] = data
	if r.Header.Get("Print-After-Upload") == "?1" {
		s.start(key)
	}
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("storage") + "/" + r.PathValue("path")
	s.mu.Lock()
	defer s.mu.Unlock()
	data, found := s.files[key]
	if !found {
		fail(w, http.StatusNotFound, "Not Found", "File not found")
		return
	}
	ok(w, map[string]any{"name": r.PathValue("path"), "display_name": r.PathValue("path"), "path": "/" + r.PathValue("storage"), "size": len(data), "type": "PRINT_FILE", "ro": false})
}

func (s *Server) start(key string) {
	s.job++
	s.current, s.state, s.started = key, "PRINTING", time.Now()
	s.duration = estimate(s.files[key]) * s.Slowdown
}

func (s *Server) print(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("storage") + "/" + r.PathValue("path")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	if _, found := s.files[key]; !found {
		fail(w, http.StatusNotFound, "Not Found", "File not found")
		return
	}
	if s.state == "PRINTING" {
		fail(w, http.StatusConflict, "Conflict", "Printer is busy")
		return
	}
	s.start(key)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	out := map[string]any{"printer": map[string]any{"state": s.state, "temp_bed": 60.0, "temp_nozzle": 215.0}}
	if s.job > 0 {
		out["job"] = map[string]any{"id": s.job, "progress": s.progress(), "time_printing": s.printing()}
	}
	ok(w, out)
}

func (s *Server) printing() float64 {
	if s.state == "FINISHED" {
		return s.duration
	}
	return min(time.Since(s.started).Seconds()*s.Speed, s.duration)
}

func (s *Server) progress() float64 { return 100 * s.printing() / s.duration }

func (s *Server) getJob(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	if s.job == 0 || s.state == "IDLE" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	name := s.current[bytes.IndexByte([]byte(s.current), '/')+1:]
	ok(w, map[string]any{"id": s.job, "state": s.state, "progress": s.progress(), "time_printing": s.printing(), "time_remaining": s.duration - s.printing(),
		"file": map[string]any{"name": name, "display_name": name, "path": "/usb", "size": len(s.files[s.current])}})
}

func (s *Server) stop(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	if r.PathValue("id") != strconv.Itoa(s.job) {
		fail(w, http.StatusNotFound, "Not Found", "No such job")
		return
	}
	if s.state != "PRINTING" {
		fail(w, http.StatusConflict, "Conflict", "Job is not running")
		return
	}
	s.state = "STOPPED"
	w.WriteHeader(http.StatusNoContent)
}

func estimate(g []byte) float64 {
	seconds, _, ok := dispatch.SlicerEstimate(g)
	if !ok {
		seconds = 1800
	}
	return seconds
}
