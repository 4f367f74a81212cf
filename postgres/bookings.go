package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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
	now := db.now()
	if !insert { // a new workshop has no machines to retire
		if _, err := tx.Exec(ctx, `UPDATE machines SET removed_at = $1 WHERE facility_id = $2 AND removed_at IS NULL`, now, f.ID); err != nil {
			return err
		}
	}
	for i := range f.Machines {
		m := &f.Machines[i]
		m.Removed = nil
		if m.ID == "" {
			m.ID = newID()
		}
		// An id given may be another workshop's machine: then the
		// update's condition fails, no row changes, and that is refused.
		tag, err := tx.Exec(ctx, `INSERT INTO machines (id, facility_id, position, data) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET position = excluded.position, data = excluded.data, removed_at = NULL
			WHERE machines.facility_id = excluded.facility_id`, m.ID, f.ID, i, m)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return &dgml.Error{Kind: dgml.Conflict, Field: fmt.Sprintf("machines[%d].id", i), Msg: fmt.Sprintf("machine %s belongs to another workshop; leave the id out to add a new machine", m.ID)}
		}
	}
	return nil
}

// Machine finds a machine by id, also a removed one.
func (db *DB) Machine(ctx context.Context, id string) (*facility.Machine, string, error) {
	var m facility.Machine
	var fid string
	var removed *time.Time
	err := db.q(ctx).QueryRow(ctx, `SELECT data, facility_id, removed_at FROM machines WHERE id = $1`, id).Scan(&m, &fid, &removed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", notFound("machine", id)
	}
	if err != nil {
		return nil, "", err
	}
	if removed != nil {
		t := removed.UTC()
		m.Removed = &t
	}
	return &m, fid, nil
}

// Book stores a booking. The exclusion constraint bookings_no_overlap is
// what keeps two racing bookings apart; the check before the insert only
// names the booking met, for the error.
func (db *DB) Book(ctx context.Context, b *booking.Booking, now time.Time) error {
	if b.Status == "" {
		b.Status = booking.Active
	}
	if b.ID == "" {
		b.ID = newID()
	}
	b.Created = now.UTC()
	if err := b.Check(); err != nil {
		return err
	}
	return db.Atomically(ctx, func(ctx context.Context) error {
		tx := db.q(ctx)
		if _, err := tx.Exec(ctx, `UPDATE bookings SET status = 'expired' WHERE machine_id = $1 AND status = 'active' AND kind = 'hold' AND expires_at <= $2`, b.MachineID, now); err != nil {
			return err
		}
		var other string
		err := tx.QueryRow(ctx, `SELECT id::text FROM bookings WHERE machine_id = $1 AND unit = $2 AND status = 'active' AND starts_at < $3 AND ends_at > $4 LIMIT 1`,
			b.MachineID, b.Unit, b.End, b.Start).Scan(&other)
		if err == nil {
			return booking.Overlap(b.MachineID, other)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO bookings (id, machine_id, facility_id, unit, kind, status, starts_at, ends_at, expires_at, person, job, note, price, currency, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			b.ID, b.MachineID, b.FacilityID, b.Unit, string(b.Kind), b.Status, b.Start, b.End, b.Expires, b.Person, b.Job, b.Note, b.Price, b.Currency, b.Created)
		var pe *pgconn.PgError
		switch {
		case errors.As(err, &pe) && pe.Code == "23P01": // exclusion_violation
			return booking.Overlap(b.MachineID, "")
		case errors.As(err, &pe) && pe.Code == "23503": // foreign_key_violation
			return notFound("machine", b.MachineID)
		}
		return err
	})
}

const bookingColumns = `id::text, machine_id, facility_id, unit, kind, status, starts_at, ends_at, expires_at, person, job, note, price, currency, created_at, cancelled_at, cancelled_by`

func scanBooking(row pgx.Row) (*booking.Booking, error) {
	var b booking.Booking
	var kind string
	if err := row.Scan(&b.ID, &b.MachineID, &b.FacilityID, &b.Unit, &kind, &b.Status, &b.Start, &b.End, &b.Expires, &b.Person, &b.Job, &b.Note, &b.Price, &b.Currency, &b.Created, &b.Cancelled, &b.CancelledBy); err != nil {
		return nil, err
	}
	b.Kind = booking.Kind(kind)
	b.Start, b.End, b.Created = b.Start.UTC(), b.End.UTC(), b.Created.UTC()
	for _, t := range []*time.Time{b.Expires, b.Cancelled} {
		if t != nil {
			*t = t.UTC()
		}
	}
	return &b, nil
}

// Booking finds a booking by id.
func (db *DB) Booking(ctx context.Context, id string) (*booking.Booking, error) {
	if !isUUID(id) {
		return nil, notFound("booking", id)
	}
	b, err := scanBooking(db.q(ctx).QueryRow(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("booking", id)
	}
	return b, err
}

// CancelBooking marks an active booking cancelled.
func (db *DB) CancelBooking(ctx context.Context, id, by string, at time.Time) error {
	if !isUUID(id) {
		return notFound("booking", id)
	}
	return db.Atomically(ctx, func(ctx context.Context) error {
		tag, err := db.q(ctx).Exec(ctx, `UPDATE bookings SET status = 'cancelled', cancelled_at = $1, cancelled_by = $2 WHERE id = $3 AND status = 'active'`, at, by, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
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
	if !isUUID(id) {
		return notFound("booking", id)
	}
	return db.Atomically(ctx, func(ctx context.Context) error {
		tag, err := db.q(ctx).Exec(ctx, `UPDATE bookings SET kind = $1, expires_at = NULL WHERE id = $2 AND kind = 'hold' AND status = 'active' AND expires_at > $3`, string(kind), id, now)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
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
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Machine != "" {
		add("machine_id = $%d", f.Machine)
	}
	if f.Facility != "" {
		add("facility_id = $%d", f.Facility)
	}
	if f.Person != "" {
		add("person = $%d", f.Person)
	}
	if !f.From.IsZero() {
		add("ends_at > $%d", f.From)
	}
	if !f.To.IsZero() {
		add("starts_at < $%d", f.To)
	}
	if !f.All {
		add("status = $%d", booking.Active)
	}
	q := `SELECT ` + bookingColumns + ` FROM bookings`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY starts_at, unit, id`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := db.q(ctx).Query(ctx, q, args...)
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
