package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/dispatch"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/order"
	"github.com/dgml/dgml/store"
)

func newOrder(t *testing.T, db store.Store) *order.Order {
	t.Helper()
	o := &order.Order{Person: "u1", PersonName: "ana", DesignID: "d1", DesignName: "Printer", Revision: "r1", Quantity: 2, Place: geo.Point{Lat: 1, Lon: 2},
		Deadline: time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC), Requests: []order.Request{
			{FacilityID: "f1", FacilityName: "Lab 1", State: order.Requested, Lines: []order.Line{{Part: "Frame / Bracket", Quantity: 8, Process: design.ProcessFDM, Hours: 3.5,
				Files: []design.FileRef{{Path: "bracket.stl", SHA256: "ab"}}}}},
			{FacilityID: "f2", FacilityName: "Lab 2", State: order.Requested},
		}}
	if err := db.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	return o
}

func orders(t *testing.T, db store.Store) {
	o := newOrder(t, db)
	if o.ID == "" || o.Requests[0].ID == "" || o.Requests[0].OrderID != o.ID {
		t.Fatalf("ids: %+v", o)
	}
	got, err := db.Order(ctx, o.ID)
	if err != nil || got.Quantity != 2 || len(got.Requests) != 2 || got.Requests[0].FacilityID != "f1" || got.Requests[0].Lines[0].Files[0].SHA256 != "ab" || !got.Deadline.Equal(o.Deadline) {
		t.Fatalf("read back: %+v %v", got, err)
	}
	r := got.Requests[0]
	r.State, r.Quote = order.Quoted, &order.Quote{Price: 100, Currency: "EUR", Ready: time.Date(2027, 3, 20, 0, 0, 0, 0, time.UTC)}
	if err := db.UpdateRequest(ctx, &r, order.Requested, order.Event{Kind: "state", State: order.Quoted, By: "op", Text: "EUR 1.00"}); err != nil {
		t.Fatal(err)
	}
	// A second change from the old state is refused: someone moved it.
	r2 := got.Requests[0]
	r2.State = order.Declined
	if err := db.UpdateRequest(ctx, &r2, order.Requested, order.Event{Kind: "state", State: order.Declined, By: "op2"}); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("stale change: %v", err)
	}
	if err := db.AddOrderEvent(ctx, order.Event{RequestID: r.ID, Kind: "message", By: "ana", Text: "thanks"}); err != nil {
		t.Fatal(err)
	}
	one, err := db.OrderRequest(ctx, r.ID)
	if err != nil || one.State != order.Quoted || one.Quote.Price != 100 || len(one.Events) != 2 || one.Events[1].Text != "thanks" || one.Events[0].By != "op" {
		t.Errorf("request: %+v %v", one, err)
	}
	extra := &order.Request{OrderID: o.ID, FacilityID: "f3", State: order.Requested}
	if err := db.AddRequest(ctx, extra); err != nil {
		t.Fatal(err)
	}
	if err := db.SetUnplaced(ctx, o.ID, []order.Line{{Part: "Gear", Reason: "declined by Lab 2"}}); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Order(ctx, o.ID)
	if len(got.Requests) != 3 || got.Requests[2].FacilityID != "f3" || len(got.Unplaced) != 1 {
		t.Errorf("after adding: %+v", got)
	}
	open, err := db.RequestsAt(ctx, "f1", true, 0)
	if err != nil || len(open) != 1 {
		t.Errorf("open at f1: %+v %v", open, err)
	}
	newOrder(t, db)
	mine, err := db.Orders(ctx, "u1", 0)
	if err != nil || len(mine) != 2 || len(mine[1].Requests) != 3 {
		t.Errorf("orders of u1: %d %v", len(mine), err)
	}
	for _, id := range []string{"nothing", "01900000-0000-7000-8000-000000000001"} {
		if _, err := db.Order(ctx, id); dgml.KindOf(err) != dgml.NotFound {
			t.Errorf("order %s: %v", id, err)
		}
	}
	// Notifications, newest first, read up to a point.
	for i := range 3 {
		if err := db.Notify(ctx, order.Notification{UserID: "u1", Text: fmt.Sprint("n", i), Link: "/orders/x"}); err != nil {
			t.Fatal(err)
		}
	}
	ns, err := db.Notifications(ctx, "u1", 10)
	if err != nil || len(ns) != 3 || ns[0].Text != "n2" || ns[0].Read {
		t.Fatalf("notifications: %+v %v", ns, err)
	}
	if err := db.MarkRead(ctx, "u1", ns[1].ID); err != nil {
		t.Fatal(err)
	}
	ns, _ = db.Notifications(ctx, "u1", 10)
	if ns[0].Read || !ns[1].Read || !ns[2].Read {
		t.Errorf("read: %+v", ns)
	}
}

