package okh

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/internal/hostile"
)

// Manifests built to exhaust the parser are refused quickly, with the
// file and line, before a value is built from them, and without growing
// the heap.
func TestHostileManifests(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		line int
		msg  string
	}{
		{"bomb.yml", hostile.YAMLAliasBomb(9, 9), 0, "aliases expand"},
		{"wide-bomb.yml", hostile.YAMLAliasBomb(4, 40), 0, "aliases expand"},
		{"deep-flow.yml", hostile.YAMLDeepFlow(100_000), 2, "nested more than"},
		{"deep-block.yml", hostile.YAMLDeepBlock(1000), MaxDepth + 2, "nested more than"}, // 100,000 levels of indentation would be 5 GB
		{"deep-dashes.yml", hostile.YAMLDeepDashes(100_000), 3, "nested more than"},
		{"deep-array.toml", hostile.TOMLDeepArray(100_000), 2, "nested more than"},
		{"deep-inline.toml", hostile.TOMLDeepInline(100_000), 2, "nested more than"},
		{"deep-key.toml", hostile.TOMLDottedKey(100_000), 2, "nested more than"},
		{"deep.json", []byte("{\"title\": \"x\",\n\"parts\": " + strings.Repeat("[", 100_000)), 2, "nested more than"},
		{"wide.json", []byte("{\"title\": \"x\",\n\"keywords\": [" + strings.Repeat("1,", 200_000) + "1]}"), 2, "more than 100000 values"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := Parse(context.Background(), c.name, c.data)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			var e *dgml.Error
			if !errors.As(err, &e) || e.Kind != dgml.Invalid || e.File != c.name || !strings.Contains(e.Msg, c.msg) {
				t.Fatalf("%d bytes: %v", len(c.data), err)
			}
			if c.line > 0 && e.Line != c.line {
				t.Errorf("line %d, want %d", e.Line, c.line)
			}
			if e.Line == 0 {
				t.Errorf("no line: %v", err)
			}
			t.Logf("%d bytes refused in %v, %d KiB allocated: %v", len(c.data), took, (after.TotalAlloc-before.TotalAlloc)>>10, err)
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
				t.Errorf("allocated %d MiB to refuse %d bytes", grew>>20, len(c.data)>>10)
			}
		})
	}
	// What real manifests do stays allowed: an alias or two, ten levels.
	ok := "name: fine\nlicense: CC0-1.0\ncommon: &c {material: PLA}\nparts:\n  - name: a\n    extra: *c\n    more:\n      - [[[[1]]]]\n"
	if _, err := Parse(context.Background(), "fine.yml", []byte(ok)); err != nil {
		t.Errorf("a modest manifest: %v", err)
	}
	okTOML := "name = \"fine\"\nlicense = \"CC0-1.0\"\ndesc = \"\"\"a [ { \"quoted\" ] ] \"\"\"\n[part.x.y]\nz = [[1, 2], [3]]\n"
	if _, err := Parse(context.Background(), "fine.toml", []byte(okTOML)); err != nil {
		t.Errorf("a modest TOML manifest: %v", err)
	}
}

// A block scalar's text is not read as nesting, whatever it holds.
func TestBlockScalarsAreText(t *testing.T) {
	doc := "name: x\ndescription: |\n" + strings.Repeat("  [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n", 10) + "license: CC0-1.0\n"
	if _, err := Parse(context.Background(), "text.yml", []byte(doc)); err != nil {
		t.Errorf("brackets in a literal block: %v", err)
	}
}
