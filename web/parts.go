package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/geometry"
)

// A page per part: its files (each downloadable alone), the mesh in 3D,
// what the node measured of it and what making it takes by each process
// that fits it.

// partFile is a file of a part, for the page.
type partFile struct {
	design.FileRef
	Role string // made from, source, picture
	Mesh bool
}

// processEstimate is what making the part takes by one process.
type processEstimate struct {
	Process, Label, Time, Material, Note string
}

func (s *Site) partPage(w http.ResponseWriter, r *http.Request) (*view, error) {
	ctx := r.Context()
	d, rev, err := s.commons.Head(ctx, r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	key := r.PathValue("key")
	p := partAt(rev, key)
	if p == nil {
		return nil, &dgml.Error{Kind: dgml.NotFound, Msg: fmt.Sprintf("%s has no part %s in its newest revision: it may have been moved or removed", d.Name, key)}
	}
	// Where the part sits: the modules above it, each linked.
	type crumb struct{ Name, Key string }
	var path []crumb
	idx := strings.Split(key, ".")
	for i := 1; i < len(idx); i++ {
		k := strings.Join(idx[:i], ".")
		if m := partAt(rev, k); m != nil {
			path = append(path, crumb{m.Name, k})
		}
	}
	var files []partFile
	add := func(refs []design.FileRef, role string) {
		for _, f := range refs {
			files = append(files, partFile{FileRef: f, Role: role, Mesh: f.SHA256 != "" && geometry.Readable(f.Path)})
		}
	}
	add(p.Exports, "to make it from")
	add(p.Sources, "source")
	add(p.Images, "picture")
	data := map[string]any{"Design": d, "Rev": rev, "Part": p, "Key": key, "Path": path, "Files": files}
	var children []map[string]any
	for i, c := range p.Children {
		children = append(children, map[string]any{"Key": key + "." + strconv.Itoa(i), "Part": c})
	}
	data["Children"] = children
	if mesh := meshSum(*p); mesh != "" {
		data["Mesh"] = mesh
		for _, f := range files {
			if f.SHA256 == mesh {
				data["MeshName"] = f.Path
			}
		}
		if b, err := s.commons.Analysis(ctx, mesh); err == nil {
			var a geometry.Analysis
			if json.Unmarshal(b, &a) == nil {
				data["Analysis"] = &a
			}
		} else {
			data["AnalysisErr"] = err.Error()
		}
		data["Estimates"] = s.estimates(r, mesh, p)
	}
	return page("part.html", p.Name+" · "+d.Name, data), nil
}

// estimates are what printing and milling the part take, by the
// node's estimators (each computed once per file and cached).
func (s *Site) estimates(r *http.Request, mesh string, p *design.Part) []processEstimate {
	var out []processEstimate
	mat := materialOr(p.Material, "PLA")
	if b, err := s.commons.Estimate(r.Context(), mesh, commons.EstimateRequest{Process: "fdm", Material: mat}); err == nil {
		var e struct {
			Seconds   float64 `json:"seconds"`
			FilamentG float64 `json:"filament_g"`
			Layers    int     `json:"layers"`
		}
		if json.Unmarshal(b, &e) == nil {
			out = append(out, processEstimate{Process: "fdm", Label: "3D printing (FDM), 0.2 mm layers, 15 % infill", Time: hoursText(e.Seconds / 3600),
				Material: fmt.Sprintf("%.1f g of %s", e.FilamentG, mat), Note: fmt.Sprintf("%d layers", e.Layers)})
		}
	} else {
		out = append(out, processEstimate{Process: "fdm", Label: "3D printing (FDM)", Note: "no estimate: " + err.Error()})
	}
	cncMat := p.Material
	if cncMat == "" || p.Process != design.ProcessCNCMilling {
		cncMat = "aluminium"
	}
	if b, err := s.commons.Estimate(r.Context(), mesh, commons.EstimateRequest{Process: "cnc", Material: cncMat}); err == nil {
		var e struct {
			Seconds    float64 `json:"seconds"`
			StockMassG float64 `json:"stock_mass_g"`
			StockX     float64 `json:"stock_x_mm"`
			StockY     float64 `json:"stock_y_mm"`
			StockZ     float64 `json:"stock_z_mm"`
		}
		if json.Unmarshal(b, &e) == nil {
			out = append(out, processEstimate{Process: "cnc", Label: "CNC milling from a block", Time: hoursText(e.Seconds / 3600),
				Material: fmt.Sprintf("%.0f g block of %s (%.0f × %.0f × %.0f mm)", e.StockMassG, cncMat, e.StockX, e.StockY, e.StockZ)})
		}
	}
	return out
}

// bytesText writes a file size for people.
func bytesText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
