package okh

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
)

// MaxManifestBytes bounds a manifest or BOM file.
// (the largest real manifests are about 10 KiB).
const MaxManifestBytes = 1 << 20

// Target is one design to import: a manifest file and the folder its
// relative paths are resolved in.
type Target struct {
	Root     string // folder that relative paths in the manifest refer to
	Manifest string // the manifest, relative to Root
	Folder   bool   // the whole folder is the design (part manifests and sBoM.csv count)
}

// Name is what a Target is called in messages.
func (t Target) Name() string { return filepath.Join(t.Root, t.Manifest) }

// mainNames are the file names of a folder's own manifest, best first.
var mainNames = []string{"okh.toml", "okh.yml", "okh.yaml", ".okh.yml", ".okh.yaml", ".okh.toml", "okh.json"}

// Discover finds the designs under p: a manifest file is one design; a
// folder with its own manifest is one design; any other folder is walked.
func Discover(p string) ([]Target, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, &dgml.Error{Kind: dgml.NotFound, File: p, Msg: "cannot read it", Err: err}
	}
	if !st.IsDir() {
		if _, ok := FormatOf(p); !ok {
			return nil, &dgml.Error{Kind: dgml.Unsupported, File: p, Msg: "not a manifest: give an okh.toml, okh.yml or a folder holding one"}
		}
		return []Target{{Root: filepath.Dir(p), Manifest: filepath.Base(p)}}, nil
	}
	if m := mainManifest(p); m != "" {
		return []Target{{Root: p, Manifest: m, Folder: true}}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, &dgml.Error{Kind: dgml.Invalid, File: p, Msg: "cannot list the folder", Err: err}
	}
	var out []Target
	for _, e := range entries {
		full := filepath.Join(p, e.Name())
		switch {
		case e.IsDir():
			sub, err := Discover(full)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		case e.Type().IsRegular() && looksLikeManifest(e.Name()):
			out = append(out, Target{Root: p, Manifest: e.Name()})
		}
	}
	return out, nil
}

func mainManifest(dir string) string {
	for _, n := range mainNames {
		if st, err := os.Lstat(filepath.Join(dir, n)); err == nil && st.Mode().IsRegular() {
			return n
		}
	}
	return ""
}

func looksLikeManifest(name string) bool {
	_, ok := FormatOf(name)
	return ok && strings.Contains(strings.ToLower(name), "okh")
}

func isPartManifest(name, main string) bool {
	n := strings.ToLower(name)
	return name != main && looksLikeManifest(name) && (strings.HasPrefix(n, ".okh-") || strings.HasPrefix(n, "okh-"))
}

// Bundle is a design read from a Target: its content, with file
// references still to be stored, and what was repaired on the way.
type Bundle struct {
	Target   Target
	Content  design.Content
	Warnings []Warning
	root     *os.Root
	ctx      context.Context // of Load: reading stops when it is done
}

// Close releases the folder.
func (b *Bundle) Close() error { return b.root.Close() }

// Load reads a Target: the manifest, its BOM and, for a folder, the part
// manifests beside it. Files are read through an os.Root, so no path in a
// manifest (absolute, "..", or a symlink) reaches outside the folder.
// Work stops when ctx is done.
func Load(ctx context.Context, t Target) (*Bundle, error) {
	root, err := os.OpenRoot(t.Root)
	if err != nil {
		return nil, &dgml.Error{Kind: dgml.NotFound, File: t.Root, Msg: "cannot open the folder", Err: err}
	}
	b := &Bundle{Target: t, root: root, ctx: ctx}
	if err := b.load(); err != nil {
		root.Close()
		return nil, err
	}
	return b, nil
}

