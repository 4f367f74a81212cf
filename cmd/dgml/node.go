package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/blob"
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/cost"
	"github.com/dgml/dgml/dispatch"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/federation"
	"github.com/dgml/dgml/ledger"
	"github.com/dgml/dgml/network"
	"github.com/dgml/dgml/order"
	"github.com/dgml/dgml/people"
	"github.com/dgml/dgml/postgres"
	"github.com/dgml/dgml/sqlite"
	"github.com/dgml/dgml/store"
)

// node is a node's store opened: the wiring of the store adapters into
// the services.
type node struct {
	dir     string
	db      store.Store
	blobs   store.Blobs
	commons *commons.Service
	network *network.Service
	people  *people.Service
	fed     *federation.Service
	book    *booking.Service
	orders  *order.Service
	runs    *dispatch.Service
	ledger  *ledger.Service
}

// where says where a node keeps its data: a folder (always: uploads in
// progress wait in it), and for a hub a PostgreSQL database, with files
// in it or in a folder every process shares.
type where struct {
	data, db, blobs string
}

func dataFlag(fs *flag.FlagSet) *where {
	w := &where{}
	def := os.Getenv("DGML_DATA")
	if def == "" {
		def = "dgml-data"
	}
	fs.StringVar(&w.data, "data", def, "the node's data folder (database and files); $DGML_DATA sets the default")
	fs.StringVar(&w.db, "db", os.Getenv("DGML_DB"), "a PostgreSQL database (postgres://…) instead of the folder's SQLite; $DGML_DB sets the default")
	fs.StringVar(&w.blobs, "blobs", os.Getenv("DGML_BLOBS"), "with --db: a folder every process shares for files (default: files in the database); $DGML_BLOBS")
	return w
}

// openStore opens the store and file keeper where says.
func openStore(ctx context.Context, w *where) (store.Store, store.Blobs, error) {
	if err := os.MkdirAll(w.data, 0o755); err != nil {
		return nil, nil, fmt.Errorf("cannot make the data folder %s: %w", w.data, err)
	}
	if w.db == "" {
		if w.blobs != "" {
			return nil, nil, usageError{"--blobs goes with --db: a node on SQLite keeps files in its data folder"}
		}
		db, err := sqlite.Open(ctx, filepath.Join(w.data, "dgml.db"))
		if err != nil {
			return nil, nil, err
		}
		blobs, err := blob.Open(filepath.Join(w.data, "blobs"))
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		blobs.MaxSize = 1 << 30
		return db, blobs, nil
	}
	if !strings.HasPrefix(w.db, "postgres://") && !strings.HasPrefix(w.db, "postgresql://") {
		return nil, nil, usageError{"--db takes a PostgreSQL URL: postgres://user@host:5432/database"}
	}
	db, err := postgres.Open(ctx, w.db)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the database: %w (is PostgreSQL running, and the URL right?)", err)
	}
	if w.blobs != "" {
		blobs, err := blob.Open(w.blobs)
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		blobs.MaxSize = 1 << 30
		return db, blobs, nil
	}
	blobs := db.Blobs()
	blobs.TempDir, blobs.MaxSize = filepath.Join(w.data, "tmp"), 1<<30
	if err := os.MkdirAll(blobs.TempDir, 0o755); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, blobs, nil
}

// redact hides a database URL's password, for logs.
func redact(url string) string {
	if u, err := neturl.Parse(url); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = neturl.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.String()
	}
	return url
}

func openNode(ctx context.Context, w *where) (*node, error) {
	db, blobs, err := openStore(ctx, w)
	if err != nil {
		return nil, err
	}
	host := os.Getenv("DGML_NODE")
	if host == "" {
		host, _ = os.Hostname()
	}
	fed := &federation.Service{Store: db, Designs: db, Blobs: blobs, Facilities: db, Tx: db, Name: nodeName(host), Version: version}
	pass, err := passphrase(w)
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := fed.Open(ctx, pass); err != nil {
		db.Close()
		return nil, err
	}
	// Every change made here reaches the node's log through these.
	econ := &ledger.Service{Store: db, Tx: db, Roles: db, Orders: db, Tasks: db, Designs: db, Node: host, Publish: fed.PublishEvent}
	fed.Ledger = db
	designs := federation.Designs{Store: ledger.Designs{Store: db, Ledger: econ}, Fed: fed}
	facilities := federation.Facilities{Store: db, Fed: fed}
	c := &commons.Service{Store: designs, Blobs: blobs, Cache: db, Node: host, Tx: db, Jobs: db}
	factors := cost.Default()
	if path := os.Getenv("DGML_FACTORS"); path != "" {
		if err := loadFactors(factors, path); err != nil {
			db.Close()
			return nil, err
		}
	}
	fed.Assess, fed.Texts, fed.Domain, fed.Settings = db, db, host, db
	ppl := &people.Service{Accounts: db, Store: db, Assess: federation.Assess{Store: db, Designs: db, Fed: fed}, Texts: federation.Translations{Store: db, Fed: fed},
		Commons: c, Node: host, Guard: account.NewGuard(db), Tx: db}
	ppl.Federation, fed.People, fed.Jobs = fed, ppl, db
	netw := &network.Service{Store: facilities, Assess: db, Commons: c, Factors: factors, Roles: db, Tx: db}
	if near, ok := db.(facility.Nearer); ok {
		netw.Index = near
	}
	book := &booking.Service{Store: db, Facilities: db, Roles: db}
	runs := &dispatch.Service{Store: db, Roles: db}
	netw.Corrections = runs.Corrections
	orders := &order.Service{Store: db, Network: netw, Facilities: db, Accounts: db, Bookings: book, Runs: db, Tx: db,
		Report: func(ctx context.Context, u *account.User, designID string, r *assess.Report) error {
			return ppl.Report(ctx, u, designID, r, nil)
		}}
	econ.OperatorHours = factors.OperatorHours.Value
	runs.Finished = func(ctx context.Context, u *account.User, r *dispatch.Run) error {
		if err := orders.RunFinished(ctx, u, r); err != nil {
			return err
		}
		return econ.RunFinished(ctx, u, r)
	}
	ppl.Economy = econ
	return &node{ledger: econ, dir: w.data, db: db, blobs: blobs, commons: c, network: netw, people: ppl, fed: fed, book: book, orders: orders, runs: runs}, nil
}

