package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/ledger"
)

var _ ledger.Store = (*DB)(nil)

// AddLedgerEvents stores events not stored yet.
func (db *DB) AddLedgerEvents(ctx context.Context, events ...ledger.Event) error {
	return db.Atomically(ctx, func(ctx context.Context) error {
		for _, e := range events {
			if e.ID == "" {
				return &dgml.Error{Kind: dgml.Invalid, Msg: "an event must be sealed before it is stored"}
			}
			if _, err := db.exec(ctx, `INSERT INTO ledger_events (id, action, provider, receiver, design, realization, corrects, node, at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
				e.ID, e.Action, e.Provider, e.Receiver, e.Design, e.RealizationOf, e.Corrects, e.Node, e.At, string(e.Canonical())); err != nil {
				return err
			}
		}
		return nil
	})
}

// LedgerEvents lists the events f selects, oldest first.
func (db *DB) LedgerEvents(ctx context.Context, f ledger.Filter) ([]ledger.Stored, error) {
	where, args := []string{`seq > ?`}, []any{f.After}
	if len(f.Designs) > 0 {
		where = append(where, `design IN (?`+strings.Repeat(`, ?`, len(f.Designs)-1)+`)`)
		for _, d := range f.Designs {
			args = append(args, d)
		}
	}
	if f.Agent != "" {
		where = append(where, `(provider = ? OR receiver = ?)`)
		args = append(args, f.Agent, f.Agent)
	}
	if f.Action != "" {
		where = append(where, `action = ?`)
		args = append(args, f.Action)
	}
	if f.Order != "" {
		where = append(where, `realization = ?`)
		args = append(args, f.Order)
	}
	if f.ID != "" {
		where = append(where, `id = ?`)
		args = append(args, f.ID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 100000 {
		limit = 100000
	}
	order := "ASC"
	if f.Newest {
		order = "DESC"
	}
	rows, err := db.query(ctx, `SELECT seq, id, body FROM ledger_events WHERE `+strings.Join(where, ` AND `)+` ORDER BY seq `+order+` LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ledger.Stored
	for rows.Next() {
		s, err := scanLedgerEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if f.Newest {
		slices.Reverse(out)
	}
	return out, rows.Err()
}

func scanLedgerEvent(rows pgx.Rows) (ledger.Stored, error) {
	var s ledger.Stored
	var body string
	if err := rows.Scan(&s.Seq, &s.ID, &body); err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(body), &s.Event); err != nil {
		return s, err
	}
	return s, nil
}

// EachLedgerEvent calls fn for every event, oldest first, in pages so
// that no read holds the database while fn works.
func (db *DB) EachLedgerEvent(ctx context.Context, fn func(ledger.Stored) error) error {
	var after int64
	for {
		page, err := db.LedgerEvents(ctx, ledger.Filter{After: after, Limit: 5000})
		if err != nil {
			return err
		}
		for _, s := range page {
			if err := fn(s); err != nil {
				return err
			}
		}
		if len(page) < 5000 {
			return nil
		}
		after = page[len(page)-1].Seq
	}
}

// PutValuePolicy stores p as its owner's current policy.
func (db *DB) PutValuePolicy(ctx context.Context, owner string, p ledger.Policy, by string) error {
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = db.exec(ctx, `INSERT INTO value_policies (owner, hash, body, set_by, created_at) VALUES (?, ?, ?, ?, ?)`, owner, p.Hash(), string(body), by, db.now())
	return err
}

// ValuePolicy is the owner's newest policy.
func (db *DB) ValuePolicy(ctx context.Context, owner string) (*ledger.Policy, error) {
	return db.policy(ctx, `owner = ? ORDER BY seq DESC`, owner)
}

// ValuePolicyByHash finds a policy by its hash, current or not.
func (db *DB) ValuePolicyByHash(ctx context.Context, hash string) (*ledger.Policy, error) {
	return db.policy(ctx, `hash = ?`, hash)
}

func (db *DB) policy(ctx context.Context, where string, arg string) (*ledger.Policy, error) {
	var body string
	err := db.queryRow(ctx, `SELECT body FROM value_policies WHERE `+where+` LIMIT 1`, arg).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var p ledger.Policy
	return &p, json.Unmarshal([]byte(body), &p)
}

// AddDistribution stores a distribution's result.
func (db *DB) AddDistribution(ctx context.Context, d *ledger.Distribution) error {
	body, err := json.Marshal(d)
	if err != nil {
		return err
	}
	_, err = db.exec(ctx, `INSERT INTO distributions (id, order_ref, design, policy, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`, d.ID, d.Order, d.Design, d.Policy, string(body), db.now())
	if isUnique(err) {
		return &dgml.Error{Kind: dgml.Conflict, Msg: "this distribution is stored already"}
	}
	return err
}

// Distributions lists an agreement's (or a design's) distributions,
// oldest first.
func (db *DB) Distributions(ctx context.Context, order, design string) ([]ledger.Distribution, error) {
	rows, err := db.query(ctx, `SELECT body FROM distributions WHERE (order_ref = ? OR ? = '') AND (design = ? OR ? = '') ORDER BY created_at, id LIMIT 10000`, order, order, design, design)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ledger.Distribution
	for rows.Next() {
		var body string
		var d ledger.Distribution
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Distribution finds one by id.
func (db *DB) Distribution(ctx context.Context, id string) (*ledger.Distribution, error) {
	var body string
	err := db.queryRow(ctx, `SELECT body FROM distributions WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("distribution", id)
	}
	if err != nil {
		return nil, err
	}
	var d ledger.Distribution
	return &d, json.Unmarshal([]byte(body), &d)
}

// AddMoney stores a movement and its rows together.
func (db *DB) AddMoney(ctx context.Context, g *ledger.Group) error {
	if err := g.Validate(); err != nil {
		return err
	}
	return db.Atomically(ctx, func(ctx context.Context) error {
		var confirmed any
		if g.Confirmed != nil {
			confirmed = *g.Confirmed
		}
		if _, err := db.exec(ctx, `INSERT INTO money_groups (id, kind, currency, ref, memo, recorded_by, confirmer, confirmed_at, event, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			g.ID, g.Kind, g.Currency, g.Ref, g.Memo, g.By, g.Confirmer, confirmed, g.Event, g.Created); err != nil {
			return err
		}
		for i, r := range g.Rows {
			if _, err := db.exec(ctx, `INSERT INTO money_rows (group_id, n, account, amount, note) VALUES (?, ?, ?, ?, ?)`, g.ID, i, r.Account, r.Amount, r.Note); err != nil {
				return err
			}
		}
		return nil
	})
}

const groupColumns = `id, kind, currency, ref, memo, recorded_by, confirmer, confirmed_at, event, created_at`

// MoneyGroup finds a movement with its rows.
func (db *DB) MoneyGroup(ctx context.Context, id string) (*ledger.Group, error) {
	gs, err := db.groups(ctx, `id = ?`, []any{id}, 1)
	if err != nil {
		return nil, err
	}
	if len(gs) == 0 {
		return nil, notFound("payment", id)
	}
	return &gs[0], nil
}

// ConfirmMoney marks a movement confirmed, once.
func (db *DB) ConfirmMoney(ctx context.Context, id string, at time.Time) error {
	res, err := db.exec(ctx, `UPDATE money_groups SET confirmed_at = ? WHERE id = ? AND confirmer <> '' AND confirmed_at IS NULL`, at, id)
	if err != nil {
		return err
	}
	if res.RowsAffected() == 0 {
		if _, err := db.MoneyGroup(ctx, id); err != nil {
			return err
		}
		return &dgml.Error{Kind: dgml.Conflict, Msg: "this movement is confirmed already, or needs no confirmation"}
	}
	return nil
}

// MoneyGroups lists the movements touching account and/or with ref,
// newest first.
func (db *DB) MoneyGroups(ctx context.Context, account, ref string, limit int) ([]ledger.Group, error) {
	where, args := []string{`1 = 1`}, []any{}
	if account != "" {
		where = append(where, `id IN (SELECT group_id FROM money_rows WHERE account = ?)`)
		args = append(args, account)
	}
	if ref != "" {
		where = append(where, `ref = ?`)
		args = append(args, ref)
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	return db.groups(ctx, strings.Join(where, ` AND `), args, limit)
}

func (db *DB) groups(ctx context.Context, where string, args []any, limit int) ([]ledger.Group, error) {
	rows, err := db.query(ctx, `SELECT `+groupColumns+` FROM money_groups WHERE `+where+` ORDER BY created_at DESC, id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	var out []ledger.Group
	for rows.Next() {
		var g ledger.Group
		var confirmed *time.Time
		if err := rows.Scan(&g.ID, &g.Kind, &g.Currency, &g.Ref, &g.Memo, &g.By, &g.Confirmer, &confirmed, &g.Event, &g.Created); err != nil {
			rows.Close()
			return nil, err
		}
		g.Confirmed = confirmed
		out = append(out, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		rs, err := db.query(ctx, `SELECT account, amount, note FROM money_rows WHERE group_id = ? ORDER BY n`, out[i].ID)
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var r ledger.Row
			if err := rs.Scan(&r.Account, &r.Amount, &r.Note); err != nil {
				rs.Close()
				return nil, err
			}
			out[i].Rows = append(out[i].Rows, r)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Balances sums counted rows by account and currency.
func (db *DB) Balances(ctx context.Context, accounts ...string) ([]ledger.Balance, error) {
	where, args := ``, []any{}
	if len(accounts) > 0 {
		where = ` AND r.account IN (?` + strings.Repeat(`, ?`, len(accounts)-1) + `)`
		for _, a := range accounts {
			args = append(args, a)
		}
	}
	rows, err := db.query(ctx, `SELECT r.account, g.currency, sum(r.amount), sum(CASE WHEN r.amount > 0 THEN r.amount ELSE 0 END), sum(CASE WHEN r.amount < 0 THEN -r.amount ELSE 0 END)
		FROM money_rows r JOIN money_groups g ON g.id = r.group_id
		WHERE (g.confirmer = '' OR g.confirmed_at IS NOT NULL)`+where+`
		GROUP BY r.account, g.currency ORDER BY r.account, g.currency`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ledger.Balance
	for rows.Next() {
		var b ledger.Balance
		if err := rows.Scan(&b.Account, &b.Currency, &b.Amount, &b.In, &b.Out); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// rebind numbers the ? placeholders of the ledger's queries ($1, $2…),
// which are built with lists of any length; none has a ? elsewhere.
func rebind(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (db *DB) exec(ctx context.Context, q string, args ...any) (pgconn.CommandTag, error) {
	return db.q(ctx).Exec(ctx, rebind(q), args...)
}

func (db *DB) query(ctx context.Context, q string, args ...any) (pgx.Rows, error) {
	return db.q(ctx).Query(ctx, rebind(q), args...)
}

func (db *DB) queryRow(ctx context.Context, q string, args ...any) pgx.Row {
	return db.q(ctx).QueryRow(ctx, rebind(q), args...)
}
