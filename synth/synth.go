// Package synth generates deterministic synthetic designs for benchmarks
// and load tests: the same seed gives the same commons on every machine.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/dgml/dgml/design"
)

var (
	things = []string{"bracket", "hinge", "gear", "frame", "clamp", "pump", "turbine", "loom", "press",
		"tractor", "printer", "microscope", "ventilator", "keyboard", "lamp", "stool", "shelf", "cart",
		"incubator", "centrifuge", "spectrometer", "drone", "boat", "bicycle", "oven", "kiln", "mill",
		"lathe", "router", "extruder", "shredder", "sieve", "filter", "valve", "battery", "charger",
		"inverter", "sensor", "logger", "antenna", "radio", "speaker", "prosthesis", "wheelchair",
		"crutch", "splint", "greenhouse", "beehive", "feeder", "seeder", "planter", "harvester"}
	qualities = []string{"modular", "portable", "low-cost", "solar", "manual", "compact", "heavy-duty",
		"foldable", "open", "rugged", "precise", "quiet", "small", "large", "adjustable", "stackable"}
	partNames = []string{"base plate", "side panel", "top cover", "axle", "bearing block", "spacer", "knob",
		"handle", "lid", "housing", "bracket", "gear", "pulley", "belt clamp", "rod holder", "hinge pin",
		"motor mount", "sensor holder", "cable clip", "foot", "leg", "arm", "wheel", "hub", "nozzle"}
	materials = []string{"PLA", "PETG", "ABS", "plywood", "MDF", "aluminium", "steel", "stainless steel",
		"acrylic", "TPU", "nylon", "oak", "bamboo", "copper", "brass", "HDPE"}
	processes = []design.Process{design.ProcessFDM, design.ProcessLaserCutting, design.ProcessCNCMilling,
		design.ProcessWelding, design.ProcessWoodworking, design.ProcessSLA, design.ProcessSheetMetal,
		design.ProcessPCBAssembly, design.ProcessCNCTurning, design.ProcessVinylCutting}
	licenses  = []string{"CERN-OHL-S-2.0", "CERN-OHL-W-2.0", "CERN-OHL-P-2.0", "CC-BY-SA-4.0", "CC-BY-4.0", "GPL-3.0-or-later", "CC0-1.0", "MIT"}
	languages = []string{"en", "en-GB", "de", "es", "fr", "pt-BR", "sw", "hi", "el"}
	verbs     = []string{"Cut", "Print", "Drill", "Sand", "Assemble", "Fasten", "Glue", "Solder", "Test", "Calibrate", "Mount", "Align"}
)

// Generator makes designs from a seed.
type Generator struct {
	r    *rand.Rand
	seed uint64
}

// New makes a generator; the same seed gives the same designs.
func New(seed uint64) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), seed: seed}
}

// zipf picks index i of n with probability falling off like 1/(i+1), as
// words do in real text: a few are common, most are rare.
func (g *Generator) zipf(n int) int {
	for {
		i := int(float64(n) * g.r.Float64() * g.r.Float64())
		if i < n {
			return i
		}
	}
}

func pick[T any](g *Generator, list []T) T { return list[g.zipf(len(list))] }

// Design makes the i-th synthetic design. It depends on the seed and i
// alone, not on the designs made before it, so that many goroutines may
// make a large set at once and still make the same set.
func (g *Generator) Design(i int) design.Content {
	g = &Generator{r: rand.New(rand.NewPCG(g.seed, uint64(i)*0x9e3779b97f4a7c15+1))}
	thing := pick(g, things)
	name := fmt.Sprintf("%s %s %s %d", strings.ToUpper(pick(g, qualities)[:1])+pick(g, qualities)[1:], pick(g, qualities), thing, i)
	c := design.Content{Manifest: design.Manifest{
		Name:      name,
		Function:  fmt.Sprintf("A %s %s for %s use, made from %s.", pick(g, qualities), thing, pick(g, []string{"home", "farm", "workshop", "school", "clinic", "lab", "village"}), strings.ToLower(pick(g, materials))),
		Version:   fmt.Sprintf("%d.%d", g.r.IntN(4), g.r.IntN(10)),
		License:   pick(g, licenses),
		Languages: []string{pick(g, languages)},
		OTRL:      1 + g.r.IntN(8),
		ODRL:      1 + g.r.IntN(5),
		Keywords:  []string{thing, pick(g, qualities), pick(g, things)},
	}}
	for p := 0; p < 3+g.r.IntN(20); p++ {
		part := design.Part{Name: pick(g, partNames), Kind: design.KindPart, Quantity: float64(1 + g.r.IntN(4)), Material: pick(g, materials), Process: pick(g, processes),
			Dimensions: &design.Dimensions{X: float64(5 + g.r.IntN(400)), Y: float64(5 + g.r.IntN(300)), Z: float64(1 + g.r.IntN(200))}}
		if g.r.IntN(4) == 0 {
			part = design.Part{Name: fmt.Sprintf("M%d screw", 3+g.r.IntN(6)), Kind: design.KindBought, Quantity: float64(4 + g.r.IntN(20)), PartNumber: "ISO 4762"}
		}
		c.Parts = append(c.Parts, part)
	}
	for s := 0; s < 2+g.r.IntN(6); s++ {
		c.Steps = append(c.Steps, design.Step{Title: pick(g, verbs) + " the " + pick(g, partNames),
			Text: fmt.Sprintf("%s the %s to the %s with %s.", pick(g, verbs), pick(g, partNames), pick(g, partNames), strings.ToLower(pick(g, materials)))})
	}
	return c
}

// Words are search terms in the generator's vocabulary, for benchmarks
// to query.
func Words() []string {
	return append(append(append([]string(nil), things...), qualities...), materials...)
}
