// Package commons is what a node does with designs: import them from OKH
// manifests and archives, export them, and look them up. It works on the
// design.Store and design.Blobs interfaces, whatever stores them.
package commons

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"path"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/geometry"
	"github.com/dgml/dgml/jobs"
	"github.com/dgml/dgml/okh"
)

// Service is the commons of one node.
type Service struct {
	Store design.Store
	Blobs design.Blobs
	Cache design.Cache // optional: results computed from files
	// Node names this node in user@node attributions.
	Node string
	// Tx makes an import one transaction.
	Tx dgml.Atomic
	// Limits bound every part file the node reads; Work bounds how much
	// of that reading goes on at once (nil: no bound, for the command
	// line working on one's own files).
	Limits geometry.Limits
	Work   *Work
	// Jobs, when set, takes the work a new file needs (its thumbnail and
	// default estimate), enqueued with the design that brings it.
	Jobs jobs.Store
}

// Imported is the outcome of importing one design.
type Imported struct {
	Source    string         `json:"source"`
	Design    *design.Design `json:"design,omitempty"`
	Revision  string         `json:"revision,omitempty"`
	Unchanged bool           `json:"unchanged,omitempty"` // the same content was already the head of Design
	Warnings  []okh.Warning  `json:"warnings,omitempty"`
	Error     string         `json:"error,omitempty"`
}

// ImportOptions say where an import goes.
type ImportOptions struct {
	Into   string // add the revision to this design (id or slug) instead of creating one
	Author string
	// Then runs inside the transaction that stores the revision, after
	// it: the caller's own records of the import (who maintains the
	// design, the activity) land with it or not at all. It may refuse
	// the import by returning an error. It is not called when the content
	// was already a design's head.
	Then func(ctx context.Context, d *design.Design, revision string) error
}

// ImportTarget imports one manifest or manifest folder. Its meshes are
// measured and its licences checked from the folder first, so that a
// refused design keeps none of its files; then the files are stored, and
// the licence checks, the design and its revision (and opt.Then) land in
// one transaction. A failure after the files are stored (a conflict, a
// crash) leaves only unreferenced files, which the sweep at start-up
// removes.
func (s *Service) ImportTarget(ctx context.Context, t okh.Target, opt ImportOptions) (*Imported, error) {
	b, err := okh.Load(ctx, t)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	// Meshes are measured from the upload itself, before any file is
	// kept: a design whose files cannot be read, or are beyond the node's
	// limits, is refused and leaves nothing behind.
	loaded := len(b.Warnings)
	warns, analyses, err := s.measureParts(ctx, &b.Content, func(ref *design.FileRef) (io.ReadSeekCloser, error) {
		f, err := b.Open(ref.Path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil // the folder lacks it: a reference by path, with a warning
		}
		if err != nil {
			return nil, err
		}
		if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
			f.Close()
			return nil, nil
		}
		return f, nil
	})
	if err != nil {
		return nil, err
	}
	if opt.Into == "" {
		// A licence that cannot be combined is said before files are kept
		// too; the check is made again in the transaction.
		if _, err := s.CheckLicenses(ctx, nil, &b.Content); err != nil {
			return nil, err
		}
	}
	files, err := b.StoreFiles(s.storeFile)
	if err != nil {
		return nil, err
	}
	out := &Imported{Source: t.Name(), Warnings: append(append(b.Warnings[:loaded:loaded], warns...), b.Warnings[loaded:]...)}
	req := design.CommitRequest{Content: b.Content, Files: files, Author: opt.Author, Message: "imported from " + t.Manifest}
	err = s.Tx.Atomically(ctx, func(ctx context.Context) error {
		var origin *design.Origin
		if opt.Into != "" {
			d, err := s.Store.Design(ctx, opt.Into)
			if err != nil {
				return err
			}
			req.DesignID = d.ID
			origin = d.ForkedFrom
		}
		lw, err := s.CheckLicenses(ctx, origin, &b.Content)
		if err != nil {
			return err
		}
		out.Warnings = append(out.Warnings, lw...)
		if opt.Into == "" {
			d, err := s.Store.DesignByHead(ctx, b.Content.RevisionID())
			if err == nil {
				out.Design, out.Revision, out.Unchanged = d, d.Head, true
				return nil
			}
			if dgml.KindOf(err) != dgml.NotFound {
				return err
			}
		}
		d, rev, err := s.Store.Commit(ctx, req)
		if err != nil {
			return err
		}
		out.Design, out.Revision = d, rev.ID
		return s.committed(ctx, &req.Content, analyses, d, rev.ID, opt.Then)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) storeFile(name string, r io.Reader) (design.FileInfo, error) {
	sum, size, err := s.Blobs.Put(r)
	if err != nil {
		return design.FileInfo{}, err
	}
	return design.FileInfo{SHA256: sum, Size: size, MediaType: okh.MediaType(name), Name: name}, nil
}

// Export writes a revision as an OKH folder (okh.toml and its files).
func (s *Service) Export(ctx context.Context, rev *design.Revision, dir string) error {
	return okh.ExportDir(&rev.Content, dir, func(sum string) (io.ReadCloser, error) { return s.Blobs.Open(sum) })
}

// Head returns a design and its head revision.
func (s *Service) Head(ctx context.Context, ref string) (*design.Design, *design.Revision, error) {
	d, err := s.Store.Design(ctx, ref)
	if err != nil {
		return nil, nil, err
	}
	rev, err := s.Store.Revision(ctx, d.Head)
	return d, rev, err
}

// Commit stores content made in code (the demo, a generator): files are
// given by the path the content refers to them by.
func (s *Service) Commit(ctx context.Context, c design.Content, files map[string][]byte, opt ImportOptions) (*design.Design, error) {
	var infos []design.FileInfo
	stored := map[string]design.FileInfo{}
	for p, b := range files {
		info, err := s.storeFile(path.Base(p), bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		stored[p] = info
		infos = append(infos, info)
	}
	fill := func(refs []design.FileRef) {
		for i := range refs {
			if info, ok := stored[refs[i].Path]; ok {
				refs[i].SHA256, refs[i].Size, refs[i].MediaType = info.SHA256, info.Size, info.MediaType
			}
		}
	}
	fill(c.Manifest.Images)
	design.Walk(c.Parts, func(_ []string, p *design.Part) {
		fill(p.Sources)
		fill(p.Exports)
		fill(p.Images)
	})
	_, analyses, err := s.measureParts(ctx, &c, func(ref *design.FileRef) (io.ReadSeekCloser, error) { return s.Blobs.Open(ref.SHA256) })
	if err != nil {
		return nil, err
	}
	var d *design.Design
	err = s.Tx.Atomically(ctx, func(ctx context.Context) error {
		var err error
		if d, _, err = s.Store.Commit(ctx, design.CommitRequest{Content: c, Files: infos, Author: opt.Author, Message: "created"}); err != nil {
			return err
		}
		if err := s.enqueuePrepare(ctx, &c); err != nil {
			return err
		}
		return s.cacheAnalyses(ctx, &c, analyses)
	})
	return d, err
}
