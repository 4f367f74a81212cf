package okw

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
)

// parseGeoJSON reads points of a FeatureCollection (the hackerspaces
// list) as facilities whose machines are unknown.
func parseGeoJSON(file string, data []byte) ([]facility.Facility, []Warning, error) {
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string    `json:"type"`
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, nil, jsonError(file, data, err)
	}
	if len(fc.Features) > MaxRecords {
		return nil, nil, &dgml.Error{Kind: dgml.TooLarge, File: file, Msg: fmt.Sprintf("%d features: import at most %d at a time", len(fc.Features), MaxRecords)}
	}
	var out []facility.Facility
	var warns []Warning
	for i, ft := range fc.Features {
		field := fmt.Sprintf("features[%d]", i)
		name, _ := ft.Properties["name"].(string)
		if ft.Geometry.Type != "Point" || len(ft.Geometry.Coordinates) < 2 || strings.TrimSpace(name) == "" {
			warns = append(warns, Warning{file, field, "not a named point; left out"})
			continue
		}
		p := geo.Point{Lat: ft.Geometry.Coordinates[1], Lon: ft.Geometry.Coordinates[0]}
		if !p.Valid() {
			warns = append(warns, Warning{file, field + ".geometry", "coordinates off the globe; left out"})
			continue
		}
		url, _ := ft.Properties["url"].(string)
		out = append(out, facility.Facility{Name: strings.TrimSpace(name), Location: p, URL: url, Access: facility.AccessMembers, Source: "hackerspaces", Machines: []facility.Machine{}})
	}
	return out, warns, nil
}

// parseMapOfMakers reads one space of a Map of Makers list: a point, and
// processes without machine details.
func parseMapOfMakers(file string, data []byte) ([]facility.Facility, []Warning, error) {
	var s struct {
		Space     string   `json:"space"`
		Name      string   `json:"name"`
		Lat       float64  `json:"lat"`
		Lon       float64  `json:"lon"`
		City      string   `json:"city"`
		Country   string   `json:"country"`
		Status    string   `json:"status"`
		URL       *string  `json:"url"`
		Processes []string `json:"processes"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, nil, jsonError(file, data, err)
	}
	if strings.TrimSpace(s.Name) == "" {
		return nil, nil, &dgml.Error{Kind: dgml.Invalid, File: file, Field: "name", Msg: "a space needs a name"}
	}
	p := geo.Point{Lat: s.Lat, Lon: s.Lon}
	if !p.Valid() {
		return nil, nil, &dgml.Error{Kind: dgml.Invalid, File: file, Field: "lat", Msg: "coordinates off the globe"}
	}
	f := facility.Facility{Name: s.Name, Location: p, City: s.City, Status: s.Status, Source: "mapofmakers", URL: s.Space, Machines: []facility.Machine{}}
	if s.URL != nil {
		f.URL = *s.URL
	}
	if c, ok := countryCode(s.Country); ok {
		f.Country = c
	}
	var warns []Warning
	for i, pr := range s.Processes {
		proc, ok := processOf(pr)
		if !ok {
			warns = append(warns, Warning{file, fmt.Sprintf("processes[%d]", i), fmt.Sprintf("%q is not a process dgml plans for; left out", pr)})
			continue
		}
		f.Machines = append(f.Machines, facility.Machine{ID: fmt.Sprintf("%s-%d", s.Name, i), Process: proc})
	}
	if len(s.Processes) == 0 {
		warns = append(warns, Warning{file, "processes", "no processes listed: the space is kept, with no machines to plan on"})
	}
	return []facility.Facility{f}, warns, nil
}

var countries = map[string]string{
	"united states": "US", "usa": "US", "united kingdom": "GB", "uk": "GB", "germany": "DE", "france": "FR",
	"italy": "IT", "spain": "ES", "greece": "GR", "netherlands": "NL", "belgium": "BE", "austria": "AT",
	"switzerland": "CH", "denmark": "DK", "norway": "NO", "sweden": "SE", "finland": "FI", "poland": "PL",
	"czechia": "CZ", "czech republic": "CZ", "portugal": "PT", "ireland": "IE", "canada": "CA", "mexico": "MX",
	"brazil": "BR", "argentina": "AR", "chile": "CL", "colombia": "CO", "peru": "PE", "kenya": "KE",
	"nigeria": "NG", "ghana": "GH", "south africa": "ZA", "ethiopia": "ET", "namibia": "NA", "egypt": "EG",
	"morocco": "MA", "india": "IN", "china": "CN", "japan": "JP", "south korea": "KR", "indonesia": "ID",
	"philippines": "PH", "vietnam": "VN", "thailand": "TH", "australia": "AU", "new zealand": "NZ",
	"turkey": "TR", "israel": "IL", "ukraine": "UA", "russia": "RU", "pakistan": "PK", "bangladesh": "BD",
	"iceland": "IS", "tanzania": "TZ", "uganda": "UG", "rwanda": "RW",
}

// countryCode reads a country name or code as ISO 3166-1 alpha-2.
func countryCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 2 && strings.ToUpper(s) == s {
		return s, true
	}
	c, ok := countries[strings.ToLower(s)]
	return c, ok
}

// Marshal writes a facility as an OKW record; dgml's machine details go
// under x-dgml keys so that reading it back loses nothing.
func Marshal(f *facility.Facility) ([]byte, error) {
	type loc struct {
		GPS     string `json:"gps_coordinates"`
		City    string `json:"city,omitempty"`
		Country string `json:"country,omitempty"`
		Address *struct {
			Street string `json:"street,omitempty"`
		} `json:"address,omitempty"`
	}
	type equip struct {
		Type      string     `json:"equipment_type"`
		Process   string     `json:"manufacturing_process"`
		Make      string     `json:"make,omitempty"`
		Model     string     `json:"model,omitempty"`
		Quantity  int        `json:"quantity,omitempty"`
		Materials []material `json:"materials_worked,omitempty"`
	}
	out := struct {
		ID        string             `json:"id"`
		Name      string             `json:"name"`
		Location  loc                `json:"location"`
		Status    string             `json:"facility_status,omitempty"`
		Hours     string             `json:"opening_hours,omitempty"`
		Desc      string             `json:"description,omitempty"`
		Access    string             `json:"access_type,omitempty"`
		Contact   map[string]string  `json:"contact,omitempty"`
		Equipment []equip            `json:"equipment"`
		Machines  []facility.Machine `json:"x-dgml-machines"`
		Grid      float64            `json:"x-dgml-grid-g-per-kwh,omitempty"`
	}{
		ID: f.ID, Name: f.Name, Status: f.Status, Hours: f.OpeningHours, Desc: f.Description, Access: string(f.Access),
		Location: loc{GPS: fmt.Sprintf("%.7f, %.7f", f.Location.Lat, f.Location.Lon), City: f.City, Country: f.Country},
		Machines: f.Machines, Grid: f.GridIntensity, Equipment: []equip{},
	}
	if f.Address != "" {
		out.Location.Address = &struct {
			Street string `json:"street,omitempty"`
		}{f.Address}
	}
	if f.Contact != "" {
		out.Contact = map[string]string{"name": f.Contact}
	}
	for _, m := range f.Machines {
		e := equip{Type: string(m.Process), Process: string(m.Process), Make: m.Make, Model: m.Model, Quantity: m.Quantity}
		for _, mat := range m.Materials {
			e.Materials = append(e.Materials, material{Type: mat})
		}
		out.Equipment = append(out.Equipment, e)
	}
	return json.MarshalIndent(out, "", "  ")
}
