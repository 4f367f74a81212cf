package dgml

import "context"

// Atomic is a store that can run several writes as one transaction:
// every store call fn makes with the ctx it is given is part of it, and
// either all of them land or none does. Services use it for writes of
// more than one statement (accepting a proposal, forking, importing).
type Atomic interface {
	Atomically(ctx context.Context, fn func(ctx context.Context) error) error
}
