package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/internal/crashpoint"
)

var (
	_ account.Store       = (*DB)(nil)
	_ collab.Store        = (*DB)(nil)
	_ assess.Store        = (*DB)(nil)
	_ design.Translations = (*DB)(nil)
)

// CreateUser adds an account; a taken name is a conflict.
func (db *DB) CreateUser(ctx context.Context, name, hash string, admin bool) (*account.User, error) {
	u := &account.User{ID: newID(), Name: name, Admin: admin, Created: db.now()}
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO users (id, name, password_hash, admin, created_at) VALUES ($1, $2, $3, $4, $5)`, u.ID, name, hash, admin, u.Created)
	if isUnique(err) {
		return nil, &dgml.Error{Kind: dgml.Conflict, Field: "name", Msg: "that name is taken"}
	}
	return u, err
}

// CreateUserAt adds an account made at a given time (dgml migrate keeps
// when accounts were made: their age is part of their standing).
func (db *DB) CreateUserAt(ctx context.Context, u account.User, hash string) error {
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO users (id, name, password_hash, admin, created_at) VALUES ($1, $2, $3, $4, $5)`, u.ID, u.Name, hash, u.Admin, u.Created)
	return err
}

const userColumns = `id::text, name, admin, created_at`

func scanUser(row pgx.Row, hash *string) (*account.User, error) {
	var u account.User
	dst := []any{&u.ID, &u.Name, &u.Admin, &u.Created}
	if hash != nil {
		dst = append(dst, hash)
	}
	err := row.Scan(dst...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &dgml.Error{Kind: dgml.NotFound, Msg: "no such user"}
	}
	u.Created = u.Created.UTC()
	return &u, err
}

// UserByName finds an account with its password hash.
func (db *DB) UserByName(ctx context.Context, name string) (*account.User, string, error) {
	var hash string
	u, err := scanUser(db.q(ctx).QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE name = $1`, name), &hash)
	return u, hash, err
}

// User finds an account by id.
func (db *DB) User(ctx context.Context, id string) (*account.User, error) {
	if !isUUID(id) {
		return nil, &dgml.Error{Kind: dgml.NotFound, Msg: "no such user"}
	}
	return scanUser(db.q(ctx).QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id), nil)
}

// CountUsers counts accounts.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.q(ctx).QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// CreateSession stores a login.
func (db *DB) CreateSession(ctx context.Context, tokenHash string, s account.Session) error {
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, expires_at) VALUES ($1, $2, $3, $4)`, tokenHash, s.UserID, s.CSRF, s.Expires)
	return err
}

// Session finds a live login.
func (db *DB) Session(ctx context.Context, tokenHash string) (*account.Session, error) {
	var s account.Session
	err := db.q(ctx).QueryRow(ctx, `SELECT user_id::text, csrf, expires_at FROM sessions WHERE token_hash = $1`, tokenHash).Scan(&s.UserID, &s.CSRF, &s.Expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "not logged in"}
	}
	if err != nil {
		return nil, err
	}
	if db.now().After(s.Expires) {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "the session has expired: log in again"}
	}
	return &s, nil
}

// DeleteSession ends a login.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := db.q(ctx).Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return err
}

// CreateToken stores an API token by its secret's digest.
func (db *DB) CreateToken(ctx context.Context, t *account.Token, secretHash string) error {
	t.ID, t.Created = newID(), db.now()
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO tokens (id, user_id, name, scope, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, t.ID, t.UserID, t.Name, t.Scope, secretHash, t.Created)
	if isUnique(err) {
		return &dgml.Error{Kind: dgml.Conflict, Msg: "a token with that secret exists"}
	}
	return err
}

const tokenColumns = `id::text, user_id::text, name, scope, created_at, revoked_at`

func scanToken(row pgx.Row) (account.Token, error) {
	var t account.Token
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Scope, &t.Created, &t.Revoked)
	t.Created = t.Created.UTC()
	if t.Revoked != nil {
		r := t.Revoked.UTC()
		t.Revoked = &r
	}
	return t, err
}

