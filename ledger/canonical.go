package ledger

import (
	"sort"
	"strings"

	"github.com/dgml/dgml/internal/canon"
)

// canonical writes e as RFC 8785 JSON without a general JSON library:
// every event is hashed where it is recorded and again wherever it
// arrives, and the general canonicaliser (decode, sort, re-encode) was
// the largest cost of keeping a peer's events. Members are the struct's
// JSON names in code-unit order; strings are escaped as ECMAScript's
// JSON.stringify does; numbers are written as ECMAScript writes them.
// A test holds it to the general canonicaliser on random and fuzzed
// events.
func (e *Event) canonical() []byte {
	type member struct{ k, v string }
	ms := make([]member, 0, 20)
	str := func(k, v string) {
		if v != "" {
			ms = append(ms, member{k, canon.Quote(v)})
		}
	}
	measure := func(k string, m *Measure) {
		if m != nil {
			ms = append(ms, member{k, `{"hasNumericalValue":` + canon.Number(m.Value) + `,"hasUnit":` + canon.Quote(m.Unit) + `}`})
		}
	}
	str("action", e.Action)
	str("provider", e.Provider)
	str("receiver", e.Receiver)
	str("resourceInventoriedAs", e.Resource)
	str("toResourceInventoriedAs", e.ToResource)
	str("resourceConformsTo", e.ConformsTo)
	measure("resourceQuantity", e.Quantity)
	measure("effortQuantity", e.Effort)
	ms = append(ms, member{"hasPointInTime", canon.Quote(e.At)}) // never omitted
	str("inputOf", e.InputOf)
	str("outputOf", e.OutputOf)
	str("realizationOf", e.RealizationOf)
	str("dgml:design", e.Design)
	str("corrects", e.Corrects)
	str("note", e.Note)
	ms = append(ms, member{"dgml:node", canon.Quote(e.Node)}) // never omitted
	// The names are ASCII, so byte order is UTF-16 code-unit order.
	sort.Slice(ms, func(i, j int) bool { return ms[i].k < ms[j].k })
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(m.k)
		b.WriteString(`":`)
		b.WriteString(m.v)
	}
	b.WriteByte('}')
	return []byte(b.String())
}
