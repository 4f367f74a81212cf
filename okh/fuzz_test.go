package okh

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func seedFrom(f *testing.F, glob string) {
	files, _ := filepath.Glob(glob)
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// Any manifest that parses must survive export and re-import unchanged;
// none may panic the parser.
func fuzzManifest(f *testing.F, name string, globs ...string) {
	for _, g := range globs {
		seedFrom(f, g)
	}
	f.Add([]byte("name = \"x\"\n[[part]]\nname = \"p\"\nquantity = 2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(context.Background(), name, data)
		if err != nil {
			if m != nil {
				t.Fatal("an error must come without a result")
			}
			return
		}
		out, err := Marshal(&m.Content)
		if err != nil {
			t.Fatalf("parsed content could not be written: %v", err)
		}
		back, err := Parse(context.Background(), "okh.toml", out)
		if err != nil {
			t.Fatalf("written manifest does not parse: %v\n%s", err, out)
		}
		if back.Content.RevisionID() != m.Content.RevisionID() {
			t.Fatalf("round trip changed the content:\n%s\n%s", m.Content.Canonical(), back.Content.Canonical())
		}
	})
}

func FuzzParseTOML(f *testing.F) {
	fuzzManifest(f, "okh.toml", "../../shared/data/okh/*/*.toml", "../../shared/data/okh/*/*/okh.toml")
}

func FuzzParseYAML(f *testing.F) {
	fuzzManifest(f, "okh.yml", "../../shared/data/okh/*/*.yml", "../../shared/data/okh/*/*/okh.yml", "../../shared/data/okh/*/*/.okh*.yaml")
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(ohmManifest))
	f.Add([]byte(`{"title": "x", "parts": [{"name": "p", "tsdc": ["3DP"], "mass": "12"}], "components": [{"name": "M3 screw", "quantity": 4}]}`))
	fuzzManifest(f, "okh.json")
}

func FuzzParseBOM(f *testing.F) {
	seedFrom(f, "../../shared/data/okh/*/*.csv")
	seedFrom(f, "../../shared/data/okh/*/*/*.csv")
	f.Add([]byte("NAME,QUANTITY,TYPE,PARENT-ASM\na,1,POSH,b\nb,2,POSH,a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parts, _, err := ParseBOM(context.Background(), "sBoM.csv", data)
		if err != nil {
			return
		}
		for _, p := range parts {
			if p.Name == "" || p.Quantity <= 0 {
				t.Fatalf("a BOM part without a name or a positive quantity: %+v", p)
			}
		}
	})
}
