package commons

import (
	"context"
	"io"
	"path"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
)

// StoreFile keeps one file a person uploads while editing a design, by
// its hash, ahead of the revision that will refer to it (a form shown
// again after an error keeps it by hash, so nobody chooses it twice).
func (s *Service) StoreFile(name string, r io.Reader) (design.FileInfo, error) {
	return s.storeFile(path.Base(name), r)
}

// SaveOptions say where an edited revision goes.
type SaveOptions struct {
	Into    string // the design (id or slug) it advances; empty: a new design
	Author  string
	Message string
	// Then runs inside the transaction that stores the revision, as for
	// ImportOptions.
	Then func(ctx context.Context, d *design.Design, revision string) error
}

// Save stores content made in an editor: every file it refers to by
// path and hash is stored already (StoreFile, or an earlier revision).
// Meshes are measured (sizes and masses filled where the editor left
// them out), licences checked, and the revision, its analyses and its
// file preparation land in one transaction.
func (s *Service) Save(ctx context.Context, c design.Content, opt SaveOptions) (*design.Design, *design.Revision, error) {
	var infos []design.FileInfo
	sizes := map[string]int64{}
	var missing error
	// Each file's size is read from the stored bytes: what a form says of
	// a file it refers to by hash is not taken on trust.
	add := func(refs []design.FileRef) {
		for i := range refs {
			r := &refs[i]
			if r.SHA256 == "" {
				continue
			}
			size, seen := sizes[r.SHA256]
			if !seen {
				var err error
				if size, err = s.blobSize(r.SHA256); err != nil {
					if missing == nil {
						missing = &dgml.Error{Kind: dgml.Invalid, Field: r.Path, Msg: "refers to file " + r.SHA256 + ", which this node does not hold: upload it again"}
					}
					continue
				}
				sizes[r.SHA256] = size
				infos = append(infos, design.FileInfo{SHA256: r.SHA256, Size: size, MediaType: r.MediaType, Name: path.Base(r.Path)})
			}
			r.Size = size
		}
	}
	add(c.Manifest.Images)
	design.Walk(c.Parts, func(_ []string, p *design.Part) {
		add(p.Sources)
		add(p.Exports)
		add(p.Images)
	})
	for _, st := range c.Steps {
		add(st.Images)
	}
	if missing != nil {
		return nil, nil, missing
	}
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	_, analyses, err := s.measureParts(ctx, &c, func(ref *design.FileRef) (io.ReadSeekCloser, error) {
		if ref.SHA256 == "" {
			return nil, nil
		}
		return s.Blobs.Open(ref.SHA256)
	})
	if err != nil {
		return nil, nil, err
	}
	var d *design.Design
	var rev *design.Revision
	err = s.Tx.Atomically(ctx, func(ctx context.Context) error {
		req := design.CommitRequest{Content: c, Files: infos, Author: opt.Author, Message: opt.Message}
		var origin *design.Origin
		if opt.Into != "" {
			old, err := s.Store.Design(ctx, opt.Into)
			if err != nil {
				return err
			}
			req.DesignID, origin = old.ID, old.ForkedFrom
		}
		if _, err := s.CheckLicenses(ctx, origin, &req.Content); err != nil {
			return err
		}
		var err error
		if d, rev, err = s.Store.Commit(ctx, req); err != nil {
			return err
		}
		return s.committed(ctx, &req.Content, analyses, d, rev.ID, opt.Then)
	})
	if err != nil {
		return nil, nil, err
	}
	return d, rev, nil
}

// committed does, in the transaction of a new revision, what follows it
// whatever made it: the meshes' analyses cached, their preparation
// queued, and the caller's own records (then).
func (s *Service) committed(ctx context.Context, c *design.Content, analyses measured, d *design.Design, revision string, then func(context.Context, *design.Design, string) error) error {
	if err := s.cacheAnalyses(ctx, c, analyses); err != nil {
		return err
	}
	if err := s.enqueuePrepare(ctx, c); err != nil {
		return err
	}
	if then != nil {
		return then(ctx, d, revision)
	}
	return nil
}

// blobSize is the size of a stored file.
func (s *Service) blobSize(sum string) (int64, error) {
	f, err := s.Blobs.Open(sum)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return f.Seek(0, io.SeekEnd)
}
