package ledger

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/dispatch"
	"github.com/dgml/dgml/order"
)

// Service records economic events from what happens on a node, runs
// value equations when an order is paid, and keeps money movements.
type Service struct {
	Store Store
	Tx    dgml.Atomic
	Roles account.Roles
	// Orders finds the order a payment or a run belongs to; Tasks the
	// task a pledge funds.
	Orders interface {
		Order(ctx context.Context, id string) (*order.Order, error)
		OrderRequest(ctx context.Context, id string) (*order.Request, error)
	}
	Tasks interface {
		Task(ctx context.Context, id string) (*collab.Task, error)
	}
	Designs interface {
		Design(ctx context.Context, id string) (*design.Design, error)
	}
	// Node is this node's name: agents here are name@Node.
	Node string
	// Publish carries an event in the node's signed feed (nil: the node
	// does not federate, as in some tests).
	Publish func(ctx context.Context, e *Event) error
	// OperatorHours is the operator's time credited to a finished job
	// that reported none (the cost table's figure).
	OperatorHours float64
	Now           func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Fund is the node's commons fund as an agent.
func (s *Service) Fund() string { return "fund@" + s.Node }

// Workshop is a workshop of this node as an agent.
func (s *Service) Workshop(facilityID string) string { return "workshop:" + facilityID + "@" + s.Node }

// Record seals and stores events recorded here, and publishes them: the
// caller's transaction holds them with the change they record.
func (s *Service) Record(ctx context.Context, events ...Event) error {
	return s.Tx.Atomically(ctx, func(ctx context.Context) error {
		for i := range events {
			e := &events[i]
			e.Node = s.Node
			if e.At == "" {
				e.At = Time(s.now())
			}
			if err := e.Seal(); err != nil {
				return err
			}
			if err := s.Store.AddLedgerEvents(ctx, *e); err != nil {
				return err
			}
			if s.Publish != nil {
				if err := s.Publish(ctx, e); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Commit is what the ledger hears of a revision committed here (every
// path: import, edit, fork, an accepted proposal): its author's work on
// the design; for a fork, the citation of its parent's revision; for a
// module reused from another design that the revision before did not
// reuse, the citation of that design's revision.
func (s *Service) Commit(ctx context.Context, d *design.Design, rev *design.Revision, before *design.Revision, author, message string) error {
	var events []Event
	if author != "" {
		note := "revision: " + message
		if d.ForkedFrom != nil && d.Revisions == 1 {
			note = "fork: " + message
		}
		events = append(events, Event{Action: "work", Provider: author, Design: "design:" + d.ID, Resource: "revision:" + rev.ID, Note: clip(note)})
	}
	if f := d.ForkedFrom; f != nil && d.Revisions == 1 {
		// Design ids are the same on every node that holds the design.
		events = append(events, Event{Action: "cite", Receiver: author, Design: "design:" + d.ID, ConformsTo: "design:" + f.Design,
			Resource: "revision:" + f.Revision, Quantity: &Measure{Value: 1, Unit: One}, Note: "fork: " + d.Slug})
	}
	had := map[design.Origin]bool{}
	if before != nil {
		design.Walk(before.Parts, func(_ []string, p *design.Part) {
			if p.Reuses != nil {
				had[*p.Reuses] = true
			}
		})
	}
	design.Walk(rev.Parts, func(_ []string, p *design.Part) {
		if o := p.Reuses; o != nil && o.Design != "" && !had[*o] {
			had[*o] = true
			events = append(events, Event{Action: "cite", Receiver: author, Design: "design:" + d.ID, ConformsTo: "design:" + o.Design,
				Resource: "revision:" + o.Revision, Quantity: &Measure{Value: 1, Unit: One}, Note: clip("reuse: " + p.Name)})
		}
	})
	if len(events) == 0 {
		return nil
	}
	return s.Record(ctx, events...)
}

// Activity turns a person's recorded activity into the economic event
// it is, when it is one: translations, reviews (attestations), build
// reports and tasks done are services to, or work on, a design.
func (s *Service) Activity(ctx context.Context, a collab.Event) error {
	kind := map[string]string{"translation": "translation", "attestation": "review", "report": "report", "task-done": "task"}[a.Kind]
	if kind == "" || a.DesignID == "" {
		return nil
	}
	action := "deliverService"
	if kind == "task" {
		action = "work"
	}
	return s.Record(ctx, Event{Action: action, Provider: a.Actor, Receiver: "design:" + a.DesignID, Design: "design:" + a.DesignID, Note: clip(kind + ": " + a.Summary)})
}

// RunFinished records what a finished job took and made: the machine's
// hours (use), the material (consume), the operator's work and the parts
// (produce), all realising the workshop's request.
func (s *Service) RunFinished(ctx context.Context, u *account.User, r *dispatch.Run) error {
	req, err := s.Orders.OrderRequest(ctx, r.RequestID)
	if err != nil {
		return err
	}
	o, err := s.Orders.Order(ctx, req.OrderID)
	if err != nil {
		return err
	}
	ws, agreement, process := s.Workshop(r.FacilityID), "request:"+r.RequestID, "run:"+r.ID
	var events []Event
	if r.ActualHours > 0 {
		events = append(events, Event{Action: "use", Provider: ws, Receiver: ws, Resource: "machine:" + r.MachineID, Effort: &Measure{Value: r.ActualHours, Unit: Hour}, InputOf: process, RealizationOf: agreement})
	}
	if r.FilamentG > 0 {
		events = append(events, Event{Action: "consume", Provider: ws, Resource: "material@" + ws, Quantity: &Measure{Value: r.FilamentG, Unit: Gram}, InputOf: process, RealizationOf: agreement})
	}
	if u != nil && s.OperatorHours > 0 {
		events = append(events, Event{Action: "work", Provider: account.Handle(u.Name, s.Node), Receiver: ws, Effort: &Measure{Value: s.OperatorHours, Unit: Hour}, InputOf: process, RealizationOf: agreement, Note: "operator: " + r.Part})
	}
	events = append(events, Event{Action: "produce", Provider: ws, Receiver: ws, Resource: "part:" + o.DesignID + "/" + r.Part, ConformsTo: "revision:" + o.Revision,
		Quantity: &Measure{Value: r.Quantity, Unit: One}, OutputOf: process, RealizationOf: agreement, Design: "design:" + o.DesignID})
	return s.Record(ctx, events...)
}

func clip(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// May checks that u may act as a confirmer or owner: a person's own
// handle, the operators of a workshop, the maintainers of a design, or
// an admin for the node ("node").
func (s *Service) May(ctx context.Context, u *account.User, who string) error {
	if u == nil {
		return &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in first"}
	}
	if u.Admin {
		return nil
	}
	switch {
	case strings.HasPrefix(who, "workshop:"):
		id := strings.TrimSuffix(strings.TrimPrefix(who, "workshop:"), "@"+s.Node)
		return account.Permit(ctx, s.Roles, u, account.Operator, id)
	case strings.HasPrefix(who, "design:"):
		return account.Permit(ctx, s.Roles, u, account.Maintainer, strings.TrimPrefix(who, "design:"))
	case who == account.Handle(u.Name, s.Node):
		return nil
	}
	return &dgml.Error{Kind: dgml.Forbidden, Msg: "only " + who + " may do this"}
}

// PaymentRequest is a payment made outside dgml for a workshop's part
// of an order.
type PaymentRequest struct {
	Amount   int64  `json:"amount"` // minor units
	Currency string `json:"currency"`
	Fee      int64  `json:"fee,omitempty"` // what a bank or card took on the way
	Memo     string `json:"memo,omitempty"`
}

// RecordPayment records that the buyer paid a workshop's request: the
// buyer or one of the workshop's operators says so, and the other side
// confirms before it counts and is shared.
func (s *Service) RecordPayment(ctx context.Context, u *account.User, requestID string, p PaymentRequest) (*Group, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in first"}
	}
	req, err := s.Orders.OrderRequest(ctx, requestID)
	if err != nil {
		return nil, err
	}
	o, err := s.Orders.Order(ctx, req.OrderID)
	if err != nil {
		return nil, err
	}
	if p.Currency == "" && req.Quote != nil {
		p.Currency = req.Quote.Currency
	}
	if p.Amount <= 0 {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "amount", Msg: "the amount paid, in minor units (cents), above zero"}
	}
	if p.Fee < 0 || p.Fee >= p.Amount {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "fee", Msg: "a fee from zero to less than the amount"}
	}
	buyer, ws := account.Handle(o.PersonName, s.Node), s.Workshop(req.FacilityID)
	confirmer := ws
	if o.Person != u.ID {
		if err := s.May(ctx, u, ws); err != nil {
			return nil, &dgml.Error{Kind: dgml.Forbidden, Msg: "only the buyer or the workshop's operators record a payment for it"}
		}
		confirmer = buyer
	}
	switch req.State {
	case order.Accepted, order.InProduction, order.Ready, order.Collected:
	default:
		return nil, &dgml.Error{Kind: dgml.Conflict, Msg: "a payment is for a request the buyer accepted (this one is " + string(req.State) + ")"}
	}
	g := Transfer(KindPayment, strings.ToUpper(p.Currency), Outside, "request:"+requestID, p.Amount, p.Fee)
	g.ID, g.Ref, g.Memo, g.By, g.Confirmer, g.Created = newID(), "request:"+requestID, clip(p.Memo), account.Handle(u.Name, s.Node), confirmer, s.now()
	if err := s.Store.AddMoney(ctx, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// Confirm is the other side saying a movement happened. A confirmed
// payment is recorded as a transfer event and shared at once by the
// design's value equation (and the workshop's, for its own share).
func (s *Service) Confirm(ctx context.Context, u *account.User, id string) (*Group, error) {
	var g *Group
	err := s.Tx.Atomically(ctx, func(ctx context.Context) error {
		var err error
		if g, err = s.Store.MoneyGroup(ctx, id); err != nil {
			return err
		}
		if g.Confirmer == "" || g.Confirmed != nil {
			return &dgml.Error{Kind: dgml.Conflict, Msg: "this movement is confirmed already"}
		}
		if err := s.May(ctx, u, g.Confirmer); err != nil {
			return err
		}
		now := s.now()
		if err := s.Store.ConfirmMoney(ctx, id, now); err != nil {
			return err
		}
		g.Confirmed = &now
		if g.Kind == KindPayment {
			return s.distribute(ctx, g)
		}
		return nil
	})
	return g, err
}

// distribute records a confirmed payment's transfer and shares it.
func (s *Service) distribute(ctx context.Context, pay *Group) error {
	requestID := strings.TrimPrefix(pay.Ref, "request:")
	req, err := s.Orders.OrderRequest(ctx, requestID)
	if err != nil {
		return err
	}
	o, err := s.Orders.Order(ctx, req.OrderID)
	if err != nil {
		return err
	}
	var net int64
	for _, r := range pay.Rows {
		if r.Account == pay.Ref {
			net = r.Amount
		}
	}
	ws := s.Workshop(req.FacilityID)
	transfer := Event{Action: "transfer", Provider: account.Handle(o.PersonName, s.Node), Receiver: ws, ConformsTo: "currency:" + pay.Currency,
		Resource: "money@" + account.Handle(o.PersonName, s.Node), ToResource: "money@" + ws,
		Quantity:      &Measure{Value: float64(-pay.Rows[0].Amount) / pow10(Exponent(pay.Currency)), Unit: Currency + pay.Currency},
		RealizationOf: pay.Ref, Design: "design:" + o.DesignID, Note: "payment " + pay.ID}
	if err := s.Record(ctx, transfer); err != nil {
		return err
	}
	p, err := s.PolicyFor(ctx, "design:"+o.DesignID)
	if err != nil {
		return err
	}
	events, err := s.inputs(ctx, "design:"+o.DesignID, pay.Ref)
	if err != nil {
		return err
	}
	in := Input{Amount: net, Currency: pay.Currency, Order: pay.Ref, Design: "design:" + o.DesignID, Workshop: ws, Fund: s.Fund(), Events: events}
	d, err := s.share(ctx, p, in, pay.Ref, pay.Ref)
	if err != nil {
		return err
	}
	// The workshop's own value equation (or the default one: its costs
	// and its operators) shares what came to it.
	wp, err := s.Store.ValuePolicy(ctx, ws)
	if err != nil {
		return err
	}
	if wp == nil {
		def := DefaultWorkshopPolicy()
		wp = &def
	}
	var mine int64
	for _, sh := range d.Shares {
		if sh.Agent == ws {
			mine += sh.Amount
		}
	}
	if mine == 0 {
		return nil
	}
	in.Amount = mine
	_, err = s.share(ctx, wp, in, ws, pay.Ref)
	return err
}

// share runs p, stores the distribution, and moves its shares out of
// the from account (the request's money, or a workshop's share) in one
// group; a share to from itself stays where it is.
func (s *Service) share(ctx context.Context, p *Policy, in Input, from, ref string) (*Distribution, error) {
	d, err := Run(p, in)
	if err != nil {
		return nil, err
	}
	if err := s.Store.AddDistribution(ctx, d); err != nil {
		return nil, err
	}
	g := Group{ID: newID(), Kind: KindDistribution, Currency: in.Currency, Ref: ref, Memo: "shared by " + p.Name + " (" + d.ID + ")", By: s.Node, Created: s.now()}
	var out int64
	for _, sh := range d.Shares {
		if sh.Agent == from || sh.Amount == 0 {
			continue
		}
		g.Rows = append(g.Rows, Row{Account: sh.Agent, Amount: sh.Amount, Note: sh.Bucket})
		out += sh.Amount
	}
	if out == 0 {
		return d, nil
	}
	g.Rows = append([]Row{{Account: from, Amount: -out, Note: "shared"}}, g.Rows...)
	return d, s.Store.AddMoney(ctx, &g)
}

func pow10(n int) float64 {
	f := 1.0
	for range n {
		f *= 10
	}
	return f
}

// inputs are the events a distribution of design's order reads: the
// work, services and citations on the design and its fork ancestors,
// and the work realising the agreement.
func (s *Service) inputs(ctx context.Context, design, agreement string) ([]Event, error) {
	var out []Event
	seen := map[string]bool{}
	add := func(ss []Stored) {
		for _, e := range ss {
			if !seen[e.ID] {
				seen[e.ID] = true
				out = append(out, e.Event)
			}
		}
	}
	for d, n := design, 0; d != "" && n < 32; n++ {
		evs, err := s.Store.LedgerEvents(ctx, Filter{Designs: []string{d}})
		if err != nil {
			return nil, err
		}
		add(evs)
		line := Lineage(d, out)
		if len(line) < 2 || seen[line[1]] {
			break
		}
		seen[line[1]] = true
		d = line[1]
	}
	evs, err := s.Store.LedgerEvents(ctx, Filter{Order: agreement})
	if err != nil {
		return nil, err
	}
	add(evs)
	return out, nil
}

// DefaultPolicy is what a design's sales are shared by when neither the
// design nor the node set a policy: most to the workshop that made the
// thing (its costs and its people), a share to the design's contributors
// across forks (each older generation half the next), and a little to
// the node's commons fund.
func DefaultPolicy() Policy {
	return Policy{Name: "dgml default", Version: 1, Buckets: []Bucket{
		{Name: "workshop", Percent: 8000, Rule: RuleWorkshop},
		{Name: "design contributors", Percent: 1500, Rule: RuleLineage, Decay: 5000},
		{Name: "commons fund", Percent: 500, Rule: RuleFund},
	}, Credit: map[string]float64{"revision": 2, "fork": 1, "translation": 1, "review": 1, "report": 1, "task": 2}}
}

// DefaultWorkshopPolicy shares a workshop's part between its costs (the
// workshop itself) and the operators who worked on the order.
func DefaultWorkshopPolicy() Policy {
	return Policy{Name: "workshop default", Version: 1, Buckets: []Bucket{
		{Name: "workshop costs", Percent: 7000, Rule: RuleWorkshop},
		{Name: "operators", Percent: 3000, Rule: RuleOperators},
	}}
}

// PolicyFor is the owner's policy, else the node's, else the default.
func (s *Service) PolicyFor(ctx context.Context, owner string) (*Policy, error) {
	for _, o := range []string{owner, "node"} {
		p, err := s.Store.ValuePolicy(ctx, o)
		if err != nil || p != nil {
			return p, err
		}
	}
	p := DefaultPolicy()
	return &p, nil
}

// SetPolicy publishes a new version of an owner's policy: a design's by
// its maintainers, a workshop's by its operators, the node's by admins.
func (s *Service) SetPolicy(ctx context.Context, u *account.User, owner string, p Policy) (*Policy, error) {
	if err := s.May(ctx, u, owner); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if old, err := s.Store.ValuePolicy(ctx, owner); err != nil {
		return nil, err
	} else if old != nil && p.Version <= old.Version {
		p.Version = old.Version + 1
	}
	if p.Version <= 0 {
		p.Version = 1
	}
	return &p, s.Store.PutValuePolicy(ctx, owner, p, account.Handle(u.Name, s.Node))
}

// Preview runs the owner's policy on an amount without keeping it: what
// an order of that amount would give each contributor today.
func (s *Service) Preview(ctx context.Context, designID, facilityID string, amount int64, currency string) (*Distribution, error) {
	p, err := s.PolicyFor(ctx, "design:"+designID)
	if err != nil {
		return nil, err
	}
	events, err := s.inputs(ctx, "design:"+designID, "")
	if err != nil {
		return nil, err
	}
	ws := "workshop@" + s.Node
	if facilityID != "" {
		ws = s.Workshop(facilityID)
	}
	return Run(p, Input{Amount: amount, Currency: currency, Design: "design:" + designID, Workshop: ws, Fund: s.Fund(), Events: events})
}

// Payout records that a holder paid an agent what the ledger says it is
// owed, outside dgml; the payee confirms. The payer is a workshop (its
// operators record it) or the node's fund (its admins do).
func (s *Service) Payout(ctx context.Context, u *account.User, payer, payee string, amount int64, currency, memo string) (*Group, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in first"}
	}
	if !strings.HasPrefix(payer, "workshop:") && payer != s.Fund() {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "payer", Msg: "a workshop of this node (workshop:ID@" + s.Node + ") or its fund (" + s.Fund() + ")"}
	}
	if payer == s.Fund() && !u.Admin {
		return nil, &dgml.Error{Kind: dgml.Forbidden, Field: "payer", Msg: "only the node's admins pay from its fund"}
	}
	if err := s.May(ctx, u, payer); err != nil {
		return nil, err
	}
	if payee == account.Handle(u.Name, s.Node) || payee == payer {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "payee", Msg: "a payout is recorded by who paid it, and confirmed by who received it"}
	}
	if amount <= 0 {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "amount", Msg: "above zero, in minor units"}
	}
	owed, err := s.balance(ctx, payee, currency)
	if err != nil {
		return nil, err
	}
	if amount > owed {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "amount", Msg: fmt.Sprintf("%s is owed %s", payee, Format(owed, currency))}
	}
	g := Transfer(KindPayout, currency, payee, Outside, amount, 0)
	g.ID, g.Ref, g.Memo, g.By, g.Confirmer, g.Created = newID(), payer, clip(memo), account.Handle(u.Name, s.Node), payee, s.now()
	return &g, s.Store.AddMoney(ctx, &g)
}

// balance is an account's confirmed balance in one currency.
func (s *Service) balance(ctx context.Context, account, currency string) (int64, error) {
	bs, err := s.Store.Balances(ctx, account)
	if err != nil {
		return 0, err
	}
	for _, b := range bs {
		if b.Currency == currency {
			return b.Amount, nil
		}
	}
	return 0, nil
}

// Pledge is money for an open task: from a person (paid outside dgml to
// the design's maintainers, who confirm it) or, by an admin, from the
// node's commons fund (at once, within what the fund holds).
func (s *Service) Pledge(ctx context.Context, u *account.User, taskID string, amount int64, currency string, fromFund bool) (*Group, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in first"}
	}
	if amount <= 0 || len(currency) != 3 {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "amount", Msg: "an amount above zero, in minor units, and a currency"}
	}
	var g Group
	err := s.Tx.Atomically(ctx, func(ctx context.Context) error {
		t, err := s.Tasks.Task(ctx, taskID)
		if err != nil {
			return err
		}
		if t.Status == "done" {
			return &dgml.Error{Kind: dgml.Conflict, Msg: "the task is done: pledge to an open one"}
		}
		if fromFund {
			if !u.Admin {
				return &dgml.Error{Kind: dgml.Forbidden, Msg: "only the node's admins spend its commons fund"}
			}
			has, err := s.balance(ctx, s.Fund(), currency)
			if err != nil {
				return err
			}
			if amount > has {
				return &dgml.Error{Kind: dgml.Invalid, Field: "amount", Msg: "the commons fund holds " + Format(has, currency)}
			}
			g = Transfer(KindPledge, currency, s.Fund(), "task:"+taskID, amount, 0)
		} else {
			g = Transfer(KindPledge, currency, Outside, "task:"+taskID, amount, 0)
			g.Confirmer = "design:" + t.DesignID
		}
		g.ID, g.Ref, g.By, g.Created, g.Memo = newID(), "task:"+taskID, account.Handle(u.Name, s.Node), s.now(), "for: "+clip(t.Title)
		return s.Store.AddMoney(ctx, &g)
	})
	return &g, err
}

