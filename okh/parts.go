package okh

import (
	"fmt"
	"strings"

	"github.com/dgml/dgml/design"
)

// parts reads the [[part]] tables of a manifest (or of a module part,
// where dgml nests them as [[part.part]]).
func (r *reader) parts(m map[string]any, prefix string) ([]design.Part, error) {
	v, field := r.get(m, prefix, "part", "parts")
	if v == nil {
		return nil, nil
	}
	var list []any
	switch x := v.(type) {
	case []any:
		list = x
	case map[string]any:
		list = []any{x}
	case []map[string]any:
		for _, t := range x {
			list = append(list, t)
		}
	default:
		return nil, r.fail(field, "part must be a table or a list of tables")
	}
	var out []design.Part
	for i, e := range list {
		t, ok := e.(map[string]any)
		f := fmt.Sprintf("%s[%d]", field, i)
		if !ok {
			return nil, r.fail(f, "each part must be a table with at least a name")
		}
		p, err := r.part(t, f)
		if err != nil {
			return nil, err
		}
		if p != nil {
			out = append(out, *p)
		}
	}
	return out, nil
}

func (r *reader) part(t map[string]any, f string) (*design.Part, error) {
	p := design.Part{Name: r.text(t["name"], f+".name"), Quantity: 1, Kind: design.KindPart}
	if p.Name == "" {
		r.warn(f, "a part without a name; left out")
		return nil, nil
	}
	if q, ok := t["quantity"]; ok {
		n, ok := number(q)
		if !ok || n <= 0 {
			return nil, r.fail(f+".quantity", "must be a positive number, got %v", q)
		}
		p.Quantity = n
	}
	if k := r.text(t["kind"], f+".kind"); k != "" {
		p.Kind = design.Kind(k)
	}
	p.Material = r.text(r.imagePaths(t["material"], f+".material"))
	p.Process = r.partProcess(t, f)
	if v, ok := t["outer-dimensions"]; ok && !isEmpty(v) {
		p.Dimensions = r.dimensions(v, f+".outer-dimensions")
	}
	if v, ok := t["mass"]; ok && !isEmpty(v) {
		p.MassG = r.mass(v, f+".mass")
	}
	p.Sources = refs(r.list(t["source"], f+".source"))
	p.Exports = refs(r.list(t["export"], f+".export"))
	p.Images = refs(r.list(r.imagePaths(t["image"], f+".image")))
	p.Supplier = r.text(t["supplier"], f+".supplier")
	p.PartNumber = r.text(t["part-number"], f+".part-number")
	p.Owner = r.text(t["owner"], f+".owner")
	if ru, ok := t["reuses"].(map[string]any); ok {
		p.Reuses = &design.Origin{Design: r.text(ru["design"], f+".reuses.design"), Revision: r.text(ru["revision"], f+".reuses.revision")}
	}
	children, err := r.parts(t, f+".")
	if err != nil {
		return nil, err
	}
	p.Children = children
	if len(children) > 0 {
		p.Kind = design.KindModule
	}
	return &p, nil
}

// partProcess reads a part's process from dgml's own key, OKH v1's
// manufacturing-process, LOSH's printing-process or its TsDC id, in that
// order of precision.
func (r *reader) partProcess(t map[string]any, f string) design.Process {
	for _, k := range []string{"process", "manufacturing-process", "printing-process"} {
		s := r.text(t[k], f+"."+k)
		if s == "" {
			continue
		}
		if p, ok := design.ParseProcess(s); ok && p != design.ProcessUnknown {
			return p
		}
		r.warn(f+"."+k, "%q is not in dgml's process vocabulary; left out", s)
	}
	for _, k := range []string{"tsdc", "tsdc-id"} {
		for _, s := range r.list(t[k], f+"."+k) {
			if p, ok := tsdcProcess(s); ok && p != design.ProcessUnknown {
				return p
			}
		}
	}
	return design.ProcessUnknown
}

// steps reads dgml's [[step]] tables (OKH keeps build steps in separate
// documents; dgml carries them in the manifest so they travel with it).
func (r *reader) steps(m map[string]any) ([]design.Step, error) {
	v, field := r.get(m, "", "step")
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		if ml, ok2 := v.([]map[string]any); ok2 {
			for _, t := range ml {
				list = append(list, t)
			}
		} else {
			return nil, r.fail(field, "step must be a list of tables with a title and text")
		}
	}
	var out []design.Step
	for i, e := range list {
		t, ok := e.(map[string]any)
		f := fmt.Sprintf("%s[%d]", field, i)
		if !ok {
			return nil, r.fail(f, "each step must be a table with a title and text")
		}
		s := design.Step{Title: r.text(t["title"], f+".title"), Images: refs(r.list(t["image"], f+".image"))}
		if txt, ok := t["text"].(string); ok {
			s.Text = strings.TrimSpace(txt)
		}
		if tr, ok := t["translations"].(map[string]any); ok {
			for lang, v := range tr {
				m, ok := v.(map[string]any)
				tag, changed := languageTag(lang)
				if !ok || tag == "" || changed {
					r.warn(f+".translations."+lang, "not a language tag with a table of title and text; left out")
					continue
				}
				txt, _ := m["text"].(string)
				if s.Translations == nil {
					s.Translations = map[string]design.Translation{}
				}
				s.Translations[tag] = design.Translation{Title: r.text(m["title"], f+".translations."+lang+".title"), Text: strings.TrimSpace(txt), Source: r.text(m["source"], f+".translations."+lang+".source")}
			}
		}
		out = append(out, s)
	}
	return out, nil
}
