package ledger_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/dispatch"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/internal/testnode"
	"github.com/dgml/dgml/ledger"
	"github.com/dgml/dgml/order"
)

var ctx = context.Background()

func bracket(fn string) design.Content {
	return design.Content{
		Manifest: design.Manifest{Name: "Wall bracket", Function: fn, License: "CERN-OHL-S-2.0", Languages: []string{"en"}},
		Parts: []design.Part{{Name: "Bracket", Kind: design.KindPart, Quantity: 1, Material: "PLA", Process: design.ProcessFDM,
			Dimensions: &design.Dimensions{X: 60, Y: 40, Z: 6}}},
	}
}

// world is a node where a bracket was designed (gia), forked and
// improved (pia), forked again and improved (fay), translated (tom),
// and is ordered ten at a time (cara) from a workshop (run by ole).
type world struct {
	n                             *testnode.Node
	gia, pia, fay, tom, cara, ole *account.User
	d0, d1, d2                    *design.Design
}

func newWorld(t *testing.T) *world {
	t.Helper()
	n := testnode.New(t)
	n.Demo(t, 0, true)
	w := &world{n: n}
	mk := func(name string) *account.User {
		u, err := n.DB.CreateUser(ctx, name, "x", false)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	w.gia, w.pia, w.fay, w.tom, w.cara, w.ole = mk("gia"), mk("pia"), mk("fay"), mk("tom"), mk("cara"), mk("ole")
	var err error
	if w.d0, err = n.Commons.Commit(ctx, bracket("holds a shelf"), nil, commons.ImportOptions{Author: "gia@test.node"}); err != nil {
		t.Fatal(err)
	}
	if err := n.DB.AddRole(ctx, account.Maintainer, w.d0.ID, w.gia.ID); err != nil {
		t.Fatal(err)
	}
	if w.d1, err = n.People.Fork(ctx, w.pia, w.d0.Slug); err != nil {
		t.Fatal(err)
	}
	if _, _, err = n.Commons.Store.Commit(ctx, design.CommitRequest{DesignID: w.d1.ID, Content: bracket("holds a shelf; ribbed"), Author: "pia@test.node", Message: "ribs"}); err != nil {
		t.Fatal(err)
	}
	if w.d2, err = n.People.Fork(ctx, w.fay, w.d1.Slug); err != nil {
		t.Fatal(err)
	}
	if _, _, err = n.Commons.Store.Commit(ctx, design.CommitRequest{DesignID: w.d2.ID, Content: bracket("holds a shelf; ribbed; screw slots"), Author: "fay@test.node", Message: "screw slots"}); err != nil {
		t.Fatal(err)
	}
	if err := n.People.Translate(ctx, w.tom, w.d2.Slug, &design.TextTranslation{Key: "function", Lang: "de", Text: "hält ein Regal"}); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestOrderOfTenBrackets is the README's worked example: ten brackets
// ordered from a workshop, made, paid 85.00 EUR, and the price shared by
// the default value equations among the workshop, its operator, the
// contributors of three generations of the design, and the fund.
func TestOrderOfTenBrackets(t *testing.T) {
	w := newWorld(t)
	n := w.n
	o, err := n.Orders.Place(ctx, w.cara, order.PlaceRequest{Design: w.d2.Slug, Quantity: 10, Near: geo.Point{Lat: 37.98, Lon: 23.73}, Deadline: time.Now().Add(21 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Requests) != 1 {
		t.Fatalf("requests %+v, unplaced %+v", o.Requests, o.Unplaced)
	}
	r := o.Requests[0]
	if err := n.DB.AddRole(ctx, account.Operator, r.FacilityID, w.ole.ID); err != nil {
		t.Fatal(err)
	}
	act := func(u *account.User, a order.Action) {
		t.Helper()
		if _, err := n.Orders.Act(ctx, u, r.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	// A payment before the buyer accepted a quote is refused.
	if _, err := n.Ledger.RecordPayment(ctx, w.cara, r.ID, ledger.PaymentRequest{Amount: 8500, Currency: "EUR"}); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("paying an unquoted request: %v", err)
	}
	act(w.ole, order.Action{To: order.Quoted, Quote: &order.Quote{Price: 8500, Currency: "EUR", Ready: time.Now().Add(5 * 24 * time.Hour)}})
	act(w.cara, order.Action{To: order.Accepted})
	act(w.ole, order.Action{To: order.InProduction})
	runs, err := n.DB.Runs(ctx, dispatch.Filter{RequestID: r.ID})
	if err != nil || len(runs) == 0 {
		t.Fatalf("runs %v %v", runs, err)
	}
	for _, run := range runs {
		for _, rep := range []dispatch.Report{{State: dispatch.Printing}, {State: dispatch.Done, ActualHours: 2.5, FilamentG: 180}} {
			if _, err := n.Dispatch.Report(ctx, w.ole, run.ID, rep); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Strangers record nothing; the buyer records, the workshop confirms.
	if _, err := n.Ledger.RecordPayment(ctx, w.tom, r.ID, ledger.PaymentRequest{Amount: 8500, Currency: "EUR"}); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("a stranger recording a payment: %v", err)
	}
	pay, err := n.Ledger.RecordPayment(ctx, w.cara, r.ID, ledger.PaymentRequest{Amount: 8500, Currency: "EUR", Memo: "bank transfer"})
	if err != nil {
		t.Fatal(err)
	}
	if bs, _ := n.DB.Balances(ctx); len(bs) != 0 {
		t.Errorf("an unconfirmed payment counts: %+v", bs)
	}
	if _, err := n.Ledger.Confirm(ctx, w.cara, pay.ID); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("the buyer confirming her own payment: %v", err)
	}
	if _, err := n.Ledger.Confirm(ctx, w.ole, pay.ID); err != nil {
		t.Fatal(err)
	}
	ds, err := n.DB.Distributions(ctx, "request:"+r.ID, "")
	if err != nil || len(ds) != 2 {
		t.Fatalf("distributions %+v %v", ds, err)
	}
	ws := "workshop:" + r.FacilityID + "@test.node"
	def := ledger.DefaultPolicy()
	got := map[string]int64{}
	for _, d := range ds {
		for _, s := range d.Shares {
			if s.Agent == ws && d.Workshop == ws && d.Policy == def.Hash() {
				continue // the workshop's part, shared again by its own policy
			}
			got[s.Agent] += s.Amount
		}
	}
	// 85.00: workshop 80% = 68.00, of which its costs 70% = 47.60 and
	// its operator 30% = 20.40; design contributors 15% = 12.75 by
	// lineage (weights 1, 1/2, 1/4 over 1.75): fay's fork 7.29 (fay 2 h
	// credited for her revision and 1 h for the fork = 4.37; tom 1 h for
	// his translation and ole 1 h for the build report his finished job
	// left = 1.46 each, the two units of rounding going to the largest
	// remainders), pia's 3.64, gia's 1.82; the fund 5% = 4.25.
	want := map[string]int64{ws: 4760, "ole@test.node": 2040 + 146, "fay@test.node": 437, "tom@test.node": 146, "pia@test.node": 364, "gia@test.node": 182, "fund@test.node": 425}
	var sum int64
	for _, v := range got {
		sum += v
	}
	if !reflect.DeepEqual(got, want) || sum != 8500 {
		t.Errorf("shares %v (sum %d)\nwant %v", got, sum, want)
	}
	for _, d := range ds {
		// Anyone can re-run a distribution from its policy and events.
		p, err := n.DB.ValuePolicyByHash(ctx, d.Policy)
		if p == nil {
			def, wdef := ledger.DefaultPolicy(), ledger.DefaultWorkshopPolicy()
			for _, c := range []ledger.Policy{def, wdef} {
				if c.Hash() == d.Policy {
					p = &c
				}
			}
		}
		if err != nil || p == nil {
			t.Fatalf("policy %s: %v", d.Policy, err)
		}
		var events []ledger.Event
		for _, id := range d.Inputs {
			all, _ := n.DB.LedgerEvents(ctx, ledger.Filter{})
			for _, e := range all {
				if e.ID == id {
					events = append(events, e.Event)
				}
			}
		}
		again, err := ledger.Run(p, ledger.Input{Amount: d.Amount, Currency: d.Currency, Order: d.Order, Design: d.Design, Workshop: d.Workshop, Fund: d.Fund, Events: events})
		if err != nil || again.ID != d.ID {
			t.Errorf("re-running %s from its inputs gave %+v (%v)", d.ID, again, err)
		}
	}
	// Balances are sums: the request's money is all shared out; the
	// outside world paid 85.00 in.
	bs, err := n.DB.Balances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bal := map[string]int64{}
	for _, b := range bs {
		bal[b.Account] = b.Amount
	}
	if bal["request:"+r.ID] != 0 || bal[ledger.Outside] != -8500 || bal["fay@test.node"] != 437 || bal[ws] != 4760 {
		t.Errorf("balances %v", bal)
	}
	// What happened is in the ledger as Valueflows events.
	counts := map[string]int{}
	all, _ := n.DB.LedgerEvents(ctx, ledger.Filter{})
	for _, e := range all {
		counts[e.Action]++
	}
	if counts["cite"] != 2 || counts["use"] != len(runs) || counts["consume"] != len(runs) || counts["produce"] != len(runs) || counts["transfer"] != 1 || counts["deliverService"] != 2 || counts["work"] < 5 {
		t.Errorf("events by action: %v", counts)
	}
	// A payout: the workshop paid fay her share; fay confirms.
	if _, err := n.Ledger.Payout(ctx, w.ole, ws, "fay@test.node", 438, "EUR", ""); dgml.KindOf(err) != dgml.Invalid {
		t.Errorf("paying out more than is owed: %v", err)
	}
	if _, err := n.Ledger.Payout(ctx, w.tom, ws, "fay@test.node", 100, "EUR", ""); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("a stranger recording the workshop's payout: %v", err)
	}
	if _, err := n.Ledger.Payout(ctx, w.ole, "fund@test.node", "fay@test.node", 100, "EUR", ""); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("an operator paying from the fund: %v", err)
	}
	po, err := n.Ledger.Payout(ctx, w.ole, ws, "fay@test.node", 437, "EUR", "bank")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Ledger.Confirm(ctx, w.ole, po.ID); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("the payer confirming a payout: %v", err)
	}
	if _, err := n.Ledger.Confirm(ctx, w.fay, po.ID); err != nil {
		t.Fatal(err)
	}
	if b, _ := n.DB.Balances(ctx, "fay@test.node"); len(b) != 1 || b[0].Amount != 0 || b[0].In != 437 || b[0].Out != 437 {
		t.Errorf("fay after the payout: %+v", b)
	}
	// The contributors view names all three generations.
	cs, err := n.Ledger.Contributors(ctx, w.d2.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		names = append(names, fmt.Sprintf("%s/%d/%d", c.Agent, c.Generation, c.Received["EUR"]))
	}
	if strings.Join(names, " ") != "fay@test.node/0/437 ole@test.node/0/2186 tom@test.node/0/146 pia@test.node/1/364 gia@test.node/2/182" {
		t.Errorf("contributors %v", names)
	}
	// The export re-reads to the same events, every one.
	var buf bytes.Buffer
	if err := ledger.WriteJSONLD(&buf, func(fn func(ledger.Event) error) error {
		return n.DB.EachLedgerEvent(ctx, func(s ledger.Stored) error { return fn(s.Event) })
	}); err != nil {
		t.Fatal(err)
	}
	i := 0
	err = ledger.ReadJSONLD(ctx, &buf, ledger.DefaultLimits, func(e ledger.Event) error {
		if i >= len(all) || !reflect.DeepEqual(e, all[i].Event) {
			return fmt.Errorf("event %d differs: %+v", i, e)
		}
		i++
		return nil
	})
	if err != nil || i != len(all) {
		t.Errorf("re-read %d of %d: %v", i, len(all), err)
	}
}

// A pledge to a task is confirmed by the design's maintainers, held by
// the task, released to who closes it once a maintainer confirms.
func TestBountyOnATask(t *testing.T) {
	w := newWorld(t)
	n := w.n
	task := &collab.Task{Title: "Add a countersunk hole"}
	if err := n.People.AddTask(ctx, w.fay, w.d2.Slug, task); err != nil {
		t.Fatal(err)
	}
	p, err := n.Ledger.Pledge(ctx, w.cara, task.ID, 2000, "EUR", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Ledger.Pledge(ctx, w.cara, task.ID, 2000, "EUR", true); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("a person spending the fund: %v", err)
	}
	if _, err := n.Ledger.Confirm(ctx, w.tom, p.ID); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("a stranger confirming a pledge: %v", err)
	}
	if _, err := n.Ledger.Confirm(ctx, w.fay, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := n.People.Claim(ctx, w.tom, task.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := n.People.Close(ctx, w.tom, task.ID, "/designs/"+w.d2.Slug); err != nil {
		t.Fatal(err)
	}
	gs, err := n.DB.MoneyGroups(ctx, "task:"+task.ID, "", 0)
	if err != nil || len(gs) != 2 || gs[0].Kind != ledger.KindBounty || gs[0].Confirmed != nil {
		t.Fatalf("task money %+v %v", gs, err)
	}
	if b, _ := n.DB.Balances(ctx, "tom@test.node"); len(b) != 0 {
		t.Errorf("the bounty counted before the maintainer confirmed: %+v", b)
	}
	if _, err := n.Ledger.Confirm(ctx, w.tom, gs[0].ID); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("the doer confirming his own bounty: %v", err)
	}
	if _, err := n.Ledger.Confirm(ctx, w.fay, gs[0].ID); err != nil {
		t.Fatal(err)
	}
	if b, _ := n.DB.Balances(ctx, "tom@test.node", "task:"+task.ID); len(b) != 2 || b[0].Amount != 0 || b[1].Amount != 2000 {
		t.Errorf("after the bounty: %+v", b)
	}
	if _, err := n.Ledger.Pledge(ctx, w.cara, task.ID, 100, "EUR", false); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("pledging to a done task: %v", err)
	}
	// The task's work is in the ledger.
	evs, _ := n.DB.LedgerEvents(ctx, ledger.Filter{Agent: "tom@test.node", Action: "work"})
	if len(evs) != 1 || !strings.HasPrefix(evs[0].Note, "task:") {
		t.Errorf("tom's work: %+v", evs)
	}
}

// People state their own hours, and correct them; nobody states or
// corrects another's.
func TestSubmitAndCorrect(t *testing.T) {
	w := newWorld(t)
	n := w.n
	e, err := n.Ledger.Submit(ctx, w.tom, ledger.Event{Action: "work", Design: w.d2.ID, Effort: &ledger.Measure{Value: 3, Unit: ledger.Hour}, Note: "revision: tested the slots"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Provider != "tom@test.node" || e.Node != "test.node" || e.At == "" {
		t.Errorf("submitted %+v", e)
	}
	if _, err := n.Ledger.Submit(ctx, w.cara, ledger.Event{Action: "work", Provider: "tom@test.node", Design: w.d2.ID, Effort: &ledger.Measure{Value: 9, Unit: ledger.Hour}}); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("cara stating tom's work: %v", err)
	}
	if _, err := n.Ledger.Submit(ctx, w.cara, ledger.Event{Action: "work", Design: w.d2.ID, Effort: &ledger.Measure{Value: 1, Unit: ledger.Hour}, Corrects: e.ID}); dgml.KindOf(err) != dgml.Invalid {
		t.Errorf("cara correcting tom's work: %v", err)
	}
	if _, err := n.Ledger.Submit(ctx, w.tom, ledger.Event{Action: "work", Design: "nope", Effort: &ledger.Measure{Value: 1, Unit: ledger.Hour}}); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("work on no design: %v", err)
	}
	if _, err := n.Ledger.Submit(ctx, w.tom, ledger.Event{Action: "work", Design: w.d2.ID, Effort: &ledger.Measure{Value: 2.5, Unit: ledger.Hour}, Note: "revision: tested the slots", Corrects: e.ID}); err != nil {
		t.Fatal(err)
	}
	cs, _ := n.Ledger.Contributors(ctx, w.d2.ID)
	for _, c := range cs {
		if c.Agent == "tom@test.node" && (c.Hours != 2.5 || c.Translations != 1 || c.Revisions != 1) {
			t.Errorf("tom after the correction: %+v", c)
		}
	}
}

// A module reused from another design cites that design's revision,
// once: a later revision that keeps reusing it cites nothing more.
func TestReusedModuleIsCited(t *testing.T) {
	w := newWorld(t)
	n := w.n
	shelf := func(fn string) design.Content {
		c := bracket(fn)
		c.Manifest.Name = "Shelf"
		c.Parts = append(c.Parts, design.Part{Name: "Bracket module", Kind: design.KindModule, Quantity: 2, Reuses: &design.Origin{Design: w.d0.ID, Revision: w.d0.Head}})
		return c
	}
	d, err := n.Commons.Commit(ctx, shelf("a shelf"), nil, commons.ImportOptions{Author: "ana@test.node"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := n.Commons.Store.Commit(ctx, design.CommitRequest{DesignID: d.ID, Content: shelf("a longer shelf"), Author: "ana@test.node", Message: "longer"}); err != nil {
		t.Fatal(err)
	}
	cites, _ := n.DB.LedgerEvents(ctx, ledger.Filter{Designs: []string{"design:" + d.ID}, Action: "cite"})
	if len(cites) != 1 {
		t.Fatalf("cites %+v", cites)
	}
	if cites[0].ConformsTo != "design:"+w.d0.ID || cites[0].Resource != "revision:"+w.d0.Head || cites[0].Note != "reuse: Bracket module" {
		t.Errorf("cites %+v", cites)
	}
	if got := ledger.Lineage("design:"+d.ID, []ledger.Event{cites[0].Event}); len(got) != 1 {
		t.Errorf("a reuse made a fork lineage: %v", got)
	}
}
