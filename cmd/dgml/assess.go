package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/license"
	"github.com/dgml/dgml/people"
)

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// errRefused makes the command exit 1 after it has printed its answer.
var errRefused = errors.New("refused")

func runLicense(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		fs := newFlags("license", "license check --design EXPR --module EXPR", "Licence questions. check: may a design under one licence incorporate a module under another?")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return usageError{"say what to do: dgml license check"}
	}
	fs := newFlags("license check", "license check --design EXPR --module EXPR [--json]",
		"Says whether a design under one licence may incorporate a module under another, with the clause or source behind the answer, and what the design's licence asks of makers. Exits 1 when the combination is refused.")
	d := fs.String("design", "", "SPDX expression of the design's licence, e.g. CERN-OHL-S-2.0")
	m := fs.String("module", "", "SPDX expression of the module's licence, e.g. CC-BY-SA-4.0")
	asJSON := fs.Bool("json", false, "print as JSON")
	if _, err := parseInterspersed(fs, args[1:]); err != nil {
		return err
	}
	if *d == "" || *m == "" {
		return usageError{"give both --design and --module"}
	}
	v := license.Check(*d, *m)
	conds := license.Conditions(*d)
	if *asJSON {
		if err := printJSON(map[string]any{"design": *d, "module": *m, "result": v.Result, "reason": v.Reason, "conditions": conds}); err != nil {
			return err
		}
	} else {
		fmt.Printf("%s: a %s design %s incorporate a %s module.\n%s\n", v.Result, *d, map[string]string{"allow": "may", "warn": "may, with care,", "refuse": "may not"}[v.Result], *m, v.Reason)
		for _, c := range conds {
			fmt.Printf("makers: %s (%s)\n", c.Condition, c.Reason)
		}
	}
	if v.Result == "refuse" {
		return errRefused
	}
	return nil
}

func runReport(ctx context.Context, args []string) error {
	fs := newFlags("report", "report [--data DIR] --as USER --place PLACE [OPTIONS] DESIGN",
		"Reports a build of a design, or with --part of one of its parts: where, on what, what it took and whether it worked. Reports feed the design's figures, and the planner uses measured part times in place of estimates.")
	r := assess.Report{}
	var machines, materials, photos listFlag
	fs.StringVar(&r.Place, "place", "", "where it was built: town and country")
	fs.StringVar(&r.Part, "part", "", `the part, by its path ("Frame / Corner"); the whole design when left out`)
	process := fs.String("process", "", "the process used (default: the part's)")
	fs.StringVar(&r.Facility, "facility", "", "the workshop it was built at")
	fs.Var(&machines, "machine", "a machine used (repeat for more)")
	fs.Var(&materials, "material", "a material used (repeat for more)")
	fs.Var(&photos, "photo", "a photo of the result: JPEG, PNG, WebP or GIF (repeat for more)")
	fs.Float64Var(&r.Quantity, "quantity", 1, "units made")
	fs.Float64Var(&r.Hours, "hours", 0, "hours spent on them all")
	fs.Float64Var(&r.CostEUR, "cost", 0, "euros spent on them all")
	fs.Float64Var(&r.MaterialG, "material-g", 0, "grams of material used for them all")
	failed := fs.Bool("failed", false, "it did not work (say why in --notes)")
	fs.StringVar(&r.Notes, "notes", "", "what went well or wrong")
	return asUserOn(ctx, fs, args, func(n *node, u *account.User, ref string) error {
		r.Machines, r.Materials, r.Success = machines, materials, !*failed
		if *process != "" {
			p, ok := design.ParseProcess(*process)
			if !ok {
				return usageError{"unknown process " + *process + ": see GET /api/v1/processes"}
			}
			r.Process = p
		}
		var pics []people.Photo
		for _, p := range photos {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			ph, err := people.ReadPhoto(f, p)
			f.Close()
			if err != nil {
				return err
			}
			pics = append(pics, ph)
		}
		if err := n.people.Report(ctx, u, ref, &r, pics); err != nil {
			return err
		}
		fmt.Printf("report %s stored\n", r.ID)
		return nil
	})
}

