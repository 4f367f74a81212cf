// Command naturalearth converts Natural Earth's 1:110m country outlines
// (public domain), as TopoJSON, into the equirectangular SVG the web
// interface draws its maps on. Run it when the outlines change:
//
//	npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
//	go run ./tools/naturalearth package/countries-110m.json > web/static/world.svg
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
)

type topology struct {
	Transform struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64 `json:"arcs"`
	Objects map[string]struct {
		Geometries []struct {
			Type       string            `json:"type"`
			Arcs       json.RawMessage   `json:"arcs"`
			Properties map[string]string `json:"properties"`
		} `json:"geometries"`
	} `json:"objects"`
}

// Width and Height of the map; web/map.go projects points the same way.
const width, height = 1000.0, 500.0

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: naturalearth countries-110m.json > world.svg")
		os.Exit(2)
	}
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var t topology
	if err := json.Unmarshal(b, &t); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	arcs := decode(&t)
	fmt.Printf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" role="img" aria-label="World map">`+"\n", width, height)
	fmt.Println(`<!-- Country outlines: Natural Earth 1:110m (public domain), via the world-atlas 2.0.2 TopoJSON. Equirectangular. -->`)
	fmt.Println(`<rect width="100%" height="100%" fill="#dfeaf2"/>`)
	fmt.Println(`<g fill="#f4f1ea" stroke="#9aa5ad" stroke-width="0.4">`)
	for _, g := range t.Objects["countries"].Geometries {
		var polys [][][]int
		switch g.Type {
		case "Polygon":
			var p [][]int
			json.Unmarshal(g.Arcs, &p)
			polys = [][][]int{p}
		case "MultiPolygon":
			json.Unmarshal(g.Arcs, &polys)
		default:
			continue
		}
		var d strings.Builder
		for _, poly := range polys {
			for _, ring := range poly {
				pts := unwrap(ringPoints(arcs, ring))
				lo, hi := 180.0, -180.0
				for _, p := range pts {
					lo, hi = math.Min(lo, p[0]), math.Max(hi, p[0])
				}
				// A ring crossing the antimeridian is drawn on both sides;
				// the map's edges clip what falls outside.
				shifts := []float64{0}
				if hi > 180 {
					shifts = append(shifts, -360)
				}
				if lo < -180 {
					shifts = append(shifts, 360)
				}
				for _, sh := range shifts {
					for i, p := range pts {
						x, y := (p[0]+sh+180)/360*width, (90-p[1])/180*height
						if i == 0 {
							fmt.Fprintf(&d, "M%.1f %.1f", x, y)
						} else {
							fmt.Fprintf(&d, "L%.1f %.1f", x, y)
						}
					}
					d.WriteString("Z")
				}
			}
		}
		name := strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;").Replace(g.Properties["name"])
		fmt.Printf("<path d=\"%s\"><title>%s</title></path>\n", d.String(), name)
	}
	fmt.Println("</g></svg>")
}

func decode(t *topology) [][][2]float64 {
	out := make([][][2]float64, len(t.Arcs))
	for i, arc := range t.Arcs {
		var x, y float64
		for _, p := range arc {
			x += p[0]
			y += p[1]
			lon := x*t.Transform.Scale[0] + t.Transform.Translate[0]
			lat := y*t.Transform.Scale[1] + t.Transform.Translate[1]
			out[i] = append(out[i], [2]float64{lon, math.Max(-90, math.Min(90, lat))})
		}
	}
	return out
}

// unwrap makes longitudes continuous along a ring (no jump of more than
// 180 degrees between neighbours), so a ring across the antimeridian
// does not streak across the map.
func unwrap(pts [][2]float64) [][2]float64 {
	for i := 1; i < len(pts); i++ {
		for pts[i][0]-pts[i-1][0] > 180 {
			pts[i][0] -= 360
		}
		for pts[i][0]-pts[i-1][0] < -180 {
			pts[i][0] += 360
		}
	}
	return pts
}

// ringPoints joins a ring's arcs; a negative index (~i) runs arc i
// backwards. Consecutive arcs share their joining point.
func ringPoints(arcs [][][2]float64, ring []int) [][2]float64 {
	var out [][2]float64
	for k, a := range ring {
		var pts [][2]float64
		if a >= 0 {
			pts = arcs[a]
		} else {
			src := arcs[^a]
			for i := len(src) - 1; i >= 0; i-- {
				pts = append(pts, src[i])
			}
		}
		if k > 0 && len(pts) > 0 {
			pts = pts[1:]
		}
		out = append(out, pts...)
	}
	return out
}