func (b *Bundle) load() error {
	t := b.Target
	data, err := b.read(t.Manifest)
	if e, ok := err.(*dgml.Error); ok {
		e.File = t.Name()
		return e
	}
	if err != nil {
		return &dgml.Error{Kind: dgml.NotFound, File: t.Name(), Msg: "cannot read the manifest", Err: err}
	}
	m, err := Parse(b.ctx, t.Name(), data)
	if err != nil {
		return err
	}
	b.Content = m.Content
	b.Warnings = m.Warnings
	var bom []design.Part
	if name := b.bomFile(m.BOM); name != "" {
		bom, err = b.loadBOM(name)
		if err != nil {
			return err
		}
	} else if m.BOM != "" && !strings.Contains(m.BOM, "://") {
		b.warn(t.Manifest, "bom", "the BOM file "+m.BOM+" is not in the folder; parts are those the manifest lists")
	}
	if t.Folder {
		parts, err := b.partManifests()
		if err != nil {
			return err
		}
		bom = mergeManifestParts(bom, parts)
	}
	b.Content.Parts = mergeParts(b.Content.Parts, bom)
	return b.Content.Validate()
}

func (b *Bundle) warn(file, field, msg string) {
	b.Warnings = append(b.Warnings, Warning{File: filepath.Join(b.Target.Root, file), Field: field, Msg: msg})
}

// bomFile picks the BOM to read: the file the manifest names when it is in
// the folder, else the sBoM.csv beside the manifest (prefixed the way the
// OKH-LOSH samples pair "X__.okh.yml" with "X__sBoM.csv").
func (b *Bundle) bomFile(named string) string {
	var candidates []string
	if named != "" && !strings.Contains(named, "://") {
		candidates = append(candidates, named)
	}
	base := b.Target.Manifest
	if i := strings.Index(strings.ToLower(base), ".okh"); i > 0 {
		candidates = append(candidates, base[:i]+"sBoM.csv")
	}
	if b.Target.Folder || named != "" {
		candidates = append(candidates, "sBoM.csv", "sbom.csv")
	}
	for _, c := range candidates {
		if !strings.HasSuffix(strings.ToLower(c), ".csv") {
			continue
		}
		if st, err := b.root.Stat(cleanRel(c)); err == nil && st.Mode().IsRegular() {
			return cleanRel(c)
		}
	}
	return ""
}

func (b *Bundle) loadBOM(name string) ([]design.Part, error) {
	data, err := b.read(name)
	if err != nil {
		return nil, &dgml.Error{Kind: dgml.Invalid, File: filepath.Join(b.Target.Root, name), Msg: "cannot read the BOM", Err: err}
	}
	parts, warns, err := ParseBOM(b.ctx, filepath.Join(b.Target.Root, name), data)
	b.Warnings = append(b.Warnings, warns...)
	return parts, err
}

