// Package estimate says what making a part takes: filament, machine time,
// sheet, cut length, material removed — the numbers a quote needs. It
// works on the geometry engine's meshes and outlines and knows no store.
package estimate

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/dgml/dgml"
)

// Model names the estimating model; it changes whenever the same part
// and settings could give a different estimate, so that stored
// estimates are made again.
const Model = "fdm-2026-12b: flow spacing, beads in thin islands, every key placed, cooling on stated times, Z and E moves, honeycomb corners"

// FDM holds fused-filament print settings under the names PrusaSlicer
// users know (mm, mm/s, mm/s², %). Every PrusaSlicer 2.5 key that
// changes time or material is either one of these fields or in Assumed
// (keys.go), where a value other than dgml's assumption is refused.
//
// A width or speed that PrusaSlicer allows as a percentage (tag pct:
// "of" what) is kept as the negative percentage until Resolve turns it
// into millimetres or mm/s; a width of 0 is PrusaSlicer's automatic width.
type FDM struct {
	LayerHeight            float64 `ini:"layer_height" range:"0.01,2"`
	FirstLayerHeight       float64 `ini:"first_layer_height" range:"0.01,2"`
	Perimeters             int     `ini:"perimeters" range:"0,50"`
	TopSolidLayers         int     `ini:"top_solid_layers" range:"0,200"`
	BottomSolidLayers      int     `ini:"bottom_solid_layers" range:"0,200"`
	TopSolidMinThickness   float64 `ini:"top_solid_min_thickness" range:"0,100"`
	BottomSolidMinThick    float64 `ini:"bottom_solid_min_thickness" range:"0,100"`
	FillDensity            float64 `ini:"fill_density" range:"0,100"` // percent
	FillPattern            string  `ini:"fill_pattern" one:"rectilinear alignedrectilinear line grid triangles stars cubic gyroid honeycomb"`
	TopFillPattern         string  `ini:"top_fill_pattern" one:"rectilinear alignedrectilinear monotonic"`
	BottomFillPattern      string  `ini:"bottom_fill_pattern" one:"rectilinear alignedrectilinear monotonic"`
	InfillEveryLayers      int     `ini:"infill_every_layers" range:"1,20"`
	SolidInfillBelowArea   float64 `ini:"solid_infill_below_area" range:"0,100000"` // mm²
	NozzleDiameter         float64 `ini:"nozzle_diameter" range:"0.05,3"`
	ExtrusionWidth         float64 `ini:"extrusion_width" range:"0,5" pct:"nozzle_diameter"`
	FirstLayerWidth        float64 `ini:"first_layer_extrusion_width" range:"0,5" pct:"nozzle_diameter"`
	PerimeterWidth         float64 `ini:"perimeter_extrusion_width" range:"0,5" pct:"nozzle_diameter"`
	ExternalPerimeterWidth float64 `ini:"external_perimeter_extrusion_width" range:"0,5" pct:"nozzle_diameter"`
	InfillWidth            float64 `ini:"infill_extrusion_width" range:"0,5" pct:"nozzle_diameter"`
	SolidInfillWidth       float64 `ini:"solid_infill_extrusion_width" range:"0,5" pct:"nozzle_diameter"`
	TopInfillWidth         float64 `ini:"top_infill_extrusion_width" range:"0,5" pct:"nozzle_diameter"`
	ExtrusionMultiplier    float64 `ini:"extrusion_multiplier" range:"0.1,5"`
	BridgeFlowRatio        float64 `ini:"bridge_flow_ratio" range:"0.1,5"`
	FilamentDiameter       float64 `ini:"filament_diameter" range:"0.5,5"`
	FilamentDensity        float64 `ini:"filament_density" range:"0.5,20"` // g/cm³
	PerimeterSpeed         float64 `ini:"perimeter_speed" range:"1,2000"`
	ExternalPerimSpeed     float64 `ini:"external_perimeter_speed" range:"1,2000" pct:"perimeter_speed"`
	SmallPerimeterSpeed    float64 `ini:"small_perimeter_speed" range:"1,2000" pct:"perimeter_speed"`
	InfillSpeed            float64 `ini:"infill_speed" range:"1,2000"`
	SolidInfillSpeed       float64 `ini:"solid_infill_speed" range:"1,2000" pct:"infill_speed"`
	TopSolidInfillSpeed    float64 `ini:"top_solid_infill_speed" range:"1,2000" pct:"solid_infill_speed"`
	GapFillSpeed           float64 `ini:"gap_fill_speed" range:"1,2000"`
	BridgeSpeed            float64 `ini:"bridge_speed" range:"1,2000"`
	TravelSpeed            float64 `ini:"travel_speed" range:"1,2000"`
	FirstLayerSpeed        float64 `ini:"first_layer_speed" range:"1,2000"`
	MaxVolumetricSpeed     float64 `ini:"max_volumetric_speed" range:"0,1000"`          // mm³/s, 0: none
	FilamentMaxVolumetric  float64 `ini:"filament_max_volumetric_speed" range:"0,1000"` // mm³/s, 0: none
	DefaultAcceleration    float64 `ini:"default_acceleration" range:"1,100000"`
	PerimeterAccel         float64 `ini:"perimeter_acceleration" range:"0,100000"`
	InfillAccel            float64 `ini:"infill_acceleration" range:"0,100000"`
	BridgeAccel            float64 `ini:"bridge_acceleration" range:"0,100000"`
	FirstLayerAccel        float64 `ini:"first_layer_acceleration" range:"0,100000"`
	TravelAccel            float64 `ini:"travel_acceleration" range:"0,100000"`
	MachineLimits          string  `ini:"machine_limits_usage" one:"emit_to_gcode time_estimate_only ignore"`
	MaxAcceleration        float64 `ini:"machine_max_acceleration_extruding" range:"1,100000"`
	MaxAccelX              float64 `ini:"machine_max_acceleration_x" range:"1,100000"`
	MaxAccelY              float64 `ini:"machine_max_acceleration_y" range:"1,100000"`
	MaxFeedrateX           float64 `ini:"machine_max_feedrate_x" range:"1,10000"`
	MaxFeedrateY           float64 `ini:"machine_max_feedrate_y" range:"1,10000"`
	Jerk                   float64 `ini:"machine_max_jerk_x" range:"0.1,1000"`
	JerkY                  float64 `ini:"machine_max_jerk_y" range:"0.1,1000"`
	// The moves between extrusions: the layer change's Z move and the
	// retractions are timed within the machine's Z and E limits, as the
	// firmware plans them; on a small part they are much of each layer.
	MaxAccelTravel         float64 `ini:"machine_max_acceleration_travel" range:"1,100000"`
	MaxAccelRetract        float64 `ini:"machine_max_acceleration_retracting" range:"1,100000"`
	MaxAccelZ              float64 `ini:"machine_max_acceleration_z" range:"1,100000"`
	MaxFeedrateZ           float64 `ini:"machine_max_feedrate_z" range:"0.1,10000"`
	MaxFeedrateE           float64 `ini:"machine_max_feedrate_e" range:"0.1,10000"`
	JerkZ                  float64 `ini:"machine_max_jerk_z" range:"0.01,1000"`
	JerkE                  float64 `ini:"machine_max_jerk_e" range:"0.01,1000"`
	TravelSpeedZ           float64 `ini:"travel_speed_z" range:"0,2000"`  // 0: travel_speed
	DeretractSpeed         float64 `ini:"deretract_speed" range:"0,1000"` // 0: retract_speed
	RetractLayerChange     int     `ini:"retract_layer_change" range:"0,1"`
	RetractLength          float64 `ini:"retract_length" range:"0,50"`
	RetractSpeed           float64 `ini:"retract_speed" range:"1,1000"`
	RetractBeforeTravel    float64 `ini:"retract_before_travel" range:"0,1000"`
	Cooling                int     `ini:"cooling" range:"0,1"`
	SlowdownBelowLayerTime float64 `ini:"slowdown_below_layer_time" range:"0,3600"`
	MinPrintSpeed          float64 `ini:"min_print_speed" range:"1,2000"`
	PerimeterGenerator     string  `ini:"perimeter_generator" one:"arachne classic"`
	// SliceClosingRadius closes holes and gaps in a slice narrower than
	// it, as PrusaSlicer does: a mesh's pinhole down a part's axis is
	// not a hole to print perimeters around.
	SliceClosingRadius float64 `ini:"slice_closing_radius" range:"0,10"`
	// Resolution is how far a path may stray to drop a point: slicers
	// merge a finely tessellated curve's short segments by it before the
	// firmware plans them.
	Resolution float64 `ini:"gcode_resolution" range:"0,1"`
}

