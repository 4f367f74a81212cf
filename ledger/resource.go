package ledger

import "sort"

// Resource is a resource's quantities as derived from its events: never
// stored, always recomputed (and so always what the events say).
type Resource struct {
	ID         string             `json:"id"`
	Accounting map[string]float64 `json:"accountingQuantity"` // by unit
	OnHand     map[string]float64 `json:"onhandQuantity"`
	// UsedHours sums use events' effort: machine time, for instance.
	UsedHours float64 `json:"usedHours,omitempty"`
	Events    int     `json:"events"`
}

// Effective drops the events that later events correct, following
// chains of corrections: what derivations and value equations read.
func Effective(events []Event) []Event {
	corrected := map[string]bool{}
	for _, e := range events {
		if e.Corrects != "" {
			corrected[e.Corrects] = true
		}
	}
	out := make([]Event, 0, len(events))
	for _, e := range events {
		if !corrected[e.ID] {
			out = append(out, e)
		}
	}
	return out
}

// Derive replays events through the action table into the quantities of
// every resource they touch, sorted by id. A transfer or move moves the
// quantity from the provider's resource (Resource) to the receiver's
// (ToResource, or when it is not named, the same id qualified by the
// receiver: "material:PLA@workshop:x@node").
func Derive(events []Event) []Resource {
	byID := map[string]*Resource{}
	get := func(id string) *Resource {
		r := byID[id]
		if r == nil {
			r = &Resource{ID: id, Accounting: map[string]float64{}, OnHand: map[string]float64{}}
			byID[id] = r
		}
		return r
	}
	apply := func(eff Effect, into map[string]float64, m *Measure, toInto map[string]float64) {
		switch eff {
		case Increment:
			into[m.Unit] += m.Value
		case Decrement:
			into[m.Unit] -= m.Value
		case DecrementIncrement:
			into[m.Unit] -= m.Value
			toInto[m.Unit] += m.Value
		case IncrementTo:
			toInto[m.Unit] += m.Value
		}
	}
	for _, e := range Effective(events) {
		if e.Resource == "" {
			continue
		}
		a := Actions[e.Action]
		r := get(e.Resource)
		r.Events++
		if e.Action == "use" && e.Effort != nil && e.Effort.Unit == Hour {
			r.UsedHours += e.Effort.Value
		}
		if e.Quantity == nil {
			continue
		}
		var to *Resource
		if a.Accounting == DecrementIncrement || a.OnHand == DecrementIncrement || a.Accounting == IncrementTo || a.OnHand == IncrementTo {
			toID := e.ToResource
			if toID == "" {
				toID = e.Resource + "@" + e.Receiver
			}
			to = get(toID)
			to.Events++
		}
		var toA, toO map[string]float64
		if to != nil {
			toA, toO = to.Accounting, to.OnHand
		}
		apply(a.Accounting, r.Accounting, e.Quantity, toA)
		apply(a.OnHand, r.OnHand, e.Quantity, toO)
	}
	out := make([]Resource, 0, len(byID))
	for _, r := range byID {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
