// Package order turns a plan into made things: a person orders a design
// revision near a place, the order becomes one request per workshop (the
// part lines the plan gave it), and each workshop quotes or declines,
// makes, and hands over. Every change of state is kept with who made it
// and when, and both sides see it.
package order

import (
	"context"
	"fmt"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/geo"
)

// State of a request to one workshop.
type State string

// States, in the order a request usually passes them.
const (
	Requested    State = "requested"     // sent to the workshop
	Quoted       State = "quoted"        // the workshop named a price and a ready date
	Accepted     State = "accepted"      // the person took the quote
	InProduction State = "in_production" // the workshop is making it
	Ready        State = "ready"         // ready to collect
	Collected    State = "collected"     // handed over
	Declined     State = "declined"      // the workshop will not make it
	Cancelled    State = "cancelled"     // the person withdrew it
)

// Side says who may make a change: the person who ordered, or the
// workshop's operators.
type Side string

// Sides.
const (
	Buyer    Side = "buyer"
	Workshop Side = "workshop"
)

// moves are the changes of state each side may make.
var moves = map[State]map[State]Side{
	Requested:    {Quoted: Workshop, Declined: Workshop, Cancelled: Buyer},
	Quoted:       {Accepted: Buyer, Declined: Workshop, Cancelled: Buyer, Quoted: Workshop},
	Accepted:     {InProduction: Workshop, Cancelled: Buyer, Declined: Workshop},
	InProduction: {Ready: Workshop},
	Ready:        {Collected: Workshop},
}

// Move says whether side may take a request from one state to another.
func Move(from, to State, side Side) error {
	who, ok := moves[from][to]
	if !ok {
		return &dgml.Error{Kind: dgml.Conflict, Field: "state", Msg: fmt.Sprintf("a request %s cannot become %s", from, to)}
	}
	if who != side {
		return &dgml.Error{Kind: dgml.Forbidden, Field: "state", Msg: fmt.Sprintf("only the %s makes a request %s", who, to)}
	}
	return nil
}

// Order is what a person asked for.
type Order struct {
	ID         string    `json:"id"`
	Person     string    `json:"person"` // user id
	PersonName string    `json:"person_name"`
	DesignID   string    `json:"design_id"`
	DesignName string    `json:"design_name"`
	Revision   string    `json:"revision"`
	Quantity   int       `json:"quantity"`
	Place      geo.Point `json:"place"`
	Deadline   time.Time `json:"deadline"`
	Note       string    `json:"note,omitempty"`
	Created    time.Time `json:"created"`
	// Unplaced are part lines no workshop within reach would make (after
	// declines, when no other could).
	Unplaced []Line    `json:"unplaced,omitempty"`
	Requests []Request `json:"requests"`
}

// Line is one part line of a request: what to make, how many, with what
// files, and the planner's estimate.
type Line struct {
	Part      string           `json:"part"`
	Quantity  float64          `json:"quantity"`
	Process   design.Process   `json:"process"`
	Material  string           `json:"material,omitempty"`
	MachineID string           `json:"machine_id,omitempty"`
	Machine   string           `json:"machine,omitempty"`
	Hours     float64          `json:"machine_hours"`
	CostEUR   float64          `json:"cost_eur"`
	Files     []design.FileRef `json:"files,omitempty"`
	Reason    string           `json:"reason,omitempty"` // why a line is unplaced
}

// Quote is a workshop's answer: a price (minor units) and a ready date.
type Quote struct {
	Price    int64     `json:"price"`
	Currency string    `json:"currency"`
	Ready    time.Time `json:"ready"`
	Note     string    `json:"note,omitempty"`
}

// Request is an order's share at one workshop.
type Request struct {
	ID           string    `json:"id"`
	OrderID      string    `json:"order_id"`
	FacilityID   string    `json:"facility_id"`
	FacilityName string    `json:"facility_name"`
	State        State     `json:"state"`
	Lines        []Line    `json:"lines"`
	EstimateEUR  float64   `json:"estimate_eur"`
	Quote        *Quote    `json:"quote,omitempty"`
	Reason       string    `json:"reason,omitempty"` // of a decline or cancellation
	Updated      time.Time `json:"updated"`
	// Bookings are the machine time placed for it when it was accepted.
	Bookings []string `json:"bookings,omitempty"`
	Events   []Event  `json:"events,omitempty"`
}

// Event is a change of state or a message on a request.
type Event struct {
	RequestID string    `json:"request_id"`
	Kind      string    `json:"kind"`            // "state" or "message"
	State     State     `json:"state,omitempty"` // the new state
	By        string    `json:"by"`              // user name
	At        time.Time `json:"at"`
	Text      string    `json:"text,omitempty"`
}

// Notification is a line in a person's inbox on this node.
type Notification struct {
	ID     int64     `json:"id"`
	UserID string    `json:"-"`
	At     time.Time `json:"at"`
	Text   string    `json:"text"`
	Link   string    `json:"link"`
	Read   bool      `json:"read"`
}

// Store keeps orders.
type Store interface {
	// CreateOrder stores an order and its requests (ids are set).
	CreateOrder(ctx context.Context, o *Order) error
	// Order reads an order with its requests and their events.
	Order(ctx context.Context, id string) (*Order, error)
	// Orders lists a person's orders, newest first, without events.
	Orders(ctx context.Context, person string, limit int) ([]Order, error)
	// OrderRequest reads one request with its events.
	OrderRequest(ctx context.Context, id string) (*Request, error)
	// RequestsAt lists a workshop's requests, newest first; open only
	// when open is set.
	RequestsAt(ctx context.Context, facilityID string, open bool, limit int) ([]Request, error)
	// UpdateRequest stores r if its state is still from: a request
	// changed meanwhile is a Conflict. ev is recorded with it.
	UpdateRequest(ctx context.Context, r *Request, from State, ev Event) error
	// AddRequest adds a request to an order (a declined line planned
	// again); SetUnplaced replaces the order's unplaced lines.
	AddRequest(ctx context.Context, r *Request) error
	SetUnplaced(ctx context.Context, orderID string, lines []Line) error
	AddOrderEvent(ctx context.Context, ev Event) error
	Notify(ctx context.Context, n Notification) error
	Notifications(ctx context.Context, userID string, limit int) ([]Notification, error)
	MarkRead(ctx context.Context, userID string, upTo int64) error
}
