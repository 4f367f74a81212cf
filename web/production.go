package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/dispatch"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/order"
	"github.com/dgml/dgml/param"
)

// productionPages are the pages that turn plans into made things:
// orders, a workshop's queue and calendar, machines and their bookings,
// and a person's inbox.
func (s *Site) productionPages(mux *http.ServeMux) {
	if s.orders != nil {
		mux.HandleFunc("GET /orders", s.page(s.myOrders))
		mux.HandleFunc("POST /orders", s.page(s.placeOrder))
		mux.HandleFunc("GET /orders/{id}", s.page(s.orderPage))
		mux.HandleFunc("POST /requests/{id}", s.page(s.requestAction))
		mux.HandleFunc("GET /requests/{id}", s.page(s.requestPage))
		mux.HandleFunc("GET /facilities/{ref}/queue", s.page(s.queue))
		mux.HandleFunc("GET /inbox", s.page(s.inbox))
		mux.HandleFunc("POST /inbox", s.page(s.setEmail))
	}
	if s.bookings != nil {
		mux.HandleFunc("GET /facilities/{ref}/calendar", s.page(s.calendar))
		mux.HandleFunc("GET /machines/{id}", s.page(s.machinePage))
		mux.HandleFunc("POST /machines/{id}", s.page(s.machineAction))
		mux.HandleFunc("GET /bookings", s.page(s.myBookings))
		mux.HandleFunc("POST /bookings/{id}/cancel", s.page(s.cancelBooking))
	}
}

func needLogin(what string) error {
	return &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to " + what}
}

// stateText reads a request or run state as words.
func stateText(s string) string { return strings.ReplaceAll(s, "_", " ") }

func (s *Site) myOrders(w http.ResponseWriter, r *http.Request) (*view, error) {
	u := me(r)
	if u == nil {
		return &view{redirect: "/login?next=/orders"}, nil
	}
	list, err := s.orders.Mine(r.Context(), u)
	if err != nil {
		return nil, err
	}
	return page("orders.html", "Your orders", map[string]any{"Orders": list}), nil
}

// placeOrder takes the order form of a plan page; errors send the
// person back to the plan with what they typed.
func (s *Site) placeOrder(w http.ResponseWriter, r *http.Request) (*view, error) {
	u := me(r)
	if u == nil {
		return nil, needLogin("order")
	}
	f := r.PostForm
	errs := map[string]string{}
	qty, err := strconv.Atoi(strings.TrimSpace(f.Get("quantity")))
	if err != nil || qty < 1 || qty > 10000 {
		errs["quantity"] = "a whole number from 1 to 10,000"
	}
	near, err := param.Point("near", f.Get("near"))
	if err != nil {
		errs["near"] = "a place as LAT,LON"
	}
	due, err := time.Parse(time.DateOnly, strings.TrimSpace(f.Get("deadline")))
	if err != nil {
		errs["deadline"] = "a date, e.g. " + time.Now().AddDate(0, 0, 14).Format(time.DateOnly)
	}
	if len(errs) == 0 {
		o, err := s.orders.Place(r.Context(), u, order.PlaceRequest{Design: f.Get("design"), Quantity: qty, Near: near, Deadline: due.Add(24*time.Hour - time.Second), Note: f.Get("note")})
		var de *dgml.Error
		switch {
		case err == nil:
			return &view{redirect: "/orders/" + o.ID}, nil
		case dgml.KindOf(err) == dgml.Invalid && errors.As(err, &de) && de.Field != "":
			errs[de.Field] = de.Msg
		case dgml.KindOf(err) == dgml.Conflict:
			errs["near"] = err.Error()
		default:
			return nil, err
		}
	}
	return page("order_failed.html", "The order could not be placed", map[string]any{"Errors": errs, "Form": map[string]string{
		"design": f.Get("design"), "quantity": f.Get("quantity"), "near": f.Get("near"), "deadline": f.Get("deadline"), "note": f.Get("note")}}), nil
}

// orderView is what the order and request pages show of a request.
type orderView struct {
	*order.Order
	Buyer bool
}

