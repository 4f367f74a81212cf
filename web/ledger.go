package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/ledger"
	"github.com/dgml/dgml/order"
)

func (s *Site) ledgerPages(mux *http.ServeMux) {
	if s.ledger == nil {
		return
	}
	mux.HandleFunc("GET /designs/{ref}/contributors", s.page(s.contributors))
	mux.HandleFunc("POST /designs/{ref}/contributors", s.page(s.setDesignPolicy))
	mux.HandleFunc("GET /ledger/{account}", s.page(s.ledgerAccount))
	mux.HandleFunc("POST /ledger/{account}", s.page(s.ledgerAction))
	mux.HandleFunc("GET /fund", s.page(func(w http.ResponseWriter, r *http.Request) (*view, error) {
		return &view{redirect: "/ledger/" + url.PathEscape(s.ledger.Fund())}, nil
	}))
	mux.HandleFunc("GET /facilities/{ref}/ledger", s.page(func(w http.ResponseWriter, r *http.Request) (*view, error) {
		f, err := s.network.Store.Facility(r.Context(), r.PathValue("ref"))
		if err != nil {
			return nil, err
		}
		return &view{redirect: "/ledger/" + url.PathEscape(s.ledger.Workshop(f.ID))}, nil
	}))
	mux.HandleFunc("GET /my/ledger", s.page(func(w http.ResponseWriter, r *http.Request) (*view, error) {
		u := me(r)
		if u == nil {
			return &view{redirect: "/login?next=/my/ledger"}, nil
		}
		return &view{redirect: "/ledger/" + url.PathEscape(s.people.Handle(u))}, nil
	}))
	mux.HandleFunc("POST /requests/{id}/payments", s.page(s.recordPayment))
	mux.HandleFunc("POST /tasks/{id}/pledges", s.page(s.pledge))
}

// contributors shows who made a design what it is, what each did and
// what flowed back to them, the value equation its sales are shared by,
// and what an order of a given amount would give each today.
func (s *Site) contributors(w http.ResponseWriter, r *http.Request) (*view, error) {
	return s.contributorsView(r, nil, "", http.StatusOK)
}

