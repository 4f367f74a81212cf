// Command gen writes the parts the comparison scripts measure: closed,
// consistently oriented binary STL meshes made from formulas, so that the
// comparisons run on parts nobody tuned the estimates on.
//
//	go run ./tools/compare/gen -out DIR [-set fdm|holdout|big]
//
// The fdm set is small printable parts of kinds the shared corpus lacks
// (thin-walled towers, tubes and vases, plates, hollow boxes, bridges,
// overhangs, spheres, tori, tiny parts, gears, perforated plates); the
// holdout set is the same kinds and three more at sizes drawn from a
// fixed seed, kept out of all tuning; the big set is a torus and a
// sphere of five million triangles each.
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/dgml/dgml/geometry"
)

func main() {
	out := flag.String("out", ".", "folder to write the STL files to")
	set := flag.String("set", "fdm", "which parts: fdm, holdout or big")
	seed := flag.Uint64("seed", 20261203, "the holdout set's sizes are drawn from this seed")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	parts := map[string]*geometry.Mesh{}
	switch *set {
	case "big":
		parts["torus-5m"] = torus(60, 20, 2500, 1000)
		parts["sphere-5m"] = revolve(semicircle(50, 1250), 2000)
	case "fdm":
		parts = fdmParts()
	case "holdout":
		parts = holdoutParts(*seed)
	default:
		log.Fatalf("unknown set %q: fdm, holdout or big", *set)
	}
	for name, m := range parts {
		f, err := os.Create(filepath.Join(*out, name+".stl"))
		if err != nil {
			log.Fatal(err)
		}
		if err := geometry.WriteSTL(f, m, name); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s.stl\t%d triangles\n", name, len(m.Triangles))
	}
}

type vec = geometry.Vec

// quad adds two triangles a, b, c, d in counter-clockwise order seen from
// outside.
func quad(m *geometry.Mesh, a, b, c, d vec) {
	m.Triangles = append(m.Triangles, geometry.Triangle{a, b, c}, geometry.Triangle{a, c, d})
}

// torus is a ring of major radius R and tube radius r on the bed, with
// nu segments around the ring and nv around the tube.
func torus(R, r float64, nu, nv int) *geometry.Mesh {
	m := &geometry.Mesh{Triangles: make([]geometry.Triangle, 0, 2*nu*nv)}
	p := func(i, j int) vec {
		u, v := 2*math.Pi*float64(i%nu)/float64(nu), 2*math.Pi*float64(j%nv)/float64(nv)
		return vec{X: (R + r*math.Cos(v)) * math.Cos(u), Y: (R + r*math.Cos(v)) * math.Sin(u), Z: r + r*math.Sin(v)}
	}
	for i := 0; i < nu; i++ {
		for j := 0; j < nv; j++ {
			quad(m, p(i, j), p(i+1, j), p(i+1, j+1), p(i, j+1))
		}
	}
	return m
}
