package web

import (
	"strconv"

	"github.com/dgml/dgml/design"
)

func itoa(n int) string { return strconv.Itoa(n) }

func dims(d *design.Dimensions) string {
	if d == nil {
		return ""
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	return f(d.X) + " × " + f(d.Y) + " × " + f(d.Z) + " mm"
}
