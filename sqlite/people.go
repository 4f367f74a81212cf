package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/internal/crashpoint"
)

var (
	_ account.Store = (*DB)(nil)
	_ collab.Store  = (*DB)(nil)
)

func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		panic(err)
	}
	return id.String()
}

// CreateUser adds an account; a taken name is a conflict.
func (db *DB) CreateUser(ctx context.Context, name, hash string, admin bool) (*account.User, error) {
	u := &account.User{ID: newID(), Name: name, Admin: admin, Created: db.now()}
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO users (id, name, password_hash, admin, created_at) VALUES (?, ?, ?, ?, ?)`, u.ID, name, hash, admin, timeText(u.Created))
	if err != nil && isUnique(err) {
		return nil, &dgml.Error{Kind: dgml.Conflict, Field: "name", Msg: "that name is taken"}
	}
	return u, err
}

func isUnique(err error) bool { return err != nil && contains(err.Error(), "UNIQUE constraint failed") }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func scanUser(row *sql.Row) (*account.User, string, error) {
	var u account.User
	var hash, created string
	err := row.Scan(&u.ID, &u.Name, &hash, &u.Admin, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", &dgml.Error{Kind: dgml.NotFound, Msg: "no such user"}
	}
	u.Created = parseTime(created)
	return &u, hash, err
}

// UserByName finds an account with its password hash.
func (db *DB) UserByName(ctx context.Context, name string) (*account.User, string, error) {
	return scanUser(db.q(ctx).QueryRowContext(ctx, `SELECT id, name, password_hash, admin, created_at FROM users WHERE name = ?`, name))
}

// User finds an account by id.
func (db *DB) User(ctx context.Context, id string) (*account.User, error) {
	u, _, err := scanUser(db.q(ctx).QueryRowContext(ctx, `SELECT id, name, password_hash, admin, created_at FROM users WHERE id = ?`, id))
	return u, err
}

// CountUsers counts accounts.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// CreateSession stores a login.
func (db *DB) CreateSession(ctx context.Context, tokenHash string, s account.Session) error {
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, expires_at) VALUES (?, ?, ?, ?)`, tokenHash, s.UserID, s.CSRF, timeText(s.Expires))
	return err
}

// Session finds a live login.
func (db *DB) Session(ctx context.Context, tokenHash string) (*account.Session, error) {
	var s account.Session
	var exp string
	err := db.q(ctx).QueryRowContext(ctx, `SELECT user_id, csrf, expires_at FROM sessions WHERE token_hash = ?`, tokenHash).Scan(&s.UserID, &s.CSRF, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "not logged in"}
	}
	s.Expires = parseTime(exp)
	if err == nil && db.now().After(s.Expires) {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "the session has expired: log in again"}
	}
	return &s, err
}

// DeleteSession ends a login.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := db.q(ctx).ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

