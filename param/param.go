// Package param reads what people type into URLs and forms: numbers,
// places, durations, paging. Each reader refuses NaN, infinities, numbers
// below or above what makes sense for the field, and text that is not a
// number, with an error that names the field; the API and the web pages
// read their parameters through it, so both refuse the same things.
package param

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/geo"
)

// Bounds of the node's parameters.
const (
	MaxQuantity  = 100_000  // units of one design in one plan
	MaxRadiusKm  = 20_038.0 // half the Earth's circumference: anywhere
	MaxPriceEUR  = 1e7
	MaxDeadline  = 5 * 365 * 24 * time.Hour
	MaxOffset    = 1_000_000
	MaxNearLimit = 1000
)

func bad(field, format string, args ...any) error {
	return &dgml.Error{Kind: dgml.Invalid, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Float reads a number of field within [lo, hi]; empty gives def.
func Float(field, s string, lo, hi, def float64) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, bad(field, "%q is not a number", clip(s))
	}
	if x < lo || x > hi {
		return 0, bad(field, "%s must be from %g to %g", clip(s), lo, hi)
	}
	return x, nil
}

// TimeValue reads what a day of waiting is worth, EUR (0 to 10,000);
// empty gives nil: the factor table's value.
func TimeValue(field, s string) (*float64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	x, err := Float(field, s, 0, 10000, 0)
	if err != nil {
		return nil, err
	}
	return &x, nil
}

// Positive reads a number of field above 0 and at most hi; empty gives
// def.
func Positive(field, s string, hi, def float64) (float64, error) {
	x, err := Float(field, s, 0, hi, def)
	if err == nil && x == 0 && strings.TrimSpace(s) != "" {
		return 0, bad(field, "must be more than 0")
	}
	return x, err
}

// Int reads a whole number of field within [lo, hi]; empty gives def.
func Int(field, s string, lo, hi, def int) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, bad(field, "%q is not a whole number", clip(s))
	}
	if n < lo || n > hi {
		return 0, bad(field, "%d must be from %d to %d", n, lo, hi)
	}
	return n, nil
}

// Point reads "LAT,LON" in degrees.
func Point(field, s string) (geo.Point, error) {
	a, b, ok := strings.Cut(s, ",")
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	p := geo.Point{Lat: lat, Lon: lon}
	if !ok || err1 != nil || err2 != nil || math.IsInf(lat, 0) || math.IsInf(lon, 0) || !p.Valid() {
		return p, bad(field, "write LAT,LON in degrees (latitude -90 to 90, longitude -180 to 180), e.g. 37.98,23.73")
	}
	return p, nil
}

// Deadline reads "72h", "3d" or "2w" as hours; empty is no deadline (0).
func Deadline(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	refuse := bad("deadline", "a duration such as 72h, 5d or 2w, up to %d days", int(MaxDeadline.Hours()/24))
	hours := 0.0
	if m, ok := map[byte]float64{'d': 24, 'w': 168}[s[len(s)-1]]; ok {
		n, err := strconv.ParseFloat(s[:len(s)-1], 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return 0, refuse
		}
		hours = n * m
	} else {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, refuse
		}
		hours = d.Hours()
	}
	if !(hours > 0) || hours > MaxDeadline.Hours() {
		return 0, refuse
	}
	return hours, nil
}

// DesignQuery reads the parameters of a design search.
func DesignQuery(v url.Values) (design.Query, error) {
	q := design.Query{Text: v.Get("q"), License: v.Get("license"), Process: v.Get("process"), Material: v.Get("material"), Language: v.Get("language"), Keyword: v.Get("keyword")}
	if len(q.Keyword) > 100 {
		return q, bad("keyword", "at most 100 characters")
	}
	var err error
	for _, n := range []struct {
		name   string
		dst    *int
		lo, hi int
	}{{"otrl", &q.MinOTRL, 0, 9}, {"odrl", &q.MinODRL, 0, 9}, {"limit", &q.Limit, 0, design.MaxLimit}, {"offset", &q.Offset, 0, MaxOffset}} {
		if *n.dst, err = Int(n.name, v.Get(n.name), n.lo, n.hi, 0); err != nil {
			return q, err
		}
	}
	if len(q.Text) > 500 {
		return q, bad("q", "at most 500 characters")
	}
	switch f := v.Get("files"); f {
	case "", "0", "false", "no":
	case "1", "true", "yes", "on":
		q.HasFiles = true
	default:
		return q, bad("files", "yes or no, got %q", clip(f))
	}
	switch q.Sort = v.Get("sort"); q.Sort {
	case "", "relevance":
		q.Sort = ""
	case design.SortRecent, design.SortBuilt:
	default:
		return q, bad("sort", "relevance, recent or built, got %q", clip(q.Sort))
	}
	return q, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Time reads a moment as RFC 3339 ("2027-03-01T10:00:00+02:00"); empty
// gives def.
func Time(field, s string, def time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, bad(field, "a time as 2027-03-01T10:00:00+02:00 (RFC 3339), got %q", clip(s))
	}
	if t.Year() < 2000 || t.Year() > 2200 {
		return time.Time{}, bad(field, "a time between the years 2000 and 2200")
	}
	return t.UTC(), nil
}
