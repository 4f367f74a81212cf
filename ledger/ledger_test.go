package ledger

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/dgml/dgml"
)

var at = Time(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC))

func ev(t testing.TB, e Event) Event {
	t.Helper()
	if e.At == "" {
		e.At = at
	}
	if e.Node == "" {
		e.Node = "a"
	}
	if err := e.Seal(); err != nil {
		t.Fatal(err)
	}
	return e
}

func hours(h float64) *Measure { return &Measure{Value: h, Unit: Hour} }

func TestEventIDIsItsContent(t *testing.T) {
	a := ev(t, Event{Action: "work", Provider: "ana@a", Effort: hours(2)})
	b := ev(t, Event{Action: "work", Provider: "ana@a", Effort: hours(2)})
	c := ev(t, Event{Action: "work", Provider: "ana@a", Effort: hours(2.5)})
	if a.ID != b.ID || a.ID == c.ID || len(a.ID) != 71 {
		t.Errorf("ids %s %s %s", a.ID, b.ID, c.ID)
	}
	back, err := ParseEvent(a.Canonical(), a.ID)
	if err != nil || !reflect.DeepEqual(*back, a) {
		t.Errorf("round trip %+v %v", back, err)
	}
	if _, err := ParseEvent(c.Canonical(), a.ID); err == nil {
		t.Error("an event under another's id was accepted")
	}
}

func TestEventsFollowTheActionTable(t *testing.T) {
	for _, c := range []struct {
		e    Event
		want string // field of the error, "" for none
	}{
		{Event{Action: "dance"}, "action"},
		{Event{Action: "work", Effort: hours(1), Quantity: &Measure{1, One}}, "resourceQuantity"},
		{Event{Action: "consume", Effort: hours(1)}, "effortQuantity"},
		{Event{Action: "produce", InputOf: "run:1"}, "inputOf"},
		{Event{Action: "consume", OutputOf: "run:1"}, "outputOf"},
		{Event{Action: "use", Effort: &Measure{Value: 1, Unit: ""}}, "effortQuantity"},
		{Event{Action: "use", Corrects: "abc"}, "corrects"},
		{Event{Action: "use", Effort: hours(1), InputOf: "run:1"}, ""},
	} {
		c.e.At, c.e.Node = at, "a"
		err := c.e.Seal()
		got := ""
		if err != nil {
			got = errField(err)
		}
		if got != c.want {
			t.Errorf("%+v: error on %q (%v), want %q", c.e, got, err, c.want)
		}
	}
}

// Derive: production up, consumption down, transfers move between
// agents, use adds hours without changing quantities, and a correction
// takes the corrected event's place.
func TestDerive(t *testing.T) {
	prod := ev(t, Event{Action: "produce", Provider: "workshop:w@a", Resource: "part:bracket", Quantity: &Measure{10, One}})
	cons := ev(t, Event{Action: "consume", Provider: "workshop:w@a", Resource: "material:PLA", Quantity: &Measure{420, Gram}})
	raise := ev(t, Event{Action: "raise", Provider: "workshop:w@a", Resource: "material:PLA", Quantity: &Measure{1000, Gram}})
	move := ev(t, Event{Action: "transfer", Provider: "workshop:w@a", Receiver: "cara@a", Resource: "part:bracket", Quantity: &Measure{10, One}})
	use := ev(t, Event{Action: "use", Resource: "machine:m1", Effort: hours(3.5)})
	fix := ev(t, Event{Action: "use", Resource: "machine:m1", Effort: hours(3.75), Corrects: use.ID})
	got := map[string]Resource{}
	for _, r := range Derive([]Event{prod, cons, raise, move, use, fix}) {
		got[r.ID] = r
	}
	if r := got["part:bracket"]; r.OnHand[One] != 0 || r.Accounting[One] != 0 {
		t.Errorf("brackets left at the workshop: %+v", r)
	}
	if r := got["part:bracket@cara@a"]; r.OnHand[One] != 10 {
		t.Errorf("brackets at the buyer: %+v", r)
	}
	if r := got["material:PLA"]; r.OnHand[Gram] != 580 {
		t.Errorf("PLA: %+v", r)
	}
	if r := got["machine:m1"]; r.UsedHours != 3.75 || r.Events != 1 {
		t.Errorf("machine: %+v (the correction must replace the event)", r)
	}
}

func policy() Policy {
	return Policy{Name: "test", Version: 1, Buckets: []Bucket{
		{Name: "workshop", Percent: 6000, Rule: RuleWorkshop},
		{Name: "operators", Percent: 1500, Rule: RuleOperators},
		{Name: "design", Percent: 2000, Rule: RuleLineage, Decay: 5000},
		{Name: "commons", Percent: 500, Rule: RuleFund},
	}, Credit: map[string]float64{"revision": 1, "translation": 0.5}}
}