// CreateToken stores an API token by its secret's digest.
func (db *DB) CreateToken(ctx context.Context, t *account.Token, secretHash string) error {
	t.ID, t.Created = newID(), db.now()
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO tokens (id, user_id, name, scope, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`, t.ID, t.UserID, t.Name, t.Scope, secretHash, timeText(t.Created))
	if isUnique(err) {
		return &dgml.Error{Kind: dgml.Conflict, Msg: "a token with that secret exists"}
	}
	return err
}

// TokenBySecret finds a token; a revoked one is refused.
func (db *DB) TokenBySecret(ctx context.Context, secretHash string) (*account.Token, error) {
	var t account.Token
	var created string
	var revoked sql.NullString
	err := db.q(ctx).QueryRowContext(ctx, `SELECT id, user_id, name, scope, created_at, revoked_at FROM tokens WHERE secret_hash = ?`, secretHash).Scan(&t.ID, &t.UserID, &t.Name, &t.Scope, &created, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "unknown API token"}
	}
	if err != nil {
		return nil, err
	}
	if revoked.Valid {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "the API token has been revoked"}
	}
	t.Created = parseTime(created)
	return &t, nil
}

// Tokens lists a user's tokens.
func (db *DB) Tokens(ctx context.Context, userID string) ([]account.Token, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT id, user_id, name, scope, created_at, revoked_at FROM tokens WHERE user_id = ? ORDER BY created_at`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []account.Token{}
	for rows.Next() {
		var t account.Token
		var created string
		var revoked sql.NullString
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.Scope, &created, &revoked); err != nil {
			return nil, err
		}
		t.Created = parseTime(created)
		if revoked.Valid {
			r := parseTime(revoked.String)
			t.Revoked = &r
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes one of a user's tokens.
func (db *DB) RevokeToken(ctx context.Context, userID, tokenID string) error {
	res, err := db.q(ctx).ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`, timeText(db.now()), tokenID, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("token", tokenID)
	}
	return nil
}

// AddRole gives a user a role on a design or facility.
func (db *DB) AddRole(ctx context.Context, kind, objectID, userID string) error {
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO roles (kind, object_id, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, kind, objectID, userID)
	return err
}

// RemoveRole takes a role back.
func (db *DB) RemoveRole(ctx context.Context, kind, objectID, userID string) error {
	_, err := db.q(ctx).ExecContext(ctx, `DELETE FROM roles WHERE kind = ? AND object_id = ? AND user_id = ?`, kind, objectID, userID)
	return err
}

// HasRole checks a role.
func (db *DB) HasRole(ctx context.Context, kind, objectID, userID string) (bool, error) {
	var n int
	err := db.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM roles WHERE kind = ? AND object_id = ? AND user_id = ?`, kind, objectID, userID).Scan(&n)
	return n > 0, err
}

// Holders lists who holds a role on an object.
func (db *DB) Holders(ctx context.Context, kind, objectID string) ([]account.User, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT u.id, u.name, u.admin, u.created_at FROM roles r JOIN users u ON u.id = r.user_id WHERE r.kind = ? AND r.object_id = ? ORDER BY u.name`, kind, objectID)
	if err != nil {
		return nil, err
	}
	return scanUsers(rows)
}

// Objects lists the objects a user holds a role of this kind on.
func (db *DB) Objects(ctx context.Context, kind, userID string) ([]string, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT object_id FROM roles WHERE kind = ? AND user_id = ? ORDER BY object_id`, kind, userID)
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

// SetEmail keeps or forgets a user's address.
func (db *DB) SetEmail(ctx context.Context, userID, email string) error {
	if email == "" {
		_, err := db.q(ctx).ExecContext(ctx, `DELETE FROM user_emails WHERE user_id = ?`, userID)
		return err
	}
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO user_emails (user_id, email, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at`, userID, email, timeText(db.now()))
	return err
}

// Email reads a user's address; "" when none.
func (db *DB) Email(ctx context.Context, userID string) (string, error) {
	var e string
	err := db.q(ctx).QueryRowContext(ctx, `SELECT email FROM user_emails WHERE user_id = ?`, userID).Scan(&e)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return e, err
}

// AddVouch records (or renews) a vouch.
func (db *DB) AddVouch(ctx context.Context, userID, voucherID, note string) error {
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO vouches (user_id, voucher_id, note, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, voucher_id) DO UPDATE SET note = excluded.note`, userID, voucherID, note, timeText(db.now()))
	return err
}

// Vouchers lists who vouched for a user.
func (db *DB) Vouchers(ctx context.Context, userID string) ([]account.User, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT u.id, u.name, u.admin, u.created_at FROM vouches v JOIN users u ON u.id = v.voucher_id WHERE v.user_id = ? ORDER BY u.name`, userID)
	if err != nil {
		return nil, err
	}
	return scanUsers(rows)
}

func scanUsers(rows *sql.Rows) ([]account.User, error) {
	defer rows.Close()
	var out []account.User
	for rows.Next() {
		var u account.User
		var created string
		if err := rows.Scan(&u.ID, &u.Name, &u.Admin, &created); err != nil {
			return nil, err
		}
		u.Created = parseTime(created)
		out = append(out, u)
	}
	return out, rows.Err()
}

// Setting reads a node setting.
func (db *DB) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := db.q(ctx).QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

// PutSetting writes a node setting.
func (db *DB) PutSetting(ctx context.Context, key, value string) error {
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, timeText(db.now()))
	return err
}

// Contributions counts a person's accepted proposals, build reports and
// translations.
func (db *DB) Contributions(ctx context.Context, handle string) (int, error) {
	var n int
	err := db.q(ctx).QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM proposals WHERE author = ? AND status = 'accepted') +
		(SELECT count(*) FROM reports WHERE json_extract(data, '$.author') = ?) +
		(SELECT count(*) FROM translations WHERE json_extract(data, '$.author') = ?)`, handle, handle, handle).Scan(&n)
	return n, err
}

// CreateProposal stores a proposal.
func (db *DB) CreateProposal(ctx context.Context, p *collab.Proposal) error {
	p.ID, p.Created, p.Status = newID(), db.now(), "open"
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO proposals (id, design_id, from_design, revision_id, base, title, author, status, created_at, from_node, remote) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.DesignID, p.FromDesign, p.Revision, p.Base, p.Title, p.Author, p.Status, timeText(p.Created), p.FromNode, p.Remote)
	if isUnique(err) {
		return &dgml.Error{Kind: dgml.Conflict, Msg: "that proposal from " + p.FromNode + " is here already"}
	}
	return err
}

