package ledger

import (
	"context"
	"time"
)

// Filter selects events, oldest first.
type Filter struct {
	ID      string   // one event
	Newest  bool     // the newest Limit events (still oldest first)
	Designs []string // design:ID, any of them
	Agent   string   // as provider or receiver
	Action  string
	Order   string // realizationOf
	After   int64  // events stored after this sequence number
	Limit   int
}

// Stored is an event with where it sits in this node's ledger.
type Stored struct {
	Event
	Seq int64 `json:"-"`
}

// Store keeps the ledger: events (append-only, by id), policies (by
// hash, the newest per owner current), distributions and money groups.
type Store interface {
	// AddLedgerEvents stores events; one already stored (same id) is skipped,
	// so events merge by union whatever path brings them.
	AddLedgerEvents(ctx context.Context, events ...Event) error
	LedgerEvents(ctx context.Context, f Filter) ([]Stored, error)
	// EachLedgerEvent calls fn for every stored event in order (export, replay).
	EachLedgerEvent(ctx context.Context, fn func(Stored) error) error

	// PutValuePolicy makes p the owner's current policy (owner: design:ID,
	// workshop:ID@node, or node for the node's default).
	PutValuePolicy(ctx context.Context, owner string, p Policy, by string) error
	// ValuePolicy is the owner's current policy, nil when it has none.
	ValuePolicy(ctx context.Context, owner string) (*Policy, error)
	ValuePolicyByHash(ctx context.Context, hash string) (*Policy, error)

	AddDistribution(ctx context.Context, d *Distribution) error
	// Distributions lists an agreement's or a design's (either may be
	// empty), oldest first.
	Distributions(ctx context.Context, order, design string) ([]Distribution, error)
	Distribution(ctx context.Context, id string) (*Distribution, error)

	// AddMoney stores a movement (its rows and the group in one write).
	AddMoney(ctx context.Context, g *Group) error
	MoneyGroup(ctx context.Context, id string) (*Group, error)
	// ConfirmMoney marks a pending movement confirmed; it fails with a
	// conflict when it was confirmed already.
	ConfirmMoney(ctx context.Context, id string, at time.Time) error
	// MoneyGroups lists the movements that touch an account (every one when
	// account is empty), newest first.
	MoneyGroups(ctx context.Context, account, ref string, limit int) ([]Group, error)
	// Balances sums the rows of counted movements of the accounts given
	// (every account when none is given).
	Balances(ctx context.Context, accounts ...string) ([]Balance, error)
}