// DefaultFDM is a common 0.4 mm nozzle PLA profile (close to
// PrusaSlicer's 0.20 mm QUALITY for a Cartesian i3 printer).
var DefaultFDM = FDM{
	LayerHeight: 0.2, FirstLayerHeight: 0.2, Perimeters: 2, TopSolidLayers: 5, BottomSolidLayers: 4,
	FillDensity: 20, FillPattern: "rectilinear", TopFillPattern: "rectilinear", BottomFillPattern: "rectilinear",
	InfillEveryLayers: 1, SolidInfillBelowArea: 70, NozzleDiameter: 0.4,
	ExtrusionWidth: 0.45, ExtrusionMultiplier: 1, BridgeFlowRatio: 1, FilamentDiameter: 1.75, FilamentDensity: 1.24,
	PerimeterSpeed: 45, ExternalPerimSpeed: 25, SmallPerimeterSpeed: 25, InfillSpeed: 80, SolidInfillSpeed: 80, TopSolidInfillSpeed: 40,
	GapFillSpeed: 40, BridgeSpeed: 30, TravelSpeed: 150, FirstLayerSpeed: 20,
	DefaultAcceleration: 1000, PerimeterAccel: 800, InfillAccel: 1250, FirstLayerAccel: 800, TravelAccel: 1250,
	MachineLimits: "time_estimate_only", MaxAcceleration: 1250, MaxAccelX: 1250, MaxAccelY: 1250, MaxFeedrateX: 200, MaxFeedrateY: 200,
	Jerk: 8, JerkY: 8, RetractLength: 0.8, RetractSpeed: 35, RetractBeforeTravel: 2,
	MaxAccelTravel: 1250, MaxAccelRetract: 1250, MaxAccelZ: 200, MaxFeedrateZ: 12, MaxFeedrateE: 120, JerkZ: 0.4, JerkE: 4.5,
	Cooling: 1, SlowdownBelowLayerTime: 10, MinPrintSpeed: 15, PerimeterGenerator: "arachne", Resolution: 0.0125,
	SliceClosingRadius: 0.049,
}

