package booking

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/facility"
)

// Roles a workshop grants on itself (in the node's roles, keyed by the
// facility's id): membership, and named qualifications.
const (
	RoleMember = "member"
	rolePrefix = "qualification:"
)

// QualificationRole is the role that says a person holds a workshop's
// qualification.
func QualificationRole(name string) string {
	return rolePrefix + strings.ToLower(strings.TrimSpace(name))
}

// Roles is the part of the store that keeps who holds which role.
type Roles interface {
	account.Roles
	RemoveRole(ctx context.Context, kind, objectID, userID string) error
}

// Service books machine time on behalf of people, by the rules each
// workshop set for each machine.
type Service struct {
	Store      Store
	Facilities facility.Store
	Roles      Roles
	// Now is the clock (tests set it); nil: time.Now.
	Now func() time.Time
	// HoldFor is how long a hold lasts; zero: ten minutes.
	HoldFor time.Duration
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Request asks for machine time.
type Request struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Kind is session (the default) or hold for anyone; maintenance and
	// job are for the workshop's operators.
	Kind Kind   `json:"kind,omitempty"`
	Unit int    `json:"unit,omitempty"` // 0: any free one of the set
	Note string `json:"note,omitempty"`
}

// Target is a machine with its workshop.
type Target struct {
	Machine  *facility.Machine
	Facility *facility.Facility
}

// Target finds a machine and its workshop.
func (s *Service) Target(ctx context.Context, machineID string) (*Target, error) {
	m, fid, err := s.Store.Machine(ctx, machineID)
	if err != nil {
		return nil, err
	}
	f, err := s.Facilities.Facility(ctx, fid)
	if dgml.KindOf(err) == dgml.NotFound {
		return nil, &dgml.Error{Kind: dgml.NotFound, Msg: fmt.Sprintf("machine %s belonged to a workshop that was withdrawn", machineID)}
	}
	if err != nil {
		return nil, err
	}
	return &Target{m, f}, nil
}

// operates says whether u runs the workshop (or the node).
func (s *Service) operates(ctx context.Context, u *account.User, f *facility.Facility) (bool, error) {
	err := account.Permit(ctx, s.Roles, u, account.Operator, f.ID)
	switch dgml.KindOf(err) {
	case "", dgml.Internal:
		if err != nil {
			return false, err
		}
		return true, nil
	case dgml.Forbidden:
		return false, nil
	}
	return false, err
}

// Rule finds the cheapest of a machine's rules that u may book under;
// nil with a Forbidden error saying who may book when none.
func (s *Service) Rule(ctx context.Context, u *account.User, t *Target) (*facility.UseRule, error) {
	var best *facility.UseRule
	var groups []string
	if t.Machine.Use != nil {
		for i := range t.Machine.Use.Rules {
			r := &t.Machine.Use.Rules[i]
			ok := false
			switch r.Who {
			case facility.WhoPublic:
				ok, groups = true, append(groups, "anyone with an account")
			case facility.WhoMembers:
				groups = append(groups, "members")
				var err error
				if ok, err = s.Roles.HasRole(ctx, RoleMember, t.Facility.ID, u.ID); err != nil {
					return nil, err
				}
			case facility.WhoQualified:
				groups = append(groups, fmt.Sprintf("people with %q", r.Qualification))
				var err error
				if ok, err = s.Roles.HasRole(ctx, QualificationRole(r.Qualification), t.Facility.ID, u.ID); err != nil {
					return nil, err
				}
			}
			if ok && (best == nil || r.PricePerHour < best.PricePerHour) {
				best = r
			}
		}
	}
	if best != nil {
		return best, nil
	}
	msg := fmt.Sprintf("%s at %s is booked by the workshop only; ask them", t.Machine.Label(), t.Facility.Name)
	if len(groups) > 0 {
		msg = fmt.Sprintf("%s at %s may be booked by %s; ask the workshop to grant you that", t.Machine.Label(), t.Facility.Name, strings.Join(slices.Compact(groups), " or "))
	}
	return nil, &dgml.Error{Kind: dgml.Forbidden, Op: "booking.Book", Msg: msg}
}

