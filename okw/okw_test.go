package okw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/internal/sharedtest"
)

// Every OKW sample in the shared folder must import.
func TestRealOKWSamples(t *testing.T) {
	dir := sharedtest.Dir(t, "data/okw")
	var files []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.HasSuffix(p, ".json") && !strings.HasSuffix(p, "okw-schema.json") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 70 {
		t.Fatalf("%d OKW files", len(files))
	}
	machines, facilities := 0, 0
	for _, f := range files {
		data, _ := os.ReadFile(f)
		fs, _, err := Parse(context.Background(), f, data)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		for i := range fs {
			if err := fs[i].Validate(); err != nil {
				t.Errorf("%s: imported facility is invalid: %v", f, err)
			}
			machines += len(fs[i].Machines)
		}
		facilities += len(fs)
	}
	if machines < 150 {
		t.Errorf("only %d machines read from %d facilities", machines, facilities)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "ohm/synthetic_data/okw/community-makerspace-001-okw.json"))
	fs, _, _ := Parse(context.Background(), "m.json", data)
	f := fs[0]
	if f.Name != "Community Makerspace" || f.Country != "US" || f.Location.Lat != 37.7879363 || f.Access != "members" {
		t.Errorf("%+v", f)
	}
	m := f.Machines[0]
	if m.Process != design.ProcessFDM || m.Envelope.X != 200 || !m.Works("PLA") || m.Works("steel") || m.NozzleMM != 0.6 {
		t.Errorf("FDM machine: %+v", m)
	}
}

func TestMakerspacesGeoJSON(t *testing.T) {
	dir := sharedtest.Dir(t, "data/makerspaces")
	data, _ := os.ReadFile(filepath.Join(dir, "hackerspaces.geojson"))
	fs, _, err := Parse(context.Background(), "hackerspaces.geojson", data)
	if err != nil || len(fs) != 234 {
		t.Fatalf("%d spaces, %v", len(fs), err)
	}
	if fs[0].Name != "3D Druckzentrum Ruhr" || fs[0].Location.Lon != 7.014145 || len(fs[0].Machines) != 0 {
		t.Errorf("%+v", fs[0])
	}
}

func TestRoundTripAndErrors(t *testing.T) {
	in := `{"id": "x1", "name": "Lab", "location": {"gps_coordinates": "37.98, 23.73", "country": "Greece"},
	  "equipment": [{"manufacturing_process": "https://en.wikipedia.org/wiki/Laser_cutting", "make": "Trotec", "working_surface": 1200,
	    "materials_worked": [{"material_type": "https://en.wikipedia.org/wiki/Wood"}]},
	    {"manufacturing_process": "https://en.wikipedia.org/wiki/Basket_weaving"}]}`
	fs, warns, err := Parse(context.Background(), "lab.json", []byte(in))
	if err != nil || len(fs[0].Machines) != 1 || len(warns) != 1 || fs[0].Country != "GR" || !strings.Contains(warns[0].String(), "equipment[1]") {
		t.Fatalf("%+v %v %v", fs, warns, err)
	}
	out, err := Marshal(&fs[0])
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := Parse(context.Background(), "lab2.json", out)
	if err != nil || back[0].Machines[0].Envelope != fs[0].Machines[0].Envelope || back[0].Country != "GR" || back[0].Name != "Lab" {
		t.Errorf("round trip: %+v %v", back, err)
	}
	for _, c := range []struct{ body, field string }{
		{`{"name": "", "location": {"gps_coordinates": "1, 2"}}`, "name"},
		{`{"name": "x", "location": {"gps_coordinates": "91, 2"}}`, "location.gps_coordinates"},
		{`{"name": "x", "equipment": 3}`, "equipment"},
	} {
		_, _, err := Parse(context.Background(), "bad.json", []byte(c.body))
		var e *dgml.Error
		if !errors.As(err, &e) || e.Field != c.field || e.File != "bad.json" {
			t.Errorf("%s: %v", c.body, err)
		}
	}
	_, _, err = Parse(context.Background(), "broken.json", []byte("{\n\"name\": \"x\",\n}"))
	var e *dgml.Error
	if !errors.As(err, &e) || e.Line != 3 {
		t.Errorf("a syntax error names its line: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"name": "Lab", "location": {"gps_coordinates": "1, 2"}, "equipment": [{"manufacturing_process": "3d_printing", "build_volume": 8000000}]}`))
	f.Add([]byte(`[{"name": "s", "lat": 1, "lon": 2, "processes": ["laser_cutting"]}]`))
	f.Add([]byte(`{"type": "FeatureCollection", "features": [{"geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {"name": "x"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fs, _, err := Parse(context.Background(), "fuzz.json", data)
		if err != nil {
			return
		}
		for i := range fs {
			if !fs[i].Location.Valid() || fs[i].Name == "" {
				t.Fatalf("imported an invalid facility: %+v", fs[i])
			}
		}
	})
}

// The list splitter agrees with encoding/json on what a list's elements
// are, and refuses what is not a list, with the line.
func TestSplitList(t *testing.T) {
	for _, good := range []string{`[]`, ` [ ] `, `[{"a": "}]\"{"}, {"b": [1, {"c": 2}]}]`, "[\n1,\n \"x,y\" ,[2,[3]],null]"} {
		got, err := splitList("l.json", []byte(good))
		var want []json.RawMessage
		if e := json.Unmarshal([]byte(good), &want); e != nil {
			t.Fatal(e)
		}
		if err != nil || len(got) != len(want) {
			t.Errorf("%s: %d elements, %v; want %d", good, len(got), err, len(want))
			continue
		}
		for i := range got {
			var a, b any
			json.Unmarshal(got[i], &a)
			json.Unmarshal(want[i], &b)
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Errorf("%s: element %d is %s, want %s", good, i, got[i], want[i])
			}
		}
	}
	for _, c := range []struct {
		in   string
		line int
	}{{`[1,]`, 1}, {`[,1]`, 1}, {"[1,\n2", 2}, {"[1]\nx", 2}, {`[1}`, 1}, {`["a]`, 1}} {
		_, err := splitList("l.json", []byte(c.in))
		e, ok := err.(*dgml.Error)
		if !ok || e.Line != c.line || e.File != "l.json" {
			t.Errorf("%q: %v", c.in, err)
		}
	}
}
