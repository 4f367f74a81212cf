package plan

import (
	"math"
	"sort"
)

// maxChunks bounds how many machines one part line is spread over.
const maxChunks = 8

// solveSplitting plans the request, then tries splitting part lines over
// more machines: a line left out because no one machine can make all of
// it before the deadline, or the line that makes the plan late. A split
// is kept when it places more units, or costs less once the days it
// saves are counted at the value of time; each extra machine pays its
// own setup. It returns the problem solved (its request holds the lines
// as split), the assignment, and the original line of each job.
func solveSplitting(req *Request) (*problem, []int, []int) {
	line := make([]int, len(req.Jobs))
	for i := range line {
		line[i] = i
	}
	p := prepare(req)
	assign := p.solve()
	units, total := p.score(assign)
	for round := 0; round < 2*maxChunks; round++ {
		var best *problem
		var bestAssign, bestLine []int
		for _, j := range p.splittable(assign) {
			q := p.req.Jobs[j].Quantity
			for k := 2; k <= min(int(q), maxChunks, p.capable[j]); k++ {
				np, l := p.split(line, j, k)
				a := np.solveFrom(splitStart(assign, j, k))
				u, t := np.score(a)
				if u > units+eps || (u > units-eps && t < total-eps) {
					best, bestAssign, bestLine, units, total = np, a, l, u, t
				}
			}
		}
		if best == nil {
			break
		}
		p, assign, line = best, bestAssign, bestLine
	}
	return p, assign, line
}

// score is what plans are compared by: units placed, then the objective.
func (p *problem) score(assign []int) (units, total float64) {
	for j, o := range assign {
		if o >= 0 {
			units += p.req.Jobs[j].Quantity
		}
	}
	return units, p.total(assign)
}

// splittable lists the jobs worth splitting, longest first: whole units
// (two or more), more than one machine able to make them, and either left
// out or on the machine whose queue makes the plan late.
func (p *problem) splittable(assign []int) []int {
	late := -1
	if p.leadEUR > 0 {
		load := make([]float64, len(p.capacity))
		for j, o := range assign {
			if o >= 0 {
				load[p.options[j][o].mid] += p.req.Jobs[j].Hours()
			}
		}
		worst := 0.0
		for mid, h := range load {
			if t := h*p.calendar[mid] + p.siteExtra[p.midSite[mid]]; h > 0 && t > worst {
				late, worst = mid, t
			}
		}
	}
	var out []int
	for j, o := range assign {
		q := p.req.Jobs[j].Quantity
		if q < 2 || q != math.Trunc(q) || p.capable[j] < 2 {
			continue
		}
		if o < 0 || p.options[j][o].mid == late {
			out = append(out, j)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return p.req.Jobs[out[a]].Hours() > p.req.Jobs[out[b]].Hours() })
	if len(out) > 4 {
		out = out[:4] // each try is a whole plan: the longest lines gain most
	}
	return out
}

// split returns the problem with job j divided into k jobs of whole
// units as even as can be, and the original line of each job. The other
// jobs keep their options; only the new ones are matched.
func (p *problem) split(line []int, j, k int) (*problem, []int) {
	r := *p.req
	np := *p
	np.req = &r
	np.byMid = nil
	n := len(p.req.Jobs) + k - 1
	r.Jobs = make([]Job, 0, n)
	np.options, np.capable = make([][]option, 0, n), make([]int, 0, n)
	l := make([]int, 0, n)
	for i, job := range p.req.Jobs {
		if i != j {
			r.Jobs = append(r.Jobs, job)
			np.options, np.capable = append(np.options, p.options[i]), append(np.capable, p.capable[i])
			l = append(l, line[i])
			continue
		}
		q := int(job.Quantity)
		for c := 0; c < k; c++ {
			part := job
			part.Quantity = float64(q / k)
			if c < q%k {
				part.Quantity++
			}
			r.Jobs = append(r.Jobs, part)
			os, capable := np.optionsFor(&part)
			np.options, np.capable = append(np.options, os), append(np.capable, capable)
			l = append(l, line[i])
		}
	}
	return &np, l
}

// splitStart is the assignment to start from once job j is split into k:
// every other job where it was, the k new ones to be placed.
func splitStart(assign []int, j, k int) []int {
	out := make([]int, 0, len(assign)+k-1)
	out = append(out, assign[:j]...)
	for c := 0; c < k; c++ {
		out = append(out, -1)
	}
	return append(out, assign[j+1:]...)
}