// Book books machine time for u. Operators of the workshop book any
// kind at any time, at no charge; anyone else books a session or a hold
// under the machine's rules: within its hours (unless their rule says
// any time), up to its longest session, at their group's price.
func (s *Service) Book(ctx context.Context, u *account.User, machineID string, req Request) (*Booking, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to book machine time"}
	}
	t, err := s.Target(ctx, machineID)
	if err != nil {
		return nil, err
	}
	if t.Machine.Removed != nil {
		return nil, &dgml.Error{Kind: dgml.Conflict, Msg: fmt.Sprintf("%s is no longer listed by %s", t.Machine.Label(), t.Facility.Name)}
	}
	if t.Facility.Home != "" {
		return nil, &dgml.Error{Kind: dgml.Forbidden, Msg: fmt.Sprintf("%s is listed by node %s: book it there", t.Facility.Name, t.Facility.Home)}
	}
	now := s.now()
	if req.Kind == "" {
		req.Kind = Session
	}
	req.Start, req.End = req.Start.UTC(), req.End.UTC()
	b := &Booking{MachineID: t.Machine.ID, FacilityID: t.Facility.ID, Kind: req.Kind, Start: req.Start, End: req.End, Person: u.ID, Note: req.Note, Unit: max(req.Unit, 1)}
	if req.Kind == Hold {
		hold := s.HoldFor
		if hold == 0 {
			hold = 10 * time.Minute
		}
		e := now.Add(hold)
		b.Expires = &e
	}
	if err := b.Check(); err != nil {
		return nil, err
	}
	if req.End.Before(now) {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "end", Msg: "that time is past"}
	}
	if req.Start.After(now.AddDate(1, 0, 0)) {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "start", Msg: "bookings open at most a year ahead"}
	}
	op, err := s.operates(ctx, u, t.Facility)
	if err != nil {
		return nil, err
	}
	if !op {
		if req.Kind != Session && req.Kind != Hold {
			return nil, &dgml.Error{Kind: dgml.Forbidden, Field: "kind", Msg: "only the workshop's operators book " + string(req.Kind)}
		}
		if req.Start.Before(now.Add(-time.Minute)) {
			return nil, &dgml.Error{Kind: dgml.Invalid, Field: "start", Msg: "that time has begun; book from now on"}
		}
		rule, err := s.Rule(ctx, u, t)
		if err != nil {
			return nil, err
		}
		most := t.Machine.Use.MaxHours
		if most == 0 {
			most = 8
		}
		if b.Hours() > most+1e-9 {
			return nil, &dgml.Error{Kind: dgml.Invalid, Field: "end", Msg: fmt.Sprintf("%s is booked for at most %g hours at once", t.Machine.Label(), most)}
		}
		if !rule.Anytime && !t.Machine.Hours.Covers(req.Start, req.End) {
			return nil, &dgml.Error{Kind: dgml.Invalid, Field: "start", Msg: fmt.Sprintf("%s is not open for the whole of that time; see its free slots", t.Machine.Label())}
		}
		b.Price = int64(math.Round(rule.PricePerHour * b.Hours() * 100))
		b.Currency = t.Machine.Use.Currency
		if b.Currency == "" {
			b.Currency = "EUR"
		}
	}
	units := []int{b.Unit}
	if req.Unit == 0 {
		units = nil
		for i := 1; i <= max(t.Machine.Quantity, 1); i++ {
			units = append(units, i)
		}
	} else if req.Unit > max(t.Machine.Quantity, 1) {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "unit", Msg: fmt.Sprintf("the workshop has %d of this machine", max(t.Machine.Quantity, 1))}
	}
	// Each unit of a set is tried in turn; the store decides, so a unit
	// taken meanwhile by someone else only moves the booking on.
	for _, unit := range units {
		b.ID, b.Unit = "", unit
		err = s.Store.Book(ctx, b, now)
		if dgml.KindOf(err) != dgml.Conflict {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Cancel cancels a booking: its person may until the machine's
// cancellation window (Use.CancelHours before the start), the
// workshop's operators at any time before it ends.
func (s *Service) Cancel(ctx context.Context, u *account.User, id string) (*Booking, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to cancel a booking"}
	}
	b, err := s.Store.Booking(ctx, id)
	if err != nil {
		return nil, err
	}
	t, err := s.Target(ctx, b.MachineID)
	if err != nil {
		return nil, err
	}
	op, err := s.operates(ctx, u, t.Facility)
	if err != nil {
		return nil, err
	}
	now := s.now()
	switch {
	case !op && b.Person != u.ID:
		return nil, &dgml.Error{Kind: dgml.Forbidden, Msg: "only the person who booked, or the workshop, cancels a booking"}
	case b.Status != Active:
		return nil, &dgml.Error{Kind: dgml.Conflict, Msg: fmt.Sprintf("the booking is %s already", b.Status)}
	case !b.End.After(now):
		return nil, &dgml.Error{Kind: dgml.Conflict, Msg: "the booking is over"}
	case !op && b.Kind != Hold && t.Machine.Use != nil && now.Add(hours(t.Machine.Use.CancelHours)).After(b.Start):
		return nil, &dgml.Error{Kind: dgml.Conflict, Msg: fmt.Sprintf("%s takes cancellations until %g hours before the start; ask the workshop", t.Facility.Name, t.Machine.Use.CancelHours)}
	}
	if err := s.Store.CancelBooking(ctx, id, u.ID, now); err != nil {
		return nil, err
	}
	return s.Store.Booking(ctx, id)
}

func hours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

// Confirm turns u's hold into a session.
func (s *Service) Confirm(ctx context.Context, u *account.User, id string) (*Booking, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to confirm a booking"}
	}
	b, err := s.Store.Booking(ctx, id)
	if err != nil {
		return nil, err
	}
	if b.Person != u.ID {
		return nil, &dgml.Error{Kind: dgml.Forbidden, Msg: "only the person who holds it confirms a hold"}
	}
	if err := s.Store.ConfirmHold(ctx, id, Session, s.now()); err != nil {
		return nil, err
	}
	return s.Store.Booking(ctx, id)
}

