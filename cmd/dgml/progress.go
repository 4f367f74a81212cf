package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// progress draws a one-line bar on a terminal for batches of more than a
// few items; elsewhere (pipes, CI logs) it stays silent.
type progress struct {
	w     io.Writer
	total int
	n     int
	on    bool
}

func newProgress(w io.Writer, total int, wanted bool) *progress {
	on := wanted && total > 3
	if f, ok := w.(*os.File); ok {
		st, err := f.Stat()
		on = on && err == nil && st.Mode()&os.ModeCharDevice != 0
	} else {
		on = false
	}
	return &progress{w: w, total: total, on: on}
}

func (p *progress) step(label string) {
	p.n++
	if !p.on {
		return
	}
	const width = 30
	filled := width * p.n / p.total
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d %-30.30s", strings.Repeat("#", filled), strings.Repeat("-", width-filled), p.n, p.total, label)
}

func (p *progress) done() {
	if p.on {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 80))
	}
}
