package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/dispatch"
)

var _ dispatch.Store = (*DB)(nil)

// CreateRun stores a new run.
func (db *DB) CreateRun(ctx context.Context, r *dispatch.Run) error {
	if r.ID == "" {
		r.ID = newID()
	}
	r.Updated = db.now()
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = db.q(ctx).Exec(ctx, `INSERT INTO runs (id, request_id, facility_id, machine_id, state, updated_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		r.ID, r.RequestID, r.FacilityID, r.MachineID, r.State, r.Updated, data)
	return err
}

// Run reads a run.
func (db *DB) Run(ctx context.Context, id string) (*dispatch.Run, error) {
	if !isUUID(id) {
		return nil, notFound("run", id)
	}
	var r dispatch.Run
	err := db.q(ctx).QueryRow(ctx, `SELECT data FROM runs WHERE id = $1`, id).Scan(&r)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("run", id)
	}
	return &r, err
}

// Runs lists runs, oldest change first.
func (db *DB) Runs(ctx context.Context, f dispatch.Filter) ([]dispatch.Run, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, v string }{{"facility_id", f.Facility}, {"machine_id", f.Machine}, {"request_id", f.RequestID}} {
		if c.v != "" {
			args = append(args, c.v)
			where = append(where, fmt.Sprintf("%s = $%d", c.col, len(args)))
		}
	}
	if f.Open {
		where = append(where, `state NOT IN ('done', 'failed', 'cancelled')`)
	}
	q := `SELECT data FROM runs`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	return records[dispatch.Run](ctx, db, q+fmt.Sprintf(` ORDER BY updated_at, id LIMIT %d`, limit), args...)
}

// UpdateRun stores r if its state is still from.
func (db *DB) UpdateRun(ctx context.Context, r *dispatch.Run, from string) error {
	if !isUUID(r.ID) {
		return notFound("run", r.ID)
	}
	return db.Atomically(ctx, func(ctx context.Context) error {
		r.Updated = db.now()
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		tag, err := db.q(ctx).Exec(ctx, `UPDATE runs SET state = $1, updated_at = $2, data = $3 WHERE id = $4 AND state = $5`, r.State, r.Updated, data, r.ID, from)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			if _, err := db.Run(ctx, r.ID); err != nil {
				return err
			}
			return &dgml.Error{Kind: dgml.Conflict, Field: "state", Msg: fmt.Sprintf("the run changed meanwhile (it is no longer %s)", from)}
		}
		return nil
	})
}

// Worked lists those of the machines that have done runs.
func (db *DB) Worked(ctx context.Context, machineIDs []string) ([]string, error) {
	return strs(ctx, db, `SELECT DISTINCT machine_id FROM runs WHERE state = 'done' AND machine_id = ANY($1)`, machineIDs)
}

// Finished lists a machine's done runs, newest first.
func (db *DB) Finished(ctx context.Context, machineID string, limit int) ([]dispatch.Run, error) {
	return records[dispatch.Run](ctx, db, `SELECT data FROM runs WHERE machine_id = $1 AND state = 'done' ORDER BY updated_at DESC LIMIT $2`, machineID, limit)
}
