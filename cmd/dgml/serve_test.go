package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/network"
)

// The demo a newcomer starts shows the community at work: builds with
// their figures, reviews and a translation, and a plan that uses a
// measured part.
func TestDemoCommunity(t *testing.T) {
	ctx := context.Background()
	n, err := openNode(ctx, &where{data: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if err := loadDemo(ctx, n, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	const printer = "reprap-mendel-style-3d-printer-demo"
	_, f, err := n.people.Reports(ctx, printer)
	if err != nil {
		t.Fatal(err)
	}
	if f.TimesBuilt != 2 || f.Failures != 1 || len(f.Places) != 3 {
		t.Errorf("demo figures: %+v", f.Figures)
	}
	_, m, err := n.people.Maturity(ctx, printer, "")
	if err != nil {
		t.Fatal(err)
	}
	if m.Independent != 1 || m.Attested || len(m.Readiness["otrl"].Votes) != 1 {
		t.Errorf("demo maturity: %d independent, attested %v, votes %+v", m.Independent, m.Attested, m.Readiness)
	}
	l, err := n.people.Localise(ctx, printer, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if l.Texts[0].Lang != "fr" || !strings.Contains(l.Texts[0].Text, "Imprimante") {
		t.Errorf("demo French name: %+v", l.Texts[0])
	}
	res, err := n.network.Plan(ctx, network.PlanRequest{Design: printer, Near: geo.Point{Lat: -1.2864, Lon: 36.8172}})
	if err != nil {
		t.Fatal(err)
	}
	measured := 0
	for _, j := range res.Jobs {
		if strings.HasPrefix(j.Basis, "measured") {
			measured++
			if j.Part != "Frame / Frame corner bracket" || j.HoursPerUnit != 9.5/8 {
				t.Errorf("measured job: %+v", j)
			}
		}
	}
	if measured != 1 {
		t.Errorf("%d jobs use reports, want the corner bracket's", measured)
	}
}
