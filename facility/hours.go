package facility

import (
	"fmt"
	"slices"
	"strings"
	"time"
	// Workshops name their time zones; a node on a machine without the
	// zone database (a minimal container) still reads them.
	_ "time/tzdata"

	"github.com/dgml/dgml"
)

// Hours say when a machine may be used: windows on each day of the week,
// in the workshop's own time zone, and dates that differ (a holiday, an
// open night). A machine without hours is used by arrangement, and any
// time may be booked on it.
type Hours struct {
	// Zone is an IANA time zone name ("Europe/Athens"); empty means UTC.
	Zone   string      `json:"zone,omitempty"`
	Weekly []Window    `json:"weekly,omitempty"`
	Except []Exception `json:"except,omitempty"`
}

// Window is one opening on a day of the week: Day is mo, tu, we, th, fr,
// sa or su; From and To are "HH:MM" (To may be "24:00").
type Window struct {
	Day  string `json:"day"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Exception replaces the weekly windows on one date ("2026-12-24"): Open
// lists that day's windows (their Day is ignored); none means closed.
type Exception struct {
	Date string   `json:"date"`
	Open []Window `json:"open,omitempty"`
}

// Span is a stretch of time, End excluded.
type Span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Bounds of what a workshop may state, so that a record read from
// anywhere stays small.
const (
	maxWindows    = 64
	maxExceptions = 400
)

var days = []string{"su", "mo", "tu", "we", "th", "fr", "sa"} // time.Weekday order

// Validate checks the hours; the error names the field.
func (h *Hours) Validate(field string) error {
	bad := func(f, format string, args ...any) error {
		return &dgml.Error{Kind: dgml.Invalid, Op: "facility.Hours", Field: field + "." + f, Msg: fmt.Sprintf(format, args...)}
	}
	if _, err := h.location(); err != nil {
		return bad("zone", "not a time zone this node knows (an IANA name such as Europe/Athens): %q", h.Zone)
	}
	if len(h.Weekly) > maxWindows {
		return bad("weekly", "at most %d windows, got %d", maxWindows, len(h.Weekly))
	}
	for i, w := range h.Weekly {
		if !slices.Contains(days, w.Day) {
			return bad(fmt.Sprintf("weekly[%d].day", i), "one of mo tu we th fr sa su, got %q", w.Day)
		}
		if err := w.check(); err != nil {
			return bad(fmt.Sprintf("weekly[%d]", i), "%v", err)
		}
	}
	if len(h.Except) > maxExceptions {
		return bad("except", "at most %d dates, got %d", maxExceptions, len(h.Except))
	}
	seen := map[string]bool{}
	for i, e := range h.Except {
		if _, err := time.Parse(time.DateOnly, e.Date); err != nil {
			return bad(fmt.Sprintf("except[%d].date", i), "a date as 2026-12-24, got %q", e.Date)
		}
		if seen[e.Date] {
			return bad(fmt.Sprintf("except[%d].date", i), "%s is listed twice", e.Date)
		}
		seen[e.Date] = true
		if len(e.Open) > 8 {
			return bad(fmt.Sprintf("except[%d].open", i), "at most 8 windows a day")
		}
		for j, w := range e.Open {
			if err := w.check(); err != nil {
				return bad(fmt.Sprintf("except[%d].open[%d]", i, j), "%v", err)
			}
		}
	}
	return nil
}

func (w Window) check() error {
	from, ok1 := clock(w.From)
	to, ok2 := clock(w.To)
	switch {
	case !ok1:
		return fmt.Errorf("from: a time as 09:00, got %q", w.From)
	case !ok2:
		return fmt.Errorf("to: a time as 18:00 (or 24:00), got %q", w.To)
	case to <= from:
		return fmt.Errorf("to (%s) must be after from (%s)", w.To, w.From)
	}
	return nil
}

// clock reads "HH:MM" as minutes after midnight, 00:00 to 24:00.
func clock(s string) (int, bool) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil {
		return 0, false
	}
	if h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

func (h *Hours) location() (*time.Location, error) {
	if h == nil || h.Zone == "" || strings.EqualFold(h.Zone, "UTC") {
		return time.UTC, nil
	}
	return time.LoadLocation(h.Zone)
}

// Location is the time zone the hours are in (UTC when none is named,
// or for a zone Validate would refuse).
func (h *Hours) Location() *time.Location {
	loc, err := h.location()
	if err != nil {
		return time.UTC
	}
	return loc
}

// Open lists the spans within [from, to) when the machine is open, in
// order, joined where one window ends as the next begins (a night across
// midnight is one span). Nil hours are always open.
func (h *Hours) Open(from, to time.Time) []Span {
	if !to.After(from) {
		return nil
	}
	if h == nil || (len(h.Weekly) == 0 && len(h.Except) == 0) {
		return []Span{{from, to}}
	}
	loc, err := h.location()
	if err != nil {
		return nil // Validate refuses such hours before they are stored
	}
	except := make(map[string][]Window, len(h.Except))
	for _, e := range h.Except {
		except[e.Date] = e.Open
	}
	var out []Span
	l := from.In(loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	for ; day.Before(to); day = day.AddDate(0, 0, 1) {
		windows, ok := except[day.Format(time.DateOnly)]
		if !ok {
			windows = nil
			for _, w := range h.Weekly {
				if w.Day == days[day.Weekday()] {
					windows = append(windows, w)
				}
			}
		}
		var spans []Span
		for _, w := range windows {
			a, _ := clock(w.From)
			b, _ := clock(w.To)
			// Minutes are added to the day's midnight through the wall
			// clock, so that a window stays 09:00-18:00 on the days the
			// clocks change.
			s := time.Date(day.Year(), day.Month(), day.Day(), 0, a, 0, 0, loc)
			e := time.Date(day.Year(), day.Month(), day.Day(), 0, b, 0, 0, loc)
			if s.Before(from) {
				s = from
			}
			if e.After(to) {
				e = to
			}
			if e.After(s) {
				spans = append(spans, Span{s.UTC(), e.UTC()})
			}
		}
		slices.SortFunc(spans, func(a, b Span) int { return a.Start.Compare(b.Start) })
		for _, s := range spans {
			if n := len(out); n > 0 && !s.Start.After(out[n-1].End) {
				if s.End.After(out[n-1].End) {
					out[n-1].End = s.End
				}
				continue
			}
			out = append(out, s)
		}
	}
	return out
}

// Covers says whether the machine is open for the whole of [start, end).
func (h *Hours) Covers(start, end time.Time) bool {
	open := h.Open(start, end)
	return len(open) == 1 && open[0].Start.Equal(start) && open[0].End.Equal(end)
}
