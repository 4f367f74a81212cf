package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
)

var _ facility.Store = (*DB)(nil)

// PutFacility stores a facility, creating it (with a new id and slug)
// when its ID is empty or unknown, replacing it otherwise.
func (db *DB) PutFacility(ctx context.Context, f *facility.Facility) error {
	if err := f.Validate(); err != nil {
		return err
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if f.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		f.ID = id.String()
	}
	var slug string
	err = tx.QueryRowContext(ctx, `SELECT slug FROM facilities WHERE id = ?`, f.ID).Scan(&slug)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if slug, err = freeFacilitySlug(ctx, tx, design.Slug(f.Name)); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	f.Slug = slug
	f.Updated = db.now()
	for i := range f.Machines {
		if f.Machines[i].ID == "" {
			f.Machines[i].ID = fmt.Sprintf("%s-m%d", f.Slug, i+1)
		}
	}
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO facilities (id, slug, name, lat, lon, country, data, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, lat = excluded.lat, lon = excluded.lon, country = excluded.country, data = excluded.data, updated_at = excluded.updated_at`,
		f.ID, f.Slug, f.Name, f.Location.Lat, f.Location.Lon, f.Country, string(data), timeText(f.Updated)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE facilities_version SET version = version + 1 WHERE id = 1`); err != nil {
		return err
	}
	return tx.Commit()
}

func freeFacilitySlug(ctx context.Context, tx *sql.Tx, base string) (string, error) {
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
	err := db.db.QueryRowContext(ctx, `SELECT data FROM facilities WHERE id = ? OR slug = ?`, ref, ref).Scan(&data)
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
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM facilities WHERE id = ? OR slug = ?`, ref, ref)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("facility", ref)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE facilities_version SET version = version + 1 WHERE id = 1`); err != nil {
		return err
	}
	return tx.Commit()
}

// Facilities lists every facility, in the order they were added.
func (db *DB) Facilities(ctx context.Context) ([]facility.Facility, error) {
	return records[facility.Facility](ctx, db, `SELECT data FROM facilities ORDER BY seq`)
}

// FacilitiesVersion changes whenever a facility does.
func (db *DB) FacilitiesVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.db.QueryRowContext(ctx, `SELECT version FROM facilities_version WHERE id = 1`).Scan(&v)
	return v, err
}
