package okh

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/goccy/go-yaml"

	"github.com/dgml/dgml"
)

// Format is a manifest's file format.
type Format int

// Manifest formats.
const (
	TOML Format = iota + 1 // OKH-LOSH okh.toml
	YAML                   // OKH v1 okh.yml and LOSH YAML samples
	JSON                   // Open Hardware Manager's OKH JSON
)

// FormatOf tells the format from a file name, false when the name is not
// one of a manifest.
func FormatOf(name string) (Format, bool) {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".toml"):
		return TOML, true
	case strings.HasSuffix(n, ".yml"), strings.HasSuffix(n, ".yaml"):
		return YAML, true
	case strings.HasSuffix(n, ".json"):
		return JSON, true
	}
	return 0, false
}

// decode reads a manifest into a generic map. Duplicate keys, which real
// files have, are repaired with a warning instead of failing the import.
func decode(file string, data []byte, f Format, warn func(Warning)) (map[string]any, error) {
	if len(bytes.TrimSpace(stripComments(data, f))) == 0 {
		return nil, &dgml.Error{Kind: dgml.Invalid, File: file, Msg: "the manifest is empty (nothing but comments): fill in at least a name, then import again"}
	}
	var m map[string]any
	switch f {
	case JSON:
		return decodeJSON(file, data, warn)
	case TOML:
		if err := checkTOML(file, data); err != nil {
			return nil, err
		}
		err := toml.Unmarshal(data, &m)
		if err != nil && isDuplicateKey(err) {
			fixed, notes := mergeDuplicateTOMLKeys(data)
			if len(notes) > 0 {
				for _, n := range notes {
					warn(Warning{File: file, Line: n.line, Field: n.key, Msg: n.msg})
				}
				m = nil
				err = toml.Unmarshal(fixed, &m)
			}
		}
		if err != nil {
			return nil, tomlError(file, err)
		}
	case YAML:
		if err := checkYAML(file, data); err != nil {
			return nil, err
		}
		err := yaml.UnmarshalWithOptions(data, &m)
		if err != nil && strings.Contains(err.Error(), "already defined") {
			warn(Warning{File: file, Line: yamlLine(err), Field: yamlKey(err), Msg: "key given more than once; the last value is kept"})
			m = nil
			err = yaml.UnmarshalWithOptions(data, &m, yaml.AllowDuplicateMapKey())
		}
		if err != nil {
			return nil, &dgml.Error{Kind: dgml.Invalid, File: file, Line: yamlLine(err), Msg: "not valid YAML: " + firstLine(err.Error())}
		}
	}
	if m == nil {
		return nil, &dgml.Error{Kind: dgml.Invalid, File: file, Msg: "the manifest holds no keys: it must be a table of OKH fields"}
	}
	return plain(m).(map[string]any), nil
}

func stripComments(data []byte, f Format) []byte {
	var out bytes.Buffer
	for _, line := range bytes.Split(data, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) == 0 || t[0] == '#' || (f == YAML && (string(t) == "---" || string(t) == "...")) {
			continue
		}
		out.Write(t)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

func isDuplicateKey(err error) bool {
	var pe toml.ParseError
	return errors.As(err, &pe) && strings.Contains(pe.Message, "already been defined")
}

func tomlError(file string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &dgml.Error{Kind: dgml.Invalid, File: file, Line: pe.Position.Line, Field: pe.LastKey, Msg: "not valid TOML: " + pe.Message}
	}
	return &dgml.Error{Kind: dgml.Invalid, File: file, Msg: "not valid TOML", Err: err}
}

var yamlLineRe = regexp.MustCompile(`^\[(\d+):(\d+)\]`)

func yamlLine(err error) int {
	m := yamlLineRe.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n
}

