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
	"strconv"
	"strings"

	"github.com/dgml/dgml"
)

// FDM holds fused-filament print settings under the names PrusaSlicer
// users know (mm, mm/s, mm/s², %).
type FDM struct {
	LayerHeight            float64 `ini:"layer_height" range:"0.01,2"`
	FirstLayerHeight       float64 `ini:"first_layer_height" range:"0.01,2"`
	Perimeters             int     `ini:"perimeters" range:"0,50"`
	TopSolidLayers         int     `ini:"top_solid_layers" range:"0,200"`
	BottomSolidLayers      int     `ini:"bottom_solid_layers" range:"0,200"`
	FillDensity            float64 `ini:"fill_density" range:"0,100"` // percent
	ExtrusionWidth         float64 `ini:"extrusion_width" range:"0.05,5"`
	FilamentDiameter       float64 `ini:"filament_diameter" range:"0.5,5"`
	FilamentDensity        float64 `ini:"filament_density" range:"0.5,20"` // g/cm³
	PerimeterSpeed         float64 `ini:"perimeter_speed" range:"1,2000"`
	ExternalPerimSpeed     float64 `ini:"external_perimeter_speed" range:"1,2000"`
	SmallPerimeterSpeed    float64 `ini:"small_perimeter_speed" range:"1,2000"`
	InfillSpeed            float64 `ini:"infill_speed" range:"1,2000"`
	SolidInfillSpeed       float64 `ini:"solid_infill_speed" range:"1,2000"`
	TopSolidInfillSpeed    float64 `ini:"top_solid_infill_speed" range:"1,2000"`
	BridgeSpeed            float64 `ini:"bridge_speed" range:"1,2000"`
	TravelSpeed            float64 `ini:"travel_speed" range:"1,2000"`
	FirstLayerSpeed        float64 `ini:"first_layer_speed" range:"1,2000"`
	DefaultAcceleration    float64 `ini:"default_acceleration" range:"1,100000"`
	PerimeterAccel         float64 `ini:"perimeter_acceleration" range:"1,100000"`
	InfillAccel            float64 `ini:"infill_acceleration" range:"1,100000"`
	FirstLayerAccel        float64 `ini:"first_layer_acceleration" range:"1,100000"`
	TravelAccel            float64 `ini:"travel_acceleration" range:"1,100000"`
	MaxAcceleration        float64 `ini:"machine_max_acceleration_extruding" range:"1,100000"`
	Jerk                   float64 `ini:"machine_max_jerk_x" range:"0.1,1000"`
	RetractLength          float64 `ini:"retract_length" range:"0,50"`
	RetractSpeed           float64 `ini:"retract_speed" range:"1,1000"`
	RetractBeforeTravel    float64 `ini:"retract_before_travel" range:"0,1000"`
	SlowdownBelowLayerTime float64 `ini:"slowdown_below_layer_time" range:"0,3600"`
	MinPrintSpeed          float64 `ini:"min_print_speed" range:"1,2000"`
	// Resolution is how far a path may stray to drop a point: slicers
	// merge a finely tessellated curve's short segments by it before the
	// firmware plans them.
	Resolution float64 `ini:"gcode_resolution" range:"0,1"`
}

// DefaultFDM is a common 0.4 mm nozzle PLA profile (close to
// PrusaSlicer's 0.20 mm QUALITY for a Cartesian i3 printer).
var DefaultFDM = FDM{
	LayerHeight: 0.2, FirstLayerHeight: 0.2, Perimeters: 2, TopSolidLayers: 5, BottomSolidLayers: 4,
	FillDensity: 20, ExtrusionWidth: 0.45, FilamentDiameter: 1.75, FilamentDensity: 1.24,
	PerimeterSpeed: 45, ExternalPerimSpeed: 25, SmallPerimeterSpeed: 25, InfillSpeed: 80, SolidInfillSpeed: 80, TopSolidInfillSpeed: 40,
	BridgeSpeed: 30, TravelSpeed: 150, FirstLayerSpeed: 20,
	DefaultAcceleration: 1000, PerimeterAccel: 800, InfillAccel: 1250, FirstLayerAccel: 800, TravelAccel: 1250,
	MaxAcceleration: 1250, Jerk: 8, RetractLength: 0.8, RetractSpeed: 35, RetractBeforeTravel: 2,
	SlowdownBelowLayerTime: 10, MinPrintSpeed: 15, Resolution: 0.0125,
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
		value = strings.TrimSuffix(strings.TrimSpace(value), "%")
		// Each setting has the range a printer could use: a layer of
		// 1e-300 mm or a speed of NaN would only make the estimate run
		// forever or say nothing.
		var lo, hi float64
		fmt.Sscanf(t.Field(i).Tag.Get("range"), "%g,%g", &lo, &hi)
		f := v.Field(i)
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
	return &dgml.Error{Kind: dgml.Invalid, Field: key, Msg: "not an FDM setting dgml knows (see dgml mesh estimate --help)"}
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
// lines); keys dgml does not model are skipped, as a PrusaSlicer config
// holds many.
func (s *FDM) LoadINI(name string, r io.Reader) error {
	known := map[string]bool{}
	for _, k := range s.Keys() {
		known[k] = true
	}
	sc := bufio.NewScanner(r)
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
		if !known[k] {
			continue
		}
		if err := s.Set(k, v); err != nil {
			e := err.(*dgml.Error)
			e.File, e.Line = name, line
			return e
		}
	}
	return sc.Err()
}
