// Package okh reads and writes Open Know-How manifests: OKH-LOSH
// (okh.toml) and OKH v1 (okh.yml), as published, quirks included.
package okh

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/license"
)

// Warning is something the importer had to repair or leave out.
type Warning struct {
	File  string `json:"file"`
	Line  int    `json:"line,omitempty"`
	Field string `json:"field,omitempty"`
	Msg   string `json:"message"`
}

func (w Warning) String() string {
	s := w.File
	if w.Line > 0 {
		s += fmt.Sprintf(":%d", w.Line)
	}
	if w.Field != "" {
		s += ": " + w.Field
	}
	return s + ": " + w.Msg
}

// Manifest is a parsed manifest: the revision content it describes, the
// BOM file it names (read by the folder importer) and what was repaired.
type Manifest struct {
	Content  design.Content
	BOM      string // path or URL of the simplified BOM, when given
	Warnings []Warning
}

// Parse reads one manifest. file names it in errors and warnings. A
// manifest is bounded in size (MaxManifestBytes), nesting (MaxDepth) and
// expanded values (MaxNodes) before anything is built from it, so that
// its parse is quick whatever it holds; ctx is looked at before it
// starts.
func Parse(ctx context.Context, file string, data []byte) (*Manifest, error) {
	f, ok := FormatOf(file)
	if !ok {
		return nil, &dgml.Error{Kind: dgml.Unsupported, File: file, Msg: "not a manifest file name: use okh.toml, okh.yml, or a .yaml/.yml/.toml/.json file"}
	}
	return ParseFormat(ctx, file, data, f)
}

// ParseFormat is Parse with the format given.
func ParseFormat(ctx context.Context, file string, data []byte, f Format) (*Manifest, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(data) > MaxManifestBytes {
		return nil, &dgml.Error{Kind: dgml.TooLarge, File: file, Msg: fmt.Sprintf("larger than %d KiB: a manifest is text of a few kilobytes; keep drawings and data in files it refers to", MaxManifestBytes>>10)}
	}
	r := &reader{file: file, data: data, format: f}
	m, err := decode(file, data, f, func(w Warning) { r.warnings = append(r.warnings, w) })
	if err != nil {
		return nil, err
	}
	return r.manifest(m)
}

type reader struct {
	file     string
	data     []byte
	format   Format
	warnings []Warning
	used     map[string]bool
	lines    *lineIndex // JSON only, built when first needed
}

