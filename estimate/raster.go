package estimate

import (
	"math"
	"math/bits"
	"sort"

	"github.com/dgml/dgml/geometry"
)

// grid is a layer's area as square cells of one extrusion width, the unit
// a slicer lays material in. Rows are bitsets.
type grid struct {
	nx, ny int
	words  int
	x0, y0 float64
	cell   float64
	bits   []uint64
}

func newGrid(x0, y0, x1, y1, cell float64) *grid {
	nx := int(math.Ceil((x1-x0)/cell)) + 1
	ny := int(math.Ceil((y1-y0)/cell)) + 1
	w := (nx + 63) / 64
	return &grid{nx: nx, ny: ny, words: w, x0: x0, y0: y0, cell: cell, bits: make([]uint64, w*ny)}
}

func (g *grid) empty() *grid {
	c := *g
	c.bits = make([]uint64, len(g.bits))
	return &c
}

func (g *grid) set(x, y int) { g.bits[y*g.words+x>>6] |= 1 << (uint(x) & 63) }

func (g *grid) has(x, y int) bool {
	if x < 0 || y < 0 || x >= g.nx || y >= g.ny {
		return false
	}
	return g.bits[y*g.words+x>>6]&(1<<(uint(x)&63)) != 0
}

// fill rasterises loops with the non-zero winding rule, sampling cell
// centres: where shells of a part overlap, the material is their union,
// as slicers take it. Edges are bucketed by the first row they cross, so
// each row looks only at the edges that span it.
func (g *grid) fill(loops [][]geometry.Point2) {
	type edge struct {
		ax, ay, slope float64
		last, dir     int
	}
	starts := make([][]edge, g.ny)
	for _, p := range loops {
		for i := range p {
			a, b := p[i], p[(i+1)%len(p)]
			if a.Y == b.Y {
				continue
			}
			dir := 1
			lo, hi := a.Y, b.Y
			if b.Y < a.Y {
				dir, lo, hi = -1, b.Y, a.Y
			}
			// The rows whose centre cy has lo <= cy < hi, as the test
			// (a.Y <= cy) != (b.Y <= cy) has it.
			first := int(math.Ceil((lo-g.y0)/g.cell - 0.5))
			last := int(math.Ceil((hi-g.y0)/g.cell-0.5)) - 1
			if first > last || last < 0 || first >= g.ny {
				continue
			}
			first = max(first, 0)
			starts[first] = append(starts[first], edge{a.X, a.Y, (b.X - a.X) / (b.Y - a.Y), min(last, g.ny-1), dir})
		}
	}
	type crossing struct {
		x   float64
		dir int
	}
	var active []edge
	var xs []crossing
	for y := 0; y < g.ny; y++ {
		active = append(active, starts[y]...)
		if len(active) == 0 {
			continue
		}
		cy := g.y0 + (float64(y)+0.5)*g.cell
		xs = xs[:0]
		kept := active[:0]
		for _, e := range active {
			xs = append(xs, crossing{e.ax + (cy-e.ay)*e.slope, e.dir})
			if e.last > y {
				kept = append(kept, e)
			}
		}
		active = kept
		sort.Slice(xs, func(i, j int) bool { return xs[i].x < xs[j].x })
		wind := 0
		for i := 0; i+1 < len(xs); i++ {
			wind += xs[i].dir
			if wind == 0 {
				continue
			}
			from := int(math.Ceil((xs[i].x-g.x0)/g.cell - 0.5))
			to := int(math.Floor((xs[i+1].x-g.x0)/g.cell - 0.5))
			for x := max(from, 0); x <= min(to, g.nx-1); x++ {
				g.set(x, y)
			}
		}
	}
}

