package api

import (
	"archive/zip"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/okh"
	"github.com/dgml/dgml/param"
)

func (s *Server) processes(w http.ResponseWriter, r *http.Request) error {
	type entry struct {
		ID    design.Process `json:"id"`
		Label string         `json:"label"`
	}
	var out []entry
	for _, p := range design.Processes {
		out = append(out, entry{p.Process, p.Label})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) listDesigns(w http.ResponseWriter, r *http.Request) error {
	q, err := param.DesignQuery(r.URL.Query())
	if err != nil {
		return err
	}
	res, err := s.cfg.Commons.Store.Search(r.Context(), q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

type designView struct {
	Design *design.Design   `json:"design"`
	Head   *design.Revision `json:"head"`
	Totals design.Totals    `json:"totals"`
}

func (s *Server) getDesign(w http.ResponseWriter, r *http.Request) error {
	d, rev, err := s.cfg.Commons.Head(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, designView{Design: d, Head: rev, Totals: design.Count(rev.Parts)})
}

func (s *Server) designHistory(w http.ResponseWriter, r *http.Request) error {
	d, err := s.cfg.Commons.Store.Design(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	h, err := s.cfg.Commons.Store.History(r.Context(), d.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"design": d.ID, "revisions": h})
}

type partsView struct {
	Revision string        `json:"revision"`
	Parts    []design.Part `json:"parts"`
	Totals   design.Totals `json:"totals"`
}

func (s *Server) designParts(w http.ResponseWriter, r *http.Request) error {
	_, rev, err := s.cfg.Commons.Head(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	return writeParts(w, rev)
}

func writeParts(w http.ResponseWriter, rev *design.Revision) error {
	parts := rev.Parts
	if parts == nil {
		parts = []design.Part{}
	}
	return writeJSON(w, http.StatusOK, partsView{Revision: rev.ID, Parts: parts, Totals: design.Count(rev.Parts)})
}

func (s *Server) revision(r *http.Request) (*design.Revision, error) {
	id := r.PathValue("id")
	if len(id) != 64 || strings.Trim(id, "0123456789abcdef") != "" {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "id", Msg: "a revision id is 64 lower-case hex digits"}
	}
	return s.cfg.Commons.Store.Revision(r.Context(), id)
}

func (s *Server) getRevision(w http.ResponseWriter, r *http.Request) error {
	rev, err := s.revision(r)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", `"`+rev.ID+`"`)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return writeJSON(w, http.StatusOK, rev)
}

func (s *Server) revisionParts(w http.ResponseWriter, r *http.Request) error {
	rev, err := s.revision(r)
	if err != nil {
		return err
	}
	return writeParts(w, rev)
}

func (s *Server) designExport(w http.ResponseWriter, r *http.Request) error {
	d, rev, err := s.cfg.Commons.Head(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	return s.export(w, r, d.Slug, rev)
}

func (s *Server) revisionExport(w http.ResponseWriter, r *http.Request) error {
	rev, err := s.revision(r)
	if err != nil {
		return err
	}
	return s.export(w, r, design.Slug(rev.Manifest.Name), rev)
}

// export answers okh.toml, or with format=zip the whole OKH folder.
func (s *Server) export(w http.ResponseWriter, r *http.Request, name string, rev *design.Revision) error {
	switch r.URL.Query().Get("format") {
	case "", "toml":
		b, err := okh.Marshal(&rev.Content)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/toml")
		w.Header().Set("Content-Disposition", `attachment; filename="okh.toml"`)
		w.Header().Set("ETag", `"`+rev.ID+`"`)
		_, err = w.Write(b)
		return err
	case "zip":
		return s.exportZip(w, r, name, rev)
	}
	return &dgml.Error{Kind: dgml.Invalid, Field: "format", Msg: "format must be toml or zip"}
}

func (s *Server) exportZip(w http.ResponseWriter, r *http.Request, name string, rev *design.Revision) error {
	dir, err := os.MkdirTemp(s.cfg.TempDir, "export-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := s.cfg.Commons.Export(r.Context(), rev, dir); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.zip"`, name))
	zw := zip.NewWriter(w)
	if err := zw.AddFS(os.DirFS(dir)); err != nil {
		return err
	}
	return zw.Close()
}

func (s *Server) getFile(w http.ResponseWriter, r *http.Request) error {
	sum := r.PathValue("sha256")
	info, err := s.cfg.Commons.Store.File(r.Context(), sum)
	if err != nil {
		return err
	}
	f, err := s.cfg.Commons.Blobs.Open(sum)
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Content-Type", info.MediaType)
	w.Header().Set("ETag", `"`+sum+`"`)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox")
	disposition := "inline"
	if r.URL.Query().Get("download") != "" {
		disposition = "attachment" // one file of a part, saved rather than shown
	}
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": info.Name}))
	http.ServeContent(w, r, "", zeroTime, f)
	return nil
}

// importDesigns takes a manifest (TOML or YAML), or a zip or tar(.gz) of
// a manifest folder, as the request body or as the "file" field of a
// multipart form.
func (s *Server) importDesigns(w http.ResponseWriter, r *http.Request) error {
	body, filename, err := uploadBody(r)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp(s.cfg.TempDir, "upload-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	targets, err := commons.Unbundle(body, filename, r.Header.Get("Content-Type"), s.cfg.TempDir, dir)
	if err != nil {
		return relativeErr(err, dir)
	}
	into := r.URL.Query().Get("into")
	var results []*commons.Imported
	var firstErr error
	for _, t := range targets {
		res, err := s.cfg.People.Import(r.Context(), caller(r), t, into)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			res = &commons.Imported{Source: t.Name(), Error: err.Error()}
		}
		res.Source = relative(res.Source, dir)
		res.Error = relative(res.Error, dir)
		for i := range res.Warnings {
			res.Warnings[i].File = relative(res.Warnings[i].File, dir)
		}
		results = append(results, res)
	}
	if firstErr != nil && len(targets) == 1 {
		return relativeErr(firstErr, dir)
	}
	status := http.StatusCreated
	if results[0].Design != nil {
		w.Header().Set("Location", "/api/v1/designs/"+results[0].Design.Slug)
	}
	if firstErr != nil {
		status = http.StatusMultiStatus
	}
	return writeJSON(w, status, map[string]any{"results": results})
}

func relativeErr(err error, dir string) error {
	if e, ok := err.(*dgml.Error); ok {
		c := *e
		c.File = relative(c.File, dir)
		c.Msg = relative(c.Msg, dir)
		if c.Err != nil {
			c.Err = fmt.Errorf("%s", relative(c.Err.Error(), dir))
		}
		return &c
	}
	return err
}

func uploadBody(r *http.Request) (io.Reader, string, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return r.Body, r.URL.Query().Get("filename"), nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", &dgml.Error{Kind: dgml.Invalid, Msg: "unreadable multipart form", Err: err}
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, "", &dgml.Error{Kind: dgml.Invalid, Field: "file", Msg: "the form has no file field: attach the manifest or archive as \"file\""}
		}
		if err != nil {
			return nil, "", &dgml.Error{Kind: dgml.Invalid, Msg: "unreadable multipart form", Err: err}
		}
		if p.FormName() == "file" {
			return p, p.FileName(), nil
		}
	}
}
