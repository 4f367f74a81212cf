package web

import (
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/geometry"
	"github.com/dgml/dgml/okh"
)

// The design editor: one server-rendered form for the manifest, the
// parts tree (rows that name the module they sit in) and the build
// steps. Saving makes a new revision. A form shown again after an error
// keeps every value typed, and the files uploaded (kept by hash).

func (s *Site) editPages(mux *http.ServeMux) {
	if s.people == nil {
		return
	}
	mux.HandleFunc("GET /designs/new", s.page(s.editDesign))
	mux.HandleFunc("POST /designs/new", s.page(s.saveDesign))
	mux.HandleFunc("GET /designs/{ref}/edit", s.page(s.editDesign))
	mux.HandleFunc("POST /designs/{ref}/edit", s.page(s.saveDesign))
	mux.HandleFunc("GET /designs/{ref}/revisions", s.page(s.revisions))
	mux.HandleFunc("GET /designs/{ref}/changes", s.page(s.changes))
}

// Blank rows offered below the rows a design has, and how many a
// "more rows" press adds.
const (
	blankParts = 3
	blankSteps = 2
	maxRows    = design.MaxParts
)

// editForm is the editor's state: what the page shows and what a post
// brings back.
type editForm struct {
	Base                                      string // the head revision the editor started from
	Name, Function, Version, License, DocLic  string
	Languages, Keywords, OTRL, ODRL, Currency string
	Message                                   string
	Parts                                     []partInput
	Steps                                     []stepInput
	Modules                                   []string // module names, for the "in module" list
	Errors                                    map[string]string
}

type partInput struct {
	Key, Order, Module, Name, Kind, Qty, Material, Process string
	Supplier, PartNumber, Price                            string
	Files                                                  []design.FileRef // what the part has, shown
	Kept                                                   string           // files uploaded before an error, by hash
	Size                                                   string           // measured size, shown
	Remove                                                 bool
}

type stepInput struct {
	Key, Order, Title, Text string
	Images                  []design.FileRef
	Kept                    string
	Remove                  bool
}

// formOf fills the editor from a revision (nil: a new design).
func formOf(rev *design.Revision) *editForm {
	f := &editForm{Errors: map[string]string{}}
	if rev == nil {
		f.Parts = make([]partInput, blankParts)
		f.Steps = make([]stepInput, blankSteps)
		for i := range f.Parts {
			f.Parts[i].Order = strconv.Itoa(i + 1)
		}
		for i := range f.Steps {
			f.Steps[i].Order = strconv.Itoa(i + 1)
		}
		return f
	}
	m := rev.Manifest
	f.Base = rev.ID
	f.Name, f.Function, f.Version, f.License, f.DocLic = m.Name, m.Function, m.Version, m.License, m.DocLicense
	f.Languages, f.Keywords = strings.Join(m.Languages, ", "), strings.Join(m.Keywords, ", ")
	if m.OTRL > 0 {
		f.OTRL = strconv.Itoa(m.OTRL)
	}
	if m.ODRL > 0 {
		f.ODRL = strconv.Itoa(m.ODRL)
	}
	var walk func(ps []design.Part, module, key string)
	walk = func(ps []design.Part, module, key string) {
		for i, p := range ps {
			k := key + strconv.Itoa(i)
			in := partInput{Key: k, Order: strconv.Itoa(len(f.Parts) + 1), Module: module, Name: p.Name, Kind: string(p.Kind),
				Qty: num(p.Quantity), Material: p.Material, Process: string(p.Process), Supplier: p.Supplier, PartNumber: p.PartNumber}
			if p.Price > 0 {
				in.Price = strconv.FormatFloat(p.Price, 'f', -1, 64)
				f.Currency = p.Currency
			}
			in.Files = append(append(append(in.Files, p.Exports...), p.Sources...), p.Images...)
			if p.Dimensions != nil {
				in.Size = dims(p.Dimensions)
			}
			f.Parts = append(f.Parts, in)
			if p.Kind == design.KindModule {
				f.Modules = append(f.Modules, p.Name)
			}
			walk(p.Children, p.Name, k+".")
		}
	}
	walk(rev.Parts, "", "")
	for i, st := range rev.Steps {
		f.Steps = append(f.Steps, stepInput{Key: strconv.Itoa(i), Order: strconv.Itoa(i + 1), Title: st.Title, Text: st.Text, Images: st.Images})
	}
	f.blanks(blankParts, blankSteps)
	return f
}

