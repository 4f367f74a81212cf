package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

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
	var id int64
	err := db.q(ctx).QueryRow(ctx, `INSERT INTO jobs (kind, args, unique_key, state, max_attempts, run_at, created_at) VALUES ($1, $2, $3, 'ready', $4, $5, $6)
		ON CONFLICT (unique_key) DO NOTHING RETURNING id`, j.Kind, []byte(j.Args), key, j.MaxAttempts, j.RunAt, now).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// Lease takes the ready job due first for worker. Many processes ask at
// once: FOR UPDATE SKIP LOCKED gives each a different job without
// waiting on the others.
func (db *DB) Lease(ctx context.Context, worker string, now, until time.Time) (*jobs.Job, error) {
	if _, err := db.pool.Exec(ctx, `UPDATE jobs SET state = 'failed', unique_key = NULL, locked_by = '', finished_at = $1, last_error = 'its runs never finished (the process stopped)'
		WHERE state = 'running' AND locked_until < $1 AND attempts >= max_attempts`, now); err != nil {
		return nil, err
	}
	var j jobs.Job
	var args []byte
	err := db.pool.QueryRow(ctx, `UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $3
		WHERE id = (SELECT id FROM jobs WHERE (state = 'ready' AND run_at <= $2) OR (state = 'running' AND locked_until < $2)
			ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING id, kind, args, coalesce(unique_key, ''), attempts, max_attempts, run_at, last_error`, worker, now, until).
		Scan(&j.ID, &j.Kind, &args, &j.UniqueKey, &j.Attempts, &j.MaxAttempts, &j.RunAt, &j.LastError)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	j.Args, j.State, j.RunAt = args, jobs.Running, j.RunAt.UTC()
	return &j, nil
}

// Finish marks a leased job done, or failed and due again.
func (db *DB) Finish(ctx context.Context, id int64, worker string, now time.Time, errText string, retryAt time.Time) error {
	query := `UPDATE jobs SET state = 'done', unique_key = NULL, locked_by = '', finished_at = $1, last_error = '' WHERE id = $2 AND locked_by = $3 AND state = 'running'`
	args := []any{now, id, worker}
	if errText != "" {
		query = `UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'ready' END,
			unique_key = CASE WHEN attempts >= max_attempts THEN NULL ELSE unique_key END,
			finished_at = CASE WHEN attempts >= max_attempts THEN $1::timestamptz ELSE NULL END,
			run_at = $2, locked_by = '', last_error = $3 WHERE id = $4 AND locked_by = $5 AND state = 'running'`
		args = []any{now, retryAt, errText, id, worker}
	}
	tag, err := db.q(ctx).Exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return jobs.ErrNoJob
	}
	return nil
}

// Jobs lists jobs, newest first.
func (db *DB) Jobs(ctx context.Context, kind string, limit int) ([]jobs.Job, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := db.q(ctx).Query(ctx, `SELECT id, kind, args, coalesce(unique_key, ''), state, attempts, max_attempts, run_at, last_error FROM jobs
		WHERE $1 = '' OR kind = $1 ORDER BY id DESC LIMIT $2`, kind, limit)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (jobs.Job, error) {
		var j jobs.Job
		var args []byte
		err := r.Scan(&j.ID, &j.Kind, &args, &j.UniqueKey, &j.State, &j.Attempts, &j.MaxAttempts, &j.RunAt, &j.LastError)
		j.Args, j.RunAt = args, j.RunAt.UTC()
		return j, err
	})
	if out == nil {
		out = []jobs.Job{}
	}
	return out, err
}
