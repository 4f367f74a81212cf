package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/dgml/dgml/estimate"
	"github.com/dgml/dgml/geometry"
)

func runMesh(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(os.Stderr, `Usage: dgml mesh COMMAND [OPTIONS] FILE...

Works on part files (STL, 3MF, OBJ) without a node:

  info      measure parts: size, volume, area, shells, watertightness, overhangs
  estimate  what making a part takes: --process fdm|laser|cnc
  render    a shaded PNG picture of a part

Run "dgml mesh COMMAND --help" for a command's options.`)
		if len(args) == 0 {
			return usageError{"give a mesh command: info, estimate or render"}
		}
		return nil
	}
	switch args[0] {
	case "info":
		return meshInfo(ctx, args[1:])
	case "estimate":
		return meshEstimate(ctx, args[1:])
	case "render":
		return meshRender(ctx, args[1:])
	}
	return usageError{fmt.Sprintf("unknown mesh command %q: use info, estimate or render", args[0])}
}

// readMesh reads a part file; ctx (SIGINT, SIGTERM) stops it.
func readMesh(ctx context.Context, path string, lim geometry.Limits) (*geometry.Mesh, error) {
	return withPart(path, lim, func(f *os.File, lim geometry.Limits) (*geometry.Mesh, error) {
		return geometry.Read(ctx, path, f, lim)
	})
}

// withPart opens a part file and reads it with its size known, so that
// a file's claims beyond its size are refused before anything is made.
func withPart[T any](path string, lim geometry.Limits, read func(*os.File, geometry.Limits) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil {
		lim.Size = st.Size()
	}
	return read(f, lim)
}

// readForSlicing reads a part file for the FDM estimate, which only
// slices it: a binary STL never becomes a list of triangles.
func readForSlicing(ctx context.Context, path string, lim geometry.Limits) (*geometry.Mesh, error) {
	return withPart(path, lim, func(f *os.File, lim geometry.Limits) (*geometry.Mesh, error) {
		return geometry.ReadForSlicing(ctx, path, f, lim)
	})
}

// analyzeFile measures a part file, streaming it where the format allows.
func analyzeFile(ctx context.Context, path string, lim geometry.Limits, opt geometry.Options) (*geometry.Analysis, error) {
	return withPart(path, lim, func(f *os.File, lim geometry.Limits) (*geometry.Analysis, error) {
		return geometry.AnalyzeFile(ctx, path, f, lim, opt)
	})
}

type infoRow struct {
	File  string             `json:"file"`
	Error string             `json:"error,omitempty"`
	Info  *geometry.Analysis `json:"analysis,omitempty"`
}

func meshInfo(ctx context.Context, args []string) error {
	fs := newFlags("mesh info", "mesh info [--json] [--overhang-angle DEG] [--max-triangles N] FILE...",
		`Measures part files: triangles, bounding box, volume, surface area,
shells, whether the mesh is watertight (every edge shared by two faces
running it in opposite directions), overhang area and the part's size in
the six axis-aligned orientations, with a suggested print orientation.
Many files are read in parallel, with progress on a terminal.`)
	asJSON := fs.Bool("json", false, "print the analyses as JSON")
	angle := fs.Float64("overhang-angle", geometry.DefaultOptions.OverhangAngle, "steepest overhang printable without support, degrees from vertical")
	maxTris := fs.Int("max-triangles", geometry.DefaultLimits.MaxTriangles, "refuse meshes with more triangles")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageError{"give one or more STL, 3MF or OBJ files"}
	}
	rows := make([]infoRow, len(files))
	bar := newProgress(os.Stderr, len(files), !*asJSON)
	eachParallel(ctx, len(files), func(i int) {
		rows[i].File = files[i]
		info, err := analyzeFile(ctx, files[i], geometry.Limits{MaxTriangles: *maxTris}, geometry.Options{OverhangAngle: *angle})
		rows[i].Info = info
		if err != nil {
			rows[i].Error = err.Error()
		}
	}, func(i int) { bar.step(filepath.Base(files[i])) })
	bar.done()
	failed := 0
	for _, r := range rows {
		if r.Error != "" {
			failed++
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			return err
		}
	} else {
		printInfo(rows)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be read", failed, len(files))
	}
	return nil
}

// eachParallel runs work(i) for i in [0, n) on every core; done(i) is
// called in completion order from one goroutine, for progress.
func eachParallel(ctx context.Context, n int, work func(i int), done func(i int)) {
	jobs := make(chan int)
	finished := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.NumCPU(), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				work(i)
				finished <- i
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := 0; i < n && ctx.Err() == nil; i++ {
			jobs <- i
		}
	}()
	go func() { wg.Wait(); close(finished) }()
	for i := range finished {
		done(i)
	}
}

