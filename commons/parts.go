package commons

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/estimate"
	"github.com/dgml/dgml/geometry"
	"github.com/dgml/dgml/okh"
)

// withMesh reads a stored file, known to the store, as a mesh and hands
// it to fn, within the node's work budget.
func (s *Service) withMesh(ctx context.Context, sum string, fn func(m *geometry.Mesh) error) error {
	info, err := s.Store.File(ctx, sum)
	if err != nil {
		return err
	}
	return s.withMeshBlob(ctx, sum, info.Name, fn)
}

// withMeshBlob is withMesh of a blob by the name it came with (whose
// extension gives the format).
func (s *Service) withMeshBlob(ctx context.Context, sum, name string, fn func(m *geometry.Mesh) error) error {
	if !geometry.Readable(name) {
		return &dgml.Error{Kind: dgml.Unsupported, File: name, Msg: "not a mesh (STL, 3MF or OBJ)"}
	}
	return s.withBlob(ctx, sum, name, func(f io.Reader, lim geometry.Limits) error {
		m, err := geometry.Read(ctx, name, f, lim)
		if err != nil {
			return err
		}
		return fn(m)
	})
}

// withBlob opens a blob and runs fn on it once the work budget has room
// for a file of its size; lim is the node's limits with the file's size.
func (s *Service) withBlob(ctx context.Context, sum, name string, fn func(f io.Reader, lim geometry.Limits) error) error {
	return s.withFile(ctx, name, func() (io.ReadSeekCloser, error) { return s.Blobs.Open(sum) }, fn)
}

