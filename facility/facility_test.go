package facility

import (
	"math"
	"strings"
	"testing"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/geo"
)

func TestFitsInAnyOrientation(t *testing.T) {
	printer := Machine{Envelope: design.Dimensions{X: 250, Y: 210, Z: 220}}
	for _, c := range []struct {
		part design.Dimensions
		fits bool
	}{
		{design.Dimensions{X: 240, Y: 200, Z: 10}, true},
		{design.Dimensions{X: 10, Y: 245, Z: 205}, true}, // turned on its side
		{design.Dimensions{X: 260, Y: 10, Z: 10}, false},
		{design.Dimensions{X: 215, Y: 215, Z: 215}, false}, // every axis over 210 but one
	} {
		if printer.Fits(c.part) != c.fits {
			t.Errorf("%+v in 250x210x220: want %v", c.part, c.fits)
		}
	}
	if !(&Machine{}).Fits(design.Dimensions{X: 1e6}) {
		t.Error("an unknown envelope is taken to fit")
	}
}

func TestMaterials(t *testing.T) {
	for in, want := range map[string]string{
		"https://en.wikipedia.org/wiki/Polylactic_acid": "pla", "PLA": "pla", "Aluminum": "aluminium",
		"steel tube 40x40x2": "steel", "plywood 12 mm": "wood", "copper wire": "copper", "unobtainium": "unobtainium",
	} {
		if got := NormalizeMaterial(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	m := Machine{Materials: []string{"wood", "acrylic"}}
	if !m.Works("Birch plywood") || m.Works("steel") || !(&Machine{}).Works("anything") {
		t.Error("works")
	}
}

func TestValidate(t *testing.T) {
	ok := Facility{Name: "Lab", Location: geo.Point{Lat: 1, Lon: 2}, Machines: []Machine{{Process: design.ProcessFDM}}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, f := range map[string]Facility{
		"name":                    {Location: geo.Point{}},
		"location":                {Name: "x", Location: geo.Point{Lat: 100}},
		"country":                 {Name: "x", Country: "Greece"},
		"machines[0].process":     {Name: "x", Machines: []Machine{{Process: "juggling"}}},
		"machines[0].hourly_rate": {Name: "x", Machines: []Machine{{Process: design.ProcessFDM, HourlyRate: -1}}},
		"machines[0].setup_fee":   {Name: "x", Machines: []Machine{{Process: design.ProcessFDM, SetupFee: math.NaN()}}},
		"machines[0].envelope":    {Name: "x", Machines: []Machine{{Process: design.ProcessFDM, Envelope: design.Dimensions{X: 1e300}}}},
		"machines[0].power_kw":    {Name: "x", Machines: []Machine{{Process: design.ProcessFDM, PowerKW: math.Inf(1)}}},
		"machines[0].quantity":    {Name: "x", Machines: []Machine{{Process: design.ProcessFDM, Quantity: -3}}},
		"grid":                    {Name: "x", GridIntensity: math.NaN()},
	} {
		err := f.Validate()
		if e, isErr := err.(*dgml.Error); !isErr || e.Field != field {
			t.Errorf("want an error on %s, got %v", field, err)
		}
	}
}

// Rates' currency is checked on every way in, not by one form.
func TestCurrencyIsAnISOCode(t *testing.T) {
	f := Facility{Name: "Lab", Location: geo.Point{Lat: 1, Lon: 2}, Currency: "shillings"}
	if err := f.Validate(); err == nil || !strings.Contains(err.Error(), "currency") {
		t.Errorf("a currency that is not a code: %v", err)
	}
	f.Currency = "KES"
	if err := f.Validate(); err != nil {
		t.Error(err)
	}
}
