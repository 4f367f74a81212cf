package api

import (
	"net/http"
	"strconv"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/blob"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/param"
)

func fileSum(r *http.Request) (string, error) {
	sum := r.PathValue("sha256")
	if !blob.ValidSum(sum) {
		return "", &dgml.Error{Kind: dgml.Invalid, Field: "sha256", Msg: "a file is named by its SHA-256: 64 lower-case hex digits"}
	}
	return sum, nil
}

func writeRaw(w http.ResponseWriter, contentType string, b []byte) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err := w.Write(b)
	return err
}

func (s *Server) fileAnalysis(w http.ResponseWriter, r *http.Request) error {
	sum, err := fileSum(r)
	if err != nil {
		return err
	}
	b, err := s.cfg.Commons.Analysis(r.Context(), sum)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	return writeRaw(w, "application/json", b)
}

// fileEstimate takes process, material, thickness and any FDM setting by
// its PrusaSlicer name as query parameters.
func (s *Server) fileEstimate(w http.ResponseWriter, r *http.Request) error {
	sum, err := fileSum(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	req := commons.EstimateRequest{Process: q.Get("process"), Material: q.Get("material"), Settings: map[string]string{}}
	if req.Thickness, err = param.Positive("thickness", q.Get("thickness"), 500, 3); err != nil {
		return err
	}
	for k, v := range q {
		switch k {
		case "process", "material", "thickness":
		default:
			req.Settings[k] = v[0]
		}
	}
	b, err := s.cfg.Commons.Estimate(r.Context(), sum, req)
	if err != nil {
		return err
	}
	return writeRaw(w, "application/json", b)
}

func (s *Server) fileThumbnail(w http.ResponseWriter, r *http.Request) error {
	sum, err := fileSum(r)
	if err != nil {
		return err
	}
	size := 256
	if v := r.URL.Query().Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 16 || n > 1024 {
			return &dgml.Error{Kind: dgml.Invalid, Field: "size", Msg: "size must be 16 to 1024 pixels"}
		}
		size = n
	}
	b, err := s.cfg.Commons.Thumbnail(r.Context(), sum, size)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("ETag", `"`+sum+"-"+strconv.Itoa(size)+`"`)
	return writeRaw(w, "image/png", b)
}
