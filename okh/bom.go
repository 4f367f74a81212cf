package okh

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
)

// MaxBOMRows bounds a BOM file, against hostile input.
const MaxBOMRows = 20000

// bomRow is one line of a simplified BOM before it is placed in the tree.
type bomRow struct {
	line   int
	part   design.Part
	parent string
}

// column names as real BOM files spell them, folded to lower case
// letters and digits.
var bomColumns = map[string][]string{
	"name":     {"name", "partnameen", "partname", "comment", "item", "description"},
	"quantity": {"quantity", "units", "qty", "amount"},
	"type":     {"type", "supplytype"},
	"parent":   {"parentasm", "module", "parent"},
	"ref1":     {"reference1", "reference", "docref"},
	"ref2":     {"reference2"},
	"supplier": {"supplier", "manufacturer"},
	"number":   {"supplierpartno", "manufacturerpartno", "lcscpart", "partnumber", "mpn"},
	"desig":    {"designator"},
}

var foldRe = regexp.MustCompile(`[^a-z0-9]+`)

// ParseBOM reads a simplified BOM (OKH sBoM.csv and similar CSV or
// tab-separated lists) into a parts tree. Rows naming a parent assembly
// become children of the row of that name.
//
// A BOM is bounded (MaxBOMRows rows of MaxBOMColumns columns); ctx is
// looked at every few hundred rows.
func ParseBOM(ctx context.Context, file string, data []byte) ([]design.Part, []Warning, error) {
	rows, warns, err := readBOMRows(ctx, file, data)
	if err != nil {
		return nil, warns, err
	}
	return bomTree(rows), warns, nil
}

// MaxBOMColumns bounds a BOM row: a real one has a dozen.
const MaxBOMColumns = 200

func readBOMRows(ctx context.Context, file string, data []byte) ([]bomRow, []Warning, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = delimiter(first)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, &dgml.Error{Kind: dgml.Invalid, File: file, Line: 1, Msg: "cannot read the BOM header", Err: err}
	}
	if len(header) > MaxBOMColumns {
		return nil, nil, &dgml.Error{Kind: dgml.Invalid, File: file, Line: 1, Msg: fmt.Sprintf("more than %d columns", MaxBOMColumns)}
	}
	col := map[string]int{}
	for i, h := range header {
		h = foldRe.ReplaceAllString(strings.ToLower(h), "")
		for k, names := range bomColumns {
			for _, n := range names {
				if _, done := col[k]; !done && h == n {
					col[k] = i
				}
			}
		}
	}
	if _, ok := col["name"]; !ok {
		return nil, nil, &dgml.Error{Kind: dgml.Invalid, File: file, Line: 1, Field: "NAME", Msg: "the BOM has no name column (NAME, Part-Name or Comment)"}
	}
	var rows []bomRow
	var warns []Warning
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, warns, &dgml.Error{Kind: dgml.Invalid, File: file, Line: line, Msg: "not valid CSV", Err: err}
		}
		if len(rec) > MaxBOMColumns {
			return nil, warns, &dgml.Error{Kind: dgml.Invalid, File: file, Line: line, Msg: fmt.Sprintf("more than %d columns", MaxBOMColumns)}
		}
		if len(rows)%256 == 0 && ctx.Err() != nil {
			return nil, warns, ctx.Err()
		}
		if len(rows) >= MaxBOMRows {
			return nil, warns, &dgml.Error{Kind: dgml.TooLarge, File: file, Line: line, Msg: fmt.Sprintf("more than %d BOM rows", MaxBOMRows)}
		}
		get := func(k string) string {
			if i, ok := col[k]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row, w := bomRecord(file, line, get)
		warns = append(warns, w...)
		if row != nil {
			rows = append(rows, *row)
		}
	}
	return rows, warns, nil
}

