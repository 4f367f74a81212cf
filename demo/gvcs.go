package demo

import (
	"fmt"
	"strings"

	"github.com/dgml/dgml/design"
)

// machine is one of the 50 machines of the Global Village Construction
// Set, as Open Source Ecology lists them by category. prototyped marks the
// machines OSE reports working prototypes of.
type machine struct {
	name, category, function string
	prototyped               bool
}

// gvcsMachines is the public list of the GVCS (opensourceecology.org).
var gvcsMachines = []machine{
	{"CEB Press", "Habitat", "compressed earth brick press for building with soil", true},
	{"Cement Mixer", "Habitat", "mixer for concrete and mortar", true},
	{"Sawmill", "Habitat", "mill that cuts logs into lumber", false},
	{"Bulldozer", "Habitat", "earth-moving bulldozer", false},
	{"Backhoe", "Habitat", "excavator arm for digging", true},
	{"LifeTrac", "Agriculture", "open source tractor, hydraulic and modular, driven by Power Cubes", true},
	{"Seeder", "Agriculture", "planter for seeding fields", false},
	{"Hay Rake", "Agriculture", "rake that gathers cut hay into rows", false},
	{"Well-Drilling Rig", "Agriculture", "rig for drilling water wells", true},
	{"MicroTrac", "Agriculture", "small walk-behind tractor", true},
	{"Soil Pulverizer", "Agriculture", "rototiller that prepares soil and earth for bricks", true},
	{"Spader", "Agriculture", "spading machine for turning soil", false},
	{"Hay Cutter", "Agriculture", "mower for cutting hay", false},
	{"Trencher", "Agriculture", "trench digger for pipes and cables", false},
	{"Bakery Oven", "Agriculture", "wood-fired oven for baking bread", false},
	{"Dairy Milker", "Agriculture", "milking machine", false},
	{"Microcombine", "Agriculture", "small combine harvester for grain", false},
	{"Baler", "Agriculture", "press that bales hay and straw", false},
	{"Multimachine", "Industry", "multi-purpose machine tool: lathe, mill and drill", false},
	{"Ironworker", "Industry", "machine that punches, shears and bends steel", true},
	{"Laser Cutter", "Industry", "laser cutter for sheet materials", false},
	{"Welder", "Industry", "welding machine", false},
	{"Plasma Cutter", "Industry", "plasma cutter for steel plate", false},
	{"Induction Furnace", "Industry", "furnace that melts metal by induction", false},
	{"CNC Torch Table", "Industry", "computer-controlled torch table for cutting steel", true},
	{"Metal Roller", "Industry", "roller that bends metal sheet and bar", false},
	{"Rod and Wire Mill", "Industry", "mill that draws metal rod and wire", false},
	{"Press Forge", "Industry", "hydraulic forging press", false},
	{"Universal Rotor", "Industry", "rotating tool holder driven by hydraulics", true},
	{"Drill Press", "Industry", "drill press for metal work", true},
	{"3D Printer", "Industry", "fused filament 3D printer", true},
	{"3D Scanner", "Industry", "scanner that captures objects as 3D models", false},
	{"CNC Circuit Mill", "Industry", "mill that cuts printed circuit boards", false},
	{"Industrial Robot", "Industry", "robot arm for fabrication", false},
	{"Chipper Hammermill", "Industry", "chipper and hammermill for biomass", false},
	{"Power Cube", "Energy", "self-contained hydraulic power unit that drives the other machines", true},
	{"Gasifier Burner", "Energy", "burner that turns biomass into fuel gas", false},
	{"Solar Concentrator", "Energy", "concentrating solar heat collector", false},
	{"Electric Motor Generator", "Energy", "electric motor and generator", false},
	{"Hydraulic Motor", "Energy", "hydraulic motor for driving tools and wheels", true},
	{"Nickel-Iron Battery", "Energy", "long-lived nickel-iron battery", false},
	{"Steam Engine", "Energy", "steam engine for power from heat", false},
	{"Heat Exchanger", "Energy", "heat exchanger for steam and hot water", false},
	{"Wind Turbine", "Energy", "wind turbine for electricity", false},
	{"Pelletizer", "Energy", "press that makes fuel pellets from biomass", false},
	{"Universal Power Supply", "Energy", "power supply for welding and electronics", false},
	{"Aluminum Extractor", "Materials", "extractor of aluminium from clay", false},
	{"Bioplastic Extruder", "Materials", "extruder that makes plastic from plant matter", false},
	{"Car", "Transportation", "open source car", false},
	{"Truck", "Transportation", "open source truck", false},
}

// GVCS returns the 50 machines of the Global Village Construction Set as
// designs: prototyped machines at OTRL 5 (a working prototype), the rest
// at OTRL 1 (the idea is described).
func GVCS() []Design {
	out := make([]Design, 0, len(gvcsMachines))
	for _, m := range gvcsMachines {
		level, stage := 1, "concept"
		if m.prototyped {
			level, stage = 5, "working prototype"
		}
		c := design.Content{Manifest: design.Manifest{
			Name:          m.name + " (GVCS)",
			Function:      fmt.Sprintf("%s: %s. One of the 50 machines of Open Source Ecology's Global Village Construction Set (%s; %s).", m.name, m.function, strings.ToLower(m.category), stage),
			License:       "CC-BY-SA-4.0",
			Organisations: []string{"Open Source Ecology"},
			Languages:     []string{"en"},
			OTRL:          level,
			ODRL:          1,
			Keywords:      []string{"gvcs", "open source ecology", strings.ToLower(m.category)},
			Links:         []design.Link{{Rel: "homepage", FileRef: design.FileRef{Path: "https://www.opensourceecology.org/gvcs/"}}},
		}}
		if m.prototyped {
			c.Manifest.Keywords = append(c.Manifest.Keywords, "prototype")
		}
		out = append(out, Design{Content: c})
	}
	return out
}
