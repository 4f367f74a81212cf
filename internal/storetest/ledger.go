package storetest

import (
	"testing"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/ledger"
	"github.com/dgml/dgml/store"
)

func sealed(t *testing.T, e ledger.Event) ledger.Event {
	t.Helper()
	if err := e.Seal(); err != nil {
		t.Fatal(err)
	}
	return e
}

// Events merge by id, filter by design, agent, action and order, keep
// their exact bytes, and page in order.
func ledgerEvents(t *testing.T, db store.Store) {
	at := ledger.Time(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC))
	work := sealed(t, ledger.Event{Action: "work", Provider: "ana@a", Design: "design:d1", Effort: &ledger.Measure{Value: 2.5, Unit: ledger.Hour}, At: at, Node: "a", Note: "revision: first"})
	cite := sealed(t, ledger.Event{Action: "cite", Provider: "ana@a", Receiver: "ben@b", Design: "design:d2", ConformsTo: "design:d1", Resource: "revision:r1", Quantity: &ledger.Measure{Value: 1, Unit: ledger.One}, At: at, Node: "b", Note: "fork"})
	use := sealed(t, ledger.Event{Action: "use", Provider: "workshop:w@a", Resource: "machine:m1", Effort: &ledger.Measure{Value: 3.5, Unit: ledger.Hour}, RealizationOf: "order:o1", At: at, Node: "a"})
	if err := db.AddLedgerEvents(ctx, work, cite, use); err != nil {
		t.Fatal(err)
	}
	// The same events again (a second path, a replica): nothing doubles.
	if err := db.AddLedgerEvents(ctx, cite, work); err != nil {
		t.Fatal(err)
	}
	all, err := db.LedgerEvents(ctx, ledger.Filter{})
	if err != nil || len(all) != 3 {
		t.Fatalf("%d events, %v", len(all), err)
	}
	for i, s := range all {
		if i > 0 && s.Seq <= all[i-1].Seq {
			t.Error("events out of order")
		}
		again := s.Event
		if err := again.Seal(); err != nil || again.ID != s.ID {
			t.Errorf("event %s reads back as %s (%v)", s.ID, again.ID, err)
		}
	}
	for _, c := range []struct {
		f    ledger.Filter
		want string
	}{
		{ledger.Filter{Designs: []string{"design:d1"}}, work.ID},
		{ledger.Filter{Designs: []string{"design:d2", "design:x"}}, cite.ID},
		{ledger.Filter{Agent: "ben@b"}, cite.ID},
		{ledger.Filter{Action: "use"}, use.ID},
		{ledger.Filter{Order: "order:o1"}, use.ID},
		{ledger.Filter{After: all[1].Seq}, use.ID},
		{ledger.Filter{ID: cite.ID}, cite.ID},
		{ledger.Filter{Newest: true, Limit: 1}, use.ID},
	} {
		got, err := db.LedgerEvents(ctx, c.f)
		if err != nil || len(got) != 1 || got[0].ID != c.want {
			t.Errorf("%+v: %v %v", c.f, got, err)
		}
	}
	if last2, err := db.LedgerEvents(ctx, ledger.Filter{Newest: true, Limit: 2}); err != nil || len(last2) != 2 || last2[0].ID != all[1].ID || last2[1].ID != all[2].ID {
		t.Errorf("the newest two, oldest first: %+v %v", last2, err)
	}
	n := 0
	if err := db.EachLedgerEvent(ctx, func(ledger.Stored) error { n++; return nil }); err != nil || n != 3 {
		t.Errorf("each: %d %v", n, err)
	}
}

