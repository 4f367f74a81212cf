package param

import (
	"net/url"
	"testing"

	"github.com/dgml/dgml"
)

func TestRefusedWithTheField(t *testing.T) {
	for _, c := range []struct {
		field string
		err   error
	}{
		{"qty", second(Positive("qty", "NaN", MaxQuantity, 1))},
		{"qty", second(Positive("qty", "nan", MaxQuantity, 1))},
		{"qty", second(Positive("qty", "+Inf", MaxQuantity, 1))},
		{"qty", second(Positive("qty", "-1", MaxQuantity, 1))},
		{"qty", second(Positive("qty", "0", MaxQuantity, 1))},
		{"qty", second(Positive("qty", "1e300", MaxQuantity, 1))},
		{"qty", second(Positive("qty", "0x10", MaxQuantity, 1))},
		{"radius", second(Positive("radius", "1e9", MaxRadiusKm, 50))},
		{"near", second(Point("near", "NaN,0"))},
		{"near", second(Point("near", "0,Inf"))},
		{"near", second(Point("near", "91,0"))},
		{"near", second(Point("near", "1e400,0"))},
		{"deadline", second(Deadline("-5d"))},
		{"deadline", second(Deadline("NaNd"))},
		{"deadline", second(Deadline("Infw"))},
		{"deadline", second(Deadline("999999999h"))},
		{"deadline", second(Deadline("0h"))},
		{"limit", second(DesignQuery(url.Values{"limit": {"100000"}}))},
		{"offset", second(DesignQuery(url.Values{"offset": {"-1"}}))},
		{"offset", second(DesignQuery(url.Values{"offset": {"99999999999999999999"}}))},
	} {
		var e *dgml.Error
		if c.err == nil {
			t.Errorf("%s: accepted", c.field)
			continue
		}
		if e = c.err.(*dgml.Error); e.Kind != dgml.Invalid || e.Field != c.field {
			t.Errorf("%s: %v (kind %s, field %s)", c.field, c.err, e.Kind, e.Field)
		}
	}
	if x, err := Positive("qty", "", MaxQuantity, 1); x != 1 || err != nil {
		t.Errorf("empty gives the default: %v %v", x, err)
	}
	if h, err := Deadline("2w"); h != 336 || err != nil {
		t.Errorf("2w: %v %v", h, err)
	}
	if p, err := Point("near", " 37.98 , 23.73 "); err != nil || p.Lat != 37.98 {
		t.Errorf("a point: %v %v", p, err)
	}
}

func second[T any](_ T, err error) error { return err }

func FuzzFloat(f *testing.F) {
	for _, s := range []string{"1", "NaN", "-0", "1e308", "Inf", "0x1p-2", "1_000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := Float("f", s, -10, 10, 0)
		if err == nil && (x < -10 || x > 10 || x != x) {
			t.Fatalf("%q gave %v", s, x)
		}
	})
}
