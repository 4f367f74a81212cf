package assess

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/license"
)

// Criterion is one point of the documentation check with what shows it
// met or what is missing.
type Criterion struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Met      bool     `json:"met"`
	Evidence string   `json:"evidence"`
	Missing  []string `json:"missing,omitempty"` // parts or fields that fail it
}

// exportFormats are the files a process's machines are fed, by process:
// a part made this way needs one of them beside its editable source.
var exportFormats = map[design.Process][]string{
	design.ProcessFDM:            {".stl", ".3mf", ".obj", ".gcode", ".amf"},
	design.ProcessSLA:            {".stl", ".3mf", ".obj"},
	design.ProcessSLS:            {".stl", ".3mf", ".obj"},
	design.ProcessLaserCutting:   {".dxf", ".svg", ".pdf"},
	design.ProcessVinylCutting:   {".dxf", ".svg", ".pdf"},
	design.ProcessPlasmaCutting:  {".dxf", ".svg"},
	design.ProcessWaterjet:       {".dxf", ".svg"},
	design.ProcessCNCMilling:     {".step", ".stp", ".stl", ".dxf", ".nc", ".gcode", ".iges", ".igs"},
	design.ProcessCNCTurning:     {".step", ".stp", ".dxf", ".nc"},
	design.ProcessPCBFabrication: {".zip", ".gbr", ".ger", ".drl"},
}

// Check is the automatic documentation check, in the spirit of DIN SPEC
// 3105-1 (open source hardware: requirements for technical documentation):
// an open licence, the editable source of every made part, the files
// machines need, a complete bill of materials, assembly instructions and
// declared readiness levels.
func Check(c *design.Content) []Criterion {
	return []Criterion{
		checkLicense(&c.Manifest),
		checkParts(c, "sources", "Editable source files for every made part", func(p *design.Part) bool { return len(p.Sources) > 0 }),
		checkExports(c),
		checkBOM(c),
		checkSteps(c),
		checkReadiness(&c.Manifest),
	}
}

func checkLicense(m *design.Manifest) Criterion {
	cr := Criterion{ID: "license", Title: "An open licence for the hardware"}
	if m.License == "" {
		cr.Evidence = "no SPDX licence expression"
		if m.LicenseText != "" {
			cr.Evidence += fmt.Sprintf(" (the manifest says %q, which is not one)", m.LicenseText)
		}
		cr.Missing = []string{"license"}
		return cr
	}
	var closed []string
	for _, id := range license.IDs(m.License) {
		if info, ok := license.Lookup(id); !ok || !info.Open {
			closed = append(closed, id)
		}
	}
	if len(closed) > 0 {
		cr.Evidence = fmt.Sprintf("%s: %s is not an open licence (OSI, OSHWA or FSF approved)", m.License, strings.Join(closed, ", "))
		cr.Missing = closed
		return cr
	}
	cr.Met, cr.Evidence = true, m.License+" is an open licence"
	return cr
}

// madeParts lists the made parts with their paths.
func madeParts(c *design.Content, fn func(name string, p *design.Part)) {
	design.Walk(c.Parts, func(p []string, part *design.Part) {
		if part.Kind == design.KindPart || part.Kind == "" {
			fn(strings.Join(p, " / "), part)
		}
	})
}

func checkParts(c *design.Content, id, title string, ok func(*design.Part) bool) Criterion {
	cr := Criterion{ID: id, Title: title}
	n := 0
	madeParts(c, func(name string, p *design.Part) {
		n++
		if !ok(p) {
			cr.Missing = append(cr.Missing, name)
		}
	})
	return tally(cr, n, "made parts")
}

func tally(cr Criterion, n int, what string) Criterion {
	switch {
	case n == 0:
		cr.Evidence = "no " + what + " listed"
	case len(cr.Missing) == 0:
		cr.Met, cr.Evidence = true, fmt.Sprintf("all %d %s", n, what)
	default:
		cr.Evidence = fmt.Sprintf("%d of %d %s lack it", len(cr.Missing), n, what)
	}
	return cr
}

func checkExports(c *design.Content) Criterion {
	cr := Criterion{ID: "exports", Title: "Files for the machines, for every part a machine makes"}
	n := 0
	madeParts(c, func(name string, p *design.Part) {
		formats, ok := exportFormats[p.Process]
		if !ok {
			return
		}
		n++
		for _, f := range append(append([]design.FileRef(nil), p.Exports...), p.Sources...) {
			ext := strings.ToLower(path.Ext(f.Path))
			for _, want := range formats {
				if ext == want {
					return
				}
			}
		}
		cr.Missing = append(cr.Missing, fmt.Sprintf("%s (%s wants %s)", name, p.Process, strings.Join(formats, ", ")))
	})
	if n == 0 {
		cr.Met, cr.Evidence = true, "no part is made by a machine that needs a file"
		return cr
	}
	return tally(cr, n, "machine-made parts")
}