// blanks adds empty rows numbered after the last.
func (f *editForm) blanks(parts, steps int) {
	for i := 0; i < parts && len(f.Parts) < maxRows; i++ {
		f.Parts = append(f.Parts, partInput{Order: strconv.Itoa(len(f.Parts) + 1)})
	}
	for i := 0; i < steps && len(f.Steps) < maxRows; i++ {
		f.Steps = append(f.Steps, stepInput{Order: strconv.Itoa(len(f.Steps) + 1)})
	}
}

func (s *Site) editDesign(w http.ResponseWriter, r *http.Request) (*view, error) {
	ref := r.PathValue("ref")
	if me(r) == nil {
		next := "/designs/new"
		if ref != "" {
			next = "/designs/" + ref + "/edit"
		}
		return &view{redirect: "/login?next=" + next}, nil
	}
	if ref == "" {
		return s.editView(nil, formOf(nil), http.StatusOK), nil
	}
	d, rev, err := s.commons.Head(r.Context(), ref)
	if err != nil {
		return nil, err
	}
	if err := s.mayEdit(r, d); err != nil {
		return nil, err
	}
	f := formOf(rev)
	if saved := r.URL.Query().Get("saved"); saved != "" && saved == d.Head {
		f.Errors = map[string]string{}
		v := s.editView(d, f, http.StatusOK)
		v.data["Saved"] = true
		return v, nil
	}
	return s.editView(d, f, http.StatusOK), nil
}

func (s *Site) mayEdit(r *http.Request, d *design.Design) error {
	if err := design.MayCommitHere(d); err != nil {
		return err
	}
	return s.people.May(r.Context(), me(r), account.Maintainer, d.ID)
}

func (s *Site) editView(d *design.Design, f *editForm, status int) *view {
	title := "New design"
	if d != nil {
		title = "Edit " + d.Name
	}
	seen := map[string]bool{}
	f.Modules = f.Modules[:0]
	for _, p := range f.Parts {
		if p.Kind == string(design.KindModule) && p.Name != "" && !p.Remove && !seen[p.Name] {
			seen[p.Name] = true
			f.Modules = append(f.Modules, p.Name)
		}
	}
	v := page("edit.html", title, map[string]any{"Design": d, "F": f, "Errors": f.Errors})
	v.status = status
	return v
}

func (s *Site) saveDesign(w http.ResponseWriter, r *http.Request) (*view, error) {
	ctx := r.Context()
	if me(r) == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to edit designs"}
	}
	ref := r.PathValue("ref")
	var d *design.Design
	var base *design.Revision
	if ref != "" {
		var err error
		if d, base, err = s.commons.Head(ctx, ref); err != nil {
			return nil, err
		}
		if err := s.mayEdit(r, d); err != nil {
			return nil, err
		}
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil && err != http.ErrNotMultipart {
		return nil, &dgml.Error{Kind: dgml.Invalid, Msg: "the form could not be read: " + err.Error()}
	}
	f := readEditForm(r)
	if ref != "" && f.Base != "" && f.Base != base.ID {
		// Someone saved since this editor opened: say so, keep what was
		// typed, and let the person look before saving over it.
		f.Errors["form"] = "This design has a newer revision than the one you started from. Open the editor again in another tab to see it; your changes are kept here, and saving again will make them the newest revision."
		f.Base = base.ID
		return s.editView(d, f, http.StatusConflict), nil
	}
	// Files arrive with the form; each is kept (by hash) at once, so
	// that a form shown again with an error does not ask for them again.
	s.keepUploads(r, f)
	if r.PostForm.Get("more") != "" {
		f.blanks(blankParts, blankSteps)
		return s.editView(d, f, http.StatusOK), nil
	}
	if len(f.Errors) > 0 {
		return s.editView(d, f, http.StatusUnprocessableEntity), nil
	}
	c, ok := contentFromForm(base, f)
	if !ok {
		return s.editView(d, f, http.StatusUnprocessableEntity), nil
	}
	saved, rev, err := s.people.Save(ctx, me(r), ref, c, f.Message)
	if err != nil {
		e, isErr := err.(*dgml.Error)
		if !isErr || (e.Kind != dgml.Invalid && e.Kind != dgml.Conflict) {
			return nil, err
		}
		f.Errors[formField(e.Field)] = e.Msg
		if e.Field == "" {
			f.Errors["form"] = e.Msg
		}
		return s.editView(d, f, http.StatusUnprocessableEntity), nil
	}
	return &view{redirect: "/designs/" + saved.Slug + "/edit?saved=" + rev.ID}, nil
}

