package plan

import (
	"math"
	"sort"
)

// maxOptions bounds how many of the cheapest ways to make a job the
// search considers; beyond them a job's options cost more than any trip
// saved.
const maxOptions = 40

// state is an assignment with what the incremental moves need.
type state struct {
	p        *problem
	assign   []int
	load     []float64 // hours per machine (by mid)
	siteJobs []int
	used     int
	cost     float64
	ends     endHeap // every machine's end, when the lead is weighed
}

func newState(p *problem) *state {
	s := &state{p: p, assign: make([]int, len(p.options)), load: make([]float64, len(p.capacity)), siteJobs: make([]int, len(p.siteCost))}
	if p.leadEUR > 0 {
		s.ends = newEndHeap(len(p.capacity))
	}
	for j := range s.assign {
		s.assign[j] = -1
	}
	return s
}

func (s *state) penaltyFor(used int) float64 {
	if used <= 1 {
		return 0
	}
	return s.p.penalty * float64(used-1)
}

// delta is the change of the objective if job j moved to option o (-1:
// unassigned), or ok=false when the machine lacks the capacity.
func (s *state) delta(j, o int) (float64, bool) {
	p := s.p
	cur := s.assign[j]
	if cur == o {
		return 0, true
	}
	d := 0.0
	sa, sb := -1, -1
	if cur >= 0 {
		a := p.options[j][cur]
		d -= a.cost
		sa = a.site
	}
	if o >= 0 {
		b := p.options[j][o]
		sameMachine := cur >= 0 && p.options[j][cur].mid == b.mid
		if !sameMachine && s.load[b.mid]+p.req.Jobs[j].Hours() > p.capacity[b.mid]+1e-9 {
			return 0, false
		}
		d += b.cost
		sb = b.site
	}
	if sa != sb {
		used := s.used
		if sa >= 0 && s.siteJobs[sa] == 1 {
			d -= p.siteCost[sa]
			used--
		}
		if sb >= 0 && s.siteJobs[sb] == 0 {
			d += p.siteCost[sb]
			used++
		}
		d += s.penaltyFor(used) - s.penaltyFor(s.used)
	}
	if p.leadEUR > 0 {
		d += p.leadEUR * s.leadChange(j, cur, o)
	}
	return d, true
}

// leadChange is how the plan's lead time changes if job j moves from
// option cur to option o. Only the two machines change, so the new lead
// is the larger of their new queue ends and the latest end among the
// other machines, which the three latest ends always hold.
func (s *state) leadChange(j, cur, o int) float64 {
	p := s.p
	a, b := -1, -1
	if cur >= 0 {
		a = p.options[j][cur].mid
	}
	if o >= 0 {
		b = p.options[j][o].mid
	}
	if a == b {
		return 0
	}
	h := p.req.Jobs[j].Hours()
	after := 0.0
	if a >= 0 {
		after = p.end(a, s.load[a]-h)
	}
	if b >= 0 {
		after = max(after, p.end(b, s.load[b]+h))
	}
	// The three latest ends of a binary max-heap are among its first
	// seven nodes.
	for _, mid := range s.ends.heap[:min(7, len(s.ends.heap))] {
		if mid != a && mid != b {
			after = max(after, s.ends.key[mid])
		}
	}
	return after - s.ends.max()
}

// end is when a machine loaded with h estimated hours has its work at
// the customer (zero for an idle machine).
func (p *problem) end(mid int, h float64) float64 {
	if h <= 1e-12 {
		return 0
	}
	return h*p.calendar[mid] + p.siteExtra[p.midSite[mid]]
}

// endHeap keeps every machine's end in a binary max-heap indexed by
// machine, so a move updates it in O(log machines) and the latest ends
// are read off its top.
type endHeap struct {
	heap []int     // mids
	pos  []int     // mid -> index in heap
	key  []float64 // mid -> end
}

