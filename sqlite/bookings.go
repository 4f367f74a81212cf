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
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/facility"
)

var _ booking.Store = (*DB)(nil)

// writeMachines keeps the machines table in step with a facility's list:
// a machine without an id gets a new one, a machine listed before keeps
// its row, and one no longer listed is marked removed, never deleted.
func (db *DB) writeMachines(ctx context.Context, f *facility.Facility, insert bool) error {
	tx := db.q(ctx)
	now := timeKey(db.now())
	if !insert { // a new workshop has no machines to retire
		if _, err := tx.ExecContext(ctx, `UPDATE machines SET removed_at = ? WHERE facility_id = ? AND removed_at IS NULL`, now, f.ID); err != nil {
			return err
		}
	}
	for i := range f.Machines {
		m := &f.Machines[i]
		m.Removed = nil
		if m.ID == "" {
			id, err := uuid.NewV7()
			if err != nil {
				return err
			}
			m.ID = id.String()
		}
		data, err := json.Marshal(m)
		if err != nil {
			return err
		}
		// An id given may be another workshop's machine: then the
		// update's condition fails, no row changes, and that is refused.
		res, err := tx.ExecContext(ctx, `INSERT INTO machines (id, facility_id, position, data) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET position = excluded.position, data = excluded.data, removed_at = NULL
			WHERE machines.facility_id = excluded.facility_id`, m.ID, f.ID, i, string(data))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return &dgml.Error{Kind: dgml.Conflict, Field: fmt.Sprintf("machines[%d].id", i), Msg: fmt.Sprintf("machine %s belongs to another workshop; leave the id out to add a new machine", m.ID)}
		}
	}
	return nil
}

// Machine finds a machine by id, also a removed one.
func (db *DB) Machine(ctx context.Context, id string) (*facility.Machine, string, error) {
	var data, fid string
	var removed sql.NullString
	err := db.q(ctx).QueryRowContext(ctx, `SELECT data, facility_id, removed_at FROM machines WHERE id = ?`, id).Scan(&data, &fid, &removed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", notFound("machine", id)
	}
	if err != nil {
		return nil, "", err
	}
	var m facility.Machine
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		return nil, "", err
	}
	if removed.Valid {
		t := parseTime(removed.String)
		m.Removed = &t
	}
	return &m, fid, nil
}

// Book checks and inserts in one transaction; SQLite's immediate
// transactions take the write lock at BEGIN, so no other booking can be
// stored between the check and the insert.
func (db *DB) Book(ctx context.Context, b *booking.Booking, now time.Time) error {
	if b.Status == "" {
		b.Status = booking.Active
	}
	if b.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		b.ID = id.String()
	}
	b.Created = now.UTC()
	if err := b.Check(); err != nil {
		return err
	}
	return db.Atomically(ctx, func(ctx context.Context) error {
		tx := db.q(ctx)
		if _, err := tx.ExecContext(ctx, `UPDATE bookings SET status = 'expired' WHERE machine_id = ? AND status = 'active' AND kind = 'hold' AND expires_at <= ?`, b.MachineID, timeKey(now)); err != nil {
			return err
		}
		var other string
		err := tx.QueryRowContext(ctx, `SELECT id FROM bookings WHERE machine_id = ? AND unit = ? AND status = 'active' AND starts_at < ? AND ends_at > ? LIMIT 1`,
			b.MachineID, b.Unit, timeKey(b.End), timeKey(b.Start)).Scan(&other)
		if err == nil {
			return booking.Overlap(b.MachineID, other)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var expires any
		if b.Expires != nil {
			expires = timeKey(*b.Expires)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO bookings (id, machine_id, facility_id, unit, kind, status, starts_at, ends_at, expires_at, person, job, note, price, currency, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			b.ID, b.MachineID, b.FacilityID, b.Unit, string(b.Kind), b.Status, timeKey(b.Start), timeKey(b.End), expires, b.Person, b.Job, b.Note, b.Price, b.Currency, timeKey(b.Created))
		if err != nil && strings.Contains(err.Error(), "FOREIGN KEY") {
			return notFound("machine", b.MachineID)
		}
		return err
	})
}

const bookingColumns = `id, machine_id, facility_id, unit, kind, status, starts_at, ends_at, expires_at, person, job, note, price, currency, created_at, cancelled_at, cancelled_by`

func scanBooking(row interface{ Scan(...any) error }) (*booking.Booking, error) {
	var b booking.Booking
	var kind, start, end, created string
	var expires, cancelled sql.NullString
	if err := row.Scan(&b.ID, &b.MachineID, &b.FacilityID, &b.Unit, &kind, &b.Status, &start, &end, &expires, &b.Person, &b.Job, &b.Note, &b.Price, &b.Currency, &created, &cancelled, &b.CancelledBy); err != nil {
		return nil, err
	}
	b.Kind = booking.Kind(kind)
	b.Start, b.End, b.Created = parseTime(start), parseTime(end), parseTime(created)
	if expires.Valid {
		t := parseTime(expires.String)
		b.Expires = &t
	}
	if cancelled.Valid {
		t := parseTime(cancelled.String)
		b.Cancelled = &t
	}
	return &b, nil
}

// Booking finds a booking by id.
func (db *DB) Booking(ctx context.Context, id string) (*booking.Booking, error) {
	b, err := scanBooking(db.q(ctx).QueryRowContext(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("booking", id)
	}
	return b, err
}

// CancelBooking marks an active booking cancelled.
func (db *DB) CancelBooking(ctx context.Context, id, by string, at time.Time) error {
	return db.Atomically(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `UPDATE bookings SET status = 'cancelled', cancelled_at = ?, cancelled_by = ? WHERE id = ? AND status = 'active'`, timeKey(at), by, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := db.Booking(ctx, id); err != nil {
				return err
			}
			return &dgml.Error{Kind: dgml.Conflict, Msg: fmt.Sprintf("booking %s is not active", id)}
		}
		return nil
	})
}

// ConfirmHold turns an unexpired hold into a booking of kind.
func (db *DB) ConfirmHold(ctx context.Context, id string, kind booking.Kind, now time.Time) error {
	return db.Atomically(ctx, func(ctx context.Context) error {
		res, err := db.q(ctx).ExecContext(ctx, `UPDATE bookings SET kind = ?, expires_at = NULL WHERE id = ? AND kind = 'hold' AND status = 'active' AND expires_at > ?`, string(kind), id, timeKey(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := db.Booking(ctx, id); err != nil {
				return err
			}
			return &dgml.Error{Kind: dgml.Conflict, Msg: fmt.Sprintf("booking %s is not a hold any more (it lapsed, or was confirmed or cancelled)", id)}
		}
		return nil
	})
}

// Bookings lists bookings by start time.
func (db *DB) Bookings(ctx context.Context, f booking.Filter) ([]booking.Booking, error) {
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if f.Machine != "" {
		add("machine_id = ?", f.Machine)
	}
	if f.Facility != "" {
		add("facility_id = ?", f.Facility)
	}
	if f.Person != "" {
		add("person = ?", f.Person)
	}
	if !f.From.IsZero() {
		add("ends_at > ?", timeKey(f.From))
	}
	if !f.To.IsZero() {
		add("starts_at < ?", timeKey(f.To))
	}
	if !f.All {
		add("status = ?", booking.Active)
	}
	q := `SELECT ` + bookingColumns + ` FROM bookings`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY starts_at, unit, id`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := db.q(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []booking.Booking
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *b)
	}
	return out, rows.Err()
}