func delimiter(header []byte) rune {
	best, n := ',', bytes.Count(header, []byte(","))
	for _, d := range []rune{'\t', ';'} {
		if c := bytes.Count(header, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

var leadingNumber = regexp.MustCompile(`^\s*(\d+(?:[.,]\d+)?)`)

func bomRecord(file string, line int, get func(string) string) (*bomRow, []Warning) {
	var warns []Warning
	warn := func(field, format string, args ...any) {
		warns = append(warns, Warning{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	name := get("name")
	if name == "" {
		return nil, nil
	}
	p := design.Part{Name: name, Quantity: 1, Kind: design.KindPart}
	if q := get("quantity"); q != "" {
		m := leadingNumber.FindStringSubmatch(q)
		n := 0.0
		if m != nil {
			n, _ = strconv.ParseFloat(strings.ReplaceAll(m[1], ",", "."), 64)
		}
		switch {
		case m == nil || n <= 0:
			warn("QUANTITY", "%q is not a quantity; 1 assumed", q)
		case strings.TrimSpace(q) != m[1]:
			warn("QUANTITY", "%q read as %v", q, n)
			p.Quantity = n
		default:
			p.Quantity = n
		}
	} else if d := get("desig"); d != "" {
		p.Quantity = float64(len(strings.Split(d, ",")))
	}
	row := &bomRow{line: line, parent: get("parent")}
	switch strings.ToUpper(get("type")) {
	case "STD", "BUY", "OTS", "COTS", "PURCHASE":
		p.Kind = design.KindBought
	case "MOSH":
		p.Kind = design.KindModule // a module documented as a design of its own
	case "", "POSH", "OSH", "MAKE":
		if get("desig") != "" {
			p.Kind = design.KindBought // an electronics BOM: components are bought
		}
	default:
		warn("TYPE", "%q is not a BOM type (POSH, OSH, STD, BUY); read as a made part", get("type"))
	}
	ref1, ref2 := get("ref1"), get("ref2")
	p.Supplier = get("supplier")
	p.PartNumber = get("number")
	if p.Kind == design.KindBought {
		if p.PartNumber == "" && ref1 != "" && !strings.Contains(ref1, "://") {
			p.PartNumber = ref1
		}
		for _, r := range []string{ref1, ref2} {
			if u, err := url.Parse(r); err == nil && u.Host != "" && p.Supplier == "" {
				p.Supplier = r
			}
		}
	} else if ref1 != "" {
		if _, isManifest := FormatOf(ref1); !isManifest {
			p.Sources = []design.FileRef{{Path: ref1}}
		}
	}
	row.part = p
	return row, warns
}

// bomTree nests rows under the rows their parent column names; a parent
// that is not itself a row becomes a module of its own.
func bomTree(rows []bomRow) []design.Part {
	index := map[string]int{}
	for i, r := range rows {
		if _, dup := index[strings.ToLower(r.part.Name)]; !dup {
			index[strings.ToLower(r.part.Name)] = i
		}
	}
	children := map[int][]int{}
	var top []int
	extra := map[string][]int{}
	var extraOrder []string
	for i, r := range rows {
		if r.parent == "" {
			top = append(top, i)
			continue
		}
		if pi, ok := index[strings.ToLower(r.parent)]; ok && pi != i {
			children[pi] = append(children[pi], i)
			continue
		}
		if _, seen := extra[r.parent]; !seen {
			extraOrder = append(extraOrder, r.parent)
		}
		extra[r.parent] = append(extra[r.parent], i)
	}
	var build func(i int, depth int) design.Part
	build = func(i int, depth int) design.Part {
		p := rows[i].part
		if depth < design.MaxDepth {
			for _, c := range children[i] {
				p.Children = append(p.Children, build(c, depth+1))
			}
		}
		if len(p.Children) > 0 {
			p.Kind = design.KindModule
		}
		return p
	}
	var out []design.Part
	for _, i := range top {
		out = append(out, build(i, 0))
	}
	for _, name := range extraOrder {
		m := design.Part{Name: name, Kind: design.KindModule, Quantity: 1}
		for _, i := range extra[name] {
			m.Children = append(m.Children, build(i, 1))
		}
		out = append(out, m)
	}
	return out
}

// mergeParts adds BOM parts to the parts a manifest lists: a BOM row
// whose name matches a listed part gives it its quantity (the BOM is the
// authority on counts); the others are added.
func mergeParts(listed, bom []design.Part) []design.Part {
	out := append([]design.Part(nil), listed...)
	for _, b := range bom {
		if i := findPart(out, b.Name); i >= 0 {
			out[i].Quantity = b.Quantity
			if len(b.Children) > 0 {
				out[i].Children = mergeParts(out[i].Children, b.Children)
				out[i].Kind = design.KindModule
			}
			continue
		}
		out = append(out, b)
	}
	return out
}

// findPart finds a part by name, ignoring case, or one whose name ends in
// the given name ("Aluminium Plate 1" for "plate 1").
func findPart(ps []design.Part, name string) int {
	n := strings.ToLower(strings.TrimSpace(name))
	for i := range ps {
		if strings.ToLower(strings.TrimSpace(ps[i].Name)) == n {
			return i
		}
	}
	for i := range ps {
		if strings.HasSuffix(strings.ToLower(ps[i].Name), " "+n) {
			return i
		}
	}
	return -1
}