// Mine lists u's bookings from a day ago on, also cancelled ones.
func (s *Service) Mine(ctx context.Context, u *account.User) ([]Booking, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to see your bookings"}
	}
	return s.Store.Bookings(ctx, Filter{Person: u.ID, From: s.now().Add(-24 * time.Hour), All: true, Limit: 500})
}

// Free is one unit's free time.
type Free struct {
	Unit  int             `json:"unit"`
	Spans []facility.Span `json:"spans"`
	Busy  []facility.Span `json:"busy"`
}

// Slots lists the free time of each unit of a machine within [from,
// to): its open hours less its active bookings. The window is at most
// 31 days.
func (s *Service) Slots(ctx context.Context, machineID string, from, to time.Time) ([]Free, error) {
	if !to.After(from) || to.Sub(from) > 31*24*time.Hour {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "to", Msg: "a window after from, of at most 31 days"}
	}
	t, err := s.Target(ctx, machineID)
	if err != nil {
		return nil, err
	}
	busy, err := s.Store.Bookings(ctx, Filter{Machine: machineID, From: from, To: to})
	if err != nil {
		return nil, err
	}
	now := s.now()
	open := t.Machine.Hours.Open(from, to)
	var out []Free
	for unit := 1; unit <= max(t.Machine.Quantity, 1); unit++ {
		var taken []facility.Span
		for _, b := range busy {
			if b.Unit == unit && !(b.Kind == Hold && b.Expires != nil && !b.Expires.After(now)) {
				taken = append(taken, facility.Span{Start: b.Start, End: b.End})
			}
		}
		out = append(out, Free{Unit: unit, Spans: Subtract(open, taken), Busy: taken})
	}
	return out, nil
}

// Subtract removes the taken spans (sorted by start) from the open ones
// (sorted, disjoint).
func Subtract(open, taken []facility.Span) []facility.Span {
	out := []facility.Span{}
	for _, o := range open {
		cur := o.Start
		for _, t := range taken {
			if !t.End.After(cur) || !t.Start.Before(o.End) {
				continue
			}
			if t.Start.After(cur) {
				out = append(out, facility.Span{Start: cur, End: t.Start})
			}
			if t.End.After(cur) {
				cur = t.End
			}
		}
		if o.End.After(cur) {
			out = append(out, facility.Span{Start: cur, End: o.End})
		}
	}
	return out
}

