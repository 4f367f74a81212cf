package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/dgml/dgml/blob"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/sqlite"
)

// node is a data folder opened: the wiring of the store adapters into the
// services.
type node struct {
	dir     string
	db      *sqlite.DB
	blobs   *blob.Store
	commons *commons.Service
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
	host, _ := os.Hostname()
	return &node{dir: dir, db: db, blobs: blobs, commons: &commons.Service{Store: db, Blobs: blobs, Cache: db, Node: host}}, nil
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
