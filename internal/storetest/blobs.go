package storetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/store"
)

// RunBlobs is the contract of a file keeper.
func RunBlobs(t *testing.T, open func(t *testing.T) store.Blobs) {
	b := open(t)
	rng := rand.New(rand.NewPCG(1, 2))
	big := make([]byte, 2<<20+12345) // over two chunks of a database keeper
	for i := range big {
		big[i] = byte(rng.IntN(256))
	}
	sum, n, err := b.Put(bytes.NewReader(big))
	want := sha256.Sum256(big)
	if err != nil || n != int64(len(big)) || sum != hex.EncodeToString(want[:]) {
		t.Fatalf("put: %s %d %v", sum, n, err)
	}
	again, _, err := b.Put(bytes.NewReader(big))
	if err != nil || again != sum {
		t.Errorf("the same bytes again: %s %v", again, err)
	}
	if !b.Has(sum) || b.Has(sum[:63]+"0") || b.Has("../../etc/passwd") {
		t.Error("has")
	}
	f, err := b.Open(sum)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(got, big) {
		t.Errorf("read back %d bytes, %v", len(got), err)
	}
	// Random access across a chunk boundary, as http.ServeContent and
	// zip readers do.
	if _, err := f.Seek(1<<20-3, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	part := make([]byte, 10)
	if _, err := io.ReadFull(f, part); err != nil || !bytes.Equal(part, big[1<<20-3:1<<20+7]) {
		t.Errorf("seek and read: %v", err)
	}
	if end, err := f.Seek(0, io.SeekEnd); err != nil || end != int64(len(big)) {
		t.Errorf("size by seeking: %d %v", end, err)
	}
	if ra, ok := f.(io.ReaderAt); !ok {
		t.Error("a stored file is not an io.ReaderAt (3MF files need one)")
	} else if _, err := ra.ReadAt(part, 5); err != nil || !bytes.Equal(part, big[5:15]) {
		t.Errorf("read at: %v", err)
	}
	f.Close()
	if _, err := b.Open("nope"); dgml.KindOf(err) != dgml.Invalid {
		t.Errorf("open of no sum: %v", err)
	}
	if _, err := b.Open(sum[:63] + "0"); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("open of a missing file: %v", err)
	}
	empty, _, err := b.Put(bytes.NewReader(nil))
	if err != nil || !b.Has(empty) {
		t.Errorf("empty file: %v", err)
	}
	if m := b.ModTime(sum); time.Since(m) > time.Minute {
		t.Errorf("mod time %v", m)
	}
	removed, err := b.Sweep(func(s string) bool { return s == sum })
	if err != nil || removed != 1 || b.Has(empty) || !b.Has(sum) {
		t.Errorf("sweep: %d %v", removed, err)
	}
}
