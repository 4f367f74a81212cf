// Package license turns the license names found in manifests into SPDX
// expressions, and knows which licenses count as open.
package license

import (
	"regexp"
	"strings"
)

// Info is what dgml knows of one license.
type Info struct {
	ID   string // SPDX id, or LicenseRef-... for licenses SPDX lacks
	Name string
	Open bool // an open-source / open-hardware license (OSI, OSHWA or FSF approved)
}

// Known lists the licenses that open hardware projects use, with the
// common software and content licenses found beside them. Ids and names
// are those of the SPDX License List (spdx.org/licenses, v3.25); the
// Peer Production License has no SPDX id, hence LicenseRef-PPL.
var Known = []Info{
	{"CERN-OHL-P-2.0", "CERN Open Hardware Licence Version 2 - Permissive", true},
	{"CERN-OHL-W-2.0", "CERN Open Hardware Licence Version 2 - Weakly Reciprocal", true},
	{"CERN-OHL-S-2.0", "CERN Open Hardware Licence Version 2 - Strongly Reciprocal", true},
	{"CERN-OHL-1.1", "CERN Open Hardware Licence v1.1", true},
	{"CERN-OHL-1.2", "CERN Open Hardware Licence v1.2", true},
	{"SHL-0.5", "Solderpad Hardware License v0.5", true},
	{"SHL-0.51", "Solderpad Hardware License, Version 0.51", true},
	{"TAPR-OHL-1.0", "TAPR Open Hardware License v1.0", true},
	{"CC0-1.0", "Creative Commons Zero v1.0 Universal", true},
	{"CC-BY-3.0", "Creative Commons Attribution 3.0 Unported", true},
	{"CC-BY-4.0", "Creative Commons Attribution 4.0 International", true},
	{"CC-BY-SA-3.0", "Creative Commons Attribution Share Alike 3.0 Unported", true},
	{"CC-BY-SA-4.0", "Creative Commons Attribution Share Alike 4.0 International", true},
	{"CC-BY-NC-4.0", "Creative Commons Attribution Non Commercial 4.0 International", false},
	{"CC-BY-NC-SA-3.0", "Creative Commons Attribution Non Commercial Share Alike 3.0 Unported", false},
	{"CC-BY-NC-SA-4.0", "Creative Commons Attribution Non Commercial Share Alike 4.0 International", false},
	{"CC-BY-ND-4.0", "Creative Commons Attribution No Derivatives 4.0 International", false},
	{"GPL-2.0-only", "GNU General Public License v2.0 only", true},
	{"GPL-2.0-or-later", "GNU General Public License v2.0 or later", true},
	{"GPL-3.0-only", "GNU General Public License v3.0 only", true},
	{"GPL-3.0-or-later", "GNU General Public License v3.0 or later", true},
	{"LGPL-2.1-or-later", "GNU Lesser General Public License v2.1 or later", true},
	{"LGPL-3.0-or-later", "GNU Lesser General Public License v3.0 or later", true},
	{"AGPL-3.0-or-later", "GNU Affero General Public License v3.0 or later", true},
	{"MIT", "MIT License", true},
	{"Apache-2.0", "Apache License 2.0", true},
	{"BSD-2-Clause", "BSD 2-Clause \"Simplified\" License", true},
	{"BSD-3-Clause", "BSD 3-Clause \"New\" or \"Revised\" License", true},
	{"MPL-2.0", "Mozilla Public License 2.0", true},
	{"Unlicense", "The Unlicense", true},
	{"LicenseRef-PPL", "Peer Production License", false},
}

// Lookup finds a known license by SPDX id, ignoring case.
func Lookup(id string) (Info, bool) {
	for _, k := range Known {
		if strings.EqualFold(k.ID, id) {
			return k, true
		}
	}
	return Info{}, false
}

