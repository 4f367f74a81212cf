package order_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/internal/testnode"
	"github.com/dgml/dgml/mail"
	"github.com/dgml/dgml/mail/mailtest"
	"github.com/dgml/dgml/order"
)

var ctx = context.Background()

var athens = geo.Point{Lat: 37.98, Lon: 23.73}

type shop struct {
	n        *testnode.Node
	ana, bob *account.User
	ops      map[string]*account.User // by facility id
}

// newShop is a node with the demo printer and the demo network, a
// buyer (ana), a stranger (bob) and an operator for each workshop.
func newShop(t *testing.T) *shop {
	n := testnode.New(t)
	n.Demo(t, 1, true)
	s := &shop{n: n, ops: map[string]*account.User{}}
	mk := func(name string) *account.User {
		u, err := n.DB.CreateUser(ctx, name, "x", false)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	s.ana, s.bob = mk("ana"), mk("bob")
	all, _ := n.DB.Facilities(ctx)
	for i, f := range all {
		u := mk("op" + string(rune('a'+i)))
		if err := n.DB.AddRole(ctx, account.Operator, f.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		s.ops[f.ID] = u
	}
	return s
}

func (s *shop) place(t *testing.T) *order.Order {
	t.Helper()
	o, err := s.n.Orders.Place(ctx, s.ana, order.PlaceRequest{Design: "reprap-mendel-style-3d-printer-demo", Quantity: 1, Near: athens, Deadline: time.Now().Add(21 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOrderToCollection(t *testing.T) {
	s := newShop(t)
	o := s.place(t)
	if len(o.Requests) == 0 || o.Person != s.ana.ID || o.Revision == "" {
		t.Fatalf("order: %+v", o)
	}
	r := o.Requests[0]
	if r.State != order.Requested || len(r.Lines) == 0 || !strings.HasPrefix(r.FacilityName, "Demo Fab Lab Athens") || len(r.Events) != 1 {
		t.Fatalf("request: %+v", r)
	}
	withFiles := slices.IndexFunc(r.Lines, func(l order.Line) bool { return len(l.Files) > 0 && l.Files[0].SHA256 != "" })
	if withFiles < 0 {
		t.Errorf("no line carries its files: %+v", r.Lines)
	}
	op := s.ops[r.FacilityID]
	// The workshop heard of it.
	if ns, _ := s.n.DB.Notifications(ctx, op.ID, 10); len(ns) == 0 || !strings.Contains(ns[0].Text, "ana ordered") {
		t.Errorf("operator's inbox: %+v", ns)
	}
	// Nobody else sees it; the buyer cannot quote.
	if _, err := s.n.Orders.Get(ctx, s.bob, o.ID); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("a stranger reading the order: %v", err)
	}
	if _, err := s.n.Orders.Act(ctx, s.bob, r.ID, order.Action{To: order.Cancelled}); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("a stranger cancelling: %v", err)
	}
	quote := &order.Quote{Price: 4850, Currency: "EUR", Ready: time.Now().Add(5 * 24 * time.Hour), Note: "PETG instead of PLA"}
	if _, err := s.n.Orders.Act(ctx, s.ana, r.ID, order.Action{To: order.Quoted, Quote: quote}); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("the buyer quoting: %v", err)
	}
	if _, err := s.n.Orders.Act(ctx, op, r.ID, order.Action{To: order.Accepted}); dgml.KindOf(err) != dgml.Conflict && dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("accepting before a quote: %v", err)
	}
	if _, err := s.n.Orders.Act(ctx, op, r.ID, order.Action{To: order.Quoted, Quote: &order.Quote{Price: -1, Ready: time.Now().Add(time.Hour)}}); dgml.KindOf(err) != dgml.Invalid {
		t.Errorf("a negative price: %v", err)
	}
	got, err := s.n.Orders.Act(ctx, op, r.ID, order.Action{To: order.Quoted, Quote: quote})
	if err != nil || got.State != order.Quoted || got.Quote.Price != 4850 {
		t.Fatalf("quote: %+v %v", got, err)
	}
	if ns, _ := s.n.DB.Notifications(ctx, s.ana.ID, 10); len(ns) == 0 || !strings.Contains(ns[0].Text, "quoted") || !strings.Contains(ns[0].Text, "48.50") {
		t.Errorf("buyer's inbox: %+v", ns)
	}
	if _, err := s.n.Orders.Message(ctx, s.ana, r.ID, "PETG is fine"); err != nil {
		t.Fatal(err)
	}
	// Accepting places the machine time before the deadline.
	got, err = s.n.Orders.Act(ctx, s.ana, r.ID, order.Action{To: order.Accepted})
	if err != nil || got.State != order.Accepted || len(got.Bookings) == 0 {
		t.Fatalf("accept: %+v %v", got, err)
	}
	b, err := s.n.DB.Booking(ctx, got.Bookings[0])
	if err != nil || b.Kind != booking.Job || b.FacilityID != r.FacilityID || !strings.HasPrefix(b.Job, r.ID+"/") || b.End.After(o.Deadline) {
		t.Errorf("job booking: %+v %v", b, err)
	}
	for _, to := range []order.State{order.InProduction, order.Ready, order.Collected} {
		if _, err := s.n.Orders.Act(ctx, s.ana, r.ID, order.Action{To: to}); dgml.KindOf(err) != dgml.Forbidden {
			t.Errorf("the buyer making it %s: %v", to, err)
		}
		if got, err = s.n.Orders.Act(ctx, op, r.ID, order.Action{To: to}); err != nil || got.State != to {
			t.Fatalf("%s: %+v %v", to, got, err)
		}
	}
	var trail []string
	for _, e := range got.Events {
		trail = append(trail, e.By+":"+string(e.State)+e.Kind[:0])
	}
	want := []string{"ana:requested", "opa:quoted", "ana:", "ana:accepted", "opa:in_production", "opa:ready", "opa:collected"}
	op0 := op.Name
	for i := range want {
		want[i] = strings.Replace(want[i], "opa", op0, 1)
	}
	if strings.Join(trail, " ") != strings.Join(want, " ") {
		t.Errorf("history: %v, want %v", trail, want)
	}
	if _, err := s.n.Orders.Act(ctx, s.ana, r.ID, order.Action{To: order.Cancelled}); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("cancelling a collected request: %v", err)
	}
}

// A declined request goes to the next workshop, never back to one that
// declined; when none is left, its lines wait on the order, unplaced.
func TestDeclinedIsPlannedAgain(t *testing.T) {
	s := newShop(t)
	o := s.place(t)
	seen := map[string]bool{}
	for round := 0; round < 5; round++ {
		o, _ = s.n.DB.Order(ctx, o.ID)
		var open *order.Request
		for i := range o.Requests {
			if o.Requests[i].State == order.Requested {
				open = &o.Requests[i]
				break
			}
		}
		if open == nil {
			break
		}
		if seen[open.FacilityID] {
			t.Fatalf("round %d: planned again at %s, which declined", round, open.FacilityName)
		}
		seen[open.FacilityID] = true
		if _, err := s.n.Orders.Act(ctx, s.ops[open.FacilityID], open.ID, order.Action{To: order.Declined}); dgml.KindOf(err) != dgml.Invalid {
			t.Errorf("a decline without a reason: %v", err)
		}
		if _, err := s.n.Orders.Act(ctx, s.ops[open.FacilityID], open.ID, order.Action{To: order.Declined, Reason: "our printers are booked for a month"}); err != nil {
			t.Fatal(err)
		}
	}
	o, _ = s.n.DB.Order(ctx, o.ID)
	if len(seen) < 2 {
		t.Errorf("declines went to %d workshops; the three Athens labs should each have been asked", len(seen))
	}
	if len(o.Unplaced) == 0 || !strings.Contains(o.Unplaced[0].Reason, "declined by") {
		t.Errorf("after every workshop declined: unplaced %+v", o.Unplaced)
	}
}

// With an SMTP server, a person who gave an address also gets each
// notification by e-mail, queued with the change and sent by the job.
func TestNotificationsByMail(t *testing.T) {
	s := newShop(t)
	srv, err := mailtest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	s.n.Orders.Mail, s.n.Orders.BaseURL = s.n.DB, "https://athens.example"
	if err := s.n.DB.SetEmail(ctx, s.ana.ID, "ana@example.org"); err != nil {
		t.Fatal(err)
	}
	o := s.place(t)
	r := o.Requests[0]
	if _, err := s.n.Orders.Act(ctx, s.ops[r.FacilityID], r.ID, order.Action{To: order.Quoted, Quote: &order.Quote{Price: 1200, Ready: time.Now().Add(72 * time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	queued, err := s.n.DB.Jobs(ctx, mail.Kind, 10)
	if err != nil || len(queued) != 1 {
		t.Fatalf("mails queued: %d %v (only ana gave an address)", len(queued), err)
	}
	sender := &mail.SMTP{Addr: srv.Addr, From: "node@athens.example"}
	if err := sender.Job(ctx, queued[0]); err != nil {
		t.Fatal(err)
	}
	got := srv.Received()
	if len(got) != 1 || got[0].To[0] != "ana@example.org" || !strings.Contains(got[0].Data, "https://athens.example/orders/"+o.ID) || !strings.Contains(got[0].Data, "EUR 12.00") {
		t.Errorf("mail: %+v", got)
	}
	if err := s.n.DB.SetEmail(ctx, s.ana.ID, ""); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.n.DB.Email(ctx, s.ana.ID); e != "" {
		t.Errorf("forgotten address: %q", e)
	}
}