// readEditForm reads the posted editor, checking each value's shape;
// problems go to f.Errors by input name.
func readEditForm(r *http.Request) *editForm {
	v := r.PostForm
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	f := &editForm{Errors: map[string]string{}, Base: get("base"),
		Name: get("name"), Function: get("function"), Version: get("version"), License: get("license"), DocLic: get("doc_license"),
		Languages: get("languages"), Keywords: get("keywords"), OTRL: get("otrl"), ODRL: get("odrl"),
		Currency: strings.ToUpper(get("currency")), Message: get("message")}
	count := func(k string) int {
		n, err := strconv.Atoi(v.Get(k))
		if err != nil || n < 0 {
			return 0
		}
		return min(n, maxRows)
	}
	for i := 0; i < count("parts"); i++ {
		p := fmt.Sprintf("p%d_", i)
		f.Parts = append(f.Parts, partInput{Key: get(p + "key"), Order: get(p + "order"), Module: get(p + "module"), Name: get(p + "name"),
			Kind: get(p + "kind"), Qty: get(p + "qty"), Material: get(p + "material"), Process: get(p + "process"),
			Supplier: get(p + "supplier"), PartNumber: get(p + "pn"), Price: get(p + "price"), Kept: get(p + "kept"), Remove: v.Get(p+"remove") != ""})
	}
	for i := 0; i < count("steps"); i++ {
		p := fmt.Sprintf("s%d_", i)
		f.Steps = append(f.Steps, stepInput{Key: get(p + "key"), Order: get(p + "order"), Title: get(p + "title"), Text: v.Get(p + "text"),
			Kept: get(p + "kept"), Remove: v.Get(p+"remove") != ""})
	}
	return f
}

// keepUploads stores the files of a posted editor and records them on
// their rows as kept files.
func (s *Site) keepUploads(r *http.Request, f *editForm) {
	if r.MultipartForm == nil {
		return
	}
	keep := func(field string, kept *string) {
		for _, fh := range r.MultipartForm.File[field] {
			if fh.Filename == "" {
				continue
			}
			ref, err := s.storeUpload(fh)
			if err != nil {
				f.Errors[field] = fmt.Sprintf("%s could not be kept: %v", fh.Filename, err)
				continue
			}
			*kept = strings.TrimPrefix(*kept+" "+encodeKept(ref), " ")
		}
	}
	for i := range f.Parts {
		keep(fmt.Sprintf("p%d_file", i), &f.Parts[i].Kept)
	}
	for i := range f.Steps {
		keep(fmt.Sprintf("s%d_image", i), &f.Steps[i].Kept)
	}
}