func printInfo(rows []infoRow) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tTRIANGLES\tSIZE X×Y×Z mm\tVOLUME cm³\tAREA cm²\tSHELLS\tWATERTIGHT\tOVERHANG cm²\tPRINT UP\t")
	for _, r := range rows {
		if r.Error != "" {
			fmt.Fprintln(os.Stderr, r.Error)
			continue
		}
		a := r.Info
		wt := "yes"
		if !a.Watertight {
			wt = fmt.Sprintf("no (%d open, %d non-manifold, %d flipped)", a.BoundaryEdges, a.NonManifoldEdges, a.FlippedFaces)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f×%.1f×%.1f\t%.2f\t%.2f\t%d\t%s\t%.2f\t%s\t\n", filepath.Base(r.File), a.Triangles,
			a.Size.X, a.Size.Y, a.Size.Z, a.Volume/1000, a.Area/100, a.Shells, wt, a.Overhang/100, a.Suggested)
	}
	tw.Flush()
}

// settingsFlag collects repeated --set key=value options.
type settingsFlag []string

func (s *settingsFlag) String() string     { return strings.Join(*s, ",") }
func (s *settingsFlag) Set(v string) error { *s = append(*s, v); return nil }

// assumedList names the settings the FDM estimate assumes, with values.
func assumedList() string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(estimate.Assumed)) {
		out = append(out, k+"="+estimate.Assumed[k])
	}
	return strings.Join(out, ", ")
}

func meshEstimate(ctx context.Context, args []string) error {
	var sets settingsFlag
	fdm := estimate.DefaultFDM
	fs := newFlags("mesh estimate", "mesh estimate --process fdm|laser|cnc [--material M] [--config FILE] [--set KEY=VALUE]... [--json] FILE...",
		`Estimates what making a part takes. fdm: slices the part as placed and
reports filament (length, grams) and print time under a motion model with
acceleration, with PrusaSlicer's setting names; laser: cut length, pierces,
sheet and time for an SVG or DXF outline; cnc: stock, removed volume and
machining time for a mesh. Settings: --config reads a PrusaSlicer .ini
(a whole exported profile is fine), --set overrides one (e.g. --set
fill_density=40%); both take a key the same way. Keys that change time
or material are honoured:
  `+strings.Join(fdm.Keys(), ", ")+`
or, when dgml does not model them, must have the value it assumes (a
different one is refused, naming the key):
  `+assumedList()+`
Keys that change neither (temperatures, fans, G-code) are read past; a key
PrusaSlicer 2.5 does not have, or a command-line option, is refused.`)
	process := fs.String("process", "fdm", "fdm, laser or cnc")
	material := fs.String("material", "", "material (e.g. PLA, plywood, aluminium); sets filament density or cutting rates")
	config := fs.String("config", "", "PrusaSlicer-style .ini with settings")
	thickness := fs.Float64("thickness", 3, "sheet thickness for laser cutting, mm")
	asJSON := fs.Bool("json", false, "print the estimates as JSON")
	rates := fs.String("rates", "", "JSON file overriding the material table (densities, laser speeds, milling rates)")
	fs.Var(&sets, "set", "KEY=VALUE setting, repeatable")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageError{"give the part file(s) to estimate"}
	}
	if err := loadRates(*rates); err != nil {
		return err
	}
	switch *process {
	case "fdm":
		if err := fdmSettings(&fdm, *config, sets, *material); err != nil {
			return err
		}
		return estimateFDM(ctx, files, fdm, *asJSON)
	case "laser":
		return estimateLaser(ctx, files, *material, *thickness, *asJSON)
	case "cnc":
		return estimateCNC(ctx, files, *material, *asJSON)
	}
	return usageError{"--process must be fdm, laser or cnc"}
}

func fdmSettings(s *estimate.FDM, config string, sets []string, material string) error {
	if material != "" {
		m, ok := estimate.LookupMaterial(material)
		if !ok {
			return fmt.Errorf("unknown material %q: known are %s", material, strings.Join(estimate.MaterialNames(), ", "))
		}
		s.FilamentDensity = m.Density
	}
	if config != "" {
		f, err := os.Open(config)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := s.LoadINI(config, f); err != nil {
			return err
		}
	}
	for _, kv := range sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return usageError{fmt.Sprintf("--set %q: write KEY=VALUE", kv)}
		}
		if err := s.Set(strings.TrimSpace(k), v); err != nil {
			return err
		}
	}
	return nil
}

type fdmRow struct {
	File     string              `json:"file"`
	Error    string              `json:"error,omitempty"`
	Estimate *estimate.FDMResult `json:"estimate,omitempty"`
}