// TokenBySecret finds a token; a revoked one is refused.
func (db *DB) TokenBySecret(ctx context.Context, secretHash string) (*account.Token, error) {
	t, err := scanToken(db.q(ctx).QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE secret_hash = $1`, secretHash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "unknown API token"}
	}
	if err != nil {
		return nil, err
	}
	if t.Revoked != nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "the API token has been revoked"}
	}
	return &t, nil
}

// Tokens lists a user's tokens.
func (db *DB) Tokens(ctx context.Context, userID string) ([]account.Token, error) {
	if !isUUID(userID) {
		return []account.Token{}, nil
	}
	rows, err := db.q(ctx).Query(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE user_id = $1 ORDER BY created_at`, userID)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (account.Token, error) { return scanToken(r) })
	if out == nil {
		out = []account.Token{}
	}
	return out, err
}

// TokenDigests lists a user's tokens with their secrets' digests, for
// dgml migrate (the secrets themselves were never kept).
func (db *DB) TokenDigests(ctx context.Context, userID string) (map[string]string, error) {
	rows, err := db.q(ctx).Query(ctx, `SELECT id::text, secret_hash FROM tokens WHERE user_id = $1`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, h string
		if err := rows.Scan(&id, &h); err != nil {
			return nil, err
		}
		out[id] = h
	}
	return out, rows.Err()
}

// RevokeToken revokes one of a user's tokens.
func (db *DB) RevokeToken(ctx context.Context, userID, tokenID string) error {
	if !isUUID(userID) || !isUUID(tokenID) {
		return notFound("token", tokenID)
	}
	tag, err := db.q(ctx).Exec(ctx, `UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL`, db.now(), tokenID, userID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return notFound("token", tokenID)
	}
	return nil
}

// AddRole gives a user a role on a design or facility.
func (db *DB) AddRole(ctx context.Context, kind, objectID, userID string) error {
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO roles (kind, object_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, kind, objectID, userID)
	return err
}

// SetEmail keeps or forgets a user's address.
func (db *DB) SetEmail(ctx context.Context, userID, email string) error {
	if !isUUID(userID) {
		return notFound("user", userID)
	}
	if email == "" {
		_, err := db.q(ctx).Exec(ctx, `DELETE FROM user_emails WHERE user_id = $1`, userID)
		return err
	}
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO user_emails (user_id, email, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at`, userID, email, db.now())
	return err
}

// Email reads a user's address; "" when none.
func (db *DB) Email(ctx context.Context, userID string) (string, error) {
	if !isUUID(userID) {
		return "", nil
	}
	var e string
	err := db.q(ctx).QueryRow(ctx, `SELECT email FROM user_emails WHERE user_id = $1`, userID).Scan(&e)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return e, err
}

// RemoveRole takes a role back.
func (db *DB) RemoveRole(ctx context.Context, kind, objectID, userID string) error {
	if !isUUID(userID) {
		return nil
	}
	_, err := db.q(ctx).Exec(ctx, `DELETE FROM roles WHERE kind = $1 AND object_id = $2 AND user_id = $3`, kind, objectID, userID)
	return err
}

// HasRole checks a role.
func (db *DB) HasRole(ctx context.Context, kind, objectID, userID string) (bool, error) {
	if !isUUID(userID) {
		return false, nil
	}
	var n int
	err := db.q(ctx).QueryRow(ctx, `SELECT count(*) FROM roles WHERE kind = $1 AND object_id = $2 AND user_id = $3`, kind, objectID, userID).Scan(&n)
	return n > 0, err
}

func (db *DB) users(ctx context.Context, query string, args ...any) ([]account.User, error) {
	rows, err := db.q(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (account.User, error) {
		u, err := scanUser(r, nil)
		if u == nil {
			return account.User{}, err
		}
		return *u, err
	})
}

// Holders lists who holds a role on an object.
func (db *DB) Holders(ctx context.Context, kind, objectID string) ([]account.User, error) {
	return db.users(ctx, `SELECT u.id::text, u.name, u.admin, u.created_at FROM roles r JOIN users u ON u.id = r.user_id WHERE r.kind = $1 AND r.object_id = $2 ORDER BY u.name`, kind, objectID)
}

// Objects lists the objects a user holds a role of this kind on.
func (db *DB) Objects(ctx context.Context, kind, userID string) ([]string, error) {
	if !isUUID(userID) {
		return nil, nil
	}
	return strs(ctx, db, `SELECT object_id FROM roles WHERE kind = $1 AND user_id = $2 ORDER BY object_id`, kind, userID)
}

// AddVouch records (or renews) a vouch.
func (db *DB) AddVouch(ctx context.Context, userID, voucherID, note string) error {
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO vouches (user_id, voucher_id, note, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id, voucher_id) DO UPDATE SET note = excluded.note`, userID, voucherID, note, db.now())
	return err
}

