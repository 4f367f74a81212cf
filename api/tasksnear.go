package api

import (
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/param"
)

// nearTasks keeps the tasks that say where they must be done and are
// within the radius (default 100 km), nearest first; tasks that can be
// done anywhere stay too.
func (s *Server) nearTasks(ts []collab.Task, near, radius string) ([]collab.Task, error) {
	at, err := param.Point("near", near)
	if err != nil {
		return nil, err
	}
	km, err := param.Positive("radius", radius, param.MaxRadiusKm, 100)
	if err != nil {
		return nil, err
	}
	var out []collab.Task
	for _, t := range ts {
		if t.Lat == 0 && t.Lon == 0 {
			out = append(out, t)
			continue
		}
		if geo.DistanceKm(at, geo.Point{Lat: t.Lat, Lon: t.Lon}) <= km {
			out = append(out, t)
		}
	}
	return out, nil
}
