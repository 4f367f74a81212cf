package web

import (
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"math"
	"net/url"
	"strings"

	"github.com/dgml/dgml/geo"
)

// The map is Natural Earth's country outlines (web/static/world.svg,
// equirectangular, 1000×500) with points drawn on top, all on the server:
// it needs no tile server, no network and no script.
const mapW, mapH = 1000.0, 500.0

func project(p geo.Point) (x, y float64) {
	return (p.Lon + 180) / 360 * mapW, (90 - p.Lat) / 180 * mapH
}

// mapPoint is a point to draw: a place, its label and a style.
type mapPoint struct {
	At    geo.Point
	Label string
	Kind  string // facility, chosen, user
	Link  string
}

// drawMap renders the outlines and points; with zoom, the view fits the
// points (with a margin) instead of the whole world.
func drawMap(points []mapPoint, zoom bool, label string) template.HTML {
	vx, vy, vw, vh := 0.0, 0.0, mapW, mapH
	if zoom && len(points) > 0 {
		minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, p := range points {
			x, y := project(p.At)
			minX, minY, maxX, maxY = math.Min(minX, x), math.Min(minY, y), math.Max(maxX, x), math.Max(maxY, y)
		}
		// At least a region (some 15 degrees) around the points, so the
		// map shows where they are.
		vw = math.Max((maxX-minX)*1.6, 40)
		vh = math.Max((maxY-minY)*1.6, 20)
		if vw/vh > 2 {
			vh = vw / 2
		} else {
			vw = vh * 2
		}
		vx, vy = (minX+maxX)/2-vw/2, (minY+maxY)/2-vh/2
	}
	r := vw / 180 // points keep their size on screen whatever the zoom
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="map" viewBox="%.3f %.3f %.3f %.3f" role="img" aria-label="%s">`, vx, vy, vw, vh, html.EscapeString(label))
	fmt.Fprintf(&b, `<image href="/static/world.svg" x="0" y="0" width="%g" height="%g"/>`, mapW, mapH)
	// Shifted copies either side, so a zoomed view across the
	// antimeridian still shows land.
	fmt.Fprintf(&b, `<image href="/static/world.svg" x="%g" y="0" width="%g" height="%g"/>`, -mapW, mapW, mapH)
	fmt.Fprintf(&b, `<image href="/static/world.svg" x="%g" y="0" width="%g" height="%g"/>`, mapW, mapW, mapH)
	for _, p := range points {
		x, y := project(p.At)
		title := html.EscapeString(p.Label)
		size := map[string]float64{"user": 1.8, "chosen": 1.3, "facility": 1}[p.Kind]
		shape := fmt.Sprintf(`<circle class="pt %s" cx="%.2f" cy="%.2f" r="%.3f" stroke-width="%.3f"><title>%s</title></circle>`, p.Kind, x, y, r*size, r/4, title)
		if p.Link != "" {
			fmt.Fprintf(&b, `<a href="%s">%s</a>`, html.EscapeString(p.Link), shape)
		} else {
			b.WriteString(shape)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// bars draws the plan's totals beside the baseline: one group per
// measure, each bar scaled to its group's largest value.
type bar struct {
	Label string
	Value float64
	Text  string
}

func barChart(title string, groups map[string][]bar, order []string) template.HTML {
	// Narrow, with each bar's label on its own line above it, so that on
	// a phone the text is drawn near its own size rather than shrunk.
	var b strings.Builder
	groupH, barH, width, valueW := 26.0, 40.0, 400.0, 120.0
	height := 8.0
	for _, g := range order {
		height += groupH + float64(len(groups[g]))*barH
	}
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s">`, width, height, html.EscapeString(title))
	y := 0.0
	for _, g := range order {
		fmt.Fprintf(&b, `<text x="0" y="%.0f" class="group">%s</text>`, y+18, html.EscapeString(g))
		y += groupH
		maxV := 0.0
		for _, br := range groups[g] {
			maxV = math.Max(maxV, br.Value)
		}
		for i, br := range groups[g] {
			w := 0.0
			if maxV > 0 {
				w = br.Value / maxV * (width - valueW)
			}
			fmt.Fprintf(&b, `<text x="8" y="%.0f">%s</text><rect class="b%d" x="8" y="%.0f" width="%.1f" height="14"/><text x="%.1f" y="%.0f">%s</text>`,
				y+14, html.EscapeString(br.Label), i, y+20, w, 8+w+6, y+32, html.EscapeString(br.Text))
			y += barH
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// liveMap is the drawn map wrapped with what map.js needs to make it a
// zoomable one: the points, the country outlines and the operator's
// tile source. Without JavaScript the drawing is what shows.
func (s *Site) liveMap(points []mapPoint, zoom bool, label string) template.HTML {
	return s.mapWith(points, zoom, label, "")
}

// mapWith is liveMap; pick names a form field the map writes a clicked
// place into.
func (s *Site) mapWith(points []mapPoint, zoom bool, label, pick string) template.HTML {
	type pt struct {
		Lat   float64 `json:"lat"`
		Lon   float64 `json:"lon"`
		Label string  `json:"label"`
		Kind  string  `json:"kind"`
		Link  string  `json:"link,omitempty"`
	}
	pts := make([]pt, 0, len(points))
	for _, p := range points {
		pts = append(pts, pt{p.At.Lat, p.At.Lon, p.Label, p.Kind, p.Link})
	}
	js, _ := json.Marshal(pts)
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="map-wrap" data-points="%s" data-zoom="%t" data-label="%s" data-outlines="%s"`,
		html.EscapeString(string(js)), zoom, html.EscapeString(label), html.EscapeString(s.assets.URL("vendor/world/countries-10m.json")))
	if s.tiles != "" {
		fmt.Fprintf(&b, ` data-tiles="%s"`, html.EscapeString(s.tiles))
	}
	if s.pmtiles != "" {
		fmt.Fprintf(&b, ` data-pmtiles="%s"`, html.EscapeString(s.pmtiles))
	}
	if s.tiles != "" || s.pmtiles != "" {
		fmt.Fprintf(&b, ` data-tiles-credit="%s"`, html.EscapeString(s.tilesCredit))
	}
	if pick != "" {
		fmt.Fprintf(&b, ` data-pick="%s"`, html.EscapeString(pick))
	}
	b.WriteString(">")
	b.WriteString(string(drawMap(points, zoom, label)))
	b.WriteString("</div>")
	return template.HTML(b.String())
}

// tileOrigin is the scheme and host of a tile URL template, which the
// pages' content policy must allow images from.
func tileOrigin(tiles string) string {
	if !strings.Contains(tiles, "://") {
		return ""
	}
	u, err := url.Parse(strings.NewReplacer("{s}", "a", "{z}", "0", "{x}", "0", "{y}", "0", "{r}", "").Replace(tiles))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
