package booking_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/internal/storetest"
)

var ctx = context.Background()

// A Monday in Athens, 08:00 local (06:00 UTC).
var monday = time.Date(2027, 3, 1, 6, 0, 0, 0, time.UTC)

type lab struct {
	svc                 *booking.Service
	f                   *facility.Facility
	laser, printer      string
	op, ana, bob, admin *account.User
	clock               time.Time
}

func newLab(t *testing.T) *lab {
	db := storetest.SQLite(t)
	l := &lab{clock: monday}
	l.svc = &booking.Service{Store: db, Facilities: db, Roles: db, Now: func() time.Time { return l.clock }}
	weekdays := func(from, to string) []facility.Window {
		var w []facility.Window
		for _, d := range []string{"mo", "tu", "we", "th", "fr"} {
			w = append(w, facility.Window{Day: d, From: from, To: to})
		}
		return w
	}
	hours := &facility.Hours{Zone: "Europe/Athens", Weekly: weekdays("10:00", "18:00"), Except: []facility.Exception{{Date: "2027-03-02"}}}
	l.f = &facility.Facility{Name: "Fab Lab Athens", Location: geo.Point{Lat: 37.98, Lon: 23.73}, Machines: []facility.Machine{
		{Process: design.ProcessLaserCutting, Make: "Epilog", Hours: hours, Use: &facility.Use{Currency: "EUR", CancelHours: 24, MaxHours: 3, Rules: []facility.UseRule{
			{Who: facility.WhoQualified, Qualification: "Laser safety", PricePerHour: 20},
			{Who: facility.WhoMembers, PricePerHour: 30, Anytime: true},
		}}},
		{Process: design.ProcessFDM, Make: "Prusa", Quantity: 2, Hours: hours, Use: &facility.Use{Rules: []facility.UseRule{{Who: facility.WhoPublic, PricePerHour: 4}}}},
	}}
	if err := db.CreateFacility(ctx, l.f); err != nil {
		t.Fatal(err)
	}
	l.laser, l.printer = l.f.Machines[0].ID, l.f.Machines[1].ID
	user := func(name string, admin bool) *account.User {
		u, err := db.CreateUser(ctx, name, "x", admin)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	l.op, l.ana, l.bob, l.admin = user("op", false), user("ana", false), user("bob", false), user("root", true)
	if err := db.AddRole(ctx, account.Operator, l.f.ID, l.op.ID); err != nil {
		t.Fatal(err)
	}
	return l
}

// local makes a time in Athens on the lab's Monday plus days.
func local(days, hour, minute int) time.Time {
	athens, _ := time.LoadLocation("Europe/Athens")
	return time.Date(2027, 3, 1+days, hour, minute, 0, 0, athens)
}

func req(days, from, to int) booking.Request {
	return booking.Request{Start: local(days, from, 0), End: local(days, to, 0)}
}

func TestWhoMayBook(t *testing.T) {
	l := newLab(t)
	// Nobody has the laser's qualification or membership yet.
	_, err := l.svc.Book(ctx, l.ana, l.laser, req(0, 11, 12))
	if dgml.KindOf(err) != dgml.Forbidden || !strings.Contains(err.Error(), `"Laser safety"`) || !strings.Contains(err.Error(), "members") {
		t.Fatalf("before any grant: %v", err)
	}
	if err := l.svc.Grant(ctx, l.ana, l.f.ID, l.ana.ID, "laser safety", false); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("granting oneself: %v", err)
	}
	if err := l.svc.Grant(ctx, l.op, l.f.Slug, l.ana.ID, "Laser Safety", false); err != nil {
		t.Fatal(err)
	}
	b, err := l.svc.Book(ctx, l.ana, l.laser, req(0, 11, 13))
	if err != nil {
		t.Fatal(err)
	}
	if b.Price != 4000 || b.Currency != "EUR" || b.Kind != booking.Session || b.Person != l.ana.ID {
		t.Errorf("qualified booking: %+v", b)
	}
	// Outside the laser's hours, and over its longest session.
	if _, err := l.svc.Book(ctx, l.ana, l.laser, req(0, 17, 19)); dgml.KindOf(err) != dgml.Invalid {
		t.Errorf("past closing: %v", err)
	}
	if _, err := l.svc.Book(ctx, l.ana, l.laser, req(2, 10, 14)); dgml.KindOf(err) != dgml.Invalid || !strings.Contains(err.Error(), "3 hours") {
		t.Errorf("four hours: %v", err)
	}
	// The holiday is closed.
	if _, err := l.svc.Book(ctx, l.ana, l.laser, req(1, 11, 12)); dgml.KindOf(err) != dgml.Invalid {
		t.Errorf("on the holiday: %v", err)
	}
	// A member books any time, at the members' price; a member with the
	// qualification too pays the cheaper price.
	if err := l.svc.Grant(ctx, l.op, l.f.ID, l.bob.ID, "member", false); err != nil {
		t.Fatal(err)
	}
	b, err = l.svc.Book(ctx, l.bob, l.laser, req(0, 19, 21))
	if err != nil || b.Price != 6000 {
		t.Errorf("member at night: %+v %v", b, err)
	}
	// Taken back, the membership no longer books.
	if err := l.svc.Grant(ctx, l.op, l.f.ID, l.bob.ID, "member", true); err != nil {
		t.Fatal(err)
	}
	if _, err := l.svc.Book(ctx, l.bob, l.laser, req(3, 11, 12)); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("after the membership ended: %v", err)
	}
	// Operators book maintenance at any time, at no charge; others may
	// not book maintenance.
	if _, err := l.svc.Book(ctx, l.ana, l.laser, booking.Request{Start: local(3, 8, 0), End: local(3, 9, 0), Kind: booking.Maintenance}); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("maintenance by a member: %v", err)
	}
	m, err := l.svc.Book(ctx, l.op, l.laser, booking.Request{Start: local(3, 7, 0), End: local(3, 9, 0), Kind: booking.Maintenance})
	if err != nil || m.Price != 0 {
		t.Errorf("maintenance by the operator: %+v %v", m, err)
	}
	// The public printer: anyone, within hours.
	if _, err := l.svc.Book(ctx, l.bob, l.printer, req(0, 10, 11)); err != nil {
		t.Errorf("public printer: %v", err)
	}
	if _, err := l.svc.Book(ctx, nil, l.printer, req(0, 10, 11)); dgml.KindOf(err) != dgml.Unauthorized {
		t.Errorf("anonymous: %v", err)
	}
	// The past is not bookable.
	if _, err := l.svc.Book(ctx, l.bob, l.printer, booking.Request{Start: monday.Add(-3 * time.Hour), End: monday.Add(-2 * time.Hour)}); dgml.KindOf(err) != dgml.Invalid {
		t.Errorf("the past: %v", err)
	}
}

