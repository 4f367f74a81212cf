// Package guard is what every request to a public node passes through
// before it reaches a page or an endpoint: a size limit on its body
// (answered with 413 before the rest is read), read and write deadlines
// sized to what the route takes, and the headers that keep the node's
// pages out of other sites' frames. It also judges where a redirect may
// go. It knows no route by itself: the adapters declare their larger
// bodies, and the wiring in cmd/ hands them over.
package guard

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dgml/dgml"
)

// Defaults for routes that declare nothing: a form or a small JSON
// document.
const (
	DefaultBody = 1 << 20
	// SmallRead is how long a small request may take to arrive; larger
	// bodies get time in proportion (LargeRead at most).
	SmallRead = 30 * time.Second
	LargeRead = 15 * time.Minute
	// Write is how long an answer may take to leave (an export of a
	// large design as a zip).
	Write = 10 * time.Minute
)

// Config is what a Handler needs.
type Config struct {
	// Mux routes the requests; its patterns name the limits.
	Mux *http.ServeMux
	// Limits are the largest bodies, in bytes, of the routes that take
	// more than DefaultBody, by their mux pattern ("POST /upload").
	Limits map[string]int64
	// Fail answers a refused request in the caller's language (a problem
	// document for the API, a page for the web); the error's kind is
	// TooLarge.
	Fail func(w http.ResponseWriter, r *http.Request, err error)
}

// Handler wraps the mux with the limits and headers.
func Handler(cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		limit := int64(DefaultBody)
		if _, pattern := cfg.Mux.Handler(r); pattern != "" {
			if l, ok := cfg.Limits[pattern]; ok {
				limit = l
			}
		}
		if r.ContentLength > limit {
			// Said before a byte of the body is read; the server closes
			// the connection rather than read the rest.
			w.Header().Set("Connection", "close")
			cfg.Fail(w, r, tooLarge(limit))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		rc := http.NewResponseController(w)
		read := SmallRead
		if limit > DefaultBody {
			// At least 1 MiB every 4 seconds once the body is large.
			read = min(LargeRead, SmallRead+time.Duration(limit>>20)*4*time.Second)
		}
		rc.SetReadDeadline(time.Now().Add(read))
		rc.SetWriteDeadline(time.Now().Add(Write))
		cfg.Mux.ServeHTTP(w, r)
	})
}

func tooLarge(limit int64) error {
	return &dgml.Error{Kind: dgml.TooLarge, Msg: fmt.Sprintf("the request body is larger than this address takes (%s)", bytesText(limit))}
}

// TooLarge turns the error of reading past a body's limit into the
// node's own error of kind TooLarge; other errors pass unchanged.
func TooLarge(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(mbe.Limit)
	}
	return err
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// LocalPath returns p when a redirect to it stays on this node (an
// absolute path, no scheme, no host, nothing a browser would read as
// another host such as "//", "/\" or control characters), and "/"
// otherwise.
func LocalPath(p string) string {
	if !strings.HasPrefix(p, "/") || len(p) > 2000 {
		return "/"
	}
	for _, c := range p {
		// Browsers drop tabs and newlines from URLs and read a backslash
		// as a slash: "/\t/host" and "/\host" are "//host" to them.
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	if strings.HasPrefix(p, "//") {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	// An encoded slash or backslash at the start decodes, in some
	// clients, to "//host".
	if low := strings.ToLower(u.EscapedPath()); strings.HasPrefix(low, "/%2f") || strings.HasPrefix(low, "/%5c") {
		return "/"
	}
	return p
}
