package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/order"
)

var _ order.Store = (*DB)(nil)

// CreateOrder stores an order and its requests in one transaction.
func (db *DB) CreateOrder(ctx context.Context, o *order.Order) error {
	return db.Atomically(ctx, func(ctx context.Context) error {
		if o.ID == "" {
			o.ID = newID()
		}
		o.Created = db.now()
		head := *o
		head.Requests = nil
		data, err := json.Marshal(head)
		if err != nil {
			return err
		}
		if _, err := db.q(ctx).Exec(ctx, `INSERT INTO orders (id, person, created_at, data) VALUES ($1, $2, $3, $4)`, o.ID, o.Person, o.Created, data); err != nil {
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
	if r.ID == "" {
		r.ID = newID()
	}
	r.Updated = db.now()
	data, err := requestJSON(r)
	if err != nil {
		return err
	}
	_, err = db.q(ctx).Exec(ctx, `INSERT INTO order_requests (id, order_id, facility_id, state, updated_at, data) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.ID, r.OrderID, r.FacilityID, string(r.State), r.Updated, data)
	return err
}

func requestJSON(r *order.Request) ([]byte, error) {
	c := *r
	c.Events = nil
	return json.Marshal(c)
}

// Order reads an order with its requests and their events.
func (db *DB) Order(ctx context.Context, id string) (*order.Order, error) {
	if !isUUID(id) {
		return nil, notFound("order", id)
	}
	var o order.Order
	err := db.q(ctx).QueryRow(ctx, `SELECT data FROM orders WHERE id = $1`, id).Scan(&o)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("order", id)
	}
	if err != nil {
		return nil, err
	}
	o.Requests, err = records[order.Request](ctx, db, `SELECT data FROM order_requests WHERE order_id = $1 ORDER BY id`, id)
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
	rows, err := db.q(ctx).Query(ctx, `SELECT request_id::text, kind, state, by_name, at, text FROM order_events WHERE request_id = $1 ORDER BY seq`, requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []order.Event
	for rows.Next() {
		var e order.Event
		var state string
		if err := rows.Scan(&e.RequestID, &e.Kind, &state, &e.By, &e.At, &e.Text); err != nil {
			return nil, err
		}
		e.State, e.At = order.State(state), e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// Orders lists a person's orders, newest first, with their requests.
func (db *DB) Orders(ctx context.Context, person string, limit int) ([]order.Order, error) {
	if limit <= 0 {
		limit = 100
	}
	os, err := records[order.Order](ctx, db, `SELECT data FROM orders WHERE person = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, person, limit)
	if err != nil {
		return nil, err
	}
	for i := range os {
		if os[i].Requests, err = records[order.Request](ctx, db, `SELECT data FROM order_requests WHERE order_id = $1 ORDER BY id`, os[i].ID); err != nil {
			return nil, err
		}
	}
	return os, nil
}

// OrderRequest reads one request with its events.
func (db *DB) OrderRequest(ctx context.Context, id string) (*order.Request, error) {
	if !isUUID(id) {
		return nil, notFound("order request", id)
	}
	var r order.Request
	err := db.q(ctx).QueryRow(ctx, `SELECT data FROM order_requests WHERE id = $1`, id).Scan(&r)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("order request", id)
	}
	if err != nil {
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
	q := `SELECT data FROM order_requests WHERE facility_id = $1`
	if open {
		q += ` AND state NOT IN ('collected', 'declined', 'cancelled')`
	}
	return records[order.Request](ctx, db, q+` ORDER BY updated_at DESC, id DESC LIMIT $2`, facilityID, limit)
}

// UpdateRequest stores r if its state is still from, with its event.
func (db *DB) UpdateRequest(ctx context.Context, r *order.Request, from order.State, ev order.Event) error {
	if !isUUID(r.ID) {
		return notFound("order request", r.ID)
	}
	return db.Atomically(ctx, func(ctx context.Context) error {
		r.Updated = db.now()
		data, err := requestJSON(r)
		if err != nil {
			return err
		}
		tag, err := db.q(ctx).Exec(ctx, `UPDATE order_requests SET state = $1, updated_at = $2, data = $3 WHERE id = $4 AND state = $5`,
			string(r.State), r.Updated, data, r.ID, string(from))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
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
		_, err = db.q(ctx).Exec(ctx, `UPDATE orders SET data = $1 WHERE id = $2`, data, orderID)
		return err
	})
}

// AddOrderEvent records a change or a message on a request.
func (db *DB) AddOrderEvent(ctx context.Context, ev order.Event) error {
	if ev.At.IsZero() {
		ev.At = db.now()
	}
	if !isUUID(ev.RequestID) {
		return notFound("order request", ev.RequestID)
	}
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO order_events (request_id, kind, state, by_name, at, text) VALUES ($1, $2, $3, $4, $5, $6)`,
		ev.RequestID, ev.Kind, string(ev.State), ev.By, ev.At, ev.Text)
	return err
}

// Notify puts a line in a person's inbox.
func (db *DB) Notify(ctx context.Context, n order.Notification) error {
	if n.At.IsZero() {
		n.At = db.now()
	}
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO notifications (user_id, at, text, link) VALUES ($1, $2, $3, $4)`, n.UserID, n.At, n.Text, n.Link)
	return err
}

// Notifications lists a person's inbox, newest first.
func (db *DB) Notifications(ctx context.Context, userID string, limit int) ([]order.Notification, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := db.q(ctx).Query(ctx, `SELECT id, user_id, at, text, link, read FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []order.Notification
	for rows.Next() {
		var n order.Notification
		if err := rows.Scan(&n.ID, &n.UserID, &n.At, &n.Text, &n.Link, &n.Read); err != nil {
			return nil, err
		}
		n.At = n.At.UTC()
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkRead marks a person's notifications up to upTo as read.
func (db *DB) MarkRead(ctx context.Context, userID string, upTo int64) error {
	_, err := db.q(ctx).Exec(ctx, `UPDATE notifications SET read = true WHERE user_id = $1 AND id <= $2`, userID, upTo)
	return err
}