func yamlKey(err error) string {
	s := err.Error()
	if i := strings.Index(s, `"`); i >= 0 {
		if j := strings.Index(s[i+1:], `"`); j >= 0 {
			return s[i+1 : i+1+j]
		}
	}
	return ""
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

type note struct {
	line int
	key  string
	msg  string
}

var tomlKeyLine = regexp.MustCompile(`^\s*([A-Za-z0-9_-]+)\s*=\s*(.*)$`)

// mergeDuplicateTOMLKeys rewrites a key given several times in one table
// as one key holding a list of all its values, keeping line numbers as they
// were. Values that span lines are not merged; later ones are dropped.
func mergeDuplicateTOMLKeys(data []byte) ([]byte, []note) {
	lines := strings.Split(string(data), "\n")
	type seen struct{ lines []int }
	scope := 0
	keys := map[string]*seen{}
	var order []string
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") {
			scope++
			continue
		}
		m := tomlKeyLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		k := fmt.Sprintf("%d\x00%s", scope, m[1])
		if keys[k] == nil {
			keys[k] = &seen{}
			order = append(order, k)
		}
		keys[k].lines = append(keys[k].lines, i)
	}
	var notes []note
	for _, k := range order {
		s := keys[k]
		if len(s.lines) < 2 {
			continue
		}
		name := k[strings.IndexByte(k, 0)+1:]
		var vals []string
		for _, li := range s.lines {
			if v, ok := tomlValue(tomlKeyLine.FindStringSubmatch(lines[li])[2]); ok {
				vals = append(vals, v...)
			}
		}
		for _, li := range s.lines[1:] {
			lines[li] = "# " + lines[li]
		}
		msg := fmt.Sprintf("key given %d times; the values were merged into a list", len(s.lines))
		if len(vals) > 0 {
			lines[s.lines[0]] = name + " = [" + strings.Join(vals, ", ") + "]"
		} else {
			msg = fmt.Sprintf("key given %d times; the first value is kept", len(s.lines))
		}
		notes = append(notes, note{line: s.lines[1] + 1, key: name, msg: msg})
	}
	return []byte(strings.Join(lines, "\n")), notes
}

// tomlValue re-encodes one single-line TOML value (comments stripped) as
// literals fit to go in a list.
func tomlValue(raw string) ([]string, bool) {
	var m map[string]any
	if _, err := toml.Decode("v = "+raw, &m); err != nil {
		return nil, false
	}
	items := []any{m["v"]}
	if list, ok := m["v"].([]any); ok {
		items = list
	}
	var out []string
	for _, it := range items {
		var b bytes.Buffer
		if err := toml.NewEncoder(&b).Encode(map[string]any{"v": it}); err != nil {
			return nil, false
		}
		out = append(out, strings.TrimSpace(strings.TrimPrefix(b.String(), "v = ")))
	}
	return out, true
}

var keyLineRe = map[Format]string{TOML: `^\s*%s\s*=`, YAML: `^\s*%s\s*:`, JSON: `"%s"\s*:`}

// lineOf finds the first line where key is set, to point errors and
// warnings at it; 0 when it cannot be found.
func lineOf(data []byte, f Format, key string) int {
	if key == "" {
		return 0
	}
	q := regexp.QuoteMeta(key)
	if f == JSON {
		q = strings.ReplaceAll(q, "-", "[-_]") // the reader sees dashes for the file's underscores
	}
	re, err := regexp.Compile(fmt.Sprintf(keyLineRe[f], q))
	if err != nil {
		return 0
	}
	for i, l := range bytes.Split(data, []byte("\n")) {
		if re.Match(l) {
			return i + 1
		}
	}
	return 0
}

var partIndex = regexp.MustCompile(`^part\[(\d+)\]`)

// fieldLine finds the line of a field path such as "part[3].mass.value":
// in TOML the search for the last key starts at the part's own [[part]]
// header, so that it finds that part's key and not the first one.
func fieldLine(data []byte, f Format, field string) int {
	key := field
	if i := strings.LastIndexAny(key, ".]"); i >= 0 {
		key = key[i+1:]
	}
	m := partIndex.FindStringSubmatch(field)
	if m == nil || f != TOML {
		return lineOf(data, f, key)
	}
	n, _ := strconv.Atoi(m[1])
	lines := bytes.Split(data, []byte("\n"))
	header := regexp.MustCompile(`^\s*\[\[part\]\]`)
	start := -1
	for i, l := range lines {
		if header.Match(l) {
			if n == 0 {
				start = i
				break
			}
			n--
		}
	}
	if start < 0 {
		return lineOf(data, f, key)
	}
	if key == "" || strings.HasSuffix(field, "]") {
		return start + 1
	}
	if l := lineOf(bytes.Join(lines[start:], []byte("\n")), f, key); l > 0 {
		return start + l
	}
	return start + 1
}

// rawValue is the literal text of a scalar as written, so that a version
// written as 1.10 is not read as the number 1.1.
func rawValue(data []byte, f Format, key string) string {
	n := lineOf(data, f, key)
	if n == 0 {
		return ""
	}
	line := string(bytes.Split(data, []byte("\n"))[n-1])
	sep := "="
	if f == YAML {
		sep = ":"
	}
	v := strings.TrimSpace(line[strings.Index(line, sep)+1:])
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return strings.Trim(v, `"'`)
}

// plain turns the decoders' typed containers ([]map[string]any for TOML
// arrays of tables, map[string]interface{} variants) into []any and
// map[string]any all the way down, so the reader handles one shape.
func plain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = plain(e)
		}
		return x
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = plain(e)
		}
		return x
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = plain(e)
		}
		return out
	case uint64:
		return int64(x)
	}
	return v
}
