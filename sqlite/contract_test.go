package sqlite_test

import (
	"testing"

	"github.com/dgml/dgml/internal/storetest"
)

// The store contract, against SQLite.
func TestContract(t *testing.T) {
	storetest.Run(t, storetest.SQLite)
}
