package postgres_test

import (
	"testing"

	"github.com/dgml/dgml/internal/storetest"
	"github.com/dgml/dgml/store"
)

// The store contract, against PostgreSQL ($DGML_TEST_POSTGRES).
func TestContract(t *testing.T) {
	storetest.PostgresURL(t)
	storetest.Run(t, storetest.Postgres)
}

// Files in the database keep the contract of a folder of files.
func TestBlobs(t *testing.T) {
	storetest.RunBlobs(t, func(t *testing.T) store.Blobs {
		db, _ := storetest.PostgresSchema(t)
		return db.Blobs()
	})
}