// aliases maps names seen in real manifests to SPDX ids. Keys are folded:
// lower case, every run of non-alphanumerics removed.
var aliases = map[string]string{
	"cernohlv12": "CERN-OHL-1.2", "cernohl12": "CERN-OHL-1.2", "cernohlv11": "CERN-OHL-1.1",
	"cernohls2": "CERN-OHL-S-2.0", "cernohlw2": "CERN-OHL-W-2.0", "cernohlp2": "CERN-OHL-P-2.0",
	"cernohls20": "CERN-OHL-S-2.0", "cernohlw20": "CERN-OHL-W-2.0", "cernohlp20": "CERN-OHL-P-2.0",
	"ccbysa40": "CC-BY-SA-4.0", "bysa40": "CC-BY-SA-4.0", "ccbysa4": "CC-BY-SA-4.0",
	"creativecommonsattributionsharealike40international": "CC-BY-SA-4.0",
	"creativecommonsattributionsharealike40":              "CC-BY-SA-4.0",
	"ccby40":                                              "CC-BY-4.0", "by40": "CC-BY-4.0", "creativecommonsattribution40international": "CC-BY-4.0",
	"ccbyncsa40": "CC-BY-NC-SA-4.0", "cc0": "CC0-1.0", "cc010": "CC0-1.0", "publicdomain": "CC0-1.0",
	"gplv3": "GPL-3.0-only", "gpl3": "GPL-3.0-only", "gpl30": "GPL-3.0-only", "gplv3orlater": "GPL-3.0-or-later",
	"gpl30orlater": "GPL-3.0-or-later", "gpl30plus": "GPL-3.0-or-later",
	"gpl2": "GPL-2.0-only", "gpl20": "GPL-2.0-only", "gplv2": "GPL-2.0-only",
	"mitlicense": "MIT", "apache2": "Apache-2.0", "apachelicense20": "Apache-2.0",
	"tapr": "TAPR-OHL-1.0", "taprohl": "TAPR-OHL-1.0", "solderpad051": "SHL-0.51",
	"peerproductionlicense": "LicenseRef-PPL", "ppl": "LicenseRef-PPL",
}

var nonAlnum = regexp.MustCompile(`[^a-z0-9+]+`)

func foldName(s string) string {
	s = strings.ToLower(s)
	s = strings.ReplaceAll(s, "+", "plus")
	return nonAlnum.ReplaceAllString(s, "")
}

var idLike = regexp.MustCompile(`^[A-Za-z0-9.+-]+$`)

// Result is the outcome of normalising a license text.
type Result struct {
	Expression string // SPDX expression; empty when the text could not be mapped
	Changed    bool   // the text was not already a valid expression of known ids
	Note       string // why it was changed or why it could not be
}

// Normalize maps a license text to an SPDX expression when that is
// unambiguous. Expressions (AND, OR, WITH, parentheses) are normalised id
// by id; a text naming a license family without its version (such as
// "CERN OHL") is not guessed.
func Normalize(text string) Result {
	t := strings.TrimSpace(text)
	if t == "" {
		return Result{}
	}
	if one, ok := normalizeID(t); ok {
		return Result{Expression: one, Changed: one != t, Note: note(t, one)}
	}
	// An expression: split on operators and parentheses.
	tokens := strings.Fields(strings.NewReplacer("(", " ( ", ")", " ) ").Replace(t))
	var out []string
	changed := false
	for _, tok := range tokens {
		switch strings.ToUpper(tok) {
		case "AND", "OR", "WITH":
			out = append(out, strings.ToUpper(tok))
			changed = changed || tok != strings.ToUpper(tok)
			continue
		case "(", ")":
			out = append(out, tok)
			continue
		}
		id, ok := normalizeID(tok)
		if !ok {
			return Result{Note: "not an SPDX license identifier or expression; kept as written"}
		}
		changed = changed || id != tok
		out = append(out, id)
	}
	if len(out) < 3 {
		return Result{Note: "not an SPDX license identifier or expression; kept as written"}
	}
	expr := strings.ReplaceAll(strings.ReplaceAll(strings.Join(out, " "), "( ", "("), " )", ")")
	return Result{Expression: expr, Changed: changed, Note: note(t, expr)}
}

func note(from, to string) string {
	if from == to {
		return ""
	}
	return "license " + quote(from) + " read as SPDX " + quote(to)
}

func quote(s string) string { return "\"" + s + "\"" }

func normalizeID(s string) (string, bool) {
	if k, ok := Lookup(s); ok {
		return k.ID, true
	}
	if strings.HasPrefix(s, "LicenseRef-") && idLike.MatchString(s) {
		return s, true
	}
	f := foldName(s)
	for _, k := range []string{f, strings.TrimSuffix(f, "license")} {
		if id, ok := aliases[k]; ok {
			return id, true
		}
		if id, ok := idByFold[k]; ok {
			return id, true
		}
	}
	// Deprecated SPDX ids still common in the wild.
	switch s {
	case "GPL-3.0", "GPL-3.0+":
		if s == "GPL-3.0+" {
			return "GPL-3.0-or-later", true
		}
		return "GPL-3.0-only", true
	case "GPL-2.0":
		return "GPL-2.0-only", true
	}
	return "", false
}

// idByFold finds a known id written with other punctuation ("CC BY 4.0").
var idByFold = func() map[string]string {
	m := map[string]string{}
	for _, k := range Known {
		m[foldName(k.ID)] = k.ID
	}
	return m
}()

// IDs lists the license ids an expression names.
func IDs(expr string) []string {
	var ids []string
	for _, tok := range strings.Fields(strings.NewReplacer("(", " ", ")", " ").Replace(expr)) {
		switch strings.ToUpper(tok) {
		case "AND", "OR", "WITH":
			continue
		}
		ids = append(ids, tok)
	}
	return ids
}
