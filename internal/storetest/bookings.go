package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/store"
)

func workshop(t *testing.T, db store.Store, machines ...facility.Machine) *facility.Facility {
	t.Helper()
	f := &facility.Facility{Name: "Fab Lab Test", Location: geo.Point{Lat: 37.98, Lon: 23.73}, Machines: machines}
	if err := db.CreateFacility(ctx, f); err != nil {
		t.Fatal(err)
	}
	return f
}

// Machines keep their ids when the workshop reorders, removes or adds
// others; a removed machine is still found, marked removed.
func machines(t *testing.T, db store.Store) {
	f := workshop(t, db,
		facility.Machine{Process: design.ProcessFDM, Make: "Prusa", Model: "MK4"},
		facility.Machine{Process: design.ProcessLaserCutting, Make: "Epilog"},
		facility.Machine{Process: design.ProcessCNCMilling, Make: "Shapeoko"})
	ids := []string{f.Machines[0].ID, f.Machines[1].ID, f.Machines[2].ID}
	if ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == "" {
		t.Fatalf("ids: %v", ids)
	}
	// Reorder, drop the laser, add a new printer.
	f.Machines = []facility.Machine{f.Machines[2], f.Machines[0], {Process: design.ProcessFDM, Make: "Bambu"}}
	if err := db.UpdateFacility(ctx, f); err != nil {
		t.Fatal(err)
	}
	got, err := db.Facility(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Machines[0].ID != ids[2] || got.Machines[1].ID != ids[0] || got.Machines[2].ID == "" || got.Machines[2].ID == ids[1] {
		t.Errorf("after reordering: %v, were %v", []string{got.Machines[0].ID, got.Machines[1].ID, got.Machines[2].ID}, ids)
	}
	m, fid, err := db.Machine(ctx, ids[1])
	if err != nil || fid != f.ID || m.Make != "Epilog" || m.Removed == nil {
		t.Errorf("removed machine: %+v %s %v", m, fid, err)
	}
	m, _, err = db.Machine(ctx, ids[0])
	if err != nil || m.Removed != nil || m.Model != "MK4" {
		t.Errorf("kept machine: %+v %v", m, err)
	}
	// Listed again under its id, it comes back.
	f.Machines = append(got.Machines, facility.Machine{ID: ids[1], Process: design.ProcessLaserCutting, Make: "Epilog"})
	if err := db.UpdateFacility(ctx, f); err != nil {
		t.Fatal(err)
	}
	if m, _, err := db.Machine(ctx, ids[1]); err != nil || m.Removed != nil {
		t.Errorf("machine listed again: %+v %v", m, err)
	}
	// Another workshop cannot claim a machine's id.
	other := &facility.Facility{Name: "Other", Location: geo.Point{Lat: 1, Lon: 1}, Machines: []facility.Machine{{ID: ids[0], Process: design.ProcessFDM}}}
	if err := db.CreateFacility(ctx, other); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("taking another workshop's machine id: %v", err)
	}
	if _, err := db.Facility(ctx, "other"); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("a refused workshop was stored: %v", err)
	}
	if _, _, err := db.Machine(ctx, "nothing"); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("unknown machine: %v", err)
	}
	// A withdrawn workshop's machines stay, removed.
	if err := db.DeleteFacility(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	if m, _, err := db.Machine(ctx, ids[2]); err != nil || m.Removed == nil {
		t.Errorf("machine of a withdrawn workshop: %+v %v", m, err)
	}
}

func at(h int) time.Time { return time.Date(2027, 3, 1, h, 0, 0, 0, time.UTC) }

