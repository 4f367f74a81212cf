package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/gowebpki/jcs"

	"github.com/dgml/dgml"
)

// Policy is a value equation: how the amount of an order is shared.
// It is data (published, versioned, hashed) so that anyone can read it
// and re-run a distribution and get the same shares.
type Policy struct {
	Name    string   `json:"name"`
	Version int      `json:"version"`
	Buckets []Bucket `json:"buckets"`
	// Credit is the hours credited for a contribution that recorded no
	// time of its own, by kind of contribution (revision, translation,
	// review, report, attestation): a revision's author rarely says how
	// long it took, and a split by hours must still see them.
	Credit map[string]float64 `json:"credit_hours,omitempty"`
}

// The rules that split a bucket.
const (
	RuleWorkshop     = "workshop"     // the workshop that made the order
	RuleOperators    = "operators"    // people who worked on the order's jobs, by hours
	RuleContributors = "contributors" // the design's contributors, by hours
	RuleLineage      = "lineage"      // contributors of the design and its fork ancestors, by hours, each generation Decay of the next
	RuleEqual        = "equal"        // the payees, equally
	RuleFixed        = "fixed"        // the payees, by weight
	RuleFund         = "fund"         // the node's commons fund
)

// Bucket is a slice of the amount and the rule that splits it.
type Bucket struct {
	Name string `json:"name"`
	// Percent is the bucket's share of the amount, in basis points
	// (1/100 of a percent); a policy's buckets add up to 10,000.
	Percent int    `json:"basis_points"`
	Rule    string `json:"rule"`
	// Decay is, for the lineage rule, the weight of a generation in basis
	// points of the weight of the one after it (5,000: a parent counts
	// half as much as its fork).
	Decay  int     `json:"decay_basis_points,omitempty"`
	Payees []Payee `json:"payees,omitempty"`
}

// Payee is a named recipient of an equal or fixed bucket.
type Payee struct {
	Agent  string `json:"agent"`
	Weight int    `json:"weight,omitempty"`
}

// Validate checks the policy can be run.
func (p *Policy) Validate() error {
	bad := func(field, msg string) error { return &dgml.Error{Kind: dgml.Invalid, Field: field, Msg: msg} }
	if strings.TrimSpace(p.Name) == "" {
		return bad("name", "a policy needs a name")
	}
	if len(p.Buckets) == 0 || len(p.Buckets) > 32 {
		return bad("buckets", "a policy has 1 to 32 buckets")
	}
	total := 0
	names := map[string]bool{}
	for i, b := range p.Buckets {
		f := fmt.Sprintf("buckets[%d]", i)
		if b.Name == "" || names[b.Name] {
			return bad(f+".name", "each bucket needs a name of its own")
		}
		names[b.Name] = true
		if b.Percent <= 0 || b.Percent > 10000 {
			return bad(f+".basis_points", "between 1 and 10,000 (100%)")
		}
		total += b.Percent
		switch b.Rule {
		case RuleWorkshop, RuleOperators, RuleContributors, RuleFund:
		case RuleLineage:
			if b.Decay < 0 || b.Decay > 10000 {
				return bad(f+".decay_basis_points", "between 0 and 10,000")
			}
		case RuleEqual, RuleFixed:
			if len(b.Payees) == 0 || len(b.Payees) > 100 {
				return bad(f+".payees", "name 1 to 100 payees")
			}
			for j, py := range b.Payees {
				if py.Agent == "" || (b.Rule == RuleFixed && (py.Weight <= 0 || py.Weight > 1e6)) {
					return bad(fmt.Sprintf("%s.payees[%d]", f, j), "needs an agent and, for a fixed split, a weight from 1 to 1,000,000")
				}
			}
		default:
			return bad(f+".rule", "one of workshop, operators, contributors, lineage, equal, fixed, fund")
		}
	}
	if total != 10000 {
		return bad("buckets", fmt.Sprintf("the buckets add up to %d.%02d%%, not 100%%", total/100, total%100))
	}
	for k, h := range p.Credit {
		if h < 0 || h > 1000 || h != h {
			return bad("credit_hours."+k, "between 0 and 1,000 hours")
		}
	}
	return nil
}

