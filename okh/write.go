package okh

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
)

// The shapes written to okh.toml. OKH-LOSH keys come first; build steps,
// quantities, part kinds and nested module parts are dgml's additions,
// which other OKH readers ignore.
type losh struct {
	OKHV           string    `toml:"okhv"`
	Name           string    `toml:"name"`
	Version        string    `toml:"version,omitempty"`
	License        string    `toml:"license,omitempty"`
	DocLicense     string    `toml:"documentation-license,omitempty"`
	SoftLicense    string    `toml:"software-license,omitempty"`
	Licensor       []string  `toml:"licensor,omitempty"`
	Organization   []string  `toml:"organization,omitempty"`
	Contributors   []string  `toml:"contributors,omitempty"`
	Function       string    `toml:"function,omitempty"`
	Languages      []string  `toml:"documentation-language,omitempty"`
	OTRL           string    `toml:"technology-readiness-level,omitempty"`
	ODRL           string    `toml:"documentation-readiness-level,omitempty"`
	Keywords       []string  `toml:"keywords,omitempty"`
	Image          []string  `toml:"image,omitempty"`
	TsDC           []string  `toml:"tsdc,omitempty"`
	Standards      []string  `toml:"standard-compliance,omitempty"`
	CPC            string    `toml:"cpc-patent-class,omitempty"`
	Repo           string    `toml:"repo,omitempty"`
	Release        string    `toml:"release,omitempty"`
	Readme         string    `toml:"readme,omitempty"`
	Manual         string    `toml:"user-manual,omitempty"`
	Instructions   string    `toml:"manufacturing-instructions,omitempty"`
	OuterDimension *dimsOut  `toml:"outer-dimensions,omitempty"`
	Mass           *massOut  `toml:"mass,omitempty"`
	Link           []linkOut `toml:"link,omitempty"`
	Part           []partOut `toml:"part,omitempty"`
	Step           []stepOut `toml:"step,omitempty"`
}

type dimsOut struct {
	Width  float64 `toml:"width"`
	Depth  float64 `toml:"depth"`
	Height float64 `toml:"height"`
	Unit   string  `toml:"unit"`
}

type massOut struct {
	Value float64 `toml:"value"`
	Unit  string  `toml:"unit"`
}

type linkOut struct {
	Rel   string `toml:"rel"`
	Title string `toml:"title,omitempty"`
	Path  string `toml:"path"`
}

type partOut struct {
	Name       string    `toml:"name"`
	Kind       string    `toml:"kind"`
	Quantity   float64   `toml:"quantity"`
	Material   string    `toml:"material,omitempty"`
	Process    string    `toml:"process,omitempty"`
	Source     []string  `toml:"source,omitempty"`
	Export     []string  `toml:"export,omitempty"`
	Image      []string  `toml:"image,omitempty"`
	Supplier   string    `toml:"supplier,omitempty"`
	PartNumber string    `toml:"part-number,omitempty"`
	Owner      string    `toml:"owner,omitempty"`
	Dimensions *dimsOut  `toml:"outer-dimensions,omitempty"`
	Mass       *massOut  `toml:"mass,omitempty"`
	Reuses     *reuseOut `toml:"reuses,omitempty"`
	Part       []partOut `toml:"part,omitempty"`
}

type reuseOut struct {
	Design   string `toml:"design"`
	Revision string `toml:"revision,omitempty"`
}

type stepOut struct {
	Title        string                    `toml:"title,omitempty"`
	Text         string                    `toml:"text"`
	Image        []string                  `toml:"image,omitempty"`
	Translations map[string]translationOut `toml:"translations,omitempty"`
}

type translationOut struct {
	Title  string `toml:"title,omitempty"`
	Text   string `toml:"text"`
	Source string `toml:"source"`
}

// singleLinks are the link relations OKH-LOSH has a key of its own for.
var singleLinks = []string{"repo", "release", "readme", "user-manual", "manufacturing-instructions"}