// Resolve returns the settings with percentages and automatic widths
// made millimetres and mm/s, as PrusaSlicer reads them: a width of 0
// takes extrusion_width, and that of 0 is 1.125 times the nozzle.
func (s FDM) Resolve() FDM {
	pct := func(v, of float64) float64 {
		if v < 0 {
			return -v / 100 * of
		}
		return v
	}
	s.ExtrusionWidth = pct(s.ExtrusionWidth, s.NozzleDiameter)
	if s.ExtrusionWidth == 0 {
		s.ExtrusionWidth = 1.125 * s.NozzleDiameter
	}
	for _, w := range []*float64{&s.FirstLayerWidth, &s.PerimeterWidth, &s.ExternalPerimeterWidth, &s.InfillWidth, &s.SolidInfillWidth, &s.TopInfillWidth} {
		*w = pct(*w, s.NozzleDiameter)
		if *w == 0 {
			*w = s.ExtrusionWidth
		}
	}
	s.ExternalPerimSpeed = pct(s.ExternalPerimSpeed, s.PerimeterSpeed)
	s.SmallPerimeterSpeed = pct(s.SmallPerimeterSpeed, s.PerimeterSpeed)
	s.SolidInfillSpeed = pct(s.SolidInfillSpeed, s.InfillSpeed)
	s.TopSolidInfillSpeed = pct(s.TopSolidInfillSpeed, s.SolidInfillSpeed)
	if s.MachineLimits == "ignore" {
		s.MaxAcceleration, s.MaxAccelX, s.MaxAccelY, s.MaxFeedrateX, s.MaxFeedrateY = 0, 0, 0, 0, 0
		s.MaxAccelTravel, s.MaxAccelRetract, s.MaxAccelZ, s.MaxFeedrateZ, s.MaxFeedrateE = 0, 0, 0, 0, 0
	}
	if s.Cooling == 0 {
		s.SlowdownBelowLayerTime = 0
	}
	return s
}

