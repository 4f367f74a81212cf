// Package okw reads and writes Open Know Where facility records (the
// Internet of Production Alliance's schema, as the Open Hardware Manager
// writes them), the Map of Makers' space lists, and hackerspace GeoJSON.
package okw

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
)

// Warning is something a record lacked or had to be read loosely.
type Warning struct {
	File  string `json:"file"`
	Field string `json:"field,omitempty"`
	Msg   string `json:"message"`
}

func (w Warning) String() string {
	if w.Field != "" {
		return w.File + ": " + w.Field + ": " + w.Msg
	}
	return w.File + ": " + w.Msg
}

// record is the subset of OKW that dgml keeps.
type record struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Location    json.RawMessage `json:"location"`
	Status      string          `json:"facility_status"`
	Contact     json.RawMessage `json:"contact"`
	Owner       json.RawMessage `json:"owner"`
	Hours       json.RawMessage `json:"opening_hours"`
	Description string          `json:"description"`
	Access      string          `json:"access_type"`
	Equipment   []equipment     `json:"equipment"`
	Processes   []string        `json:"manufacturing_processes"`
	// dgml's own additions, written on export so nothing is lost.
	Machines []facility.Machine `json:"x-dgml-machines,omitempty"`
	Grid     float64            `json:"x-dgml-grid-g-per-kwh,omitempty"`
}

type location struct {
	Address *struct {
		Number, Street, City, Region, Country, Postcode string
	} `json:"address"`
	GPS     string `json:"gps_coordinates"`
	City    string `json:"city"`
	Country string `json:"country"`
}

type equipment struct {
	Type           string          `json:"equipment_type"`
	Process        string          `json:"manufacturing_process"`
	Make           string          `json:"make"`
	Model          string          `json:"model"`
	Quantity       int             `json:"quantity"`
	Materials      []material      `json:"materials_worked"`
	BuildVolume    float64         `json:"build_volume"` // mm³
	WorkingSurface json.RawMessage `json:"working_surface"`
	Nozzle         float64         `json:"nozzle_size"`
	LaserPower     float64         `json:"laser_power"`
	PowerRating    float64         `json:"power_rating"` // W
	Condition      string          `json:"condition"`
}

type material struct {
	Type string `json:"material_type"`
}

// Parse reads one OKW facility (or a list of them, or a Map of Makers
// list) from JSON. Records without a name or a location are refused with
// the field; equipment whose process dgml does not know is left out with
// a warning. A list holds records, not lists, and at most MaxRecords of
// them; ctx is looked at between records.
func Parse(ctx context.Context, file string, data []byte) ([]facility.Facility, []Warning, error) {
	return parse(ctx, file, data, true)
}

// MaxRecords bounds the facilities of one file.
const MaxRecords = 10_000

