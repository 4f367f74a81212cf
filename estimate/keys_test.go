package estimate

import (
	"bufio"
	"context"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/geometry"
)

// Every PrusaSlicer 2.5 key (testdata: its own --help-fff list) has
// exactly one place: read into FDM, assumed, of no effect on time or
// material, or a command-line option.
func TestEveryPrusaSlicerKeyHasAPlace(t *testing.T) {
	f, err := os.Open("testdata/prusaslicer-2.5-keys.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	honoured := map[string]bool{}
	for _, k := range DefaultFDM.Keys() {
		honoured[k] = true
	}
	places := map[string]int{}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		k := strings.TrimSpace(sc.Text())
		if k == "" {
			continue
		}
		n++
		_, assumed := Assumed[k]
		count := 0
		for i, in := range []bool{honoured[k], assumed, NoEffect[k], CommandLine[k]} {
			if in {
				count++
				places[[]string{"read", "assumed", "no effect", "command line"}[i]]++
			}
		}
		if count != 1 {
			t.Errorf("%s is in %d places, want exactly 1", k, count)
		}
	}
	for k := range honoured {
		if Assumed[k] != "" || NoEffect[k] || CommandLine[k] {
			t.Errorf("%s is read and also listed elsewhere", k)
		}
	}
	t.Logf("%d PrusaSlicer keys: %v; read: %v", n, places, DefaultFDM.Keys())
}

// A setting is taken or refused the same way from a profile and from
// --set (Set), and a profile's refusal names the file, line and key.
func TestConfigAndSetAgree(t *testing.T) {
	for _, c := range []struct {
		key, value string
		ok         bool
	}{
		{"nozzle_diameter", "0.6", true},
		{"perimeter_extrusion_width", "110%", true},
		{"external_perimeter_speed", "50%", true},
		{"fill_pattern", "gyroid", true},
		{"fill_pattern", "lightning", false},
		{"support_material", "0", true},
		{"support_material", "1", false},
		{"infill_anchor", "600%", true},
		{"skirts", "2", false},
		{"bed_temperature", "60", true},
		{"scale", "200%", false},
		{"fill_densty", "10", false},
		{"first_layer_speed", "50%", false},
		{"perimeters", "two", false},
	} {
		a, b := DefaultFDM, DefaultFDM
		errSet := a.Set(c.key, c.value)
		errINI := b.LoadINI("p.ini", strings.NewReader("# profile\n"+c.key+" = "+c.value+"\n"))
		if (errSet == nil) != c.ok || (errINI == nil) != c.ok {
			t.Errorf("%s = %s: --set %v, profile %v; want ok=%v", c.key, c.value, errSet, errINI, c.ok)
			continue
		}
		if c.ok {
			if a != b {
				t.Errorf("%s = %s: --set and a profile give different settings", c.key, c.value)
			}
			continue
		}
		es, ei := errSet.(*dgml.Error), errINI.(*dgml.Error)
		if es.Field != c.key || ei.Field != c.key || es.Msg != ei.Msg || ei.File != "p.ini" || ei.Line != 2 {
			t.Errorf("%s = %s: --set %+v, profile %+v", c.key, c.value, es, ei)
		}
	}
	// Percentages are resolved against what they are of.
	s := DefaultFDM
	s.Set("nozzle_diameter", "0.6")
	s.Set("extrusion_width", "0")
	s.Set("perimeter_extrusion_width", "110%")
	s.Set("external_perimeter_speed", "50%")
	r := s.Resolve()
	if math.Abs(r.PerimeterWidth-0.66) > 1e-9 || math.Abs(r.ExtrusionWidth-0.675) > 1e-9 || r.InfillWidth != r.ExtrusionWidth || r.ExternalPerimSpeed != 22.5 {
		t.Errorf("resolved: perimeters %v mm, auto %v mm, infill %v mm, external %v mm/s", r.PerimeterWidth, r.ExtrusionWidth, r.InfillWidth, r.ExternalPerimSpeed)
	}
}

// At 100% infill a part extrudes its own volume: over generated parts
// of many shapes and sizes (blocks, cylinders, tubes, brackets, gears),
// within 5% of the mesh's volume, never double-counting walls.
func TestFullInfillIsTheVolumeProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 100))
	s := DefaultFDM
	s.FillDensity = 100
	for i := 0; i < 40; i++ {
		var poly []geometry.Point2
		switch i % 5 {
		case 0:
			x, y := 4+r.Float64()*60, 4+r.Float64()*60
			poly = pts(0, 0, x, 0, x, y, 0, y)
		case 1:
			poly = geometry.Circle(2+r.Float64()*25, 48+r.IntN(64))
		case 2:
			poly = geometry.LBracket(10+r.Float64()*40, 10+r.Float64()*40, 1.5+r.Float64()*6)
		case 3:
			poly = geometry.Gear(10+r.IntN(20), 1+r.Float64()*2)
		case 4:
			poly = geometry.Clip(4+r.Float64()*12, 0.9+r.Float64()*3)
		}
		m, err := geometry.Extrude(poly, 2+r.Float64()*20)
		if err != nil {
			t.Fatal(err)
		}
		a, err := geometry.Analyze(context.Background(), m, geometry.DefaultOptions)
		if err != nil {
			t.Fatal(err)
		}
		res, err := EstimateFDM(context.Background(), m, s)
		if err != nil {
			t.Fatal(err)
		}
		// Layers are cut at their middles, so the part printed is whole
		// layers tall: compare with the volume of the layers printed.
		printed := a.Volume * float64(res.Layers) * s.LayerHeight / a.Size.Z
		if ratio := res.VolumeMM3 / printed; ratio < 0.95 || ratio > 1.05 {
			t.Errorf("part %d (%d-gon, %.1f mm tall, %.0f mm³): extrudes %.0f mm³, %.2f times its volume", i, len(poly), a.Size.Z, printed, res.VolumeMM3, ratio)
		}
	}
}