func (s *Site) contributorsView(r *http.Request, policyText *string, policyErr string, status int) (*view, error) {
	ctx := r.Context()
	d, err := s.commons.Store.Design(ctx, r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	cs, err := s.ledger.Contributors(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	p, err := s.ledger.PolicyFor(ctx, "design:"+d.ID)
	if err != nil {
		return nil, err
	}
	own, err := s.ledger.Store.ValuePolicy(ctx, "design:"+d.ID)
	if err != nil {
		return nil, err
	}
	cur := strings.ToUpper(r.URL.Query().Get("currency"))
	if len(cur) != 3 {
		cur = "EUR"
	}
	amountText := r.URL.Query().Get("amount")
	if amountText == "" {
		amountText = "100.00"
	}
	data := map[string]any{"D": d, "C": cs, "P": p, "Hash": p.Hash(), "Own": own != nil, "Currency": cur, "Amount": amountText}
	if amount, err := ledger.ParseAmount(amountText, cur); err != nil {
		data["AmountErr"] = "an amount such as 100.00"
	} else if dist, err := s.ledger.Preview(ctx, d.ID, "", amount, cur); err == nil {
		data["Preview"] = dist
	}
	if u := me(r); u != nil {
		if ok, _ := s.people.Accounts.HasRole(ctx, account.Maintainer, d.ID, u.ID); ok || u.Admin {
			data["Maintainer"] = true
		}
	}
	if policyText == nil {
		b, _ := json.MarshalIndent(p, "", "  ")
		t := string(b)
		policyText = &t
	}
	data["PolicyText"], data["PolicyErr"] = *policyText, policyErr
	v := page("contributors.html", "Contributors to "+d.Name, data)
	v.status = status
	return v, nil
}

// setDesignPolicy publishes a new version of the design's value
// equation, typed as JSON; a mistake comes back beside what was typed.
func (s *Site) setDesignPolicy(w http.ResponseWriter, r *http.Request) (*view, error) {
	d, err := s.commons.Store.Design(r.Context(), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	text := r.PostFormValue("policy")
	var p ledger.Policy
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return s.contributorsView(r, &text, "not a policy in JSON: "+err.Error(), http.StatusUnprocessableEntity)
	}
	if _, err := s.ledger.SetPolicy(r.Context(), me(r), "design:"+d.ID, p); err != nil {
		var de *dgml.Error
		if errors.As(err, &de) && de.Kind == dgml.Invalid {
			return s.contributorsView(r, &text, strings.TrimSpace(de.Field+": "+de.Msg), http.StatusUnprocessableEntity)
		}
		return nil, err
	}
	return &view{redirect: "/designs/" + d.Slug + "/contributors"}, nil
}

// ledgerAccount shows an account: a person (name@node), a workshop, the
// fund, a task or a request: its balances, movements and events.
func (s *Site) ledgerAccount(w http.ResponseWriter, r *http.Request) (*view, error) {
	return s.ledgerView(r, map[string]string{}, map[string]string{}, http.StatusOK)
}

func (s *Site) ledgerView(r *http.Request, form, errs map[string]string, status int) (*view, error) {
	name := r.PathValue("account")
	a, err := s.ledger.AccountView(r.Context(), name)
	if err != nil {
		return nil, err
	}
	u := me(r)
	confirmable := map[string]bool{}
	for _, g := range a.Money {
		if g.Confirmer != "" && g.Confirmed == nil && s.ledger.May(r.Context(), u, g.Confirmer) == nil {
			confirmable[g.ID] = true
		}
	}
	title := name
	switch {
	case name == s.ledger.Fund():
		title = "The commons fund of " + s.ledger.Node
	case strings.HasPrefix(name, "workshop:"):
		id := strings.TrimSuffix(strings.TrimPrefix(name, "workshop:"), "@"+s.ledger.Node)
		if f, err := s.network.Store.Facility(r.Context(), id); err == nil {
			title = "Ledger of " + f.Name
		}
	default:
		title = "Ledger of " + name
	}
	v := page("ledger.html", title, map[string]any{"A": a, "Confirmable": confirmable, "Fund": name == s.ledger.Fund(), "Form": form, "Errs": errs, "Path": r.URL.Path,
		"Payers": s.payers(r, name)})
	v.status = status
	return v, nil
}

// ledgerAction confirms a movement, or gives to the fund.
func (s *Site) ledgerAction(w http.ResponseWriter, r *http.Request) (*view, error) {
	u := me(r)
	if u == nil {
		return &view{redirect: "/login?next=" + url.QueryEscape(r.URL.Path)}, nil
	}
	switch r.PostFormValue("action") {
	case "confirm":
		if _, err := s.ledger.Confirm(r.Context(), u, r.PostFormValue("id")); err != nil {
			return nil, err
		}
		if back := r.PostFormValue("back"); strings.HasPrefix(back, "/") && !strings.HasPrefix(back, "//") {
			return &view{redirect: back}, nil
		}
		return &view{redirect: r.URL.Path}, nil
	case "give":
		form := map[string]string{"amount": r.PostFormValue("amount"), "currency": strings.ToUpper(strings.TrimSpace(r.PostFormValue("currency"))), "memo": r.PostFormValue("memo")}
		amount, err := ledger.ParseAmount(form["amount"], form["currency"])
		if err != nil {
			return s.ledgerView(r, form, map[string]string{"amount": "an amount such as 25.00"}, http.StatusUnprocessableEntity)
		}
		if _, err := s.ledger.Give(r.Context(), u, amount, form["currency"], form["memo"]); err != nil {
			return s.ledgerView(r, form, fieldErr(err, "amount"), http.StatusUnprocessableEntity)
		}
		return &view{redirect: r.URL.Path}, nil
	case "payout":
		form := map[string]string{"payer": r.PostFormValue("payer"), "amount": r.PostFormValue("amount"), "currency": strings.ToUpper(strings.TrimSpace(r.PostFormValue("currency"))), "memo": r.PostFormValue("memo")}
		amount, err := ledger.ParseAmount(form["amount"], form["currency"])
		if err != nil {
			return s.ledgerView(r, form, map[string]string{"amount": "an amount such as 4.37"}, http.StatusUnprocessableEntity)
		}
		if _, err := s.ledger.Payout(r.Context(), u, form["payer"], r.PathValue("account"), amount, form["currency"], form["memo"]); err != nil {
			if k := dgml.KindOf(err); k != dgml.Invalid && k != dgml.Forbidden {
				return nil, err
			}
			return s.ledgerView(r, form, fieldErr(err, "amount"), http.StatusUnprocessableEntity)
		}
		return &view{redirect: r.URL.Path}, nil
	}
	return nil, &dgml.Error{Kind: dgml.Invalid, Field: "action", Msg: "confirm, give or payout"}
}

// payer is an account the viewer may pay a person from.
type payer struct{ Account, Name string }

// payers are the workshops the viewer operates (and the fund, for an
// admin), when the account is a person's: who may record a payout to
// them from this page.
func (s *Site) payers(r *http.Request, acct string) []payer {
	u := me(r)
	if u == nil || strings.Contains(acct, ":") || acct == s.ledger.Fund() || !strings.Contains(acct, "@") || acct == s.people.Handle(u) {
		return nil
	}
	var out []payer
	if u.Admin {
		out = append(out, payer{s.ledger.Fund(), "the commons fund"})
	}
	fs, err := s.network.Store.Facilities(r.Context())
	if err != nil {
		return out
	}
	for _, f := range fs {
		if ok, _ := s.people.Accounts.HasRole(r.Context(), account.Operator, f.ID, u.ID); ok && f.Home == "" {
			out = append(out, payer{s.ledger.Workshop(f.ID), f.Name})
		}
	}
	return out
}

// fieldErr puts a refused input's message beside its field (def when it
// names none).
func fieldErr(err error, def string) map[string]string {
	var de *dgml.Error
	if errors.As(err, &de) && de.Field != "" {
		return map[string]string{de.Field: de.Msg}
	}
	return map[string]string{def: err.Error()}
}

// recordPayment is the buyer or the workshop saying the buyer paid.
func (s *Site) recordPayment(w http.ResponseWriter, r *http.Request) (*view, error) {
	u := me(r)
	if u == nil {
		return &view{redirect: "/login?next=" + url.QueryEscape(r.URL.Path)}, nil
	}
	id := r.PathValue("id")
	q, err := s.orders.Request(r.Context(), u, id)
	if err != nil {
		return nil, err
	}
	form := map[string]string{"amount": r.PostFormValue("amount"), "fee": r.PostFormValue("fee"), "currency": strings.ToUpper(strings.TrimSpace(r.PostFormValue("currency"))), "memo": r.PostFormValue("memo")}
	if form["currency"] == "" {
		form["currency"] = "EUR"
	}
	errs := map[string]string{}
	amount, err := ledger.ParseAmount(form["amount"], form["currency"])
	if err != nil {
		errs["amount"] = "the amount paid, such as 85.50"
	}
	var fee int64
	if strings.TrimSpace(form["fee"]) != "" {
		if fee, err = ledger.ParseAmount(form["fee"], form["currency"]); err != nil {
			errs["fee"] = "a fee such as 1.20, or nothing"
		}
	}
	if len(errs) == 0 {
		_, err = s.ledger.RecordPayment(r.Context(), u, id, ledger.PaymentRequest{Amount: amount, Fee: fee, Currency: form["currency"], Memo: form["memo"]})
		if err == nil {
			return &view{redirect: "/orders/" + q.OrderID + "#r-" + id}, nil
		}
		if k := dgml.KindOf(err); k != dgml.Invalid && k != dgml.Conflict {
			return nil, err
		}
		errs = fieldErr(err, "amount")
	}
	o, err := s.orders.Get(r.Context(), u, q.OrderID)
	if err != nil {
		return nil, err
	}
	v := page("order.html", "Order of "+o.DesignName, map[string]any{"O": orderView{o, o.Person == u.ID}, "Moves": s.moves(r, u, o), "Pay": s.payments(r, u, o),
		"PayFor": id, "PayForm": form, "PayErrs": errs})
	v.status = http.StatusUnprocessableEntity
	return v, nil
}

// payment is what the order page shows of a request's money.
type payment struct {
	Groups      []ledger.Group
	Confirmable map[string]bool
	Shares      []ledger.Share
	Currency    string
	CanPay      bool
}

// payments reads each request's money, what may be confirmed by u, and
// the shares of the confirmed payments.
func (s *Site) payments(r *http.Request, u *account.User, o *order.Order) map[string]payment {
	if s.ledger == nil {
		return nil
	}
	out := map[string]payment{}
	for _, q := range o.Requests {
		p := payment{Confirmable: map[string]bool{}}
		gs, _ := s.ledger.Store.MoneyGroups(r.Context(), "", "request:"+q.ID, 50)
		for _, g := range gs {
			if g.Kind != ledger.KindPayment {
				continue
			}
			p.Groups = append(p.Groups, g)
			if g.Confirmed == nil && s.ledger.May(r.Context(), u, g.Confirmer) == nil {
				p.Confirmable[g.ID] = true
			}
		}
		ds, _ := s.ledger.Store.Distributions(r.Context(), "request:"+q.ID, "")
		for _, d := range ds {
			p.Shares, p.Currency = append(p.Shares, d.Shares...), d.Currency
		}
		switch q.State {
		case order.Accepted, order.InProduction, order.Ready, order.Collected:
			p.CanPay = true
		}
		out[q.ID] = p
	}
	return out
}

// pledge puts money on an open task.
func (s *Site) pledge(w http.ResponseWriter, r *http.Request) (*view, error) {
	u := me(r)
	if u == nil {
		return &view{redirect: "/login?next=" + url.QueryEscape("/tasks/"+r.PathValue("id"))}, nil
	}
	form := map[string]string{"amount": r.PostFormValue("amount"), "currency": strings.ToUpper(strings.TrimSpace(r.PostFormValue("currency"))), "from_fund": r.PostFormValue("from_fund")}
	if form["currency"] == "" {
		form["currency"] = "EUR"
	}
	amount, err := ledger.ParseAmount(form["amount"], form["currency"])
	if err == nil {
		_, err = s.ledger.Pledge(r.Context(), u, r.PathValue("id"), amount, form["currency"], form["from_fund"] != "")
		if err == nil {
			return &view{redirect: "/tasks/" + r.PathValue("id")}, nil
		}
		if k := dgml.KindOf(err); k != dgml.Invalid && k != dgml.Conflict && k != dgml.Forbidden {
			return nil, err
		}
	}
	v, verr := s.task(w, r)
	if verr != nil {
		return nil, verr
	}
	v.data["PledgeForm"], v.data["PledgeErrs"] = form, fieldErr(err, "amount")
	v.status = http.StatusUnprocessableEntity
	return v, nil
}

// taskMoney is what a task page shows of its pledges.
func (s *Site) taskMoney(r *http.Request, id string) map[string]any {
	if s.ledger == nil {
		return nil
	}
	bs, _ := s.ledger.Store.Balances(r.Context(), "task:"+id)
	gs, _ := s.ledger.Store.MoneyGroups(r.Context(), "task:"+id, "", 50)
	return map[string]any{"Balances": bs, "Groups": gs, "Account": "task:" + id, "Now": time.Now()}
}
