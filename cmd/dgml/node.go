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
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/cost"
	"github.com/dgml/dgml/network"
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
	people  *collab.Service
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
	c := &commons.Service{Store: db, Blobs: blobs, Cache: db, Node: host}
	factors := cost.Default()
	if path := os.Getenv("DGML_FACTORS"); path != "" {
		if err := loadFactors(factors, path); err != nil {
			db.Close()
			return nil, err
		}
	}
	people := &collab.Service{Accounts: db, Store: db, Assess: db, Texts: db, Commons: c, Node: host, Limiter: account.NewLimiter(5, 15*time.Minute)}
	return &node{dir: dir, db: db, blobs: blobs, commons: c, network: &network.Service{Store: db, Assess: db, Commons: c, Factors: factors}, people: people}, nil
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
