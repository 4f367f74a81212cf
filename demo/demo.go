// Package demo makes the demonstration commons that "dgml serve --demo"
// loads into an empty node: a RepRap-style printer whose printed parts are
// geometry generated here, Open Source Ecology's Global Village
// Construction Set, and a modular car built by garage teams. Names and
// facts are public; no file is copied from the projects.
package demo

import (
	"bytes"
	"fmt"

	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/geometry"
)

// Design is one demo design: its content and the files it refers to by
// path (the caller stores them and fills in their hashes).
type Design struct {
	Content design.Content
	Files   map[string][]byte
}

// Commons returns every demo design, the printer first.
func Commons() ([]Design, error) {
	printer, err := Printer()
	if err != nil {
		return nil, err
	}
	out := []Design{printer, Car()}
	return append(out, GVCS()...), nil
}

// printed is a generated part: its outline, extrusion height and where
// the printer uses it.
type printed struct {
	name, module, file string
	qty                float64
	outline            []geometry.Point2
	height             float64
}

// Printer is a RepRap-style Cartesian printer (Prusa Mendel lineage):
// printed parts generated as STL, bought vitamins, modules and steps.
func Printer() (Design, error) {
	parts := []printed{
		{"Frame corner bracket", "Frame", "printed/frame-corner.stl", 8, geometry.LBracket(40, 40, 6), 20},
		{"Rod clip", "Frame", "printed/rod-clip-8mm.stl", 12, geometry.Clip(8, 3), 10},
		{"X end idler", "X axis", "printed/x-end-idler.stl", 1, geometry.LBracket(50, 35, 8), 45},
		{"X end motor", "X axis", "printed/x-end-motor.stl", 1, geometry.LBracket(60, 42, 8), 45},
		{"Y belt clamp", "Y axis", "printed/y-belt-clamp.stl", 2, geometry.LBracket(30, 12, 4), 12},
		{"Z motor mount", "Z axis", "printed/z-motor-mount.stl", 2, geometry.LBracket(52, 45, 6), 30},
		{"Extruder large gear", "Extruder", "printed/gear-43t.stl", 1, geometry.Gear(43, 1.25), 8},
		{"Extruder small gear", "Extruder", "printed/gear-11t.stl", 1, geometry.Gear(11, 1.25), 10},
		{"Spool spacer", "Extruder", "printed/spool-spacer.stl", 2, geometry.Circle(15, 48), 6},
	}
	files := map[string][]byte{}
	modules := map[string]*design.Part{}
	var order []string
	for _, p := range parts {
		m, err := geometry.Extrude(p.outline, p.height)
		if err != nil {
			return Design{}, fmt.Errorf("demo part %s: %w", p.name, err)
		}
		var buf bytes.Buffer
		if err := geometry.WriteSTL(&buf, m, p.name); err != nil {
			return Design{}, err
		}
		files[p.file] = buf.Bytes()
		mod, ok := modules[p.module]
		if !ok {
			mod = &design.Part{Name: p.module, Kind: design.KindModule, Quantity: 1}
			modules[p.module] = mod
			order = append(order, p.module)
		}
		mod.Children = append(mod.Children, design.Part{
			Name: p.name, Kind: design.KindPart, Quantity: p.qty, Material: "PLA", Process: design.ProcessFDM,
			Exports: []design.FileRef{{Path: p.file}},
		})
	}
	bought := map[string][]design.Part{
		"Frame": {
			vitamin("Threaded rod M8 x 370 mm", 6, "DIN 975 M8"),
			vitamin("Smooth rod 8 mm x 350 mm", 4, "h8 ground steel"),
			vitamin("Nut M8", 60, "ISO 4032 M8"),
		},
		"X axis": {vitamin("Linear bearing LM8UU", 4, "LM8UU"), vitamin("GT2 belt, 6 mm", 1, "GT2-6mm-1m")},
		"Y axis": {vitamin("Linear bearing LM8UU", 3, "LM8UU"), vitamin("Heated bed MK2", 1, "MK2a 214x214")},
		"Z axis": {vitamin("Stepper motor NEMA 17", 2, "17HS4401")},
		"Extruder": {
			vitamin("Hobbed bolt M8", 1, "hobbed-M8-5mm"),
			vitamin("Hot end, 0.4 mm nozzle", 1, "E3D-v6-1.75"),
		},
	}
	var tree []design.Part
	for _, name := range order {
		mod := modules[name]
		mod.Children = append(mod.Children, bought[name]...)
		tree = append(tree, *mod)
	}
	electronics := design.Part{Name: "Electronics", Kind: design.KindModule, Quantity: 1, Children: []design.Part{
		vitamin("Controller board (Arduino Mega + RAMPS 1.4)", 1, "RAMPS-1.4"),
		vitamin("Stepper driver A4988", 4, "A4988"),
		vitamin("Power supply 12 V 30 A", 1, "S-360-12"),
		{Name: "Wiring harness", Kind: design.KindPart, Quantity: 1, Material: "copper wire", Process: design.ProcessPCBAssembly},
	}}
	tree = append(tree, electronics)
	tree[1].Children = append(tree[1].Children, vitamin("Stepper motor NEMA 17", 1, "17HS4401"))
	c := design.Content{
		Manifest: design.Manifest{
			Name:          "RepRap Mendel-style 3D printer (demo)",
			Function:      "A Cartesian RepRap 3D printer whose plastic parts it can print itself: threaded-rod frame, belt-driven X and Y axes, leadscrew Z axis and a geared filament extruder. Demo design of dgml, in the spirit of the RepRap project.",
			Version:       "1.0.0",
			License:       "GPL-3.0-or-later",
			Licensors:     []string{"dgml demo"},
			Organisations: []string{"RepRap community (demo)"},
			Languages:     []string{"en", "es"},
			OTRL:          7,
			ODRL:          4,
			Keywords:      []string{"reprap", "3d printer", "self-replicating", "fdm", "mendel"},
			Links:         []design.Link{{Rel: "homepage", FileRef: design.FileRef{Path: "https://reprap.org/"}}},
			Dimensions:    &design.Dimensions{X: 500, Y: 420, Z: 400},
			Processes:     []design.Process{design.ProcessFDM, design.ProcessAssembly},
		},
		Parts: tree,
		Steps: []design.Step{
			{Title: "Print the parts", Text: "Print every part of the X, Y and Z axes, the frame and the extruder in PLA, 0.2 mm layers, 3 perimeters, 30% infill."},
			{Title: "Build the frame", Text: "Thread the M8 rods through the corner brackets into two triangles, join them with the horizontal rods and square the frame."},
			{Title: "Mount the axes", Text: "Slide the bearings onto the smooth rods, fit the X ends and carriage, then tension the belts with the belt clamps."},
			{Title: "Assemble the extruder", Text: "Press the small gear onto the motor shaft, mesh it with the large gear on the hobbed bolt and mount the hot end."},
			{Title: "Wire and calibrate", Text: "Connect motors, endstops and heaters to the controller, flash the firmware and calibrate the extruder steps per millimetre."},
		},
	}
	spanish := [][2]string{
		{"Imprimir las piezas", "Imprime en PLA todas las piezas de los ejes X, Y y Z, del marco y del extrusor: capas de 0,2 mm, 3 perímetros, 30% de relleno."},
		{"Montar el marco", "Pasa las varillas roscadas M8 por las escuadras de las esquinas para formar dos triángulos, únelos con las varillas horizontales y escuadra el marco."},
		{"Montar los ejes", "Desliza los rodamientos sobre las varillas lisas, coloca los extremos X y el carro, y tensa las correas con sus pinzas."},
		{"Montar el extrusor", "Encaja el engranaje pequeño en el eje del motor, engrana el grande sobre el tornillo moleteado y monta el fusor."},
	} // the last step is not translated yet: readers see it in English
	for i, t := range spanish {
		st := &c.Steps[i]
		st.Translations = map[string]design.Translation{"es": {Title: t[0], Text: t[1], Source: st.Fingerprint()}}
	}
	return Design{Content: c, Files: files}, nil
}

