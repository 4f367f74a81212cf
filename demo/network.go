package demo

import (
	"fmt"

	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
)

// demoCity is a place with demo workshops around it.
type demoCity struct {
	name, country string
	at            geo.Point
	labs          int
	zone          string
}

var demoCities = []demoCity{
	{"Athens", "GR", geo.Point{Lat: 37.9838, Lon: 23.7275}, 3, "Europe/Athens"},
	{"Barcelona", "ES", geo.Point{Lat: 41.3874, Lon: 2.1686}, 3, "Europe/Madrid"},
	{"Detroit", "US", geo.Point{Lat: 42.3314, Lon: -83.0458}, 2, "America/Detroit"},
	{"Nairobi", "KE", geo.Point{Lat: -1.2921, Lon: 36.8219}, 2, "Africa/Nairobi"},
	{"Bangalore", "IN", geo.Point{Lat: 12.9716, Lon: 77.5946}, 2, "Asia/Kolkata"},
	{"Sao Paulo", "BR", geo.Point{Lat: -23.5505, Lon: -46.6333}, 2, "America/Sao_Paulo"},
}

// kit is what a typical fab lab has (the Fab Foundation's inventory:
// 3D printers, a laser cutter, a large CNC router, a vinyl cutter, an
// electronics bench), with envelopes of common models.
func kit(slug string, variant int) []facility.Machine {
	ms := []facility.Machine{
		{ID: slug + "-fdm-1", Process: design.ProcessFDM, Make: "Prusa", Model: "MK4", Quantity: 2 + variant%2, Envelope: design.Dimensions{X: 250, Y: 210, Z: 220}, Materials: []string{"pla", "petg", "tpu"}, NozzleMM: 0.4, CapacityHours: 60},
		{ID: slug + "-laser", Process: design.ProcessLaserCutting, Make: "Trotec", Model: "Speedy 300", Envelope: design.Dimensions{X: 726, Y: 432, Z: 10}, Materials: []string{"wood", "acrylic", "felt", "cardboard"}, LaserW: 60, CapacityHours: 20},
		{ID: slug + "-vinyl", Process: design.ProcessVinylCutting, Make: "Roland", Model: "CAMM-1 GS-24", Envelope: design.Dimensions{X: 584, Y: 1000, Z: 1}, Materials: []string{"vinyl"}, CapacityHours: 10},
		{ID: slug + "-electronics", Process: design.ProcessPCBAssembly, Make: "Electronics bench", Model: "soldering and rework", CapacityHours: 20},
		{ID: slug + "-assembly", Process: design.ProcessAssembly, Make: "Assembly bench", CapacityHours: 20},
	}
	if variant != 1 {
		ms = append(ms, facility.Machine{ID: slug + "-cnc", Process: design.ProcessCNCMilling, Make: "ShopBot", Model: "PRSalpha 96-48", Envelope: design.Dimensions{X: 2438, Y: 1219, Z: 152}, Materials: []string{"wood", "hdpe", "aluminium", "acrylic"}, CapacityHours: 15})
	}
	if variant == 2 {
		ms = append(ms,
			facility.Machine{ID: slug + "-fdm-big", Process: design.ProcessFDM, Make: "Modix", Model: "BIG-60", Envelope: design.Dimensions{X: 600, Y: 600, Z: 660}, Materials: []string{"pla", "petg", "abs"}, NozzleMM: 0.6, HourlyRate: 6, CapacityHours: 30},
			facility.Machine{ID: slug + "-weld", Process: design.ProcessWelding, Make: "MIG welder", Envelope: design.Dimensions{X: 3000, Y: 2000, Z: 2000}, Materials: []string{"steel"}, CapacityHours: 10},
			facility.Machine{ID: slug + "-wood", Process: design.ProcessWoodworking, Make: "Wood workshop", Envelope: design.Dimensions{X: 2500, Y: 1250, Z: 600}, Materials: []string{"wood"}, CapacityHours: 15},
		)
	}
	return ms
}

// Network is the demo's workshops: a few around each city, plainly named
// as demo facilities, at made-up addresses near the centre.
func Network() []facility.Facility {
	var out []facility.Facility
	offsets := []geo.Point{{Lat: 0.01, Lon: 0.012}, {Lat: -0.03, Lon: 0.02}, {Lat: 0.05, Lon: -0.04}}
	for _, c := range demoCities {
		for i := 0; i < c.labs; i++ {
			slug := fmt.Sprintf("demo-%s-%d", design.Slug(c.name), i+1)
			access := []facility.Access{facility.AccessPublic, facility.AccessCommercial, facility.AccessMembers}[i%3]
			out = append(out, facility.Facility{
				ID:           fmt.Sprintf("01900000-0000-7000-8000-%012d", len(out)+1),
				Name:         fmt.Sprintf("Demo Fab Lab %s %d", c.name, i+1),
				Description:  "A demonstration workshop of the dgml demo network; not a real facility.",
				Location:     geo.Point{Lat: c.at.Lat + offsets[i].Lat, Lon: c.at.Lon + offsets[i].Lon},
				City:         c.name,
				Country:      c.country,
				Access:       access,
				OpeningHours: "Mon-Fri 10:00-19:00",
				Status:       "active",
				Source:       "demo",
				Demo:         true,
				Machines:     withUse(kit(slug, i), c.zone),
			})
		}
	}
	return out
}

// withUse gives the demo machines the opening hours of the labs (Monday
// to Friday 10:00-19:00 in the city's time zone) and booking rules of a
// typical fab lab: printers for anyone with an account, the laser for
// people the lab trained ("laser safety"), the CNC router for members,
// who may also book at any time.
func withUse(ms []facility.Machine, zone string) []facility.Machine {
	var week []facility.Window
	for _, d := range []string{"mo", "tu", "we", "th", "fr"} {
		week = append(week, facility.Window{Day: d, From: "10:00", To: "19:00"})
	}
	for i := range ms {
		m := &ms[i]
		m.Hours = &facility.Hours{Zone: zone, Weekly: week}
		members := facility.UseRule{Who: facility.WhoMembers, PricePerHour: 4, Anytime: true}
		switch m.Process {
		case design.ProcessFDM:
			m.Use = &facility.Use{Currency: "EUR", CancelHours: 2, MaxHours: 8, Rules: []facility.UseRule{{Who: facility.WhoPublic, PricePerHour: 5}, members}}
		case design.ProcessLaserCutting:
			m.Use = &facility.Use{Currency: "EUR", CancelHours: 24, MaxHours: 3, Rules: []facility.UseRule{{Who: facility.WhoQualified, Qualification: "laser safety", PricePerHour: 20}, {Who: facility.WhoMembers, PricePerHour: 12}}}
		case design.ProcessCNCMilling:
			m.Use = &facility.Use{Currency: "EUR", CancelHours: 24, MaxHours: 4, Rules: []facility.UseRule{members}}
		}
	}
	return ms
}
