package design

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Change is one difference between two revisions.
type Change struct {
	Kind  string `json:"kind"` // manifest, part-added, part-removed, part-changed, step-added, step-removed, step-changed
	Path  string `json:"path"` // field name, part path or step number
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
	Notes string `json:"notes,omitempty"`
}

// Diff lists what changed from a to b: manifest fields, parts (matched
// by their path of names) added, removed or changed in quantity,
// material, process, size, mass or geometry file, and build steps.
func Diff(a, b *Content) []Change {
	var out []Change
	out = append(out, diffManifest(&a.Manifest, &b.Manifest)...)
	out = append(out, diffParts(a.Parts, b.Parts)...)
	out = append(out, diffSteps(a.Steps, b.Steps)...)
	return out
}

func show(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []string:
		return strings.Join(x, ", ")
	}
	b, _ := json.Marshal(v)
	s := string(b)
	if s == "null" || s == "0" || s == `""` {
		return ""
	}
	return s
}

func diffManifest(a, b *Manifest) []Change {
	var out []Change
	va, vb := reflect.ValueOf(*a), reflect.ValueOf(*b)
	t := va.Type()
	for i := 0; i < t.NumField(); i++ {
		x, y := va.Field(i).Interface(), vb.Field(i).Interface()
		if reflect.DeepEqual(x, y) || (show(x) == show(y)) {
			continue
		}
		name := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]
		out = append(out, Change{Kind: "manifest", Path: name, From: show(x), To: show(y)})
	}
	return out
}

func partIndex(ps []Part) (map[string]*Part, []string) {
	idx := map[string]*Part{}
	var order []string
	Walk(ps, func(path []string, p *Part) {
		k := strings.Join(path, " / ")
		if _, dup := idx[k]; !dup {
			order = append(order, k)
		}
		idx[k] = p
	})
	return idx, order
}

func fileSet(p *Part) string {
	var s []string
	for _, refs := range [][]FileRef{p.Sources, p.Exports} {
		for _, r := range refs {
			s = append(s, r.Path+"#"+r.SHA256)
		}
	}
	sort.Strings(s)
	return strings.Join(s, ";")
}

func diffParts(a, b []Part) []Change {
	ia, orderA := partIndex(a)
	ib, orderB := partIndex(b)
	var out []Change
	for _, k := range orderA {
		if _, ok := ib[k]; !ok {
			out = append(out, Change{Kind: "part-removed", Path: k})
		}
	}
	for _, k := range orderB {
		pb := ib[k]
		pa, ok := ia[k]
		if !ok {
			out = append(out, Change{Kind: "part-added", Path: k, To: fmt.Sprintf("%g × %s", pb.Quantity, pb.Name)})
			continue
		}
		var notes []string
		field := func(name string, x, y any) {
			if show(x) != show(y) {
				notes = append(notes, fmt.Sprintf("%s %s → %s", name, orNone(show(x)), orNone(show(y))))
			}
		}
		field("quantity", pa.Quantity, pb.Quantity)
		field("material", pa.Material, pb.Material)
		field("process", string(pa.Process), string(pb.Process))
		field("kind", string(pa.Kind), string(pb.Kind))
		field("size", pa.Dimensions, pb.Dimensions)
		field("mass", pa.MassG, pb.MassG)
		if fileSet(pa) != fileSet(pb) {
			notes = append(notes, "geometry file changed")
		}
		if len(notes) > 0 {
			out = append(out, Change{Kind: "part-changed", Path: k, Notes: strings.Join(notes, "; ")})
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func diffSteps(a, b []Step) []Change {
	var out []Change
	for i := 0; i < len(a) || i < len(b); i++ {
		path := fmt.Sprintf("step %d", i+1)
		switch {
		case i >= len(a):
			out = append(out, Change{Kind: "step-added", Path: path, To: b[i].Title})
		case i >= len(b):
			out = append(out, Change{Kind: "step-removed", Path: path, From: a[i].Title})
		case a[i].Title != b[i].Title || a[i].Text != b[i].Text:
			out = append(out, Change{Kind: "step-changed", Path: path, From: a[i].Title + ": " + a[i].Text, To: b[i].Title + ": " + b[i].Text})
		}
	}
	return out
}