func bookings(t *testing.T, db store.Store) {
	f := workshop(t, db, facility.Machine{Process: design.ProcessFDM, Make: "Prusa", Quantity: 2})
	mid := f.Machines[0].ID
	now := at(0)
	book := func(unit, from, to int, kind booking.Kind) (*booking.Booking, error) {
		b := &booking.Booking{MachineID: mid, FacilityID: f.ID, Unit: unit, Kind: kind, Start: at(from), End: at(to), Person: "u1", Price: 1200, Currency: "EUR"}
		if kind == booking.Hold {
			e := now.Add(10 * time.Minute)
			b.Expires = &e
		}
		return b, db.Book(ctx, b, now)
	}
	first, err := book(1, 9, 12, booking.Session)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := book(1, 11, 13, booking.Session); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("overlapping booking: %v", err)
	}
	if _, err := book(1, 8, 14, booking.Job); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("booking around another: %v", err)
	}
	if _, err := book(1, 12, 13, booking.Session); err != nil {
		t.Errorf("a booking starting as another ends: %v", err)
	}
	if _, err := book(2, 9, 12, booking.Session); err != nil {
		t.Errorf("the second machine of the set: %v", err)
	}
	if _, err := book(1, 12, 11, booking.Session); dgml.KindOf(err) != dgml.Invalid {
		t.Errorf("end before start: %v", err)
	}
	b := &booking.Booking{MachineID: "nothing", Unit: 1, Kind: booking.Session, Start: at(1), End: at(2)}
	if err := db.Book(ctx, b, now); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("booking an unknown machine: %v", err)
	}
	got, err := db.Booking(ctx, first.ID)
	if err != nil || !got.Start.Equal(at(9)) || !got.End.Equal(at(12)) || got.Price != 1200 || got.Status != booking.Active || got.Kind != booking.Session || got.FacilityID != f.ID {
		t.Errorf("read back: %+v %v", got, err)
	}
	// Cancelled, its time is free again; cancelled twice is a conflict.
	if err := db.CancelBooking(ctx, first.ID, "u1", now); err != nil {
		t.Fatal(err)
	}
	if err := db.CancelBooking(ctx, first.ID, "u1", now); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("cancelled twice: %v", err)
	}
	if _, err := book(1, 10, 11, booking.Maintenance); err != nil {
		t.Errorf("booking freed time: %v", err)
	}
	// A hold keeps its time until it lapses.
	hold, err := book(1, 14, 15, booking.Hold)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := book(1, 14, 15, booking.Session); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("booking over a live hold: %v", err)
	}
	late := &booking.Booking{MachineID: mid, FacilityID: f.ID, Unit: 1, Kind: booking.Session, Start: at(14), End: at(15)}
	if err := db.Book(ctx, late, now.Add(11*time.Minute)); err != nil {
		t.Errorf("booking over a lapsed hold: %v", err)
	}
	if h, _ := db.Booking(ctx, hold.ID); h.Status != booking.Expired {
		t.Errorf("lapsed hold: %+v", h)
	}
	if err := db.ConfirmHold(ctx, hold.ID, booking.Session, now.Add(11*time.Minute)); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("confirming a lapsed hold: %v", err)
	}
	hold2, err := book(1, 16, 17, booking.Hold)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ConfirmHold(ctx, hold2.ID, booking.Session, now.Add(time.Minute)); err != nil {
		t.Errorf("confirming a hold: %v", err)
	}
	if h, _ := db.Booking(ctx, hold2.ID); h.Kind != booking.Session || h.Expires != nil {
		t.Errorf("confirmed hold: %+v", h)
	}
	// Lists: active by default, in start order, by time window.
	list, err := db.Bookings(ctx, booking.Filter{Machine: mid, From: at(10), To: at(15)})
	if err != nil {
		t.Fatal(err)
	}
	var span []string
	for _, b := range list {
		span = append(span, fmt.Sprintf("%d:%02d-%02d", b.Unit, b.Start.Hour(), b.End.Hour()))
	}
	if fmt.Sprint(span) != "[2:09-12 1:10-11 1:12-13 1:14-15]" {
		t.Errorf("bookings 10-15h: %v", span)
	}
	all, _ := db.Bookings(ctx, booking.Filter{Person: "u1", All: true})
	if len(all) != 6 {
		t.Errorf("every booking of u1, also cancelled and expired: %d", len(all))
	}
	if got, _ := db.Bookings(ctx, booking.Filter{Facility: f.ID, Limit: 2}); len(got) != 2 {
		t.Errorf("limit: %d", len(got))
	}
	if _, err := db.Booking(ctx, "nope"); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("unknown booking: %v", err)
	}
}

// A hundred people asking for overlapping time on one machine at once:
// exactly one gets it.
func raceForOneSlot(t *testing.T, db store.Store) {
	f := workshop(t, db, facility.Machine{Process: design.ProcessLaserCutting, Make: "Epilog"})
	mid := f.Machines[0].ID
	won, conflicts := race(t, 100, func(i int) error {
		// Every slot covers 12:00 and no two are the same.
		start := at(12).Add(-time.Duration(i+1) * time.Minute)
		b := &booking.Booking{MachineID: mid, FacilityID: f.ID, Unit: 1, Kind: booking.Session, Start: start, End: start.Add(2 * time.Hour), Person: fmt.Sprint("u", i)}
		return db.Book(ctx, b, at(0))
	})
	if won != 1 || conflicts != 99 {
		t.Errorf("%d won, %d conflicts; want 1 and 99", won, conflicts)
	}
	list, err := db.Bookings(ctx, booking.Filter{Machine: mid})
	if err != nil || len(list) != 1 {
		t.Errorf("stored: %d %v", len(list), err)
	}
}
