package okh

import (
	"context"
	"strings"
	"testing"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
)

// ohmManifest is a design in Open Hardware Manager's OKH JSON shape:
// snake_case keys, a license table, processes by name, a design-wide
// materials list, parts with TsDC ids and components bought.
const ohmManifest = `{
  "okhv": "OKH-LOSHv1.0",
  "id": "0f8c2a64-5d0e-4c55-9d7e-2b1f7c3e9a10",
  "title": "Seed Tray Rack",
  "version": "2.1.0",
  "license": {"hardware": "CERN-OHL-S-2.0", "documentation": "CC-BY-4.0"},
  "licensor": {"name": "Ana Ruiz", "email": "ana@example.org"},
  "documentation_language": ["en", "es"],
  "function": "Holds four seed trays above a window sill",
  "keywords": ["garden", "rack"],
  "technology_readiness_level": "OTRL-4",
  "manufacturing_processes": ["3DP", "Laser Cutting", "Post-processing", "Assembly", "Basket weaving"],
  "materials": [{"material_id": "PETG", "name": "PETG", "quantity": 300, "unit": "g"}],
  "making_instructions": [{"title": "Build guide", "path": "https://example.org/rack/build.md", "type": "manufacturing-files", "metadata": {}}],
  "parts": [
    {"name": "Corner bracket", "id": "a1", "source": ["cad/corner.scad"], "export": ["stl/corner.stl"], "tsdc": ["3DP"],
     "outer_dimensions": {"length": 60, "width": 40, "height": 25}, "mass": 18.5, "manufacturing_params": {"infill": "30%"}},
    {"name": "Shelf", "tsdc": ["LAS"], "material": "plywood", "mass": "240"}
  ],
  "components": [
    {"name": "M4 x 20 screw", "quantity": 16, "part_number": "ISO 7380 M4x20"},
    {"name": "Wing nut", "quantity": "many"}
  ],
  "metadata": {"source": "test"}
}`

func TestOpenHardwareManagerJSON(t *testing.T) {
	m, err := Parse(context.Background(), "rack.json", []byte(ohmManifest))
	if err != nil {
		t.Fatal(err)
	}
	mf := m.Content.Manifest
	if mf.Name != "Seed Tray Rack" || mf.License != "CERN-OHL-S-2.0" || mf.DocLicense != "CC-BY-4.0" || len(mf.Licensors) != 1 || mf.OTRL != 4 ||
		strings.Join(mf.Languages, ",") != "en,es" || len(mf.Keywords) != 2 {
		t.Errorf("manifest: %+v", mf)
	}
	want := []design.Process{design.ProcessFDM, design.ProcessLaserCutting, design.ProcessFinishing, design.ProcessAssembly}
	if len(mf.Processes) != len(want) {
		t.Fatalf("processes %v, want %v", mf.Processes, want)
	}
	for i := range want {
		if mf.Processes[i] != want[i] {
			t.Errorf("processes %v, want %v", mf.Processes, want)
		}
	}
	ps := m.Content.Parts
	if len(ps) != 4 {
		t.Fatalf("parts: %+v", ps)
	}
	bracket, shelf := ps[0], ps[1]
	if bracket.Process != design.ProcessFDM || bracket.Material != "PETG" || bracket.MassG != 18.5 || bracket.Dimensions == nil || len(bracket.Exports) != 1 {
		t.Errorf("bracket: %+v", bracket)
	}
	if shelf.Process != design.ProcessLaserCutting || shelf.Material != "plywood" || shelf.MassG != 240 {
		t.Errorf("shelf: %+v", shelf)
	}
	if ps[2].Kind != design.KindBought || ps[2].Quantity != 16 || ps[2].PartNumber != "ISO 7380 M4x20" || ps[3].Quantity != 1 {
		t.Errorf("components: %+v %+v", ps[2], ps[3])
	}
	// What had to be guessed or left out is said, with its line.
	warned := map[string]int{}
	for _, w := range m.Warnings {
		warned[w.Field] = w.Line
		if w.File != "rack.json" {
			t.Errorf("warning without the file: %+v", w)
		}
	}
	for field, line := range map[string]int{"manufacturing-processes": 12, "materials": 13, "components[1].quantity": 22} {
		if got, ok := warned[field]; !ok || got != line {
			t.Errorf("no warning for %s at line %d: %+v", field, line, m.Warnings)
		}
	}
	if !strings.Contains(m.Warnings[len(m.Warnings)-1].Msg, "id, metadata") {
		t.Errorf("keys left out are not named: %+v", m.Warnings)
	}
}

func TestBadJSONManifests(t *testing.T) {
	for _, c := range []struct {
		data string
		line int
		msg  string
	}{
		{"{\"title\": \"x\",\n \"parts\": [}", 2, "not valid JSON"},
		{"[{\"title\": \"x\"}]", 1, "one object"},
		{"{\"title\": \"x\"}\n{\"title\": \"y\"}", 2, "more than one JSON value"},
		{"{\"title\": \"\",\n \"version\": \"1\"}", 0, "no name"},
		{"{\"title\": \"x\",\n \"parts\": [{\"name\": \"p\", \"quantity\": -2}]}", 2, "positive number"},
	} {
		_, err := Parse(context.Background(), "bad.json", []byte(c.data))
		e, ok := err.(*dgml.Error)
		if !ok || e.File != "bad.json" || !strings.Contains(e.Msg, c.msg) || (c.line > 0 && e.Line != c.line) {
			t.Errorf("%q: %v (line %d)", c.data, err, lineOfErr(err))
		}
	}
}

func lineOfErr(err error) int {
	if e, ok := err.(*dgml.Error); ok {
		return e.Line
	}
	return -1
}