func runReports(ctx context.Context, args []string) error {
	fs := newFlags("reports", "reports [--data DIR] [--json] DESIGN", "Lists a design's build reports with the figures drawn from them.")
	asJSON := fs.Bool("json", false, "print as JSON")
	return onDesign(ctx, fs, args, func(n *node, ref string) error {
		d, f, err := n.people.Reports(ctx, ref)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(f)
		}
		fmt.Printf("%s: built %d times, %d failed (success rate %.0f%%), in %d places\n", d.Name, f.TimesBuilt, f.Failures, f.SuccessRate*100, len(f.Places))
		if f.MedianCostEUR > 0 || f.MedianHours > 0 {
			fmt.Printf("median per unit: %.2f EUR, %.1f h\n", f.MedianCostEUR, f.MedianHours)
		}
		tw := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "\nWHEN\tWHO\tWHERE\tWHAT\tOK\tHOURS\tEUR")
		for _, r := range f.Items {
			what := "whole design"
			if r.Part != "" {
				what = r.Part
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%g\t%g\n", r.Created.Format("2006-01-02"), r.Author, r.Place, clip(what, 30), r.Success, r.Hours, r.CostEUR)
		}
		return tw.Flush()
	})
}

func runMaturity(ctx context.Context, args []string) error {
	fs := newFlags("maturity", "maturity [--data DIR] [--revision REV] [--json] DESIGN",
		"Shows a revision's maturity with its evidence: the documentation check (after DIN SPEC 3105-1), attestations by reviewers and readiness votes.")
	rev := fs.String("revision", "", "a revision of the design (default: its head)")
	asJSON := fs.Bool("json", false, "print as JSON")
	return onDesign(ctx, fs, args, func(n *node, ref string) error {
		d, m, err := n.people.Maturity(ctx, ref, *rev)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(m)
		}
		fmt.Printf("%s, revision %.12s: %d of %d documentation criteria met\n", d.Name, m.Revision, m.Met, len(m.Criteria))
		for _, c := range m.Criteria {
			mark := "no "
			if c.Met {
				mark = "yes"
			}
			fmt.Printf("  %s  %s: %s\n", mark, c.Title, c.Evidence)
			for _, x := range c.Missing {
				fmt.Printf("         - %s\n", x)
			}
		}
		state := "not attested"
		if m.Attested {
			state = "attested"
		}
		fmt.Printf("%s: %d independent reviewer(s), %d needed\n", state, m.Independent, assess.MinReviewers)
		for _, a := range m.Attestations {
			who := a.Reviewer
			if a.Insider {
				who += " (maintainer or author: not counted)"
			}
			fmt.Printf("  %s: holds=%v, %s\n", who, a.Holds, a.Note)
		}
		for _, scale := range []string{"otrl", "odrl"} {
			l := m.Readiness[scale]
			fmt.Printf("%s: declared %d, %d vote(s), median %d\n", strings.ToUpper(scale), l.Declared, len(l.Votes), l.Median)
			for _, v := range l.Votes {
				fmt.Printf("  %s: %d, %s\n", v.Voter, v.Level, v.Reason)
			}
		}
		return nil
	})
}

func runAttest(ctx context.Context, args []string) error {
	fs := newFlags("attest", "attest [--data DIR] --as USER [--revision REV] [--wanting] --note TEXT DESIGN",
		"Attests that a revision's documentation is enough to build it (or, with --wanting, that it is not). Two independent reviewers make a revision attested.")
	rev := fs.String("revision", "", "the revision reviewed (default: the head)")
	wanting := fs.Bool("wanting", false, "the documentation is not enough")
	note := fs.String("note", "", "what you checked: the evidence")
	return asUserOn(ctx, fs, args, func(n *node, u *account.User, ref string) error {
		a, err := n.people.Attest(ctx, u, ref, *rev, !*wanting, *note)
		if err != nil {
			return err
		}
		fmt.Printf("attestation of revision %.12s stored\n", a.Revision)
		if a.Insider {
			fmt.Println("note: you maintain or wrote this design, so it is shown but not counted")
		}
		return nil
	})
}