func (s *Site) orderPage(w http.ResponseWriter, r *http.Request) (*view, error) {
	u := me(r)
	if u == nil {
		return &view{redirect: "/login?next=" + r.URL.Path}, nil
	}
	o, err := s.orders.Get(r.Context(), u, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return page("order.html", "Order of "+o.DesignName, map[string]any{"O": orderView{o, o.Person == u.ID}, "Moves": s.moves(r, u, o), "Pay": s.payments(r, u, o)}), nil
}

// requestPage sends to the order page, at the request.
func (s *Site) requestPage(w http.ResponseWriter, r *http.Request) (*view, error) {
	u := me(r)
	if u == nil {
		return &view{redirect: "/login?next=" + r.URL.Path}, nil
	}
	q, err := s.orders.Request(r.Context(), u, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return &view{redirect: "/orders/" + q.OrderID + "#r-" + q.ID}, nil
}

// moves are the actions u may take on each request, by request id.
func (s *Site) moves(r *http.Request, u *account.User, o *order.Order) map[string][]order.State {
	out := map[string][]order.State{}
	for _, q := range o.Requests {
		op, _ := s.people.Accounts.HasRole(r.Context(), account.Operator, q.FacilityID, u.ID)
		for _, to := range []order.State{order.Quoted, order.Accepted, order.InProduction, order.Ready, order.Collected, order.Declined, order.Cancelled} {
			if (o.Person == u.ID && order.Move(q.State, to, order.Buyer) == nil) || ((op || u.Admin) && order.Move(q.State, to, order.Workshop) == nil) {
				out[q.ID] = append(out[q.ID], to)
			}
		}
	}
	return out
}

func (s *Site) requestAction(w http.ResponseWriter, r *http.Request) (*view, error) {
	u := me(r)
	if u == nil {
		return nil, needLogin("change an order")
	}
	ctx, f, id := r.Context(), r.PostForm, r.PathValue("id")
	var err error
	var q *order.Request
	if text := f.Get("message"); f.Get("action") == "message" {
		q, err = s.orders.Message(ctx, u, id, text)
	} else {
		a := order.Action{To: order.State(f.Get("action")), Reason: f.Get("reason")}
		if a.To == order.Quoted {
			price, perr := param.Float("price", f.Get("price"), 0, 1e9, -1)
			ready, rerr := time.Parse(time.DateOnly, strings.TrimSpace(f.Get("ready")))
			if perr != nil || price < 0 {
				return nil, &dgml.Error{Kind: dgml.Invalid, Field: "price", Msg: "a price, e.g. 48.50"}
			}
			if rerr != nil {
				return nil, &dgml.Error{Kind: dgml.Invalid, Field: "ready", Msg: "a ready date, e.g. 2027-03-01"}
			}
			a.Quote = &order.Quote{Price: int64(price*100 + 0.5), Currency: strings.ToUpper(strings.TrimSpace(f.Get("currency"))), Ready: ready.Add(18 * time.Hour), Note: f.Get("note")}
		}
		q, err = s.orders.Act(ctx, u, id, a)
	}
	if err != nil {
		return nil, err
	}
	if f.Get("back") == "queue" {
		return &view{redirect: "/facilities/" + q.FacilityID + "/queue"}, nil
	}
	return &view{redirect: "/orders/" + q.OrderID + "#r-" + q.ID}, nil
}

func (s *Site) queue(w http.ResponseWriter, r *http.Request) (*view, error) {
	u := me(r)
	if u == nil {
		return &view{redirect: "/login?next=" + r.URL.Path}, nil
	}
	all := r.URL.Query().Get("all") != ""
	f, list, err := s.orders.Queue(r.Context(), u, r.PathValue("ref"), !all)
	if err != nil {
		return nil, err
	}
	var runs []dispatch.Run
	if s.runs != nil {
		if runs, err = s.runs.List(r.Context(), u, f.ID, dispatch.Filter{Open: true}); err != nil {
			return nil, err
		}
	}
	return page("queue.html", "Requests to "+f.Name, map[string]any{"F": f, "Requests": list, "All": all, "Runs": runs, "Machines": machineNames(f)}), nil
}

func machineNames(f *facility.Facility) map[string]string {
	out := map[string]string{}
	for _, m := range f.Machines {
		out[m.ID] = m.Label()
	}
	return out
}

func (s *Site) inbox(w http.ResponseWriter, r *http.Request) (*view, error) {
	u := me(r)
	if u == nil {
		return &view{redirect: "/login?next=/inbox"}, nil
	}
	email, err := s.people.Accounts.Email(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	return s.inboxPage(r, u, map[string]string{"email": email}, map[string]string{}, "")
}

func (s *Site) inboxPage(r *http.Request, u *account.User, form, errs map[string]string, done string) (*view, error) {
	list, err := s.orders.Store.Notifications(r.Context(), u.ID, 100)
	if err != nil {
		return nil, err
	}
	v := page("inbox.html", "Inbox", map[string]any{"Items": list, "Form": form, "Errors": errs, "Done": done, "Mails": s.orders.Mail != nil})
	if len(errs) > 0 {
		v.status = http.StatusUnprocessableEntity
	}
	return v, nil
}

// setEmail keeps the address news is e-mailed to; empty forgets it.
func (s *Site) setEmail(w http.ResponseWriter, r *http.Request) (*view, error) {
	u := me(r)
	if u == nil {
		return nil, needLogin("give an address")
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	form := map[string]string{"email": email}
	if email != "" {
		if err := account.CheckEmail(email); err != nil {
			return s.inboxPage(r, u, form, map[string]string{"email": "one address, like ana@example.org"}, "")
		}
	}
	if err := s.people.Accounts.SetEmail(r.Context(), u.ID, email); err != nil {
		return nil, err
	}
	done := "No e-mails will be sent."
	if email != "" {
		done = "News will also go to " + email + "."
	}
	return s.inboxPage(r, u, form, map[string]string{}, done)
}

// calDay is one day of a machine on the calendar.
type calDay struct {
	Day      time.Time
	Open     []facility.Span
	Bookings []booking.Booking
}

// calendar is a workshop's week (or day): for each machine, its open
// hours and bookings day by day. Operators see who booked; others see
// only that the time is taken.
func (s *Site) calendar(w http.ResponseWriter, r *http.Request) (*view, error) {
	ctx := r.Context()
	f, err := s.network.Store.Facility(ctx, r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	loc := time.UTC
	for _, m := range f.Machines {
		if m.Hours != nil && m.Hours.Zone != "" {
			loc = m.Hours.Location()
			break
		}
	}
	q := r.URL.Query()
	start := time.Now().In(loc)
	if d := q.Get("from"); d != "" {
		t, err := time.ParseInLocation(time.DateOnly, d, loc)
		if err != nil {
			return nil, &dgml.Error{Kind: dgml.Invalid, Field: "from", Msg: "a date, e.g. 2027-03-01"}
		}
		start = t
	}
	start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc)
	days := 7
	if q.Get("view") == "day" {
		days = 1
	}
	end := start.AddDate(0, 0, days)
	u := me(r)
	op := u != nil && account.Permit(ctx, s.people.Accounts, u, account.Operator, f.ID) == nil
	list, err := s.bookings.Store.Bookings(ctx, booking.Filter{Facility: f.ID, From: start, To: end, Limit: 5000})
	if err != nil {
		return nil, err
	}
	type row struct {
		M    facility.Machine
		Days []calDay
	}
	var rows []row
	for _, m := range f.Machines {
		rw := row{M: m}
		for d := 0; d < days; d++ {
			day := start.AddDate(0, 0, d)
			cd := calDay{Day: day, Open: m.Hours.Open(day, day.AddDate(0, 0, 1))}
			for _, b := range list {
				if b.MachineID == m.ID && b.Start.Before(day.AddDate(0, 0, 1)) && b.End.After(day) {
					if !op && (u == nil || b.Person != u.ID) {
						b.Person, b.Note, b.Job = "", "", ""
					}
					cd.Bookings = append(cd.Bookings, b)
				}
			}
			rw.Days = append(rw.Days, cd)
		}
		rows = append(rows, rw)
	}
	var heads []time.Time
	for d := 0; d < days; d++ {
		heads = append(heads, start.AddDate(0, 0, d))
	}
	return page("calendar.html", "Calendar of "+f.Name, map[string]any{"F": f, "Rows": rows, "Days": heads, "Loc": loc,
		"Prev": start.AddDate(0, 0, -days).Format(time.DateOnly), "Next": end.Format(time.DateOnly), "View": q.Get("view"), "Operator": op}), nil
}

func (s *Site) machinePage(w http.ResponseWriter, r *http.Request) (*view, error) {
	return s.machineView(r, map[string]string{}, map[string]string{}, "")
}

func (s *Site) machineView(r *http.Request, form, errs map[string]string, done string) (*view, error) {
	ctx := r.Context()
	t, err := s.bookings.Target(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	u := me(r)
	loc := t.Machine.Hours.Location()
	now := time.Now().In(loc)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	free, err := s.bookings.Slots(ctx, t.Machine.ID, from, from.AddDate(0, 0, 7))
	if err != nil {
		return nil, err
	}
	data := map[string]any{"T": t, "Free": free, "Loc": loc, "Form": form, "Errors": errs, "Done": done}
	if u != nil {
		rule, err := s.bookings.Rule(ctx, u, t)
		op := account.Permit(ctx, s.people.Accounts, u, account.Operator, t.Facility.ID) == nil
		data["Operator"] = op
		switch {
		case op:
			data["Rule"] = &facility.UseRule{} // the workshop books its own machines at no charge
		case err == nil:
			data["Rule"] = rule
		default:
			data["NoRule"] = err.Error()
		}
		if op && s.runs != nil {
			runs, err := s.runs.List(ctx, u, t.Facility.ID, dispatch.Filter{Machine: t.Machine.ID, Limit: 20})
			if err != nil {
				return nil, err
			}
			slices.Reverse(runs)
			data["Runs"] = runs
		}
	}
	if s.runs != nil {
		c, err := s.runs.Correction(ctx, t.Machine.ID)
		if err != nil {
			return nil, err
		}
		data["Correction"] = c
	}
	v := page("machine.html", t.Machine.Label()+" at "+t.Facility.Name, data)
	if len(errs) > 0 {
		v.status = http.StatusUnprocessableEntity
	}
	return v, nil
}

// machineAction books time (a person) or says a run's bed is clear (an
// operator); a refused booking shows the form again with what was typed.
func (s *Site) machineAction(w http.ResponseWriter, r *http.Request) (*view, error) {
	u := me(r)
	if u == nil {
		return nil, needLogin("book machine time")
	}
	ctx, f := r.Context(), r.PostForm
	switch f.Get("action") {
	case "clear":
		if s.runs == nil {
			return nil, &dgml.Error{Kind: dgml.NotFound, Msg: "this node follows no runs"}
		}
		if _, err := s.runs.Clear(ctx, u, f.Get("run")); err != nil {
			return nil, err
		}
		return s.machineView(r, map[string]string{}, map[string]string{}, "Bed confirmed clear: the workshop's agent starts the print.")
	case "report":
		// A machine without a network API: its operator says it started,
		// finished (with the hours it took) or failed.
		if s.runs == nil {
			return nil, &dgml.Error{Kind: dgml.NotFound, Msg: "this node follows no runs"}
		}
		rep := dispatch.Report{State: f.Get("state"), Message: "reported by " + u.Name}
		if rep.State == dispatch.Done {
			h, err := param.Float("actual_hours", f.Get("actual_hours"), 0.01, 24*60, 0)
			if err != nil || h == 0 {
				return s.machineView(r, map[string]string{}, map[string]string{}, "Say how many hours it took, e.g. 2.5.")
			}
			rep.ActualHours = h
		}
		if _, err := s.runs.Report(ctx, u, f.Get("run"), rep); err != nil {
			return nil, err
		}
		return s.machineView(r, map[string]string{}, map[string]string{}, "Run "+stateText(rep.State)+".")
	case "book":
	default:
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "action", Msg: "book, clear or report"}
	}
	form := map[string]string{"start": f.Get("start"), "hours": f.Get("hours"), "note": f.Get("note")}
	errs := map[string]string{}
	t, err := s.bookings.Target(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	loc := t.Machine.Hours.Location()
	start, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(form["start"]), loc)
	if err != nil {
		errs["start"] = "a date and time, e.g. " + time.Now().In(loc).Add(24*time.Hour).Format("2006-01-02T15:00")
	}
	hours, err := param.Float("hours", form["hours"], 0.25, 24*14, 0)
	if err != nil || hours == 0 {
		errs["hours"] = "how long, in hours (e.g. 1.5)"
	}
	if len(errs) == 0 {
		b, err := s.bookings.Book(ctx, u, t.Machine.ID, booking.Request{Start: start, End: start.Add(time.Duration(hours * float64(time.Hour))), Note: form["note"]})
		var de *dgml.Error
		switch {
		case err == nil:
			return s.machineView(r, map[string]string{}, map[string]string{}, fmt.Sprintf("Booked %s to %s.", b.Start.In(loc).Format("Mon 2 Jan 15:04"), b.End.In(loc).Format("15:04")))
		case (dgml.KindOf(err) == dgml.Invalid || dgml.KindOf(err) == dgml.Conflict) && errors.As(err, &de):
			field := de.Field
			if field != "hours" && field != "note" {
				field = "start"
			}
			errs[field] = de.Msg
		case dgml.KindOf(err) == dgml.Forbidden:
			errs["start"] = err.Error()
		default:
			return nil, err
		}
	}
	return s.machineView(r, form, errs, "")
}

func (s *Site) myBookings(w http.ResponseWriter, r *http.Request) (*view, error) {
	u := me(r)
	if u == nil {
		return &view{redirect: "/login?next=/bookings"}, nil
	}
	list, err := s.bookings.Mine(r.Context(), u)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, b := range list {
		if _, ok := names[b.MachineID]; !ok {
			if t, err := s.bookings.Target(r.Context(), b.MachineID); err == nil {
				names[b.MachineID] = t.Machine.Label() + " at " + t.Facility.Name
			}
		}
	}
	return page("bookings.html", "Your bookings", map[string]any{"Bookings": list, "Names": names}), nil
}

func (s *Site) cancelBooking(w http.ResponseWriter, r *http.Request) (*view, error) {
	u := me(r)
	if u == nil {
		return nil, needLogin("cancel a booking")
	}
	if _, err := s.bookings.Cancel(r.Context(), u, r.PathValue("id")); err != nil {
		return nil, err
	}
	return &view{redirect: "/bookings"}, nil
}

// minor writes an amount in minor units with its currency.
func minor(amount int64, currency string) string {
	if currency == "" {
		currency = "EUR"
	}
	return fmt.Sprintf("%s %d.%02d", currency, amount/100, amount%100)
}
