package facility

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestHoursAcrossClockChangesAndMidnight(t *testing.T) {
	athens, _ := time.LoadLocation("Europe/Athens")
	h := &Hours{Zone: "Europe/Athens", Weekly: []Window{
		{Day: "sa", From: "09:00", To: "13:00"}, {Day: "sa", From: "20:00", To: "24:00"}, {Day: "su", From: "00:00", To: "02:00"},
	}}
	if err := h.Validate("hours"); err != nil {
		t.Fatal(err)
	}
	// 2027-03-27 is the Saturday before Greece moves its clocks forward
	// (Sunday 03:00 local).
	open := h.Open(time.Date(2027, 3, 27, 0, 0, 0, 0, athens), time.Date(2027, 3, 29, 0, 0, 0, 0, athens))
	var got []string
	for _, s := range open {
		got = append(got, s.Start.In(athens).Format("Mon 15:04")+"-"+s.End.In(athens).Format("Mon 15:04"))
	}
	want := []string{"Sat 09:00-Sat 13:00", "Sat 20:00-Sun 02:00"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("open: %v, want %v", got, want)
	}
	if !h.Covers(time.Date(2027, 3, 27, 23, 0, 0, 0, athens), time.Date(2027, 3, 28, 1, 0, 0, 0, athens)) {
		t.Error("a night across midnight is one opening")
	}
	if h.Covers(time.Date(2027, 3, 27, 12, 0, 0, 0, athens), time.Date(2027, 3, 27, 14, 0, 0, 0, athens)) {
		t.Error("past closing is not covered")
	}
	// The week after the change, 09:00 is still 09:00 local (06:00 UTC,
	// not 07:00).
	open = h.Open(time.Date(2027, 4, 3, 0, 0, 0, 0, athens), time.Date(2027, 4, 3, 12, 0, 0, 0, athens))
	if len(open) != 1 || open[0].Start.Hour() != 6 {
		t.Errorf("after the change: %+v", open)
	}
	var nilHours *Hours
	if !nilHours.Covers(time.Unix(0, 0), time.Unix(1e9, 0)) {
		t.Error("no hours: by arrangement, always bookable")
	}
}

func TestHoursRefused(t *testing.T) {
	for _, c := range []struct {
		json, field string
	}{
		{`{"zone":"Mars/Olympus"}`, "hours.zone"},
		{`{"weekly":[{"day":"monday","from":"09:00","to":"10:00"}]}`, "hours.weekly[0].day"},
		{`{"weekly":[{"day":"mo","from":"9:00","to":"10:00"}]}`, "hours.weekly[0]"},
		{`{"weekly":[{"day":"mo","from":"18:00","to":"09:00"}]}`, "hours.weekly[0]"},
		{`{"weekly":[{"day":"mo","from":"09:00","to":"24:30"}]}`, "hours.weekly[0]"},
		{`{"except":[{"date":"2027-02-30"}]}`, "hours.except[0].date"},
		{`{"except":[{"date":"2027-02-03"},{"date":"2027-02-03"}]}`, "hours.except[1].date"},
	} {
		var h Hours
		if err := json.Unmarshal([]byte(c.json), &h); err != nil {
			t.Fatal(err)
		}
		err := h.Validate("hours")
		if err == nil || !strings.HasPrefix(err.Error(), "field "+c.field) {
			t.Errorf("%s: %v, want an error naming %s", c.json, err, c.field)
		}
	}
}

// Hours come in workshop records from anywhere (API, OKW files, other
// nodes): whatever validates must answer Open quickly and in order.
func FuzzHours(f *testing.F) {
	f.Add(`{"zone":"Europe/Athens","weekly":[{"day":"mo","from":"09:00","to":"18:00"}],"except":[{"date":"2027-03-02"}]}`, int64(1e9), int64(86400*9))
	f.Add(`{"weekly":[{"day":"su","from":"00:00","to":"24:00"}]}`, int64(0), int64(86400*31))
	f.Fuzz(func(t *testing.T, s string, from, length int64) {
		var h Hours
		if json.Unmarshal([]byte(s), &h) != nil || h.Validate("hours") != nil {
			return
		}
		length = max(0, min(length, 31*86400))
		a := time.Unix(from%(4e9), 0)
		spans := h.Open(a, a.Add(time.Duration(length)*time.Second))
		for i, sp := range spans {
			if !sp.End.After(sp.Start) || (i > 0 && !sp.Start.After(spans[i-1].End)) {
				t.Fatalf("spans out of order or empty: %+v", spans)
			}
		}
	})
}
