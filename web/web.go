// Package web serves the node's pages: server-rendered HTML from embedded
// templates, usable without JavaScript (a small script only offers the
// browser's location on the design page).
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/dispatch"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/federation"
	"github.com/dgml/dgml/geometry"
	"github.com/dgml/dgml/guard"
	"github.com/dgml/dgml/ledger"
	"github.com/dgml/dgml/network"
	"github.com/dgml/dgml/order"
	"github.com/dgml/dgml/param"
	"github.com/dgml/dgml/people"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the site needs. TempDir (inside the data folder) takes
// uploads while they are read.
type Config struct {
	Commons *commons.Service
	Network *network.Service
	People  *people.Service
	// Federation, when set, names the nodes designs live at and serves
	// the admins' page of followed nodes.
	Federation *federation.Service
	// Bookings, Orders and Runs, when set, serve machine time, orders
	// and the runs on machines.
	Bookings *booking.Service
	Orders   *order.Service
	Runs     *dispatch.Service
	// Ledger, when set, serves the commons' value accounting.
	Ledger *ledger.Service
	// Tiles, when set, is a map tile URL template
	// (https://tile.example.org/{z}/{x}/{y}.png), or a raster PMTiles
	// archive (a file on this machine, which the node serves, or a URL
	// ending in .pmtiles), drawn under the outlines for street-level
	// detail; TilesCredit is its attribution.
	Tiles, TilesCredit string
	TempDir            string
	// MaxUpload bounds an uploaded design, in bytes.
	MaxUpload int64
	Log       *slog.Logger
}

// Site is the web interface.
type Site struct {
	assets      *assets
	tiles       string
	pmtiles     string
	tilesCredit string
	csp         string
	commons     *commons.Service
	network     *network.Service
	people      *people.Service
	fed         *federation.Service
	bookings    *booking.Service
	orders      *order.Service
	runs        *dispatch.Service
	ledger      *ledger.Service
	homes       homes
	tmpDir      string
	maxUpload   int64
	log         *slog.Logger
	tmpl        *template.Template
}