func TestUnitsOfASet(t *testing.T) {
	l := newLab(t)
	a, err := l.svc.Book(ctx, l.ana, l.printer, req(0, 10, 12))
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.svc.Book(ctx, l.bob, l.printer, req(0, 11, 13))
	if err != nil {
		t.Fatal(err)
	}
	if a.Unit != 1 || b.Unit != 2 {
		t.Errorf("units: %d and %d", a.Unit, b.Unit)
	}
	if _, err := l.svc.Book(ctx, l.bob, l.printer, req(0, 11, 12)); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("both printers taken: %v", err)
	}
	if _, err := l.svc.Book(ctx, l.bob, l.printer, booking.Request{Start: local(0, 12, 0), End: local(0, 13, 0), Unit: 3}); dgml.KindOf(err) != dgml.Invalid {
		t.Errorf("a third printer: %v", err)
	}
	free, err := l.svc.Slots(ctx, l.printer, local(0, 0, 0), local(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(free) != 2 {
		t.Fatalf("units: %+v", free)
	}
	athens, _ := time.LoadLocation("Europe/Athens")
	show := func(spans []facility.Span) string {
		var s []string
		for _, x := range spans {
			s = append(s, x.Start.In(athens).Format("15:04")+"-"+x.End.In(athens).Format("15:04"))
		}
		return strings.Join(s, " ")
	}
	if got := show(free[0].Spans); got != "12:00-18:00" {
		t.Errorf("free on printer 1: %s", got)
	}
	if got := show(free[1].Spans); got != "10:00-11:00 13:00-18:00" {
		t.Errorf("free on printer 2: %s", got)
	}
}

func TestCancelAndHold(t *testing.T) {
	l := newLab(t)
	soon, err := l.svc.Book(ctx, l.ana, l.printer, req(0, 14, 15))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.svc.Cancel(ctx, l.bob, soon.ID); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("someone else cancelling: %v", err)
	}
	// The printer has no cancellation window: its person cancels until
	// it begins.
	if b, err := l.svc.Cancel(ctx, l.ana, soon.ID); err != nil || b.Status != booking.Cancelled || b.CancelledBy != l.ana.ID {
		t.Errorf("cancel: %+v %v", b, err)
	}
	if _, err := l.svc.Cancel(ctx, l.ana, soon.ID); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("cancelled twice: %v", err)
	}
	// The laser takes cancellations until 24 hours before.
	if err := l.svc.Grant(ctx, l.op, l.f.ID, l.ana.ID, "member", false); err != nil {
		t.Fatal(err)
	}
	tomorrow, err := l.svc.Book(ctx, l.ana, l.laser, req(0, 20, 21)) // a member: any time
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.svc.Cancel(ctx, l.ana, tomorrow.ID); dgml.KindOf(err) != dgml.Conflict || !strings.Contains(err.Error(), "24 hours") {
		t.Errorf("inside the window: %v", err)
	}
	if _, err := l.svc.Cancel(ctx, l.op, tomorrow.ID); err != nil {
		t.Errorf("the workshop cancels any time: %v", err)
	}
	// A hold lapses after ten minutes unless confirmed.
	h, err := l.svc.Book(ctx, l.bob, l.printer, booking.Request{Start: local(0, 16, 0), End: local(0, 17, 0), Kind: booking.Hold, Unit: 1})
	if err != nil || h.Expires == nil {
		t.Fatalf("hold: %+v %v", h, err)
	}
	if _, err := l.svc.Book(ctx, l.ana, l.printer, booking.Request{Start: local(0, 16, 0), End: local(0, 17, 0), Unit: 1}); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("over a live hold: %v", err)
	}
	if _, err := l.svc.Confirm(ctx, l.ana, h.ID); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("confirming someone else's hold: %v", err)
	}
	l.clock = l.clock.Add(11 * time.Minute)
	if _, err := l.svc.Confirm(ctx, l.bob, h.ID); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("confirming a lapsed hold: %v", err)
	}
	if _, err := l.svc.Book(ctx, l.ana, l.printer, booking.Request{Start: local(0, 16, 0), End: local(0, 17, 0), Unit: 1}); err != nil {
		t.Errorf("after the hold lapsed: %v", err)
	}
	h2, err := l.svc.Book(ctx, l.bob, l.printer, booking.Request{Start: local(2, 16, 0), End: local(2, 17, 0), Kind: booking.Hold})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := l.svc.Confirm(ctx, l.bob, h2.ID); err != nil || b.Kind != booking.Session || b.Expires != nil {
		t.Errorf("confirmed: %+v %v", b, err)
	}
	mine, err := l.svc.Mine(ctx, l.bob)
	if err != nil || len(mine) != 2 {
		t.Errorf("bob's bookings: %d %v", len(mine), err)
	}
}