// Grant gives a person a workshop's membership (what "member") or a
// named qualification; only the workshop's operators grant.
func (s *Service) Grant(ctx context.Context, u *account.User, facilityRef, userID, what string, revoke bool) error {
	f, err := s.Facilities.Facility(ctx, facilityRef)
	if err != nil {
		return err
	}
	if err := account.Permit(ctx, s.Roles, u, account.Operator, f.ID); err != nil {
		return err
	}
	role := RoleMember
	if what = strings.TrimSpace(what); what != "" && what != RoleMember {
		if len(what) > 60 {
			return &dgml.Error{Kind: dgml.Invalid, Field: "qualification", Msg: "at most 60 characters"}
		}
		role = QualificationRole(what)
	}
	if revoke {
		return s.Roles.RemoveRole(ctx, role, f.ID, userID)
	}
	return s.Roles.AddRole(ctx, role, f.ID, userID)
}

// PlaceHorizon is how far ahead jobs are placed.
const PlaceHorizon = 60 * 24 * time.Hour

// PlaceJob books a job (from an order) on the workshop's machine that
// can finish it soonest, in the machines' free time: w.Machines are the
// ones able to do it (the planner's match), w.Hours its machine time.
// Only the workshop's operators place jobs. The booking says when the
// job will be ready (its End); Late in the placement says it misses the
// deadline.
func (s *Service) PlaceJob(ctx context.Context, u *account.User, facilityRef string, w Work) (*Booking, *Placement, error) {
	f, err := s.Facilities.Facility(ctx, facilityRef)
	if err != nil {
		return nil, nil, err
	}
	if err := account.Permit(ctx, s.Roles, u, account.Operator, f.ID); err != nil {
		return nil, nil, err
	}
	return s.Place(ctx, f, u.ID, w)
}

// Place is PlaceJob for a caller that checked who may place (the order
// service, when a person accepts a workshop's quote); by is the user
// the booking is recorded for.
func (s *Service) Place(ctx context.Context, f *facility.Facility, by string, w Work) (*Booking, *Placement, error) {
	if !(w.Hours > 0 && w.Hours <= 24*30) {
		return nil, nil, &dgml.Error{Kind: dgml.Invalid, Field: "hours", Msg: "a job takes more than 0 and at most 720 machine hours"}
	}
	now := s.now()
	if w.Earliest.Before(now) {
		w.Earliest = now
	}
	horizon := now.Add(PlaceHorizon)
	// Racing placements (two operators, two processes) meet in the
	// store: the loser schedules again around the winner.
	for attempt := 0; ; attempt++ {
		var lanes []Lane
		for _, id := range w.Machines {
			i := slices.IndexFunc(f.Machines, func(m facility.Machine) bool { return m.ID == id })
			if i < 0 {
				return nil, nil, &dgml.Error{Kind: dgml.Invalid, Field: "machines", Msg: fmt.Sprintf("%s lists no machine %s", f.Name, id)}
			}
			m := &f.Machines[i]
			busy, err := s.Store.Bookings(ctx, Filter{Machine: m.ID, From: now, To: horizon})
			if err != nil {
				return nil, nil, err
			}
			open := m.Hours.Open(now, horizon)
			for unit := 1; unit <= max(m.Quantity, 1); unit++ {
				l := Lane{Machine: m.ID, Unit: unit, Open: open, Unattended: Unattended(m.Process)}
				for _, b := range busy {
					if b.Unit == unit {
						l.Busy = append(l.Busy, facility.Span{Start: b.Start, End: b.End})
					}
				}
				lanes = append(lanes, l)
			}
		}
		p := Schedule(lanes, []Work{w}, horizon)[0]
		if p.Unplaced {
			return nil, &p, &dgml.Error{Kind: dgml.Conflict, Msg: fmt.Sprintf("no machine has %g free hours in the next %d days", w.Hours, int(PlaceHorizon.Hours()/24))}
		}
		b := &Booking{MachineID: p.Machine, FacilityID: f.ID, Unit: p.Unit, Kind: Job, Start: p.Start, End: p.End, Person: by, Job: w.ID}
		err := s.Store.Book(ctx, b, now)
		if err == nil {
			return b, &p, nil
		}
		if dgml.KindOf(err) != dgml.Conflict || attempt == 5 {
			return nil, nil, err
		}
	}
}