// RemoteProposal finds a proposal by the node and id it came from.
func (db *DB) RemoteProposal(ctx context.Context, node, remote string) (*collab.Proposal, error) {
	ps, err := db.proposals(ctx, `from_node = ? AND remote = ?`, node, remote)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, notFound("proposal", remote+" from "+node)
	}
	return &ps[0], nil
}

func (db *DB) proposals(ctx context.Context, where string, args ...any) ([]collab.Proposal, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT id, design_id, from_design, revision_id, base, title, author, status, created_at, from_node, remote FROM proposals WHERE `+where+` ORDER BY created_at DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []collab.Proposal{}
	for rows.Next() {
		var p collab.Proposal
		var created string
		if err := rows.Scan(&p.ID, &p.DesignID, &p.FromDesign, &p.Revision, &p.Base, &p.Title, &p.Author, &p.Status, &created, &p.FromNode, &p.Remote); err != nil {
			return nil, err
		}
		p.Created = parseTime(created)
		out = append(out, p)
	}
	return out, rows.Err()
}

// Proposal reads a proposal with its comments.
func (db *DB) Proposal(ctx context.Context, id string) (*collab.Proposal, error) {
	ps, err := db.proposals(ctx, `id = ?`, id)
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
	return db.proposals(ctx, `design_id = ?`, designID)
}

// SetProposalStatus accepts or declines a proposal that still has the
// status from: the condition is in the update itself, so of two
// concurrent decisions only one changes the row.
func (db *DB) SetProposalStatus(ctx context.Context, id, from, to string) error {
	res, err := db.q(ctx).ExecContext(ctx, `UPDATE proposals SET status = ? WHERE id = ? AND status = ?`, to, id, from)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return &dgml.Error{Kind: dgml.Conflict, Msg: fmt.Sprintf("proposal %s is no longer %s", id, from)}
	}
	return nil
}

