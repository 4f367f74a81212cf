package design

import (
	"math"
	"strings"
	"testing"

	"github.com/dgml/dgml"
)

func TestRevisionIDIsContentAddressed(t *testing.T) {
	a := Content{Manifest: Manifest{Name: "Hinge", Keywords: []string{}}}
	b := Content{Manifest: Manifest{Name: "Hinge"}}
	if a.RevisionID() != b.RevisionID() {
		t.Error("an empty list and no list must give the same id")
	}
	c := b
	c.Manifest.Version = "2"
	if c.RevisionID() == b.RevisionID() {
		t.Error("different content must give different ids")
	}
	// The canonical form is frozen: this id may only change with a
	// deliberate, announced change of the format.
	const want = `{"manifest":{"name":"Hinge"}}`
	if string(b.Canonical()) != want {
		t.Errorf("canonical form changed: %s", b.Canonical())
	}
}

func TestValidateNamesTheField(t *testing.T) {
	ok := Part{Name: "leaf", Kind: KindPart, Quantity: 1}
	cases := []struct {
		c     Content
		field string
	}{
		{Content{}, "name"},
		{Content{Manifest: Manifest{Name: "x", OTRL: 9}}, "technology-readiness-level"},
		{Content{Manifest: Manifest{Name: "x"}, Parts: []Part{ok, {Name: "b", Kind: KindPart, Quantity: math.NaN()}}}, "part[1].quantity"},
		{Content{Manifest: Manifest{Name: "x"}, Parts: []Part{{Name: "m", Kind: KindModule, Quantity: 1, Children: []Part{{Name: "c", Kind: KindPart, Quantity: 1, Process: "juggling"}}}}}, "part[0].part[0].process"},
		{Content{Manifest: Manifest{Name: "x"}, Parts: []Part{{Name: "p", Kind: KindPart, Quantity: 1, Children: []Part{ok}}}}, "part[0]"},
		{Content{Manifest: Manifest{Name: "x"}, Steps: []Step{{}}}, "step[0]"},
	}
	for _, c := range cases {
		err := c.c.Validate()
		e, isErr := err.(*dgml.Error)
		if !isErr || e.Field != c.field || e.Kind != dgml.Invalid {
			t.Errorf("want an invalid error on %s, got %v", c.field, err)
		}
	}
	if err := (&Content{Manifest: Manifest{Name: "x"}, Parts: []Part{ok}}).Validate(); err != nil {
		t.Errorf("valid content refused: %v", err)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Click Me: Solderless Hot-Swap Access Switch": "click-me-solderless-hot-swap-access-switch",
		"Möbel für Häuser":                            "mobel-fur-hauser",
		"ZAC+":                                        "zac",
		"!!!":                                         "design",
		strings.Repeat("long name ", 20):              "long-name-long-name-long-name-long-name-long-name-long-name",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCountMultipliesThroughModules(t *testing.T) {
	parts := []Part{
		{Name: "axis", Kind: KindModule, Quantity: 2, Children: []Part{
			{Name: "end", Kind: KindPart, Quantity: 2, MassG: 10},
			{Name: "bearing", Kind: KindBought, Quantity: 3},
		}},
		{Name: "base", Kind: KindPart, Quantity: 1, MassG: 100},
	}
	got := Count(parts)
	if got.Made != 5 || got.Bought != 6 || got.MassG != 140 {
		t.Errorf("got %+v, want 5 made, 6 bought, 140 g", got)
	}
}

func TestParseProcess(t *testing.T) {
	for in, want := range map[string]Process{"3DP": ProcessFDM, "Laser cutting": ProcessLaserCutting, "cnc-milling": ProcessCNCMilling, "ASM-MEC": ProcessAssembly, "": ProcessUnknown} {
		if got, ok := ParseProcess(in); !ok || got != want {
			t.Errorf("ParseProcess(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	if _, ok := ParseProcess("interpretive dance"); ok {
		t.Error("an unknown process must be reported")
	}
}
