// Package octoprinttest is a stand-in OctoPrint for tests, built from
// OctoPrint's published REST API documentation (files.rst, job.rst): the
// same paths, form fields, status codes and JSON shapes for uploading,
// selecting and printing a file, reading the job and cancelling it, and
// the errors a real instance gives (403 for a bad key, 409 while busy or
// not operational, 415 for a file it cannot print). It is not OctoPrint:
// a print runs on a simulated clock and takes the slicer's estimate from
// the G-code times Slowdown.
package octoprinttest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/dgml/dgml/dispatch"
)

// Server is one simulated printer behind OctoPrint.
type Server struct {
	*httptest.Server
	APIKey string
	// Speed is how many simulated seconds pass in one real second.
	Speed float64
	// Slowdown is how much longer than the slicer's estimate a print
	// really takes.
	Slowdown float64

	mu       sync.Mutex
	files    map[string][]byte
	offline  bool
	current  string    // selected file
	started  time.Time // real time the print started; zero: not printing
	duration float64   // simulated seconds the print takes
	cancels  int
	filament float64 // mm of the selected file
	done     bool    // the selected file completed
	Requests []string
}

// New starts a stand-in OctoPrint with an API key.
func New(key string) *Server {
	s := &Server{APIKey: key, Speed: 3600, Slowdown: 1, files: map[string][]byte{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/files/local", s.upload)
	mux.HandleFunc("GET /api/files/local/{path...}", s.fileInfo)
	mux.HandleFunc("POST /api/files/local/{path...}", s.fileCommand)
	mux.HandleFunc("GET /api/job", s.job)
	mux.HandleFunc("POST /api/job", s.jobCommand)
	mux.HandleFunc("GET /api/version", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]string{"api": "0.1", "server": "1.10.0", "text": "OctoPrint 1.10.0 (dgml stand-in)"})
	})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.Requests = append(s.Requests, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		if r.Header.Get("X-Api-Key") != s.APIKey {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "You don't have the permission to access the requested resource."})
			return
		}
		mux.ServeHTTP(w, r)
	}))
	return s
}

// SetOffline disconnects (or reconnects) the printer from OctoPrint.
func (s *Server) SetOffline(off bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offline = off
}