func runVote(ctx context.Context, args []string) error {
	fs := newFlags("vote", "vote [--data DIR] --as USER --scale otrl|odrl --level N --reason TEXT [--revision REV] DESIGN",
		"Votes on a revision's readiness level: OTRL 1-8 (technology) or ODRL 1-5 (documentation), with the reason.")
	rev := fs.String("revision", "", "the revision (default: the head)")
	scale := fs.String("scale", "", "otrl or odrl")
	level := fs.Int("level", 0, "the level")
	reason := fs.String("reason", "", "why")
	return asUserOn(ctx, fs, args, func(n *node, u *account.User, ref string) error {
		v, err := n.people.Vote(ctx, u, ref, *rev, *scale, *level, *reason)
		if err != nil {
			return err
		}
		fmt.Printf("vote %s %d on revision %.12s stored\n", strings.ToUpper(v.Scale), v.Level, v.Revision)
		return nil
	})
}

func runTranslate(ctx context.Context, args []string) error {
	fs := newFlags("translate", "translate [--data DIR] --as USER --key KEY --lang LANG [--title T] --text TEXT DESIGN\n       dgml translate [--data DIR] --as USER --adopt DESIGN",
		"Translates one text of a design's head: its name, function or a build step (step:1, step:2, ...). The translation remembers the text it was made from and is shown as out of date once that text changes. With --adopt, a maintainer writes the current step translations into a new revision, so that they travel with the design's OKH manifest.")
	adopt := fs.Bool("adopt", false, "write the current contributed step translations into a new revision (maintainers)")
	t := design.TextTranslation{}
	fs.StringVar(&t.Key, "key", "", "name, function or step:N")
	fs.StringVar(&t.Lang, "lang", "", "BCP 47 language tag: fr, pt-BR, ...")
	fs.StringVar(&t.Title, "title", "", "the step's title, translated")
	fs.StringVar(&t.Text, "text", "", "the text, translated")
	return asUserOn(ctx, fs, args, func(n *node, u *account.User, ref string) error {
		if *adopt {
			d, langs, err := n.people.Adopt(ctx, u, ref)
			if err != nil {
				return err
			}
			fmt.Printf("revision %.12s of %s carries %s\n", d.Head, d.Slug, strings.Join(langs, ", "))
			return nil
		}
		if err := n.people.Translate(ctx, u, ref, &t); err != nil {
			return err
		}
		fmt.Printf("%s translated into %s (from revision %.12s)\n", t.Key, t.Lang, t.Revision)
		return nil
	})
}

func runTexts(ctx context.Context, args []string) error {
	fs := newFlags("texts", "texts [--data DIR] [--lang LANG] [--json] DESIGN",
		"Shows a design's name, function and build steps in a language, in the original where a translation is missing or out of date, with each language's completeness.")
	lang := fs.String("lang", "", "language to read in (default: the original)")
	asJSON := fs.Bool("json", false, "print as JSON")
	return onDesign(ctx, fs, args, func(n *node, ref string) error {
		l, err := n.people.Localise(ctx, ref, *lang)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(l)
		}
		for _, s := range l.Texts {
			fmt.Printf("[%s, %s] %s\n", s.Key, s.Lang, strings.TrimSpace(s.Title+"\n"+s.Text))
			if s.Note != "" {
				fmt.Printf("  (%s)\n", s.Note)
			}
		}
		fmt.Println()
		for _, c := range l.Completeness {
			fmt.Printf("%s: %d%% (%d of %d current, %d out of date, %d missing)\n", c.Lang, c.Percent, c.Current, c.Texts, len(c.Stale), len(c.Missing))
		}
		return nil
	})
}

func runAttribution(ctx context.Context, args []string) error {
	fs := newFlags("attribution", "attribution [--data DIR] [--revision REV] [--json] DESIGN",
		"Prints the attribution of a revision: every upstream design, revision, licence and contributor in its lineage and in the modules it reuses, as a README section (or JSON).")
	rev := fs.String("revision", "", "the revision (default: the head)")
	asJSON := fs.Bool("json", false, "print as JSON")
	return onDesign(ctx, fs, args, func(n *node, ref string) error {
		a, err := n.people.Attribution(ctx, ref, *rev)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(a)
		}
		fmt.Print(a.Text())
		return nil
	})
}
