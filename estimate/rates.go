package estimate

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/dgml/dgml"
)

// Material is what the estimators need to know of a material. Every
// figure carries its source; a node overrides them with its own
// measurements through LoadRates.
type Material struct {
	Name    string  `json:"name"`
	Density float64 `json:"density_g_cm3"`
	Source  string  `json:"source"`
	// LaserSpeed is the cutting speed of a 60 W CO2 laser at 3 mm and 6 mm
	// thickness, mm/s; zero where the material is not laser-cut.
	LaserSpeed3 float64 `json:"laser_speed_3mm"`
	LaserSpeed6 float64 `json:"laser_speed_6mm"`
	LaserSource string  `json:"laser_source,omitempty"`
	// MRR is the roughing material removal rate of a fab-lab CNC router
	// with a 6 mm end mill, mm³/s; zero where not milled.
	MRR       float64 `json:"mrr_mm3_s"`
	MRRSource string  `json:"mrr_source,omitempty"`
}

const (
	laserChart = "typical 60 W CO2 laser cutting speeds from manufacturers' material setting tables (Trotec, Epilog), rounded down; a secondary summary, check on your machine"
	routerMRR  = "6 mm two-flute end mill on a hobby/fab-lab CNC router (chip-load tables of tool makers such as Onsrud, as summarised for ShopBot-class routers), conservative; a secondary summary"
)

// Materials is the one table of material figures the estimators use.
var Materials = []Material{
	{Name: "PLA", Density: 1.24, Source: "NatureWorks Ingeo 4043D technical data sheet (1.24 g/cm³); PrusaSlicer's PLA filament profiles use 1.24"},
	{Name: "PETG", Density: 1.27, Source: "Eastman Eastar copolyester 6763 data sheet (1.27 g/cm³)"},
	{Name: "ABS", Density: 1.04, Source: "typical ABS, PrusaSlicer's ABS filament profiles (1.04 g/cm³)"},
	{Name: "ASA", Density: 1.07, Source: "PrusaSlicer's ASA filament profiles (1.07 g/cm³)"},
	{Name: "TPU", Density: 1.21, Source: "PrusaSlicer's flexible filament profiles (1.21 g/cm³)"},
	{Name: "nylon", Density: 1.14, Source: "polyamide 6 typical density (1.14 g/cm³), material data sheets", MRR: 150, MRRSource: routerMRR},
	{Name: "plywood", Density: 0.60, Source: "birch/poplar plywood typical 0.55-0.68 g/cm³ (wood handbooks), mid value", LaserSpeed3: 15, LaserSpeed6: 6, LaserSource: laserChart, MRR: 400, MRRSource: routerMRR},
	{Name: "MDF", Density: 0.75, Source: "medium-density fibreboard 0.6-0.8 g/cm³ (EN 622-5 range), mid value", LaserSpeed3: 12, LaserSpeed6: 5, LaserSource: laserChart, MRR: 400, MRRSource: routerMRR},
	{Name: "acrylic", Density: 1.18, Source: "PMMA cast sheet data sheets (1.18-1.19 g/cm³)", LaserSpeed3: 10, LaserSpeed6: 4, LaserSource: laserChart, MRR: 120, MRRSource: routerMRR},
	{Name: "cardboard", Density: 0.25, Source: "corrugated board typical (0.2-0.3 g/cm³)", LaserSpeed3: 40, LaserSpeed6: 20, LaserSource: laserChart},
	{Name: "felt", Density: 0.30, Source: "wool felt typical (0.2-0.4 g/cm³)", LaserSpeed3: 30, LaserSpeed6: 15, LaserSource: laserChart},
	{Name: "HDPE", Density: 0.95, Source: "high-density polyethylene data sheets (0.94-0.97 g/cm³)", MRR: 200, MRRSource: routerMRR},
	{Name: "aluminium", Density: 2.70, Source: "aluminium 6061 (2.70 g/cm³), ASM handbook", MRR: 25, MRRSource: routerMRR},
	{Name: "steel", Density: 7.85, Source: "carbon steel (7.85 g/cm³), EN 10025", MRR: 5, MRRSource: "a router barely mills steel; figure for a benchtop mill with carbide, conservative (secondary)"},
	{Name: "softwood", Density: 0.50, Source: "pine/spruce at 12% moisture (0.45-0.55 g/cm³), wood handbooks", MRR: 500, MRRSource: routerMRR, LaserSpeed3: 18, LaserSpeed6: 7, LaserSource: laserChart},
}

// Machine rates that are not per material.
var (
	// LaserPierce is the time a CO2 laser dwells to pierce a sheet before
	// a cut, s (manufacturers' guidance: 0.1-0.5 s for 3-6 mm wood and
	// acrylic; mid value).
	LaserPierce = 0.3
	// LaserTravel is the head's rapid speed between cuts, mm/s (hobby and
	// fab-lab CO2 gantries: 300-500 mm/s; low end).
	LaserTravel = 300.0
	// FinishStepover and FinishFeed describe a CNC finishing pass with a
	// 3 mm ball-nose end mill: 0.3 mm stepover at 25 mm/s (conservative
	// router values, secondary).
	FinishStepover = 0.3
	FinishFeed     = 25.0
	// CNCSetup is fixing stock, zeroing and changing tools, s.
	CNCSetup = 600.0
)

// LookupMaterial finds a material by name, ignoring case and a few
// common spellings.
func LookupMaterial(name string) (Material, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	aliases := map[string]string{"aluminum": "aluminium", "pmma": "acrylic", "plexiglas": "acrylic", "pa": "nylon", "pa6": "nylon", "wood": "plywood", "pet": "petg"}
	if a, ok := aliases[n]; ok {
		n = a
	}
	for _, m := range Materials {
		if strings.ToLower(m.Name) == n {
			return m, true
		}
	}
	return Material{}, false
}

// MaterialNames lists the known materials.
func MaterialNames() []string {
	var out []string
	for _, m := range Materials {
		out = append(out, m.Name)
	}
	sort.Strings(out)
	return out
}

// LoadRates overrides table entries from a JSON list of materials (only
// the fields given change), so a node can use its own measured figures.
func LoadRates(name string, r io.Reader) error {
	var in []map[string]json.RawMessage
	if err := json.NewDecoder(r).Decode(&in); err != nil {
		return &dgml.Error{Kind: dgml.Invalid, File: name, Msg: "not a JSON list of materials", Err: err}
	}
	for i, entry := range in {
		var n string
		if err := json.Unmarshal(entry["name"], &n); err != nil || n == "" {
			return &dgml.Error{Kind: dgml.Invalid, File: name, Field: fmt.Sprintf("[%d].name", i), Msg: "each entry needs a name"}
		}
		idx := -1
		for j, m := range Materials {
			if strings.EqualFold(m.Name, n) {
				idx = j
			}
		}
		if idx < 0 {
			Materials = append(Materials, Material{Name: n})
			idx = len(Materials) - 1
		}
		b, _ := json.Marshal(entry)
		if err := json.Unmarshal(b, &Materials[idx]); err != nil {
			return &dgml.Error{Kind: dgml.Invalid, File: name, Field: fmt.Sprintf("[%d]", i), Msg: err.Error()}
		}
		if _, ok := entry["source"]; !ok && idx >= 0 {
			Materials[idx].Source += " (overridden by " + name + ")"
		}
	}
	return nil
}