// TaskDone releases what a task holds to who did it, pending the
// maintainers' confirmation that the work resolves it.
func (s *Service) TaskDone(ctx context.Context, t *collab.Task, doer string) error {
	bs, err := s.Store.Balances(ctx, "task:"+t.ID)
	if err != nil {
		return err
	}
	for _, b := range bs {
		if b.Amount <= 0 {
			continue
		}
		g := Transfer(KindBounty, b.Currency, "task:"+t.ID, doer, b.Amount, 0)
		g.ID, g.Ref, g.By, g.Confirmer, g.Created, g.Memo = newID(), "task:"+t.ID, doer, "design:"+t.DesignID, s.now(), "done: "+clip(t.Resolution)
		if err := s.Store.AddMoney(ctx, &g); err != nil {
			return err
		}
	}
	return nil
}

// Give records money given to the node's commons fund outside dgml; an
// admin confirms it arrived.
func (s *Service) Give(ctx context.Context, u *account.User, amount int64, currency, memo string) (*Group, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in first"}
	}
	if amount <= 0 || len(currency) != 3 {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "amount", Msg: "an amount above zero, in minor units, and a currency"}
	}
	g := Transfer(KindFund, currency, Outside, s.Fund(), amount, 0)
	g.ID, g.By, g.Confirmer, g.Created, g.Memo = newID(), account.Handle(u.Name, s.Node), "node", s.now(), clip(memo)
	return &g, s.Store.AddMoney(ctx, &g)
}