// New registers the pages on mux.
func New(cfg Config, mux *http.ServeMux) *Site {
	c, n, tmpDir, log := cfg.Commons, cfg.Network, cfg.TempDir, cfg.Log
	if log == nil {
		log = slog.Default()
	}
	var site *Site
	funcs := template.FuncMap{
		"home":  func(node string) Home { return site.homeOf(node) },
		"join":  strings.Join,
		"isURL": func(s string) bool { return strings.Contains(s, "://") },
		"mm":    dims,
		"mesh":  meshSum,
		"hours": hoursText,
		"eur":   func(f float64) string { return money(f) },
		"kg":    func(f float64) string { return kgText(f) },
		"km":    func(f float64) string { return kmText(f) },
		"num":   num,
		"add":   func(a, b int) int { return a + b },
		"pct":   func(f float64) float64 { return f * 100 },
		"pct1":  func(bp int) float64 { return float64(bp) / 100 },
		"neg":   func(n int64) int64 { return -n },
		"procs": func() any { return design.Processes },
		"access": func() []facility.Access {
			return []facility.Access{facility.AccessPublic, facility.AccessMembers, facility.AccessCommercial, facility.AccessRestricted}
		},
		"errfor":   func(errs map[string]string, field string) string { return errs[field] },
		"state":    stateText,
		"minor":    minor,
		"money":    ledger.Format,
		"pathesc":  url.PathEscape,
		"in":       func(t time.Time, loc *time.Location) time.Time { return t.In(loc) },
		"langname": langName,
		"fld": func(id, label, value string, errs map[string]string) map[string]string {
			return map[string]string{"ID": id, "Label": label, "Value": value, "Err": errs[id]}
		},
		"keptnames": func(kept string) []string {
			var out []string
			for _, r := range decodeKept(kept) {
				out = append(out, r.Path)
			}
			return out
		},
		"otrls":      func() []string { return design.OTRLNames },
		"odrls":      func() []string { return design.ODRLNames },
		"changekind": changeKind,
		"asset":      func(name string) string { return site.assets.URL(name) },
		"cm3":        func(mm3 float64) float64 { return mm3 / 1000 },
		"mul":        func(a, b float64) float64 { return a * b },
		// val reads a form's value or error, whether or not the page
		// has the form's map.
		"val": func(m any, k string) string {
			if mm, ok := m.(map[string]string); ok {
				return mm[k]
			}
			return ""
		},
		"keylabel": keyLabel,
		"pickmap": func(field string) template.HTML {
			return site.mapWith(nil, false, "Click where the workshop is", field)
		},
		"cm2":      func(mm2 float64) float64 { return mm2 / 100 },
		"base":     path.Base,
		"bytes":    bytesText,
		"otrlname": design.OTRLName,
		"dict3": func(id, label string, values, errs map[string]string) map[string]string {
			return map[string]string{"ID": id, "Label": label, "Value": values[id], "Err": errs[id]}
		},
	}
	if cfg.MaxUpload == 0 {
		cfg.MaxUpload = 256 << 20
	}
	as, err := embeddedAssets()
	if err != nil {
		panic("web: the embedded static files: " + err.Error())
	}
	tiles, pmtiles, origin := cfg.Tiles, "", tileOrigin(cfg.Tiles)
	if strings.HasSuffix(strings.ToLower(tiles), ".pmtiles") {
		tiles, pmtiles = "", cfg.Tiles
		if !strings.Contains(cfg.Tiles, "://") {
			// A file of this machine, served with ranges as PMTiles
			// readers ask for them.
			path := cfg.Tiles
			pmtiles, origin = pmtilesPath, ""
			mux.HandleFunc("GET "+pmtilesPath, func(w http.ResponseWriter, r *http.Request) {
				f, err := os.Open(path)
				if err != nil {
					http.Error(w, "the node's map tiles are not readable: "+err.Error(), http.StatusNotFound)
					return
				}
				defer f.Close()
				w.Header().Set("Content-Type", "application/vnd.pmtiles")
				w.Header().Set("Cache-Control", "public, max-age=3600")
				http.ServeContent(w, r, "", time.Time{}, f)
			})
		}
	}
	s := &Site{assets: as, tiles: tiles, pmtiles: pmtiles, tilesCredit: cfg.TilesCredit, csp: contentPolicy(origin, pmtiles != ""), commons: c, network: n, people: cfg.People, fed: cfg.Federation, bookings: cfg.Bookings, orders: cfg.Orders, runs: cfg.Runs, ledger: cfg.Ledger, tmpDir: tmpDir, maxUpload: cfg.MaxUpload, log: log, tmpl: template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))}
	mux.Handle("GET /static/", s.assets)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.assets.URL("favicon.svg"), http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /designs/{ref}/parts/{key}", s.page(s.partPage))
	mux.HandleFunc("GET /{$}", s.page(s.home))
	mux.HandleFunc("GET /designs", s.page(s.designs))
	mux.HandleFunc("GET /designs/{ref}", s.page(s.design))
	mux.HandleFunc("GET /designs/{ref}/plan", s.page(s.plan))
	mux.HandleFunc("GET /facilities", s.page(s.facilities))
	mux.HandleFunc("GET /facilities/new", s.page(s.facilityForm))
	mux.HandleFunc("POST /facilities/new", s.page(s.registerFacility))
	mux.HandleFunc("GET /facilities/{ref}", s.page(s.facility))
	mux.HandleFunc("GET /facilities/{ref}/edit", s.page(s.editFacility))
	mux.HandleFunc("POST /facilities/{ref}/edit", s.page(s.updateFacility))
	mux.HandleFunc("POST /facilities/{ref}/withdraw", s.page(s.withdrawFacility))
	mux.HandleFunc("GET /upload", s.page(s.uploadForm))
	mux.HandleFunc("POST /upload", s.page(s.upload))
	site = s
	s.peoplePages(mux)
	s.assessPages(mux)
	s.federationPages(mux)
	s.productionPages(mux)
	s.ledgerPages(mux)
	s.editPages(mux)
	mux.HandleFunc("/", s.page(func(w http.ResponseWriter, r *http.Request) (*view, error) {
		return nil, &dgml.Error{Kind: dgml.NotFound, Msg: "There is no page at " + r.URL.Path + " on this node."}
	}))
	return s
}

// BodyLimits are the pages whose forms take more than guard.DefaultBody
// (files), and the log-in forms, which take far less; by mux pattern.
func (s *Site) BodyLimits() map[string]int64 {
	return map[string]int64{
		"POST /upload":                s.maxUpload,
		"POST /designs/new":           s.maxUpload, // the editor, with its files
		"POST /designs/{ref}/edit":    s.maxUpload,
		"POST /designs/{ref}/reports": 6*people.MaxPhotoBytes + 1<<20,
		"POST /login":                 64 << 10,
		"POST /signup":                64 << 10,
	}
}

