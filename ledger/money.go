package ledger

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dgml/dgml"
)

// Accounts that are not agents.
const (
	// Outside is money outside dgml: a payment made by bank or cash
	// enters the ledger from it, and a payout leaves to it.
	Outside = "outside"
	// FeesAccount collects the fees a payment paid on its way (a card
	// or bank fee), as rows of their own.
	FeesAccount = "fees"
)

// Kinds of money movement.
const (
	KindPayment      = "payment"      // a buyer paid an order, outside dgml
	KindDistribution = "distribution" // an order's money shared by its policy
	KindPayout       = "payout"       // a holder paid an agent what it was owed
	KindPledge       = "pledge"       // money promised to an open task
	KindBounty       = "bounty"       // a task's money released to who did it
	KindFund         = "fund"         // money given to the commons fund
)

// Row is one side of a movement: Amount is credited to Account when
// positive, debited when negative.
type Row struct {
	Account string `json:"account"`
	Amount  int64  `json:"amount"`
	Note    string `json:"note,omitempty"`
}

// Group is one movement of money: rows that add up to zero, in one
// currency, recorded by one agent and, when the movement happened
// outside dgml, confirmed by the other side before it counts.
type Group struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Currency string `json:"currency"`
	Rows     []Row  `json:"rows"`
	Ref      string `json:"ref,omitempty"` // order:ID, task:ID, a distribution id
	Memo     string `json:"memo,omitempty"`
	By       string `json:"recorded_by"`
	// Confirmer is who must confirm it (empty: it counts at once).
	Confirmer string     `json:"confirmer,omitempty"`
	Confirmed *time.Time `json:"confirmed,omitempty"`
	// Event is the Valueflows transfer event the movement realises.
	Event   string    `json:"event,omitempty"`
	Created time.Time `json:"created"`
}

// Counts reports whether the group is part of balances.
func (g *Group) Counts() bool { return g.Confirmer == "" || g.Confirmed != nil }

// Validate checks that the rows balance.
func (g *Group) Validate() error {
	bad := func(field, msg string) error { return &dgml.Error{Kind: dgml.Invalid, Field: field, Msg: msg} }
	if len(g.Currency) != 3 || g.Currency[0] < 'A' || g.Currency[0] > 'Z' {
		return bad("currency", "an ISO 4217 code such as EUR")
	}
	if len(g.Rows) < 2 || len(g.Rows) > 1000 {
		return bad("rows", "a movement has 2 to 1,000 rows")
	}
	var sum int64
	debit, credit := false, false
	for i, r := range g.Rows {
		if r.Account == "" {
			return bad(fmt.Sprintf("rows[%d].account", i), "names no account")
		}
		if r.Amount > 1e15 || r.Amount < -1e15 {
			return bad(fmt.Sprintf("rows[%d].amount", i), "too large")
		}
		debit = debit || r.Amount < 0
		credit = credit || r.Amount > 0
		sum += r.Amount
	}
	if sum != 0 {
		return bad("rows", fmt.Sprintf("credits and debits differ by %d", sum))
	}
	if !debit || !credit {
		return bad("rows", "a movement debits one account and credits another")
	}
	return nil
}

// Transfer is a movement of amount from one account to another, less a
// fee that goes to the fees account as its own row.
func Transfer(kind, currency, from, to string, amount, fee int64) Group {
	g := Group{Kind: kind, Currency: currency, Rows: []Row{{Account: from, Amount: -amount}, {Account: to, Amount: amount - fee}}}
	if fee > 0 {
		g.Rows = append(g.Rows, Row{Account: FeesAccount, Amount: fee, Note: "fee"})
	}
	return g
}

// Balance is an account's sum in one currency.
type Balance struct {
	Account  string `json:"account"`
	Currency string `json:"currency"`
	Amount   int64  `json:"amount"`
	In       int64  `json:"in"`
	Out      int64  `json:"out"`
}

// Balances sums the rows of the groups that count, by account and
// currency, sorted: balances are always computed, never stored.
func Balances(groups []Group) []Balance {
	type key struct{ a, c string }
	m := map[key]*Balance{}
	for _, g := range groups {
		if !g.Counts() {
			continue
		}
		for _, r := range g.Rows {
			k := key{r.Account, g.Currency}
			b := m[k]
			if b == nil {
				b = &Balance{Account: r.Account, Currency: g.Currency}
				m[k] = b
			}
			b.Amount += r.Amount
			if r.Amount > 0 {
				b.In += r.Amount
			} else {
				b.Out -= r.Amount
			}
		}
	}
	out := make([]Balance, 0, len(m))
	for _, b := range m {
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Account != out[j].Account {
			return out[i].Account < out[j].Account
		}
		return out[i].Currency < out[j].Currency
	})
	return out
}

// Exponent is how many decimals a currency's minor unit has (ISO 4217);
// two unless listed.
func Exponent(currency string) int {
	switch currency {
	case "JPY", "KRW", "CLP", "ISK", "UGX", "VND", "XAF", "XOF", "RWF", "PYG":
		return 0
	case "BHD", "KWD", "OMR", "JOD", "TND", "LYD", "IQD":
		return 3
	}
	return 2
}

// Format writes minor units as an amount: 8550 EUR is "85.50 EUR".
func Format(amount int64, currency string) string {
	exp := Exponent(currency)
	if exp == 0 {
		return fmt.Sprintf("%d %s", amount, currency)
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	div := int64(1)
	for range exp {
		div *= 10
	}
	return fmt.Sprintf("%s%d.%0*d %s", sign, amount/div, exp, amount%div, currency)
}

// ParseAmount reads an amount as people write it ("85.50", "85,5",
// "85") into minor units of the currency.
func ParseAmount(s, currency string) (int64, error) {
	bad := &dgml.Error{Kind: dgml.Invalid, Field: "amount", Msg: "an amount such as 85.50"}
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	whole, frac, _ := strings.Cut(s, ".")
	exp := Exponent(currency)
	if whole == "" && frac == "" || len(whole) > 13 || len(frac) > exp || strings.HasPrefix(whole, "-") {
		return 0, bad
	}
	var n int64
	for _, r := range whole + frac + strings.Repeat("0", exp-len(frac)) {
		if r < '0' || r > '9' {
			return 0, bad
		}
		n = n*10 + int64(r-'0')
	}
	return n, nil
}
