// Package ledger is the commons' open value accounting: economic events
// in the Valueflows 1.0 vocabulary, the resources they derive, value
// equations (distribution policies) anyone can re-run, and a
// double-entry record of money that moved outside dgml. The types and
// the arithmetic import no store; the stores keep what they describe
// and the Service records it from what already happens on a node.
package ledger

// Effect is what an action does to a resource's quantity.
type Effect string

// The quantity effects of Valueflows 1.0 (concepts/actions.md).
const (
	NoEffect           Effect = ""
	Increment          Effect = "increment"
	Decrement          Effect = "decrement"
	DecrementIncrement Effect = "decrementIncrement" // the provider's resource down, the receiver's up
	IncrementTo        Effect = "incrementTo"        // only the receiving resource goes up
)

// Action is one Valueflows action and its effects, kept as data so that
// derivation, validation and export read the same table.
type Action struct {
	Name string
	// Accounting is the effect on what an agent has rights to, OnHand on
	// what it holds.
	Accounting, OnHand Effect
	// InputOutput says whether the action feeds a process, comes out of
	// one, or either ("outputInput": a service delivered by one process
	// to another).
	InputOutput string
	// Resource and Effort say which quantities the action takes: an
	// action with Effort measures time (work, use); one with Resource an
	// amount of the resource (consume, produce, transfer).
	Resource, Effort bool
	// PairsWith names the action that completes it (pickup and dropoff,
	// accept and modify, combine and separate).
	PairsWith string
}

// Actions is the Valueflows 1.0 action vocabulary with its effects.
var Actions = map[string]Action{
	"produce":           {Name: "produce", Accounting: Increment, OnHand: Increment, InputOutput: "output", Resource: true},
	"consume":           {Name: "consume", Accounting: Decrement, OnHand: Decrement, InputOutput: "input", Resource: true},
	"use":               {Name: "use", InputOutput: "input", Resource: true, Effort: true},
	"work":              {Name: "work", InputOutput: "input", Effort: true},
	"cite":              {Name: "cite", InputOutput: "input", Resource: true},
	"deliverService":    {Name: "deliverService", InputOutput: "outputInput", Resource: true},
	"pickup":            {Name: "pickup", InputOutput: "input", Resource: true, PairsWith: "dropoff"},
	"dropoff":           {Name: "dropoff", InputOutput: "output", Resource: true, PairsWith: "pickup"},
	"accept":            {Name: "accept", OnHand: Decrement, InputOutput: "input", Resource: true, PairsWith: "modify"},
	"modify":            {Name: "modify", OnHand: Increment, InputOutput: "output", Resource: true, PairsWith: "accept"},
	"combine":           {Name: "combine", OnHand: Decrement, InputOutput: "input", Resource: true, PairsWith: "separate"},
	"separate":          {Name: "separate", OnHand: Increment, InputOutput: "output", Resource: true, PairsWith: "combine"},
	"transferAllRights": {Name: "transferAllRights", Accounting: DecrementIncrement, Resource: true},
	"transferCustody":   {Name: "transferCustody", OnHand: DecrementIncrement, Resource: true},
	"transfer":          {Name: "transfer", Accounting: DecrementIncrement, OnHand: DecrementIncrement, Resource: true},
	"move":              {Name: "move", Accounting: DecrementIncrement, OnHand: DecrementIncrement, Resource: true},
	"copy":              {Name: "copy", Accounting: IncrementTo, OnHand: IncrementTo, Resource: true},
	"raise":             {Name: "raise", Accounting: Increment, OnHand: Increment, Resource: true},
	"lower":             {Name: "lower", Accounting: Decrement, OnHand: Decrement, Resource: true},
}
