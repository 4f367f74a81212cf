package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dgml/dgml"
)

// Measure is a quantity with its unit (Valueflows' om2 Measure).
type Measure struct {
	Value float64 `json:"hasNumericalValue"`
	Unit  string  `json:"hasUnit"`
}

// Units the ledger writes; any other unit is accepted as given.
const (
	Hour     = "om2:hour"
	One      = "om2:one"
	Gram     = "om2:gram"
	KWh      = "om2:kilowattHour"
	Currency = "currency:" // followed by the ISO 4217 code
)

// Event is one Valueflows economic event: what happened, between which
// agents, to which resource, in which process or agreement. Events are
// never changed: a mistake is corrected by a new event that names the
// old one in Corrects and takes its place in everything derived.
//
// Agents are people as user@node, workshops as workshop:ID@node, the
// commons fund of a node as fund@node. Resources and processes are
// named by what dgml already names: revision:ID, design:ID,
// machine:ID, material:NAME, run:ID, order:ID.
type Event struct {
	ID         string   `json:"-"`
	Action     string   `json:"action"`
	Provider   string   `json:"provider,omitempty"`
	Receiver   string   `json:"receiver,omitempty"`
	Resource   string   `json:"resourceInventoriedAs,omitempty"`
	ToResource string   `json:"toResourceInventoriedAs,omitempty"`
	ConformsTo string   `json:"resourceConformsTo,omitempty"`
	Quantity   *Measure `json:"resourceQuantity,omitempty"`
	Effort     *Measure `json:"effortQuantity,omitempty"`
	At         string   `json:"hasPointInTime"` // RFC 3339, UTC, seconds
	InputOf    string   `json:"inputOf,omitempty"`
	OutputOf   string   `json:"outputOf,omitempty"`
	// RealizationOf is the agreement (an order) the event carries out.
	RealizationOf string `json:"realizationOf,omitempty"`
	// Design is the design the event contributes to or draws on: what a
	// design's contributor view and its value equation gather by.
	Design   string `json:"dgml:design,omitempty"`
	Corrects string `json:"corrects,omitempty"`
	Note     string `json:"note,omitempty"`
	// Node is the node that recorded the event and signs it in its feed.
	Node string `json:"dgml:node"`
}

// Time formats t the way events carry it.
func Time(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// Canonical is the event's RFC 8785 JSON, without its id: what the id
// hashes and what a feed entry carries.
func (e *Event) Canonical() []byte { return e.canonical() }

// Seal validates e and sets its id: "sha256:" and the hash of its
// canonical JSON, so that the same event has the same id on every node.
func (e *Event) Seal() error {
	if err := e.Validate(); err != nil {
		return err
	}
	sum := sha256.Sum256(e.Canonical())
	e.ID = "sha256:" + hex.EncodeToString(sum[:])
	return nil
}

// Validate checks an event against the action table.
func (e *Event) Validate() error {
	bad := func(field, msg string) error { return &dgml.Error{Kind: dgml.Invalid, Field: field, Msg: msg} }
	a, ok := Actions[e.Action]
	if !ok {
		return bad("action", fmt.Sprintf("%q is not a Valueflows 1.0 action", e.Action))
	}
	if _, err := time.Parse(time.RFC3339, e.At); err != nil {
		return bad("hasPointInTime", "must be an RFC 3339 time")
	}
	if e.Node == "" {
		return bad("dgml:node", "the recording node is missing")
	}
	if e.Quantity != nil && !a.Resource {
		return bad("resourceQuantity", e.Action+" takes no resource quantity")
	}
	if e.Effort != nil && !a.Effort {
		return bad("effortQuantity", e.Action+" takes no effort quantity")
	}
	for field, m := range map[string]*Measure{"resourceQuantity": e.Quantity, "effortQuantity": e.Effort} {
		if m == nil {
			continue
		}
		if math.IsNaN(m.Value) || math.IsInf(m.Value, 0) || math.Abs(m.Value) > 1e12 {
			return bad(field, "must be a finite number")
		}
		if m.Unit == "" || len(m.Unit) > 64 {
			return bad(field, "needs a unit")
		}
	}
	if e.InputOf != "" && a.InputOutput == "output" {
		return bad("inputOf", e.Action+" is an output of a process, never an input")
	}
	if e.OutputOf != "" && a.InputOutput == "input" {
		return bad("outputOf", e.Action+" is an input of a process, never an output")
	}
	if e.Corrects != "" && !strings.HasPrefix(e.Corrects, "sha256:") {
		return bad("corrects", "must be an event id (sha256:…)")
	}
	for field, v := range map[string]string{"provider": e.Provider, "receiver": e.Receiver, "note": e.Note, "resourceInventoriedAs": e.Resource, "resourceConformsTo": e.ConformsTo} {
		if len(v) > 2000 {
			return bad(field, "is longer than 2,000 characters")
		}
	}
	return nil
}

// ParseEvent reads one event from JSON (an API body, a feed entry, an
// export), refusing unknown fields, and checks its id when it has one.
func ParseEvent(raw []byte, id string) (*Event, error) {
	if len(raw) > 16<<10 {
		return nil, &dgml.Error{Kind: dgml.Invalid, Msg: "an event is at most 16 KiB"}
	}
	var e Event
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return nil, &dgml.Error{Kind: dgml.Invalid, Msg: "event: " + err.Error()}
	}
	if err := e.Seal(); err != nil {
		return nil, err
	}
	if id != "" && id != e.ID {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "@id", Msg: "does not match the event's content (" + e.ID + ")"}
	}
	return &e, nil
}
