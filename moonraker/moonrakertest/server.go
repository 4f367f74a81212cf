// Package moonrakertest is a stand-in Moonraker for tests, built from
// Moonraker's published Web API documentation: file upload with a
// SHA-256 checksum (422 on a mismatch), print start and cancel, the
// print_stats and virtual_sdcard objects, and the job history with a
// power device's energy in auxiliary_data. Answers carry "result", and
// errors {"error": {"code", "message"}}, as Moonraker's do. It is not
// Moonraker: a print runs on a simulated clock for the time the G-code's
// slicer comment says, times Slowdown.
package moonrakertest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"sync"
	"time"

	"github.com/dgml/dgml/dispatch"
)

// Server is one simulated Klipper printer behind Moonraker.
type Server struct {
	*httptest.Server
	APIKey   string
	Speed    float64 // simulated seconds per real second
	Slowdown float64 // real print time over the slicer's estimate
	// KWhPerHour is the power device's draw, recorded in the history.
	KWhPerHour float64

	mu       sync.Mutex
	files    map[string][]byte
	current  string
	state    string // standby, printing, complete, cancelled, error
	started  time.Time
	duration float64
	mm       float64
	history  []map[string]any
}

// New starts a stand-in Moonraker.
func New(key string) *Server {
	s := &Server{APIKey: key, Speed: 3600, Slowdown: 1, KWhPerHour: 0.12, files: map[string][]byte{}, state: "standby"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /server/files/upload", s.upload)
	mux.HandleFunc("POST /printer/print/start", s.start)
	mux.HandleFunc("POST /printer/print/cancel", s.cancel)
	mux.HandleFunc("GET /printer/objects/query", s.query)
	mux.HandleFunc("GET /server/history/list", s.historyList)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.APIKey != "" && r.Header.Get("X-Api-Key") != s.APIKey {
			fail(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		mux.ServeHTTP(w, r)
	}))
	return s
}

// File returns an uploaded file.
func (s *Server) File(name string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files[name]
}

func result(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"result": v})
}

func fail(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "traceback": nil}})
}

// tick ends a print whose simulated time is up, under the lock.
func (s *Server) tick() {
	if s.state != "printing" {
		return
	}
	if time.Since(s.started).Seconds()*s.Speed >= s.duration {
		s.state = "complete"
		s.history = append(s.history, map[string]any{"job_id": strconv.Itoa(len(s.history) + 1), "filename": s.current, "status": "completed",
			"print_duration": s.duration, "total_duration": s.duration + 60, "filament_used": s.mm, "exists": true,
			"auxiliary_data": []map[string]any{{"provider": "power", "name": "power_consumption", "description": "Printer power consumption", "value": s.KWhPerHour * s.duration / 3600, "units": "kWh"}}})
	}
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(64 << 20); err != nil {
		fail(w, http.StatusBadRequest, "No file included")
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		fail(w, http.StatusBadRequest, "No file included")
		return
	}
	defer f.Close()
	data, _ := io.ReadAll(f)
	if want := r.FormValue("checksum"); want != "" {
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != want {
			fail(w, http.StatusUnprocessableEntity, "File checksum mismatch: expected "+want)
			return
		}
	}
	name := path.Base(hdr.Filename)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	if s.state == "printing" && s.current == name {
		fail(w, http.StatusBadRequest, "File is loaded, upload not permitted")
		return
	}
	s.files[name] = data
	w.Header().Set("Location", "http://"+r.Host+"/server/files/gcodes/"+name)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"item": map[string]any{"path": name, "root": "gcodes", "modified": float64(time.Now().Unix()), "size": len(data), "permissions": "rw"},
		"print_started": false, "print_queued": false, "action": "create_file"})
}

func (s *Server) start(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("filename")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	if s.state == "printing" {
		fail(w, http.StatusBadRequest, "Print is already in progress")
		return
	}
	g, ok := s.files[name]
	if !ok {
		fail(w, http.StatusBadRequest, "File not found: "+name)
		return
	}
	est, mm := estimate(g)
	s.current, s.state, s.started, s.duration, s.mm = name, "printing", time.Now(), est*s.Slowdown, mm
	result(w, "ok")
}

func (s *Server) cancel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	if s.state != "printing" {
		fail(w, http.StatusBadRequest, "Print not in progress")
		return
	}
	s.state = "cancelled"
	result(w, "ok")
}

func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	elapsed, progress, mm := 0.0, 0.0, 0.0
	switch s.state {
	case "printing":
		elapsed = time.Since(s.started).Seconds() * s.Speed
		progress = elapsed / s.duration
		mm = s.mm * progress
	case "complete":
		elapsed, progress, mm = s.duration, 1, s.mm
	}
	status := map[string]any{}
	q := r.URL.Query()
	if q.Has("print_stats") {
		status["print_stats"] = map[string]any{"filename": s.current, "total_duration": elapsed, "print_duration": elapsed, "filament_used": mm,
			"state": s.state, "message": "", "info": map[string]any{"total_layer": nil, "current_layer": nil}}
	}
	if q.Has("virtual_sdcard") {
		status["virtual_sdcard"] = map[string]any{"file_path": s.current, "progress": progress, "is_active": s.state == "printing", "file_position": 0}
	}
	result(w, map[string]any{"eventtime": float64(time.Now().UnixNano()) / 1e9, "status": status})
}

func (s *Server) historyList(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 {
		limit = 50
	}
	var jobs []map[string]any
	for i := len(s.history) - 1; i >= 0 && len(jobs) < limit; i-- { // order=desc
		jobs = append(jobs, s.history[i])
	}
	result(w, map[string]any{"count": len(s.history), "jobs": jobs})
}

func estimate(g []byte) (seconds, mm float64) {
	seconds, mm, ok := dispatch.SlicerEstimate(g)
	if !ok {
		seconds = 1800
	}
	return seconds, mm
}
