// Package store says what a node's store is, whatever database keeps it:
// every aggregate's interface at once, and the few things a node asks of
// the store as a whole. The embedded SQLite store and the PostgreSQL
// store of a hub both are one; the contract tests hold them to the same
// behaviour.
package store

import (
	"context"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/dispatch"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/feed"
	"github.com/dgml/dgml/jobs"
	"github.com/dgml/dgml/ledger"
	"github.com/dgml/dgml/order"
)

// Store is everything a node keeps.
type Store interface {
	design.Store
	design.Cache
	design.Translations
	facility.Store
	account.Store
	collab.Store
	assess.Store
	dgml.Atomic
	account.Failures
	jobs.Store
	feed.Store
	booking.Store
	order.Store
	dispatch.Store
	ledger.Store
	// FileSums calls fn for every file the store refers to (the sweep of
	// unreferenced blobs asks it).
	FileSums(ctx context.Context, fn func(sum string)) error
	SchemaVersion(ctx context.Context) (int, error)
	Ping(ctx context.Context) error
	Close() error
}

// Blobs keeps files by their SHA-256: in a folder (blob.Store), or in the
// database of a hub whose processes share no folder (postgres.Blobs).
type Blobs interface {
	design.Blobs
	// Sweep removes the files keep refuses (unreferenced ones, at
	// start-up); ModTime says when a file was stored.
	Sweep(keep func(sum string) bool) (int, error)
	ModTime(sum string) time.Time
}
