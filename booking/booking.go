// Package booking holds machine time: bookings of a workshop's machines
// (a job from an order, a member's own session, maintenance, a short
// hold while someone decides), the rules by which people book, and the
// interface through which bookings are stored. No two active bookings of
// one machine overlap; the store itself enforces that.
package booking

import (
	"context"
	"fmt"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/facility"
)

// Kind is what a booking is for.
type Kind string

// Kinds of booking.
const (
	Job         Kind = "job"         // work for an order
	Session     Kind = "session"     // a person using the machine themselves
	Maintenance Kind = "maintenance" // the workshop servicing it
	Hold        Kind = "hold"        // kept a few minutes while someone decides
)

// Status of a booking. Only active bookings take the machine's time.
const (
	Active    = "active"
	Cancelled = "cancelled"
	Expired   = "expired" // a hold nobody confirmed
)

// Booking is a stretch of one machine's time.
type Booking struct {
	ID         string `json:"id"`
	MachineID  string `json:"machine_id"`
	FacilityID string `json:"facility_id"`
	// Unit is which of a set of identical machines (1 to the machine's
	// quantity).
	Unit   int       `json:"unit"`
	Kind   Kind      `json:"kind"`
	Status string    `json:"status"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	// Expires is when a hold lapses by itself.
	Expires *time.Time `json:"expires,omitempty"`
	// Person is the user the booking is for (their id); Job the job it
	// serves, when it does.
	Person string `json:"person,omitempty"`
	Job    string `json:"job,omitempty"`
	Note   string `json:"note,omitempty"`
	// Price is in minor units of Currency (cents), fixed when booked.
	Price     int64      `json:"price"`
	Currency  string     `json:"currency,omitempty"`
	Created   time.Time  `json:"created"`
	Cancelled *time.Time `json:"cancelled,omitempty"`
	// CancelledBy is the user who cancelled it.
	CancelledBy string `json:"cancelled_by,omitempty"`
}

// Hours is the booking's length in hours.
func (b *Booking) Hours() float64 { return b.End.Sub(b.Start).Hours() }

// Filter selects bookings; zero fields select all. From and To keep the
// bookings that overlap [From, To).
type Filter struct {
	Machine  string
	Facility string
	Person   string
	From, To time.Time
	// All includes cancelled and expired bookings.
	All   bool
	Limit int
}

// Store keeps bookings and machines.
type Store interface {
	// Book stores b, active, if no active booking of the same machine and
	// unit overlaps it; one that does makes a Conflict naming it. Holds
	// that lapsed before now no longer count and are marked expired.
	// The check and the insert are one: two Book calls racing for the
	// same time cannot both succeed.
	Book(ctx context.Context, b *Booking, now time.Time) error
	Booking(ctx context.Context, id string) (*Booking, error)
	// CancelBooking marks an active booking cancelled; a booking not
	// active is a Conflict.
	CancelBooking(ctx context.Context, id, by string, at time.Time) error
	// ConfirmHold turns an unexpired hold into kind, keeping its time.
	ConfirmHold(ctx context.Context, id string, kind Kind, now time.Time) error
	// Bookings lists bookings by start time.
	Bookings(ctx context.Context, f Filter) ([]Booking, error)
	// Machine finds a machine by its id, also one its workshop removed,
	// and the id of its workshop.
	Machine(ctx context.Context, id string) (*facility.Machine, string, error)
}

// Check validates a booking before it is stored; the error names the
// field.
func (b *Booking) Check() error {
	bad := func(field, format string, args ...any) error {
		return &dgml.Error{Kind: dgml.Invalid, Op: "booking.Check", Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	switch b.Kind {
	case Job, Session, Maintenance, Hold:
	default:
		return bad("kind", "job, session, maintenance or hold, got %q", b.Kind)
	}
	if b.MachineID == "" {
		return bad("machine", "a booking needs a machine")
	}
	if b.Start.IsZero() || b.End.IsZero() {
		return bad("start", "a booking needs a start and an end")
	}
	if !b.End.After(b.Start) {
		return bad("end", "the end (%s) must be after the start (%s)", b.End.Format(time.RFC3339), b.Start.Format(time.RFC3339))
	}
	if b.End.Sub(b.Start) > 90*24*time.Hour {
		return bad("end", "a booking lasts at most 90 days")
	}
	if b.Start.Year() < 2000 || b.End.Year() > 2200 {
		return bad("start", "a time between the years 2000 and 2200")
	}
	if b.Kind == Hold && b.Expires == nil {
		return bad("expires", "a hold lapses by itself: give it an expiry")
	}
	if len(b.Note) > 500 {
		return bad("note", "at most 500 characters")
	}
	if b.Unit < 1 || b.Unit > 1000 {
		return bad("unit", "1 to the machine's quantity, got %d", b.Unit)
	}
	if b.Price < 0 {
		return bad("price", "a price is not negative")
	}
	return nil
}

// Overlap is the Conflict a store returns when a booking meets another.
// other is the booking it meets, when the store knows it.
func Overlap(machine string, other string) error {
	msg := fmt.Sprintf("machine %s is already booked then; pick a free slot", machine)
	if other != "" {
		msg = fmt.Sprintf("machine %s is already booked then (booking %s); pick a free slot", machine, other)
	}
	return &dgml.Error{Kind: dgml.Conflict, Op: "booking.Book", Field: "start", Msg: msg}
}