func TestRemovedMachine(t *testing.T) {
	l := newLab(t)
	b, err := l.svc.Book(ctx, l.ana, l.printer, req(0, 10, 11))
	if err != nil {
		t.Fatal(err)
	}
	l.f.Machines = l.f.Machines[:1]
	if err := l.svc.Store.(interface {
		UpdateFacility(context.Context, *facility.Facility) error
	}).UpdateFacility(ctx, l.f); err != nil {
		t.Fatal(err)
	}
	if _, err := l.svc.Book(ctx, l.ana, l.printer, req(0, 12, 13)); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("booking a removed machine: %v", err)
	}
	// Its bookings still name it.
	if got, err := l.svc.Store.Booking(ctx, b.ID); err != nil || got.MachineID != l.printer {
		t.Errorf("booking of a removed machine: %+v %v", got, err)
	}
}

func TestPlaceJob(t *testing.T) {
	l := newLab(t)
	athens, _ := time.LoadLocation("Europe/Athens")
	// Both printers are busy Monday 10-14 and 10-12.
	for _, unit := range []int{1, 2} {
		r := req(0, 10, 12+2*(2-unit))
		r.Unit = unit
		if _, err := l.svc.Book(ctx, l.ana, l.printer, r); err != nil {
			t.Fatal(err)
		}
	}
	w := booking.Work{ID: "job-1", Hours: 5, Machines: []string{l.printer, l.laser}}
	if _, _, err := l.svc.PlaceJob(ctx, l.ana, l.f.ID, w); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("a member placing a job: %v", err)
	}
	b, p, err := l.svc.PlaceJob(ctx, l.op, l.f.Slug, w)
	if err != nil {
		t.Fatal(err)
	}
	// The laser is free at 10:00 but a 5-hour cut fits (10-15); the
	// second printer frees at 12:00 (12-17). The laser ends first.
	if b.MachineID != l.laser || b.Start.In(athens).Hour() != 10 || b.Kind != booking.Job || b.Job != "job-1" || p.Late {
		t.Errorf("first job: %+v %+v", b, p)
	}
	b2, _, err := l.svc.PlaceJob(ctx, l.op, l.f.Slug, booking.Work{ID: "job-2", Hours: 5, Machines: []string{l.printer, l.laser}})
	if err != nil {
		t.Fatal(err)
	}
	if b2.MachineID != l.printer || b2.Unit != 2 || b2.Start.In(athens).Hour() != 12 {
		t.Errorf("second job: %+v", b2)
	}
	// A deadline that cannot be met is said.
	_, p3, err := l.svc.PlaceJob(ctx, l.op, l.f.Slug, booking.Work{ID: "job-3", Hours: 30, Deadline: local(1, 0, 0), Machines: []string{l.printer}})
	if err != nil || !p3.Late {
		t.Errorf("late job: %+v %v", p3, err)
	}
	if _, _, err := l.svc.PlaceJob(ctx, l.op, l.f.Slug, booking.Work{ID: "x", Hours: 1, Machines: []string{"nothing"}}); dgml.KindOf(err) != dgml.Invalid {
		t.Errorf("a machine of no such workshop: %v", err)
	}
}
