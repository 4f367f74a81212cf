package booking

import (
	"slices"
	"sort"
	"time"

	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
)

// Lane is one unit of one machine as the scheduler sees it: when it is
// open and when it is already taken.
type Lane struct {
	Machine string
	Unit    int
	// Open are the machine's open spans over the horizon, in order.
	Open []facility.Span
	// Unattended machines (printers) run a job past closing once it was
	// started in open hours; others finish within the opening they
	// start in.
	Unattended bool
	// Busy are its bookings, in order of start.
	Busy []facility.Span
}

// Unattended says whether a process's machines run on their own once
// started, as 3D printers do overnight; cutters and mills are watched.
func Unattended(p design.Process) bool {
	switch p {
	case design.ProcessFDM, design.ProcessSLA, design.ProcessSLS:
		return true
	}
	return false
}

// Work is a job to place: how long it takes on a machine (the planner's
// machine hours), from when, by when, and the machines that can do it.
type Work struct {
	ID       string
	Hours    float64
	Earliest time.Time
	Deadline time.Time // zero: none
	Machines []string
}

// Placement is where and when a job runs.
type Placement struct {
	Work    string
	Machine string
	Unit    int
	Start   time.Time
	End     time.Time
	// Late is set when it ends after its deadline; Unplaced when no lane
	// could take it before the horizon.
	Late     bool
	Unplaced bool
	// Bound is the earliest it could end with nothing else to schedule:
	// the lower bound the schedule is measured against.
	Bound time.Time
}

// Schedule places work on lanes, earliest deadline first (longer jobs
// first among equal deadlines), each on the lane where it ends soonest.
// It changes the lanes' Busy lists to include what it placed.
func Schedule(lanes []Lane, work []Work, horizon time.Time) []Placement {
	order := make([]int, len(work))
	for i := range order {
		order[i] = i
	}
	deadline := func(w *Work) time.Time {
		if w.Deadline.IsZero() {
			return horizon
		}
		return w.Deadline
	}
	sort.SliceStable(order, func(a, b int) bool {
		wa, wb := &work[order[a]], &work[order[b]]
		if c := deadline(wa).Compare(deadline(wb)); c != 0 {
			return c < 0
		}
		return wa.Hours > wb.Hours
	})
	byMachine := map[string][]int{}
	for i := range lanes {
		byMachine[lanes[i].Machine] = append(byMachine[lanes[i].Machine], i)
	}
	out := make([]Placement, len(work))
	for _, wi := range order {
		w := &work[wi]
		d := time.Duration(w.Hours * float64(time.Hour))
		p := Placement{Work: w.ID, Unplaced: true}
		var bound time.Time
		for _, m := range w.Machines {
			for _, li := range byMachine[m] {
				l := &lanes[li]
				if start, ok := l.earliest(w.Earliest, d, horizon, l.Busy); ok && (p.Unplaced || start.Add(d).Before(p.End)) {
					p = Placement{Work: w.ID, Machine: l.Machine, Unit: l.Unit, Start: start, End: start.Add(d)}
				}
				if start, ok := l.earliest(w.Earliest, d, horizon, nil); ok && (bound.IsZero() || start.Add(d).Before(bound)) {
					bound = start.Add(d)
				}
			}
		}
		p.Bound = bound
		if !p.Unplaced {
			l := &lanes[slices.IndexFunc(lanes, func(l Lane) bool { return l.Machine == p.Machine && l.Unit == p.Unit })]
			at, _ := slices.BinarySearchFunc(l.Busy, p.Start, func(s facility.Span, t time.Time) int { return s.Start.Compare(t) })
			l.Busy = slices.Insert(l.Busy, at, facility.Span{Start: p.Start, End: p.End})
			p.Late = !w.Deadline.IsZero() && p.End.After(w.Deadline)
		}
		out[wi] = p
	}
	return out
}

// earliest finds the first start at or after from when the lane is open
// and free for d (busy sorted by start). The first such start is always
// from itself, the start of an opening or the end of a booking, so only
// those are tried.
func (l *Lane) earliest(from time.Time, d time.Duration, horizon time.Time, busy []facility.Span) (time.Time, bool) {
	cands := make([]time.Time, 0, 1+len(l.Open)+len(busy))
	cands = append(cands, from)
	for _, o := range l.Open {
		if o.End.After(from) && o.Start.After(from) {
			cands = append(cands, o.Start)
		}
	}
	for _, b := range busy {
		if b.End.After(from) {
			cands = append(cands, b.End)
		}
	}
	slices.SortFunc(cands, func(a, b time.Time) int { return a.Compare(b) })
	oi, bi := 0, 0
	for _, t := range cands {
		if t.After(horizon) {
			break
		}
		// The opening t falls in.
		for oi < len(l.Open) && !l.Open[oi].End.After(t) {
			oi++
		}
		if oi == len(l.Open) {
			break
		}
		o := l.Open[oi]
		if t.Before(o.Start) {
			continue // closed then; the opening's start is a candidate too
		}
		end := t.Add(d)
		if !l.Unattended && end.After(o.End) {
			continue
		}
		for bi < len(busy) && !busy[bi].End.After(t) {
			bi++
		}
		clash := false
		for j := bi; j < len(busy) && busy[j].Start.Before(end); j++ {
			if busy[j].End.After(t) {
				clash = true
				break
			}
		}
		if !clash {
			return t, true
		}
	}
	return time.Time{}, false
}