// Contributor is one agent's part in a design and its ancestors: what
// they did (from the ledger's events) and what flowed back to them from
// the design's sales.
type Contributor struct {
	Agent        string  `json:"agent"`
	Generation   int     `json:"generation"` // 0: this design; 1: its parent…
	Design       string  `json:"design"`
	Hours        float64 `json:"hours"` // recorded
	Revisions    int     `json:"revisions"`
	Translations int     `json:"translations"`
	Reviews      int     `json:"reviews"`
	Reports      int     `json:"reports"`
	Tasks        int     `json:"tasks"`
	// Received is what distributions of this design's orders gave them,
	// by currency (minor units).
	Received map[string]int64 `json:"received,omitempty"`
}

// Contributors lists who contributed to a design and its fork ancestors,
// nearest generation first, then by hours.
func (s *Service) Contributors(ctx context.Context, designID string) ([]Contributor, error) {
	d := "design:" + designID
	events, err := s.inputs(ctx, d, "")
	if err != nil {
		return nil, err
	}
	events = Effective(events)
	dists, err := s.Store.Distributions(ctx, "", d)
	if err != nil {
		return nil, err
	}
	var out []Contributor
	for g, gd := range Lineage(d, events) {
		by := map[string]*Contributor{}
		for _, e := range events {
			if e.Design != gd || e.Provider == "" || strings.HasPrefix(e.Provider, "workshop:") || (e.Action != "work" && e.Action != "deliverService") {
				continue
			}
			c := by[e.Provider]
			if c == nil {
				c = &Contributor{Agent: e.Provider, Generation: g, Design: gd}
				by[e.Provider] = c
			}
			if e.Effort != nil && e.Effort.Unit == Hour {
				c.Hours += e.Effort.Value
			}
			switch Kind(&e) {
			case "revision", "fork":
				c.Revisions++
			case "translation":
				c.Translations++
			case "review":
				c.Reviews++
			case "report":
				c.Reports++
			case "task":
				c.Tasks++
			}
		}
		var gen []Contributor
		for _, c := range by {
			for _, dist := range dists {
				for _, sh := range dist.Shares {
					if sh.Agent == c.Agent {
						if c.Received == nil {
							c.Received = map[string]int64{}
						}
						c.Received[dist.Currency] += sh.Amount
					}
				}
			}
			gen = append(gen, *c)
		}
		sort.Slice(gen, func(i, j int) bool { return ranksBefore(gen[i], gen[j]) })
		out = append(out, gen...)
	}
	return out, nil
}