// withFile is withBlob of a file opened by open.
func (s *Service) withFile(ctx context.Context, name string, open func() (io.ReadSeekCloser, error), fn func(f io.Reader, lim geometry.Limits) error) error {
	f, err := open()
	if err != nil {
		return err
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	lim := s.Limits
	lim.Size = size
	return s.Work.Do(ctx, weightOf(name, size), func() error { return fn(f, lim) })
}

// cached returns a result computed once per file and key.
func (s *Service) cached(ctx context.Context, sum, kind, key string, compute func() ([]byte, error)) ([]byte, error) {
	if s.Cache != nil {
		if v, ok, err := s.Cache.CacheGet(ctx, sum, kind, key); err != nil {
			return nil, err
		} else if ok {
			return v, nil
		}
	}
	v, err := compute()
	if err != nil {
		return nil, err
	}
	if s.Cache != nil {
		if err := s.Cache.CachePut(ctx, sum, kind, key, v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Analysis measures a stored mesh (JSON of geometry.Analysis).
func (s *Service) Analysis(ctx context.Context, sum string) ([]byte, error) {
	return s.cached(ctx, sum, "analysis", "v1", func() (b []byte, err error) {
		err = s.withMesh(ctx, sum, func(m *geometry.Mesh) error {
			a, err := geometry.Analyze(ctx, m, geometry.DefaultOptions)
			if err == nil {
				b, err = json.Marshal(a)
			}
			return err
		})
		return b, err
	})
}

// EstimateRequest asks for an estimate of a stored file.
type EstimateRequest struct {
	Process   string            `json:"process"` // fdm, cnc, laser
	Material  string            `json:"material,omitempty"`
	Thickness float64           `json:"thickness,omitempty"`
	Settings  map[string]string `json:"settings,omitempty"` // FDM settings by PrusaSlicer name
}

// Estimate says what making a stored file takes (JSON), cached per
// request, so the default estimate is computed once per file.
func (s *Service) Estimate(ctx context.Context, sum string, req EstimateRequest) ([]byte, error) {
	key, _ := json.Marshal(req) // map keys are sorted: a canonical key
	// Estimates made by an older model are not reused after an upgrade.
	h := sha256.Sum256(append(key, estimate.Model...))
	return s.cached(ctx, sum, "estimate", hex.EncodeToString(h[:8]), func() (b []byte, err error) {
		switch req.Process {
		case "", "fdm":
			st := estimate.DefaultFDM
			if req.Material != "" {
				m, ok := estimate.LookupMaterial(req.Material)
				if !ok {
					return nil, &dgml.Error{Kind: dgml.Invalid, Field: "material", Msg: fmt.Sprintf("unknown material %q", req.Material)}
				}
				st.FilamentDensity = m.Density
			}
			for k, v := range req.Settings {
				if err := st.Set(k, v); err != nil {
					return nil, err
				}
			}
			err = s.withMesh(ctx, sum, func(m *geometry.Mesh) error {
				r, err := estimate.EstimateFDM(ctx, m, st)
				if err == nil {
					b, err = json.Marshal(r)
				}
				return err
			})
			return b, err
		case "cnc":
			err = s.withMesh(ctx, sum, func(m *geometry.Mesh) error {
				a, err := geometry.Analyze(ctx, m, geometry.DefaultOptions)
				if err != nil {
					return err
				}
				r, err := estimate.CNC(a, req.Material)
				if err == nil {
					b, err = json.Marshal(r)
				}
				return err
			})
			return b, err
		case "laser":
			info, err := s.Store.File(ctx, sum)
			if err != nil {
				return nil, err
			}
			err = s.withBlob(ctx, sum, info.Name, func(f io.Reader, lim geometry.Limits) error {
				o, err := geometry.ReadOutline(ctx, info.Name, f, lim)
				if err != nil {
					return err
				}
				r, err := estimate.Laser(o, req.Material, req.Thickness)
				if err == nil {
					b, err = json.Marshal(r)
				}
				return err
			})
			return b, err
		}
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "process", Msg: "process must be fdm, cnc or laser"}
	})
}

// Thumbnail renders a stored mesh as PNG, once per file and size.
func (s *Service) Thumbnail(ctx context.Context, sum string, size int) ([]byte, error) {
	return s.cached(ctx, sum, "thumbnail", fmt.Sprint(size), func() ([]byte, error) {
		var b bytes.Buffer
		err := s.withMesh(ctx, sum, func(m *geometry.Mesh) error { return geometry.WritePNG(&b, m, size) })
		return b.Bytes(), err
	})
}

// measured is what measuring a design's meshes found: analyses (JSON) by
// the path the content names each file by, for the cache once the files
// have their hashes.
type measured map[string][]byte

// cacheAnalyses keeps the analyses of the content's files by their hash.
func (s *Service) cacheAnalyses(ctx context.Context, c *design.Content, m measured) error {
	if s.Cache == nil {
		return nil
	}
	var err error
	design.Walk(c.Parts, func(_ []string, p *design.Part) {
		if ref := firstMesh(p); ref != nil && err == nil && ref.SHA256 != "" {
			if b, ok := m[ref.Path]; ok {
				err = s.Cache.CachePut(ctx, ref.SHA256, "analysis", "v1", b)
			}
		}
	})
	return err
}

// measureParts reads each part's mesh (opened by open): fills in outer
// dimensions and mass the manifest left out, and warns of meshes that are
// not watertight (a slicer may fail on them, or print them wrong). A mesh
// that cannot be read, or is beyond the node's limits, is an error naming
// it: such a design is refused before any of its files is kept.
func (s *Service) measureParts(ctx context.Context, c *design.Content, open func(ref *design.FileRef) (io.ReadSeekCloser, error)) ([]okh.Warning, measured, error) {
	var warns []okh.Warning
	out := measured{}
	var failed error
	design.Walk(c.Parts, func(path []string, p *design.Part) {
		if p.Kind != design.KindPart || failed != nil {
			return
		}
		ref := firstMesh(p)
		if ref == nil {
			return
		}
		f, err := open(ref)
		if err != nil || f == nil {
			failed = err // nil: no such file here, nothing to measure
			return
		}
		err = s.withFile(ctx, ref.Path, func() (io.ReadSeekCloser, error) { return f, nil }, func(f io.Reader, lim geometry.Limits) error {
			m, err := geometry.Read(ctx, ref.Path, f, lim)
			if err != nil {
				return err
			}
			a, err := geometry.Analyze(ctx, m, geometry.DefaultOptions)
			if err != nil {
				return err
			}
			if b, err := json.Marshal(a); err == nil {
				out[ref.Path] = b
			}
			if !a.Watertight {
				warns = append(warns, okh.Warning{File: ref.Path, Field: p.Name, Msg: fmt.Sprintf("the mesh is not watertight (%d open edges, %d non-manifold, %d flipped faces): repair it before slicing", a.BoundaryEdges, a.NonManifoldEdges, a.FlippedFaces)})
			}
			if p.Dimensions == nil && a.Triangles > 0 {
				p.Dimensions = &design.Dimensions{X: round3(a.Size.X), Y: round3(a.Size.Y), Z: round3(a.Size.Z)}
			}
			if p.MassG == 0 && a.Volume > 0 {
				p.MassG = round3(partMass(ctx, m, a, p))
			}
			return nil
		})
		if err != nil {
			failed = err
			if e, ok := err.(*dgml.Error); ok && e.Field == "" && e.File != "" {
				c := *e
				c.Field = p.Name
				failed = &c
			}
		}
	})
	if failed != nil {
		return nil, nil, failed
	}
	return warns, out, nil
}

func firstMesh(p *design.Part) *design.FileRef {
	for _, refs := range [][]design.FileRef{p.Exports, p.Sources} {
		for i := range refs {
			if (refs[i].SHA256 != "" || !strings.Contains(refs[i].Path, "://")) && refs[i].Path != "" && geometry.Readable(refs[i].Path) {
				return &refs[i]
			}
		}
	}
	return nil
}

// partMass is the filament of a print for FDM parts (infill, not solid),
// the solid volume times the density for the rest, zero when the
// material is unknown.
func partMass(ctx context.Context, m *geometry.Mesh, a *geometry.Analysis, p *design.Part) float64 {
	mat, ok := estimate.LookupMaterial(p.Material)
	if p.Process == design.ProcessFDM {
		st := estimate.DefaultFDM
		if ok {
			st.FilamentDensity = mat.Density
		}
		if r, err := estimate.EstimateFDM(ctx, m, st); err == nil {
			return r.FilamentG
		}
	}
	if !ok {
		return 0
	}
	return a.Volume / 1000 * mat.Density
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