// components labels the 4-connected islands of set cells and returns,
// for each, the list of its cells' indices (y*nx + x).
// smallIslands sets in dst every cell of g's islands (4-connected) of
// fewer than limit cells, flooding each island once with one buffer.
func (g *grid) smallIslands(limit int, dst *grid) {
	seen := make([]bool, g.nx*g.ny)
	stack, comp := make([]int, 0, 4*(g.nx+g.ny)), make([]int, 0, min(limit, g.nx*g.ny))
	for y := 0; y < g.ny; y++ {
		for x := 0; x < g.nx; x++ {
			if !g.has(x, y) || seen[y*g.nx+x] {
				continue
			}
			comp = comp[:0]
			stack = append(stack[:0], y*g.nx+x)
			seen[y*g.nx+x] = true
			for len(stack) > 0 {
				c := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if len(comp) < limit {
					comp = append(comp, c)
				}
				cx, cy := c%g.nx, c/g.nx
				for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
					nx, ny := cx+d[0], cy+d[1]
					if g.has(nx, ny) && !seen[ny*g.nx+nx] {
						seen[ny*g.nx+nx] = true
						stack = append(stack, ny*g.nx+nx)
					}
				}
			}
			if len(comp) < limit {
				for _, c := range comp {
					dst.set(c%dst.nx, c/dst.nx)
				}
			}
		}
	}
}

// erode removes the cells within one cell of the outside: with square
// (8-neighbour) or cross (4-neighbour) reach, alternated by the caller to
// approximate a round offset.
func (g *grid) erode(square bool) *grid {
	out := g.empty()
	for y := 0; y < g.ny; y++ {
		for x := 0; x < g.nx; x++ {
			if !g.has(x, y) || !g.has(x-1, y) || !g.has(x+1, y) || !g.has(x, y-1) || !g.has(x, y+1) {
				continue
			}
			if square && (!g.has(x-1, y-1) || !g.has(x+1, y-1) || !g.has(x-1, y+1) || !g.has(x+1, y+1)) {
				continue
			}
			out.set(x, y)
		}
	}
	return out
}

// and, andNot combine grids of the same shape into a new one.
// isEmpty says whether no cell is set.
func (g *grid) isEmpty() bool {
	for _, w := range g.bits {
		if w != 0 {
			return false
		}
	}
	return true
}

// count is how many cells are set.
func (g *grid) count() int {
	n := 0
	for _, w := range g.bits {
		n += bits.OnesCount64(w)
	}
	return n
}

// dilate adds the cells next to g's (4-neighbour reach).
func (g *grid) dilate() *grid {
	out := g.empty()
	for y := 0; y < g.ny; y++ {
		for x := 0; x < g.nx; x++ {
			if g.has(x, y) || g.has(x-1, y) || g.has(x+1, y) || g.has(x, y-1) || g.has(x, y+1) {
				out.set(x, y)
			}
		}
	}
	return out
}

func (g *grid) and(o *grid) *grid {
	out := g.empty()
	for i := range g.bits {
		out.bits[i] = g.bits[i] & o.bits[i]
	}
	return out
}

func (g *grid) andNot(o *grid) *grid {
	out := g.empty()
	for i := range g.bits {
		out.bits[i] = g.bits[i] &^ o.bits[i]
	}
	return out
}

func (g *grid) or(o *grid) *grid {
	out := g.empty()
	for i := range g.bits {
		out.bits[i] = g.bits[i] | o.bits[i]
	}
	return out
}

// runs lists the lengths (in cells) of the straight lines an infill with
// the given line spacing (in cells) lays over the grid: along rows, or
// along columns when vertical.
func (g *grid) runs(frac float64, vertical bool) []int {
	var out []int
	outer, inner := g.ny, g.nx
	if vertical {
		outer, inner = g.nx, g.ny
	}
	for o := 0; o < outer; o++ {
		// Row o is a line when frac of the rows up to it passes a whole
		// number: exactly frac of the rows, evenly spread.
		if math.Floor(float64(o+1)*frac+0.5) == math.Floor(float64(o)*frac+0.5) {
			continue
		}
		run := 0
		for i := 0; i <= inner; i++ {
			on := false
			if i < inner {
				if vertical {
					on = g.has(o, i)
				} else {
					on = g.has(i, o)
				}
			}
			if on {
				run++
				continue
			}
			if run > 0 {
				out = append(out, run)
				run = 0
			}
		}
	}
	return out
}