// Marshal writes content as an OKH-LOSH okh.toml. Reading it back with
// Parse gives content with the same revision id.
func Marshal(c *design.Content) ([]byte, error) {
	mf := c.Manifest
	out := losh{
		OKHV: "OKH-LOSHv1.0", Name: mf.Name, Version: mf.Version, License: mf.License,
		DocLicense: mf.DocLicense, SoftLicense: mf.SoftLicense, Licensor: mf.Licensors,
		Organization: mf.Organisations, Contributors: mf.Contributors, Function: mf.Function,
		Languages: mf.Languages, Keywords: mf.Keywords, Image: paths(mf.Images),
		Standards: mf.Standards, CPC: mf.CPC, OuterDimension: dims(mf.Dimensions), Mass: mass(mf.MassG),
	}
	if out.License == "" {
		out.License = mf.LicenseText
	}
	if mf.OTRL > 0 {
		out.OTRL = fmt.Sprintf("OTRL-%d", mf.OTRL)
	}
	if mf.ODRL > 0 {
		out.ODRL = fmt.Sprintf("ODRL-%d", mf.ODRL)
	}
	for _, p := range mf.Processes {
		out.TsDC = append(out.TsDC, string(p))
	}
	out.setLinks(mf.Links)
	for _, p := range c.Parts {
		out.Part = append(out.Part, partTOML(p))
	}
	for _, s := range c.Steps {
		st := stepOut{Title: s.Title, Text: s.Text, Image: paths(s.Images)}
		for lang, t := range s.Translations {
			if st.Translations == nil {
				st.Translations = map[string]translationOut{}
			}
			st.Translations[lang] = translationOut{Title: t.Title, Text: t.Text, Source: t.Source}
		}
		out.Step = append(out.Step, st)
	}
	var b bytes.Buffer
	b.WriteString("# Open Know-How manifest (OKH-LOSH), written by dgml.\n")
	if err := toml.NewEncoder(&b).Encode(out); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (o *losh) setLinks(links []design.Link) {
	count := map[string]int{}
	for _, l := range links {
		count[l.Rel]++
	}
	for _, l := range links {
		single := ""
		for _, s := range singleLinks {
			if l.Rel == s && count[s] == 1 && l.Title == "" {
				single = s
			}
		}
		switch single {
		case "repo":
			o.Repo = l.Path
		case "release":
			o.Release = l.Path
		case "readme":
			o.Readme = l.Path
		case "user-manual":
			o.Manual = l.Path
		case "manufacturing-instructions":
			o.Instructions = l.Path
		default:
			o.Link = append(o.Link, linkOut{Rel: l.Rel, Title: l.Title, Path: l.Path})
		}
	}
}

func partTOML(p design.Part) partOut {
	out := partOut{
		Name: p.Name, Kind: string(p.Kind), Quantity: p.Quantity, Material: p.Material, Process: string(p.Process),
		Source: paths(p.Sources), Export: paths(p.Exports), Image: paths(p.Images), Supplier: p.Supplier,
		PartNumber: p.PartNumber, Owner: p.Owner, Dimensions: dims(p.Dimensions), Mass: mass(p.MassG),
	}
	if p.Reuses != nil {
		out.Reuses = &reuseOut{p.Reuses.Design, p.Reuses.Revision}
	}
	for _, c := range p.Children {
		out.Part = append(out.Part, partTOML(c))
	}
	return out
}

func paths(refs []design.FileRef) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Path)
	}
	return out
}

func dims(d *design.Dimensions) *dimsOut {
	if d == nil {
		return nil
	}
	return &dimsOut{Width: d.X, Depth: d.Y, Height: d.Z, Unit: "mm"}
}

func mass(g float64) *massOut {
	if g == 0 {
		return nil
	}
	return &massOut{Value: g, Unit: "g"}
}

// OpenFunc opens a stored file by its SHA-256.
type OpenFunc func(sum string) (io.ReadCloser, error)

// ExportDir writes okh.toml and every stored file at its path into dir,
// so that importing dir gives the same revision id.
func ExportDir(c *design.Content, dir string, open OpenFunc) error {
	data, err := Marshal(c)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "okh.toml"), data, 0o644); err != nil {
		return err
	}
	written := map[string]bool{}
	return eachRef(c, func(ref *design.FileRef) error {
		if ref.SHA256 == "" || written[ref.Path] {
			return nil
		}
		written[ref.Path] = true
		return writeFile(dir, cleanRel(ref.Path), ref.SHA256, open)
	})
}

func writeFile(dir, rel, sum string, open OpenFunc) error {
	if rel == "" || rel == "." {
		return &dgml.Error{Kind: dgml.Invalid, Field: "path", Msg: "a stored file has an empty path"}
	}
	dst := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	src, err := open(sum)
	if err != nil {
		return err
	}
	defer src.Close()
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, src); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