func (n *node) Close() error { return n.db.Close() }

// nodeName is what the node calls itself to people: $DGML_NODE_NAME, or
// its host name.
func nodeName(host string) string {
	if v := os.Getenv("DGML_NODE_NAME"); v != "" {
		return v
	}
	return host
}

// passphrase is what seals the node's keys: $DGML_NODE_PASSPHRASE, or
// the file $DGML_NODE_PASSPHRASE_FILE names. A node on SQLite without
// either keeps a random one in its data folder (readable by its owner
// only); a hub must be given one, the same for all its processes.
func passphrase(w *where) ([]byte, error) {
	if v := os.Getenv("DGML_NODE_PASSPHRASE"); v != "" {
		return []byte(v), nil
	}
	if path := os.Getenv("DGML_NODE_PASSPHRASE_FILE"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading the node's passphrase: %w", err)
		}
		if b = bytes.TrimSpace(b); len(b) == 0 {
			return nil, fmt.Errorf("the node's passphrase file %s is empty", path)
		}
		return b, nil
	}
	if w.db != "" {
		return nil, usageError{"a hub's key needs a passphrase all its processes share: set DGML_NODE_PASSPHRASE, or DGML_NODE_PASSPHRASE_FILE to a file holding it"}
	}
	path := filepath.Join(w.data, "node.passphrase")
	b, err := os.ReadFile(path)
	if err == nil && len(bytes.TrimSpace(b)) > 0 {
		return bytes.TrimSpace(b), nil
	}
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	b = []byte(base64.RawURLEncoding.EncodeToString(raw))
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("keeping the node's passphrase: %w", err)
	}
	return b, nil
}

// sweep removes files no design refers to, left by imports that failed
// or were killed. Files younger than an hour are kept: an import in
// another process may be about to refer to them.
func (n *node) sweep(ctx context.Context) (int, error) {
	refs := map[string]bool{}
	if err := n.db.FileSums(ctx, func(s string) { refs[s] = true }); err != nil {
		return 0, err
	}
	cutoff := time.Now().Add(-time.Hour)
	return n.blobs.Sweep(func(sum string) bool {
		return refs[sum] || n.blobs.ModTime(sum).After(cutoff)
	})
}

// loadFactors overrides the cost and footprint table from a JSON file
// ($DGML_FACTORS), so a node can use its own prices and measurements.
func loadFactors(f *cost.Factors, path string) error {
	r, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("DGML_FACTORS: %w", err)
	}
	defer r.Close()
	return f.Load(path, r)
}

// withNode finishes a command: it adds --data, parses the flags and the
// arguments, lets want refuse wrong arguments, and opens the node.
func withNode(ctx context.Context, fs *flag.FlagSet, args []string, want func(pos []string) error, fn func(n *node, pos []string) error) error {
	data := dataFlag(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := want(pos); err != nil {
		return err
	}
	n, err := openNode(ctx, data)
	if err != nil {
		return err
	}
	defer n.Close()
	return fn(n, pos)
}

// asUser is withNode for a change: it adds --as and logs the user in.
func asUser(ctx context.Context, fs *flag.FlagSet, args []string, want func(pos []string) error, fn func(n *node, u *account.User, pos []string) error) error {
	as := asFlag(fs)
	return withNode(ctx, fs, args, want, func(n *node, pos []string) error {
		u, err := n.login(ctx, *as)
		if err != nil {
			return err
		}
		return fn(n, u, pos)
	})
}

// count wants exactly k arguments, else says how the command is called.
func count(k int, usage string) func([]string) error {
	return func(pos []string) error {
		if len(pos) != k {
			return usageError{usage}
		}
		return nil
	}
}

// anyArgs leaves the arguments for the command to judge.
func anyArgs([]string) error { return nil }

// onDesign is withNode for a command about one DESIGN.
func onDesign(ctx context.Context, fs *flag.FlagSet, args []string, fn func(n *node, ref string) error) error {
	return withNode(ctx, fs, args, count(1, "give the design"), func(n *node, pos []string) error { return fn(n, pos[0]) })
}

// asUserOn is asUser for a change to one DESIGN.
func asUserOn(ctx context.Context, fs *flag.FlagSet, args []string, fn func(n *node, u *account.User, ref string) error) error {
	return asUser(ctx, fs, args, count(1, "give the design"), func(n *node, u *account.User, pos []string) error { return fn(n, u, pos[0]) })
}
