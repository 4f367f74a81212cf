package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dgml/dgml/geometry"
)

// holdoutParts are the fdm set's kinds of part, two of each, at sizes
// drawn from a fixed seed, and three kinds the fdm set lacks (stepped
// pyramids, L-brackets, nuts). The estimate was never tuned on them:
// they say whether what was tuned on the fdm set holds elsewhere. Their
// names start with "h-", which is how the comparison tells them apart.
// Another seed gives a fresh holdout, for when this one has been looked
// at too closely.
func holdoutParts(seed uint64) map[string]*geometry.Mesh {
	r := rand.New(rand.NewPCG(seed, 15))
	u := func(lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }
	parts := map[string]*geometry.Mesh{}
	add := func(kind string, m *geometry.Mesh) {
		for n := 1; ; n++ {
			name := fmt.Sprintf("h-%s-%d", kind, n)
			if parts[name] == nil {
				parts[name] = m
				return
			}
		}
	}
	ring := func(rad, wall, h float64) []p2 {
		return []p2{{rad - wall, 0}, {rad, 0}, {rad, h}, {rad - wall, h}}
	}
	for range 2 {
		add("tower", box(0, 0, 0, u(8, 30), u(8, 30), u(20, 70)))
		add("tube", revolve(ring(u(6, 20), u(0.7, 1.6), u(15, 45)), 120))
		b, t, w, h := u(15, 30), u(10, 20), u(0.9, 1.8), u(25, 60)
		add("vase", revolve([]p2{{0.001, 0}, {b, 0}, {t, h}, {t - w, h}, {b - w, w}, {0.001, w}}, 120))
		add("plate", box(0, 0, 0, u(30, 100), u(20, 70), u(1.5, 5)))
		wall, n := 1+r.IntN(3), 20+r.IntN(30)
		hz := 10 + r.IntN(25)
		add("hollow-box", voxels(n, n, hz, 1, func(x, y, z int) bool {
			return !(x >= wall && x < n-wall && y >= wall && y < n-wall && z >= wall && z < hz-wall)
		}))
		span, leg, deck, depth := u(15, 40), u(6, 14), u(3, 8), u(8, 20)
		height := u(10, 25)
		W := 2*leg + span
		add("bridge", standUp(must(geometry.Extrude(outline(0, 0, leg, 0, leg, height, leg+span, height, leg+span, 0, W, 0, W, height+deck, 0, height+deck), depth))))
		base, top, ho := u(8, 15), u(20, 35), u(15, 35)
		add("overhang", standUp(must(geometry.Extrude(outline(0, 0, base, 0, base, ho*0.4, top, ho, top, ho+5, 0, ho+5), u(10, 20)))))
		rs := u(8, 30)
		add("sphere", revolve(semicircle(rs, 64), 128))
		add("torus", torus(u(15, 30), u(4, 10), 128, 48))
		c := u(3, 8)
		add("tiny-cube", box(0, 0, 0, c, c, c))
		add("tiny-pin", revolve(scaleZ([]p2{{0.001, 0}, {u(1.5, 4), 0}, {u(1.5, 4), 1}, {0.001, 1}}, u(4, 12)), 48))
		add("gear", must(geometry.Extrude(geometry.Gear(12+r.IntN(20), u(1.5, 3)), u(5, 12))))
		pitch := u(8, 16)
		rad := u(2, pitch/2-1)
		add("perforated", voxels(160, 100, 4+r.IntN(8), 0.5, func(x, y, z int) bool {
			cx, cy := float64(x)*0.5+0.25, float64(y)*0.5+0.25
			return math.Hypot(math.Mod(cx, pitch)-pitch/2, math.Mod(cy, pitch)-pitch/2) >= rad
		}))
		fins := box(0, 0, 0, 70, 30, 2)
		x := 5.0
		for range 4 {
			t := u(0.5, 1.6)
			f := box(x, 3, 0, x+t, 27, u(10, 30))
			f.Translate(vec{Z: 2})
			fins.Append(f)
			x += 16
		}
		add("fins", fins)
		// Kinds the fdm set does not have.
		steps := &geometry.Mesh{}
		side, shrink, z := u(30, 50), u(3, 8), 0.0
		for ; side > 4; side -= shrink {
			hk := u(2, 6)
			st := box(-side/2, -side/2, 0, side/2, side/2, hk)
			st.Translate(vec{Z: z})
			steps.Append(st)
			z += hk
		}
		add("steps", steps)
		a, th := u(20, 50), u(2, 6)
		add("l-bracket", must(geometry.Extrude(outline(0, 0, a, 0, a, th, th, th, th, a, 0, a), u(10, 30))))
		// A hexagonal nut: a ring revolved in six steps.
		R, hn := u(4, 12), u(3, 10)
		hole := u(0.3, 0.6) * R
		nut := revolve([]p2{{hole, 0}, {R, 0}, {R, hn}, {hole, hn}}, 6)
		add("nut", nut)
	}
	return parts
}

func must(m *geometry.Mesh, err error) *geometry.Mesh {
	if err != nil {
		panic(err)
	}
	return m
}
