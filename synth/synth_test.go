package synth

import "testing"

func TestDeterministicAndValid(t *testing.T) {
	a, b := New(7), New(7)
	for i := 0; i < 200; i++ {
		x, y := a.Design(i), b.Design(i)
		if x.RevisionID() != y.RevisionID() {
			t.Fatalf("design %d differs between two generators of the same seed", i)
		}
		if err := x.Validate(); err != nil {
			t.Fatalf("design %d is invalid: %v", i, err)
		}
	}
	if New(7).Design(0).RevisionID() == New(8).Design(0).RevisionID() {
		t.Error("different seeds should give different designs")
	}
}
