// Package assess holds what the community says of a design: replication
// reports ("makes"), attestations by reviewers and readiness votes, and
// the figures and maturity drawn from them together with an automatic
// documentation check. It knows no database and no HTTP.
package assess

import (
	"context"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
)

// Report is a replication report: someone built the design, or one of its
// parts, and says how it went.
type Report struct {
	ID       string `json:"id"`
	DesignID string `json:"design_id"`
	Revision string `json:"revision"`
	// Part is the part's path in the tree ("Frame / Corner"), empty when
	// the report is about the whole design.
	Part      string         `json:"part,omitempty"`
	Process   design.Process `json:"process,omitempty"`
	Author    string         `json:"author"`
	Place     string         `json:"place"` // town and country
	Facility  string         `json:"facility,omitempty"`
	Machines  []string       `json:"machines,omitempty"`
	Materials []string       `json:"materials,omitempty"`
	Quantity  float64        `json:"quantity"`             // units made
	Hours     float64        `json:"hours,omitempty"`      // time spent on them all
	CostEUR   float64        `json:"cost_eur,omitempty"`   // money spent on them all
	MaterialG float64        `json:"material_g,omitempty"` // material used for them all
	Photos    []string       `json:"photos,omitempty"`     // sha256 of stored images
	Success   bool           `json:"success"`
	Notes     string         `json:"notes,omitempty"`
	Created   time.Time      `json:"created"`
}

// Check refuses a report that could not be counted.
func (r *Report) Check() error {
	bad := func(field, msg string) error { return &dgml.Error{Kind: dgml.Invalid, Field: field, Msg: msg} }
	r.Place = strings.TrimSpace(r.Place)
	switch {
	case r.Place == "":
		return bad("place", "say where it was built (town and country)")
	case r.Quantity < 0 || math.IsNaN(r.Quantity) || r.Quantity > 1e6:
		return bad("quantity", "a number of units made, 1 to a million")
	case r.Hours < 0 || math.IsNaN(r.Hours) || math.IsInf(r.Hours, 0) || r.Hours > 100000:
		return bad("hours", "hours spent, 0 or more")
	case r.CostEUR < 0 || math.IsNaN(r.CostEUR) || math.IsInf(r.CostEUR, 0) || r.CostEUR > 1e9:
		return bad("cost_eur", "money spent in euros, 0 or more")
	case r.MaterialG < 0 || math.IsNaN(r.MaterialG) || r.MaterialG > 1e9:
		return bad("material_g", "grams of material, 0 up to a thousand tonnes")
	case len(r.Notes) > 20000:
		return bad("notes", "at most 20000 characters")
	case len(r.Machines) > 50 || len(r.Materials) > 50 || len(r.Photos) > 50:
		return bad("machines", "at most 50 machines, materials and photos each")
	}
	if r.Quantity == 0 {
		r.Quantity = 1
	}
	if r.Quantity < 1 {
		return bad("quantity", "a number of units made, 1 or more")
	}
	if r.Process != "" {
		if !r.Process.Valid() {
			return bad("process", "not a known process: see /api/v1/processes")
		}
	}
	return nil
}

// Attestation is a reviewer's statement that a revision's documentation
// is enough to build it, bound to that revision.
type Attestation struct {
	DesignID string `json:"design_id"`
	Revision string `json:"revision"`
	Reviewer string `json:"reviewer"`
	Holds    bool   `json:"holds"` // false: the reviewer found it wanting
	// Insider is set when the reviewer maintains the design or wrote one
	// of its revisions: such an attestation is shown but not counted.
	Insider bool      `json:"insider,omitempty"`
	Note    string    `json:"note"`
	Created time.Time `json:"created"`
	// Standing says whether the reviewer's word counts on this node now
	// (judged when read, never stored).
	Standing *Standing `json:"standing,omitempty"`
}

// Vote is someone's judgement of a revision's readiness level, with why.
type Vote struct {
	DesignID string    `json:"design_id"`
	Revision string    `json:"revision"`
	Scale    string    `json:"scale"` // otrl or odrl
	Level    int       `json:"level"`
	Reason   string    `json:"reason"`
	Voter    string    `json:"voter"`
	Created  time.Time `json:"created"`
	Standing *Standing `json:"standing,omitempty"` // as for attestations
}

