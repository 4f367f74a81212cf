package geometry

import (
	"context"
	"math"
	"testing"
)

func TestSliceCube(t *testing.T) {
	m := cube(10)
	ls, err := Slice(context.Background(), m, 0.2, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 50 {
		t.Fatal(len(ls))
	}
	for _, l := range ls {
		if math.Abs(l.Area()-100) > 1e-6 || math.Abs(l.Perimeter()-40) > 1e-6 || len(l.Loops) != 1 || SignedArea(l.Loops[0]) < 0 {
			t.Fatalf("%+v %v", l, l.Area())
		}
	}
}

// A part thinner than half a first layer has no layer to cut, and says
// so with no layers rather than failing.
func TestSliceThinnerThanALayer(t *testing.T) {
	m, err := Extrude([]Point2{{X: 0, Y: 0}, {X: 10, Y: 0}, {X: 10, Y: 10}, {X: 0, Y: 10}}, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := Slice(context.Background(), m, 0.2, 0.2)
	if err != nil || len(layers) != 0 {
		t.Errorf("%d layers, %v", len(layers), err)
	}
}
