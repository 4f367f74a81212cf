package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"text/tabwriter"

	"github.com/dgml/dgml/network"
	"github.com/dgml/dgml/param"
)

func runPlan(ctx context.Context, args []string) error {
	fs := newFlags("plan", "plan [--data DIR] --near LAT,LON [--qty N] [--radius KM] [--deadline 72h] [--time-value EUR] [--unit-price EUR] [--json] DESIGN",
		`Plans where each part of a design is made near a place: the machine
that makes it, its cost, machine time, lead time, distance and CO2e, the
pick-ups and why each facility was chosen, and the totals beside the
industrial baseline (made in a central hub, shipped by sea and road, or
by air). Bought items are listed to buy.

The plan weighs cost against time: each day of lead time counts at
--time-value, so parts spread over more machines, and a long part line
is split over several, when the days saved are worth the extra setups
and trips. Steps of the whole design that the design lists as processes
(assembly, finishing, electronics) are planned at workshops that offer
them.`)
	data := dataFlag(fs)
	near := fs.String("near", "", "the place to make it near, LAT,LON (required)")
	qty := fs.Float64("qty", 1, "how many of the design")
	radius := fs.Float64("radius", 50, "how far to look for facilities, km")
	deadline := fs.String("deadline", "", "when it must be ready, e.g. 72h, 5d, 2w (machine capacity is counted up to it)")
	unitPrice := fs.Float64("unit-price", 0, "price of one industrially made part for the baseline, EUR (estimated from mass when not given)")
	timeValue := fs.String("time-value", "", "what a day less of waiting is worth, EUR: each day of lead time is weighed at it, so work spreads over machines when that saves days (default: the factor table's; 0 plans on cost alone)")
	asJSON := fs.Bool("json", false, "print the plan as JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *near == "" {
		return usageError{"give the design and --near LAT,LON"}
	}
	req := network.PlanRequest{Design: pos[0], Quantity: *qty, RadiusKm: *radius, UnitPriceEUR: *unitPrice}
	if req.Near, err = param.Point("--near", *near); err != nil {
		return err
	}
	if req.DeadlineHours, err = param.Deadline(*deadline); err != nil {
		return err
	}
	if req.TimeValueEURPerDay, err = param.TimeValue("--time-value", *timeValue); err != nil {
		return err
	}
	n, err := openNode(ctx, data)
	if err != nil {
		return err
	}
	defer n.Close()
	res, err := n.network.Plan(ctx, req)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(res)
	}
	printPlan(res)
	return nil
}

func printPlan(r *network.Result) {
	fmt.Printf("%s × %g near %.4f,%.4f (within %.0f km)\n\n", r.Design.Name, r.Request.Quantity, r.Request.Near.Lat, r.Request.Near.Lon, r.Request.RadiusKm)
	if len(r.Assignments) == 0 {
		// No totals: a plan of nothing would read as free and instant.
		if len(r.Jobs) == 0 {
			fmt.Printf("%s lists no parts to make: there is nothing for a workshop to plan.\n", r.Design.Name)
		} else {
			fmt.Printf("No workshop within %.0f km can make any of its %d part lines. Try --radius %.0f, or list a workshop near you (dgml facilities import).\n",
				r.Request.RadiusKm, len(r.Jobs), min(r.Request.RadiusKm*4, param.MaxRadiusKm))
			for _, u := range r.Unmatched {
				fmt.Printf("  %s: %s\n", u.Part, network.Why(u))
			}
		}
		printBought(r.Bought)
		return
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "PART\tQTY\tFACILITY\tMACHINE\tKM\tHOURS\tEUR\tkg CO2e\tREADY IN")
	for _, a := range r.Assignments {
		fac := clip(a.Facility, 28)
		if a.AskFirst {
			fac += " (ask first)" // lists no materials; none in reach lists this one
		}
		qty := fmt.Sprintf("%g", a.Quantity)
		if a.Of > 0 {
			qty += fmt.Sprintf(" of %g", a.Of) // the line is split over machines
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f\t%.1f\t%.2f\t%.3f\t%s\n", clip(a.Part, 36), qty, fac, clip(a.Machine, 20), a.Km, a.Hours, a.CostEUR, a.CO2eKg, hours(a.ReadyHours))
	}
	tw.Flush()
	if len(r.Unmatched) > 0 {
		fmt.Println("\nNot planned:")
		for _, u := range r.Unmatched {
			fmt.Printf("  %s: %s\n", u.Part, network.Why(u))
		}
	}
	printBought(r.Bought)
	fmt.Println("\nPick-ups:")
	for _, p := range r.Pickups {
		fmt.Printf("  %s (%.1f km by %s, %d parts, ready in %s): %s\n", p.Facility, p.Km, p.Mode, p.Parts, hours(p.ReadyHours), p.Why)
	}
	fmt.Printf("\nEach day of lead time weighed at %.2f EUR (--time-value).\n\n", r.TimeValuePerDay)
	tw = tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "\tEUR\tkg CO2e\tLEAD TIME")
	fmt.Fprintf(tw, "made locally (this plan)\t%.2f\t%.3f\t%s\n", r.Totals.CostEUR, r.Totals.CO2eKg, hours(r.Totals.LeadHours))
	for _, b := range r.Baseline {
		fmt.Fprintf(tw, "%s\t%.2f\t%.3f\t%s\n", b.Name, b.CostEUR, b.CO2eKg, hours(b.LeadHours))
	}
	tw.Flush()
}

func hours(h float64) string {
	if h >= 48 {
		return fmt.Sprintf("%.1f days", h/24)
	}
	return fmt.Sprintf("%.1f h", h)
}

// printBought lists what is bought rather than made, with the prices the
// design gives, apart from the local totals.
func printBought(bs []network.Bought) {
	if len(bs) == 0 {
		return
	}
	fmt.Printf("\nTo buy (not made locally, not in the totals): %d items", len(bs))
	totals := map[string]float64{}
	for i, b := range bs {
		if b.Price > 0 {
			totals[b.Currency] += b.Price * b.Quantity
		}
		if i < 4 {
			fmt.Printf("%s %g× %s", map[bool]string{true: ":", false: ","}[i == 0], b.Quantity, b.Part)
		} else if i == 4 {
			fmt.Printf(", …")
		}
	}
	fmt.Println()
	for _, c := range slices.Sorted(maps.Keys(totals)) {
		fmt.Printf("  priced items: %.2f %s\n", totals[c], c)
	}
}