// Set sets one setting by its PrusaSlicer name; unknown names are an
// error naming the key, so a typo does not pass silently.
func (s *FDM) Set(key, value string) error {
	v := reflect.ValueOf(s).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Tag.Get("ini") != key {
			continue
		}
		value = strings.TrimSpace(value)
		f := v.Field(i)
		if one := t.Field(i).Tag.Get("one"); one != "" {
			if !slices.Contains(strings.Fields(one), value) {
				return &dgml.Error{Kind: dgml.Invalid, Field: key, Msg: fmt.Sprintf("%q is not one dgml models (it models %s): pick one of those, or estimate with PrusaSlicer itself", value, strings.ReplaceAll(one, " ", ", "))}
			}
			f.SetString(value)
			return nil
		}
		percent := strings.HasSuffix(value, "%")
		value = strings.TrimSuffix(value, "%")
		if percent && t.Field(i).Tag.Get("pct") == "" && key != "fill_density" {
			return &dgml.Error{Kind: dgml.Invalid, Field: key, Msg: "a percentage is not allowed here: give the value itself"}
		}
		// Each setting has the range a printer could use: a layer of
		// 1e-300 mm or a speed of NaN would only make the estimate run
		// forever or say nothing.
		var lo, hi float64
		fmt.Sscanf(t.Field(i).Tag.Get("range"), "%g,%g", &lo, &hi)
		if percent && key != "fill_density" {
			x, err := strconv.ParseFloat(value, 64)
			if err != nil || math.IsNaN(x) || x <= 0 || x > 1000 {
				return &dgml.Error{Kind: dgml.Invalid, Field: key, Msg: fmt.Sprintf("%q%% is not a percentage from 0 to 1000 of %s", value, t.Field(i).Tag.Get("pct"))}
			}
			f.SetFloat(-x) // resolved against what it is a percentage of
			return nil
		}
		switch f.Kind() {
		case reflect.Int:
			n, err := strconv.Atoi(value)
			if err != nil || float64(n) < lo || float64(n) > hi {
				return &dgml.Error{Kind: dgml.Invalid, Field: key, Msg: fmt.Sprintf("%q is not a whole number from %g to %g", value, lo, hi)}
			}
			f.SetInt(int64(n))
		default:
			x, err := strconv.ParseFloat(value, 64)
			if err != nil || math.IsNaN(x) || x < lo || x > hi {
				return &dgml.Error{Kind: dgml.Invalid, Field: key, Msg: fmt.Sprintf("%q is not a number from %g to %g", value, lo, hi)}
			}
			f.SetFloat(x)
		}
		return nil
	}
	if want, ok := Assumed[key]; ok {
		if sameValue(value, want) {
			return nil
		}
		return &dgml.Error{Kind: dgml.Invalid, Field: key, Msg: fmt.Sprintf("dgml's estimate assumes %s = %s and does not model %q: set it to %s for the estimate, or estimate with PrusaSlicer itself", key, want, strings.TrimSpace(value), want)}
	}
	if NoEffect[key] {
		return nil // changes neither time nor material
	}
	if CommandLine[key] {
		return &dgml.Error{Kind: dgml.Invalid, Field: key, Msg: "a PrusaSlicer command-line option, not a print setting: leave it out"}
	}
	return &dgml.Error{Kind: dgml.Invalid, Field: key, Msg: "not a PrusaSlicer 2.5 setting dgml knows: check the spelling, or leave it out if it changes neither time nor material"}
}

// Keys lists the setting names.
func (s *FDM) Keys() []string {
	t := reflect.TypeOf(*s)
	out := make([]string, t.NumField())
	for i := range out {
		out[i] = t.Field(i).Tag.Get("ini")
	}
	return out
}

// LoadINI reads settings from a PrusaSlicer-style config (key = value
// lines) exactly as Set takes them one by one: a key dgml models is
// honoured, one it assumes must have the assumed value, one that
// changes neither time nor material is read past, and any other is
// refused, naming the file, line and key.
func (s *FDM) LoadINI(name string, r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20) // G-code templates make long lines
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, ";") || strings.HasPrefix(l, "[") {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			return &dgml.Error{Kind: dgml.Invalid, File: name, Line: line, Msg: "expected key = value"}
		}
		k = strings.TrimSpace(k)
		if err := s.Set(k, v); err != nil {
			e := err.(*dgml.Error)
			e.File, e.Line = name, line
			return e
		}
	}
	return sc.Err()
}