func parse(ctx context.Context, file string, data []byte, top bool) ([]facility.Facility, []Warning, error) {
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("[")) {
		if !top {
			return nil, nil, &dgml.Error{Kind: dgml.Invalid, File: file, Msg: "a list inside a list: give one list of facility records"}
		}
		raw, err := splitList(file, data)
		if err != nil {
			return nil, nil, err
		}
		if len(raw) > MaxRecords {
			return nil, nil, &dgml.Error{Kind: dgml.TooLarge, File: file, Msg: fmt.Sprintf("%d records: import at most %d at a time", len(raw), MaxRecords)}
		}
		// Records are read on every core, then put back in file order:
		// the facilities, warnings and first error come out as one by one.
		type result struct {
			fs    []facility.Facility
			warns []Warning
			err   error
		}
		res := make([]result, len(raw))
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < min(runtime.GOMAXPROCS(0), len(raw)); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1) - 1); i < len(raw); i = int(next.Add(1) - 1) {
					if err := ctx.Err(); err != nil {
						res[i].err = err
						continue
					}
					r := &res[i]
					r.fs, r.warns, r.err = parse(ctx, fmt.Sprintf("%s[%d]", file, i), raw[i], false)
				}
			}()
		}
		wg.Wait()
		var out []facility.Facility
		var warns []Warning
		for _, r := range res {
			warns = append(warns, r.warns...)
			if r.err != nil {
				return nil, warns, r.err
			}
			out = append(out, r.fs...)
		}
		return out, warns, nil
	}
	// Which kind of record it is, from three keys (a struct of three
	// skips the rest more cheaply than a map of every key).
	var probe struct {
		Type     json.RawMessage `json:"type"`
		Lat      json.RawMessage `json:"lat"`
		Location json.RawMessage `json:"location"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, nil, jsonError(file, data, err)
	}
	if probe.Type != nil && bytes.Contains(probe.Type, []byte("FeatureCollection")) {
		return parseGeoJSON(file, data)
	}
	if probe.Lat != nil && probe.Location == nil {
		return parseMapOfMakers(file, data)
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, nil, jsonError(file, data, err)
	}
	f, warns, err := r.facility(file)
	if err != nil {
		return nil, warns, err
	}
	return []facility.Facility{*f}, warns, nil
}

// splitList cuts a JSON list into its elements without decoding them:
// it follows strings and brackets only, so a 30 MB list of records is
// split at memory speed and the records are then read on every core.
// Each element is checked when it is read; the list itself must be
// elements, commas and white space, and at most MaxRecords long.
func splitList(file string, data []byte) ([]json.RawMessage, error) {
	bad := func(at int, msg string) error {
		return &dgml.Error{Kind: dgml.Invalid, File: file, Line: 1 + bytes.Count(data[:at], []byte("\n")), Msg: "not valid OKW JSON: " + msg}
	}
	i := bytes.IndexByte(data, '[') + 1
	var out []json.RawMessage
	depth, start, inString, escaped := 0, -1, false, false
	expectValue := true // after '[' or ','
	for ; i < len(data); i++ {
		c := data[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			inString = true
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				if c != ']' {
					return nil, bad(i, "a '}' with no '{'")
				}
				if start >= 0 {
					out = append(out, data[start:i])
				} else if !expectValue || len(out) > 0 {
					return nil, bad(i, "a list ending in a comma")
				}
				if rest := bytes.TrimSpace(data[i+1:]); len(rest) > 0 {
					return nil, bad(len(data)-len(rest), "more after the end of the list")
				}
				if len(out) > MaxRecords {
					return nil, &dgml.Error{Kind: dgml.TooLarge, File: file, Msg: fmt.Sprintf("%d records: import at most %d at a time", len(out), MaxRecords)}
				}
				return out, nil
			}
			depth--
		case ',':
			if depth == 0 {
				if start < 0 {
					return nil, bad(i, "an empty element in the list")
				}
				out = append(out, data[start:i])
				if len(out) > MaxRecords {
					return nil, &dgml.Error{Kind: dgml.TooLarge, File: file, Msg: fmt.Sprintf("more than %d records: import at most %d at a time", MaxRecords, MaxRecords)}
				}
				start, expectValue = -1, true
				continue
			}
		}
		if depth == 0 && start < 0 && c != '}' && c != ']' {
			start, expectValue = i, false
		} else if start < 0 && (c == '{' || c == '[' || c == '"') {
			start, expectValue = i, false
		}
	}
	return nil, bad(len(data), "the list does not end")
}

func jsonError(file string, data []byte, err error) error {
	e := &dgml.Error{Kind: dgml.Invalid, File: file, Msg: "not valid OKW JSON", Err: err}
	if se, ok := err.(*json.SyntaxError); ok {
		e.Line = 1 + strings.Count(string(data[:se.Offset]), "\n")
	}
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		e.Field = te.Field
		e.Line = 1 + strings.Count(string(data[:te.Offset]), "\n")
	}
	return e
}

func (r *record) facility(file string) (*facility.Facility, []Warning, error) {
	var warns []Warning
	warn := func(field, format string, args ...any) {
		warns = append(warns, Warning{file, field, fmt.Sprintf(format, args...)})
	}
	f := &facility.Facility{ID: r.ID, Name: strings.TrimSpace(r.Name), Description: r.Description, Source: "okw", GridIntensity: r.Grid}
	if f.Name == "" {
		return nil, nil, &dgml.Error{Kind: dgml.Invalid, File: file, Field: "name", Msg: "a facility needs a name"}
	}
	var loc location
	if len(r.Location) == 0 || json.Unmarshal(r.Location, &loc) != nil {
		return nil, nil, &dgml.Error{Kind: dgml.Invalid, File: file, Field: "location", Msg: "a facility needs a location with gps_coordinates"}
	}
	pt, err := parseGPS(loc.GPS)
	if err != nil {
		return nil, nil, &dgml.Error{Kind: dgml.Invalid, File: file, Field: "location.gps_coordinates", Msg: err.Error()}
	}
	f.Location = pt
	f.City = loc.City
	country := loc.Country
	if loc.Address != nil {
		a := loc.Address
		f.Address = strings.TrimSpace(strings.Join(nonEmpty(a.Number+" "+a.Street, a.Postcode+" "+a.City, a.Region), ", "))
		if f.City == "" {
			f.City = a.City
		}
		if country == "" {
			country = a.Country
		}
	}
	if code, ok := countryCode(country); ok {
		f.Country = code
	} else if country != "" {
		warn("location.country", "%q is not a country dgml knows; the world average grid intensity is used", country)
	}
	f.Access = access(r.Access)
	f.Status = strings.ToLower(r.Status)
	f.OpeningHours = textOf(r.Hours)
	f.Contact = contactOf(r.Contact)
	if len(r.Machines) > 0 {
		f.Machines = r.Machines
		return f, warns, nil
	}
	for i, e := range r.Equipment {
		m, ok := e.machine(fmt.Sprintf("%s-%d", f.ID, i))
		if !ok {
			warn(fmt.Sprintf("equipment[%d].manufacturing_process", i), "%q is not a process dgml plans for; left out", e.Process)
			continue
		}
		f.Machines = append(f.Machines, m)
	}
	return f, warns, nil
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseGPS(s string) (geo.Point, error) {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return geo.Point{}, fmt.Errorf("%q is not a \"latitude, longitude\" pair", s)
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	p := geo.Point{Lat: lat, Lon: lon}
	if err1 != nil || err2 != nil || !p.Valid() {
		return geo.Point{}, fmt.Errorf("%q is not a latitude, longitude pair on the globe", s)
	}
	return p, nil
}

func access(s string) facility.Access {
	s = strings.ToLower(s)
	switch {
	case strings.Contains(s, "public"):
		return facility.AccessPublic
	case strings.Contains(s, "member"):
		return facility.AccessMembers
	case strings.Contains(s, "commercial"), strings.Contains(s, "service"):
		return facility.AccessCommercial
	case s == "":
		return ""
	}
	return facility.AccessRestricted
}

func textOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// contactOf picks something to reach the facility by.
func contactOf(raw json.RawMessage) string {
	var c map[string]any
	if json.Unmarshal(raw, &c) != nil {
		return textOf(raw)
	}
	for _, k := range []string{"email", "website", "mailing_list", "name"} {
		if s, ok := c[k].(string); ok && s != "" {
			return s
		}
	}
	if inner, ok := c["contact"].(map[string]any); ok {
		for _, k := range []string{"email", "landline", "mobile", "whatsapp"} {
			if s, ok := inner[k].(string); ok && s != "" {
				return s
			}
		}
	}
	return ""
}

// okwProcesses maps OKW's process and equipment names (Wikipedia links
// in practice) to dgml's vocabulary.
var okwProcesses = map[string]design.Process{
	"fused_filament_fabrication": design.ProcessFDM, "3d_printer": design.ProcessFDM, "3d_printing": design.ProcessFDM,
	"sla_printer": design.ProcessSLA, "stereolithography": design.ProcessSLA,
	"selective_laser_sintering": design.ProcessSLS,
	"laser_cutting":             design.ProcessLaserCutting, "laser_cutter": design.ProcessLaserCutting,
	"machining": design.ProcessCNCMilling, "cnc_mill": design.ProcessCNCMilling, "cnc_router": design.ProcessCNCMilling, "milling": design.ProcessCNCMilling,
	"cnc_lathe": design.ProcessCNCTurning, "lathe": design.ProcessCNCTurning,
	"pick_and_place": design.ProcessPCBAssembly, "reflow_oven": design.ProcessPCBAssembly, "soldering": design.ProcessPCBAssembly,
	"pcb_printer": design.ProcessPCBFabrication, "etching_tank": design.ProcessPCBFabrication,
	"sheet_metal_brake": design.ProcessSheetMetal, "welder": design.ProcessWelding, "welding": design.ProcessWelding,
	"assembly_station": design.ProcessAssembly, "assembly_line": design.ProcessAssembly, "drilling_machine": design.ProcessWoodworking,
	"spray_booth": design.ProcessFinishing, "paint_booth": design.ProcessFinishing, "sandblaster": design.ProcessFinishing,
	"vinyl_cutter": design.ProcessVinylCutting, "plasma_cutting": design.ProcessPlasmaCutting, "water_jet_cutter": design.ProcessWaterjet,
}

func processOf(s string) (design.Process, bool) {
	k := s
	if i := strings.LastIndex(k, "/wiki/"); i >= 0 {
		k = k[i+6:]
	}
	k = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(k), " ", "_"))
	if p, ok := okwProcesses[k]; ok {
		return p, true
	}
	if p, ok := design.ParseProcess(k); ok && p != design.ProcessUnknown {
		return p, true
	}
	return design.ProcessUnknown, false
}

// machine reads one piece of equipment. A build volume in mm³ is taken
// as a cube; a working surface as a square bed.
func (e *equipment) machine(id string) (facility.Machine, bool) {
	p, ok := processOf(e.Process)
	if !ok {
		if p, ok = processOf(e.Type); !ok {
			return facility.Machine{}, false
		}
	}
	m := facility.Machine{ID: id, Process: p, Make: e.Make, Model: e.Model, Quantity: e.Quantity, NozzleMM: e.Nozzle, LaserW: e.LaserPower}
	if e.PowerRating > 0 {
		m.PowerKW = e.PowerRating / 1000
	}
	if e.BuildVolume > 0 {
		side := cbrt(e.BuildVolume)
		m.Envelope = design.Dimensions{X: side, Y: side, Z: side}
	}
	var surface float64
	if json.Unmarshal(e.WorkingSurface, &surface) == nil && surface > 0 {
		// OKW leaves the unit open; the samples' 300 and 1200 read as mm.
		thick := 10.0
		if p == design.ProcessCNCMilling {
			thick = 100
		}
		m.Envelope = design.Dimensions{X: surface, Y: surface, Z: thick}
	}
	for _, mat := range e.Materials {
		if mat.Type != "" {
			m.Materials = append(m.Materials, facility.NormalizeMaterial(mat.Type))
		}
	}
	return m, true
}

func cbrt(v float64) float64 { return math.Round(math.Cbrt(v)*1000) / 1000 }