// Fail answers a request that failed before reaching its page (too
// large, say) with the site's error page.
func (s *Site) Fail(w http.ResponseWriter, r *http.Request, err error) { s.fail(w, r, err) }

// view is what a handler gives the page writer: a template and its data,
// or a redirect.
type view struct {
	name     string
	data     map[string]any
	status   int
	redirect string
}

func (s *Site) page(h func(w http.ResponseWriter, r *http.Request) (*view, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r, err := s.session(w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v, err := h(w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if v.redirect != "" {
			http.Redirect(w, r, v.redirect, http.StatusSeeOther)
			return
		}
		if v.status == 0 {
			v.status = http.StatusOK
		}
		v.data["Me"], v.data["CSRF"] = viewer(r)
		s.render(w, v.status, v.name, v.data)
	}
}

func (s *Site) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", s.csp)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if err := s.tmpl.ExecuteTemplate(w, name, data); err != nil {
		s.log.Error("render", "template", name, "err", err)
	}
}

func (s *Site) fail(w http.ResponseWriter, r *http.Request, err error) {
	kind := dgml.KindOf(err)
	msg := err.Error()
	if kind == dgml.Internal {
		s.log.Error("page failed", "err", err)
		msg = "Something went wrong on this node. Its log says what."
	}
	var e *dgml.Error
	if errors.As(err, &e) && e.Field != "" {
		msg = e.Field + ": " + e.Msg
	}
	title := map[dgml.Kind]string{dgml.NotFound: "Not found", dgml.Unauthorized: "Log in first", dgml.Forbidden: "Not yours to change",
		dgml.Invalid: "That cannot be read", dgml.Conflict: "Already changed", dgml.TooLarge: "Too large", dgml.TooMany: "Too many tries"}[kind]
	if title == "" {
		title = "Something went wrong"
	}
	data := map[string]any{"Title": title, "Message": msg, "LoginNeeded": kind == dgml.Unauthorized, "NotFound": kind == dgml.NotFound}
	if r.Method == http.MethodGet {
		data["Next"] = guard.LocalPath(r.URL.RequestURI())
	}
	data["Me"], data["CSRF"] = viewer(r)
	s.render(w, dgml.HTTPStatus(kind), "error.html", data)
}

func page(name, title string, data map[string]any) *view {
	if data == nil {
		data = map[string]any{}
	}
	data["Title"] = title
	return &view{name: name, data: data}
}

func (s *Site) home(w http.ResponseWriter, r *http.Request) (*view, error) {
	ctx := r.Context()
	stats, err := s.commons.Store.Stats(ctx)
	if err != nil {
		return nil, err
	}
	recent, err := s.commons.Store.Search(ctx, design.Query{Limit: 30})
	if err != nil {
		return nil, err
	}
	// The newest designs that can be seen come first: a picture says
	// more than a name to someone arriving.
	sort.SliceStable(recent.Items, func(i, j int) bool { return recent.Items[i].Thumb != "" && recent.Items[j].Thumb == "" })
	recent.Items = recent.Items[:min(6, len(recent.Items))]
	all, err := s.network.All(ctx)
	if err != nil {
		return nil, err
	}
	countries := map[string]bool{}
	var pts []mapPoint
	for _, f := range all {
		if f.Country != "" {
			countries[f.Country] = true
		}
		pts = append(pts, mapPoint{At: f.Location, Label: f.Name, Kind: "facility", Link: "/facilities/" + f.Slug})
	}
	return page("home.html", "dgml commons", map[string]any{
		"Stats": stats, "Recent": recent, "Facilities": len(all), "Countries": len(countries),
		"Map": s.liveMap(pts, false, "Map of the network's facilities"),
	}), nil
}

