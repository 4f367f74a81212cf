package okh

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/internal/sharedtest"
)

// refused are the manifests EXPECTED.md says must be refused, with a word
// the message must hold.
var refused = map[string]string{
	"OKH-LOSH-samples/okh-TEMPLATE.toml":                  "template",
	"OKH-LOSH-samples/okh-master-MOSH.toml":               "template",
	"losh/heimeliq__heimeliq-furniture-template/okh.toml": "template",
	"losh/heimeliq__heimeliq-product-template/okh.toml":   "template",
	"v1/makersmakingchange__OpenAT-Template/okh.yml":      "empty",
}

// memStore keeps stored files in memory, as the blob store would.
type memStore map[string][]byte

func (m memStore) put(name string, r io.Reader) (design.FileInfo, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return design.FileInfo{}, err
	}
	sum := sha256.Sum256(b)
	s := hex.EncodeToString(sum[:])
	m[s] = b
	return design.FileInfo{SHA256: s, Size: int64(len(b)), MediaType: MediaType(name), Name: name}, nil
}

func (m memStore) open(sum string) (io.ReadCloser, error) {
	b, ok := m[sum]
	if !ok {
		return nil, errors.New("no blob " + sum)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func loadAll(t *testing.T) map[string]*Bundle {
	dir := sharedtest.Dir(t, "data/okh")
	targets, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*Bundle{}
	seenRefusal := map[string]bool{}
	for _, tg := range targets {
		rel, _ := filepath.Rel(dir, tg.Name())
		b, err := Load(context.Background(), tg)
		if word, ok := refused[rel]; ok {
			seenRefusal[rel] = true
			if err == nil {
				t.Errorf("%s: imported, but it is an unfilled template or empty and must be refused", rel)
				continue
			}
			if !strings.Contains(err.Error(), word) || !strings.Contains(err.Error(), tg.Name()) {
				t.Errorf("%s: refusal %q should name the file and say %q", rel, err, word)
			}
			if dgml.KindOf(err) != dgml.Invalid {
				t.Errorf("%s: refusal kind %s, want invalid", rel, dgml.KindOf(err))
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: must import, got %v", rel, err)
			continue
		}
		t.Cleanup(func() { b.Close() })
		out[filepath.ToSlash(filepath.Dir(rel))+"/"+filepath.Base(rel)] = b
	}
	for rel := range refused {
		if !seenRefusal[rel] {
			t.Errorf("%s was not found by Discover", rel)
		}
	}
	if len(out) < 30 {
		t.Errorf("only %d manifests imported; the shared folder holds about 39 importable ones", len(out))
	}
	return out
}

func find(t *testing.T, all map[string]*Bundle, suffix string) *Bundle {
	t.Helper()
	for k, b := range all {
		if strings.HasSuffix(k, suffix) {
			return b
		}
	}
	t.Fatalf("no imported manifest ends in %s", suffix)
	return nil
}

func hasWarning(b *Bundle, field, text string) bool {
	for _, w := range b.Warnings {
		if strings.Contains(w.Field, field) && strings.Contains(w.Msg, text) {
			return true
		}
	}
	return false
}

func TestRealManifestsAsExpected(t *testing.T) {
	all := loadAll(t)

	zac := find(t, all, "case06__ZACplus/okh.toml")
	if got := len(zac.Content.Manifest.Images); got != 2 {
		t.Errorf("ZACplus: image given twice should give 2 images, got %d", got)
	}
	if !hasWarning(zac, "image", "2 times") || zac.Warnings[0].Line != 9 {
		t.Errorf("ZACplus: want a warning about the duplicate image key at line 9, got %v", zac.Warnings)
	}

	mosh := find(t, all, "OPEN-NEXT__LOSH-dummy-MOSH-A/okh.toml")
	mf := mosh.Content.Manifest
	if mf.OTRL != 5 || mf.ODRL != 5 || !hasWarning(mosh, "technology-readiness-level", "OTLR-5") {
		t.Errorf("MOSH-A: OTLR-5/ODLR-5 should read as 5/5 with a warning; got %d/%d %v", mf.OTRL, mf.ODRL, mosh.Warnings)
	}
	if mf.Dimensions == nil || *mf.Dimensions != (design.Dimensions{X: 300, Y: 300, Z: 300}) {
		t.Errorf("MOSH-A: cube with a missing bracket should give 300x300x300, got %+v", mf.Dimensions)
	}
	ring := mosh.Content.Parts[findPart(mosh.Content.Parts, "Clamp Ring")]
	if ring.Quantity != 2 || ring.Material != "PLA" || ring.Process != design.ProcessFDM {
		t.Errorf("MOSH-A Clamp Ring: quantity from sBoM.csv (2), PLA, FDM expected; got %+v", ring)
	}
	if ring.Dimensions == nil || ring.Dimensions.X != 28 || !hasWarning(mosh, "widht", "misspelled") {
		t.Errorf("MOSH-A Clamp Ring: widht = 28 should be read as width with a warning; got %+v", ring.Dimensions)
	}
	totals := design.Count(mosh.Content.Parts)
	if totals.Bought != 2+4+2+4+4+8+4+16+1 {
		t.Errorf("MOSH-A: the sBoM's STD and BUY rows add up to 45 bought items, got %v", totals.Bought)
	}
	if b := mosh.Content.Parts[findPart(mosh.Content.Parts, "Module B")]; b.Kind != design.KindModule || len(b.Sources) != 1 {
		t.Errorf("MOSH-A: a MOSH row is a module documented elsewhere, with its link as source: %+v", b)
	}

	cosi := find(t, all, "COSI-Measure/.okh.yaml")
	holder := cosi.Content.Parts[findPart(cosi.Content.Parts, "Limit Switch Holder")]
	if holder.Kind != design.KindModule || len(holder.Children) != 9 {
		t.Errorf("COSI: Limit Switch Holder should be a module of 9 parts, got %s with %d", holder.Kind, len(holder.Children))
	}
	plate := cosi.Content.Parts[findPart(cosi.Content.Parts, "Aluminium Plate 1")]
	if len(plate.Sources) != 1 || !strings.HasSuffix(plate.Sources[0].Path, "plate1.FCStd") || len(plate.Exports) != 2 {
		t.Errorf("COSI: plate 1's part manifest should give its FreeCAD source and 2 drawings, got %+v", plate)
	}
	if cosi.Content.Manifest.License != "CERN-OHL-1.2" {
		t.Errorf("COSI: license %q", cosi.Content.Manifest.License)
	}

	loom := find(t, all, "tm-miha__Upcyling-stool-Precious-hocker-IF-Demo/okh.toml")
	if loom.Content.Manifest.Dimensions == nil || loom.Content.Parts[0].MassG != 30 {
		t.Errorf("[[outer-dimensions]] and [[part.mass]] tables should be read: %+v, mass %v", loom.Content.Manifest.Dimensions, loom.Content.Parts[0].MassG)
	}
	ohloom := find(t, all, "okh-OHLOOM.toml")
	if d := ohloom.Content.Parts[0].Dimensions; d == nil || *d != (design.Dimensions{X: 56, Y: 56, Z: 30}) {
		t.Errorf("cylinder(h=30, r=28) should be 56x56x30, got %+v", d)
	}

	micro := find(t, all, "courk__openflexure-microscope/okh.yml")
	if m := micro.Content.Manifest; m.License != "CERN-OHL-1.2" || m.DocLicense != "GPL-3.0-only" || m.Languages[0] != "en-GB" {
		t.Errorf("OpenFlexure: CERN OHL v1.2 / GPL-3.0 / English-UK should normalise; got %q %q %v", m.License, m.DocLicense, m.Languages)
	}
	box := find(t, all, "osegermany__BoxFarm/okh.yml")
	if m := box.Content.Manifest; m.License != "" || m.LicenseText != "CERN OHL" || m.Version != "1.1" {
		t.Errorf("BoxFarm: the versionless \"CERN OHL\" must be kept as text, version 1.1 as text; got %q %q %q", m.License, m.LicenseText, m.Version)
	}
	kbd := find(t, all, "crKbd__.okh.yml")
	if len(kbd.Content.Parts) == 0 || !hasWarning(kbd, "source+", "more than once") {
		t.Errorf("crKbd: its sBoM.csv beside it should give parts, and the duplicate key a warning")
	}
	if p := kbd.Content.Parts[findPart(kbd.Content.Parts, "Plate")]; p.Quantity != 2 || !hasWarning(kbd, "QUANTITY", "2 sets") {
		t.Errorf("crKbd: \"2 sets\" should read as 2 with a warning; got %v", p.Quantity)
	}
	click := find(t, all, "click-me-solderless-hotswap-access-switch/okh.yml")
	if m := click.Content.Manifest; m.OTRL != 4 || m.ODRL != 3 || m.License != "CERN-OHL-W-2.0" || m.SoftLicense != "GPL-3.0-or-later" {
		t.Errorf("Click Me (v1 keys in a LOSH file): got %+v", m)
	}
	plankto := find(t, all, "PlanktoScope__PlanktoScope/okh.toml")
	if plankto.Content.Manifest.ODRL != 3 || !hasWarning(plankto, "documentation-readiness-level", "star") {
		t.Errorf("PlanktoScope: ODRL-3* should read as 3 with a warning")
	}
	for name, b := range all {
		if b.Content.Manifest.Name == "" {
			t.Errorf("%s: imported without a name", name)
		}
	}
}

// Export then import must give the same revision id, for every real
// manifest, with its files.
func TestRoundTripRealManifests(t *testing.T) {
	for name, b := range loadAll(t) {
		store := memStore{}
		if _, err := b.StoreFiles(store.put); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := b.Content.RevisionID()
		dir := t.TempDir()
		if err := ExportDir(&b.Content, dir, store.open); err != nil {
			t.Fatalf("%s: export: %v", name, err)
		}
		back, err := Load(context.Background(), Target{Root: dir, Manifest: "okh.toml", Folder: true})
		if err != nil {
			t.Fatalf("%s: re-import: %v", name, err)
		}
		if _, err := back.StoreFiles(memStore{}.put); err != nil {
			t.Fatal(err)
		}
		back.Close()
		if got := back.Content.RevisionID(); got != want {
			a, _ := Marshal(&b.Content)
			t.Errorf("%s: export+import changed the revision id\nfirst:  %s\nsecond: %s\nexported:\n%s", name, b.Content.Canonical(), back.Content.Canonical(), a)
		}
	}
}

func TestFolderFilesAreStoredAndRoundTrip(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("okh.toml", `okhv = "OKH-LOSHv1.0"
name = "Hinge"
license = "CERN-OHL-S-2.0"
image = "/img/hinge.png"
manufacturing-instructions = "docs/build.md"
bom = "sBoM.csv"

[[part]]
name = "Leaf"
tsdc = "3DP"
material = "PETG"
source = "/cad/leaf.scad"
export = ["/cad/leaf.stl", "cad/missing.stl"]

[[step]]
title = "Print"
text = "Print two leaves."
`)
	write("img/hinge.png", "\x89PNG fake")
	write("docs/build.md", "# Build\n")
	write("cad/leaf.scad", "cube(10);")
	write("cad/leaf.stl", "solid leaf\nendsolid leaf\n")
	write("sBoM.csv", "NAME\tQUANTITY\tTYPE\nLeaf\t2\tPOSH\nM3 screw\t4\tSTD\n")
	targets, err := Discover(dir)
	if err != nil || len(targets) != 1 || !targets[0].Folder {
		t.Fatalf("a folder with okh.toml is one design: %v %v", targets, err)
	}
	b, err := Load(context.Background(), targets[0])
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	store := memStore{}
	files, err := b.StoreFiles(store.put)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 4 {
		t.Errorf("4 local files are referenced and present, %d stored", len(files))
	}
	leaf := b.Content.Parts[0]
	if leaf.Quantity != 2 || leaf.Exports[0].SHA256 == "" || leaf.Exports[0].MediaType != "model/stl" || leaf.Exports[1].SHA256 != "" {
		t.Errorf("leaf: quantity 2 from BOM, stl stored with its type, missing file left a path: %+v", leaf)
	}
	if len(b.Content.Parts) != 2 || b.Content.Parts[1].Kind != design.KindBought {
		t.Errorf("the BOM's STD row should be added as a bought part: %+v", b.Content.Parts)
	}
	out := t.TempDir()
	if err := ExportDir(&b.Content, out, store.open); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(out, "cad", "leaf.stl"))
	if err != nil || string(got) != "solid leaf\nendsolid leaf\n" {
		t.Errorf("export should write the stored file back at its path: %q %v", got, err)
	}
	again, err := Load(context.Background(), Target{Root: out, Manifest: "okh.toml", Folder: true})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, err := again.StoreFiles(memStore{}.put); err != nil {
		t.Fatal(err)
	}
	if again.Content.RevisionID() != b.Content.RevisionID() {
		t.Errorf("round trip changed the id:\n%s\n%s", b.Content.Canonical(), again.Content.Canonical())
	}
}

func TestPathsCannotLeaveTheFolder(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.stl"), []byte("secret"), 0o644)
	dir := t.TempDir()
	os.Symlink(filepath.Join(outside, "secret.stl"), filepath.Join(dir, "link.stl"))
	os.WriteFile(filepath.Join(dir, "okh.toml"), []byte(`name = "Escape"
license = "MIT"
[[part]]
name = "a"
source = ["../`+filepath.Base(outside)+`/secret.stl", "`+filepath.Join(outside, "secret.stl")+`", "link.stl"]
`), 0o644)
	b, err := Load(context.Background(), Target{Root: dir, Manifest: "okh.toml", Folder: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	store := memStore{}
	files, err := b.StoreFiles(store.put)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if string(store[f.SHA256]) == "secret" {
			t.Errorf("a file outside the manifest's folder was read: %+v", f)
		}
	}
}

func TestBadInputNamesFileLineAndField(t *testing.T) {
	cases := []struct {
		file, body string
		line       int
		field      string
	}{
		{"okh.toml", "name = \"x\"\nlicense = \"MIT\"\nversion = [1,\n", 3, ""},
		{"okh.toml", "name = \"Frame\"\n\n[[part]]\nname = \"a\"\n\n[[part]]\nname = \"b\"\nquantity = -2\n", 8, "part[1].quantity"},
		{"okh.yml", "title: Frame\nlicense: [unclosed\n", 2, ""},
		{"okh.toml", "license = \"MIT\"\n", 0, "name"},
		{"okh.toml", "name = \"A\"\ntechnology-readiness-level = \"OTRL-5\"\n[[part]]\nname = \"p\"\nprocess = \"dance\"\nquantity = 0\n", 6, "part[0].quantity"},
	}
	for _, c := range cases {
		_, err := Parse(context.Background(), c.file, []byte(c.body))
		var e *dgml.Error
		if !errors.As(err, &e) {
			t.Errorf("%q: want a dgml error, got %v", c.body, err)
			continue
		}
		if e.File != c.file || e.Line != c.line || (c.field != "" && e.Field != c.field) || e.Kind != dgml.Invalid {
			t.Errorf("%q: got file %q line %d field %q kind %s (%v); want %s line %d field %q", c.body, e.File, e.Line, e.Field, e.Kind, e, c.file, c.line, c.field)
		}
	}
}

func TestParseBOMShapes(t *testing.T) {
	parts, warns, err := ParseBOM(context.Background(), "bom.csv", []byte("PartID,Module,Part-Name EN,Quantity,Supply-Type,Supplier,Supplier-PartNo.\n1,,Board,1,OSH,,\n2,Seat,Screw,4,STD,Hardware Store,S-4\n3,,Seat,1,OSH,,\n"))
	if err != nil || len(warns) != 0 {
		t.Fatal(err, warns)
	}
	if len(parts) != 2 || parts[1].Name != "Seat" || parts[1].Kind != design.KindModule || parts[1].Children[0].PartNumber != "S-4" || parts[1].Children[0].Quantity != 4 {
		t.Errorf("module column should nest the screw under the seat: %+v", parts)
	}
	_, _, err = ParseBOM(context.Background(), "bad.csv", []byte("POS\tQTY\n1\t2\n"))
	if e := new(dgml.Error); !errors.As(err, &e) || e.Field != "NAME" || e.Line != 1 {
		t.Errorf("a BOM without a name column must be refused naming the column: %v", err)
	}
}
