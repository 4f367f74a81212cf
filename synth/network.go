package synth

import (
	"fmt"
	"math"

	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
)

// machineKinds are what fab labs and workshops have, with envelopes and
// materials, for synthetic networks.
var machineKinds = []struct {
	process   design.Process
	make      string
	envelope  design.Dimensions
	materials []string
	rate      float64
}{
	{design.ProcessFDM, "Prusa MK4", design.Dimensions{X: 250, Y: 210, Z: 220}, []string{"pla", "petg", "tpu"}, 3},
	{design.ProcessFDM, "Creality Ender 3", design.Dimensions{X: 220, Y: 220, Z: 250}, []string{"pla", "petg"}, 2},
	{design.ProcessFDM, "Large-format FDM", design.Dimensions{X: 500, Y: 500, Z: 500}, []string{"pla", "petg", "abs"}, 6},
	{design.ProcessSLA, "Formlabs Form 3", design.Dimensions{X: 145, Y: 145, Z: 185}, []string{"resin"}, 5},
	{design.ProcessLaserCutting, "60 W CO2 laser", design.Dimensions{X: 600, Y: 400, Z: 10}, []string{"wood", "acrylic", "felt", "cardboard"}, 30},
	{design.ProcessCNCMilling, "CNC router", design.Dimensions{X: 1200, Y: 600, Z: 100}, []string{"wood", "aluminium", "hdpe", "acrylic"}, 40},
	{design.ProcessVinylCutting, "Vinyl cutter", design.Dimensions{X: 600, Y: 1000, Z: 1}, []string{"vinyl"}, 10},
	{design.ProcessPCBAssembly, "Electronics bench", design.Dimensions{}, nil, 25},
	{design.ProcessWelding, "MIG welder", design.Dimensions{X: 3000, Y: 2000, Z: 2000}, []string{"steel"}, 35},
	{design.ProcessWoodworking, "Wood workshop", design.Dimensions{X: 2500, Y: 1250, Z: 600}, []string{"wood"}, 30},
	{design.ProcessAssembly, "Assembly bench", design.Dimensions{}, nil, 25},
}

// Network makes n facilities with about machinesPer machines each,
// clustered around cities spread over the inhabited latitudes, the same
// for the same seed.
func (g *Generator) Network(n int, machinesPer float64) []facility.Facility {
	centres := make([]geo.Point, 200)
	for i := range centres {
		centres[i] = geo.Point{Lat: math.Asin(g.r.Float64()*1.6-0.8) * 180 / math.Pi, Lon: g.r.Float64()*360 - 180}
	}
	out := make([]facility.Facility, n)
	for i := range out {
		c := centres[g.zipf(len(centres))]
		f := facility.Facility{
			ID:       fmt.Sprintf("00000000-0000-7000-8000-%012d", i),
			Name:     fmt.Sprintf("Workshop %d", i),
			Location: geo.Point{Lat: clamp(c.Lat+g.r.NormFloat64()*0.3, -89, 89), Lon: wrap(c.Lon + g.r.NormFloat64()*0.4)},
			Access:   facility.AccessCommercial,
		}
		k := 1 + int(g.r.ExpFloat64()*(machinesPer-1))
		for m := 0; m < k; m++ {
			kind := machineKinds[g.zipf(len(machineKinds))]
			f.Machines = append(f.Machines, facility.Machine{
				ID: fmt.Sprintf("%d-%d", i, m), Process: kind.process, Make: kind.make, Envelope: kind.envelope,
				Materials: kind.materials, HourlyRate: kind.rate * (0.7 + 0.6*g.r.Float64()), SetupFee: float64(g.r.IntN(10)),
				CapacityHours: float64(5 + g.r.IntN(40)),
			})
		}
		out[i] = f
	}
	return out
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

func wrap(lon float64) float64 {
	for lon > 180 {
		lon -= 360
	}
	for lon < -180 {
		lon += 360
	}
	return lon
}
