package booking_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/facility"
)

// synthetic makes machines (one unit each, every third a watched
// cutter) open on weekdays 09:00-18:00 with a few bookings already, and
// jobs of 0.25 to 12 hours that each of three to eight machines can do,
// with deadlines from one to twenty days ahead.
func synthetic(seed uint64, machines, jobs int, now, horizon time.Time) ([]booking.Lane, []booking.Work) {
	rng := rand.New(rand.NewPCG(seed, 1))
	var week []facility.Window
	for _, d := range []string{"mo", "tu", "we", "th", "fr"} {
		week = append(week, facility.Window{Day: d, From: "09:00", To: "18:00"})
	}
	hours := &facility.Hours{Zone: "Europe/Athens", Weekly: week}
	open := hours.Open(now, horizon)
	lanes := make([]booking.Lane, machines)
	for i := range lanes {
		lanes[i] = booking.Lane{Machine: fmt.Sprint("m", i), Unit: 1, Open: open, Unattended: i%3 != 0}
		for k := range rng.IntN(4) {
			s := now.Add(time.Duration(24*k+rng.IntN(20)) * time.Hour).Truncate(time.Hour)
			lanes[i].Busy = append(lanes[i].Busy, facility.Span{Start: s, End: s.Add(time.Duration(1+rng.IntN(3)) * time.Hour)})
		}
	}
	work := make([]booking.Work, jobs)
	for i := range work {
		w := booking.Work{ID: fmt.Sprint("j", i), Hours: 0.25 + rng.Float64()*rng.Float64()*11.75, Earliest: now.Add(time.Duration(rng.IntN(48)) * time.Hour),
			Deadline: now.Add(time.Duration(24+rng.IntN(19*24)) * time.Hour)}
		// Long jobs go to printers only: a watched machine's opening is
		// nine hours.
		want := min(machines, 3+rng.IntN(6))
		for _, m := range rng.Perm(machines) {
			if len(w.Machines) < want && (w.Hours <= 8 || m%3 != 0) {
				w.Machines = append(w.Machines, fmt.Sprint("m", m))
			}
		}
		work[i] = w
	}
	return lanes, work
}

// Every placement keeps the rules, whatever the instance: an eligible
// machine, not before its earliest, started in an opening, a watched
// machine's job within it, no two things at once on a lane, never
// before its own lower bound.
func TestScheduleKeepsTheRules(t *testing.T) {
	now := time.Date(2027, 3, 1, 6, 0, 0, 0, time.UTC)
	horizon := now.Add(60 * 24 * time.Hour)
	for seed := range uint64(30) {
		lanes, work := synthetic(seed, 2+int(seed%9), 5+int(seed*7%60), now, horizon)
		before := map[string][]facility.Span{}
		for _, l := range lanes {
			before[l.Machine] = slices.Clone(l.Busy)
		}
		got := booking.Schedule(lanes, work, horizon)
		taken := map[string][]facility.Span{}
		for m, b := range before {
			taken[m] = b
		}
		for i, p := range got {
			w := work[i]
			if p.Unplaced {
				t.Errorf("seed %d: %s unplaced with a 60-day horizon", seed, w.ID)
				continue
			}
			if !slices.Contains(w.Machines, p.Machine) {
				t.Errorf("seed %d: %s on %s, which cannot do it", seed, w.ID, p.Machine)
			}
			if p.Start.Before(w.Earliest) || p.End.Before(p.Bound) {
				t.Errorf("seed %d: %s at %v-%v, earliest %v, bound %v", seed, w.ID, p.Start, p.End, w.Earliest, p.Bound)
			}
			if got := p.End.Sub(p.Start).Hours(); got < w.Hours-1e-6 || got > w.Hours+1e-6 {
				t.Errorf("seed %d: %s lasts %g h, needs %g", seed, w.ID, got, w.Hours)
			}
			var lane booking.Lane
			for _, l := range lanes {
				if l.Machine == p.Machine {
					lane = l
				}
			}
			in := slices.IndexFunc(lane.Open, func(o facility.Span) bool { return !p.Start.Before(o.Start) && p.Start.Before(o.End) })
			if in < 0 {
				t.Errorf("seed %d: %s starts at %v, closed", seed, w.ID, p.Start)
			} else if !lane.Unattended && p.End.After(lane.Open[in].End) {
				t.Errorf("seed %d: %s runs past closing on a watched machine", seed, w.ID)
			}
			taken[p.Machine] = append(taken[p.Machine], facility.Span{Start: p.Start, End: p.End})
		}
		for m, spans := range taken {
			sort.Slice(spans, func(i, j int) bool { return spans[i].Start.Before(spans[j].Start) })
			for i := 1; i < len(spans); i++ {
				if spans[i].Start.Before(spans[i-1].End) {
					t.Errorf("seed %d: %s double booked: %v and %v", seed, m, spans[i-1], spans[i])
				}
			}
		}
	}
}

