package api

import (
	"math"
	"net/http"
	"strings"

	"github.com/dgml/dgml/ledger"
	"github.com/dgml/dgml/param"
)

func (s *Server) ledgerRoutes() {
	if s.cfg.Ledger == nil {
		return
	}
	s.handle("GET", "/api/v1/ledger/events", s.ledgerEvents)
	s.handle("POST", "/api/v1/ledger/events", s.submitEvent)
	s.handle("GET", "/api/v1/ledger/resources", s.ledgerResources)
	s.handle("GET", "/api/v1/ledger/accounts/{account}", s.ledgerAccount)
	s.handle("GET", "/api/v1/ledger/balances", s.ledgerBalances)
	s.handle("POST", "/api/v1/ledger/money/{id}/confirm", s.confirmMoney)
	s.handle("POST", "/api/v1/ledger/payouts", s.payout)
	s.handle("POST", "/api/v1/ledger/fund", s.giveToFund)
	s.handle("POST", "/api/v1/order-requests/{id}/payments", s.recordPayment)
	s.handle("GET", "/api/v1/order-requests/{id}/distributions", s.requestDistributions)
	s.handle("POST", "/api/v1/tasks/{id}/pledges", s.pledge)
	s.handle("GET", "/api/v1/designs/{ref}/contributors", s.designContributors)
	s.handle("GET", "/api/v1/designs/{ref}/policy", s.designPolicy)
	s.handle("PUT", "/api/v1/designs/{ref}/policy", s.putDesignPolicy)
	s.handle("GET", "/api/v1/designs/{ref}/distribution", s.previewDistribution)
	s.handle("GET", "/api/v1/facilities/{ref}/policy", s.facilityPolicy)
	s.handle("PUT", "/api/v1/facilities/{ref}/policy", s.putFacilityPolicy)
}

// wantsLD reports whether the client asked for JSON-LD.
func wantsLD(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/ld+json")
}

// ledgerEvents lists events (design, agent, action, order, after,
// limit), as JSON or, asked for application/ld+json, as a Valueflows
// JSON-LD document.
func (s *Server) ledgerEvents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := ledger.Filter{Agent: q.Get("agent"), Action: q.Get("action"), Order: q.Get("order")}
	if d := q.Get("design"); d != "" {
		f.Designs = []string{"design:" + strings.TrimPrefix(d, "design:")}
	}
	after, err := param.Int("after", q.Get("after"), 0, math.MaxInt, 0)
	if err != nil {
		return err
	}
	if f.Limit, err = param.Int("limit", q.Get("limit"), 1, 100000, 1000); err != nil {
		return err
	}
	f.After = int64(after)
	list, err := s.cfg.Ledger.Store.LedgerEvents(r.Context(), f)
	if err != nil {
		return err
	}
	if wantsLD(r) {
		w.Header().Set("Content-Type", "application/ld+json")
		return ledger.WriteJSONLD(w, func(fn func(ledger.Event) error) error {
			for _, e := range list {
				if err := fn(e.Event); err != nil {
					return err
				}
			}
			return nil
		})
	}
	type item struct {
		ID  string `json:"id"`
		Seq int64  `json:"seq"`
		ledger.Event
	}
	out := make([]item, 0, len(list))
	for _, e := range list {
		out = append(out, item{ID: e.ID, Seq: e.Seq, Event: e.Event})
	}
	return writeJSON(w, http.StatusOK, out)
}

// ledgerResources derives the quantities of the resources an agent's
// (or a design's) events touch.
func (s *Server) ledgerResources(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := ledger.Filter{Agent: q.Get("agent"), Limit: 100000}
	if d := q.Get("design"); d != "" {
		f.Designs = []string{"design:" + strings.TrimPrefix(d, "design:")}
	}
	list, err := s.cfg.Ledger.Store.LedgerEvents(r.Context(), f)
	if err != nil {
		return err
	}
	events := make([]ledger.Event, len(list))
	for i := range list {
		events[i] = list[i].Event
	}
	return writeJSON(w, http.StatusOK, ledger.Derive(events))
}

