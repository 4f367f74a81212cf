package api

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/geo"
	"github.com/dgml/dgml/order"
	"github.com/dgml/dgml/param"
)

func (s *Server) orderRoutes() {
	if s.cfg.Orders == nil {
		return
	}
	s.handle("POST", "/api/v1/orders", s.placeOrder)
	s.handle("GET", "/api/v1/orders", s.myOrders)
	s.handle("GET", "/api/v1/orders/{id}", s.getOrder)
	s.handle("GET", "/api/v1/order-requests/{id}", s.getOrderRequest)
	s.handle("POST", "/api/v1/order-requests/{id}/state", s.actOnRequest)
	s.handle("POST", "/api/v1/order-requests/{id}/messages", s.messageRequest)
	s.handle("GET", "/api/v1/facilities/{ref}/requests", s.facilityQueue)
	s.handle("GET", "/api/v1/notifications", s.notifications)
	s.handle("POST", "/api/v1/notifications/read", s.markRead)
}

// orderBody is an order as JSON: the place as "lat,lon", the deadline as
// a date or an RFC 3339 time.
type orderBody struct {
	Design   string  `json:"design"`
	Quantity int     `json:"quantity"`
	Near     string  `json:"near"`
	RadiusKm float64 `json:"radius_km"`
	Deadline string  `json:"deadline"`
	Note     string  `json:"note"`
}

func deadline(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, strings.TrimSpace(s)); err == nil {
		return t.Add(24*time.Hour - time.Second), nil // the end of that day, UTC
	}
	t, err := param.Time("deadline", s, time.Time{})
	if err == nil && t.IsZero() {
		return t, &dgml.Error{Kind: dgml.Invalid, Field: "deadline", Msg: "a date (2027-03-01) or a time (RFC 3339)"}
	}
	return t, err
}

func (s *Server) placeOrder(w http.ResponseWriter, r *http.Request) error {
	var b orderBody
	if err := body(r, &b); err != nil {
		return err
	}
	var near geo.Point
	var err error
	if near, err = param.Point("near", b.Near); err != nil {
		return err
	}
	if b.RadiusKm < 0 || b.RadiusKm > param.MaxRadiusKm {
		return &dgml.Error{Kind: dgml.Invalid, Field: "radius_km", Msg: fmt.Sprintf("0 to %g", float64(param.MaxRadiusKm))}
	}
	due, err := deadline(b.Deadline)
	if err != nil {
		return err
	}
	o, err := s.cfg.Orders.Place(r.Context(), caller(r), order.PlaceRequest{Design: b.Design, Quantity: b.Quantity, Near: near, RadiusKm: b.RadiusKm, Deadline: due, Note: b.Note})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/orders/"+o.ID)
	return writeJSON(w, http.StatusCreated, o)
}

func (s *Server) myOrders(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.Orders.Mine(r.Context(), caller(r))
	if err != nil {
		return err
	}
	if list == nil {
		list = []order.Order{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"total": len(list), "items": list})
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) error {
	o, err := s.cfg.Orders.Get(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, o)
}

func (s *Server) getOrderRequest(w http.ResponseWriter, r *http.Request) error {
	req, err := s.cfg.Orders.Request(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, req)
}

func (s *Server) actOnRequest(w http.ResponseWriter, r *http.Request) error {
	var a order.Action
	if err := body(r, &a); err != nil {
		return err
	}
	req, err := s.cfg.Orders.Act(r.Context(), caller(r), r.PathValue("id"), a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, req)
}

func (s *Server) messageRequest(w http.ResponseWriter, r *http.Request) error {
	var m struct {
		Text string `json:"text"`
	}
	if err := body(r, &m); err != nil {
		return err
	}
	req, err := s.cfg.Orders.Message(r.Context(), caller(r), r.PathValue("id"), m.Text)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, req)
}

// facilityQueue is a workshop's requests, for its operators; open=1
// keeps those still waiting on someone; format=atom makes it a feed.
func (s *Server) facilityQueue(w http.ResponseWriter, r *http.Request) error {
	f, list, err := s.cfg.Orders.Queue(r.Context(), caller(r), r.PathValue("ref"), r.URL.Query().Get("open") != "")
	if err != nil {
		return err
	}
	if list == nil {
		list = []order.Request{}
	}
	if r.URL.Query().Get("format") == "atom" {
		base := "http://" + r.Host
		feed := atomFeed{Title: "Requests to " + f.Name, ID: base + r.URL.Path, Updated: time.Now().UTC().Format(time.RFC3339)}
		if len(list) > 0 {
			feed.Updated = list[0].Updated.Format(time.RFC3339)
		}
		for _, q := range list {
			var parts []string
			for _, l := range q.Lines {
				parts = append(parts, fmt.Sprintf("%g × %s", l.Quantity, l.Part))
			}
			feed.Entries = append(feed.Entries, atomEntry{Title: fmt.Sprintf("%d part lines: %s", len(q.Lines), strings.ReplaceAll(string(q.State), "_", " ")),
				ID: base + "/requests/" + q.ID + "#" + q.Updated.Format(time.RFC3339Nano), Updated: q.Updated.Format(time.RFC3339), Author: f.Name,
				Link: atomLink{Href: base + "/api/v1/order-requests/" + q.ID}, Summary: strings.Join(parts, "; ")})
		}
		return writeFeed(w, feed)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"total": len(list), "items": list})
}

// notifications is the caller's inbox, newest first; format=atom makes
// it a feed a reader polls with the person's token.
func (s *Server) notifications(w http.ResponseWriter, r *http.Request) error {
	u := caller(r)
	if u == nil {
		return &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in, or send an API token"}
	}
	list, err := s.cfg.Orders.Store.Notifications(r.Context(), u.ID, 100)
	if err != nil {
		return err
	}
	if list == nil {
		list = []order.Notification{}
	}
	if r.URL.Query().Get("format") == "atom" {
		base := "http://" + r.Host
		feed := atomFeed{Title: "News for " + u.Name, ID: base + r.URL.Path, Updated: time.Now().UTC().Format(time.RFC3339)}
		if len(list) > 0 {
			feed.Updated = list[0].At.Format(time.RFC3339)
		}
		for _, n := range list {
			feed.Entries = append(feed.Entries, atomEntry{Title: n.Text, ID: fmt.Sprintf("%s/notifications/%d", base, n.ID), Updated: n.At.Format(time.RFC3339),
				Author: "dgml", Link: atomLink{Href: base + n.Link}, Summary: n.Text})
		}
		return writeFeed(w, feed)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"total": len(list), "items": list})
}

func (s *Server) markRead(w http.ResponseWriter, r *http.Request) error {
	u := caller(r)
	if u == nil {
		return &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in, or send an API token"}
	}
	var m struct {
		UpTo int64 `json:"up_to"`
	}
	if err := body(r, &m); err != nil {
		return err
	}
	if err := s.cfg.Orders.Store.MarkRead(r.Context(), u.ID, m.UpTo); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func writeFeed(w http.ResponseWriter, f atomFeed) error {
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	return xml.NewEncoder(w).Encode(f)
}