func TestScheduleOvernightOnlyOnPrinters(t *testing.T) {
	athens, _ := time.LoadLocation("Europe/Athens")
	mon := time.Date(2027, 3, 1, 0, 0, 0, 0, athens)
	h := &facility.Hours{Zone: "Europe/Athens", Weekly: []facility.Window{{Day: "mo", From: "09:00", To: "18:00"}, {Day: "tu", From: "09:00", To: "18:00"}}}
	open := h.Open(mon, mon.AddDate(0, 0, 7))
	lanes := []booking.Lane{{Machine: "printer", Unit: 1, Open: open, Unattended: true}, {Machine: "laser", Unit: 1, Open: open}}
	got := booking.Schedule(lanes, []booking.Work{
		{ID: "print", Hours: 20, Earliest: mon.Add(16 * time.Hour), Machines: []string{"printer"}},
		{ID: "cut", Hours: 4, Earliest: mon.Add(16 * time.Hour), Machines: []string{"laser"}},
	}, mon.AddDate(0, 0, 7))
	if s := got[0].Start.In(athens); s.Day() != 1 || s.Hour() != 16 {
		t.Errorf("the 20-hour print starts at %v, want Monday 16:00 (runs overnight)", s)
	}
	if s := got[1].Start.In(athens); s.Day() != 2 || s.Hour() != 9 {
		t.Errorf("the 4-hour cut starts at %v, want Tuesday 09:00 (two hours left on Monday)", s)
	}
}

// BenchmarkSchedule places 1,000 jobs on 50 machines with weekday
// opening hours and some bookings already, and reports how far the
// ready times are from each job's own lower bound (its earliest end
// with nothing else to schedule) and how many miss their deadline.
func BenchmarkSchedule(b *testing.B) {
	now := time.Date(2027, 3, 1, 6, 0, 0, 0, time.UTC)
	horizon := now.Add(90 * 24 * time.Hour)
	var got []booking.Placement
	var work []booking.Work
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var lanes []booking.Lane
		lanes, work = synthetic(uint64(i%5), 50, 1000, now, horizon)
		b.StartTimer()
		got = booking.Schedule(lanes, work, horizon)
	}
	b.StopTimer()
	// The whole schedule against a bound no schedule beats: every lane
	// working every hour from the first moment any job may start (and
	// never before the latest of the jobs' own bounds).
	total, first, last, bound := 0.0, horizon, now, now
	for i, p := range got {
		total += work[i].Hours
		if work[i].Earliest.Before(first) {
			first = work[i].Earliest
		}
		if p.End.After(last) {
			last = p.End
		}
		if p.Bound.After(bound) {
			bound = p.Bound
		}
	}
	if capacity := first.Add(time.Duration(total / 50 * float64(time.Hour))); capacity.After(bound) {
		bound = capacity
	}
	b.ReportMetric(last.Sub(now).Hours()/24, "last-ready-days")
	b.ReportMetric(bound.Sub(now).Hours()/24, "bound-days")
	var gaps []float64
	late, unplaced := 0, 0
	for _, p := range got {
		if p.Unplaced {
			unplaced++
			continue
		}
		gaps = append(gaps, p.End.Sub(p.Bound).Hours())
		if p.Late {
			late++
		}
	}
	sort.Float64s(gaps)
	sum := 0.0
	for _, g := range gaps {
		sum += g
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/schedule")
	b.ReportMetric(sum/float64(len(gaps)), "mean-hours-after-bound")
	b.ReportMetric(gaps[len(gaps)/2], "p50-hours-after-bound")
	b.ReportMetric(gaps[len(gaps)*9/10], "p90-hours-after-bound")
	b.ReportMetric(float64(late), "late")
	b.ReportMetric(float64(unplaced), "unplaced")
}
