package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/network"
	"github.com/dgml/dgml/okw"
	"github.com/dgml/dgml/param"
)

func runFacilities(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(os.Stderr, `Usage: dgml facilities COMMAND [OPTIONS]

The workshops of the local network:

  near LAT,LON   facilities near a place: --process, --material, --radius KM
  list           every facility
  show ID        one facility and its machines
  import FILE... Open Know Where records (JSON), Map of Makers lists, hackerspace GeoJSON
  export ID      a facility as an OKW record
  delete ID      remove a facility

Run "dgml facilities COMMAND --help" for a command's options.`)
		if len(args) == 0 {
			return usageError{"give a facilities command"}
		}
		return nil
	}
	switch args[0] {
	case "near":
		return facilitiesNear(ctx, args[1:])
	case "list":
		return facilitiesList(ctx, args[1:])
	case "show", "export", "delete":
		return facilityOne(ctx, args[0], args[1:])
	case "import":
		return facilitiesImport(ctx, args[1:])
	}
	return usageError{fmt.Sprintf("unknown facilities command %q", args[0])}
}

func facilitiesNear(ctx context.Context, args []string) error {
	fs := newFlags("facilities near", "facilities near [--data DIR] [--process P] [--material M] [--radius KM] [--json] LAT,LON",
		`Lists the facilities within the radius of a place that have a machine
for the process in the material, nearest first, with great-circle
distances.`)
	data := dataFlag(fs)
	process := fs.String("process", "", "a process of the vocabulary (e.g. 3d-printing-fdm, laser-cutting)")
	material := fs.String("material", "", "a material (e.g. PLA, plywood)")
	radius := fs.Float64("radius", 50, "search radius, km")
	asJSON := fs.Bool("json", false, "print as JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"give the place as LAT,LON, e.g. 37.98,23.73"}
	}
	q := network.Query{RadiusKm: *radius, Material: *material}
	if q.Near, err = param.Point("LAT,LON", pos[0]); err != nil {
		return err
	}
	if *process != "" {
		p, ok := design.ParseProcess(*process)
		if !ok || p == design.ProcessUnknown {
			return usageError{fmt.Sprintf("unknown process %q: use one of %s", *process, processList())}
		}
		q.Process = p
	}
	n, err := openNode(ctx, data)
	if err != nil {
		return err
	}
	defer n.Close()
	hits, err := n.network.Near(ctx, q)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(hits)
	}
	if len(hits) == 0 {
		fmt.Printf("no facility within %.0f km does that; widen --radius\n", *radius)
		return nil
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "KM\tFACILITY\tCITY\tACCESS\tMACHINES")
	for _, h := range hits {
		name := h.Facility.Name
		if h.AskFirst {
			name += " (ask first: lists no materials)"
		}
		fmt.Fprintf(tw, "%.1f\t%s\t%s\t%s\t%s\n", h.Km, name, h.Facility.City, h.Facility.Access, machineList(h.Machines))
	}
	return tw.Flush()
}

func processList() string {
	var out []string
	for _, p := range design.Processes {
		out = append(out, string(p.Process))
	}
	return strings.Join(out, ", ")
}

func machineList(ms []facility.Machine) string {
	var out []string
	for _, m := range ms {
		label := strings.TrimSpace(m.Make + " " + m.Model)
		if label == "" {
			label = string(m.Process)
		}
		out = append(out, label)
	}
	if len(out) == 0 {
		return "(not listed)"
	}
	return clip(strings.Join(out, ", "), 70)
}

func facilitiesList(ctx context.Context, args []string) error {
	fs := newFlags("facilities list", "facilities list [--data DIR] [--json]", "Lists every facility of the node, by name.")
	data := dataFlag(fs)
	asJSON := fs.Bool("json", false, "print as JSON")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	n, err := openNode(ctx, data)
	if err != nil {
		return err
	}
	defer n.Close()
	all, err := n.network.All(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(network.Sorted(all))
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME\tCITY\tCOUNTRY\tMACHINES")
	for _, f := range network.Sorted(all) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", f.Slug, clip(f.Name, 40), f.City, f.Country, len(f.Machines))
	}
	return tw.Flush()
}

func facilityOne(ctx context.Context, cmd string, args []string) error {
	usage := "facilities " + cmd + " [--data DIR] ID"
	if cmd == "delete" {
		usage = "facilities delete [--data DIR] --as USER ID"
	}
	fs := newFlags("facilities "+cmd, usage, map[string]string{
		"show": "Shows a facility and its machines (JSON).", "export": "Writes a facility as an Open Know Where record.",
		"delete": "Removes a facility from the node; only its operators (and the node's admins) may.",
	}[cmd])
	var as *string
	if cmd == "delete" {
		as = asFlag(fs)
	}
	return withNode(ctx, fs, args, count(1, "give the facility's id or slug"), func(n *node, pos []string) error {
		if cmd == "delete" {
			u, err := n.login(ctx, *as)
			if err != nil {
				return err
			}
			if err := n.network.Withdraw(ctx, u, pos[0]); err != nil {
				return err
			}
			fmt.Println("deleted", pos[0])
			return nil
		}
		f, err := n.db.Facility(ctx, pos[0])
		if err != nil {
			return err
		}
		if cmd == "show" {
			return printJSON(f)
		}
		b, err := okw.Marshal(f)
		if err != nil {
			return err
		}
		_, err = fmt.Println(string(b))
		return err
	})
}

func facilitiesImport(ctx context.Context, args []string) error {
	fs := newFlags("facilities import", "facilities import [--data DIR] [--as USER] [--json] FILE|DIR...",
		`Imports facilities: Open Know Where records (JSON, one or a list),
Map of Makers space lists and GeoJSON point collections (such as the
hackerspaces list: facilities with machines not known). A facility with
the same name at the same place as one stored is skipped. A record whose
id is already stored updates it only --as one of its operators;
otherwise the whole import is refused and nothing is stored. With --as
the user operates the facilities added.`)
	data := dataFlag(fs)
	as := asFlag(fs)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usageError{"give the files or folders to import"}
	}
	var files []string
	for _, p := range paths {
		filepath.Walk(p, func(f string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && (strings.HasSuffix(f, ".json") || strings.HasSuffix(f, ".geojson")) && !strings.HasSuffix(f, "schema.json") {
				files = append(files, f)
			}
			return nil
		})
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
	var all []facility.Facility
	var warns []okw.Warning
	failed := 0
	bar := newProgress(os.Stderr, len(files), !*asJSON)
	for _, f := range files {
		bar.step(filepath.Base(f))
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		got, w, err := okw.Parse(ctx, f, b)
		warns = append(warns, w...)
		if err != nil {
			failed++
			fmt.Fprintln(os.Stderr, "refused", err)
			continue
		}
		all = append(all, got...)
	}
	bar.done()
	res, err := n.network.Import(ctx, u, all)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(map[string]any{"files": len(files), "read": len(all), "added": len(res.Added), "updated": len(res.Updated), "skipped": res.Skipped, "warnings": warns})
	}
	for _, w := range warns {
		fmt.Fprintln(os.Stderr, "  warning:", w)
	}
	fmt.Printf("%d files, %d facilities read, %d added, %d updated, %d already there\n", len(files), len(all), len(res.Added), len(res.Updated), len(res.Skipped))
	if failed > 0 {
		return fmt.Errorf("%d files refused", failed)
	}
	return nil
}