func estimateFDM(ctx context.Context, files []string, s estimate.FDM, asJSON bool) error {
	rows := make([]fdmRow, len(files))
	bar := newProgress(os.Stderr, len(files), !asJSON)
	eachParallel(ctx, len(files), func(i int) {
		rows[i].File = files[i]
		m, err := readForSlicing(ctx, files[i], geometry.Limits{})
		if err == nil {
			rows[i].Estimate, err = estimate.EstimateFDM(ctx, m, s)
		}
		if err != nil {
			rows[i].Error = err.Error()
		}
	}, func(i int) { bar.step(filepath.Base(files[i])) })
	bar.done()
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tLAYERS\tFILAMENT m\tFILAMENT g\tPRINT TIME\t")
	failed := 0
	for _, r := range rows {
		if r.Error != "" {
			failed++
			fmt.Fprintln(os.Stderr, r.Error)
			continue
		}
		e := r.Estimate
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.1f\t%s\t\n", filepath.Base(r.File), e.Layers, e.FilamentMM/1000, e.FilamentG, duration(e.Seconds))
	}
	tw.Flush()
	if len(rows) == 1 && failed == 0 {
		printFeatures(rows[0].Estimate)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be estimated", failed, len(files))
	}
	return nil
}

func printFeatures(e *estimate.FDMResult) {
	var names []string
	for n := range e.Features {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "FEATURE\tLENGTH m\tTIME\t")
	for _, n := range names {
		f := e.Features[n]
		fmt.Fprintf(tw, "%s\t%.1f\t%s\t\n", n, f.LengthMM/1000, duration(f.Seconds))
	}
	tw.Flush()
}

func duration(s float64) string {
	return (time.Duration(s) * time.Second).Round(time.Second).String()
}

func meshRender(ctx context.Context, args []string) error {
	fs := newFlags("mesh render", "mesh render [-o OUT.png] [--size PIXELS] FILE",
		`Draws a shaded picture of a part from a fixed isometric view,
framed to fit, as the web interface shows thumbnails.`)
	out := fs.String("o", "", "PNG file to write (default: FILE with .png)")
	size := fs.Int("size", 512, "width and height in pixels (16 to 4096)")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageError{"give one part file to render"}
	}
	if *size < 16 || *size > 4096 {
		return usageError{"--size must be between 16 and 4096"}
	}
	m, err := readMesh(ctx, files[0], geometry.Limits{})
	if err != nil {
		return err
	}
	if *out == "" {
		*out = strings.TrimSuffix(files[0], filepath.Ext(files[0])) + ".png"
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := geometry.WritePNG(f, m, *size); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Println("wrote", *out)
	return nil
}

func estimateLaser(ctx context.Context, files []string, material string, thickness float64, asJSON bool) error {
	if material == "" {
		material = "plywood"
	}
	var out []any
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		o, err := geometry.ReadOutline(ctx, p, f, geometry.Limits{})
		f.Close()
		if err != nil {
			return err
		}
		r, err := estimate.Laser(o, material, thickness)
		if err != nil {
			return err
		}
		if asJSON {
			out = append(out, map[string]any{"file": p, "estimate": r})
			continue
		}
		fmt.Printf("%s: %s %.1f mm, cut %.2f m, %d pierces, sheet %.0f×%.0f mm, %s at %.1f mm/s\n",
			filepath.Base(p), r.Material, r.Thickness, r.CutMM/1000, r.Pierces, r.SheetW, r.SheetH, duration(r.Seconds), r.SpeedMMS)
	}
	if asJSON {
		return printJSON(out)
	}
	return nil
}

func estimateCNC(ctx context.Context, files []string, material string, asJSON bool) error {
	if material == "" {
		material = "plywood"
	}
	var out []any
	for _, p := range files {
		m, err := readMesh(ctx, p, geometry.Limits{})
		if err != nil {
			return err
		}
		a, err := geometry.Analyze(ctx, m, geometry.Options{})
		if err != nil {
			return err
		}
		r, err := estimate.CNC(a, material)
		if err != nil {
			return err
		}
		if asJSON {
			out = append(out, map[string]any{"file": p, "estimate": r})
			continue
		}
		fmt.Printf("%s: %s block %.0f×%.0f×%.0f mm, remove %.1f cm³: roughing %s, finishing %s, setup %s, total %s\n",
			filepath.Base(p), r.Material, r.StockX, r.StockY, r.StockZ, r.RemovedMM3/1000, duration(r.RoughingS), duration(r.FinishingS), duration(r.SetupS), duration(r.Seconds))
	}
	if asJSON {
		return printJSON(out)
	}
	return nil
}

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// loadRates overrides the built-in material table with a node's own
// figures.
func loadRates(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return estimate.LoadRates(path, f)
}
