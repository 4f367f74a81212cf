// Package sharedtest finds the project's shared test data (../shared from
// the repository root). A fresh clone has none: tests then skip, unless
// DGML_REQUIRE_SHARED is set (as CI does), which makes that a failure.
package sharedtest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns the path of ../shared/<rel> from the repository root, or
// skips (fails under DGML_REQUIRE_SHARED) when it is not there.
func Dir(t testing.TB, rel string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	p := filepath.Join(root, "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("DGML_REQUIRE_SHARED") != "" {
			t.Fatalf("shared test data %s is missing and DGML_REQUIRE_SHARED is set: %v", p, err)
		}
		t.Skipf("shared test data %s is not here (a fresh clone has no ../shared); skipping", p)
	}
	return p
}
