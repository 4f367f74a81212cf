// Package canon writes the pieces of RFC 8785 (JSON Canonicalization
// Scheme) JSON: strings escaped and numbers spelled as ECMAScript does.
// Types whose JSON is fixed (a feed entry, an economic event) are
// written with them directly, which is many times faster than decoding
// and re-encoding through a general canonicaliser; their tests hold
// them to one.
package canon

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Quote escapes a string as JSON.stringify does: the quote, the
// backslash and control characters, nothing else. Invalid UTF-8 becomes
// U+FFFD, as encoding/json makes it when it reads the event back.
func Quote(s string) string {
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

// Number writes a finite float64 as ECMAScript's Number.prototype.
// toString: plain digits from 1e-6 up to 1e21, else the shortest
// mantissa with an exponent such as 1e+21 or 1.5e-7.
func Number(f float64) string {
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
