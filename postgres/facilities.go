package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
)

var _ facility.Store = (*DB)(nil)

// CreateFacility stores a new facility with a new slug; an id already
// stored is a conflict.
func (db *DB) CreateFacility(ctx context.Context, f *facility.Facility) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.ID == "" {
		f.ID = newID()
	}
	return db.Atomically(ctx, func(ctx context.Context) error {
		var n int
		if err := db.q(ctx).QueryRow(ctx, `SELECT count(*) FROM facilities WHERE id = $1 OR slug = $1`, f.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &dgml.Error{Kind: dgml.Conflict, Field: "id", Msg: fmt.Sprintf("a facility %s is already stored", f.ID)}
		}
		slug := design.Slug(f.Name)
		for i := 2; ; i++ {
			if err := db.q(ctx).QueryRow(ctx, `SELECT count(*) FROM facilities WHERE slug = $1`, slug).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				break
			}
			slug = fmt.Sprintf("%s-%d", design.Slug(f.Name), i)
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
		err := db.q(ctx).QueryRow(ctx, `SELECT slug FROM facilities WHERE id = $1`, f.ID).Scan(&slug)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("facility", f.ID)
		}
		if err != nil {
			return err
		}
		f.Slug = slug
		return db.writeFacility(ctx, f, false)
	})
}

func (db *DB) writeFacility(ctx context.Context, f *facility.Facility, insert bool) error {
	f.Updated = db.now()
	if err := db.writeMachines(ctx, f, insert); err != nil {
		return err
	}
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	query := `UPDATE facilities SET name = $1, lat = $2, lon = $3, country = $4, data = $5, updated_at = $6, slug = $7, home = $8 WHERE id = $9`
	if insert {
		query = `INSERT INTO facilities (name, lat, lon, country, data, updated_at, slug, home, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	}
	if _, err := db.q(ctx).Exec(ctx, query, f.Name, f.Location.Lat, f.Location.Lon, f.Country, data, f.Updated, f.Slug, f.Home, f.ID); err != nil {
		return err
	}
	_, err = db.q(ctx).Exec(ctx, `UPDATE facilities_version SET version = version + 1 WHERE id = 1`)
	return err
}

// Facility finds a facility by id or slug.
func (db *DB) Facility(ctx context.Context, ref string) (*facility.Facility, error) {
	var f facility.Facility
	err := db.q(ctx).QueryRow(ctx, `SELECT data FROM facilities WHERE id = $1 OR slug = $1`, ref).Scan(&f)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("facility", ref)
	}
	return &f, err
}

// DeleteFacility removes a facility.
func (db *DB) DeleteFacility(ctx context.Context, ref string) error {
	return db.Atomically(ctx, func(ctx context.Context) error {
		tag, err := db.q(ctx).Exec(ctx, `DELETE FROM facilities WHERE id = $1 OR slug = $1`, ref)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return notFound("facility", ref)
		}
		// Its machines stay, marked removed, for the bookings and jobs
		// that name them.
		if _, err := db.q(ctx).Exec(ctx, `UPDATE machines SET removed_at = $1 WHERE removed_at IS NULL AND facility_id NOT IN (SELECT id FROM facilities)`, db.now()); err != nil {
			return err
		}
		_, err = db.q(ctx).Exec(ctx, `UPDATE facilities_version SET version = version + 1 WHERE id = 1`)
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
	err := db.q(ctx).QueryRow(ctx, `SELECT version FROM facilities_version WHERE id = 1`).Scan(&v)
	return v, err
}

// FacilitiesNear lists the facilities within radiusKm of p, nearest
// first, through the GiST index over ll_to_earth: a hub answers a near
// query without holding the network in memory.
func (db *DB) FacilitiesNear(ctx context.Context, p geo.Point, radiusKm float64, limit int) ([]facility.Facility, []float64, error) {
	if limit <= 0 {
		limit = 10000
	}
	// earthdistance's sphere has the equatorial radius (earth());
	// distances are scaled to the mean radius geo uses, so that the hub
	// and a SQLite node agree to the metre.
	rows, err := db.q(ctx).Query(ctx, `SELECT data, earth_distance(ll_to_earth($1, $2), ll_to_earth(lat, lon)) / earth() * $5 AS km
		FROM facilities
		WHERE earth_box(ll_to_earth($1, $2), $3 / $5 * earth()) @> ll_to_earth(lat, lon)
		  AND earth_distance(ll_to_earth($1, $2), ll_to_earth(lat, lon)) / earth() * $5 <= $3
		ORDER BY km, seq LIMIT $4`, p.Lat, p.Lon, radiusKm, limit, geo.EarthRadiusKm)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var fs []facility.Facility
	var kms []float64
	for rows.Next() {
		var f facility.Facility
		var km float64
		if err := rows.Scan(&f, &km); err != nil {
			return nil, nil, err
		}
		fs, kms = append(fs, f), append(kms, km)
	}
	return fs, kms, rows.Err()
}
