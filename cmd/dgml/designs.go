package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/okh"
)

func runImport(ctx context.Context, args []string) error {
	fs := newFlags("import", "import okh [--data DIR] [--as USER] [--into DESIGN] [--json] PATH...",
		`Imports Open Know-How manifests (OKH-LOSH okh.toml, OKH v1 okh.yml):
a manifest file, a folder holding one with its files and sBoM.csv, or a
folder of such folders. Each design is stored in one transaction: it is
there whole or not at all. Warnings say what had to be repaired.
With --as the user maintains the new designs; --into (a new revision
of an existing design) needs --as a maintainer of that design.`)
	data := dataFlag(fs)
	as := asFlag(fs)
	into := fs.String("into", "", "add the revision to this existing design (id or slug) instead of making a new one; needs --as")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	quiet := fs.Bool("quiet", false, "do not print warnings")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(paths) < 2 || paths[0] != "okh" {
		return usageError{"give the format and what to import: dgml import okh PATH..."}
	}
	var targets []okh.Target
	for _, p := range paths[1:] {
		t, err := okh.Discover(p)
		if err != nil {
			return err
		}
		targets = append(targets, t...)
	}
	if len(targets) == 0 {
		return fmt.Errorf("no manifest (okh.toml, okh.yml) found under %s", strings.Join(paths[1:], ", "))
	}
	if *into != "" && *as == "" {
		return usageError{"--into changes an existing design: say which of its maintainers acts with --as USER"}
	}
	n, err := openNode(ctx, data)
	if err != nil {
		return err
	}
	defer n.Close()
	var u *account.User
	if *as != "" {
		if u, err = n.login(ctx, *as); err != nil {
			return err
		}
	}
	bar := newProgress(os.Stderr, len(targets), !*asJSON)
	var results []*commons.Imported
	failed := 0
	for _, t := range targets {
		bar.step(t.Manifest)
		res, err := n.people.Import(ctx, u, t, *into)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failed++
			res = &commons.Imported{Source: t.Name(), Error: err.Error()}
		}
		results = append(results, res)
	}
	bar.done()
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return err
		}
	} else {
		printImports(results, *quiet)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d imports failed", failed, len(targets))
	}
	return nil
}

func printImports(results []*commons.Imported, quiet bool) {
	for _, r := range results {
		switch {
		case r.Error != "":
			fmt.Fprintf(os.Stderr, "refused  %s\n", r.Error)
		case r.Unchanged:
			fmt.Printf("same     %s: already the head of %s\n", r.Source, r.Design.Slug)
		default:
			fmt.Printf("imported %s as %s (revision %.12s)\n", r.Source, r.Design.Slug, r.Revision)
		}
		if !quiet {
			for _, w := range r.Warnings {
				fmt.Fprintf(os.Stderr, "  warning: %s\n", w)
			}
		}
	}
}

func runExport(ctx context.Context, args []string) error {
	fs := newFlags("export", "export okh [--data DIR] [--revision ID] [-o DIR] DESIGN",
		`Writes a design's head revision (or the given revision) as an OKH-LOSH
folder: okh.toml and every stored file at its path. Importing the folder
again gives the same revision id. Without -o, prints okh.toml.`)
	data := dataFlag(fs)
	out := fs.String("o", "", "folder to write into (made when missing)")
	revID := fs.String("revision", "", "export this revision instead of the head")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "okh" {
		return usageError{"give the format and the design: dgml export okh DESIGN [-o DIR]"}
	}
	n, err := openNode(ctx, data)
	if err != nil {
		return err
	}
	defer n.Close()
	_, rev, err := n.commons.Head(ctx, pos[1])
	if err != nil {
		return err
	}
	if *revID != "" {
		if rev, err = n.db.Revision(ctx, *revID); err != nil {
			return err
		}
	}
	if *out == "" {
		b, err := okh.Marshal(&rev.Content)
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(b)
		return err
	}
	if err := n.commons.Export(ctx, rev, *out); err != nil {
		return err
	}
	fmt.Printf("exported revision %.12s to %s\n", rev.ID, *out)
	return nil
}

func runDesigns(ctx context.Context, args []string) error {
	fs := newFlags("designs", "designs [--data DIR] [filters] [--json] [QUERY]",
		`Lists the designs of a node, newest first, or searches them: QUERY is
matched against names, functions, keywords, parts and build steps.`)
	data := dataFlag(fs)
	var q design.Query
	fs.StringVar(&q.License, "license", "", "only designs under this SPDX license id (e.g. CERN-OHL-S-2.0)")
	fs.StringVar(&q.Process, "process", "", "only designs with a part made by this process (e.g. 3d-printing-fdm)")
	fs.StringVar(&q.Material, "material", "", "only designs with a part of this material (e.g. PLA)")
	fs.StringVar(&q.Language, "language", "", "only designs documented in this language (e.g. en, de-DE)")
	fs.IntVar(&q.MinOTRL, "otrl", 0, "only designs at this technology readiness level (OTRL) or above")
	fs.IntVar(&q.MinODRL, "odrl", 0, "only designs at this documentation readiness level (ODRL) or above")
	fs.StringVar(&q.Keyword, "keyword", "", "only designs whose keywords (category words) hold every word of this")
	fs.BoolVar(&q.HasFiles, "files", false, "only designs with a part file (a mesh) to see and make")
	fs.StringVar(&q.Sort, "sort", "", "order: relevance (default), recent (last changed first) or built (most build reports first)")
	fs.IntVar(&q.Limit, "limit", design.DefaultLimit, "results per page")
	fs.IntVar(&q.Offset, "offset", 0, "results to skip")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	q.Text = strings.Join(pos, " ")
	switch q.Sort {
	case "", "relevance":
		q.Sort = ""
	case design.SortRecent, design.SortBuilt:
	default:
		return fmt.Errorf("--sort %q: say relevance, recent or built", q.Sort)
	}
	n, err := openNode(ctx, data)
	if err != nil {
		return err
	}
	defer n.Close()
	if s, ok := n.db.(interface{ OneShot() }); ok {
		s.OneShot() // one query: SQLite's FTS5 answers it without the in-memory index
	}
	res, err := n.db.Search(ctx, q)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	if res.Total == 0 {
		if q.Text == "" {
			return errors.New("this node holds no designs yet: import some with dgml import okh PATH, or start with dgml serve --demo")
		}
		fmt.Println("no designs match")
		return nil
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME\tLICENSE\tOTRL\tODRL\tPARTS")
	for _, s := range res.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", s.Slug, clip(s.Name, 40), clip(s.License, 24), level(s.OTRL), level(s.ODRL), s.Parts)
	}
	tw.Flush()
	if shown := res.Offset + len(res.Items); shown < res.Total {
		fmt.Printf("%d-%d of %d; more with --offset %d\n", res.Offset+1, shown, res.Total, shown)
	}
	return nil
}

func level(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