func vitamin(name string, qty float64, number string) design.Part {
	return design.Part{Name: name, Kind: design.KindBought, Quantity: qty, PartNumber: number}
}

// Car is a modular car in the way Wikispeed builds one: each module is
// owned by a different garage team and can be swapped on its own.
func Car() Design {
	mod := func(name, owner string, children ...design.Part) design.Part {
		return design.Part{Name: name, Kind: design.KindModule, Quantity: 1, Owner: owner, Children: children}
	}
	made := func(name string, qty float64, material string, p design.Process, x, y, z float64) design.Part {
		return design.Part{Name: name, Kind: design.KindPart, Quantity: qty, Material: material, Process: p, Dimensions: &design.Dimensions{X: x, Y: y, Z: z}}
	}
	c := design.Content{
		Manifest: design.Manifest{
			Name:          "Modular commuter car (Wikispeed-style demo)",
			Function:      "A road car made of swappable modules (chassis, crush structure, suspension, powertrain, body, interior, electronics) bolted to a common frame, each module designed and built by its own garage team in short iterations.",
			Version:       "0.3.0",
			License:       "CC-BY-SA-4.0",
			Licensors:     []string{"dgml demo"},
			Organisations: []string{"Garage teams network (demo)"},
			Languages:     []string{"en"},
			OTRL:          4,
			ODRL:          2,
			Keywords:      []string{"car", "modular", "wikispeed", "agile", "vehicle"},
			Dimensions:    &design.Dimensions{X: 4200, Y: 1800, Z: 1300},
		},
		Parts: []design.Part{
			mod("Chassis", "Seattle garage team",
				made("Frame rail", 2, "steel tube 40x40x2", design.ProcessWelding, 2600, 40, 40),
				made("Cross member", 6, "steel tube 40x40x2", design.ProcessWelding, 1400, 40, 40),
				made("Module mounting plate", 8, "aluminium 5 mm", design.ProcessCNCMilling, 200, 150, 5)),
			mod("Crush structure", "Auckland garage team",
				made("Aluminium honeycomb block", 2, "aluminium honeycomb", design.ProcessCNCMilling, 600, 300, 200)),
			mod("Suspension", "Barcelona garage team",
				made("Control arm", 4, "steel", design.ProcessWelding, 450, 80, 40),
				vitamin("Coilover damper", 4, "coilover-250mm")),
			mod("Powertrain", "Detroit garage team",
				vitamin("Engine, 1.3 l four-cylinder", 1, "ICE-1.3"),
				made("Engine mount bracket", 2, "steel 6 mm", design.ProcessLaserCutting, 180, 120, 6)),
			mod("Body", "Nairobi garage team",
				made("Body panel", 12, "composite sheet", design.ProcessCNCMilling, 1200, 800, 4),
				made("Panel clip", 48, "PETG", design.ProcessFDM, 30, 15, 10)),
			mod("Interior", "Bangalore garage team",
				made("Dashboard", 1, "plywood 12 mm", design.ProcessLaserCutting, 1300, 300, 12),
				vitamin("Seat", 2, "bucket-seat")),
			mod("Electronics", "Sao Paulo garage team",
				made("Wiring harness", 1, "copper wire", design.ProcessPCBAssembly, 0, 0, 0),
				vitamin("Battery 12 V", 1, "12V-45Ah")),
		},
		Steps: []design.Step{
			{Title: "Weld the chassis", Text: "Weld the frame rails and cross members on a flat table; check the diagonals before each tack."},
			{Title: "Bolt on the modules", Text: "Each module bolts to the mounting plates with four M10 bolts, so a team can swap its module without touching the others."},
		},
	}
	c.Parts[6].Children[0].Dimensions = nil
	return Design{Content: c}
}
