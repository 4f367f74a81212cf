package design

import (
	"strings"

	"github.com/dgml/dgml/license"
)

// Indexed is what a store keeps beside a design's head for lists, filters
// and search: the card's fields, the (facet, value) pairs it is filtered
// by, and its searchable text by field (name, function, keywords, parts,
// steps: the order of SearchWeights).
type Indexed struct {
	Function, License, Version, Languages string
	OTRL, ODRL, Parts                     int
	Thumb                                 string // sha256 of the first part mesh
	Facets                                [][2]string
	Text                                  [5]string
}

// SearchWeights weigh the searchable fields (name, function, keywords,
// parts, steps) in ranking.
var SearchWeights = [5]float64{10, 4, 6, 2, 1}

// Index works out what stores keep of content for lists and search.
func Index(c *Content) Indexed {
	mf := &c.Manifest
	ix := Indexed{Function: mf.Function, License: mf.LicenseOrText(), Version: mf.Version, Languages: strings.Join(mf.Languages, " "), OTRL: mf.OTRL, ODRL: mf.ODRL}
	var parts, steps []string
	Walk(c.Parts, func(_ []string, p *Part) {
		ix.Parts++
		for _, f := range append(append([]FileRef(nil), p.Exports...), p.Sources...) {
			ext := strings.ToLower(f.Path[strings.LastIndexByte(f.Path, '.')+1:])
			if ix.Thumb == "" && f.SHA256 != "" && (ext == "stl" || ext == "3mf" || ext == "obj") {
				ix.Thumb = f.SHA256
			}
		}
		parts = append(parts, p.Name, p.Material, string(p.Process), p.PartNumber)
	})
	for _, s := range c.Steps {
		steps = append(steps, s.Title, s.Text)
	}
	ix.Text = [5]string{mf.Name, mf.Function, strings.Join(mf.Keywords, " "), strings.Join(parts, " "), strings.Join(steps, "\n")}
	add := func(f, v string) {
		if v = strings.ToLower(strings.TrimSpace(v)); v != "" {
			ix.Facets = append(ix.Facets, [2]string{f, v})
		}
	}
	for _, id := range license.IDs(mf.License) {
		add("license", id)
	}
	for _, l := range mf.Languages {
		add("language", l)
		if i := strings.IndexByte(l, '-'); i > 0 {
			add("language", l[:i])
		}
	}
	for _, p := range mf.Processes {
		add("process", string(p))
	}
	Walk(c.Parts, func(_ []string, p *Part) {
		add("process", string(p.Process))
		add("material", p.Material)
	})
	return ix
}

// Clamp brings a query's paging within bounds.
func (q Query) Clamp() Query {
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	q.Limit = min(q.Limit, MaxLimit)
	q.Offset = max(q.Offset, 0)
	return q
}

// Facets lists the (facet, value) filters a query asks for, lower case.
func (q Query) Facets() [][2]string {
	var out [][2]string
	for _, f := range [][2]string{{"license", q.License}, {"process", q.Process}, {"material", q.Material}, {"language", q.Language}} {
		if v := strings.ToLower(strings.TrimSpace(f[1])); v != "" {
			out = append(out, [2]string{f[0], v})
		}
	}
	return out
}
