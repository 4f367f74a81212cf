// Package testnode wires a real node — the SQLite store, the blob folder
// and the services over them — in a test's temporary folder, so that the
// tests of every adapter build it the same way.
package testnode

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/api"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/blob"
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/cost"
	"github.com/dgml/dgml/demo"
	"github.com/dgml/dgml/dispatch"
	"github.com/dgml/dgml/federation"
	"github.com/dgml/dgml/geometry"
	"github.com/dgml/dgml/internal/httpnode"
	"github.com/dgml/dgml/ledger"
	"github.com/dgml/dgml/network"
	"github.com/dgml/dgml/order"
	"github.com/dgml/dgml/people"
	"github.com/dgml/dgml/sqlite"
)

// Node is a node's parts, as cmd/dgml wires them.
type Node struct {
	Dir string
	// Tiles is the map tile source the pages use (see web.Config).
	Tiles   string
	DB      *sqlite.DB
	Blobs   *blob.Store
	Commons *commons.Service
	Network *network.Service
	People  *people.Service
	// Fed is set by Federate.
	Fed      *federation.Service
	Bookings *booking.Service
	Orders   *order.Service
	Dispatch *dispatch.Service
	Ledger   *ledger.Service
}

// Federate gives the node an identity and a log, and publishes its
// changes from then on, as dgml serve does.
func (n *Node) Federate(t testing.TB, name string) *federation.Service {
	t.Helper()
	fed := &federation.Service{Store: n.DB, Designs: n.DB, Blobs: n.Blobs, Facilities: n.DB, Tx: n.DB, Assess: n.DB, Texts: n.DB,
		Name: name, Domain: "test.node", URL: "http://" + name + ".invalid", Jobs: n.DB, People: n.People, Settings: n.DB}
	if err := fed.Open(context.Background(), []byte("test passphrase")); err != nil {
		t.Fatal(err)
	}
	n.Commons.Store = federation.Designs{Store: ledger.Designs{Store: n.DB, Ledger: n.Ledger}, Fed: fed}
	n.Ledger.Publish, fed.Ledger, n.Ledger.Node = fed.PublishEvent, n.DB, fed.Domain
	n.Network.Store = federation.Facilities{Store: n.DB, Fed: fed}
	n.People.Assess = federation.Assess{Store: n.DB, Designs: n.DB, Fed: fed}
	n.People.Texts = federation.Translations{Store: n.DB, Fed: fed}
	n.People.Federation = fed
	n.Fed = fed
	return fed
}

// New opens an empty node that is closed when the test ends.
func New(t testing.TB) *Node {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "dgml.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := blob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	c := &commons.Service{Store: db, Blobs: blobs, Cache: db, Tx: db, Jobs: db,
		Limits: geometry.Limits{MaxTriangles: commons.NodeTriangles}, Work: commons.NewWork(commons.NodeTriangles)}
	n := &Node{
		Dir: dir, DB: db, Blobs: blobs, Commons: c,
		Network:  &network.Service{Store: db, Assess: db, Commons: c, Factors: cost.Default(), Roles: db, Tx: db},
		People:   &people.Service{Accounts: db, Store: db, Assess: db, Texts: db, Commons: c, Node: "test.node", Guard: account.NewGuard(db), Tx: db},
		Bookings: &booking.Service{Store: db, Facilities: db, Roles: db},
	}
	n.Dispatch = &dispatch.Service{Store: db, Roles: db}
	n.Network.Corrections = n.Dispatch.Corrections
	n.Orders = &order.Service{Store: db, Network: n.Network, Facilities: db, Accounts: db, Bookings: n.Bookings, Runs: db, Tx: db,
		Report: func(ctx context.Context, u *account.User, designID string, r *assess.Report) error {
			return n.People.Report(ctx, u, designID, r, nil)
		}}
	n.Ledger = &ledger.Service{Store: db, Tx: db, Roles: db, Orders: db, Tasks: db, Designs: db, Node: "test.node", OperatorHours: cost.Default().OperatorHours.Value}
	c.Store = ledger.Designs{Store: db, Ledger: n.Ledger}
	n.People.Economy = n.Ledger
	n.Dispatch.Finished = func(ctx context.Context, u *account.User, r *dispatch.Run) error {
		if err := n.Orders.RunFinished(ctx, u, r); err != nil {
			return err
		}
		return n.Ledger.RunFinished(ctx, u, r)
	}
	return n
}

// Handler is the node's HTTP handler as `dgml serve` builds it (API,
// pages and guard), with uploads up to maxUpload bytes (0: the default).
func (n *Node) Handler(t testing.TB, maxUpload int64) (http.Handler, *api.Server) {
	t.Helper()
	tmp := filepath.Join(n.Dir, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	return httpnode.New(httpnode.Config{Commons: n.Commons, Network: n.Network, People: n.People, Federation: n.Fed, Bookings: n.Bookings, Orders: n.Orders, Dispatch: n.Dispatch, Ledger: n.Ledger, TempDir: tmp, MaxUpload: maxUpload, Tiles: n.Tiles})
}

// Demo commits the first n designs of the demo commons and, with
// facilities, registers the demo network.
func (n *Node) Demo(t testing.TB, designs int, facilities bool) {
	t.Helper()
	ctx := context.Background()
	all, err := demo.Commons()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range all[:designs] {
		if _, err := n.Commons.Commit(ctx, d.Content, d.Files, commons.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if facilities {
		if _, err := n.Network.Import(ctx, nil, demo.Network()); err != nil {
			t.Fatal(err)
		}
	}
}
