package commons

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/estimate"
	"github.com/dgml/dgml/geometry"
	"github.com/dgml/dgml/okh"
)

// mesh reads a stored file, known to the store, as a mesh.
func (s *Service) mesh(ctx context.Context, sum string) (*geometry.Mesh, *design.FileInfo, error) {
	info, err := s.Store.File(ctx, sum)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.meshBlob(sum, info.Name)
	return m, info, err
}

// meshBlob reads a blob as a mesh; the name's extension gives the format.
func (s *Service) meshBlob(sum, name string) (*geometry.Mesh, error) {
	if !geometry.Readable(name) {
		return nil, &dgml.Error{Kind: dgml.Unsupported, File: name, Msg: "not a mesh (STL, 3MF or OBJ)"}
	}
	f, err := s.Blobs.Open(sum)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return geometry.Read(name, f, geometry.Limits{})
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
	return s.cached(ctx, sum, "analysis", "v1", func() ([]byte, error) {
		m, _, err := s.mesh(ctx, sum)
		if err != nil {
			return nil, err
		}
		return json.Marshal(geometry.Analyze(m, geometry.DefaultOptions))
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
	return s.cached(ctx, sum, "estimate", hex.EncodeToString(h[:8]), func() ([]byte, error) {
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
			m, _, err := s.mesh(ctx, sum)
			if err != nil {
				return nil, err
			}
			r, err := estimate.EstimateFDM(m, st)
			if err != nil {
				return nil, err
			}
			return json.Marshal(r)
		case "cnc":
			m, _, err := s.mesh(ctx, sum)
			if err != nil {
				return nil, err
			}
			r, err := estimate.CNC(geometry.Analyze(m, geometry.DefaultOptions), req.Material)
			if err != nil {
				return nil, err
			}
			return json.Marshal(r)
		case "laser":
			info, err := s.Store.File(ctx, sum)
			if err != nil {
				return nil, err
			}
			f, err := s.Blobs.Open(sum)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			o, err := geometry.ReadOutline(info.Name, f, geometry.Limits{})
			if err != nil {
				return nil, err
			}
			r, err := estimate.Laser(o, req.Material, req.Thickness)
			if err != nil {
				return nil, err
			}
			return json.Marshal(r)
		}
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "process", Msg: "process must be fdm, cnc or laser"}
	})
}

// Thumbnail renders a stored mesh as PNG, once per file and size.
func (s *Service) Thumbnail(ctx context.Context, sum string, size int) ([]byte, error) {
	return s.cached(ctx, sum, "thumbnail", fmt.Sprint(size), func() ([]byte, error) {
		m, _, err := s.mesh(ctx, sum)
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		err = geometry.WritePNG(&b, m, size)
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
		m, err := s.meshBlob(ref.SHA256, ref.Path)
		if err != nil {
			warns = append(warns, okh.Warning{File: ref.Path, Field: p.Name, Msg: "cannot read the mesh: " + err.Error()})
			return
		}
		a := geometry.Analyze(m, geometry.DefaultOptions)
		if b, err := json.Marshal(a); err == nil && s.Cache != nil {
			s.Cache.CachePut(ctx, ref.SHA256, "analysis", "v1", b)
		}
		if !a.Watertight {
			warns = append(warns, okh.Warning{File: ref.Path, Field: p.Name, Msg: fmt.Sprintf("the mesh is not watertight (%d open edges, %d non-manifold, %d flipped faces): repair it before slicing", a.BoundaryEdges, a.NonManifoldEdges, a.FlippedFaces)})
		}
		if p.Dimensions == nil && a.Triangles > 0 {
			p.Dimensions = &design.Dimensions{X: round3(a.Size.X), Y: round3(a.Size.Y), Z: round3(a.Size.Z)}
		}
		if p.MassG == 0 && a.Volume > 0 {
			p.MassG = round3(partMass(m, a, p))
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
func partMass(m *geometry.Mesh, a *geometry.Analysis, p *design.Part) float64 {
	mat, ok := estimate.LookupMaterial(p.Material)
	if p.Process == design.ProcessFDM {
		st := estimate.DefaultFDM
		if ok {
			st.FilamentDensity = mat.Density
		}
		if r, err := estimate.EstimateFDM(m, st); err == nil {
			return r.FilamentG
		}
	}
	if !ok {
		return 0
	}
	return a.Volume / 1000 * mat.Density
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
