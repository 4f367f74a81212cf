package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/dispatch"
)

var _ dispatch.Store = (*DB)(nil)

// CreateRun stores a new run.
func (db *DB) CreateRun(ctx context.Context, r *dispatch.Run) error {
	var err error
	if r.ID == "" {
		if r.ID, err = newUUID(); err != nil {
			return err
		}
	}
	r.Updated = db.now()
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = db.q(ctx).ExecContext(ctx, `INSERT INTO runs (id, request_id, facility_id, machine_id, state, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.RequestID, r.FacilityID, r.MachineID, r.State, timeKey(r.Updated), string(data))
	return err
}

// Run reads a run.
func (db *DB) Run(ctx context.Context, id string) (*dispatch.Run, error) {
	var data string
	err := db.q(ctx).QueryRowContext(ctx, `SELECT data FROM runs WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("run", id)
	}
	if err != nil {
		return nil, err
	}
	var r dispatch.Run
	return &r, json.Unmarshal([]byte(data), &r)
}

// Runs lists runs, oldest change first.
func (db *DB) Runs(ctx context.Context, f dispatch.Filter) ([]dispatch.Run, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, v string }{{"facility_id", f.Facility}, {"machine_id", f.Machine}, {"request_id", f.RequestID}} {
		if c.v != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.v)
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
	return db.Atomically(ctx, func(ctx context.Context) error {
		r.Updated = db.now()
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		res, err := db.q(ctx).ExecContext(ctx, `UPDATE runs SET state = ?, updated_at = ?, data = ? WHERE id = ? AND state = ?`, r.State, timeKey(r.Updated), string(data), r.ID, from)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := db.Run(ctx, r.ID); err != nil {
				return err
			}
			return &dgml.Error{Kind: dgml.Conflict, Field: "state", Msg: fmt.Sprintf("the run changed meanwhile (it is no longer %s)", from)}
		}
		return nil
	})
}

// Worked lists those of the machines that have done runs. The ids go
// as one JSON array, so that the statement's text (and its prepared
// form) is the same however many there are.
func (db *DB) Worked(ctx context.Context, machineIDs []string) ([]string, error) {
	ids, err := json.Marshal(machineIDs)
	if err != nil {
		return nil, err
	}
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT DISTINCT machine_id FROM runs WHERE state = 'done' AND machine_id IN (SELECT value FROM json_each(?))`, string(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Finished lists a machine's done runs, newest first.
func (db *DB) Finished(ctx context.Context, machineID string, limit int) ([]dispatch.Run, error) {
	return records[dispatch.Run](ctx, db, `SELECT data FROM runs WHERE machine_id = ? AND state = 'done' ORDER BY updated_at DESC LIMIT ?`, machineID, limit)
}
