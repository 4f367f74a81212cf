package estimate

import (
	"math"

	"github.com/dgml/dgml/geometry"
)

// gyroidDensity is how PrusaSlicer scales the gyroid to a density: its
// period is 2π·spacing/(gyroidDensity·density).
const gyroidDensity = 2.44

// gyroidSpeed is the mean speed at which a printer follows gyroid infill
// lines of the given spacing and density: the gyroid's section at each
// height is a wavy curve whose bends, a fraction of a millimetre across
// at useful densities, hold the head far below the infill speed (the
// firmware slows at each bend as the jerk allows and cannot accelerate
// between bends close together). The curve is built from the surface's
// formula at eight heights, cut into points as a slicer would and
// merged by the G-code resolution, then timed with the same planner as
// the perimeters.
func gyroidSpeed(spacing, density float64, mv motion, resolution float64) float64 {
	if density <= 0 || mv.speed <= 0 {
		return mv.speed
	}
	scale := spacing / (gyroidDensity * math.Min(density, 1))
	const periods, steps, heights = 6, 48, 8
	length, seconds := 0.0, 0.0
	for k := 0; k < heights; k++ {
		phi := 2 * math.Pi * (float64(k) + 0.5) / heights
		// Follow one branch of the curve, continuously; where the
		// formula has no solution the curve turns away and a piece ends.
		var pieces [][]geometry.Point2
		var path []geometry.Point2
		prev := math.NaN()
		for i := 0; i <= periods*steps; i++ {
			x := 2 * math.Pi * float64(i) / steps
			// sin x cos y + sin y cos φ + sin φ cos x = 0, for y:
			// a cos y + b sin y = c with a = sin x, b = cos φ.
			a, b, c := math.Sin(x), math.Cos(phi), -math.Sin(phi)*math.Cos(x)
			r := math.Hypot(a, b)
			if r < 1e-9 || math.Abs(c) > r {
				if len(path) > 1 {
					pieces = append(pieces, path)
				}
				path, prev = nil, math.NaN()
				continue
			}
			base, d := math.Atan2(b, a), math.Acos(c/r)
			y := base + d
			if !math.IsNaN(prev) {
				best := math.Inf(1)
				for _, cand := range []float64{base + d, base - d} {
					cand += 2 * math.Pi * math.Round((prev-cand)/(2*math.Pi))
					if math.Abs(cand-prev) < math.Abs(best-prev) {
						best = cand
					}
				}
				y = best
			}
			prev = y
			path = append(path, geometry.Point2{X: x * scale, Y: y * scale})
		}
		if len(path) > 1 {
			pieces = append(pieces, path)
		}
		for _, piece := range pieces {
			l, t := openPathTime(simplifyOpen(piece, resolution), mv)
			length += l
			seconds += t
		}
	}
	if seconds <= 0 {
		return mv.speed
	}
	return math.Min(mv.speed, length/seconds)
}

// openPathTime plans a path from rest to rest, as loopTime plans a loop.
func openPathTime(path []geometry.Point2, mv motion) (length, seconds float64) {
	var segs []seg
	for i := 0; i+1 < len(path); i++ {
		segs = appendSeg(segs, path[i], path[i+1])
	}
	for _, sg := range segs {
		length += sg.l
	}
	return length, planned(segs, 0, mv)
}

// honeycombLength is how much longer PrusaSlicer's honeycomb infill is
// than straight lines at the same density. Its hexagons' sides are
// 2/√3 times the line distance, so that edges laid once would match the
// lines' length; but each zigzag column lays its own copy of the
// vertical sides it shares with the next, so one side in three is laid
// twice: 4/3.
const honeycombLength = 4.0 / 3

// honeycombSpeed is the mean speed along PrusaSlicer's honeycomb infill:
// zigzag columns of sides 2/√3 × spacing/density long turning 60° at
// every corner, where the jerk holds the head to a few mm/s, planned as
// the perimeters are (the pattern at PrusaSlicer's 45° fill angle).
func honeycombSpeed(spacing, density float64, mv motion) float64 {
	if density <= 0 || mv.speed <= 0 {
		return mv.speed
	}
	side := 2 / math.Sqrt(3) * spacing / math.Min(density, 1)
	// Up one side, up and across at 30°, up, up and back at 150°: one
	// column, 40 sides long, from rest to rest.
	dirs := []float64{90, 30, 90, 150}
	path := []geometry.Point2{{}}
	for k := 0; k < 40; k++ {
		a := (dirs[k%4] + 45) * math.Pi / 180
		last := path[len(path)-1]
		path = append(path, geometry.Point2{X: last.X + side*math.Cos(a), Y: last.Y + side*math.Sin(a)})
	}
	l, t := openPathTime(path, mv)
	if t <= 0 {
		return mv.speed
	}
	return math.Min(mv.speed, l/t)
}
