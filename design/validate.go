package design

import (
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/dgml/dgml"
)

// Limits that keep one revision within what a node can store and serve.
const (
	MaxParts     = 20000
	MaxDepth     = 16
	MaxTextBytes = 64 << 10
)

// Validate checks content before it is stored. The error names the field.
func (c *Content) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &dgml.Error{Kind: dgml.Invalid, Op: "design.Validate", Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	m := &c.Manifest
	if strings.TrimSpace(m.Name) == "" {
		return bad("name", "a design needs a name")
	}
	if len(m.Function) > MaxTextBytes {
		return bad("function", "longer than %d bytes", MaxTextBytes)
	}
	if m.OTRL < 0 || m.OTRL > 8 {
		return bad("technology-readiness-level", "OTRL must be 1 to 8, got %d", m.OTRL)
	}
	if m.ODRL < 0 || m.ODRL > 5 {
		return bad("documentation-readiness-level", "ODRL must be 1 to 5, got %d", m.ODRL)
	}
	if !finite(m.MassG) || m.MassG < 0 {
		return bad("mass", "must be a non-negative number")
	}
	if err := m.Dimensions.check(); err != nil {
		return bad("outer-dimensions", "%v", err)
	}
	n := 0
	var err error
	var walk func(ps []Part, depth int, prefix string)
	walk = func(ps []Part, depth int, prefix string) {
		for i := range ps {
			p := &ps[i]
			field := fmt.Sprintf("%spart[%d]", prefix, i)
			n++
			switch {
			case err != nil:
				return
			case n > MaxParts:
				err = bad("part", "more than %d parts", MaxParts)
			case depth > MaxDepth:
				err = bad(field, "modules nested deeper than %d", MaxDepth)
			case strings.TrimSpace(p.Name) == "":
				err = bad(field+".name", "a part needs a name")
			case !finite(p.Quantity) || p.Quantity <= 0:
				err = bad(field+".quantity", "must be a positive number, got %v", p.Quantity)
			case !finite(p.MassG) || p.MassG < 0:
				err = bad(field+".mass", "must be a non-negative number")
			case !p.Process.Valid():
				err = bad(field+".process", "%q is not in the process vocabulary", p.Process)
			case p.Kind != KindModule && p.Kind != KindPart && p.Kind != KindBought:
				err = bad(field+".kind", "must be module, part or bought, got %q", p.Kind)
			case p.Kind != KindModule && len(p.Children) > 0:
				err = bad(field, "only a module can hold parts")
			case !finite(p.Price) || p.Price < 0:
				err = bad(field+".price", "must be a non-negative number")
			case p.Currency != "" && !CurrencyCode(p.Currency):
				err = bad(field+".currency", "%q is not an ISO 4217 code such as EUR", p.Currency)
			case p.Price > 0 && p.Currency == "":
				err = bad(field+".currency", "a price needs its currency")
			}
			if err == nil {
				if e := p.Dimensions.check(); e != nil {
					err = bad(field+".outer-dimensions", "%v", e)
				}
			}
			walk(p.Children, depth+1, field+".")
		}
	}
	walk(c.Parts, 0, "")
	if err != nil {
		return err
	}
	for i, s := range c.Steps {
		if strings.TrimSpace(s.Text) == "" && strings.TrimSpace(s.Title) == "" {
			return bad(fmt.Sprintf("step[%d]", i), "a step needs a title or text")
		}
		if len(s.Text) > MaxTextBytes {
			return bad(fmt.Sprintf("step[%d].text", i), "longer than %d bytes", MaxTextBytes)
		}
	}
	return nil
}

func (d *Dimensions) check() error {
	if d == nil {
		return nil
	}
	for _, v := range []float64{d.X, d.Y, d.Z} {
		if !finite(v) || v < 0 {
			return fmt.Errorf("dimensions must be non-negative millimetres, got %vx%vx%v", d.X, d.Y, d.Z)
		}
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// Slug makes a readable URL name from a design name: lower case ASCII
// letters and digits joined by dashes.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(fold(name)) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if b.Len() > 60 {
			break
		}
	}
	if b.Len() == 0 {
		return "design"
	}
	out := b.String()
	if len(out) > 60 {
		// Cut at a word boundary rather than mid-word.
		out = out[:60]
		if i := strings.LastIndexByte(out, '-'); i > 20 {
			out = out[:i]
		}
	}
	return out
}

// fold replaces the common accented Latin letters by their base letter so
// that "Häuer" slugs as "hauer" rather than "h-uer".
func fold(s string) string {
	return strings.NewReplacer(
		"ä", "a", "ö", "o", "ü", "u", "ß", "ss", "é", "e", "è", "e", "ê", "e", "á", "a",
		"à", "a", "â", "a", "ã", "a", "ç", "c", "í", "i", "ó", "o", "ô", "o", "õ", "o",
		"ú", "u", "ñ", "n", "Ä", "a", "Ö", "o", "Ü", "u", "É", "e", "Á", "a", "Ó", "o",
	).Replace(s)
}

// CurrencyCode says whether s has the shape of an ISO 4217 code.
func CurrencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