func newEndHeap(n int) endHeap {
	h := endHeap{heap: make([]int, n), pos: make([]int, n), key: make([]float64, n)}
	for i := range h.heap {
		h.heap[i], h.pos[i] = i, i
	}
	return h
}

func (h *endHeap) max() float64 {
	if len(h.heap) == 0 {
		return 0
	}
	return h.key[h.heap[0]]
}

func (h *endHeap) set(mid int, t float64) {
	old := h.key[mid]
	h.key[mid] = t
	i := h.pos[mid]
	if t > old {
		for i > 0 {
			up := (i - 1) / 2
			if h.key[h.heap[up]] >= t {
				break
			}
			h.swap(i, up)
			i = up
		}
		return
	}
	for {
		big, l, r := i, 2*i+1, 2*i+2
		if l < len(h.heap) && h.key[h.heap[l]] > h.key[h.heap[big]] {
			big = l
		}
		if r < len(h.heap) && h.key[h.heap[r]] > h.key[h.heap[big]] {
			big = r
		}
		if big == i {
			return
		}
		h.swap(i, big)
		i = big
	}
}

func (h *endHeap) swap(i, k int) {
	h.heap[i], h.heap[k] = h.heap[k], h.heap[i]
	h.pos[h.heap[i]], h.pos[h.heap[k]] = i, k
}

func (s *state) move(j, o int) {
	p := s.p
	d, _ := s.delta(j, o)
	s.cost += d
	if cur := s.assign[j]; cur >= 0 {
		a := p.options[j][cur]
		s.load[a.mid] -= p.req.Jobs[j].Hours()
		if p.leadEUR > 0 {
			s.ends.set(a.mid, p.end(a.mid, s.load[a.mid]))
		}
		s.siteJobs[a.site]--
		if s.siteJobs[a.site] == 0 {
			s.used--
		}
	}
	s.assign[j] = o
	if o >= 0 {
		b := p.options[j][o]
		s.load[b.mid] += p.req.Jobs[j].Hours()
		if p.leadEUR > 0 {
			s.ends.set(b.mid, p.end(b.mid, s.load[b.mid]))
		}
		if s.siteJobs[b.site] == 0 {
			s.used++
		}
		s.siteJobs[b.site]++
	}
}

// solve finds a low-cost assignment. It starts greedily from three
// orders of the jobs (longest first, most to lose first, cheapest first),
// improves each by local search (move a job, swap two, close a site, open
// one, make room for a job left out) and keeps the best: most parts
// placed, then least cost.
func (p *problem) solve() []int {
	p.truncate()
	var best *state
	for _, order := range p.orders() {
		s := p.greedy(order)
		s.improve()
		if best == nil || better(s, best) {
			best = s
		}
	}
	return best.assign
}

func (p *problem) truncate() {
	for j := range p.options {
		if len(p.options[j]) > maxOptions {
			p.options[j] = p.options[j][:maxOptions]
		}
	}
}

func (s *state) improve() {
	for improved := true; improved; {
		improved = s.insertLeftOut() || s.moveJobs() || s.swapJobs() || s.closeSites() || s.openSites()
	}
}

// solveFrom starts from an assignment (jobs not in it at -1) instead of
// from scratch: the jobs left out are placed where they add least, and
// the whole is improved.
func (p *problem) solveFrom(start []int) []int {
	p.truncate()
	s := newState(p)
	var order []int
	for j, o := range start {
		if o >= 0 && o < len(p.options[j]) {
			if _, fits := s.delta(j, o); fits {
				s.move(j, o)
				continue
			}
		}
		order = append(order, j)
	}
	for _, j := range order {
		s.placeBest(j)
	}
	s.improve()
	return s.assign
}

func (s *state) placed() int {
	n := 0
	for _, o := range s.assign {
		if o >= 0 {
			n++
		}
	}
	return n
}

func better(a, b *state) bool {
	if pa, pb := a.placed(), b.placed(); pa != pb {
		return pa > pb
	}
	return a.cost < b.cost-eps
}

