package search

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
)

func TestTokens(t *testing.T) {
	got := Tokens("Möbel-Brücke: 3D-printed, ÉTÉ café naïve ﬁ x2")
	want := []string{"mobel", "brucke", "3d", "printed", "ete", "cafe", "naive", "ﬁ", "x2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q", got)
	}
}

func doc(name, steps string) Doc { return Doc{Text: [Fields]string{name, "", "", "", steps}} }

var w = [Fields]float64{10, 4, 6, 2, 1}

func TestRankingAndPrefix(t *testing.T) {
	x := New()
	x.Put(1, doc("hinge", ""))
	x.Put(2, doc("door", "attach the hinge"))
	x.Put(3, doc("hinged lid", "")) // a prefix match of "hinge"
	x.Put(4, doc("shelf", "no match here"))
	r := x.Search(Query{Text: "hinge", Limit: 10, FieldWeights: w})
	if r.Total != 2 || !reflect.DeepEqual(r.Keys, []int64{1, 2}) {
		t.Errorf("exact: %+v (a name hit must outrank a step hit)", r)
	}
	r = x.Search(Query{Text: "hinge", Limit: 10, PrefixLast: true, FieldWeights: w})
	if r.Total != 3 || r.Keys[2] != 2 {
		t.Errorf("prefix: %+v", r)
	}
	r = x.Search(Query{Text: "hinge door", Limit: 10, FieldWeights: w})
	if r.Total != 1 || r.Keys[0] != 2 {
		t.Errorf("every word must match: %+v", r)
	}
	r = x.Search(Query{Text: "hinge", Limit: 1, Offset: 1, FieldWeights: w})
	if r.Total != 2 || !reflect.DeepEqual(r.Keys, []int64{2}) {
		t.Errorf("paging: %+v", r)
	}
}

func TestReplaceAndCompact(t *testing.T) {
	x := New()
	for i := int64(0); i < 3000; i++ {
		x.Put(i, Doc{Text: [Fields]string{fmt.Sprintf("gear %d", i)}, Facets: []string{"material=pla"}, Updated: i})
	}
	for i := int64(0); i < 3000; i++ {
		if i%2 == 0 {
			x.Put(i, Doc{Text: [Fields]string{"pulley"}, Facets: []string{"material=petg"}, Updated: 5000 + i})
		} else {
			x.Remove(i)
		}
	}
	if x.Len() != 1500 {
		t.Fatalf("%d live", x.Len())
	}
	if r := x.Search(Query{Text: "gear", Limit: 5, FieldWeights: w}); r.Total != 0 {
		t.Errorf("replaced text still found: %+v", r)
	}
	r := x.Search(Query{Text: "pulley", Facets: []string{"material=petg"}, Limit: 5, FieldWeights: w})
	if r.Total != 1500 {
		t.Errorf("after compaction: %+v", r)
	}
	if r := x.Search(Query{Facets: []string{"material=pla"}, Limit: 5}); r.Total != 0 {
		t.Errorf("old facets still match: %+v", r)
	}
	if r := x.Search(Query{Limit: 2}); !reflect.DeepEqual(r.Keys, []int64{2998, 2996}) {
		t.Errorf("newest first: %+v", r)
	}
}

func FuzzSearch(f *testing.F) {
	x := New()
	x.Put(1, doc("Open loom", "weave the warp"))
	x.Put(2, doc("Loom comb", "print it"))
	f.Add("loom", 0, 10)
	f.Add("wéave \x00 ** OR NEAR(", 1, 1)
	f.Fuzz(func(t *testing.T, text string, offset, limit int) {
		if offset < 0 || limit < 0 || offset > 100 || limit > 100 {
			return
		}
		r := x.Search(Query{Text: text, Offset: offset, Limit: limit, PrefixLast: true, FieldWeights: w})
		if r.Total > 2 || len(r.Keys) > limit {
			t.Fatalf("%+v", r)
		}
	})
}

// A tolerant query finds plurals and singulars, and a word one slip
// away when the word as typed is nowhere; an exact query does not.
func TestTolerantWords(t *testing.T) {
	x := New()
	x.Put(1, Doc{Text: [Fields]string{"Door hinge", "", "", "hinges pins", ""}})
	x.Put(2, Doc{Text: [Fields]string{"Gear box", "", "", "gears", ""}})
	x.Put(3, Doc{Text: [Fields]string{"Battery assembly", "", "", "", ""}})
	x.Put(4, Doc{Text: [Fields]string{"Pin", "", "", "", ""}})
	for _, c := range []struct {
		q    string
		want []int64
	}{
		{"hinge", []int64{1}}, {"gear", []int64{2}}, {"boxes", []int64{2}}, {"assemblies", []int64{3}},
		{"hindge", []int64{1}}, {"batery", []int64{3}}, {"pins", []int64{1, 4}},
		{"pni", nil}, // too short to guess from
		{"zzzzzz", nil},
	} {
		got := x.Search(Query{Text: c.q, Limit: 10, Tolerant: true}).Keys
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: %v, want %v", c.q, got, c.want)
		}
	}
	if got := x.Search(Query{Text: "hindge", Limit: 10}).Keys; len(got) != 0 {
		t.Errorf("an exact query matched a slip: %v", got)
	}
	x.Put(5, Doc{Text: [Fields]string{"Hinge two", "", "", "", ""}, Updated: 50})
	x.Put(1, Doc{Text: [Fields]string{"Door hinge", "", "", "hinges pins", ""}, Updated: 10})
	if got := x.ByRecent([]int64{1, 5, 99}); !slices.Equal(got, []int64{5, 1, 99}) {
		t.Errorf("by recent: %v", got)
	}
}