// ranksBefore orders contributors by what they did (hours and counted
// contributions), then by name.
func ranksBefore(a, b Contributor) bool {
	wa := a.Hours + float64(a.Revisions+a.Translations+a.Reviews+a.Reports+a.Tasks)
	wb := b.Hours + float64(b.Revisions+b.Translations+b.Reviews+b.Reports+b.Tasks)
	if wa != wb {
		return wa > wb
	}
	return a.Agent < b.Agent
}

// Account is what the ledger holds of one account: its balances, its
// movements (newest first) and, for an agent, the events it took part in.
type Account struct {
	Account  string    `json:"account"`
	Balances []Balance `json:"balances"`
	Money    []Group   `json:"money"`
	Events   []Stored  `json:"events,omitempty"`
}

// AccountView reads an account's balances, movements and recent events.
func (s *Service) AccountView(ctx context.Context, account string) (*Account, error) {
	bs, err := s.Store.Balances(ctx, account)
	if err != nil {
		return nil, err
	}
	gs, err := s.Store.MoneyGroups(ctx, account, "", 200)
	if err != nil {
		return nil, err
	}
	evs, err := s.Store.LedgerEvents(ctx, Filter{Agent: account, Newest: true, Limit: 200})
	if err != nil {
		return nil, err
	}
	return &Account{Account: account, Balances: bs, Money: gs, Events: evs}, nil
}

