package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// CacheGet reads a result computed from a file.
func (db *DB) CacheGet(ctx context.Context, sum, kind, key string) ([]byte, bool, error) {
	var v []byte
	err := db.q(ctx).QueryRowContext(ctx, `SELECT value FROM file_cache WHERE sha256 = ? AND kind = ? AND key = ?`, sum, kind, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return v, err == nil, err
}

// CachePut stores a result computed from a file; a concurrent put of the
// same result is harmless.
func (db *DB) CachePut(ctx context.Context, sum, kind, key string, value []byte) error {
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO file_cache (sha256, kind, key, value, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		sum, kind, key, value, timeText(db.now()))
	return err
}
