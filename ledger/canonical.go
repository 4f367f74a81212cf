package ledger

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
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
			ms = append(ms, member{k, quote(v)})
		}
	}
	measure := func(k string, m *Measure) {
		if m != nil {
			ms = append(ms, member{k, `{"hasNumericalValue":` + number(m.Value) + `,"hasUnit":` + quote(m.Unit) + `}`})
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
	ms = append(ms, member{"hasPointInTime", quote(e.At)}) // never omitted
	str("inputOf", e.InputOf)
	str("outputOf", e.OutputOf)
	str("realizationOf", e.RealizationOf)
	str("dgml:design", e.Design)
	str("corrects", e.Corrects)
	str("note", e.Note)
	ms = append(ms, member{"dgml:node", quote(e.Node)}) // never omitted
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

// quote escapes a string as JSON.stringify does: the quote, the
// backslash and control characters, nothing else. Invalid UTF-8 becomes
// U+FFFD, as encoding/json makes it when it reads the event back.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&0xf])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// number writes a finite float64 as ECMAScript's Number.prototype.
// toString: plain digits from 1e-6 up to 1e21, else the shortest
// mantissa with an exponent such as 1e+21 or 1.5e-7.
func number(f float64) string {
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return "0" // -0 too; Validate refuses the others
	}
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // 1.5e-07, 1e+21
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[0]
	exp = strings.TrimLeft(exp[1:], "0")
	return mant + "e" + string(sign) + exp
}
