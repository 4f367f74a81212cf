package okh

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
)

// JSON manifests are Open Hardware Manager's: its OKH model (the LOSH
// fields with snake_case keys, a license table, manufacturing_processes,
// materials, parts and components) saved as JSON. Keys are read with
// dashes for underscores, so its manifests go through the same reader,
// aliases and warnings as LOSH's.

// checkJSON walks JSON text token by token, building nothing, and
// refuses it past MaxDepth nesting or MaxNodes values, naming the line.
func checkJSON(file string, data []byte) error {
	// JSON is UTF-8; Go's decoder would quietly replace bad bytes, and a
	// value kept as written (a version) would carry them on.
	if !utf8.Valid(data) {
		at := 0
		for at < len(data) {
			r, n := utf8.DecodeRune(data[at:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			at += n
		}
		return &dgml.Error{Kind: dgml.Invalid, File: file, Line: lineAt(data, int64(at)), Msg: "not UTF-8 text: save the manifest as UTF-8"}
	}
	d := json.NewDecoder(bytes.NewReader(data))
	depth, nodes := 0, 0
	for {
		t, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return jsonError(file, data, d.InputOffset(), err)
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
			if depth > MaxDepth {
				return tooDeep(file, lineAt(data, d.InputOffset()))
			}
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if nodes++; nodes > MaxNodes {
			return &dgml.Error{Kind: dgml.Invalid, File: file, Line: lineAt(data, d.InputOffset()), Msg: fmt.Sprintf("more than %d values: a manifest is a few hundred", MaxNodes)}
		}
	}
	return nil
}

func jsonError(file string, data []byte, off int64, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	return &dgml.Error{Kind: dgml.Invalid, File: file, Line: lineAt(data, off), Msg: "not valid JSON: " + firstLine(err.Error())}
}

func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

func decodeJSON(file string, data []byte, warn func(Warning)) (map[string]any, error) {
	if err := checkJSON(file, data); err != nil {
		return nil, err
	}
	var v any
	d := json.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(&v); err != nil {
		return nil, jsonError(file, data, d.InputOffset(), err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, &dgml.Error{Kind: dgml.Invalid, File: file, Line: lineAt(data, d.InputOffset()), Msg: "more than one JSON value: a manifest is one object"}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &dgml.Error{Kind: dgml.Invalid, File: file, Line: 1, Msg: "a JSON manifest must be one object of OKH fields"}
	}
	var ix *lineIndex // built only if a key is given twice
	line := func(key string) int {
		if ix == nil {
			ix = indexJSON(data)
		}
		return ix.key[key]
	}
	return dashed(m, "", file, line, warn).(map[string]any), nil
}

// dashed renames keys from snake_case to the dashed names OKH-LOSH uses
// (manufacturing_processes → manufacturing-processes), all the way down.
func dashed(v any, path, file string, line func(key string) int, warn func(Warning)) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			nk := strings.ReplaceAll(k, "_", "-")
			if _, dup := out[nk]; dup {
				warn(Warning{File: file, Line: line(nk), Field: path + nk, Msg: "given both with dashes and with underscores; one value is kept"})
			}
			out[nk] = dashed(e, path+nk+".", file, line, warn)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = dashed(e, path, file, line, warn)
		}
		return x
	}
	return v
}

// components reads Open Hardware Manager's components: items bought, not
// made (with part number and product page).
func (r *reader) components(m map[string]any) []design.Part {
	v, field := r.get(m, "", "components")
	list, ok := v.([]any)
	if v != nil && !ok {
		r.warn(field, "components must be a list of tables with a name; left out")
	}
	var out []design.Part
	for i, e := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		t, ok := e.(map[string]any)
		if !ok {
			r.warn(f, "a component must be a table with a name; left out")
			continue
		}
		p := design.Part{Name: r.text(t["name"], f+".name"), Kind: design.KindBought, Quantity: 1}
		if p.Name == "" {
			r.warn(f, "a component without a name; left out")
			continue
		}
		if q, ok := number(t["quantity"]); ok && q > 0 {
			p.Quantity = q
		} else if t["quantity"] != nil {
			r.warn(f+".quantity", "must be a positive number; 1 assumed")
		}
		p.PartNumber = r.text(t["part-number"], f+".part-number")
		p.Supplier = r.text(t["product-url"], f+".product-url")
		out = append(out, p)
	}
	return out
}

