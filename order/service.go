package order

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/dispatch"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/jobs"
	"github.com/dgml/dgml/mail"
	"github.com/dgml/dgml/network"
)

// Service places orders and moves their requests along, on behalf of
// the person who ordered and the workshops' operators.
type Service struct {
	Store      Store
	Network    *network.Service
	Facilities facility.Store
	Accounts   account.Store
	Bookings   *booking.Service
	// Runs, when set, gets one run per placed line when production
	// starts, for the workshop's agent (or its operator) to follow.
	Runs dispatch.Store
	// Report, when set, records a build report (people.Service.Report);
	// every finished run becomes one.
	Report func(ctx context.Context, u *account.User, designID string, r *assess.Report) error
	// Mail, when set (the node has an SMTP server), gets an e-mail for
	// every notification of a person who gave an address, queued in the
	// same transaction; BaseURL makes its link absolute.
	Mail    jobs.Store
	BaseURL string
	Tx      dgml.Atomic
	// Now is the clock (tests set it); nil: time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// PlaceRequest is what a person orders.
type PlaceRequest struct {
	Design   string    `json:"design"`
	Quantity int       `json:"quantity"`
	Near     geo.Point `json:"near"`
	RadiusKm float64   `json:"radius_km,omitempty"`
	Deadline time.Time `json:"deadline"`
	Note     string    `json:"note,omitempty"`
}

// Place orders a design's head revision: it is planned near the place,
// and each workshop the plan chose gets a request for its part lines.
func (s *Service) Place(ctx context.Context, u *account.User, req PlaceRequest) (*Order, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to order"}
	}
	now := s.now()
	switch {
	case req.Quantity < 1 || req.Quantity > 10000:
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "quantity", Msg: "1 to 10,000"}
	case !req.Near.Valid():
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "near", Msg: "a latitude, longitude pair on the globe"}
	case req.Deadline.IsZero() || !req.Deadline.After(now.Add(time.Hour)):
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "deadline", Msg: "a date at least an hour from now"}
	case req.Deadline.After(now.AddDate(2, 0, 0)):
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "deadline", Msg: "at most two years ahead"}
	case len(req.Note) > 2000:
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "note", Msg: "at most 2,000 characters"}
	}
	o := &Order{Person: u.ID, PersonName: u.Name, Quantity: req.Quantity, Place: req.Near, Deadline: req.Deadline.UTC(), Note: req.Note}
	reqs, unplaced, d, rev, err := s.plan(ctx, o, req.Design, req.RadiusKm, nil, nil)
	if err != nil {
		return nil, err
	}
	if len(reqs) == 0 {
		return nil, &dgml.Error{Kind: dgml.Conflict, Msg: "no workshop within reach can make any part of it; widen the radius or pick another place"}
	}
	o.DesignID, o.DesignName, o.Revision, o.Requests, o.Unplaced = d, rev.name, rev.id, reqs, unplaced
	err = s.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateOrder(ctx, o); err != nil {
			return err
		}
		for i := range o.Requests {
			r := &o.Requests[i]
			if err := s.Store.AddOrderEvent(ctx, Event{RequestID: r.ID, Kind: "state", State: Requested, By: u.Name, At: now, Text: req.Note}); err != nil {
				return err
			}
			if err := s.notifyWorkshop(ctx, r, fmt.Sprintf("%s ordered %d × %s: %d part lines for %s", u.Name, o.Quantity, o.DesignName, len(r.Lines), r.FacilityName)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Store.Order(ctx, o.ID)
}

type revInfo struct{ id, name string }

// plan plans the order's design and makes one request per workshop for
// the part lines in only (all when nil), leaving out the facilities in
// exclude.
func (s *Service) plan(ctx context.Context, o *Order, ref string, radius float64, only map[string]bool, exclude []string) ([]Request, []Line, string, revInfo, error) {
	hours := o.Deadline.Sub(s.now()).Hours()
	res, err := s.Network.Plan(ctx, network.PlanRequest{Design: ref, Near: o.Place, Quantity: float64(o.Quantity), RadiusKm: radius, DeadlineHours: hours, Exclude: exclude})
	if err != nil {
		return nil, nil, "", revInfo{}, err
	}
	_, rev, err := s.Network.Commons.Head(ctx, res.Design.ID)
	if err != nil {
		return nil, nil, "", revInfo{}, err
	}
	if rev.ID != res.Revision {
		return nil, nil, "", revInfo{}, &dgml.Error{Kind: dgml.Conflict, Msg: "the design changed while it was planned; order again"}
	}
	files := network.PartFiles(rev)
	byFacility := map[string]*Request{}
	var out []Request
	var order []string
	for _, a := range res.Assignments {
		if only != nil && !only[a.Part] {
			continue
		}
		r := byFacility[a.FacilityID]
		if r == nil {
			r = &Request{FacilityID: a.FacilityID, FacilityName: a.Facility, State: Requested}
			byFacility[a.FacilityID] = r
			order = append(order, a.FacilityID)
		}
		r.Lines = append(r.Lines, Line{Part: a.Part, Quantity: a.Quantity, Process: a.Process, Material: a.Material, MachineID: a.MachineID, Machine: a.Machine,
			Hours: a.Hours, CostEUR: a.CostEUR, Files: files[a.Part]})
		r.EstimateEUR = math.Round((r.EstimateEUR+a.CostEUR)*100) / 100
	}
	for _, id := range order {
		out = append(out, *byFacility[id])
	}
	var unplaced []Line
	for _, u := range res.Unmatched {
		if only != nil && !only[u.Part] {
			continue
		}
		unplaced = append(unplaced, Line{Part: u.Part, Process: u.Process, Reason: u.Reason})
	}
	return out, unplaced, res.Design.ID, revInfo{rev.ID, res.Design.Name}, nil
}

// Action is a change a side asks for.
type Action struct {
	To     State  `json:"state"`
	Quote  *Quote `json:"quote,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// side says which side u is on for a request, given the side the change
// needs (someone who both ordered and runs the workshop acts as either).
func (s *Service) side(ctx context.Context, u *account.User, o *Order, r *Request, want Side) (Side, error) {
	buyer := u.ID == o.Person
	err := account.Permit(ctx, s.Accounts, u, account.Operator, r.FacilityID)
	workshop := err == nil
	if err != nil && dgml.KindOf(err) != dgml.Forbidden {
		return "", err
	}
	switch {
	case buyer && workshop:
		return want, nil
	case buyer:
		return Buyer, nil
	case workshop:
		return Workshop, nil
	}
	return "", &dgml.Error{Kind: dgml.NotFound, Msg: "no order request " + r.ID + " of yours"}
}

// Act moves a request to another state.
func (s *Service) Act(ctx context.Context, u *account.User, requestID string, a Action) (*Request, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to change an order"}
	}
	r, err := s.Store.OrderRequest(ctx, requestID)
	if err != nil {
		return nil, err
	}
	o, err := s.Store.Order(ctx, r.OrderID)
	if err != nil {
		return nil, err
	}
	want := moves[r.State][a.To]
	side, err := s.side(ctx, u, o, r, want)
	if err != nil {
		return nil, err
	}
	if err := Move(r.State, a.To, side); err != nil {
		return nil, err
	}
	now := s.now()
	from := r.State
	text := a.Reason
	switch a.To {
	case Quoted:
		q := a.Quote
		if q == nil {
			return nil, &dgml.Error{Kind: dgml.Invalid, Field: "quote", Msg: "a quote needs a price and a ready date"}
		}
		if q.Price < 0 || q.Price > 1e11 {
			return nil, &dgml.Error{Kind: dgml.Invalid, Field: "quote.price", Msg: "a price in minor units (cents), not negative"}
		}
		if q.Currency == "" {
			q.Currency = "EUR"
		}
		if len(q.Currency) != 3 || strings.ToUpper(q.Currency) != q.Currency {
			return nil, &dgml.Error{Kind: dgml.Invalid, Field: "quote.currency", Msg: "an ISO 4217 code such as EUR"}
		}
		if !q.Ready.After(now) {
			return nil, &dgml.Error{Kind: dgml.Invalid, Field: "quote.ready", Msg: "a ready date after now"}
		}
		if len(q.Note) > 2000 {
			return nil, &dgml.Error{Kind: dgml.Invalid, Field: "quote.note", Msg: "at most 2,000 characters"}
		}
		r.Quote = q
		text = fmt.Sprintf("%s %.2f, ready %s", q.Currency, float64(q.Price)/100, q.Ready.Format("2006-01-02"))
		if q.Note != "" {
			text += ": " + q.Note
		}
	case Declined, Cancelled:
		if strings.TrimSpace(a.Reason) == "" && a.To == Declined {
			return nil, &dgml.Error{Kind: dgml.Invalid, Field: "reason", Msg: "say why, so that the person can look elsewhere"}
		}
		if len(a.Reason) > 2000 {
			return nil, &dgml.Error{Kind: dgml.Invalid, Field: "reason", Msg: "at most 2,000 characters"}
		}
		r.Reason = a.Reason
	}
	r.State = a.To
	err = s.Tx.Atomically(ctx, func(ctx context.Context) error {
		if a.To == Accepted && s.Bookings != nil {
			f, err := s.Facilities.Facility(ctx, r.FacilityID)
			if err != nil {
				return err
			}
			// Each line's machine time goes into the free time of the
			// machines of its process, before the order's deadline. The
			// booking is the workshop's (no person): only its operators,
			// or the order's own cancellation, release it.
			for i, l := range r.Lines {
				var ms []string
				for _, m := range f.Machines {
					if m.Process == l.Process && (m.ID == l.MachineID || m.Works(l.Material)) {
						ms = append(ms, m.ID)
					}
				}
				if len(ms) == 0 || l.Hours <= 0 {
					continue
				}
				b, _, err := s.Bookings.Place(ctx, f, "", booking.Work{ID: fmt.Sprintf("%s/%d", r.ID, i+1), Hours: l.Hours, Deadline: o.Deadline, Machines: ms})
				if err != nil {
					return err
				}
				r.Bookings = append(r.Bookings, b.ID)
			}
		}
		if err := s.Store.UpdateRequest(ctx, r, from, Event{Kind: "state", State: a.To, By: u.Name, At: now, Text: text}); err != nil {
			return err
		}
		if a.To == InProduction {
			if err := s.startRuns(ctx, r); err != nil {
				return err
			}
		}
		msg := fmt.Sprintf("%s: %s is now %s", o.DesignName, r.FacilityName, strings.ReplaceAll(string(a.To), "_", " "))
		if text != "" {
			msg += " (" + text + ")"
		}
		if side == Workshop {
			if err := s.notify(ctx, Notification{UserID: o.Person, At: now, Text: msg, Link: "/orders/" + o.ID}); err != nil {
				return err
			}
		} else if err := s.notifyWorkshop(ctx, r, msg); err != nil {
			return err
		}
		if a.To == Declined {
			return s.replan(ctx, o, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if a.To == Cancelled || a.To == Declined {
		s.releaseBookings(ctx, u, r)
	}
	return s.Store.OrderRequest(ctx, r.ID)
}

// startRuns makes a run for each line that has machine time booked: the
// booked machine, the line's file (G-code first), its estimate.
func (s *Service) startRuns(ctx context.Context, r *Request) error {
	if s.Runs == nil || s.Bookings == nil {
		return nil
	}
	for _, id := range r.Bookings {
		b, err := s.Bookings.Store.Booking(ctx, id)
		if err != nil {
			return err
		}
		var line int
		if _, err := fmt.Sscanf(strings.TrimPrefix(b.Job, r.ID+"/"), "%d", &line); err != nil || line < 1 || line > len(r.Lines) {
			continue
		}
		l := r.Lines[line-1]
		file, slice := dispatch.PickFile(l.Files)
		run := &dispatch.Run{RequestID: r.ID, Line: line, Part: l.Part, Quantity: l.Quantity, FacilityID: r.FacilityID, MachineID: b.MachineID, BookingID: b.ID,
			Process: l.Process, File: file, State: dispatch.Queued, EstimatedHours: l.Hours}
		switch {
		case file.SHA256 == "":
			run.Message = "no file a machine takes; the operator runs it by hand and reports it"
		case slice:
			run.Message = "a mesh: the workshop's agent slices it with its own profile"
		}
		if err := s.Runs.CreateRun(ctx, run); err != nil {
			return err
		}
	}
	return nil
}

// releaseBookings cancels the machine time a request held; a booking
// already over or cancelled is left as it is.
func (s *Service) releaseBookings(ctx context.Context, u *account.User, r *Request) {
	if s.Bookings == nil {
		return
	}
	// The request names its bookings; one already over is left as it
	// is, and the store refuses one already cancelled.
	now := s.now()
	for _, id := range r.Bookings {
		if b, err := s.Bookings.Store.Booking(ctx, id); err == nil && b.End.After(now) {
			s.Bookings.Store.CancelBooking(ctx, id, u.ID, now)
		}
	}
}

// replan sends a declined request's lines to the next workshop: the
// order's design planned again without every workshop that declined
// it. Lines no other workshop takes become the order's unplaced lines.
func (s *Service) replan(ctx context.Context, o *Order, declined *Request) error {
	only := map[string]bool{}
	for _, l := range declined.Lines {
		only[l.Part] = true
	}
	exclude := []string{declined.FacilityID}
	for _, r := range o.Requests {
		if r.State == Declined {
			exclude = append(exclude, r.FacilityID)
		}
	}
	reqs, unplaced, _, rev, err := s.plan(ctx, o, o.DesignID, 0, only, exclude)
	if dgml.KindOf(err) == dgml.Conflict || (err == nil && rev.id != o.Revision) {
		// The design moved on since the order: the lines stay with the
		// person to order again.
		reqs, unplaced = nil, declined.Lines
	} else if err != nil {
		return err
	}
	for i := range reqs {
		r := &reqs[i]
		r.OrderID = o.ID
		if err := s.Store.AddRequest(ctx, r); err != nil {
			return err
		}
		if err := s.Store.AddOrderEvent(ctx, Event{RequestID: r.ID, Kind: "state", State: Requested, By: "dgml", At: s.now(),
			Text: fmt.Sprintf("planned again after %s declined", declined.FacilityName)}); err != nil {
			return err
		}
		if err := s.notifyWorkshop(ctx, r, fmt.Sprintf("%s ordered %d × %s: %d part lines for %s", o.PersonName, o.Quantity, o.DesignName, len(r.Lines), r.FacilityName)); err != nil {
			return err
		}
	}
	if len(unplaced) > 0 {
		for i := range unplaced {
			u := &unplaced[i]
			if j := slices.IndexFunc(declined.Lines, func(l Line) bool { return l.Part == u.Part }); j >= 0 {
				u.Quantity, u.Material, u.Files = declined.Lines[j].Quantity, declined.Lines[j].Material, declined.Lines[j].Files
			}
			if u.Reason == "" || u.Reason == declined.Reason {
				u.Reason = "declined by " + declined.FacilityName
			} else {
				u.Reason = "declined by " + declined.FacilityName + "; then " + u.Reason
			}
		}
		return s.Store.SetUnplaced(ctx, o.ID, append(o.Unplaced, unplaced...))
	}
	return nil
}

// notifyWorkshop tells a request's workshop's operators.
func (s *Service) notifyWorkshop(ctx context.Context, r *Request, text string) error {
	ops, err := s.Accounts.Holders(ctx, account.Operator, r.FacilityID)
	if err != nil {
		return err
	}
	for _, op := range ops {
		if err := s.notify(ctx, Notification{UserID: op.ID, At: s.now(), Text: text, Link: "/requests/" + r.ID}); err != nil {
			return err
		}
	}
	return nil
}

// notify puts a line in a person's inbox and, when the node sends mail
// and the person gave an address, queues it as an e-mail.
func (s *Service) notify(ctx context.Context, n Notification) error {
	if err := s.Store.Notify(ctx, n); err != nil {
		return err
	}
	if s.Mail == nil {
		return nil
	}
	to, err := s.Accounts.Email(ctx, n.UserID)
	if err != nil || to == "" {
		return err
	}
	return mail.Queue(ctx, s.Mail, mail.Message{To: to, Subject: n.Text,
		Body: n.Text + "\n\n" + strings.TrimRight(s.BaseURL, "/") + n.Link + "\n\n(Your inbox on the node lists every change; remove your address there to stop these e-mails.)\n"})
}

// Message adds a message to a request, from either side.
func (s *Service) Message(ctx context.Context, u *account.User, requestID, text string) (*Request, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to write"}
	}
	text = strings.TrimSpace(text)
	if text == "" || len(text) > 4000 {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "text", Msg: "a message of 1 to 4,000 characters"}
	}
	r, err := s.Store.OrderRequest(ctx, requestID)
	if err != nil {
		return nil, err
	}
	o, err := s.Store.Order(ctx, r.OrderID)
	if err != nil {
		return nil, err
	}
	side, err := s.side(ctx, u, o, r, Buyer)
	if err != nil {
		return nil, err
	}
	err = s.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := s.Store.AddOrderEvent(ctx, Event{RequestID: r.ID, Kind: "message", By: u.Name, At: s.now(), Text: text}); err != nil {
			return err
		}
		msg := fmt.Sprintf("%s wrote about %s at %s", u.Name, o.DesignName, r.FacilityName)
		if side == Workshop {
			return s.notify(ctx, Notification{UserID: o.Person, Text: msg, Link: "/orders/" + o.ID})
		}
		return s.notifyWorkshop(ctx, r, msg)
	})
	if err != nil {
		return nil, err
	}
	return s.Store.OrderRequest(ctx, r.ID)
}

// Get reads an order for u: the person who ordered sees all of it, a
// workshop's operators only their own requests.
func (s *Service) Get(ctx context.Context, u *account.User, id string) (*Order, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to see orders"}
	}
	o, err := s.Store.Order(ctx, id)
	if err != nil {
		return nil, err
	}
	if o.Person == u.ID || u.Admin {
		return o, nil
	}
	var mine []Request
	for _, r := range o.Requests {
		if ok, err := s.Accounts.HasRole(ctx, account.Operator, r.FacilityID, u.ID); err != nil {
			return nil, err
		} else if ok {
			mine = append(mine, r)
		}
	}
	if len(mine) == 0 {
		return nil, &dgml.Error{Kind: dgml.NotFound, Msg: "no order " + id + " of yours"}
	}
	o.Requests, o.Unplaced, o.Note = mine, nil, ""
	return o, nil
}

// Request reads one request for either side.
func (s *Service) Request(ctx context.Context, u *account.User, id string) (*Request, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to see orders"}
	}
	r, err := s.Store.OrderRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	o, err := s.Store.Order(ctx, r.OrderID)
	if err != nil {
		return nil, err
	}
	if _, err := s.side(ctx, u, o, r, Buyer); err != nil {
		return nil, err
	}
	return r, nil
}

// Mine lists u's orders.
func (s *Service) Mine(ctx context.Context, u *account.User) ([]Order, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to see your orders"}
	}
	return s.Store.Orders(ctx, u.ID, 200)
}

// Queue lists a workshop's requests for its operators.
func (s *Service) Queue(ctx context.Context, u *account.User, facilityRef string, open bool) (*facility.Facility, []Request, error) {
	f, err := s.Facilities.Facility(ctx, facilityRef)
	if err != nil {
		return nil, nil, err
	}
	if err := account.Permit(ctx, s.Accounts, u, account.Operator, f.ID); err != nil {
		return nil, nil, err
	}
	list, err := s.Store.RequestsAt(ctx, f.ID, open, 500)
	return f, list, err
}

// RunFinished records what a finished run measured as a build report of
// its part (real machine time and material, at the workshop), so that
// the design's figures and the planner's estimates learn from made
// things, not only from what people type.
func (s *Service) RunFinished(ctx context.Context, u *account.User, run *dispatch.Run) error {
	if s.Report == nil {
		return nil
	}
	r, err := s.Store.OrderRequest(ctx, run.RequestID)
	if err != nil {
		return err
	}
	o, err := s.Store.Order(ctx, r.OrderID)
	if err != nil {
		return err
	}
	f, err := s.Facilities.Facility(ctx, run.FacilityID)
	if err != nil {
		return err
	}
	place := strings.TrimSpace(strings.Trim(f.City+", "+f.Country, ", "))
	if place == "" {
		place = f.Name
	}
	var machine string
	for _, m := range f.Machines {
		if m.ID == run.MachineID {
			machine = m.Label()
		}
	}
	rep := &assess.Report{Revision: o.Revision, Part: run.Part, Process: run.Process, Place: place, Facility: f.Name, Quantity: run.Quantity,
		Hours: run.ActualHours, MaterialG: run.FilamentG, Success: true,
		Notes: fmt.Sprintf("recorded from a finished job (run %s, order %s)", run.ID, o.ID)}
	if machine != "" {
		rep.Machines = []string{machine}
	}
	return s.Report(ctx, u, o.DesignID, rep)
}