// orders are the job sequences the greedy starts from.
func (p *problem) orders() [][]int {
	base := make([]int, len(p.options))
	for i := range base {
		base[i] = i
	}
	hours := func(j int) float64 { return p.req.Jobs[j].Hours() }
	regret := func(j int) float64 {
		os := p.options[j]
		switch len(os) {
		case 0:
			return 0
		case 1:
			return 1e12 // no alternative: place it first
		}
		return os[1].cost - os[0].cost
	}
	cheapest := func(j int) float64 {
		if len(p.options[j]) == 0 {
			return 0
		}
		return -p.options[j][0].cost
	}
	var out [][]int
	for _, key := range []func(int) float64{hours, regret, cheapest} {
		o := append([]int(nil), base...)
		sort.SliceStable(o, func(a, b int) bool { return key(o[a]) > key(o[b]) })
		out = append(out, o)
	}
	return out
}

// greedy places each job, in order, where it adds least.
// placeBest puts job j where it adds least, if it fits anywhere.
func (s *state) placeBest(j int) {
	best, bestD := -1, 0.0
	for o := range s.p.options[j] {
		if d, ok := s.delta(j, o); ok && (best < 0 || d < bestD) {
			best, bestD = o, d
		}
	}
	if best >= 0 {
		s.move(j, best)
	}
}

func (p *problem) greedy(order []int) *state {
	s := newState(p)
	for _, j := range order {
		s.placeBest(j)
	}
	return s
}

// insertLeftOut makes room for a job left out for lack of capacity by
// moving jobs off one of its machines to other machines.
func (s *state) insertLeftOut() bool {
	p := s.p
	for j, cur := range s.assign {
		if cur >= 0 || len(p.options[j]) == 0 {
			continue
		}
		for o, op := range p.options[j] {
			saved := append([]int(nil), s.assign...)
			for k, ko := range s.assign {
				if _, fits := s.delta(j, o); fits {
					break
				}
				if ko < 0 || k == j || p.options[k][ko].mid != op.mid {
					continue
				}
				best, bestD := -1, 0.0
				for alt, aop := range p.options[k] {
					if aop.mid == op.mid {
						continue
					}
					if d, fits := s.delta(k, alt); fits && (best < 0 || d < bestD) {
						best, bestD = alt, d
					}
				}
				if best >= 0 {
					s.move(k, best)
				}
			}
			if _, fits := s.delta(j, o); fits {
				s.move(j, o)
				return true
			}
			s.restore(saved)
		}
	}
	return false
}

// swapJobs exchanges the machines of two jobs when a job's cheaper
// machine is full: single moves cannot do that. Both sites stay in use,
// so a swap changes only the two production costs.
func (s *state) swapJobs() bool {
	p := s.p
	if p.byMid == nil {
		p.byMid = make([]map[int]int, len(p.options))
		for j, os := range p.options {
			p.byMid[j] = make(map[int]int, len(os))
			for o, op := range os {
				p.byMid[j][op.mid] = o
			}
		}
	}
	onMachine := map[int][]int{}
	for k, o := range s.assign {
		if o >= 0 {
			onMachine[p.options[k][o].mid] = append(onMachine[p.options[k][o].mid], k)
		}
	}
	improved := false
	for j := range s.assign {
	next:
		cur := s.assign[j]
		if cur < 0 {
			continue
		}
		a := p.options[j][cur]
		hj := p.req.Jobs[j].Hours()
		for oj := 0; oj < cur; oj++ { // options cheaper than the current one
			b := p.options[j][oj]
			if _, fits := s.delta(j, oj); fits || b.mid == a.mid {
				continue // a plain move does it, or the same machine
			}
			for _, k := range onMachine[b.mid] {
				kc := s.assign[k]
				if k == j || kc < 0 || p.options[k][kc].mid != b.mid {
					continue
				}
				ok, has := p.byMid[k][a.mid]
				if !has {
					continue
				}
				hk := p.req.Jobs[k].Hours()
				if s.load[b.mid]-hk+hj > p.capacity[b.mid]+1e-9 || s.load[a.mid]-hj+hk > p.capacity[a.mid]+1e-9 {
					continue
				}
				if b.cost-a.cost+p.options[k][ok].cost-p.options[k][kc].cost >= -eps && p.leadEUR == 0 {
					continue
				}
				before := s.cost
				s.move(j, -1)
				s.move(k, ok)
				s.move(j, oj)
				if s.cost >= before-eps { // the lead time lost what the swap saved
					s.move(j, -1)
					s.move(k, kc)
					s.move(j, cur)
					continue
				}
				improved = true
				onMachine[a.mid] = append(onMachine[a.mid], k)
				onMachine[b.mid] = append(onMachine[b.mid], j)
				goto next
			}
		}
	}
	return improved
}

