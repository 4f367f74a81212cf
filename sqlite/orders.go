package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/order"
)

var _ order.Store = (*DB)(nil)

func newUUID() (string, error) {
	id, err := uuid.NewV7()
	return id.String(), err
}

// CreateOrder stores an order and its requests in one transaction.
func (db *DB) CreateOrder(ctx context.Context, o *order.Order) error {
	return db.Atomically(ctx, func(ctx context.Context) error {
		var err error
		if o.ID == "" {
			if o.ID, err = newUUID(); err != nil {
				return err
			}
		}
		o.Created = db.now()
		head := *o
		head.Requests = nil
		data, err := json.Marshal(head)
		if err != nil {
			return err
		}
		if _, err := db.q(ctx).ExecContext(ctx, `INSERT INTO orders (id, person, created_at, data) VALUES (?, ?, ?, ?)`, o.ID, o.Person, timeKey(o.Created), string(data)); err != nil {
			return err
		}
		for i := range o.Requests {
			o.Requests[i].OrderID = o.ID
			if err := db.AddRequest(ctx, &o.Requests[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddRequest adds a request to a stored order.
func (db *DB) AddRequest(ctx context.Context, r *order.Request) error {
	var err error
	if r.ID == "" {
		if r.ID, err = newUUID(); err != nil {
			return err
		}
	}
	r.Updated = db.now()
	data, err := requestJSON(r)
	if err != nil {
		return err
	}
	_, err = db.q(ctx).ExecContext(ctx, `INSERT INTO order_requests (id, order_id, facility_id, state, updated_at, data) VALUES (?, ?, ?, ?, ?, ?)`,
		r.ID, r.OrderID, r.FacilityID, string(r.State), timeKey(r.Updated), data)
	return err
}

func requestJSON(r *order.Request) (string, error) {
	c := *r
	c.Events = nil
	b, err := json.Marshal(c)
	return string(b), err
}

// Order reads an order with its requests and their events.
func (db *DB) Order(ctx context.Context, id string) (*order.Order, error) {
	var data string
	err := db.q(ctx).QueryRowContext(ctx, `SELECT data FROM orders WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("order", id)
	}
	if err != nil {
		return nil, err
	}
	var o order.Order
	if err := json.Unmarshal([]byte(data), &o); err != nil {
		return nil, err
	}
	o.Requests, err = records[order.Request](ctx, db, `SELECT data FROM order_requests WHERE order_id = ? ORDER BY rowid`, id)
	if err != nil {
		return nil, err
	}
	for i := range o.Requests {
		if o.Requests[i].Events, err = db.orderEvents(ctx, o.Requests[i].ID); err != nil {
			return nil, err
		}
	}
	return &o, nil
}

func (db *DB) orderEvents(ctx context.Context, requestID string) ([]order.Event, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT request_id, kind, state, by_name, at, text FROM order_events WHERE request_id = ? ORDER BY seq`, requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []order.Event
	for rows.Next() {
		var e order.Event
		var state, at string
		if err := rows.Scan(&e.RequestID, &e.Kind, &state, &e.By, &at, &e.Text); err != nil {
			return nil, err
		}
		e.State, e.At = order.State(state), parseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Orders lists a person's orders, newest first, with their requests.
func (db *DB) Orders(ctx context.Context, person string, limit int) ([]order.Order, error) {
	if limit <= 0 {
		limit = 100
	}
	os, err := records[order.Order](ctx, db, `SELECT data FROM orders WHERE person = ? ORDER BY created_at DESC, id DESC LIMIT ?`, person, limit)
	if err != nil {
		return nil, err
	}
	for i := range os {
		if os[i].Requests, err = records[order.Request](ctx, db, `SELECT data FROM order_requests WHERE order_id = ? ORDER BY rowid`, os[i].ID); err != nil {
			return nil, err
		}
	}
	return os, nil
}

// OrderRequest reads one request with its events.
func (db *DB) OrderRequest(ctx context.Context, id string) (*order.Request, error) {
	var data string
	err := db.q(ctx).QueryRowContext(ctx, `SELECT data FROM order_requests WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("order request", id)
	}
	if err != nil {
		return nil, err
	}
	var r order.Request
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return nil, err
	}
	r.Events, err = db.orderEvents(ctx, id)
	return &r, err
}

// RequestsAt lists a workshop's requests, newest first.
func (db *DB) RequestsAt(ctx context.Context, facilityID string, open bool, limit int) ([]order.Request, error) {
	if limit <= 0 {
		limit = 200
	}
	q := `SELECT data FROM order_requests WHERE facility_id = ?`
	if open {
		q += ` AND state NOT IN ('collected', 'declined', 'cancelled')`
	}
	return records[order.Request](ctx, db, q+` ORDER BY updated_at DESC, id DESC LIMIT ?`, facilityID, limit)
}

// UpdateRequest stores r if its state is still from, with its event.
func (db *DB) UpdateRequest(ctx context.Context, r *order.Request, from order.State, ev order.Event) error {
	return db.Atomically(ctx, func(ctx context.Context) error {
		r.Updated = db.now()
		data, err := requestJSON(r)
		if err != nil {
			return err
		}
		res, err := db.q(ctx).ExecContext(ctx, `UPDATE order_requests SET state = ?, updated_at = ?, data = ? WHERE id = ? AND state = ?`,
			string(r.State), timeKey(r.Updated), data, r.ID, string(from))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := db.OrderRequest(ctx, r.ID); err != nil {
				return err
			}
			return &dgml.Error{Kind: dgml.Conflict, Field: "state", Msg: fmt.Sprintf("the request changed meanwhile (it is no longer %s); reload it", from)}
		}
		ev.RequestID = r.ID
		return db.AddOrderEvent(ctx, ev)
	})
}

// SetUnplaced replaces an order's unplaced lines.
func (db *DB) SetUnplaced(ctx context.Context, orderID string, lines []order.Line) error {
	return db.Atomically(ctx, func(ctx context.Context) error {
		o, err := db.Order(ctx, orderID)
		if err != nil {
			return err
		}
		o.Requests, o.Unplaced = nil, lines
		data, err := json.Marshal(o)
		if err != nil {
			return err
		}
		_, err = db.q(ctx).ExecContext(ctx, `UPDATE orders SET data = ? WHERE id = ?`, string(data), orderID)
		return err
	})
}

// AddOrderEvent records a change or a message on a request.
func (db *DB) AddOrderEvent(ctx context.Context, ev order.Event) error {
	if ev.At.IsZero() {
		ev.At = db.now()
	}
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO order_events (request_id, kind, state, by_name, at, text) VALUES (?, ?, ?, ?, ?, ?)`,
		ev.RequestID, ev.Kind, string(ev.State), ev.By, timeKey(ev.At), ev.Text)
	return err
}

// Notify puts a line in a person's inbox.
func (db *DB) Notify(ctx context.Context, n order.Notification) error {
	if n.At.IsZero() {
		n.At = db.now()
	}
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO notifications (user_id, at, text, link) VALUES (?, ?, ?, ?)`, n.UserID, timeKey(n.At), n.Text, n.Link)
	return err
}

// Notifications lists a person's inbox, newest first.
func (db *DB) Notifications(ctx context.Context, userID string, limit int) ([]order.Notification, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT id, user_id, at, text, link, read FROM notifications WHERE user_id = ? ORDER BY id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []order.Notification
	for rows.Next() {
		var n order.Notification
		var at string
		if err := rows.Scan(&n.ID, &n.UserID, &at, &n.Text, &n.Link, &n.Read); err != nil {
			return nil, err
		}
		n.At = parseTime(at)
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkRead marks a person's notifications up to upTo as read.
func (db *DB) MarkRead(ctx context.Context, userID string, upTo int64) error {
	_, err := db.q(ctx).ExecContext(ctx, `UPDATE notifications SET read = 1 WHERE user_id = ? AND id <= ?`, userID, upTo)
	return err
}
