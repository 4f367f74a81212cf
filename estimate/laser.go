package estimate

import (
	"fmt"
	"math"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/geometry"
)

// LaserResult is what cutting an outline takes.
type LaserResult struct {
	Material   string  `json:"material"`
	Thickness  float64 `json:"thickness_mm"`
	CutMM      float64 `json:"cut_length_mm"`
	Pierces    int     `json:"pierces"`
	SheetW     float64 `json:"sheet_width_mm"`
	SheetH     float64 `json:"sheet_height_mm"`
	SheetArea  float64 `json:"sheet_area_mm2"` // bounding box plus a margin
	SpeedMMS   float64 `json:"speed_mm_s"`
	Seconds    float64 `json:"seconds"`
	TravelMM   float64 `json:"travel_mm"`
	MassG      float64 `json:"sheet_mass_g"`
	RateSource string  `json:"rate_source"`
}

// sheetMargin is left around a part on the sheet, mm.
const sheetMargin = 5

// Laser estimates cutting an outline from a sheet: every path is cut once
// at the material's speed for its thickness (interpolated between the 3
// and 6 mm figures), each path starts with a pierce, and the head moves
// between paths at rapid speed.
func Laser(o *geometry.Outline, material string, thickness float64) (*LaserResult, error) {
	m, ok := LookupMaterial(material)
	if !ok || m.LaserSpeed3 <= 0 {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "material", Msg: fmt.Sprintf("no laser cutting rate for %q; materials with one: %v", material, laserMaterials())}
	}
	if thickness <= 0 || thickness > 25 {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "thickness", Msg: "a CO2 laser cuts sheets of up to about 25 mm"}
	}
	speed := laserSpeed(m, thickness)
	lo, hi := o.Bounds()
	r := &LaserResult{Material: m.Name, Thickness: thickness, CutMM: o.CutLength(), Pierces: len(o.Paths), SpeedMMS: speed, RateSource: m.LaserSource}
	r.SheetW, r.SheetH = hi.X-lo.X+2*sheetMargin, hi.Y-lo.Y+2*sheetMargin
	r.SheetArea = r.SheetW * r.SheetH
	r.MassG = r.SheetArea * thickness / 1000 * m.Density
	// Travel: from each path's end to the next path's start.
	var at geometry.Point2
	for i, p := range o.Paths {
		r.TravelMM += math.Hypot(p[0].X-at.X, p[0].Y-at.Y)
		at = p[len(p)-1]
		if o.Closed[i] {
			at = p[0] // a closed cut ends where it started
		}
	}
	r.Seconds = r.CutMM/speed + float64(r.Pierces)*LaserPierce + r.TravelMM/LaserTravel
	return r, nil
}

// laserSpeed interpolates the speed for a thickness: cutting speed falls
// roughly in inverse proportion to thickness, so 1/speed is interpolated
// linearly between the two tabulated thicknesses.
func laserSpeed(m Material, t float64) float64 {
	inv3, inv6 := 1/m.LaserSpeed3, 1/m.LaserSpeed6
	inv := inv3 + (inv6-inv3)*(t-3)/3
	return 1 / math.Max(inv, inv3/4)
}

func laserMaterials() []string {
	var out []string
	for _, m := range Materials {
		if m.LaserSpeed3 > 0 {
			out = append(out, m.Name)
		}
	}
	return out
}

// CNCResult is what milling a part from a block takes.
type CNCResult struct {
	Material     string  `json:"material"`
	StockMM3     float64 `json:"stock_mm3"`
	RemovedMM3   float64 `json:"removed_mm3"`
	RoughingS    float64 `json:"roughing_seconds"`
	FinishingS   float64 `json:"finishing_seconds"`
	SetupS       float64 `json:"setup_seconds"`
	Seconds      float64 `json:"seconds"`
	StockMassG   float64 `json:"stock_mass_g"`
	RateSource   string  `json:"rate_source"`
	StockX       float64 `json:"stock_x_mm"`
	StockY       float64 `json:"stock_y_mm"`
	StockZ       float64 `json:"stock_z_mm"`
	WatertightOK bool    `json:"watertight"`
}

// stockAllowance is added on every side of the part's bounding box, mm.
const stockAllowance = 3

// CNC estimates milling a part out of a rectangular block: the block
// minus the part is removed at the material's roughing rate, then the
// part's surface gets one finishing pass.
func CNC(a *geometry.Analysis, material string) (*CNCResult, error) {
	m, ok := LookupMaterial(material)
	if !ok || m.MRR <= 0 {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "material", Msg: fmt.Sprintf("no milling rate for %q", material)}
	}
	r := &CNCResult{Material: m.Name, RateSource: m.MRRSource, WatertightOK: a.Watertight}
	r.StockX, r.StockY, r.StockZ = a.Size.X+2*stockAllowance, a.Size.Y+2*stockAllowance, a.Size.Z+stockAllowance
	r.StockMM3 = r.StockX * r.StockY * r.StockZ
	r.RemovedMM3 = math.Max(0, r.StockMM3-math.Abs(a.Volume))
	r.RoughingS = r.RemovedMM3 / m.MRR
	r.FinishingS = a.Area / (FinishStepover * FinishFeed)
	r.SetupS = CNCSetup
	r.Seconds = r.RoughingS + r.FinishingS + r.SetupS
	r.StockMassG = r.StockMM3 / 1000 * m.Density
	return r, nil
}