// Submit records an event a person states: their own work on a design
// (with its hours), or a workshop's event by one of its operators, or a
// correction of such an event. The provider must be the person or a
// workshop they operate; a correction must correct an event of the same
// provider recorded here.
func (s *Service) Submit(ctx context.Context, u *account.User, e Event) (*Event, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in first"}
	}
	if e.Provider == "" {
		e.Provider = account.Handle(u.Name, s.Node)
	}
	if err := s.May(ctx, u, e.Provider); err != nil || strings.HasPrefix(e.Provider, "design:") || e.Provider == "node" {
		return nil, &dgml.Error{Kind: dgml.Forbidden, Field: "provider", Msg: "you record events you provide: as yourself, or for a workshop you operate"}
	}
	if e.Node != "" && e.Node != s.Node {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "dgml:node", Msg: "events are recorded by this node (" + s.Node + ")"}
	}
	if e.Design != "" && !strings.HasPrefix(e.Design, "design:") {
		e.Design = "design:" + e.Design
	}
	if e.Design != "" && s.Designs != nil {
		if _, err := s.Designs.Design(ctx, strings.TrimPrefix(e.Design, "design:")); err != nil {
			return nil, err
		}
	}
	err := s.Tx.Atomically(ctx, func(ctx context.Context) error {
		if e.Corrects != "" {
			old, err := s.Store.LedgerEvents(ctx, Filter{ID: e.Corrects})
			if err != nil {
				return err
			}
			if len(old) != 1 || old[0].Provider != e.Provider || old[0].Node != s.Node {
				return &dgml.Error{Kind: dgml.Invalid, Field: "corrects", Msg: "names no event of " + e.Provider + " recorded here"}
			}
		}
		e.At = ""
		evs := []Event{e}
		if err := s.Record(ctx, evs...); err != nil {
			return err
		}
		e = evs[0] // sealed: its id and time
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}
