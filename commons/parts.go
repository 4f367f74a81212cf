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
	f, err := s.Blobs.Open(sum)
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
	h := sha256.Sum256(key)
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

// measureParts reads each part's stored mesh: fills in outer dimensions
// and mass the manifest left out, and warns of meshes that are not
// watertight (a slicer may fail on them, or print them wrong).
func (s *Service) measureParts(ctx context.Context, c *design.Content) ([]okh.Warning, error) {
	var warns []okh.Warning
	design.Walk(c.Parts, func(path []string, p *design.Part) {
		if p.Kind != design.KindPart || ctx.Err() != nil {
			return
		}
		ref := firstMesh(p)
		if ref == nil {
			return
		}
		err := s.withMeshBlob(ctx, ref.SHA256, ref.Path, func(m *geometry.Mesh) error {
			a, err := geometry.Analyze(ctx, m, geometry.DefaultOptions)
			if err != nil {
				return err
			}
			if b, err := json.Marshal(a); err == nil && s.Cache != nil {
				if err := s.Cache.CachePut(ctx, ref.SHA256, "analysis", "v1", b); err != nil {
					return err
				}
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
		if err != nil && ctx.Err() == nil {
			warns = append(warns, okh.Warning{File: ref.Path, Field: p.Name, Msg: "cannot measure the mesh: " + err.Error()})
		}
	})
	return warns, ctx.Err()
}

func firstMesh(p *design.Part) *design.FileRef {
	for _, refs := range [][]design.FileRef{p.Exports, p.Sources} {
		for i := range refs {
			if refs[i].SHA256 != "" && geometry.Readable(refs[i].Path) {
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
