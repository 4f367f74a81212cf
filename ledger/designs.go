package ledger

import (
	"context"

	"github.com/dgml/dgml/design"
)

// Designs is a design store whose commits made here are recorded in the
// ledger: the author's work and, for a fork, the citation of its parent.
// Every local path that commits goes through it; replicas are not
// recorded again (their events come from their own node's feed).
type Designs struct {
	design.Store
	Ledger *Service
}

// Commit stores the revision and records it, in one transaction.
func (d Designs) Commit(ctx context.Context, req design.CommitRequest) (*design.Design, *design.Revision, error) {
	if req.Replica != nil {
		return d.Store.Commit(ctx, req)
	}
	var out *design.Design
	var rev *design.Revision
	err := d.Ledger.Tx.Atomically(ctx, func(ctx context.Context) error {
		// The head before, when the new content reuses a module: only
		// modules newly reused cite their origin.
		var before *design.Revision
		if req.DesignID != "" && reuses(req.Content.Parts) {
			if cur, err := d.Store.Design(ctx, req.DesignID); err == nil && cur.Head != "" {
				before, _ = d.Store.Revision(ctx, cur.Head)
			}
		}
		var err error
		if out, rev, err = d.Store.Commit(ctx, req); err != nil {
			return err
		}
		return d.Ledger.Commit(ctx, out, rev, before, req.Author, req.Message)
	})
	return out, rev, err
}

func reuses(parts []design.Part) bool {
	found := false
	design.Walk(parts, func(_ []string, p *design.Part) { found = found || p.Reuses != nil })
	return found
}