// File returns an uploaded file.
func (s *Server) File(name string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files[name]
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func problem(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// printing reports, under the lock, whether a print is running, ending
// it when its simulated time is up.
func (s *Server) printing() bool {
	if s.started.IsZero() {
		return false
	}
	if s.elapsed() >= s.duration {
		s.started, s.done = time.Time{}, true
		return false
	}
	return true
}

func (s *Server) elapsed() float64 {
	return time.Since(s.started).Seconds() * s.Speed
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(64 << 20); err != nil {
		problem(w, http.StatusBadRequest, "No file included")
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		problem(w, http.StatusBadRequest, "No file included")
		return
	}
	defer f.Close()
	name := path.Base(hdr.Filename)
	switch strings.ToLower(path.Ext(name)) {
	case ".gcode", ".gco", ".g":
	default:
		problem(w, http.StatusUnsupportedMediaType, "Could not upload the file \""+name+"\", invalid type")
		return
	}
	data, _ := io.ReadAll(f)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.printing() && s.current == name {
		problem(w, http.StatusConflict, "Trying to overwrite file that is currently being printed: "+name)
		return
	}
	s.files[name] = data
	sel, print := r.FormValue("select") == "true", r.FormValue("print") == "true"
	if print {
		if msg := s.start(name); msg != "" {
			problem(w, http.StatusConflict, msg)
			return
		}
	} else if sel {
		s.current, s.done = name, false
	}
	w.Header().Set("Location", "http://"+r.Host+"/api/files/local/"+name)
	writeJSON(w, http.StatusCreated, map[string]any{
		"done":            true,
		"files":           map[string]any{"local": s.info(r, name)},
		"effectiveSelect": sel || print, "effectivePrint": print,
	})
}

func (s *Server) info(r *http.Request, name string) map[string]any {
	base := "http://" + r.Host
	return map[string]any{"name": name, "display": name, "path": name, "origin": "local", "type": "machinecode",
		"size": len(s.files[name]), "date": time.Now().Unix(),
		"refs": map[string]string{"resource": base + "/api/files/local/" + name, "download": base + "/downloads/files/local/" + name}}
}

func (s *Server) fileInfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := r.PathValue("path")
	if _, ok := s.files[name]; !ok {
		problem(w, http.StatusNotFound, "File not found on 'local': "+name)
		return
	}
	writeJSON(w, http.StatusOK, s.info(r, name))
}

// start selects and prints a file; it says why not, under the lock.
func (s *Server) start(name string) string {
	if s.offline {
		return "Printer is not operational"
	}
	if s.printing() {
		return "Printer is already printing"
	}
	est, mm := estimate(s.files[name])
	s.current, s.done, s.started = name, false, time.Now()
	s.duration, s.filament = est*s.Slowdown, mm
	return ""
}

func (s *Server) fileCommand(w http.ResponseWriter, r *http.Request) {
	var cmd struct {
		Command string `json:"command"`
		Print   bool   `json:"print"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&cmd); err != nil || r.Header.Get("Content-Type") != "application/json" {
		problem(w, http.StatusBadRequest, "Expected content-type JSON")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	name := r.PathValue("path")
	if _, ok := s.files[name]; !ok {
		problem(w, http.StatusNotFound, "File not found on 'local': "+name)
		return
	}
	if cmd.Command != "select" {
		problem(w, http.StatusBadRequest, "Unknown command: "+cmd.Command)
		return
	}
	if s.printing() || s.offline {
		problem(w, http.StatusConflict, "Printer is already printing or not operational, cannot select")
		return
	}
	if cmd.Print {
		s.start(name)
	} else {
		s.current, s.done = name, false
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) job(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	state := "Operational"
	var completion, printTime, left any
	switch {
	case s.offline:
		state = "Offline"
	case s.printing():
		state = "Printing"
		e := s.elapsed()
		completion, printTime, left = 100*e/s.duration, math.Round(e), math.Round(s.duration-e)
	case s.done:
		completion, printTime, left = 100.0, math.Round(s.duration), 0.0
	}
	file := map[string]any{"name": nil, "origin": nil, "size": nil, "date": nil}
	filament := map[string]any{}
	if s.current != "" {
		file = map[string]any{"name": s.current, "origin": "local", "size": len(s.files[s.current]), "date": time.Now().Unix()}
		filament["tool0"] = map[string]float64{"length": s.filament, "volume": s.filament * math.Pi * 0.875 * 0.875 / 1000}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"job":      map[string]any{"file": file, "estimatedPrintTime": nil, "filament": filament},
		"progress": map[string]any{"completion": completion, "filepos": nil, "printTime": printTime, "printTimeLeft": left},
		"state":    state,
	})
}

func (s *Server) jobCommand(w http.ResponseWriter, r *http.Request) {
	var cmd struct {
		Command string `json:"command"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&cmd); err != nil {
		problem(w, http.StatusBadRequest, "Expected content-type JSON")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch cmd.Command {
	case "cancel":
		if !s.printing() {
			problem(w, http.StatusConflict, "Printer is neither printing nor paused, 'cancel' command cannot be performed")
			return
		}
		s.started, s.cancels = time.Time{}, s.cancels+1
	case "start":
		if s.current == "" {
			problem(w, http.StatusConflict, "Printer is not operational or has no file selected")
			return
		}
		if msg := s.start(s.current); msg != "" {
			problem(w, http.StatusConflict, msg)
			return
		}
	default:
		problem(w, http.StatusBadRequest, "Unknown command: "+cmd.Command)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// estimate is the print's time from the slicer's comment (half an hour
// when it has none) and its filament.
func estimate(g []byte) (seconds, mm float64) {
	seconds, mm, ok := dispatch.SlicerEstimate(g)
	if !ok {
		seconds = 1800
	}
	return seconds, mm
}

// String describes the server's state, for test failures.
func (s *Server) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("octoprint at %s: current %q, printing %v, done %v, files %d", s.URL, s.current, !s.started.IsZero(), s.done, len(s.files))
}
