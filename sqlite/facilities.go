package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
)

var _ facility.Store = (*DB)(nil)

// CreateFacility stores a new facility with a new slug. It keeps f.ID
// when one is given (a record that travelled from another node), and an
// id already stored is a conflict: creating never replaces a record.
func (db *DB) CreateFacility(ctx context.Context, f *facility.Facility) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		f.ID = id.String()
	}
	return db.Atomically(ctx, func(ctx context.Context) error {
		tx := db.q(ctx)
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM facilities WHERE id = ? OR slug = ?`, f.ID, f.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &dgml.Error{Kind: dgml.Conflict, Field: "id", Msg: fmt.Sprintf("a facility %s is already stored", f.ID)}
		}
		slug, err := freeFacilitySlug(ctx, tx, design.Slug(f.Name))
		if err != nil {
			return err
		}
		f.Slug = slug
		return db.writeFacility(ctx, f, true)
	})
}

// UpdateFacility replaces a stored facility (found by f.ID), keeping its
// slug.
func (db *DB) UpdateFacility(ctx context.Context, f *facility.Facility) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return db.Atomically(ctx, func(ctx context.Context) error {
		var slug string
		err := db.q(ctx).QueryRowContext(ctx, `SELECT slug FROM facilities WHERE id = ?`, f.ID).Scan(&slug)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("facility", f.ID)
		}
		if err != nil {
			return err
		}
		f.Slug = slug
		return db.writeFacility(ctx, f, false)
	})
}

// writeFacility inserts or updates a facility's row and bumps the version
// the network snapshot follows.
func (db *DB) writeFacility(ctx context.Context, f *facility.Facility, insert bool) error {
	f.Updated = db.now()
	if err := db.writeMachines(ctx, f, insert); err != nil {
		return err
	}
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	query := `UPDATE facilities SET name = ?, lat = ?, lon = ?, country = ?, data = ?, updated_at = ?, slug = ?, home = ? WHERE id = ?`
	if insert {
		query = `INSERT INTO facilities (name, lat, lon, country, data, updated_at, slug, home, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	}
	if _, err := db.q(ctx).ExecContext(ctx, query, f.Name, f.Location.Lat, f.Location.Lon, f.Country, string(data), timeText(f.Updated), f.Slug, f.Home, f.ID); err != nil {
		return err
	}
	_, err = db.q(ctx).ExecContext(ctx, `UPDATE facilities_version SET version = version + 1 WHERE id = 1`)
	return err
}

func freeFacilitySlug(ctx context.Context, tx conn, base string) (string, error) {
	slug := base
	for i := 2; ; i++ {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM facilities WHERE slug = ?`, slug).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return slug, nil
		}
		slug = fmt.Sprintf("%s-%d", base, i)
	}
}

// Facility finds a facility by id or slug.
func (db *DB) Facility(ctx context.Context, ref string) (*facility.Facility, error) {
	var data string
	err := db.q(ctx).QueryRowContext(ctx, `SELECT data FROM facilities WHERE id = ? OR slug = ?`, ref, ref).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("facility", ref)
	}
	if err != nil {
		return nil, err
	}
	var f facility.Facility
	return &f, json.Unmarshal([]byte(data), &f)
}

// DeleteFacility removes a facility.
func (db *DB) DeleteFacility(ctx context.Context, ref string) error {
	return db.Atomically(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `DELETE FROM facilities WHERE id = ? OR slug = ?`, ref, ref)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("facility", ref)
		}
		// Its machines stay, marked removed, for the bookings and jobs
		// that name them.
		if _, err := db.q(ctx).ExecContext(ctx, `UPDATE machines SET removed_at = ? WHERE removed_at IS NULL AND facility_id NOT IN (SELECT id FROM facilities)`, timeKey(db.now())); err != nil {
			return err
		}
		_, err = db.q(ctx).ExecContext(ctx, `UPDATE facilities_version SET version = version + 1 WHERE id = 1`)
		return err
	})
}

// Facilities lists every facility, in the order they were added.
func (db *DB) Facilities(ctx context.Context) ([]facility.Facility, error) {
	return records[facility.Facility](ctx, db, `SELECT data FROM facilities ORDER BY seq`)
}

// FacilitiesVersion changes whenever a facility does.
func (db *DB) FacilitiesVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.q(ctx).QueryRowContext(ctx, `SELECT version FROM facilities_version WHERE id = 1`).Scan(&v)
	return v, err
}
