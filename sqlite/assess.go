package sqlite

import (
	"context"
	"encoding/json"

	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/design"
)

var _ assess.Store = (*DB)(nil)

// AddReport stores a replication report.
func (db *DB) AddReport(ctx context.Context, r *assess.Report) error {
	if r.ID == "" { // a new report; dgml migrate brings old ones whole
		r.ID, r.Created = newID(), db.now()
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = db.q(ctx).ExecContext(ctx, `INSERT INTO reports (id, design_id, data, created_at) VALUES (?, ?, ?, ?)`, r.ID, r.DesignID, string(data), timeText(r.Created))
	return err
}

// Reports lists a design's reports, oldest first.
func (db *DB) Reports(ctx context.Context, designID string) ([]assess.Report, error) {
	return records[assess.Report](ctx, db, `SELECT data FROM reports WHERE design_id = ? ORDER BY created_at, id`, designID)
}

// PutAttestation stores a reviewer's attestation of a revision.
func (db *DB) PutAttestation(ctx context.Context, a assess.Attestation) error {
	if a.Created.IsZero() {
		a.Created = db.now()
	}
	data, err := json.Marshal(a)
	if err != nil {
		return err
	}
	_, err = db.q(ctx).ExecContext(ctx, `INSERT INTO attestations (design_id, revision_id, reviewer, data) VALUES (?, ?, ?, ?)
		ON CONFLICT (design_id, revision_id, reviewer) DO UPDATE SET data = excluded.data`, a.DesignID, a.Revision, a.Reviewer, string(data))
	return err
}

// Attestations lists a design's attestations of all its revisions.
func (db *DB) Attestations(ctx context.Context, designID string) ([]assess.Attestation, error) {
	return records[assess.Attestation](ctx, db, `SELECT data FROM attestations WHERE design_id = ? ORDER BY rowid`, designID)
}

// PutVote stores a readiness vote.
func (db *DB) PutVote(ctx context.Context, v assess.Vote) error {
	if v.Created.IsZero() {
		v.Created = db.now()
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = db.q(ctx).ExecContext(ctx, `INSERT INTO votes (design_id, revision_id, scale, voter, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (design_id, revision_id, scale, voter) DO UPDATE SET data = excluded.data`, v.DesignID, v.Revision, v.Scale, v.Voter, string(data))
	return err
}

// Votes lists a design's readiness votes.
func (db *DB) Votes(ctx context.Context, designID string) ([]assess.Vote, error) {
	return records[assess.Vote](ctx, db, `SELECT data FROM votes WHERE design_id = ? ORDER BY rowid`, designID)
}

// AddTranslation stores a contributed translation; older ones stay, so
// that the history of a text's translations is kept.
func (db *DB) AddTranslation(ctx context.Context, t *design.TextTranslation) error {
	if t.Created.IsZero() {
		t.Created = db.now()
	}
	data, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = db.q(ctx).ExecContext(ctx, `INSERT INTO translations (design_id, lang, data) VALUES (?, ?, ?)`, t.DesignID, t.Lang, string(data))
	return err
}

// Translations lists a design's contributed translations, oldest first.
func (db *DB) Translations(ctx context.Context, designID string) ([]design.TextTranslation, error) {
	return records[design.TextTranslation](ctx, db, `SELECT data FROM translations WHERE design_id = ? ORDER BY seq`, designID)
}

// AddFile records a stored file that no revision names, such as a
// report's photo, so that it is served like the design's own files.
func (db *DB) AddFile(ctx context.Context, f design.FileInfo) error {
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO files (sha256, size, media_type, name) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`, f.SHA256, f.Size, f.MediaType, f.Name)
	return err
}
