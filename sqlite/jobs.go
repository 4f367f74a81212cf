package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/dgml/dgml/jobs"
)

var _ jobs.Store = (*DB)(nil)

// Enqueue adds a job, in the transaction of ctx when there is one.
func (db *DB) Enqueue(ctx context.Context, j jobs.Job) (int64, bool, error) {
	now := db.now()
	if j.RunAt.IsZero() {
		j.RunAt = now
	}
	if j.MaxAttempts <= 0 {
		j.MaxAttempts = 5
	}
	var key any
	if j.UniqueKey != "" {
		key = j.UniqueKey
	}
	res, err := db.q(ctx).ExecContext(ctx, `INSERT INTO jobs (kind, args, unique_key, state, max_attempts, run_at, created_at) VALUES (?, ?, ?, 'ready', ?, ?, ?)
		ON CONFLICT (unique_key) DO NOTHING`, j.Kind, string(j.Args), key, j.MaxAttempts, timeKey(j.RunAt), timeKey(now))
	if err != nil {
		return 0, false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, false, nil
	}
	id, err := res.LastInsertId()
	return id, true, err
}

// Lease takes the ready job due first for worker; SQLite's one writer
// at a time makes the take exclusive.
func (db *DB) Lease(ctx context.Context, worker string, now, until time.Time) (*jobs.Job, error) {
	var out *jobs.Job
	err := db.Atomically(ctx, func(ctx context.Context) error {
		q := db.q(ctx)
		// A job whose leases ran out as often as it may be tried has
		// failed: its process died running it each time.
		if _, err := q.ExecContext(ctx, `UPDATE jobs SET state = 'failed', unique_key = NULL, locked_by = '', finished_at = ?, last_error = 'its runs never finished (the process stopped)'
			WHERE state = 'running' AND locked_until < ? AND attempts >= max_attempts`, timeKey(now), timeKey(now)); err != nil {
			return err
		}
		var j jobs.Job
		var args, runAt string
		err := q.QueryRowContext(ctx, `SELECT id, kind, args, coalesce(unique_key, ''), attempts, max_attempts, run_at, last_error FROM jobs
			WHERE (state = 'ready' AND run_at <= ?) OR (state = 'running' AND locked_until < ?)
			ORDER BY run_at, id LIMIT 1`, timeKey(now), timeKey(now)).Scan(&j.ID, &j.Kind, &args, &j.UniqueKey, &j.Attempts, &j.MaxAttempts, &runAt, &j.LastError)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ? WHERE id = ?`, worker, timeKey(until), j.ID); err != nil {
			return err
		}
		j.Args, j.State, j.RunAt = []byte(args), jobs.Running, parseTime(runAt)
		j.Attempts++
		out = &j
		return nil
	})
	return out, err
}

// Finish marks a leased job done, or failed and due again.
func (db *DB) Finish(ctx context.Context, id int64, worker string, now time.Time, errText string, retryAt time.Time) error {
	query := `UPDATE jobs SET state = 'done', unique_key = NULL, locked_by = '', finished_at = ?, last_error = '' WHERE id = ? AND locked_by = ? AND state = 'running'`
	args := []any{timeKey(now), id, worker}
	if errText != "" {
		query = `UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'ready' END,
			unique_key = CASE WHEN attempts >= max_attempts THEN NULL ELSE unique_key END,
			finished_at = CASE WHEN attempts >= max_attempts THEN ? ELSE NULL END,
			run_at = ?, locked_by = '', last_error = ? WHERE id = ? AND locked_by = ? AND state = 'running'`
		args = []any{timeKey(now), timeKey(retryAt), errText, id, worker}
	}
	res, err := db.q(ctx).ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return jobs.ErrNoJob
	}
	return nil
}

// Jobs lists jobs, newest first.
func (db *DB) Jobs(ctx context.Context, kind string, limit int) ([]jobs.Job, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT id, kind, args, coalesce(unique_key, ''), state, attempts, max_attempts, run_at, last_error FROM jobs
		WHERE ? = '' OR kind = ? ORDER BY id DESC LIMIT ?`, kind, kind, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []jobs.Job{}
	for rows.Next() {
		var j jobs.Job
		var args, runAt string
		if err := rows.Scan(&j.ID, &j.Kind, &args, &j.UniqueKey, &j.State, &j.Attempts, &j.MaxAttempts, &runAt, &j.LastError); err != nil {
			return nil, err
		}
		j.Args, j.RunAt = []byte(args), parseTime(runAt)
		out = append(out, j)
	}
	return out, rows.Err()
}