// materials reads Open Hardware Manager's design-wide materials list.
// dgml keeps materials on parts: a single material is given to the parts
// that name none; several are only reported.
func (r *reader) materials(m map[string]any, parts []design.Part) {
	v, field := r.get(m, "", "materials")
	list, _ := v.([]any)
	var names []string
	for i, e := range list {
		switch t := e.(type) {
		case string:
			names = append(names, strings.TrimSpace(t))
		case map[string]any:
			n := r.text(t["material-id"], fmt.Sprintf("%s[%d].material-id", field, i))
			if n == "" {
				n = r.text(t["name"], fmt.Sprintf("%s[%d].name", field, i))
			}
			if n != "" {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		return
	}
	given := 0
	if len(names) == 1 {
		for i := range parts {
			if parts[i].Kind == design.KindPart && parts[i].Material == "" {
				parts[i].Material = names[0]
				given++
			}
		}
	}
	if given > 0 {
		r.warn(field, "the design's one material, %s, was given to its %d part(s) that name none", names[0], given)
		return
	}
	r.warn(field, "dgml keeps materials on parts; the design-wide list (%s) was not kept", strings.Join(names, ", "))
}

// lineIndex is where each field path of a JSON manifest starts
// ("components[1].quantity", keys with dashes), and where each key is
// first set, from one walk of its tokens: warnings look lines up here,
// so a manifest with thousands of them is not read again for each.
type lineIndex struct {
	path, key map[string]int
}

func indexJSON(data []byte) *lineIndex {
	ix := &lineIndex{path: map[string]int{}, key: map[string]int{}}
	type level struct {
		base    string // the container's own path
		array   bool
		index   int
		member  string // in an object, the member being read
		wantKey bool   // in an object, a key is due
	}
	var stack []level
	top := func() *level { return &stack[len(stack)-1] }
	done := func() { // a value was read: on to the next slot
		if len(stack) == 0 {
			return
		}
		if l := top(); l.array {
			l.index++
		} else {
			l.wantKey = true
		}
	}
	note := func(m map[string]int, k string, line int) {
		if _, ok := m[k]; !ok {
			m[k] = line
		}
	}
	d := json.NewDecoder(bytes.NewReader(data))
	for {
		t, err := d.Token()
		if err != nil {
			return ix
		}
		line := 0
		at := func() int {
			if line == 0 {
				line = lineAt(data, d.InputOffset())
			}
			return line
		}
		if len(stack) > 0 && top().wantKey {
			if t == json.Delim('}') {
				stack = stack[:len(stack)-1]
				done()
				continue
			}
			k, _ := t.(string)
			k = strings.ReplaceAll(k, "_", "-")
			l := top()
			l.wantKey = false
			l.member = k
			if l.base != "" {
				l.member = l.base + "." + k
			}
			note(ix.path, l.member, at())
			note(ix.key, k, at())
			continue
		}
		path := ""
		if len(stack) > 0 {
			if l := top(); l.array {
				path = fmt.Sprintf("%s[%d]", l.base, l.index)
			} else {
				path = l.member
			}
		}
		if t == json.Delim(']') {
			stack = stack[:len(stack)-1]
			done()
			continue
		}
		if path != "" && top().array {
			note(ix.path, path, at())
		}
		switch t {
		case json.Delim('{'):
			stack = append(stack, level{base: path, wantKey: true})
		case json.Delim('['):
			stack = append(stack, level{base: path, array: true})
		default:
			done()
		}
	}
}

// line is a field's line: its own path, else where its last key is
// first set; 0 when neither is in the manifest.
func (ix *lineIndex) line(field string) int {
	if n, ok := ix.path[field]; ok {
		return n
	}
	key := field
	if i := strings.LastIndexAny(key, ".]"); i >= 0 {
		key = key[i+1:]
	}
	return ix.key[key]
}