func (s *Site) designs(w http.ResponseWriter, r *http.Request) (*view, error) {
	q, err := param.DesignQuery(r.URL.Query())
	if err != nil {
		return nil, err
	}
	res, err := s.commons.Store.Search(r.Context(), q)
	if err != nil {
		return nil, err
	}
	next, prev := "", ""
	v := r.URL.Query()
	if res.Offset+len(res.Items) < res.Total {
		v.Set("offset", itoa(res.Offset+len(res.Items)))
		next = "/designs?" + v.Encode()
	}
	if res.Offset > 0 {
		v.Set("offset", itoa(max(0, res.Offset-res.Limit)))
		prev = "/designs?" + v.Encode()
	}
	return page("designs.html", "Designs", map[string]any{"Query": q, "Results": res, "Next": next, "Prev": prev}), nil
}

// partRow is a line of the design page's parts table.
type partRow struct {
	Depth    int
	Path     string
	Key      string // indices from the top of the tree: the part page's address
	Part     design.Part
	Mesh     string
	Hours    float64
	Grams    float64
	HasEst   bool
	Quantity float64 // in one design, modules multiplied through
}

func (s *Site) design(w http.ResponseWriter, r *http.Request) (*view, error) {
	ctx := r.Context()
	d, rev, err := s.commons.Head(ctx, r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	var parent *design.Design
	if d.ForkedFrom != nil {
		// A parent on another node is simply not linked.
		if parent, err = s.commons.Store.Design(ctx, d.ForkedFrom.Design); dgml.KindOf(err) == dgml.NotFound {
			parent, err = nil, nil
		}
		if err != nil {
			return nil, err
		}
	}
	forks, err := s.commons.Store.Forks(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	rows, bought := s.partRows(ctx, rev)
	bom, bomTotals, unpriced := billOfMaterials(bought)
	var proposals []collab.Proposal
	var tasks []collab.Task
	maintainer := false
	if s.people != nil {
		if proposals, err = s.people.Store.Proposals(ctx, d.ID); err != nil {
			return nil, err
		}
		if tasks, err = s.people.Store.Tasks(ctx, collab.TaskQuery{Design: d.ID, OpenOnly: true}); err != nil {
			return nil, err
		}
		maintainer = s.people.May(ctx, me(r), account.Maintainer, d.ID) == nil
	}
	lang := r.URL.Query().Get("lang")
	data := map[string]any{
		"Design": d, "Rev": rev, "Totals": design.Count(rev.Parts), "Rows": rows, "Bought": bom, "BOMTotals": bomTotals, "Unpriced": unpriced,
		"Parent": parent, "Forks": forks, "Lang": lang, "Languages": rev.Manifest.Languages,
		"Proposals": proposals, "Tasks": tasks, "IsMaintainer": maintainer,
	}
	if err := s.assessment(ctx, d, rev, lang, data); err != nil {
		return nil, err
	}
	data["TimeValue"] = s.network.Factors.TimeValueEURPerDay.Value
	return page("design.html", d.Name, data), nil
}

type stepView struct{ Title, Text, Note string }

// shownTexts puts a design's texts in the reader's language on the page:
// the steps, and the name and function where they are translated.
func shownTexts(texts []design.Shown, data map[string]any) {
	var steps []stepView
	for _, t := range texts {
		switch {
		case strings.HasPrefix(t.Key, "step:"):
			steps = append(steps, stepView{t.Title, t.Text, t.Note})
		case t.Note == "":
			data["Local_"+t.Key] = t.Text
		}
	}
	data["Steps"] = steps
}

// assessment adds to the design page what the community says of it
// (maturity with evidence, build figures) and its texts in the reader's
// language with contributed translations.
func (s *Site) assessment(ctx context.Context, d *design.Design, rev *design.Revision, lang string, data map[string]any) error {
	if s.people == nil { // no community here: the manifest's own translations only
		shownTexts(rev.Localise(lang, nil), data)
		return nil
	}
	l, err := s.people.LocaliseRevision(ctx, d, rev, lang)
	if err != nil {
		return err
	}
	shownTexts(l.Texts, data)
	langs := append([]string(nil), rev.Manifest.Languages...)
	if len(langs) == 0 {
		langs = []string{l.Source}
	}
	for _, c := range l.Completeness {
		if !slices.Contains(langs, c.Lang) {
			langs = append(langs, c.Lang)
		}
	}
	m, err := s.people.MaturityOf(ctx, d, rev)
	if err != nil {
		return err
	}
	f, err := s.people.ReportsOf(ctx, d)
	if err != nil {
		return err
	}
	data["Languages"], data["Completeness"], data["M"], data["F"] = langs, l.Completeness, m, f
	return nil
}

// partRows flattens the tree for the table, with each mesh part's print
// estimate (computed once per file and cached), and adds up the bought
// items into a bill of materials.
func (s *Site) partRows(ctx context.Context, rev *design.Revision) ([]partRow, []partRow) {
	var rows, bought []partRow
	var walk func(ps []design.Part, depth int, mult float64, key string)
	walk = func(ps []design.Part, depth int, mult float64, key string) {
		for i, p := range ps {
			row := partRow{Depth: depth, Part: p, Mesh: meshSum(p), Quantity: p.Quantity * mult, Key: key + strconv.Itoa(i)}
			if row.Mesh != "" && p.Process == design.ProcessFDM {
				if b, err := s.commons.Estimate(ctx, row.Mesh, commons.EstimateRequest{Process: "fdm", Material: materialOr(p.Material, "PLA")}); err == nil {
					var e struct {
						Seconds   float64 `json:"seconds"`
						FilamentG float64 `json:"filament_g"`
					}
					if json.Unmarshal(b, &e) == nil {
						row.Hours, row.Grams, row.HasEst = e.Seconds/3600, e.FilamentG, true
					}
				}
			}
			rows = append(rows, row)
			if p.Kind == design.KindBought {
				bought = append(bought, row)
			}
			walk(p.Children, depth+1, p.Quantity*mult, row.Key+".")
		}
	}
	walk(rev.Parts, 0, 1, "")
	return rows, bought
}

// boughtLine is one line of the bill of materials: the same item (name
// and part number) wherever it appears, its quantities added up.
type boughtLine struct {
	Name, PartNumber, Supplier, Currency string
	Quantity, Price, Total               float64
}

// billOfMaterials merges the bought items and totals their prices by
// currency; items without a price are counted apart, so that a total
// never reads as the whole cost when it is not.
func billOfMaterials(bought []partRow) (lines []boughtLine, totals map[string]float64, unpriced int) {
	at := map[string]int{}
	for _, r := range bought {
		p := r.Part
		k := strings.ToLower(strings.TrimSpace(p.Name)) + "\x00" + p.PartNumber
		i, ok := at[k]
		if !ok {
			i = len(lines)
			at[k] = i
			lines = append(lines, boughtLine{Name: p.Name, PartNumber: p.PartNumber, Supplier: p.Supplier, Currency: p.Currency, Price: p.Price})
		}
		lines[i].Quantity += r.Quantity
		if lines[i].Price == 0 && p.Price > 0 {
			lines[i].Price, lines[i].Currency = p.Price, p.Currency
		}
	}
	totals = map[string]float64{}
	for i := range lines {
		if lines[i].Price > 0 {
			lines[i].Total = lines[i].Price * lines[i].Quantity
			totals[lines[i].Currency] += lines[i].Total
		} else {
			unpriced++
		}
	}
	return lines, totals, unpriced
}

func materialOr(m, def string) string {
	if m == "" {
		return def
	}
	return m
}

// meshSum is the hash of a part's first stored mesh, for its thumbnail.
func meshSum(p design.Part) string {
	for _, refs := range [][]design.FileRef{p.Exports, p.Sources} {
		for _, r := range refs {
			if r.SHA256 != "" && geometry.Readable(r.Path) {
				return r.SHA256
			}
		}
	}
	return ""
}

// contentPolicy is the pages' Content-Security-Policy: everything from
// this node, and map tiles from the operator's tile server when one is
// configured.
func contentPolicy(tiles string, pmtiles bool) string {
	img, connect := "img-src 'self' data:", ""
	if pmtiles {
		// PMTiles tiles are read with fetch and shown as blob: images.
		img += " blob:"
		if tiles != "" {
			connect = "; connect-src 'self' " + tiles
		}
	} else if tiles != "" {
		img += " " + tiles
	}
	return "default-src 'self'; " + img + connect + "; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
}

// pmtilesPath is where the node serves a PMTiles archive of its own.
const pmtilesPath = "/tiles/map.pmtiles"

// keyLabel says which text a translation key names, in words: "step:2"
// is "Step 2".
func keyLabel(key string) string {
	switch {
	case key == "name":
		return "Name"
	case key == "function":
		return "What it does"
	case strings.HasPrefix(key, "step:"):
		n, err := strconv.Atoi(strings.TrimPrefix(key, "step:"))
		if err == nil {
			return fmt.Sprintf("Step %d", n)
		}
	}
	return key
}