func (r *reader) warn(field, format string, args ...any) {
	r.warnings = append(r.warnings, Warning{File: r.file, Line: r.line(field), Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (r *reader) fail(field, format string, args ...any) error {
	return &dgml.Error{Kind: dgml.Invalid, Op: "okh.Parse", File: r.file, Line: r.line(field), Field: field, Msg: fmt.Sprintf(format, args...)}
}

// line is where a field is set. A JSON manifest's lines are indexed
// once, on the first warning, not searched for each.
func (r *reader) line(field string) int {
	if r.format != JSON {
		return fieldLine(r.data, r.format, field)
	}
	if r.lines == nil {
		r.lines = indexJSON(r.data)
	}
	return r.lines.line(field)
}

func lastKey(field string) string {
	if i := strings.LastIndexAny(field, ".]"); i >= 0 {
		return field[i+1:]
	}
	return field
}

// get returns the first of the keys that is set, with the key found. An
// alias is accepted with a warning naming the standard key.
func (r *reader) get(m map[string]any, prefix string, keys ...string) (any, string) {
	for i, k := range keys {
		for mk, v := range m {
			if !strings.EqualFold(mk, k) {
				continue
			}
			r.used[prefix+mk] = true
			if isEmpty(v) {
				continue
			}
			if i > 0 && !quietAlias[k] {
				r.warn(prefix+mk, "read as %q (an older or alias key name)", keys[0])
			}
			return v, prefix + mk
		}
	}
	return nil, prefix + keys[0]
}

// quietAlias are the other spellings that are as standard as the first
// (OKH v1 names versus LOSH names): no warning for them.
var quietAlias = map[string]bool{
	"title": true, "description": true, "organization": true, "organisation": true,
	"cpc-patent-class": true, "open-technology-readiness-level": false, "parts": true,
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// placeholders are what unfilled templates hold instead of real values.
var placeholders = regexp.MustCompile(`(?i)^(xxx+|fixme.*|.*\bfixme\b.*|your-awesome.*|\[value\]|the-spdx-id|tbd|todo|name|\.\.\.)$`)

func (r *reader) manifest(m map[string]any) (*Manifest, error) {
	r.used = map[string]bool{}
	m = r.unwrap(m)
	var c design.Content
	mf := &c.Manifest
	name, field := r.get(m, "", "name", "title")
	if s, ok := name.(string); ok && placeholders.MatchString(strings.TrimSpace(s)) {
		return nil, r.fail(field, "%q is a template placeholder: this is an unfilled template, not a design; fill in the real name and values first", strings.TrimSpace(s))
	}
	mf.Name = r.text(name, field)
	if mf.Name == "" {
		return nil, r.fail("name", "the manifest has no name: every design needs one")
	}
	r.readManifestText(m, mf)
	r.readLicense(m, mf)
	mf.Licensors = r.people(r.get(m, "", "licensor"))
	mf.Organisations = r.people(r.get(m, "", "organization", "organisation", "owner"))
	mf.Contributors = r.people(r.get(m, "", "contributors"))
	mf.Languages = r.languages(r.get(m, "", "documentation-language", "language"))
	mf.OTRL = r.level(m, "OTRL", 8, "technology-readiness-level", "open-technology-readiness-level")
	mf.ODRL = r.level(m, "ODRL", 5, "documentation-readiness-level", "open-documentation-readiness-level")
	mf.Keywords = r.list(r.get(m, "", "keywords", "tags"))
	mf.Images = refs(r.list(r.imagePaths(r.get(m, "", "image"))))
	mf.Links = r.links(m)
	if v, f := r.get(m, "", "outer-dimensions", "outer-dimension"); v != nil {
		mf.Dimensions = r.dimensions(v, f)
	}
	if v, f := r.get(m, "", "mass"); v != nil {
		mf.MassG = r.mass(v, f)
	}
	mf.Processes = r.processes(r.get(m, "", "tsdc", "tsdc-id"))
	// Open Hardware Manager lists the design's processes by name.
	for _, p := range r.processNames(r.get(m, "", "manufacturing-processes")) {
		if !slices.Contains(mf.Processes, p) {
			mf.Processes = append(mf.Processes, p)
		}
	}
	mf.Standards = r.list(r.get(m, "", "standard-compliance", "standard"))
	mf.CPC = r.text(r.get(m, "", "cpc-patent-class", "patent-class"))
	bom, bomField := r.get(m, "", "bom", "simplified-bom", "sbom")
	out := &Manifest{BOM: r.text(bom, bomField)}
	parts, err := r.parts(m, "")
	if err != nil {
		return nil, err
	}
	r.materials(m, parts)
	c.Parts = append(parts, r.components(m)...)
	steps, err := r.steps(m)
	if err != nil {
		return nil, err
	}
	c.Steps = steps
	r.ignored(m)
	out.Content = c
	if err := c.Validate(); err != nil {
		if e, ok := err.(*dgml.Error); ok {
			e.File = r.file
		}
		return nil, err
	}
	out.Warnings = r.warnings
	return out, nil
}

// unwrap reads a manifest whose keys all sit under one table header (as
// in "[MOSH]") as if they were at the top.
func (r *reader) unwrap(m map[string]any) map[string]any {
	for k := range m {
		if strings.EqualFold(k, "name") || strings.EqualFold(k, "title") {
			return m
		}
	}
	for k, v := range m {
		if t, ok := v.(map[string]any); ok {
			if _, named := t["name"]; named {
				r.warn(k, "every key sits under the table [%s]; read as if at the top level", k)
				return t
			}
		}
	}
	return m
}

func (r *reader) readManifestText(m map[string]any, mf *design.Manifest) {
	fn, field := r.get(m, "", "function", "description")
	mf.Function = strings.TrimSpace(r.text(fn, field))
	if mf.Function == "" {
		mf.Function = strings.TrimSpace(r.text(r.get(m, "", "intended-use")))
	}
	v, field := r.get(m, "", "version")
	switch x := v.(type) {
	case nil:
	case string:
		mf.Version = strings.TrimSpace(x)
	default:
		mf.Version = rawValue(r.data, r.format, lastKey(field))
		if mf.Version == "" {
			mf.Version = r.text(v, field)
		}
		r.warn(field, "a number where text is expected; read as %q", mf.Version)
	}
}

func (r *reader) readLicense(m map[string]any, mf *design.Manifest) {
	v, field := r.get(m, "", "license", "spdx-license")
	hw := v
	if t, ok := v.(map[string]any); ok {
		// OKH v1 names one license per kind of work.
		hw = t["hardware"]
		mf.DocLicense = r.licenseExpr(t["documentation"], field+".documentation", nil)
		mf.SoftLicense = r.licenseExpr(t["software"], field+".software", nil)
		if hw == nil {
			hw = t["documentation"]
		}
		field += ".hardware"
	}
	mf.License = r.licenseExpr(hw, field, &mf.LicenseText)
	if v, f := r.get(m, "", "documentation-license"); v != nil {
		mf.DocLicense = r.licenseExpr(v, f, nil)
	}
	if v, f := r.get(m, "", "software-license"); v != nil {
		mf.SoftLicense = r.licenseExpr(v, f, nil)
	}
	if mf.License == "" && mf.LicenseText == "" {
		r.warn("license", "no license given: others cannot legally reuse this design until its licensor adds one")
	}
}

// licenseExpr normalises a license text to SPDX. When it cannot, the text
// goes to keep (when given) and the expression is empty.
func (r *reader) licenseExpr(v any, field string, keep *string) string {
	if list, ok := v.([]any); ok && len(list) > 0 {
		var parts []string
		for _, x := range list {
			parts = append(parts, r.text(x, field))
		}
		v = strings.Join(parts, " AND ")
		r.warn(field, "a list of licenses; read as all of them applying (AND)")
	}
	t := strings.TrimSpace(r.text(v, field))
	if t == "" || placeholders.MatchString(t) {
		return ""
	}
	res := license.Normalize(t)
	if res.Expression == "" {
		if keep != nil {
			*keep = t
			r.warn(field, "%q is not an SPDX license identifier and does not name one version unambiguously; kept as written", t)
			return ""
		}
		r.warn(field, "%q is not an SPDX license identifier; left out", t)
		return ""
	}
	if res.Changed {
		r.warn(field, "%s", res.Note)
	}
	return res.Expression
}

// text reads a scalar as a string; numbers and booleans are converted
// with a warning, lists are joined.
func (r *reader) text(v any, field string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		s := strings.TrimSpace(x)
		if placeholders.MatchString(s) && s != "" {
			r.warn(field, "%q is a template placeholder; left out", s)
			return ""
		}
		return s
	case int64, uint64, int, float64, bool:
		return strings.TrimSpace(fmt.Sprint(x))
	case []any:
		var parts []string
		for _, e := range x {
			if s := r.text(e, field); s != "" {
				parts = append(parts, s)
			}
		}
		if len(parts) > 1 {
			r.warn(field, "a list where one value is expected; the first is used")
		}
		if len(parts) == 0 {
			return ""
		}
		return parts[0]
	case map[string]any:
		for _, k := range []string{"name", "path", "url", "value"} {
			if s, ok := x[k]; ok {
				return r.text(s, field+"."+k)
			}
		}
	}
	r.warn(field, "could not read a value of this shape; left out")
	return ""
}

// list reads a value that may be one item or a list of them.
func (r *reader) list(v any, field string) []string {
	var out []string
	switch x := v.(type) {
	case nil:
	case []any:
		for i, e := range x {
			if s := r.text(e, fmt.Sprintf("%s[%d]", field, i)); s != "" {
				out = append(out, s)
			}
		}
	case string:
		if strings.Contains(x, ",") && !strings.Contains(x, "://") {
			for _, s := range strings.Split(x, ",") {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
			return out
		}
		if s := r.text(x, field); s != "" {
			out = append(out, s)
		}
	default:
		if s := r.text(x, field); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// people reads names given as text, a list, a table with a name, or a
// list of such tables.
func (r *reader) people(v any, field string) []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			add(r.text(e, fmt.Sprintf("%s[%d]", field, i)))
		}
	case nil:
	default:
		add(r.text(x, field))
	}
	return out
}

func (r *reader) imagePaths(v any, field string) (any, string) {
	if t, ok := v.(map[string]any); ok {
		return t["path"], field + ".path"
	}
	if list, ok := v.([]any); ok {
		var out []any
		for _, e := range list {
			if t, ok := e.(map[string]any); ok {
				out = append(out, t["path"])
			} else {
				out = append(out, e)
			}
		}
		return out, field
	}
	return v, field
}

func refs(paths []string) []design.FileRef {
	var out []design.FileRef
	for _, p := range paths {
		out = append(out, design.FileRef{Path: p})
	}
	return out
}

var languageNames = map[string]string{
	"english": "en", "german": "de", "deutsch": "de", "french": "fr", "spanish": "es", "espanol": "es",
	"italian": "it", "portuguese": "pt", "dutch": "nl", "japanese": "ja", "chinese": "zh", "swahili": "sw",
	"greek": "el", "hindi": "hi", "kannada": "kn", "arabic": "ar", "russian": "ru", "polish": "pl",
}

var countryNotLanguage = map[string]string{"jp": "ja", "cn": "zh", "gr": "el", "dk": "da", "se": "sv", "cz": "cs", "ua": "uk"}

func (r *reader) languages(v any, field string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range r.list(v, field) {
		tag, changed := languageTag(s)
		if tag == "" {
			r.warn(field, "%q is not a language tag; left out", s)
			continue
		}
		if changed {
			r.warn(field, "language %q read as %q", s, tag)
		}
		if !seen[tag] {
			seen[tag] = true
			out = append(out, tag)
		}
	}
	return out
}

var tagRe = regexp.MustCompile(`^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}|\d{3}))?$`)

// languageTag turns "English-UK", "EN", "de_DE" into BCP 47 tags.
func languageTag(s string) (string, bool) {
	s = strings.TrimSpace(s)
	lang, region := s, ""
	if i := strings.IndexAny(s, "-_ "); i >= 0 {
		lang, region = s[:i], s[i+1:]
	}
	if code, ok := languageNames[strings.ToLower(lang)]; ok {
		lang = code
	}
	if !tagRe.MatchString(lang) {
		return "", false
	}
	if region != "" && !tagRe.MatchString("xx-"+region) {
		region = "" // "DE-Western-Europe": keep the language, drop what is no region code
	}
	lang = strings.ToLower(lang)
	if c, ok := countryNotLanguage[lang]; ok {
		lang = c
	}
	region = strings.ToUpper(region)
	if region == "UK" {
		region = "GB"
	}
	tag := lang
	if region != "" {
		tag += "-" + region
	}
	return tag, tag != s
}

var levelRe = regexp.MustCompile(`(?i)^\s*(O?[TD]R?L?R?L?)?[\s-]*(\d+)\s*(\*?)\s*$`)

// level reads OTRL-5 style readiness levels, with the misspellings real
// files hold (OTLR-5, ODLR-5) and the starred levels (ODRL-3*), which
// mean "working towards": the starred number is kept as stated.
func (r *reader) level(m map[string]any, want string, max int, keys ...string) int {
	v, field := r.get(m, "", keys...)
	if v == nil {
		return 0
	}
	s := r.text(v, field)
	mm := levelRe.FindStringSubmatch(s)
	if mm == nil {
		r.warn(field, "%q is not a readiness level like %s-3; left out", s, want)
		return 0
	}
	n, _ := strconv.Atoi(mm[2])
	if n < 1 || n > max {
		r.warn(field, "level %d is outside %s-1..%s-%d; left out", n, want, want, max)
		return 0
	}
	prefix := strings.ToUpper(mm[1])
	if prefix != "" && prefix != want {
		r.warn(field, "%q read as %s-%d", s, want, n)
	} else if mm[3] != "" {
		r.warn(field, "%q: the star was dropped, read as %s-%d", s, want, n)
	}
	return n
}

// linkKeys maps OKH keys that hold references to the link relation dgml
// stores them under.
var linkKeys = []struct{ key, rel string }{
	{"repo", "repo"}, {"release", "release"}, {"readme", "readme"},
	{"contribution-guide", "contribution-guide"}, {"user-manual", "user-manual"},
	{"manufacturing-instructions", "manufacturing-instructions"},
	{"manufacturing-instruction", "manufacturing-instructions"},
	{"making-instructions", "manufacturing-instructions"},
	{"operation-instructions", "user-manual"}, {"operating-instructions", "user-manual"},
	{"maintenance-instructions", "maintenance-instructions"},
	{"documentation-home", "documentation"}, {"project-link", "homepage"},
	{"archive-download", "archive"}, {"design-files", "design-files"},
	{"manufacturing-files", "manufacturing-files"}, {"attestation", "attestation"},
	{"publication", "publication"}, {"health-safety-notice", "health-safety-notice"},
	{"derivative-of", "derivative-of"}, {"tool-list", "tool-list"},
	{"source+", "source"}, {"export+", "export"}, {"source-3d", "source"}, {"source-2d", "source"},
	{"export-3d", "export"}, {"export-2d", "export"},
}

func (r *reader) links(m map[string]any) []design.Link {
	var out []design.Link
	for _, lk := range linkKeys {
		v, field := r.get(m, "", lk.key)
		out = append(out, r.linkValues(v, field, lk.rel)...)
	}
	if v, field := r.get(m, "", "link"); v != nil {
		list, _ := v.([]any)
		for i, e := range list {
			t, _ := e.(map[string]any)
			f := fmt.Sprintf("%s[%d]", field, i)
			l := design.Link{Rel: r.text(t["rel"], f+".rel"), Title: r.text(t["title"], f+".title")}
			l.Path = r.text(t["path"], f+".path")
			if l.Rel != "" && l.Path != "" {
				out = append(out, l)
			}
		}
	}
	SortLinks(out)
	return out
}

// SortLinks orders links canonically, so that their order in a file does
// not change a revision's id.
func SortLinks(ls []design.Link) {
	sort.SliceStable(ls, func(i, j int) bool {
		if ls[i].Rel != ls[j].Rel {
			return ls[i].Rel < ls[j].Rel
		}
		if ls[i].Path != ls[j].Path {
			return ls[i].Path < ls[j].Path
		}
		return ls[i].Title < ls[j].Title
	})
}

var titledURL = regexp.MustCompile(`^(.*?)\s+((?:https?|ftp)://\S+)$`)

func (r *reader) linkValues(v any, field, rel string) []design.Link {
	var out []design.Link
	switch x := v.(type) {
	case nil:
	case []any:
		for i, e := range x {
			out = append(out, r.linkValues(e, fmt.Sprintf("%s[%d]", field, i), rel)...)
		}
	case map[string]any:
		l := design.Link{Rel: rel, Title: r.text(x["title"], field+".title")}
		l.Path = r.text(x["path"], field+".path")
		if l.Path == "" {
			l.Path = r.text(x["url"], field+".url")
		}
		if l.Path != "" {
			out = append(out, l)
		}
	default:
		s := r.text(x, field)
		// "Assembly Instructions https://..." as OKH-LOSH YAML samples write it.
		for _, line := range strings.Fields(s) {
			if strings.Contains(line, "://") {
				out = append(out, design.Link{Rel: rel, FileRef: design.FileRef{Path: line}})
			}
		}
		if len(out) > 0 {
			if m := titledURL.FindStringSubmatch(s); m != nil && len(out) == 1 {
				out[0].Title = strings.TrimSpace(m[1])
			}
			return out
		}
		if s != "" {
			out = append(out, design.Link{Rel: rel, FileRef: design.FileRef{Path: s}})
		}
	}
	return out
}

func (r *reader) processes(v any, field string) []design.Process {
	var out []design.Process
	seen := map[design.Process]bool{}
	for _, s := range r.list(v, field) {
		for _, w := range strings.Fields(s) {
			p, ok := tsdcProcess(w)
			if !ok {
				r.warn(field, "%q is not a known technology (TsDC) or process; left out", w)
				continue
			}
			if p != design.ProcessUnknown && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// processNames reads processes listed by name ("Laser Cutting"), each
// entry whole, as Open Hardware Manager lists them.
func (r *reader) processNames(v any, field string) []design.Process {
	var out []design.Process
	for _, s := range r.list(v, field) {
		p, ok := tsdcProcess(s)
		if !ok {
			r.warn(field, "%q is not a process dgml knows; left out", s)
			continue
		}
		if p != design.ProcessUnknown && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func tsdcProcess(s string) (design.Process, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "TsDC-"), "tsdc-")
	if p, ok := design.ParseProcess(s); ok {
		return p, true
	}
	// COM-MAN (component manufacturing) and STD (standard component):
	// real TsDC ids that name no process.
	if u := strings.ToUpper(s); strings.HasPrefix(u, "COM") || u == "STD" {
		return design.ProcessUnknown, true
	}
	return design.ProcessUnknown, false
}

var (
	scadCube     = regexp.MustCompile(`(?i)cube\s*\(\s*(?:size\s*=\s*)?\[?\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)`)
	scadCylinder = regexp.MustCompile(`(?i)cylinder\s*\(`)
	scadArg      = regexp.MustCompile(`(?i)\b(h|r|d|r1|r2|d1|d2)\s*=\s*([\d.]+)`)
)

// dimensions reads outer dimensions from an OpenSCAD expression (cube or
// cylinder, brackets missing or not), a width/depth/height table (with its
// real-world misspellings), or a list of one such table.
func (r *reader) dimensions(v any, field string) *design.Dimensions {
	switch x := v.(type) {
	case []any:
		if len(x) > 1 {
			r.warn(field, "%d sets of outer dimensions; the first is used", len(x))
		} else {
			r.warn(field, "a list of tables where one table is expected; read as that table")
		}
		return r.dimensions(x[0], field)
	case string:
		return r.scad(x, field, 1)
	case map[string]any:
		scale := unitScale(r.text(x["unit"], field+".unit"))
		if s, ok := x["openSCAD"].(string); ok {
			return r.scad(s, field+".openSCAD", scale)
		}
		if s, ok := x["openscad"].(string); ok {
			return r.scad(s, field+".openscad", scale)
		}
		get := func(keys ...string) float64 {
			for _, k := range keys {
				if val, ok := x[k]; ok {
					f, ok := number(val)
					if !ok {
						r.warn(field+"."+k, "not a number; left out")
						return 0
					}
					if _, isStr := val.(string); isStr {
						r.warn(field+"."+k, "a number written as text; read as %v", f)
					}
					if k == "widht" {
						r.warn(field+".widht", "misspelled key read as width")
					}
					return f * scale
				}
			}
			return 0
		}
		d := &design.Dimensions{X: get("width", "widht", "x"), Y: get("depth", "length", "y"), Z: get("height", "z")}
		if d.X == 0 && d.Y == 0 && d.Z == 0 {
			return nil
		}
		return d
	}
	r.warn(field, "outer dimensions of this shape are not understood; left out")
	return nil
}

func (r *reader) scad(s, field string, scale float64) *design.Dimensions {
	if m := scadCube.FindStringSubmatch(s); m != nil {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		z, _ := strconv.ParseFloat(m[3], 64)
		r.checkBrackets(s, field)
		return &design.Dimensions{X: x * scale, Y: y * scale, Z: z * scale}
	}
	if scadCylinder.MatchString(s) {
		args := map[string]float64{}
		for _, m := range scadArg.FindAllStringSubmatch(s, -1) {
			args[strings.ToLower(m[1])], _ = strconv.ParseFloat(m[2], 64)
		}
		diam := math.Max(math.Max(args["d"], 2*args["r"]), math.Max(math.Max(args["d1"], args["d2"]), 2*math.Max(args["r1"], args["r2"])))
		if args["h"] > 0 && diam > 0 {
			r.checkBrackets(s, field)
			return &design.Dimensions{X: diam * scale, Y: diam * scale, Z: args["h"] * scale}
		}
	}
	r.warn(field, "%q is not an OpenSCAD cube or cylinder; outer dimensions left out", s)
	return nil
}

func (r *reader) checkBrackets(s, field string) {
	if strings.Count(s, "[") != strings.Count(s, "]") || strings.Count(s, "(") != strings.Count(s, ")") {
		r.warn(field, "OpenSCAD expression %q has an unclosed bracket; read anyway", s)
	}
}

func unitScale(u string) float64 {
	switch strings.ToLower(strings.TrimSpace(u)) {
	case "cm":
		return 10
	case "m":
		return 1000
	case "in", "inch":
		return 25.4
	}
	return 1
}

// mass reads a mass in grams from a number (taken as grams), a
// value/unit table, or a list of one such table.
func (r *reader) mass(v any, field string) float64 {
	switch x := v.(type) {
	case []any:
		r.warn(field, "a list of tables where one table is expected; read as the first")
		return r.mass(x[0], field)
	case map[string]any:
		f, ok := number(x["value"])
		if !ok {
			r.warn(field+".value", "not a number; mass left out")
			return 0
		}
		switch strings.ToLower(r.text(x["unit"], field+".unit")) {
		case "kg":
			return f * 1000
		case "mg":
			return f / 1000
		case "t":
			return f * 1e6
		case "lb":
			return f * 453.59237
		}
		return f
	default:
		f, ok := number(x)
		if !ok {
			r.warn(field, "not a number; mass left out")
			return 0
		}
		return f
	}
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case int:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

// knownKeys are read somewhere else or deliberately not kept (metadata
// about the manifest itself); anything else is reported as ignored.
var knownKeys = map[string]bool{
	"okhv": true, "okh-manifest-version": true, "manifest-author": true, "manifest-language": true,
	"date-created": true, "date-updated": true, "contact": true, "part": true, "step": true,
	"made": true, "made-independently": true, "development-stage": true, "project-stage": true,
	"status": true, "software": true, "link": true, "function-category": true, "certificate": true,
	"language": true, "intended-use": true,
}

func (r *reader) ignored(m map[string]any) {
	var keys []string
	for k := range m {
		if !r.used[k] && !knownKeys[strings.ToLower(k)] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return
	}
	sort.Strings(keys)
	r.warnings = append(r.warnings, Warning{File: r.file, Msg: "keys that dgml does not keep were ignored: " + strings.Join(keys, ", ")})
}