func (s *Site) storeUpload(fh *multipart.FileHeader) (design.FileRef, error) {
	file, err := fh.Open()
	if err != nil {
		return design.FileRef{}, err
	}
	defer file.Close()
	name := path.Base(strings.ReplaceAll(fh.Filename, `\`, "/"))
	info, err := s.commons.StoreFile(name, file)
	if err != nil {
		return design.FileRef{}, err
	}
	return design.FileRef{Path: name, SHA256: info.SHA256, Size: info.Size, MediaType: info.MediaType}, nil
}

// A kept file travels in a hidden input as "sha256:size:name".
func encodeKept(ref design.FileRef) string {
	return fmt.Sprintf("%s:%d:%s", ref.SHA256, ref.Size, strings.ReplaceAll(ref.Path, " ", "_"))
}

func decodeKept(s string) []design.FileRef {
	var out []design.FileRef
	for _, item := range strings.Fields(s) {
		parts := strings.SplitN(item, ":", 3)
		if len(parts) != 3 || !hexSum(parts[0]) {
			continue
		}
		size, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil || size < 0 {
			continue
		}
		name := path.Base(parts[2])
		out = append(out, design.FileRef{Path: name, SHA256: parts[0], Size: size, MediaType: okh.MediaType(name)})
	}
	return out
}

func hexSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// isImage says whether a file is a picture a step or part can show, by
// the same media types the importer gives files.
func isImage(name string) bool {
	switch okh.MediaType(name) {
	case "image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml":
		return true
	}
	return false
}

// contentFromForm builds the revision the editor describes, on top of
// base (the head it started from: what the form does not show, such as
// links and translations, is kept). Problems go to f.Errors.
func contentFromForm(base *design.Revision, f *editForm) (design.Content, bool) {
	var c design.Content
	if base != nil {
		c.Manifest = base.Manifest
	}
	m := &c.Manifest
	m.Name, m.Function, m.Version, m.License, m.DocLicense = f.Name, f.Function, f.Version, f.License, f.DocLic
	if m.Name == "" {
		f.Errors["name"] = "a design needs a name"
	}
	m.Languages = nil
	for _, l := range splitList(f.Languages) {
		tag, ok := design.LanguageTag(l)
		if !ok {
			f.Errors["languages"] = fmt.Sprintf("%q is not a language tag: write en, es, pt-BR…", l)
			continue
		}
		m.Languages = append(m.Languages, tag)
	}
	m.Keywords = splitList(f.Keywords)
	level := func(field, val string, top int) int {
		if val == "" {
			return 0
		}
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > top {
			f.Errors[field] = fmt.Sprintf("a level from 1 to %d, or empty if you do not know", top)
		}
		return n
	}
	m.OTRL, m.ODRL = level("otrl", f.OTRL, 8), level("odrl", f.ODRL, 5)
	if f.Currency != "" && !design.CurrencyCode(f.Currency) {
		f.Errors["currency"] = "a three-letter code such as EUR, KES or USD"
	}
	c.Parts = partsFromForm(base, f)
	c.Steps = stepsFromForm(base, f)
	return c, len(f.Errors) == 0
}

// partAt finds the part of base at a key of indices ("0.2.1").
func partAt(base *design.Revision, key string) *design.Part {
	if base == nil || key == "" {
		return nil
	}
	ps := base.Parts
	var p *design.Part
	for _, k := range strings.Split(key, ".") {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(ps) {
			return nil
		}
		p = &ps[i]
		ps = p.Children
	}
	return p
}

func blankPart(p partInput) bool {
	return p.Name == "" && p.Module == "" && p.Qty == "" && p.Material == "" && p.Supplier == "" && p.PartNumber == "" && p.Price == "" && p.Kept == "" && p.Key == ""
}

// partsFromForm turns the rows into the parts tree: rows in the order
// their numbers give, each inside the module its "in module" names.
func partsFromForm(base *design.Revision, f *editForm) []design.Part {
	type node struct {
		row    int
		order  float64
		part   design.Part
		module string
		kids   []*node
	}
	var nodes []*node
	modules := map[string]*node{}
	for i := range f.Parts {
		in := &f.Parts[i]
		if in.Remove || blankPart(*in) {
			continue
		}
		field := func(name string) string { return fmt.Sprintf("p%d_%s", i, name) }
		var p design.Part
		if old := partAt(base, in.Key); old != nil {
			p = *old
			p.Children = nil
		}
		p.Name, p.Material, p.Supplier, p.PartNumber = in.Name, in.Material, in.Supplier, in.PartNumber
		if p.Name == "" {
			f.Errors[field("name")] = "give the part a name, or tick remove"
		}
		p.Kind = design.Kind(in.Kind)
		if in.Kind == "" {
			p.Kind = design.KindPart
		}
		if p.Kind != design.KindPart && p.Kind != design.KindModule && p.Kind != design.KindBought {
			f.Errors[field("kind")] = "made part, module or bought item"
		}
		p.Process = design.Process(in.Process)
		if !p.Process.Valid() {
			f.Errors[field("process")] = "choose a process from the list"
		}
		p.Quantity = 1
		if in.Qty != "" {
			q, err := strconv.ParseFloat(in.Qty, 64)
			if err != nil || q <= 0 || q > 1e6 {
				f.Errors[field("qty")] = "a number above 0 (1, 4, 0.5 m…)"
			}
			p.Quantity = q
		}
		p.Price, p.Currency = 0, ""
		if in.Price != "" {
			x, err := strconv.ParseFloat(strings.ReplaceAll(in.Price, ",", "."), 64)
			if err != nil || x < 0 || x > 1e9 {
				f.Errors[field("price")] = "a price of one item, such as 2.40"
			} else if x > 0 {
				p.Price, p.Currency = x, f.Currency
				if f.Currency == "" {
					f.Errors["currency"] = "prices need their currency: a three-letter code such as EUR"
				}
			}
		}
		for _, ref := range decodeKept(in.Kept) {
			switch {
			case isImage(ref.Path):
				p.Images = append(p.Images, ref)
			case geometry.Readable(ref.Path):
				// A new mesh replaces the part's mesh; its size and mass
				// are measured again from it.
				p.Exports = append([]design.FileRef{ref}, withoutMeshes(p.Exports)...)
				p.Sources = withoutMeshes(p.Sources)
				p.Dimensions, p.MassG = nil, 0
			default:
				p.Sources = append(p.Sources, ref)
			}
		}
		order, err := strconv.ParseFloat(in.Order, 64)
		if err != nil {
			order = float64(i + 1)
		}
		n := &node{row: i, order: order, part: p, module: in.Module}
		nodes = append(nodes, n)
		if p.Kind == design.KindModule && p.Name != "" {
			if _, dup := modules[p.Name]; dup {
				f.Errors[field("name")] = "another module has this name: module names must differ"
			}
			modules[p.Name] = n
		}
	}
	sort.SliceStable(nodes, func(a, b int) bool { return nodes[a].order < nodes[b].order })
	var roots []*node
	for _, n := range nodes {
		if n.module == "" {
			roots = append(roots, n)
			continue
		}
		parent := modules[n.module]
		if parent == nil {
			f.Errors[fmt.Sprintf("p%d_module", n.row)] = fmt.Sprintf("no module is called %q: name a row of kind module", n.module)
			continue
		}
		parent.kids = append(parent.kids, n)
	}
	// A module inside itself, at any depth, would never be reached from
	// the top.
	var build func(ns []*node, depth int, seen map[*node]bool) []design.Part
	build = func(ns []*node, depth int, seen map[*node]bool) []design.Part {
		var out []design.Part
		for _, n := range ns {
			seen[n] = true
			p := n.part
			if depth > design.MaxDepth {
				f.Errors[fmt.Sprintf("p%d_module", n.row)] = "modules nested too deep"
				continue
			}
			p.Children = build(n.kids, depth+1, seen)
			out = append(out, p)
		}
		return out
	}
	seen := map[*node]bool{}
	parts := build(roots, 0, seen)
	for _, n := range nodes {
		if !seen[n] && n.module != "" && modules[n.module] != nil {
			f.Errors[fmt.Sprintf("p%d_module", n.row)] = "this row and its module sit inside each other: put one of them at the top"
		}
	}
	return parts
}

func withoutMeshes(refs []design.FileRef) []design.FileRef {
	var out []design.FileRef
	for _, r := range refs {
		if !geometry.Readable(r.Path) {
			out = append(out, r)
		}
	}
	return out
}

func stepsFromForm(base *design.Revision, f *editForm) []design.Step {
	type row struct {
		order float64
		step  design.Step
	}
	var rows []row
	for i, in := range f.Steps {
		if in.Remove || in.Title == "" && strings.TrimSpace(in.Text) == "" && in.Kept == "" {
			continue
		}
		var st design.Step
		if k, err := strconv.Atoi(in.Key); err == nil && base != nil && k >= 0 && k < len(base.Steps) {
			st = base.Steps[k] // its images and translations stay
		}
		st.Title, st.Text = in.Title, strings.TrimSpace(in.Text)
		if st.Title == "" && st.Text == "" {
			f.Errors[fmt.Sprintf("s%d_text", i)] = "a step needs a title or text, or tick remove"
		}
		if len(st.Text) > design.MaxTextBytes {
			f.Errors[fmt.Sprintf("s%d_text", i)] = fmt.Sprintf("at most %d bytes", design.MaxTextBytes)
		}
		for _, ref := range decodeKept(in.Kept) {
			if !isImage(ref.Path) {
				f.Errors[fmt.Sprintf("s%d_image", i)] = ref.Path + " is not a picture (PNG, JPEG, GIF, WebP or SVG)"
				continue
			}
			st.Images = append(st.Images, ref)
		}
		order, err := strconv.ParseFloat(in.Order, 64)
		if err != nil {
			order = float64(i + 1)
		}
		rows = append(rows, row{order, st})
	}
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].order < rows[b].order })
	var out []design.Step
	for _, r := range rows {
		out = append(out, r.step)
	}
	return out
}

// formField maps a field a validation error names ("part[2].quantity")
// to the editor's input, or "form" when it has none.
func formField(field string) string {
	switch field {
	case "name", "function", "version", "license", "languages", "keywords", "message":
		return field
	case "technology-readiness-level":
		return "otrl"
	case "documentation-readiness-level":
		return "odrl"
	}
	return "form"
}

// revisions lists a design's history, newest first, each with a link to
// what it changed.
func (s *Site) revisions(w http.ResponseWriter, r *http.Request) (*view, error) {
	ctx := r.Context()
	d, err := s.commons.Store.Design(ctx, r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	hist, err := s.commons.Store.History(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	type entry struct {
		design.HistoryEntry
		Prev string
	}
	var rows []entry
	for i, h := range hist {
		e := entry{HistoryEntry: h}
		if i+1 < len(hist) {
			e.Prev = hist[i+1].Revision
		}
		rows = append(rows, e)
	}
	return page("revisions.html", "Revisions of "+d.Name, map[string]any{"Design": d, "History": rows, "CanEdit": s.mayEdit(r, d) == nil}), nil
}

// changes shows what changed between two revisions of a design.
func (s *Site) changes(w http.ResponseWriter, r *http.Request) (*view, error) {
	ctx := r.Context()
	d, err := s.commons.Store.Design(ctx, r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	if to == "" {
		to = d.Head
	}
	if err := s.inHistory(ctx, d, from, to); err != nil {
		return nil, err
	}
	var changes []design.Change
	if from != "" {
		if changes, err = s.people.Diff(ctx, from, to); err != nil {
			return nil, err
		}
	}
	return page("changes.html", "Changes to "+d.Name, map[string]any{"Design": d, "From": from, "To": to, "Changes": changes}), nil
}

// inHistory refuses revisions that are not the design's: the page is
// about one design, and its links must not show another's.
func (s *Site) inHistory(ctx context.Context, d *design.Design, revs ...string) error {
	hist, err := s.commons.Store.History(ctx, d.ID)
	if err != nil {
		return err
	}
	for _, rev := range revs {
		if rev == "" {
			continue
		}
		found := false
		for _, h := range hist {
			found = found || h.Revision == rev
		}
		if !found {
			return &dgml.Error{Kind: dgml.NotFound, Msg: fmt.Sprintf("%s has no revision %.12s", d.Name, rev)}
		}
	}
	return nil
}

func changeKind(kind string) string {
	switch kind {
	case "manifest":
		return "description"
	case "part-added":
		return "part added"
	case "part-removed":
		return "part removed"
	case "part-changed":
		return "part changed"
	case "step-added":
		return "step added"
	case "step-removed":
		return "step removed"
	case "step-changed":
		return "step changed"
	}
	return kind
}