// Hash is the policy's id: "sha256:" and the hash of its canonical JSON.
func (p *Policy) Hash() string {
	raw, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	c, err := jcs.Transform(raw)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(c)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Input is what a distribution runs on: the amount, who made the order,
// the node's fund, the design made, and the events the rules read.
type Input struct {
	Amount   int64   `json:"amount"` // minor units
	Currency string  `json:"currency"`
	Order    string  `json:"order"`    // order:ID, what operators' work realises
	Design   string  `json:"design"`   // design:ID, generation 0 of its lineage
	Workshop string  `json:"workshop"` // workshop:ID@node
	Fund     string  `json:"fund"`     // fund@node
	Events   []Event `json:"-"`
}

// Share is what one agent gets from one bucket.
type Share struct {
	Agent  string `json:"agent"`
	Bucket string `json:"bucket"`
	Amount int64  `json:"amount"`
	// Why says what the share rests on (hours, generation, fallback).
	Why string `json:"why,omitempty"`
}

// Distribution is the result of running a policy: stored with the
// policy's hash and the ids of the events it read, so that it can be
// re-run by anyone holding them.
type Distribution struct {
	ID       string   `json:"id,omitempty"`
	Policy   string   `json:"policy"` // its hash
	Amount   int64    `json:"amount"`
	Currency string   `json:"currency"`
	Order    string   `json:"order"`
	Design   string   `json:"design"`
	Workshop string   `json:"workshop"`
	Fund     string   `json:"fund"`
	Inputs   []string `json:"inputs"` // event ids, sorted
	Shares   []Share  `json:"shares"`
}

// Seal sets the distribution's id from its content.
func (d *Distribution) Seal() {
	d.ID = ""
	raw, _ := json.Marshal(d)
	c, _ := jcs.Transform(raw)
	sum := sha256.Sum256(c)
	d.ID = "sha256:" + hex.EncodeToString(sum[:])
}

// claim is an exact fraction of the amount owed to an agent from a bucket.
type claim struct {
	agent, bucket, why string
	frac               *big.Rat
}

// Run shares in.Amount by the policy. Each share is the exact fraction
// its rule gives, rounded down; the units left by rounding go one each
// to the largest fractional parts (ties to the agent, then bucket, that
// sorts first), so the shares always add up to the amount exactly and a
// re-run gives the same result. A bucket with nobody to pay (no
// operator recorded work, a design without contributors) goes to the
// workshop for operators' work, and to the fund otherwise, and says so.
func Run(p *Policy, in Input) (*Distribution, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if in.Amount < 0 || in.Amount > 1e15 {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "amount", Msg: "between 0 and 10^15 minor units"}
	}
	events := Effective(in.Events)
	used := map[string]bool{}
	var claims []claim
	for _, b := range p.Buckets {
		bf := big.NewRat(int64(b.Percent), 10000)
		weights, why, ids := bucketWeights(p, b, in, events)
		if len(weights) == 0 {
			to, reason := in.Fund, "nobody to pay in this bucket: the commons fund"
			if b.Rule == RuleOperators {
				to, reason = in.Workshop, "no operator recorded work: the workshop"
			}
			claims = append(claims, claim{agent: to, bucket: b.Name, why: reason, frac: bf})
			continue
		}
		for _, id := range ids {
			used[id] = true
		}
		total := new(big.Rat)
		for _, w := range weights {
			total.Add(total, w)
		}
		agents := make([]string, 0, len(weights))
		for a := range weights {
			agents = append(agents, a)
		}
		sort.Strings(agents)
		for _, a := range agents {
			f := new(big.Rat).Quo(weights[a], total)
			claims = append(claims, claim{agent: a, bucket: b.Name, why: why[a], frac: f.Mul(f, bf)})
		}
	}
	d := &Distribution{Policy: p.Hash(), Amount: in.Amount, Currency: in.Currency, Order: in.Order, Design: in.Design, Workshop: in.Workshop, Fund: in.Fund, Inputs: []string{}}
	for id := range used {
		d.Inputs = append(d.Inputs, id)
	}
	sort.Strings(d.Inputs)
	d.Shares = split(in.Amount, claims)
	d.Seal()
	return d, nil
}

// split turns exact claims into integer shares by the largest remainder.
func split(amount int64, claims []claim) []Share {
	type part struct {
		Share
		rest *big.Rat
	}
	parts := make([]part, len(claims))
	total := big.NewRat(amount, 1)
	var given int64
	for i, c := range claims {
		exact := new(big.Rat).Mul(total, c.frac)
		q := new(big.Int).Quo(exact.Num(), exact.Denom()) // floor: both positive
		parts[i] = part{Share: Share{Agent: c.agent, Bucket: c.bucket, Amount: q.Int64(), Why: c.why}, rest: new(big.Rat).Sub(exact, new(big.Rat).SetInt(q))}
		given += q.Int64()
	}
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool {
		a, b := parts[order[x]], parts[order[y]]
		if c := a.rest.Cmp(b.rest); c != 0 {
			return c > 0
		}
		if a.Agent != b.Agent {
			return a.Agent < b.Agent
		}
		return a.Bucket < b.Bucket
	})
	for i := 0; given < amount && len(order) > 0; i = (i + 1) % len(order) {
		parts[order[i]].Amount++
		given++
	}
	out := make([]Share, 0, len(parts))
	for _, p := range parts {
		out = append(out, p.Share)
	}
	return out
}

