package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/blob"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/cost"
	"github.com/dgml/dgml/network"
	"github.com/dgml/dgml/people"
	"github.com/dgml/dgml/sqlite"
)

// node is a data folder opened: the wiring of the store adapters into the
// services.
type node struct {
	dir     string
	db      *sqlite.DB
	blobs   *blob.Store
	commons *commons.Service
	network *network.Service
	people  *people.Service
}

func dataFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("DGML_DATA")
	if def == "" {
		def = "dgml-data"
	}
	return fs.String("data", def, "the node's data folder (database and files); $DGML_DATA sets the default")
}

func openNode(ctx context.Context, dir string) (*node, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot make the data folder %s: %w", dir, err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, "dgml.db"))
	if err != nil {
		return nil, err
	}
	blobs, err := blob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		db.Close()
		return nil, err
	}
	blobs.MaxSize = 1 << 30
	host := os.Getenv("DGML_NODE")
	if host == "" {
		host, _ = os.Hostname()
	}
	c := &commons.Service{Store: db, Blobs: blobs, Cache: db, Node: host, Tx: db}
	factors := cost.Default()
	if path := os.Getenv("DGML_FACTORS"); path != "" {
		if err := loadFactors(factors, path); err != nil {
			db.Close()
			return nil, err
		}
	}
	people := &people.Service{Accounts: db, Store: db, Assess: db, Texts: db, Commons: c, Node: host, Guard: account.NewGuard(), Tx: db}
	return &node{dir: dir, db: db, blobs: blobs, commons: c, network: &network.Service{Store: db, Assess: db, Commons: c, Factors: factors, Roles: db, Tx: db}, people: people}, nil
}

func (n *node) Close() error { return n.db.Close() }

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
	n, err := openNode(ctx, *data)
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