const eps = 1e-9

func (s *state) moveJobs() bool {
	improved := false
	for j := range s.assign {
		if s.assign[j] < 0 {
			continue
		}
		best, bestD := -1, -eps
		for o := range s.p.options[j] {
			if d, ok := s.delta(j, o); ok && d < bestD {
				best, bestD = o, d
			}
		}
		if best >= 0 {
			s.move(j, best)
			improved = true
		}
	}
	return improved
}

// closeSites tries, for each used site, moving all its jobs to the other
// used sites.
func (s *state) closeSites() bool {
	for site := range s.siteJobs {
		if s.siteJobs[site] == 0 || s.used < 2 {
			continue
		}
		saved := append([]int(nil), s.assign...)
		before := s.cost
		ok := true
		for j, o := range saved {
			if o < 0 || s.p.options[j][o].site != site {
				continue
			}
			best, bestD := -1, 0.0
			for k, op := range s.p.options[j] {
				if op.site == site || s.siteJobs[op.site] == 0 {
					continue
				}
				if d, fits := s.delta(j, k); fits && (best < 0 || d < bestD) {
					best, bestD = k, d
				}
			}
			if best < 0 {
				ok = false
				break
			}
			s.move(j, best)
		}
		if ok && s.cost < before-eps {
			return true
		}
		s.restore(saved)
	}
	return false
}

// openSites tries each unused site with the jobs it would make cheaper.
func (s *state) openSites() bool {
	bySite := map[int][][2]int{}
	for j, os := range s.p.options {
		for o, op := range os {
			bySite[op.site] = append(bySite[op.site], [2]int{j, o})
		}
	}
	sites := make([]int, 0, len(bySite))
	for site := range bySite {
		sites = append(sites, site)
	}
	sort.Ints(sites)
	for _, site := range sites {
		if s.siteJobs[site] > 0 {
			continue
		}
		// Worth trying only if what the site saves can pay for its trip.
		gain := 0.0
		for _, jo := range bySite[site] {
			j, o := jo[0], jo[1]
			cur := s.assign[j]
			if cur < 0 {
				gain = math.Inf(1)
				break
			}
			gain += math.Max(0, s.p.options[j][cur].cost-s.p.options[j][o].cost)
		}
		if gain <= s.p.siteCost[site] {
			continue
		}
		saved := append([]int(nil), s.assign...)
		before := s.cost
		for _, jo := range bySite[site] {
			j, o := jo[0], jo[1]
			cur := s.assign[j]
			if cur >= 0 && s.p.options[j][o].cost >= s.p.options[j][cur].cost {
				continue
			}
			if _, fits := s.delta(j, o); fits {
				s.move(j, o)
			}
		}
		// Jobs left at sites that now make little sense move again.
		s.moveJobs()
		if s.cost < before-eps {
			return true
		}
		s.restore(saved)
	}
	return false
}

func (s *state) restore(assign []int) {
	for j := range s.assign {
		if s.assign[j] != assign[j] {
			s.move(j, -1)
		}
	}
	for j, o := range assign {
		if s.assign[j] != o {
			s.move(j, o)
		}
	}
}