// Policies: the newest per owner is current; any can be found by hash.
// Distributions are kept whole. Money groups count in balances only
// once confirmed, a confirmation happens once, and balances are sums.
func ledgerMoney(t *testing.T, db store.Store) {
	p1 := ledger.Policy{Name: "v1", Version: 1, Buckets: []ledger.Bucket{{Name: "all", Percent: 10000, Rule: ledger.RuleWorkshop}}}
	p2 := p1
	p2.Version, p2.Name = 2, "v2"
	for _, p := range []ledger.Policy{p1, p2} {
		if err := db.PutValuePolicy(ctx, "design:d1", p, "ana@a"); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := db.ValuePolicy(ctx, "design:d1"); err != nil || got == nil || got.Hash() != p2.Hash() {
		t.Fatalf("current policy %+v %v", got, err)
	}
	if got, err := db.ValuePolicyByHash(ctx, p1.Hash()); err != nil || got == nil || got.Name != "v1" {
		t.Fatalf("policy by hash %+v %v", got, err)
	}
	if got, err := db.ValuePolicy(ctx, "design:none"); err != nil || got != nil {
		t.Fatalf("a design without a policy: %+v %v", got, err)
	}
	d, err := ledger.Run(&p2, ledger.Input{Amount: 1001, Currency: "EUR", Order: "order:o1", Workshop: "workshop:w@a", Fund: "fund@a"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddDistribution(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := db.AddDistribution(ctx, d); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("the same distribution twice: %v", err)
	}
	if ds, err := db.Distributions(ctx, "order:o1", ""); err != nil || len(ds) != 1 || ds[0].ID != d.ID || ds[0].Shares[0].Amount != 1001 {
		t.Errorf("distributions %+v %v", ds, err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	pay := ledger.Transfer(ledger.KindPayment, "EUR", ledger.Outside, "order:o1", 10000, 150)
	pay.ID, pay.By, pay.Confirmer, pay.Ref, pay.Created = "g1", "cara@a", "workshop:w@a", "order:o1", now
	if err := db.AddMoney(ctx, &pay); err != nil {
		t.Fatal(err)
	}
	bad := ledger.Group{ID: "g2", Kind: ledger.KindPayout, Currency: "EUR", Rows: []ledger.Row{{Account: "a", Amount: -5}, {Account: "b", Amount: 4}}, Created: now}
	if err := db.AddMoney(ctx, &bad); dgml.KindOf(err) != dgml.Invalid {
		t.Errorf("rows that do not balance: %v", err)
	}
	if bs, err := db.Balances(ctx); err != nil || len(bs) != 0 {
		t.Errorf("an unconfirmed payment counts: %+v %v", bs, err)
	}
	if err := db.ConfirmMoney(ctx, "g1", now); err != nil {
		t.Fatal(err)
	}
	if err := db.ConfirmMoney(ctx, "g1", now); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("confirmed twice: %v", err)
	}
	if err := db.ConfirmMoney(ctx, "nope", now); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("confirming nothing: %v", err)
	}
	share := ledger.Group{ID: "g3", Kind: ledger.KindDistribution, Currency: "EUR", Ref: "order:o1", Rows: []ledger.Row{{Account: "order:o1", Amount: -9850}, {Account: "workshop:w@a", Amount: 9000}, {Account: "fund@a", Amount: 850}}, Created: now.Add(time.Second)}
	if err := db.AddMoney(ctx, &share); err != nil {
		t.Fatal(err)
	}
	bs, err := db.Balances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"outside": -10000, "order:o1": 0, "fees": 150, "workshop:w@a": 9000, "fund@a": 850}
	var sum int64
	for _, b := range bs {
		if b.Amount != want[b.Account] || b.Currency != "EUR" {
			t.Errorf("balance %+v, want %d", b, want[b.Account])
		}
		sum += b.Amount
	}
	if len(bs) != len(want) || sum != 0 {
		t.Errorf("balances %+v (sum %d)", bs, sum)
	}
	if one, err := db.Balances(ctx, "fund@a"); err != nil || len(one) != 1 || one[0].Amount != 850 || one[0].In != 850 {
		t.Errorf("fund balance %+v %v", one, err)
	}
	gs, err := db.MoneyGroups(ctx, "order:o1", "", 0)
	if err != nil || len(gs) != 2 || gs[0].ID != "g3" || len(gs[0].Rows) != 3 || gs[1].Confirmed == nil {
		t.Errorf("groups of the order %+v %v", gs, err)
	}
	if gs, err := db.MoneyGroups(ctx, "", "order:o1", 0); err != nil || len(gs) != 2 {
		t.Errorf("groups by ref %d %v", len(gs), err)
	}
	g, err := db.MoneyGroup(ctx, "g1")
	if err != nil || g.Rows[2].Account != "fees" || g.Rows[2].Amount != 150 || g.By != "cara@a" || !g.Created.Equal(now) {
		t.Errorf("payment %+v %v", g, err)
	}
}

// Many confirmations of one payment at once: one wins.
func raceForOneConfirmation(t *testing.T, db store.Store) {
	g := ledger.Transfer(ledger.KindPayment, "EUR", ledger.Outside, "order:o", 500, 0)
	g.ID, g.Confirmer, g.Created = "g", "x@a", time.Now()
	if err := db.AddMoney(ctx, &g); err != nil {
		t.Fatal(err)
	}
	won, _ := race(t, 8, func(i int) error { return db.ConfirmMoney(ctx, "g", time.Now()) })
	if won != 1 {
		t.Errorf("%d confirmations won", won)
	}
}
