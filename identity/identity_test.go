package identity

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

func TestSealAndOpen(t *testing.T) {
	k, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Seal(k, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, k.Seed()) || bytes.Contains(b, k) {
		t.Fatal("the sealed key holds the key in clear")
	}
	got, err := Open(b, []byte("correct horse"))
	if err != nil || !got.Equal(k) {
		t.Fatalf("opened %v", err)
	}
	if _, err := Open(b, []byte("wrong horse")); !errors.Is(err, ErrPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	// A file asking for a terabyte of memory is refused before any work.
	var s map[string]any
	json.Unmarshal(b, &s)
	s["memory"] = 1 << 30
	evil, _ := json.Marshal(s)
	if _, err := Open(evil, []byte("correct horse")); err == nil || errors.Is(err, ErrPassphrase) {
		t.Errorf("costs out of bounds: %v", err)
	}
	if _, err := Seal(k, nil); err == nil {
		t.Error("sealed with an empty passphrase")
	}
}
