package blob

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgml/dgml"
)

func TestPutOpenSweep(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sum, n, err := s.Put(strings.NewReader("hello"))
	if err != nil || n != 5 || sum != "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" {
		t.Fatalf("put: %s %d %v", sum, n, err)
	}
	again, _, _ := s.Put(strings.NewReader("hello"))
	if again != sum || !s.Has(sum) {
		t.Error("the same bytes must be stored once under the same name")
	}
	r, err := s.Open(sum)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "hello" {
		t.Errorf("read back %q", b)
	}
	if _, err := s.Open("../../etc/passwd"); dgml.KindOf(err) != dgml.Invalid {
		t.Errorf("a name that is not a hash must be refused: %v", err)
	}
	other, _, _ := s.Put(strings.NewReader("unreferenced"))
	removed, err := s.Sweep(func(x string) bool { return x == sum })
	if err != nil || removed != 1 || s.Has(other) || !s.Has(sum) {
		t.Errorf("sweep: removed %d, %v", removed, err)
	}
}

func TestPutOverLimitLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir)
	s.MaxSize = 4
	if _, _, err := s.Put(strings.NewReader("too long")); dgml.KindOf(err) != dgml.TooLarge {
		t.Errorf("want too-large, got %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	for _, l := range left {
		if st, _ := os.Stat(l); st != nil && !st.IsDir() {
			t.Errorf("left behind: %s", l)
		}
	}
}
