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
