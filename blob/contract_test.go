package blob_test

import (
	"testing"

	"github.com/dgml/dgml/blob"
	"github.com/dgml/dgml/internal/storetest"
	"github.com/dgml/dgml/store"
)

// The folder keeps the contract every file keeper keeps.
func TestContract(t *testing.T) {
	storetest.RunBlobs(t, func(t *testing.T) store.Blobs {
		s, err := blob.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