// Vouchers lists who vouched for a user.
func (db *DB) Vouchers(ctx context.Context, userID string) ([]account.User, error) {
	if !isUUID(userID) {
		return nil, nil
	}
	return db.users(ctx, `SELECT u.id::text, u.name, u.admin, u.created_at FROM vouches v JOIN users u ON u.id = v.voucher_id WHERE v.user_id = $1 ORDER BY u.name`, userID)
}

// Setting reads a node setting.
func (db *DB) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := db.q(ctx).QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

// PutSetting writes a node setting.
func (db *DB) PutSetting(ctx context.Context, key, value string) error {
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, db.now())
	return err
}

// Contributions counts a person's accepted proposals, build reports and
// translations.
func (db *DB) Contributions(ctx context.Context, handle string) (int, error) {
	var n int
	err := db.q(ctx).QueryRow(ctx, `SELECT
		(SELECT count(*) FROM proposals WHERE author = $1 AND status = 'accepted') +
		(SELECT count(*) FROM reports WHERE data->>'author' = $1) +
		(SELECT count(*) FROM translations WHERE data->>'author' = $1)`, handle).Scan(&n)
	return n, err
}

// CreateProposal stores a proposal.
func (db *DB) CreateProposal(ctx context.Context, p *collab.Proposal) error {
	p.ID, p.Created, p.Status = newID(), db.now(), "open"
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO proposals (id, design_id, from_design, revision_id, base, title, author, status, created_at, from_node, remote) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		p.ID, p.DesignID, p.FromDesign, p.Revision, p.Base, p.Title, p.Author, p.Status, p.Created, p.FromNode, p.Remote)
	if isUnique(err) {
		return &dgml.Error{Kind: dgml.Conflict, Msg: "that proposal from " + p.FromNode + " is here already"}
	}
	return err
}

// RemoteProposal finds a proposal by the node and id it came from.
func (db *DB) RemoteProposal(ctx context.Context, node, remote string) (*collab.Proposal, error) {
	ps, err := db.proposals(ctx, `from_node = $1 AND remote = $2`, node, remote)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, notFound("proposal", remote+" from "+node)
	}
	return &ps[0], nil
}

func (db *DB) proposals(ctx context.Context, where string, args ...any) ([]collab.Proposal, error) {
	rows, err := db.q(ctx).Query(ctx, `SELECT id::text, design_id::text, from_design::text, revision_id, base, title, author, status, created_at, from_node, remote FROM proposals WHERE `+where+` ORDER BY created_at DESC`, args...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (collab.Proposal, error) {
		var p collab.Proposal
		err := r.Scan(&p.ID, &p.DesignID, &p.FromDesign, &p.Revision, &p.Base, &p.Title, &p.Author, &p.Status, &p.Created, &p.FromNode, &p.Remote)
		p.Created = p.Created.UTC()
		return p, err
	})
	if out == nil {
		out = []collab.Proposal{}
	}
	return out, err
}

