// Package design holds the commons' central types: a design, its immutable
// revisions, the parts tree and build steps, and the interfaces through
// which they are stored. It knows no database, file system or HTTP.
package design

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Design is a line of revisions under one globally unique id. Its slug is
// the readable, node-local name used in URLs.
type Design struct {
	ID         string  `json:"id"`
	Slug       string  `json:"slug"`
	Name       string  `json:"name"`
	Head       string  `json:"head"` // id of the current revision
	ForkedFrom *Origin `json:"forked_from,omitempty"`
	// Home is the node the design lives at (its owner: only that node
	// changes it); empty for this node.
	Home      string    `json:"home,omitempty"`
	Revisions int       `json:"revisions"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
}

// Origin names the design and revision a fork started from, and the
// node that design lives at (empty: this node).
type Origin struct {
	Design   string `json:"design"`
	Revision string `json:"revision"`
	Node     string `json:"node,omitempty"`
}

// Revision is an immutable state of a design. Its ID is derived from its
// content, so every node computes the same id for the same content.
type Revision struct {
	ID string `json:"id"`
	Content
}

// Content is everything that a revision id covers.
type Content struct {
	Manifest Manifest `json:"manifest"`
	Parts    []Part   `json:"parts,omitempty"`
	Steps    []Step   `json:"steps,omitempty"`
}

// Manifest is the descriptive part of a revision, after OKH's fields.
type Manifest struct {
	Name          string      `json:"name"`
	Function      string      `json:"function,omitempty"`
	Version       string      `json:"version,omitempty"`
	License       string      `json:"license,omitempty"`      // SPDX expression of the hardware license
	LicenseText   string      `json:"license_text,omitempty"` // original text when it is not SPDX
	DocLicense    string      `json:"documentation_license,omitempty"`
	SoftLicense   string      `json:"software_license,omitempty"`
	Licensors     []string    `json:"licensors,omitempty"`
	Organisations []string    `json:"organisations,omitempty"`
	Contributors  []string    `json:"contributors,omitempty"`
	Languages     []string    `json:"languages,omitempty"` // BCP 47 tags of the documentation
	OTRL          int         `json:"otrl,omitempty"`      // Open Technology Readiness Level 1..8, 0 unknown
	ODRL          int         `json:"odrl,omitempty"`      // Open Documentation Readiness Level 1..5, 0 unknown
	Keywords      []string    `json:"keywords,omitempty"`
	Images        []FileRef   `json:"images,omitempty"`
	Links         []Link      `json:"links,omitempty"`
	Dimensions    *Dimensions `json:"dimensions,omitempty"`
	MassG         float64     `json:"mass_g,omitempty"`
	Processes     []Process   `json:"processes,omitempty"` // the design's technology as a whole (OKH tsdc)
	Standards     []string    `json:"standards,omitempty"`
	CPC           string      `json:"cpc,omitempty"` // patent classification
}

// LicenseOrText is the hardware licence: the SPDX expression, else the
// text the manifest gave.
func (m *Manifest) LicenseOrText() string {
	if m.License != "" {
		return m.License
	}
	return m.LicenseText
}

// Link is a typed reference: the repository, a release, documentation.
// A link to a file of the design's folder is stored like any other file.
type Link struct {
	Rel   string `json:"rel"` // repo, release, readme, user-manual, manufacturing-instructions, ...
	Title string `json:"title,omitempty"`
	FileRef
}

// Dimensions are outer dimensions in millimetres.
type Dimensions struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
	Z float64 `json:"z"`
}

// Kind tells a module (an assembly of parts) from a made part and from an
// item that is bought rather than made.
type Kind string

// Part kinds.
const (
	KindModule Kind = "module"
	KindPart   Kind = "part"
	KindBought Kind = "bought"
)

// Part is a node of the parts tree.
type Part struct {
	Name       string      `json:"name"`
	Kind       Kind        `json:"kind"`
	Quantity   float64     `json:"quantity"`
	Material   string      `json:"material,omitempty"`
	Process    Process     `json:"process,omitempty"`
	Dimensions *Dimensions `json:"dimensions,omitempty"`
	MassG      float64     `json:"mass_g,omitempty"`
	Sources    []FileRef   `json:"sources,omitempty"`
	Exports    []FileRef   `json:"exports,omitempty"`
	Images     []FileRef   `json:"images,omitempty"`
	Supplier   string      `json:"supplier,omitempty"`
	PartNumber string      `json:"part_number,omitempty"`
	// Price is what one bought item costs from Supplier, in Currency
	// (ISO 4217), as the design's maintainers last saw it.
	Price    float64 `json:"price,omitempty"`
	Currency string  `json:"currency,omitempty"`
	Owner    string  `json:"owner,omitempty"` // the team that looks after a module
	Children []Part  `json:"children,omitempty"`
	// Reuses names the design (and revision) a module is taken from, so
	// that its licence and credits follow it.
	Reuses *Origin `json:"reuses,omitempty"`
}

// FileRef points at a file of the design: a path inside the manifest's
// folder (then SHA256 is set once the file is stored) or a URL.
type FileRef struct {
	Path      string `json:"path"`
	SHA256    string `json:"sha256,omitempty"`
	Size      int64  `json:"size,omitempty"`
	MediaType string `json:"media_type,omitempty"`
}

// Step is one build instruction, in the documentation's first language,
// with its translations.
type Step struct {
	Title        string                 `json:"title,omitempty"`
	Text         string                 `json:"text"`
	Images       []FileRef              `json:"images,omitempty"`
	Translations map[string]Translation `json:"translations,omitempty"` // by language tag
}

// Translation is a step in another language. Source fingerprints the
// text it was translated from, so a reader can tell when the step has
// changed since.
type Translation struct {
	Title  string `json:"title,omitempty"`
	Text   string `json:"text"`
	Source string `json:"source"`
}

// Fingerprint identifies a step's source text for its translations.
func (s *Step) Fingerprint() string {
	sum := sha256.Sum256([]byte(s.Title + "\x00" + s.Text))
	return hex.EncodeToString(sum[:8])
}

// Canonical is the byte form a revision id is computed from: JSON with
// fields in declaration order, empty fields left out, maps sorted (as
// encoding/json does). Changing it changes every id, so it is frozen.
func (c Content) Canonical() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		// Only NaN or Inf can fail here, and Validate refuses them.
		panic("design: canonical form: " + err.Error())
	}
	return b
}

// RevisionID is the hex SHA-256 of the canonical form.
func (c Content) RevisionID() string {
	sum := sha256.Sum256(c.Canonical())
	return hex.EncodeToString(sum[:])
}

// Walk calls fn for every part of the tree, depth first, with its path of
// names from the root.
func Walk(parts []Part, fn func(path []string, p *Part)) {
	var walk func(prefix []string, ps []Part)
	walk = func(prefix []string, ps []Part) {
		for i := range ps {
			path := append(append([]string(nil), prefix...), ps[i].Name)
			fn(path, &ps[i])
			walk(path, ps[i].Children)
		}
	}
	walk(nil, parts)
}

// Files lists every stored file the content refers to, once each.
func (c *Content) Files() []FileRef {
	seen := map[string]bool{}
	var out []FileRef
	add := func(refs []FileRef) {
		for _, f := range refs {
			if f.SHA256 != "" && !seen[f.SHA256] {
				seen[f.SHA256] = true
				out = append(out, f)
			}
		}
	}
	add(c.Manifest.Images)
	for _, l := range c.Manifest.Links {
		add([]FileRef{l.FileRef})
	}
	Walk(c.Parts, func(_ []string, p *Part) {
		add(p.Sources)
		add(p.Exports)
		add(p.Images)
	})
	for _, s := range c.Steps {
		add(s.Images)
	}
	return out
}

// Totals counts a tree: made parts and bought items, each times quantities
// of the modules that hold them.
type Totals struct {
	Made   float64 `json:"made"`
	Bought float64 `json:"bought"`
	MassG  float64 `json:"mass_g"`
}

// Count adds up the parts tree.
func Count(parts []Part) Totals {
	var t Totals
	var walk func(ps []Part, mult float64)
	walk = func(ps []Part, mult float64) {
		for _, p := range ps {
			q := p.Quantity * mult
			switch p.Kind {
			case KindModule:
				walk(p.Children, q)
				continue
			case KindBought:
				t.Bought += q
			default:
				t.Made += q
			}
			t.MassG += q * p.MassG
		}
	}
	walk(parts, 1)
	return t
}
