package okh

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A manifest made to raise a warning for each of thousands of entries
// is read once for their lines, not once per warning (that took four
// and a half minutes for 24,000 warnings; the time is logged, not
// asserted).
func TestManyWarningsAreQuick(t *testing.T) {
	doc := `{"title": "x", "components": [` + strings.Repeat(`{"quantity": 1}, `, 24000) + `{"quantity": 1}]}`
	start := time.Now()
	m, err := Parse(context.Background(), "w.json", []byte(doc))
	if err != nil || len(m.Warnings) < 24000 {
		t.Fatalf("%v", err)
	}
	t.Logf("%d warnings in %v", len(m.Warnings), time.Since(start))
	found := false
	for _, w := range m.Warnings {
		if w.Field == "components[23999]" {
			found = w.Line == 1 && strings.Contains(w.Msg, "without a name")
		}
	}
	if !found {
		t.Errorf("no warning naming components[23999] at line 1")
	}
}
