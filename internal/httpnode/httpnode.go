// Package httpnode assembles a node's HTTP face: the API and the web
// pages on one mux, with the guard in front of both. `dgml serve` and the
// tests build it here, so that what the tests probe is what a node
// serves.
package httpnode

import (
	"log/slog"
	"maps"
	"net/http"
	"strings"

	"github.com/dgml/dgml/api"
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/dispatch"
	"github.com/dgml/dgml/federation"
	"github.com/dgml/dgml/guard"
	"github.com/dgml/dgml/ledger"
	"github.com/dgml/dgml/network"
	"github.com/dgml/dgml/order"
	"github.com/dgml/dgml/people"
	"github.com/dgml/dgml/web"
)

// Config is what the handler needs.
type Config struct {
	Commons *commons.Service
	Network *network.Service
	People  *people.Service
	// Federation, when set, serves the node's log to its peers.
	Federation *federation.Service
	// Bookings, when set, books machine time.
	Bookings *booking.Service
	// Orders, when set, takes orders to workshops.
	Orders *order.Service
	// Dispatch, when set, follows runs on machines.
	Dispatch *dispatch.Service
	// Ledger, when set, serves the commons' value accounting.
	Ledger    *ledger.Service
	TempDir   string // inside the data folder, for uploads
	MaxUpload int64  // bytes; 0: api.DefaultMaxUpload
	Log       *slog.Logger
	// Tiles and TilesCredit: a map tile source for street-level maps.
	Tiles, TilesCredit string
}

// New returns the node's handler and its API (whose routes the OpenAPI
// test reads).
func New(cfg Config) (http.Handler, *api.Server) {
	if cfg.MaxUpload == 0 {
		cfg.MaxUpload = api.DefaultMaxUpload
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	mux := http.NewServeMux()
	a := api.New(api.Config{Commons: cfg.Commons, Network: cfg.Network, People: cfg.People, Federation: cfg.Federation, Bookings: cfg.Bookings, Orders: cfg.Orders, Dispatch: cfg.Dispatch, Ledger: cfg.Ledger, TempDir: cfg.TempDir, MaxUpload: cfg.MaxUpload, Log: cfg.Log}, mux)
	site := web.New(web.Config{Commons: cfg.Commons, Network: cfg.Network, People: cfg.People, Federation: cfg.Federation, Bookings: cfg.Bookings, Orders: cfg.Orders, Runs: cfg.Dispatch, Ledger: cfg.Ledger, TempDir: cfg.TempDir, MaxUpload: cfg.MaxUpload, Log: cfg.Log, Tiles: cfg.Tiles, TilesCredit: cfg.TilesCredit}, mux)
	limits := maps.Clone(a.BodyLimits())
	maps.Copy(limits, site.BodyLimits())
	return guard.Handler(guard.Config{Mux: mux, Limits: limits, Fail: func(w http.ResponseWriter, r *http.Request, err error) {
		if strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/healthz" {
			api.WriteProblem(w, r, err)
			return
		}
		site.Fail(w, r, err)
	}}), a
}