// AddComment adds a comment to a proposal or progress to a task.
func (db *DB) AddComment(ctx context.Context, kind, id string, c collab.Comment) error {
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO comments (kind, object_id, author, text, created_at) VALUES (?, ?, ?, ?, ?)`, kind, id, c.Author, c.Text, timeText(db.now()))
	return err
}

func (db *DB) comments(ctx context.Context, kind, id string) ([]collab.Comment, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT author, text, created_at FROM comments WHERE kind = ? AND object_id = ? ORDER BY seq`, kind, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []collab.Comment
	for rows.Next() {
		var c collab.Comment
		var created string
		if err := rows.Scan(&c.Author, &c.Text, &created); err != nil {
			return nil, err
		}
		c.Created = parseTime(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

// CreateTask stores a task.
func (db *DB) CreateTask(ctx context.Context, t *collab.Task) error {
	t.ID, t.Created, t.Status = newID(), db.now(), "open"
	return db.putTask(ctx, t, true)
}

func (db *DB) putTask(ctx context.Context, t *collab.Task, create bool) error {
	progress := t.Progress
	t.Progress = nil
	data, err := json.Marshal(t)
	t.Progress = progress
	if err != nil {
		return err
	}
	var until any
	if t.ClaimUntil != nil {
		until = timeKey(*t.ClaimUntil)
	}
	return db.Atomically(ctx, func(ctx context.Context) error {
		q := db.q(ctx)
		if create {
			_, err = q.ExecContext(ctx, `INSERT INTO tasks (id, design_id, data, status, created_at, process, language, claim_until, lat, lon) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				t.ID, t.DesignID, string(data), t.Status, timeText(t.Created), t.Process, t.Language, until, t.Lat, t.Lon)
		} else {
			_, err = q.ExecContext(ctx, `UPDATE tasks SET data = ?, status = ?, process = ?, language = ?, claim_until = ?, lat = ?, lon = ? WHERE id = ?`,
				string(data), t.Status, t.Process, t.Language, until, t.Lat, t.Lon, t.ID)
		}
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM task_skills WHERE task_id = ?`, t.ID); err != nil {
			return err
		}
		for _, sk := range t.Skills {
			if _, err := q.ExecContext(ctx, `INSERT INTO task_skills (task_id, skill) VALUES (?, ?) ON CONFLICT DO NOTHING`, t.ID, sk); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateTask stores a task's new state.
func (db *DB) UpdateTask(ctx context.Context, t *collab.Task) error { return db.putTask(ctx, t, false) }

// Task reads a task with its progress.
func (db *DB) Task(ctx context.Context, id string) (*collab.Task, error) {
	var data string
	err := db.q(ctx).QueryRowContext(ctx, `SELECT data FROM tasks WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("task", id)
	}
	if err != nil {
		return nil, err
	}
	var t collab.Task
	if err := json.Unmarshal([]byte(data), &t); err != nil {
		return nil, err
	}
	t.Progress, err = db.comments(ctx, "task", id)
	return &t, err
}

// Tasks lists a page of tasks, newest first, every filter in the query
// itself.
func (db *DB) Tasks(ctx context.Context, q collab.TaskQuery) ([]collab.Task, error) {
	query, args := `SELECT data FROM tasks t WHERE 1 = 1`, []any{}
	add := func(cond string, arg any) {
		query += ` AND ` + cond
		args = append(args, arg)
	}
	if q.Design != "" {
		add(`t.design_id = ?`, q.Design)
	}
	if q.OpenOnly {
		now := q.Now
		if now.IsZero() {
			now = db.now()
		}
		add(`t.status != 'done' AND (t.status = 'open' OR t.claim_until IS NULL OR t.claim_until < ?)`, timeKey(now))
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
	query += ` ORDER BY t.created_at DESC, t.id DESC`
	if q.Near == nil {
		return records[collab.Task](ctx, db, query+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	}
	// Near a place: the box around the circle is in the query, the
	// circle itself is judged here, and the page is taken after it.
	lo, hi := geo.Box(*q.Near, q.RadiusKm)
	box := `t.lat BETWEEN ? AND ? AND t.lon BETWEEN ? AND ?`
	if lo.Lon > hi.Lon { // across the antimeridian
		box = `t.lat BETWEEN ? AND ? AND (t.lon >= ? OR t.lon <= ?)`
	}
	query = strings.Replace(query, ` ORDER BY`, ` AND ((t.lat = 0 AND t.lon = 0) OR (`+box+`)) ORDER BY`, 1)
	all, err := records[collab.Task](ctx, db, query, append(args, lo.Lat, hi.Lat, lo.Lon, hi.Lon)...)
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
	if e.Created.IsZero() {
		e.Created = db.now()
	}
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO events (design_id, actor, kind, summary, link, created_at) VALUES (?, ?, ?, ?, ?, ?)`, e.DesignID, e.Actor, e.Kind, e.Summary, e.Link, timeText(e.Created))
	return err
}

// Events pages through a design's or a person's activity, newest first.
func (db *DB) Events(ctx context.Context, designID, actor string, limit, offset int) ([]collab.Event, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	query, args := `SELECT id, design_id, actor, kind, summary, link, created_at FROM events WHERE 1 = 1`, []any{}
	if designID != "" {
		query += ` AND design_id = ?`
		args = append(args, designID)
	}
	if actor != "" {
		query += ` AND actor = ?`
		args = append(args, actor)
	}
	rows, err := db.q(ctx).QueryContext(ctx, query+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []collab.Event{}
	for rows.Next() {
		var e collab.Event
		var created string
		if err := rows.Scan(&e.ID, &e.DesignID, &e.Actor, &e.Kind, &e.Summary, &e.Link, &created); err != nil {
			return nil, err
		}
		e.Created = parseTime(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CountFailures counts a key's failed attempts since a time.
func (db *DB) CountFailures(ctx context.Context, kind, key string, since time.Time) (int, time.Time, time.Time, error) {
	var n int
	var first, last sql.NullString
	err := db.q(ctx).QueryRowContext(ctx, `SELECT count(*), min(at), max(at) FROM auth_failures WHERE kind = ? AND key = ? AND at >= ?`, kind, key, timeKey(since)).Scan(&n, &first, &last)
	return n, parseTime(first.String), parseTime(last.String), err
}

// AddFailure records a failed attempt and forgets those older than a day.
func (db *DB) AddFailure(ctx context.Context, kind, key string, at time.Time) error {
	return db.Atomically(ctx, func(ctx context.Context) error {
		if _, err := db.q(ctx).ExecContext(ctx, `DELETE FROM auth_failures WHERE at < ?`, timeKey(at.Add(-24*time.Hour))); err != nil {
			return err
		}
		_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO auth_failures (kind, key, at) VALUES (?, ?, ?)`, kind, key, timeKey(at))
		return err
	})
}

// ForgetFailures forgets a key's failed attempts.
func (db *DB) ForgetFailures(ctx context.Context, kind, key string) error {
	_, err := db.q(ctx).ExecContext(ctx, `DELETE FROM auth_failures WHERE kind = ? AND key = ?`, kind, key)
	return err
}