// A fork two generations deep: the design bucket's share goes to the
// fork's contributors, half as much to the parent's, a quarter to the
// grandparent's; the operators' bucket by hours on the order.
func TestRunLineage(t *testing.T) {
	events := []Event{
		ev(t, Event{Action: "work", Provider: "gia@a", Design: "design:g", Note: "revision: first"}),
		ev(t, Event{Action: "work", Provider: "pia@a", Design: "design:p", Effort: hours(3), Note: "revision"}),
		ev(t, Event{Action: "cite", Design: "design:p", ConformsTo: "design:g", Resource: "revision:rg", Quantity: &Measure{1, One}, Note: "fork"}),
		ev(t, Event{Action: "work", Provider: "fay@b", Design: "design:f", Effort: hours(1), Note: "revision"}),
		ev(t, Event{Action: "deliverService", Provider: "tom@b", Design: "design:f", Note: "translation: de"}),
		ev(t, Event{Action: "cite", Design: "design:f", ConformsTo: "design:p", Resource: "revision:rp", Quantity: &Measure{1, One}, Note: "fork"}),
		ev(t, Event{Action: "work", Provider: "ola@a", RealizationOf: "order:o", Effort: hours(2)}),
		ev(t, Event{Action: "work", Provider: "ole@a", RealizationOf: "order:o", Effort: hours(1)}),
	}
	p := policy()
	d, err := Run(&p, Input{Amount: 10000, Currency: "EUR", Order: "order:o", Design: "design:f", Workshop: "workshop:w@a", Fund: "fund@a", Events: events})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	var sum int64
	for _, s := range d.Shares {
		got[s.Agent] += s.Amount
		sum += s.Amount
	}
	// design bucket 2000: generation weights 1, 0.5, 0.25 (sum 1.75):
	// fork 1142.857 (fay 1 h, tom 0.5 h: 761.9, 380.95), parent
	// 571.43 (pia), grandparent 285.71 (gia).
	want := map[string]int64{"workshop:w@a": 6000, "ola@a": 1000, "ole@a": 500, "fund@a": 500, "fay@b": 762, "tom@b": 381, "pia@a": 571, "gia@a": 286}
	if !reflect.DeepEqual(got, want) || sum != 10000 {
		t.Errorf("shares %v (sum %d), want %v", got, sum, want)
	}
	if len(d.Inputs) != 8 { // the six contributions and the two citations
		t.Errorf("inputs %v", d.Inputs)
	}
	again, _ := Run(&p, Input{Amount: 10000, Currency: "EUR", Order: "order:o", Design: "design:f", Workshop: "workshop:w@a", Fund: "fund@a", Events: events})
	if again.ID != d.ID {
		t.Error("a re-run differs")
	}
}