// bucketWeights gathers a bucket's recipients with their exact weights,
// why each is there, and the events the weights rest on.
func bucketWeights(p *Policy, b Bucket, in Input, events []Event) (map[string]*big.Rat, map[string]string, []string) {
	w := map[string]*big.Rat{}
	why := map[string]string{}
	var ids []string
	add := func(agent string, r *big.Rat, reason string) {
		if agent == "" || r.Sign() <= 0 {
			return
		}
		if w[agent] == nil {
			w[agent] = new(big.Rat)
		}
		w[agent].Add(w[agent], r)
		if why[agent] != "" {
			reason = why[agent] + "; " + reason
		}
		why[agent] = reason
	}
	switch b.Rule {
	case RuleWorkshop:
		add(in.Workshop, big.NewRat(1, 1), "made the order")
	case RuleFund:
		add(in.Fund, big.NewRat(1, 1), "the node's commons fund")
	case RuleEqual:
		for _, py := range b.Payees {
			add(py.Agent, big.NewRat(1, 1), "named by the policy")
		}
	case RuleFixed:
		for _, py := range b.Payees {
			add(py.Agent, big.NewRat(int64(py.Weight), 1), fmt.Sprintf("named by the policy, weight %d", py.Weight))
		}
	case RuleOperators:
		hours := map[string]*big.Rat{}
		for _, e := range events {
			if e.Action == "work" && e.RealizationOf == in.Order && in.Order != "" && e.Effort != nil && e.Effort.Unit == Hour {
				addHours(hours, e.Provider, e.Effort.Value)
				ids = append(ids, e.ID)
			}
		}
		for a, h := range hours {
			add(a, h, hoursWhy(h)+" on this order")
		}
	case RuleContributors, RuleLineage:
		gens, cites := lineage(in.Design, events)
		if b.Rule == RuleContributors {
			gens, cites = gens[:1], nil
		}
		ids = append(ids, cites...)
		gw := big.NewRat(1, 1)
		decay := big.NewRat(int64(b.Decay), 10000)
		for g, d := range gens {
			hours, evs := Contributions(p, d, events)
			total := new(big.Rat)
			for _, h := range hours {
				total.Add(total, h)
			}
			if total.Sign() > 0 {
				ids = append(ids, evs...)
				for a, h := range hours {
					share := new(big.Rat).Quo(h, total)
					add(a, share.Mul(share, gw), fmt.Sprintf("%s on %s (generation %d)", hoursWhy(h), d, g))
				}
			}
			gw = new(big.Rat).Mul(gw, decay)
			if gw.Sign() == 0 {
				break
			}
		}
	}
	return w, why, ids
}

func addHours(m map[string]*big.Rat, agent string, h float64) {
	if agent == "" || h <= 0 {
		return
	}
	r := new(big.Rat)
	// Milli-hours: exact, and the same on every machine.
	r.SetFrac64(int64(h*1000+0.5), 1000)
	if m[agent] == nil {
		m[agent] = new(big.Rat)
	}
	m[agent].Add(m[agent], r)
}

func hoursWhy(h *big.Rat) string {
	f, _ := h.Float64()
	return fmt.Sprintf("%.2f h", f)
}

// Kind is what kind of contribution an event records: the note's first
// word for work and services ("revision", "translation", "review",
// "report", "attestation"), as the recording paths write it.
func Kind(e *Event) string {
	k, _, _ := strings.Cut(e.Note, ":")
	return k
}

// Contributions are the hours each agent gave to a design (work and
// services recorded with Design set), crediting the policy's hours for
// a contribution that recorded none, and the ids of those events.
func Contributions(p *Policy, design string, events []Event) (map[string]*big.Rat, []string) {
	hours := map[string]*big.Rat{}
	var ids []string
	for _, e := range events {
		if e.Design != design || design == "" || (e.Action != "work" && e.Action != "deliverService") {
			continue
		}
		h := 0.0
		if e.Effort != nil && e.Effort.Unit == Hour {
			h = e.Effort.Value
		} else if p != nil {
			h = p.Credit[Kind(&e)]
		}
		if h > 0 {
			addHours(hours, e.Provider, h)
			ids = append(ids, e.ID)
		}
	}
	return hours, ids
}

// Lineage is design and its fork ancestors, nearest first, read from
// the cite events forks record (a fork cites its parent's revision,
// conforming to the parent design). A design with two such events (it
// should not have) takes the earliest, then the smallest id, so that
// the order events arrive in changes nothing. At most 32 generations; a
// cycle stops it.
func Lineage(design string, events []Event) []string {
	out, _ := lineage(design, events)
	return out
}

// lineage is Lineage with the ids of the citations it rests on.
func lineage(design string, events []Event) ([]string, []string) {
	parent := map[string]string{}
	by := map[string]*Event{}
	for i := range events {
		e := &events[i]
		if e.Action == "cite" && e.Design != "" && strings.HasPrefix(e.ConformsTo, "design:") && Kind(e) == "fork" {
			if o := by[e.Design]; o == nil || e.At < o.At || (e.At == o.At && e.ID < o.ID) {
				by[e.Design], parent[e.Design] = e, e.ConformsTo
			}
		}
	}
	out := []string{design}
	var ids []string
	seen := map[string]bool{design: true}
	for d := parent[design]; d != "" && !seen[d] && len(out) < 32; d = parent[d] {
		ids = append(ids, by[out[len(out)-1]].ID)
		seen[d] = true
		out = append(out, d)
	}
	return out, ids
}
