package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"

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

// The database itself refuses overlapping active bookings of one machine
// unit, whatever the code before the insert checked: two plain INSERTs,
// the second of which must fail with an exclusion violation.
func TestBookingsExcludeOverlaps(t *testing.T) {
	db, schema := storetest.PostgresSchema(t)
	ctx := context.Background()
	f := &facility.Facility{Name: "Lab", Location: geo.Point{Lat: 1, Lon: 1}, Machines: []facility.Machine{{Process: design.ProcessFDM}}}
	if err := db.CreateFacility(ctx, f); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	insert := `INSERT INTO ` + schema + `.bookings (id, machine_id, facility_id, unit, kind, status, starts_at, ends_at, created_at)
		VALUES (gen_random_uuid(), $1, $2, $3, 'session', $4, $5, $6, now())`
	mid := f.Machines[0].ID
	if _, err := conn.Exec(ctx, insert, mid, f.ID, 1, "active", "2027-03-01 09:00Z", "2027-03-01 12:00Z"); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, insert, mid, f.ID, 1, "active", "2027-03-01 11:59Z", "2027-03-01 13:00Z")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23P01" {
		t.Errorf("an overlapping active booking: %v, want an exclusion violation", err)
	}
	for _, c := range []struct {
		unit          int
		status, start string
	}{{1, "active", "2027-03-01 12:00Z"}, {2, "active", "2027-03-01 10:00Z"}, {1, "cancelled", "2027-03-01 10:00Z"}} {
		if _, err := conn.Exec(ctx, insert, mid, f.ID, c.unit, c.status, c.start, "2027-03-01 12:30Z"); err != nil {
			t.Errorf("unit %d, %s from %s: %v", c.unit, c.status, c.start, err)
		}
	}
}