// Nobody to pay: operators' share to the workshop, the design's to the
// fund, said in the share.
func TestRunFallbacks(t *testing.T) {
	p := policy()
	d, err := Run(&p, Input{Amount: 999, Currency: "EUR", Order: "order:o", Design: "design:x", Workshop: "workshop:w@a", Fund: "fund@a"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, s := range d.Shares {
		got[s.Agent] += s.Amount
		if s.Why == "" {
			t.Errorf("share %+v says nothing", s)
		}
	}
	if got["workshop:w@a"]+got["fund@a"] != 999 || got["fund@a"] != 250 {
		t.Errorf("%v", got)
	}
}

// Property: every distribution, of any amount by any valid policy over
// any events, sums exactly to its amount, gives nobody a negative share,
// and is the same when re-run (events in any order).
func TestRunSumsExactly(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	agents := []string{"a@x", "b@x", "c@y", "d@y", "e@z"}
	designs := []string{"design:1", "design:2", "design:3", "design:4"}
	rules := []string{RuleWorkshop, RuleOperators, RuleContributors, RuleLineage, RuleEqual, RuleFixed, RuleFund}
	for i := range 2000 {
		var events []Event
		for j := range r.IntN(30) {
			e := Event{Action: "work", Provider: agents[r.IntN(len(agents))], At: at, Node: "x"}
			switch r.IntN(4) {
			case 0:
				e.RealizationOf = "order:o"
				e.Effort = hours(float64(r.IntN(1000)) / 7)
			case 1:
				e.Design, e.Effort = designs[r.IntN(4)], hours(float64(r.IntN(100))/3)
			case 2:
				e = Event{Action: "deliverService", Provider: e.Provider, Design: designs[r.IntN(4)], Note: "translation", At: at, Node: "x"}
			case 3:
				e = Event{Action: "cite", Design: designs[j%4], ConformsTo: designs[r.IntN(4)], Note: "fork", At: at, Node: "x"}
			}
			events = append(events, ev(t, e))
		}
		p := Policy{Name: "p", Credit: map[string]float64{"translation": float64(r.IntN(3))}}
		left := 10000
		for left > 0 {
			pc := 1 + r.IntN(left)
			if len(p.Buckets) == 6 {
				pc = left
			}
			b := Bucket{Name: string(rune('a' + len(p.Buckets))), Percent: pc, Rule: rules[r.IntN(len(rules))], Decay: r.IntN(10001)}
			if b.Rule == RuleEqual || b.Rule == RuleFixed {
				for k := range 1 + r.IntN(4) {
					b.Payees = append(b.Payees, Payee{Agent: agents[k], Weight: 1 + r.IntN(9)})
				}
			}
			p.Buckets = append(p.Buckets, b)
			left -= pc
		}
		amount := r.Int64N(1e9)
		in := Input{Amount: amount, Currency: "EUR", Order: "order:o", Design: designs[r.IntN(4)], Workshop: "workshop:w@x", Fund: "fund@x", Events: events}
		d, err := Run(&p, in)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		var sum int64
		for _, s := range d.Shares {
			if s.Amount < 0 {
				t.Fatalf("case %d: negative share %+v", i, s)
			}
			sum += s.Amount
		}
		if sum != amount {
			t.Fatalf("case %d: shares add up to %d, not %d", i, sum, amount)
		}
		r.Shuffle(len(events), func(x, y int) { events[x], events[y] = events[y], events[x] })
		again, _ := Run(&p, in)
		a, _ := json.Marshal(d)
		b, _ := json.Marshal(again)
		if string(a) != string(b) {
			t.Fatalf("case %d: a re-run differs:\n%s\n%s", i, a, b)
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	p := policy()
	p.Buckets[0].Percent = 5999
	if err := p.Validate(); err == nil || errField(err) != "buckets" {
		t.Errorf("99.99%%: %v", err)
	}
	p = policy()
	p.Buckets = append(p.Buckets, Bucket{Name: "x", Percent: 1, Rule: RuleFixed})
	if err := p.Validate(); err == nil {
		t.Error("a fixed bucket without payees passed")
	}
}

func TestMoney(t *testing.T) {
	g := Transfer(KindPayment, "EUR", Outside, "order:o", 8550, 120)
	if err := g.Validate(); err != nil || len(g.Rows) != 3 {
		t.Fatal(err, g.Rows)
	}
	g.Rows[1].Amount++
	if err := g.Validate(); err == nil {
		t.Error("unbalanced rows passed")
	}
	if s := Format(8550, "EUR"); s != "85.50 EUR" {
		t.Error(s)
	}
	if s := Format(-5, "KWD"); s != "-0.005 KWD" {
		t.Error(s)
	}
	if s := Format(500, "JPY"); s != "500 JPY" {
		t.Error(s)
	}
	now := time.Now()
	pending := Transfer(KindPayment, "EUR", Outside, "x", 100, 0)
	pending.Confirmer = "b@a"
	done := Transfer(KindPayout, "EUR", "x", Outside, 40, 0)
	bs := Balances([]Group{pending, done})
	if len(bs) != 2 || bs[1].Account != "x" || bs[1].Amount != -40 {
		t.Errorf("%+v", bs)
	}
	pending.Confirmed = &now
	bs = Balances([]Group{pending, done})
	if bs[1].Amount != 60 || bs[1].In != 100 || bs[1].Out != 40 {
		t.Errorf("%+v", bs)
	}
}

func errField(err error) string {
	var de *dgml.Error
	if errors.As(err, &de) {
		return de.Field
	}
	return "?"
}

func TestParseAmount(t *testing.T) {
	for in, want := range map[string]int64{"85.50": 8550, "85,5": 8550, "85": 8500, "0.01": 1, ".5": 50} {
		if got, err := ParseAmount(in, "EUR"); err != nil || got != want {
			t.Errorf("%q: %d %v", in, got, err)
		}
	}
	for _, in := range []string{"", "-1", "1.234", "1e3", "12345678901234", "a"} {
		if _, err := ParseAmount(in, "EUR"); err == nil {
			t.Errorf("%q read", in)
		}
	}
	if got, _ := ParseAmount("1.234", "KWD"); got != 1234 {
		t.Error(got)
	}
}