// Proposal reads a proposal with its comments.
func (db *DB) Proposal(ctx context.Context, id string) (*collab.Proposal, error) {
	if !isUUID(id) {
		return nil, notFound("proposal", id)
	}
	ps, err := db.proposals(ctx, `id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, notFound("proposal", id)
	}
	ps[0].Comments, err = db.comments(ctx, "proposal", id)
	return &ps[0], err
}

// Proposals lists a design's proposals, newest first.
func (db *DB) Proposals(ctx context.Context, designID string) ([]collab.Proposal, error) {
	if !isUUID(designID) {
		return []collab.Proposal{}, nil
	}
	return db.proposals(ctx, `design_id = $1`, designID)
}

// SetProposalStatus moves a proposal from one status to another, in the
// update's own condition.
func (db *DB) SetProposalStatus(ctx context.Context, id, from, to string) error {
	if !isUUID(id) {
		return notFound("proposal", id)
	}
	tag, err := db.q(ctx).Exec(ctx, `UPDATE proposals SET status = $1 WHERE id = $2 AND status = $3`, to, id, from)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return &dgml.Error{Kind: dgml.Conflict, Msg: fmt.Sprintf("proposal %s is no longer %s", id, from)}
	}
	return nil
}

// AddComment adds a comment to a proposal or progress to a task.
func (db *DB) AddComment(ctx context.Context, kind, id string, c collab.Comment) error {
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO comments (kind, object_id, author, text, created_at) VALUES ($1, $2, $3, $4, $5)`, kind, id, c.Author, c.Text, db.now())
	return err
}

func (db *DB) comments(ctx context.Context, kind, id string) ([]collab.Comment, error) {
	rows, err := db.q(ctx).Query(ctx, `SELECT author, text, created_at FROM comments WHERE kind = $1 AND object_id = $2 ORDER BY seq`, kind, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (collab.Comment, error) {
		var c collab.Comment
		err := r.Scan(&c.Author, &c.Text, &c.Created)
		c.Created = c.Created.UTC()
		return c, err
	})
}

// CreateTask stores a task.
func (db *DB) CreateTask(ctx context.Context, t *collab.Task) error {
	t.ID, t.Created, t.Status = newID(), db.now(), "open"
	return db.putTask(ctx, t, true)
}

// UpdateTask stores a task's new state.
func (db *DB) UpdateTask(ctx context.Context, t *collab.Task) error { return db.putTask(ctx, t, false) }