// Scales are the readiness scales and their top levels: OTRL 1..8 and
// ODRL 1..5, after the OPEN!/OSHWA readiness levels that OKH uses.
var Scales = map[string]int{"otrl": 8, "odrl": 5}

// Store keeps what the community says of designs.
type Store interface {
	AddReport(ctx context.Context, r *Report) error
	Reports(ctx context.Context, designID string) ([]Report, error)
	// PutAttestation stores or replaces a reviewer's attestation of a revision.
	PutAttestation(ctx context.Context, a Attestation) error
	Attestations(ctx context.Context, designID string) ([]Attestation, error)
	// PutVote stores or replaces a voter's vote on a scale for a revision.
	PutVote(ctx context.Context, v Vote) error
	Votes(ctx context.Context, designID string) ([]Vote, error)
}

// Figures sum up the reports of a design.
type Figures struct {
	Reports     int      `json:"reports"`
	TimesBuilt  int      `json:"times_built"` // successful reports of the whole design
	Failures    int      `json:"failures"`
	SuccessRate float64  `json:"success_rate"` // of whole-design reports, 0..1
	Places      []string `json:"places"`
	// Medians per unit over successful whole-design reports that say.
	MedianCostEUR float64 `json:"median_cost_eur,omitempty"`
	MedianHours   float64 `json:"median_hours,omitempty"`
	PartReports   int     `json:"part_reports"`
}

// Summarise draws a design's figures from its reports.
func Summarise(rs []Report) Figures {
	f := Figures{Reports: len(rs), Places: []string{}}
	places := map[string]bool{}
	var costs, hours []float64
	for _, r := range rs {
		if !places[strings.ToLower(r.Place)] {
			places[strings.ToLower(r.Place)] = true
			f.Places = append(f.Places, r.Place)
		}
		if r.Part != "" {
			f.PartReports++
			continue
		}
		if !r.Success {
			f.Failures++
			continue
		}
		f.TimesBuilt++
		if r.CostEUR > 0 {
			costs = append(costs, r.CostEUR/r.Quantity)
		}
		if r.Hours > 0 {
			hours = append(hours, r.Hours/r.Quantity)
		}
	}
	if n := f.TimesBuilt + f.Failures; n > 0 {
		f.SuccessRate = float64(f.TimesBuilt) / float64(n)
	}
	f.MedianCostEUR, f.MedianHours = Median(costs), Median(hours)
	sort.Strings(f.Places)
	return f
}

// Measured is what successful reports say a part takes to make by one
// process, per unit.
type Measured struct {
	Reports   int     `json:"reports"`
	Hours     float64 `json:"hours"`      // median; 0 when none said
	MaterialG float64 `json:"material_g"` // median; 0 when none said
	CostEUR   float64 `json:"cost_eur"`   // median; 0 when none said
}

// PartKey names a part made by a process.
func PartKey(part string, p design.Process) string { return part + "\x00" + string(p) }

// ByPart gathers successful part reports by part and process.
func ByPart(rs []Report) map[string]Measured {
	type acc struct {
		n       int
		h, g, c []float64
	}
	accs := map[string]*acc{}
	for _, r := range rs {
		if r.Part == "" || !r.Success || r.Process == "" {
			continue
		}
		k := PartKey(r.Part, r.Process)
		a := accs[k]
		if a == nil {
			a = &acc{}
			accs[k] = a
		}
		a.n++
		add := func(list *[]float64, v float64) {
			if v > 0 {
				*list = append(*list, v/r.Quantity)
			}
		}
		add(&a.h, r.Hours)
		add(&a.g, r.MaterialG)
		add(&a.c, r.CostEUR)
	}
	out := map[string]Measured{}
	for k, a := range accs {
		out[k] = Measured{Reports: a.n, Hours: Median(a.h), MaterialG: Median(a.g), CostEUR: Median(a.c)}
	}
	return out
}

// Median of the values; 0 for none.
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return s[len(s)/2-1]/2 + s[len(s)/2]/2 // halved first: no overflow
}
