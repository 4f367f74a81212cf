package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
)

// assets serves the embedded static files. Pages link them under a
// prefix made from a hash of all of them (/static/3f9a…/dgml.css), so a
// browser keeps them for good and a new release, which changes the
// prefix, is fetched at once; files that import each other by relative
// paths (the 3D viewer's modules) stay together under one prefix. Text
// files are gzipped once, at start. The plain /static/name form stays
// for links from outside, revalidated each time.
type assets struct {
	version string
	files   map[string]*asset
}

type asset struct {
	body, gz []byte
	ctype    string
	etag     string
}

// embeddedAssets are the binary's static files, read, hashed and
// compressed once per process (a test builds many sites).
var embeddedAssets = sync.OnceValues(func() (*assets, error) { return loadAssets(staticFS) })

func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: map[string]*asset{}}
	var names []string
	err := fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	all := sha256.New()
	for _, p := range names {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		all.Write([]byte(name))
		all.Write(sum[:])
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = "application/octet-stream"
		}
		as := &asset{body: b, ctype: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		if compressible(ct) && len(b) > 512 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(b)
			zw.Close()
			if buf.Len() < len(b) {
				as.gz = buf.Bytes()
			}
		}
		a.files[name] = as
	}
	a.version = hex.EncodeToString(all.Sum(nil))[:12]
	return a, nil
}

func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "javascript") || strings.Contains(ct, "json") || strings.Contains(ct, "svg")
}

// URL is where a page links a static file.
func (a *assets) URL(name string) string { return "/static/" + a.version + "/" + name }

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	immutable := false
	if rest, ok := strings.CutPrefix(name, a.version+"/"); ok {
		name, immutable = rest, true
	} else if i := strings.IndexByte(name, '/'); i == 12 && a.files[name] == nil {
		// Another release's prefix: the file as this release has it,
		// not kept for good.
		name = name[i+1:]
	}
	as := a.files[name]
	if as == nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", as.ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", as.etag)
	h.Set("Vary", "Accept-Encoding")
	if immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, as.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := as.body
	if as.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = as.gz
	}
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}