func (s *Server) ledgerAccount(w http.ResponseWriter, r *http.Request) error {
	a, err := s.cfg.Ledger.AccountView(r.Context(), r.PathValue("account"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

func (s *Server) ledgerBalances(w http.ResponseWriter, r *http.Request) error {
	bs, err := s.cfg.Ledger.Store.Balances(r.Context(), r.URL.Query()["account"]...)
	if err != nil {
		return err
	}
	if bs == nil {
		bs = []ledger.Balance{}
	}
	return writeJSON(w, http.StatusOK, bs)
}

func (s *Server) confirmMoney(w http.ResponseWriter, r *http.Request) error {
	g, err := s.cfg.Ledger.Confirm(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, g)
}

type moneyBody struct {
	Payer    string `json:"payer"`
	Payee    string `json:"payee"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	Memo     string `json:"memo"`
	FromFund bool   `json:"from_fund"`
}

func (s *Server) payout(w http.ResponseWriter, r *http.Request) error {
	var b moneyBody
	if err := body(r, &b); err != nil {
		return err
	}
	g, err := s.cfg.Ledger.Payout(r.Context(), caller(r), b.Payer, b.Payee, b.Amount, strings.ToUpper(b.Currency), b.Memo)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, g)
}

func (s *Server) giveToFund(w http.ResponseWriter, r *http.Request) error {
	var b moneyBody
	if err := body(r, &b); err != nil {
		return err
	}
	g, err := s.cfg.Ledger.Give(r.Context(), caller(r), b.Amount, strings.ToUpper(b.Currency), b.Memo)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, g)
}

func (s *Server) recordPayment(w http.ResponseWriter, r *http.Request) error {
	var b ledger.PaymentRequest
	if err := body(r, &b); err != nil {
		return err
	}
	g, err := s.cfg.Ledger.RecordPayment(r.Context(), caller(r), r.PathValue("id"), b)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, g)
}

func (s *Server) requestDistributions(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.cfg.Ledger.Store.Distributions(r.Context(), "request:"+r.PathValue("id"), "")
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []ledger.Distribution{}
	}
	return writeJSON(w, http.StatusOK, ds)
}

func (s *Server) pledge(w http.ResponseWriter, r *http.Request) error {
	var b moneyBody
	if err := body(r, &b); err != nil {
		return err
	}
	g, err := s.cfg.Ledger.Pledge(r.Context(), caller(r), r.PathValue("id"), b.Amount, strings.ToUpper(b.Currency), b.FromFund)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, g)
}

func (s *Server) designContributors(w http.ResponseWriter, r *http.Request) error {
	d, err := s.cfg.Commons.Store.Design(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	cs, err := s.cfg.Ledger.Contributors(r.Context(), d.ID)
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []ledger.Contributor{}
	}
	return writeJSON(w, http.StatusOK, cs)
}

// policyView is an owner's current policy (its own, else the node's or
// dgml's default) with its hash.
type policyView struct {
	Owner  string        `json:"owner"`
	Hash   string        `json:"hash"`
	Policy ledger.Policy `json:"policy"`
}

func (s *Server) writePolicy(w http.ResponseWriter, r *http.Request, owner string) error {
	p, err := s.cfg.Ledger.PolicyFor(r.Context(), owner)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, policyView{Owner: owner, Hash: p.Hash(), Policy: *p})
}

func (s *Server) setPolicy(w http.ResponseWriter, r *http.Request, owner string) error {
	var p ledger.Policy
	if err := body(r, &p); err != nil {
		return err
	}
	out, err := s.cfg.Ledger.SetPolicy(r.Context(), caller(r), owner, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, policyView{Owner: owner, Hash: out.Hash(), Policy: *out})
}

func (s *Server) designPolicy(w http.ResponseWriter, r *http.Request) error {
	d, err := s.cfg.Commons.Store.Design(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	return s.writePolicy(w, r, "design:"+d.ID)
}

func (s *Server) putDesignPolicy(w http.ResponseWriter, r *http.Request) error {
	d, err := s.cfg.Commons.Store.Design(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	return s.setPolicy(w, r, "design:"+d.ID)
}

func (s *Server) facilityPolicy(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cfg.Network.Store.Facility(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	p, err := s.cfg.Ledger.Store.ValuePolicy(r.Context(), s.cfg.Ledger.Workshop(f.ID))
	if err != nil {
		return err
	}
	if p == nil {
		d := ledger.DefaultWorkshopPolicy()
		p = &d
	}
	return writeJSON(w, http.StatusOK, policyView{Owner: s.cfg.Ledger.Workshop(f.ID), Hash: p.Hash(), Policy: *p})
}

func (s *Server) putFacilityPolicy(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cfg.Network.Store.Facility(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	return s.setPolicy(w, r, s.cfg.Ledger.Workshop(f.ID))
}

// previewDistribution shares an amount by the design's policy today,
// without keeping anything.
func (s *Server) previewDistribution(w http.ResponseWriter, r *http.Request) error {
	d, err := s.cfg.Commons.Store.Design(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	amount, err := param.Int("amount", q.Get("amount"), 0, 1e15, 10000)
	if err != nil {
		return err
	}
	cur := strings.ToUpper(q.Get("currency"))
	if cur == "" {
		cur = "EUR"
	}
	dist, err := s.cfg.Ledger.Preview(r.Context(), d.ID, q.Get("facility"), int64(amount), cur)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, dist)
}

// submitEvent records an event the caller provides (their work with its
// hours, a workshop's event by its operator) or a correction of one.
func (s *Server) submitEvent(w http.ResponseWriter, r *http.Request) error {
	var e ledger.Event
	if err := body(r, &e, "hasPointInTime", "dgml:node"); err != nil {
		return err
	}
	out, err := s.cfg.Ledger.Submit(r.Context(), caller(r), e)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/ledger/events?agent="+out.Provider)
	return writeJSON(w, http.StatusCreated, map[string]any{"id": out.ID, "event": out})
}
