package dispatch

import (
	"testing"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
)

func TestCorrectIsTheMedianOfThreeOrMore(t *testing.T) {
	run := func(est, act float64) Run { return Run{State: Done, EstimatedHours: est, ActualHours: act} }
	if c := Correct([]Run{run(1, 2), run(1, 2)}); c.Factor != 1 || c.Jobs != 2 {
		t.Errorf("two runs: %+v", c)
	}
	// One print left on the bed overnight (x9) does not move the median.
	c := Correct([]Run{run(2, 2.4), run(1, 1.1), run(4, 36), run(3, 3.6), {State: Failed, EstimatedHours: 1, ActualHours: 5}})
	if c.Jobs != 4 || c.Factor < 1.199 || c.Factor > 1.201 {
		t.Errorf("median of 1.1, 1.2, 1.2, 9: %+v", c)
	}
}

func TestReportsMoveRunsForwardOnly(t *testing.T) {
	for _, c := range []struct {
		from string
		r    Report
		kind dgml.Kind
	}{
		{Queued, Report{State: WaitBed}, ""},
		{Queued, Report{State: Done, ActualHours: 1}, dgml.Conflict},
		{WaitBed, Report{State: Printing}, dgml.Conflict}, // the bed must be confirmed first
		{Cleared, Report{State: Printing, Progress: 0.1}, ""},
		{Printing, Report{State: Done}, dgml.Invalid}, // how long did it take?
		{Printing, Report{State: Done, ActualHours: 2.5, FilamentG: 40}, ""},
		{Printing, Report{State: Printing, Progress: 1.5}, dgml.Invalid},
		{Done, Report{State: Printing}, dgml.Conflict},
		{Printing, Report{State: Failed, Message: "spaghetti"}, ""},
	} {
		err := c.r.Check(c.from)
		if (c.kind == "" && err != nil) || (c.kind != "" && dgml.KindOf(err) != c.kind) {
			t.Errorf("%s -> %+v: %v, want %q", c.from, c.r, err, c.kind)
		}
	}
}

func TestPickFile(t *testing.T) {
	files := []design.FileRef{{Path: "src/bracket.scad", SHA256: "a"}, {Path: "bracket.stl", SHA256: "b"}, {Path: "bracket_0.2mm_PLA.gcode", SHA256: "c"}}
	if f, slice := PickFile(files); f.SHA256 != "c" || slice {
		t.Errorf("G-code first: %+v %v", f, slice)
	}
	if f, slice := PickFile(files[:2]); f.SHA256 != "b" || !slice {
		t.Errorf("a mesh to slice: %+v %v", f, slice)
	}
	if f, _ := PickFile(files[:1]); f.SHA256 != "" {
		t.Errorf("nothing a machine takes: %+v", f)
	}
}

func TestSlicerEstimate(t *testing.T) {
	for _, c := range []struct {
		g      string
		s, mm  float64
		stated bool
	}{
		{"; estimated printing time (normal mode) = 1d 2h 3m 4s\n; filament used [mm] = 1234.5\n", 93784, 1234.5, true},
		{";FLAVOR:Marlin\n;TIME:6130\nG28\n", 6130, 0, true},
		{"G28\nG1 X1\n", 0, 0, false},
	} {
		s, mm, ok := SlicerEstimate([]byte(c.g))
		if s != c.s || mm != c.mm || ok != c.stated {
			t.Errorf("%q: %v %v %v", c.g, s, mm, ok)
		}
	}
}

// G-code comes with designs from anywhere: whatever it holds, reading
// its slicer's figures ends, and never gives a negative time.
func FuzzSlicerEstimate(f *testing.F) {
	f.Add([]byte("; estimated printing time (normal mode) = 1h 2m 3s\n"))
	f.Add([]byte(";TIME:99999999999999999999\n"))
	f.Fuzz(func(t *testing.T, g []byte) {
		if s, mm, _ := SlicerEstimate(g); s < 0 || mm < 0 {
			t.Fatalf("%v %v", s, mm)
		}
	})
}