// partManifests reads the manifests of single parts that sit beside a
// module's manifest (".okh-plate1.yaml"), in name order.
func (b *Bundle) partManifests() ([]design.Part, error) {
	entries, err := fs.ReadDir(b.root.FS(), ".")
	if err != nil {
		return nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var out []design.Part
	for _, e := range entries {
		if !e.Type().IsRegular() || !isPartManifest(e.Name(), b.Target.Manifest) {
			continue
		}
		data, err := b.read(e.Name())
		if err != nil {
			return nil, err
		}
		m, err := Parse(b.ctx, filepath.Join(b.Target.Root, e.Name()), data)
		if err != nil {
			return nil, err
		}
		b.Warnings = append(b.Warnings, m.Warnings...)
		out = append(out, partOf(m.Content))
	}
	return out, nil
}

// partOf turns the manifest of a single part into a part of the tree.
func partOf(c design.Content) design.Part {
	mf := c.Manifest
	p := design.Part{Name: mf.Name, Kind: design.KindPart, Quantity: 1, Dimensions: mf.Dimensions, MassG: mf.MassG, Images: mf.Images}
	if len(mf.Processes) > 0 {
		p.Process = mf.Processes[0]
	}
	for _, l := range mf.Links {
		switch l.Rel {
		case "source":
			p.Sources = append(p.Sources, l.FileRef)
		case "export":
			p.Exports = append(p.Exports, l.FileRef)
		}
	}
	if len(c.Parts) > 0 {
		p.Kind = design.KindModule
		p.Children = c.Parts
	}
	return p
}

// mergeManifestParts lays part manifests over the BOM rows they describe,
// keeping the BOM's quantity; part manifests no row names are added.
func mergeManifestParts(bom, parts []design.Part) []design.Part {
	for _, p := range parts {
		if i := findPart(bom, p.Name); i >= 0 {
			q, name := bom[i].Quantity, bom[i].Name
			bom[i] = p
			bom[i].Quantity, bom[i].Name = q, name
			continue
		}
		bom = append(bom, p)
	}
	return bom
}

func (b *Bundle) read(name string) ([]byte, error) {
	if err := b.ctx.Err(); err != nil {
		return nil, err
	}
	f, err := b.root.Open(cleanRel(name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxManifestBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxManifestBytes {
		return nil, &dgml.Error{Kind: dgml.TooLarge, File: name, Msg: "larger than 1 MiB: a manifest is text of a few kilobytes; keep drawings and data in files it refers to"}
	}
	return data, nil
}

// cleanRel makes a manifest path relative to the folder: OKH writes paths
// from the repository root with a leading slash or "./".
func cleanRel(p string) string {
	p = strings.TrimSpace(strings.ReplaceAll(p, "\\", "/"))
	p = path.Clean("/" + p)
	return strings.TrimPrefix(p, "/")
}

// Open opens a file of the folder by a path the manifest gives, never
// outside it.
func (b *Bundle) Open(p string) (*os.File, error) {
	return b.root.Open(cleanRel(p))
}

// StoreFunc stores a file's bytes and says what was stored.
type StoreFunc func(name string, r io.Reader) (design.FileInfo, error)

// StoreFiles stores every local file the content refers to and records its
// hash in the reference. Files the folder lacks stay references by path,
// with a warning; URLs are left as they are.
func (b *Bundle) StoreFiles(store StoreFunc) ([]design.FileInfo, error) {
	var stored []design.FileInfo
	seen := map[string]design.FileInfo{}
	resolve := func(ref *design.FileRef) error {
		if ref.Path == "" || strings.Contains(ref.Path, "://") {
			return nil
		}
		if err := b.ctx.Err(); err != nil {
			return err
		}
		rel := cleanRel(ref.Path)
		if info, ok := seen[rel]; ok {
			setRef(ref, info)
			return nil
		}
		f, err := b.root.Open(rel)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				b.warn(b.Target.Manifest, ref.Path, "not stored: "+err.Error())
			}
			return nil
		}
		defer f.Close()
		if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
			return nil // a folder reference (design-files: ./CAD/) stays a path
		}
		info, err := store(path.Base(rel), f)
		if err != nil {
			return &dgml.Error{Kind: dgml.KindOf(err), File: filepath.Join(b.Target.Root, rel), Msg: "cannot store the file", Err: err}
		}
		seen[rel] = info
		stored = append(stored, info)
		setRef(ref, info)
		return nil
	}
	err := eachRef(&b.Content, resolve)
	return stored, err
}

func setRef(ref *design.FileRef, info design.FileInfo) {
	ref.SHA256, ref.Size, ref.MediaType = info.SHA256, info.Size, info.MediaType
}

func eachRef(c *design.Content, fn func(*design.FileRef) error) error {
	var err error
	do := func(refs []design.FileRef) {
		for i := range refs {
			if err == nil {
				err = fn(&refs[i])
			}
		}
	}
	do(c.Manifest.Images)
	for i := range c.Manifest.Links {
		if err == nil {
			err = fn(&c.Manifest.Links[i].FileRef)
		}
	}
	design.Walk(c.Parts, func(_ []string, p *design.Part) {
		do(p.Sources)
		do(p.Exports)
		do(p.Images)
	})
	for i := range c.Steps {
		do(c.Steps[i].Images)
	}
	return err
}

// MediaType names a file's type from its extension, with the types of
// the formats open hardware uses that the system tables often lack.
func MediaType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := hardwareTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

var hardwareTypes = map[string]string{
	".stl": "model/stl", ".3mf": "model/3mf", ".obj": "model/obj", ".step": "model/step",
	".stp": "model/step", ".scad": "text/x-openscad", ".fcstd": "application/x-freecad",
	".dxf": "image/vnd.dxf", ".svg": "image/svg+xml", ".gcode": "text/x-gcode",
	".md": "text/markdown; charset=utf-8", ".toml": "application/toml", ".yml": "application/yaml",
	".yaml": "application/yaml", ".csv": "text/csv; charset=utf-8", ".pdf": "application/pdf",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".kicad_pcb": "application/x-kicad-pcb",
}