// Many operators answering one request at once: one change wins.
func raceForOneRequest(t *testing.T, db store.Store) {
	o := newOrder(t, db)
	won, conflicts := race(t, 16, func(i int) error {
		r := o.Requests[0]
		r.State = order.Quoted
		r.Quote = &order.Quote{Price: int64(i), Currency: "EUR"}
		return db.UpdateRequest(ctx, &r, order.Requested, order.Event{Kind: "state", State: order.Quoted, By: fmt.Sprint("op", i)})
	})
	if won != 1 || conflicts != 15 {
		t.Errorf("%d won, %d conflicts", won, conflicts)
	}
	r, _ := db.OrderRequest(ctx, o.Requests[0].ID)
	if len(r.Events) != 1 || r.Events[0].By != fmt.Sprint("op", r.Quote.Price) {
		t.Errorf("the winner's change and event must land together: %+v", r)
	}
}

// Runs: conditional moves, a machine's finished runs, and which of many
// machines have any.
func runs(t *testing.T, db store.Store) {
	mk := func(machine string, est, act float64) *dispatch.Run {
		r := &dispatch.Run{RequestID: "r1", Line: 1, FacilityID: "f1", MachineID: machine, State: dispatch.Queued, EstimatedHours: est}
		if err := db.CreateRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		if act > 0 {
			from := r.State
			r.State, r.ActualHours = dispatch.Done, act
			if err := db.UpdateRun(ctx, r, from); err != nil {
				t.Fatal(err)
			}
		}
		return r
	}
	mk("m1", 1, 1.2)
	mk("m1", 2, 2.2)
	open := mk("m2", 1, 0)
	mk("m3", 1, 0.9)
	stale := *open
	stale.State = dispatch.Printing
	if err := db.UpdateRun(ctx, &stale, dispatch.WaitBed); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("a move from a state the run is not in: %v", err)
	}
	done, err := db.Finished(ctx, "m1", 10)
	if err != nil || len(done) != 2 {
		t.Errorf("m1 finished: %d %v", len(done), err)
	}
	worked, err := db.Worked(ctx, []string{"m1", "m2", "m3", "m4"})
	slices.Sort(worked)
	if err != nil || fmt.Sprint(worked) != "[m1 m3]" {
		t.Errorf("machines with done runs: %v %v", worked, err)
	}
	if got, _ := db.Runs(ctx, dispatch.Filter{Facility: "f1", Open: true}); len(got) != 1 || got[0].ID != open.ID {
		t.Errorf("open runs: %+v", got)
	}
}

// Roles taken back and e-mail addresses kept and forgotten.
func rolesAndEmails(t *testing.T, db store.Store) {
	u, err := db.CreateUser(ctx, "mail-user", "hash", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddRole(ctx, "member", "f1", u.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveRole(ctx, "member", "f1", u.ID); err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.HasRole(ctx, "member", "f1", u.ID); ok {
		t.Error("a removed role is still held")
	}
	if err := db.RemoveRole(ctx, "member", "f1", u.ID); err != nil {
		t.Errorf("removing a role not held: %v", err)
	}
	if e, err := db.Email(ctx, u.ID); err != nil || e != "" {
		t.Errorf("no address yet: %q %v", e, err)
	}
	for _, addr := range []string{"ana@example.org", "ana@fablab.example"} {
		if err := db.SetEmail(ctx, u.ID, addr); err != nil {
			t.Fatal(err)
		}
		if e, _ := db.Email(ctx, u.ID); e != addr {
			t.Errorf("address %q, want %q", e, addr)
		}
	}
	if err := db.SetEmail(ctx, u.ID, ""); err != nil {
		t.Fatal(err)
	}
	if e, _ := db.Email(ctx, u.ID); e != "" {
		t.Errorf("forgotten address: %q", e)
	}
}
