// Package geo answers "what is near this point" on the globe: great-circle
// distances and a spatial index of points over S2 cells, so that radius
// and nearest queries are right everywhere, across the antimeridian and
// near the poles, where a flat latitude/longitude index is not.
package geo

import (
	"math"
	"sort"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
)

// EarthRadiusKm is the mean radius of the Earth (IUGG).
const EarthRadiusKm = 6371.0088

// MaxDistanceKm is the farthest two places on the Earth are apart.
const MaxDistanceKm = math.Pi * EarthRadiusKm

// Point is a position in degrees.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Valid reports whether the point is on the globe.
func (p Point) Valid() bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180 && !math.IsNaN(p.Lat) && !math.IsNaN(p.Lon)
}

func (p Point) s2() s2.Point { return s2.PointFromLatLng(s2.LatLngFromDegrees(p.Lat, p.Lon)) }

// DistanceKm is the great-circle distance between two points.
func DistanceKm(a, b Point) float64 {
	return float64(a.s2().Distance(b.s2())) * EarthRadiusKm
}

// Index holds points by the S2 leaf cell they fall in, sorted, so that a
// region's covering cells map to ranges of the slice.
type Index struct {
	cells []s2.CellID
	ids   []int
	pts   []Point
}

// NewIndex indexes points; results name them by their position in pts.
func NewIndex(pts []Point) *Index {
	x := &Index{pts: pts}
	order := make([]int, len(pts))
	cells := make([]s2.CellID, len(pts))
	for i, p := range pts {
		order[i] = i
		cells[i] = s2.CellIDFromLatLng(s2.LatLngFromDegrees(p.Lat, p.Lon))
	}
	sort.Slice(order, func(a, b int) bool { return cells[order[a]] < cells[order[b]] })
	for _, i := range order {
		x.cells = append(x.cells, cells[i])
		x.ids = append(x.ids, i)
	}
	return x
}

// Hit is a point found near a query, with its distance.
type Hit struct {
	ID int     // position in the indexed slice
	Km float64 // great-circle distance
}

// Within returns the points within radiusKm of p, nearest first.
func (x *Index) Within(p Point, radiusKm float64) []Hit {
	if len(x.cells) == 0 || radiusKm < 0 {
		return nil
	}
	angle := s1.Angle(math.Min(radiusKm/EarthRadiusKm, math.Pi))
	capRegion := s2.CapFromCenterAngle(p.s2(), angle)
	rc := &s2.RegionCoverer{MaxLevel: 30, MaxCells: 16}
	center := p.s2()
	var hits []Hit
	for _, c := range rc.Covering(capRegion) {
		lo, hi := c.RangeMin(), c.RangeMax()
		i := sort.Search(len(x.cells), func(k int) bool { return x.cells[k] >= lo })
		for ; i < len(x.cells) && x.cells[i] <= hi; i++ {
			id := x.ids[i]
			km := float64(center.Distance(x.pts[id].s2())) * EarthRadiusKm
			if km <= radiusKm {
				hits = append(hits, Hit{id, km})
			}
		}
	}
	sort.Slice(hits, func(a, b int) bool {
		if hits[a].Km != hits[b].Km {
			return hits[a].Km < hits[b].Km
		}
		return hits[a].ID < hits[b].ID
	})
	return hits
}

// Nearest returns the nearest point that passes keep, searching outward
// in widening circles; ok is false when none does.
func (x *Index) Nearest(p Point, keep func(id int) bool) (Hit, bool) {
	for r := 25.0; ; r *= 4 {
		for _, h := range x.Within(p, r) {
			if keep(h.ID) {
				return h, true
			}
		}
		if r > math.Pi*EarthRadiusKm {
			return Hit{}, false
		}
	}
}

// Box is a latitude/longitude box holding every point within radiusKm
// of p, for a first cut in a database query; the distance itself
// decides. lo.Lon > hi.Lon when the box crosses the antimeridian; near a
// pole the box spans every longitude.
func Box(p Point, radiusKm float64) (lo, hi Point) {
	const kmPerDegree = math.Pi * EarthRadiusKm / 180
	dlat := radiusKm / kmPerDegree
	lo.Lat, hi.Lat = math.Max(-90, p.Lat-dlat), math.Min(90, p.Lat+dlat)
	c := math.Cos(math.Max(math.Abs(lo.Lat), math.Abs(hi.Lat)) * math.Pi / 180)
	if c < 1e-9 || radiusKm/(kmPerDegree*c) >= 180 {
		return Point{lo.Lat, -180}, Point{hi.Lat, 180}
	}
	dlon := radiusKm / (kmPerDegree * c)
	lo.Lon, hi.Lon = p.Lon-dlon, p.Lon+dlon
	if lo.Lon < -180 {
		lo.Lon += 360
	}
	if hi.Lon > 180 {
		hi.Lon -= 360
	}
	return lo, hi
}
