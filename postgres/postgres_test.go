package postgres_test

import (
	"testing"

	"github.com/dgml/dgml/internal/storetest"
)

// The store contract, against PostgreSQL ($DGML_TEST_POSTGRES).
func TestContract(t *testing.T) {
	storetest.PostgresURL(t)
	storetest.Run(t, storetest.Postgres)
}