func (db *DB) putTask(ctx context.Context, t *collab.Task, create bool) error {
	progress := t.Progress
	t.Progress = nil
	data, err := json.Marshal(t)
	t.Progress = progress
	if err != nil {
		return err
	}
	return db.Atomically(ctx, func(ctx context.Context) error {
		q := db.q(ctx)
		var err error
		if create {
			_, err = q.Exec(ctx, `INSERT INTO tasks (id, design_id, data, status, created_at, process, language, claim_until, lat, lon) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				t.ID, t.DesignID, data, t.Status, t.Created, t.Process, t.Language, t.ClaimUntil, t.Lat, t.Lon)
		} else {
			_, err = q.Exec(ctx, `UPDATE tasks SET data = $1, status = $2, process = $3, language = $4, claim_until = $5, lat = $6, lon = $7 WHERE id = $8`,
				data, t.Status, t.Process, t.Language, t.ClaimUntil, t.Lat, t.Lon, t.ID)
		}
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `DELETE FROM task_skills WHERE task_id = $1`, t.ID); err != nil {
			return err
		}
		for _, sk := range t.Skills {
			if _, err := q.Exec(ctx, `INSERT INTO task_skills (task_id, skill) VALUES ($1, $2) ON CONFLICT DO NOTHING`, t.ID, sk); err != nil {
				return err
			}
		}
		return nil
	})
}

// Task reads a task with its progress.
func (db *DB) Task(ctx context.Context, id string) (*collab.Task, error) {
	if !isUUID(id) {
		return nil, notFound("task", id)
	}
	var t collab.Task
	err := db.q(ctx).QueryRow(ctx, `SELECT data FROM tasks WHERE id = $1`, id).Scan(&t)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("task", id)
	}
	if err != nil {
		return nil, err
	}
	t.Progress, err = db.comments(ctx, "task", id)
	return &t, err
}

// Tasks lists a page of tasks, newest first, every filter in the query.
func (db *DB) Tasks(ctx context.Context, q collab.TaskQuery) ([]collab.Task, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if q.Design != "" {
		if !isUUID(q.Design) {
			return []collab.Task{}, nil
		}
		add(`t.design_id = ?`, q.Design)
	}
	if q.OpenOnly {
		now := q.Now
		if now.IsZero() {
			now = db.now()
		}
		add(`t.status != 'done' AND (t.status = 'open' OR t.claim_until IS NULL OR t.claim_until < ?)`, now)
	}
	if q.Process != "" {
		add(`t.process = ?`, q.Process)
	}
	if q.Language != "" {
		add(`t.language = ?`, q.Language)
	}
	if q.Skill != "" {
		add(`EXISTS (SELECT 1 FROM task_skills s WHERE s.task_id = t.id AND s.skill = ?)`, q.Skill)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = collab.DefaultTasks
	}
	limit, offset := min(limit, collab.MaxTasks), max(q.Offset, 0)
	if q.Near != nil {
		// The box around the circle in the query, the circle itself here,
		// and the page after it, as in the SQLite store.
		lo, hi := geo.Box(*q.Near, q.RadiusKm)
		lonCond := `t.lon BETWEEN ? AND ?`
		if lo.Lon > hi.Lon {
			lonCond = `(t.lon >= ? OR t.lon <= ?)`
		}
		args = append(args, lo.Lat, hi.Lat, lo.Lon, hi.Lon)
		n := len(args)
		box := fmt.Sprintf(`t.lat BETWEEN $%d AND $%d AND `, n-3, n-2) + strings.Replace(strings.Replace(lonCond, "?", fmt.Sprintf("$%d", n-1), 1), "?", fmt.Sprintf("$%d", n), 1)
		where = append(where, `((t.lat = 0 AND t.lon = 0) OR (`+box+`))`)
	}
	query := `SELECT data FROM tasks t`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY t.created_at DESC, t.id DESC`
	if q.Near == nil {
		return records[collab.Task](ctx, db, query+fmt.Sprintf(` LIMIT $%d OFFSET $%d`, len(args)+1, len(args)+2), append(args, limit, offset)...)
	}
	all, err := records[collab.Task](ctx, db, query, args...)
	if err != nil {
		return nil, err
	}
	out := []collab.Task{}
	for _, t := range all {
		if (t.Lat == 0 && t.Lon == 0) || geo.DistanceKm(*q.Near, geo.Point{Lat: t.Lat, Lon: t.Lon}) <= q.RadiusKm {
			if offset > 0 {
				offset--
				continue
			}
			if out = append(out, t); len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

// AddEvent records activity.
func (db *DB) AddEvent(ctx context.Context, e collab.Event) error {
	crashpoint.Here("event")
	created := e.Created
	if created.IsZero() {
		created = db.now()
	}
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO events (design_id, actor, kind, summary, link, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, e.DesignID, e.Actor, e.Kind, e.Summary, e.Link, created)
	return err
}

// Events pages through a design's or a person's activity, newest first.
func (db *DB) Events(ctx context.Context, designID, actor string, limit, offset int) ([]collab.Event, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	query, args := `SELECT id, design_id, actor, kind, summary, link, created_at FROM events WHERE true`, []any{}
	if designID != "" {
		args = append(args, designID)
		query += fmt.Sprintf(` AND design_id = $%d`, len(args))
	}
	if actor != "" {
		args = append(args, actor)
		query += fmt.Sprintf(` AND actor = $%d`, len(args))
	}
	rows, err := db.q(ctx).Query(ctx, query+fmt.Sprintf(` ORDER BY id DESC LIMIT $%d OFFSET $%d`, len(args)+1, len(args)+2), append(args, limit, max(offset, 0))...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (collab.Event, error) {
		var e collab.Event
		err := r.Scan(&e.ID, &e.DesignID, &e.Actor, &e.Kind, &e.Summary, &e.Link, &e.Created)
		e.Created = e.Created.UTC()
		return e, err
	})
	if out == nil {
		out = []collab.Event{}
	}
	return out, err
}

// AddReport stores a build report.
func (db *DB) AddReport(ctx context.Context, r *assess.Report) error {
	if r.ID == "" {
		r.ID, r.Created = newID(), db.now()
	}
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO reports (id, design_id, data, created_at) VALUES ($1, $2, $3, $4)`, r.ID, r.DesignID, r, r.Created)
	return err
}

// Reports lists a design's reports, oldest first.
func (db *DB) Reports(ctx context.Context, designID string) ([]assess.Report, error) {
	if !isUUID(designID) {
		return []assess.Report{}, nil
	}
	return records[assess.Report](ctx, db, `SELECT data FROM reports WHERE design_id = $1 ORDER BY created_at, id`, designID)
}

// PutAttestation stores (or replaces) a reviewer's attestation.
func (db *DB) PutAttestation(ctx context.Context, a assess.Attestation) error {
	if a.Created.IsZero() {
		a.Created = db.now()
	}
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO attestations (design_id, revision_id, reviewer, data) VALUES ($1, $2, $3, $4)
		ON CONFLICT (design_id, revision_id, reviewer) DO UPDATE SET data = excluded.data`, a.DesignID, a.Revision, a.Reviewer, a)
	return err
}

// Attestations lists a design's attestations of all its revisions.
func (db *DB) Attestations(ctx context.Context, designID string) ([]assess.Attestation, error) {
	if !isUUID(designID) {
		return []assess.Attestation{}, nil
	}
	return records[assess.Attestation](ctx, db, `SELECT data FROM attestations WHERE design_id = $1 ORDER BY seq`, designID)
}

// PutVote stores (or replaces) a readiness vote.
func (db *DB) PutVote(ctx context.Context, v assess.Vote) error {
	if v.Created.IsZero() {
		v.Created = db.now()
	}
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO votes (design_id, revision_id, scale, voter, data) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (design_id, revision_id, scale, voter) DO UPDATE SET data = excluded.data`, v.DesignID, v.Revision, v.Scale, v.Voter, v)
	return err
}

// Votes lists a design's readiness votes.
func (db *DB) Votes(ctx context.Context, designID string) ([]assess.Vote, error) {
	if !isUUID(designID) {
		return []assess.Vote{}, nil
	}
	return records[assess.Vote](ctx, db, `SELECT data FROM votes WHERE design_id = $1 ORDER BY seq`, designID)
}

// AddTranslation stores a contributed translation; older ones stay.
func (db *DB) AddTranslation(ctx context.Context, t *design.TextTranslation) error {
	if t.Created.IsZero() {
		t.Created = db.now()
	}
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO translations (design_id, lang, data) VALUES ($1, $2, $3)`, t.DesignID, t.Lang, t)
	return err
}

// Translations lists a design's contributed translations, oldest first.
func (db *DB) Translations(ctx context.Context, designID string) ([]design.TextTranslation, error) {
	if !isUUID(designID) {
		return []design.TextTranslation{}, nil
	}
	return records[design.TextTranslation](ctx, db, `SELECT data FROM translations WHERE design_id = $1 ORDER BY seq`, designID)
}

// CountFailures counts a key's failed attempts since a time.
func (db *DB) CountFailures(ctx context.Context, kind, key string, since time.Time) (int, time.Time, time.Time, error) {
	var n int
	var first, last *time.Time
	err := db.q(ctx).QueryRow(ctx, `SELECT count(*), min(at), max(at) FROM auth_failures WHERE kind = $1 AND key = $2 AND at >= $3`, kind, key, since).Scan(&n, &first, &last)
	if first == nil || last == nil {
		return n, time.Time{}, time.Time{}, err
	}
	return n, *first, *last, err
}

// AddFailure records a failed attempt and forgets those older than a day.
func (db *DB) AddFailure(ctx context.Context, kind, key string, at time.Time) error {
	if _, err := db.q(ctx).Exec(ctx, `DELETE FROM auth_failures WHERE at < $1`, at.Add(-24*time.Hour)); err != nil {
		return err
	}
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO auth_failures (kind, key, at) VALUES ($1, $2, $3)`, kind, key, at)
	return err
}

// ForgetFailures forgets a key's failed attempts.
func (db *DB) ForgetFailures(ctx context.Context, kind, key string) error {
	_, err := db.q(ctx).Exec(ctx, `DELETE FROM auth_failures WHERE kind = $1 AND key = $2`, kind, key)
	return err
}
