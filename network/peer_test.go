package network_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/internal/sharedtest"
	"github.com/dgml/dgml/internal/testnode"
	"github.com/dgml/dgml/network"
	"github.com/dgml/dgml/okh"
	"github.com/dgml/dgml/okw"
)

// The closest peer's (Open Hardware Manager's) golden matching cases,
// planned here side by side with what the peer answers. Its workshop
// fixtures are in ../shared; its two designs are written out below in
// its OKH JSON shape (a title and manufacturing_processes, no parts).
//
//	design              workshops                  peer              dgml
//	3DP only            local additive lab         ≥1 solution       a plan at that lab
//	3DP only            Map of Making spaces       ≥1 solution       a plan at the 3DP space
//	3DP and Assembly    Map of Making spaces       0 solutions       printing planned, assembly said to be missing
func TestPeerGoldenCases(t *testing.T) {
	dir := sharedtest.Dir(t, "data/okw/ohm/tests/matching/fixtures")
	ctx := context.Background()
	node := testnode.New(t)
	s := node.Network
	for _, f := range []string{"okw_additive_local.json", "mom_spaces_3dp.json"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		fs, _, err := okw.Parse(ctx, f, data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Import(ctx, nil, fs); err != nil {
			t.Fatal(err)
		}
	}
	designs := map[string]string{
		"okh_3dp_only.json":      `{"okhv": "0.1.0", "title": "Golden 3DP bracket", "version": "1.0.0", "license": {"hardware": "CERN-OHL-S-2.0"}, "function": "a printed bracket", "manufacturing_processes": ["3DP"]}`,
		"okh_multi_process.json": `{"okhv": "0.1.0", "title": "Golden multi-process design", "version": "1.0.0", "license": {"hardware": "CERN-OHL-S-2.0"}, "function": "printed and assembled", "manufacturing_processes": ["3DP", "Assembly"]}`,
	}
	tmp := t.TempDir()
	slugs := map[string]string{}
	for name, body := range designs {
		if err := os.WriteFile(filepath.Join(tmp, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		im, err := s.Commons.ImportTarget(ctx, okh.Target{Root: tmp, Manifest: name}, commons.ImportOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		slugs[name] = im.Design.Slug
	}
	boston, amsterdam := geo.Point{Lat: 42.36, Lon: -71.06}, geo.Point{Lat: 52.37, Lon: 4.89}
	plan := func(design string, near geo.Point) *network.Result {
		r, err := s.Plan(ctx, network.PlanRequest{Design: slugs[design], Near: near, RadiusKm: 50})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, c := range []struct {
		near geo.Point
		lab  string
	}{{boston, "Harness Additive Lab"}, {amsterdam, "Harness MoM 3DP Lab"}} {
		r := plan("okh_3dp_only.json", c.near)
		if len(r.Assignments) != 1 || r.Assignments[0].Facility != c.lab || r.Assignments[0].Process != design.ProcessFDM || r.Totals.CostEUR <= 0 || len(r.Unmatched) != 0 {
			t.Errorf("3DP only near %s: %+v %+v", c.lab, r.Assignments, r.Unmatched)
		}
	}
	// The peer finds no solution, as no one space does both; the plan
	// prints where it can and names what is missing.
	r := plan("okh_multi_process.json", amsterdam)
	if len(r.Assignments) != 1 || r.Assignments[0].Facility != "Harness MoM 3DP Lab" || len(r.Unmatched) != 1 ||
		r.Unmatched[0].Process != design.ProcessAssembly || r.Unmatched[0].Reason != "no facility within reach offers assembly" {
		t.Errorf("multi-process near Amsterdam: %+v %+v", r.Assignments, r.Unmatched)
	}
}