func checkBOM(c *design.Content) Criterion {
	cr := Criterion{ID: "bom", Title: "A complete bill of materials with quantities"}
	n := 0
	design.Walk(c.Parts, func(p []string, part *design.Part) {
		n++
		name := strings.Join(p, " / ")
		switch {
		case part.Quantity <= 0:
			cr.Missing = append(cr.Missing, name+": no quantity")
		case part.Kind == design.KindBought && part.PartNumber == "" && part.Supplier == "":
			cr.Missing = append(cr.Missing, name+": bought, but from whom or what part number is not said")
		case part.Kind == design.KindPart && part.Material == "":
			cr.Missing = append(cr.Missing, name+": no material")
		}
	})
	return tally(cr, n, "lines of the bill of materials")
}

func checkSteps(c *design.Content) Criterion {
	cr := Criterion{ID: "steps", Title: "Assembly instructions"}
	var empty []string
	for i, s := range c.Steps {
		if strings.TrimSpace(s.Text) == "" {
			empty = append(empty, fmt.Sprintf("step %d has no text", i+1))
		}
	}
	switch {
	case len(c.Steps) == 0:
		cr.Evidence, cr.Missing = "no build steps", []string{"steps"}
	case len(empty) > 0:
		cr.Evidence, cr.Missing = fmt.Sprintf("%d steps, %d of them empty", len(c.Steps), len(empty)), empty
	default:
		cr.Met, cr.Evidence = true, fmt.Sprintf("%d build steps", len(c.Steps))
	}
	return cr
}

func checkReadiness(m *design.Manifest) Criterion {
	cr := Criterion{ID: "readiness", Title: "Readiness levels declared (OTRL and ODRL)"}
	if m.OTRL == 0 {
		cr.Missing = append(cr.Missing, "otrl")
	}
	if m.ODRL == 0 {
		cr.Missing = append(cr.Missing, "odrl")
	}
	if len(cr.Missing) > 0 {
		cr.Evidence = "not declared: " + strings.Join(cr.Missing, ", ")
		return cr
	}
	cr.Met, cr.Evidence = true, fmt.Sprintf("OTRL %d, ODRL %d declared by the authors", m.OTRL, m.ODRL)
	return cr
}

// Maturity is what the commons can honestly say of a revision: the
// check's criteria, the attestations of it and the readiness votes, each
// with its evidence.
type Maturity struct {
	Revision     string        `json:"revision"`
	Criteria     []Criterion   `json:"criteria"`
	Met          int           `json:"criteria_met"`
	Attestations []Attestation `json:"attestations"`
	// Independent counts reviewers, not among the revision's authors or
	// maintainers, whose attestation holds.
	Independent int `json:"independent_reviewers"`
	// Attested needs at least MinReviewers independent reviewers.
	Attested  bool             `json:"attested"`
	Readiness map[string]Level `json:"readiness"`
	// Older says how many attestations were made of earlier revisions:
	// they do not count for this one.
	Older int `json:"older_attestations"`
	// Policy says whose reviews and votes count on this node.
	Policy string `json:"standing_policy"`
}

// Level is the readiness on one scale: what the authors declare and what
// voters say.
type Level struct {
	Declared int    `json:"declared"`
	Votes    []Vote `json:"votes"`
	Median   int    `json:"median,omitempty"` // of the votes, when there are any
}

// MinReviewers is how many independent reviewers make an attestation.
const MinReviewers = 2

// Assess brings the check, attestations and votes of a revision together.
// insiders are the people who may not attest their own work; standing
// says, by reviewer and voter, whose word counts (anyone missing from it
// does not count).
func Assess(rev *design.Revision, insiders []string, atts []Attestation, votes []Vote, standing map[string]Standing, policy StandingPolicy) Maturity {
	m := Maturity{Revision: rev.ID, Criteria: Check(&rev.Content), Attestations: []Attestation{}, Readiness: map[string]Level{}, Policy: policy.Text()}
	judge := func(who string) *Standing {
		st, ok := standing[who]
		if !ok {
			st = Standing{false, "no standing on this node"}
		}
		return &st
	}
	for _, c := range m.Criteria {
		if c.Met {
			m.Met++
		}
	}
	in := map[string]bool{}
	for _, who := range insiders {
		in[who] = true
	}
	seen := map[string]bool{}
	for _, a := range atts {
		if a.Revision != rev.ID {
			m.Older++
			continue
		}
		a.Standing = judge(a.Reviewer)
		m.Attestations = append(m.Attestations, a)
		if a.Holds && !a.Insider && !in[a.Reviewer] && !seen[a.Reviewer] && a.Standing.Counts {
			seen[a.Reviewer] = true
			m.Independent++
		}
	}
	m.Attested = m.Independent >= MinReviewers
	declared := map[string]int{"otrl": rev.Manifest.OTRL, "odrl": rev.Manifest.ODRL}
	for scale := range Scales {
		l := Level{Declared: declared[scale], Votes: []Vote{}}
		var levels []float64
		for _, v := range votes {
			if v.Scale == scale && v.Revision == rev.ID {
				v.Standing = judge(v.Voter)
				l.Votes = append(l.Votes, v)
				if v.Standing.Counts {
					levels = append(levels, float64(v.Level))
				}
			}
		}
		sort.Float64s(levels)
		if len(levels) > 0 {
			// The lower middle: readiness is not rounded up.
			l.Median = int(levels[(len(levels)-1)/2])
		}
		m.Readiness[scale] = l
	}
	return m
}
