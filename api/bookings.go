package api

import (
	"net/http"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/param"
)

func (s *Server) bookingRoutes() {
	if s.cfg.Bookings == nil {
		return
	}
	s.handle("GET", "/api/v1/machines/{id}", s.getMachine)
	s.handle("GET", "/api/v1/machines/{id}/slots", s.machineSlots)
	s.handle("POST", "/api/v1/machines/{id}/bookings", s.bookMachine)
	s.handle("GET", "/api/v1/bookings", s.myBookings)
	s.handle("GET", "/api/v1/bookings/{id}", s.getBooking)
	s.handle("DELETE", "/api/v1/bookings/{id}", s.cancelBooking)
	s.handle("POST", "/api/v1/bookings/{id}/confirm", s.confirmBooking)
	s.handle("GET", "/api/v1/facilities/{ref}/bookings", s.facilityBookings)
	s.handle("POST", "/api/v1/facilities/{ref}/grants", s.grant)
}

func (s *Server) getMachine(w http.ResponseWriter, r *http.Request) error {
	t, err := s.cfg.Bookings.Target(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := map[string]any{"machine": t.Machine, "facility": map[string]string{"id": t.Facility.ID, "slug": t.Facility.Slug, "name": t.Facility.Name}}
	if s.cfg.Dispatch != nil {
		c, err := s.cfg.Dispatch.Correction(r.Context(), t.Machine.ID)
		if err != nil {
			return err
		}
		out["correction"] = c
	}
	return writeJSON(w, http.StatusOK, out)
}

// window reads from and to, a week from now by default.
func window(r *http.Request) (time.Time, time.Time, error) {
	q := r.URL.Query()
	from, err := param.Time("from", q.Get("from"), time.Now().UTC().Truncate(time.Hour))
	if err != nil {
		return from, from, err
	}
	to, err := param.Time("to", q.Get("to"), from.Add(7*24*time.Hour))
	return from, to, err
}

func (s *Server) machineSlots(w http.ResponseWriter, r *http.Request) error {
	from, to, err := window(r)
	if err != nil {
		return err
	}
	free, err := s.cfg.Bookings.Slots(r.Context(), r.PathValue("id"), from, to)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "units": free})
}

func (s *Server) bookMachine(w http.ResponseWriter, r *http.Request) error {
	var req booking.Request
	if err := body(r, &req); err != nil {
		return err
	}
	b, err := s.cfg.Bookings.Book(r.Context(), caller(r), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/bookings/"+b.ID)
	return writeJSON(w, http.StatusCreated, b)
}

func (s *Server) myBookings(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.Bookings.Mine(r.Context(), caller(r))
	if err != nil {
		return err
	}
	if list == nil {
		list = []booking.Booking{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"total": len(list), "items": list})
}

// mayRead lets the person who booked and the workshop's operators see
// a booking; anyone else sees only that the time is taken (slots).
func (s *Server) mayRead(r *http.Request, b *booking.Booking) error {
	u := caller(r)
	if u != nil && u.ID == b.Person {
		return nil
	}
	err := account.Permit(r.Context(), s.cfg.People.Accounts, u, account.Operator, b.FacilityID)
	if dgml.KindOf(err) == dgml.Forbidden {
		return &dgml.Error{Kind: dgml.NotFound, Msg: "no booking " + b.ID + " of yours"}
	}
	return err
}

func (s *Server) getBooking(w http.ResponseWriter, r *http.Request) error {
	b, err := s.cfg.Bookings.Store.Booking(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.mayRead(r, b); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, b)
}

func (s *Server) cancelBooking(w http.ResponseWriter, r *http.Request) error {
	b, err := s.cfg.Bookings.Cancel(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, b)
}

func (s *Server) confirmBooking(w http.ResponseWriter, r *http.Request) error {
	b, err := s.cfg.Bookings.Confirm(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, b)
}

// facilityBookings is a workshop's calendar, for its operators.
func (s *Server) facilityBookings(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cfg.Network.Store.Facility(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	if err := account.Permit(r.Context(), s.cfg.People.Accounts, caller(r), account.Operator, f.ID); err != nil {
		return err
	}
	from, to, err := window(r)
	if err != nil {
		return err
	}
	list, err := s.cfg.Bookings.Store.Bookings(r.Context(), booking.Filter{Facility: f.ID, From: from, To: to, Limit: 5000})
	if err != nil {
		return err
	}
	if list == nil {
		list = []booking.Booking{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "total": len(list), "items": list})
}

// grant gives (or, with "revoke": true, takes back) a workshop's
// membership or a named qualification.
func (s *Server) grant(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Person string `json:"person"`
		Grant  string `json:"grant"`
		Revoke bool   `json:"revoke"`
	}
	if err := body(r, &req); err != nil {
		return err
	}
	if req.Grant == "" {
		return &dgml.Error{Kind: dgml.Invalid, Field: "grant", Msg: `"member", or the name of a qualification such as "laser safety"`}
	}
	u, _, err := s.cfg.People.Accounts.UserByName(r.Context(), req.Person)
	if err != nil {
		return &dgml.Error{Kind: dgml.Invalid, Field: "person", Msg: "no user " + req.Person + " on this node"}
	}
	if err := s.cfg.Bookings.Grant(r.Context(), caller(r), r.PathValue("ref"), u.ID, req.Grant, req.Revoke); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
