package api

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/param"
)

func (s *Server) peopleRoutes() {
	if s.cfg.People == nil {
		return
	}
	s.handlePublic("POST", "/api/v1/users", s.signUp)
	s.handlePublic("POST", "/api/v1/tokens", s.createToken)
	s.handle("GET", "/api/v1/me", s.me)
	s.handle("PUT", "/api/v1/me/email", s.setEmail)
	s.handle("GET", "/api/v1/tokens", s.listTokens)
	s.handle("DELETE", "/api/v1/tokens/{id}", s.revokeToken)
	s.handle("POST", "/api/v1/designs/{ref}/fork", s.fork)
	s.handle("GET", "/api/v1/designs/{ref}/lineage", s.lineage)
	s.handle("GET", "/api/v1/designs/{ref}/proposals", s.listProposals)
	s.handle("POST", "/api/v1/designs/{ref}/proposals", s.propose)
	s.handle("GET", "/api/v1/proposals/{id}", s.getProposal)
	s.handle("POST", "/api/v1/proposals/{id}/comments", s.commentProposal)
	s.handle("POST", "/api/v1/proposals/{id}/accept", s.decide(true))
	s.handle("POST", "/api/v1/proposals/{id}/decline", s.decide(false))
	s.handle("GET", "/api/v1/revisions/{id}/diff/{other}", s.diff)
	s.handle("GET", "/api/v1/tasks", s.listTasks)
	s.handle("POST", "/api/v1/designs/{ref}/tasks", s.addTask)
	s.handle("GET", "/api/v1/tasks/{id}", s.getTask)
	s.handle("POST", "/api/v1/tasks/{id}/claim", s.claimTask)
	s.handle("POST", "/api/v1/tasks/{id}/progress", s.taskProgress)
	s.handle("POST", "/api/v1/tasks/{id}/close", s.closeTask)
	s.handle("GET", "/api/v1/designs/{ref}/activity", s.designActivity)
	s.handle("GET", "/api/v1/people/{name}/activity", s.personActivity)
}

// body decodes a small JSON request into v. A field v does not have is
// refused, naming it, and so is any of owned: fields the node sets itself
// (who claimed a task, when, under which id), which a request may not
// choose.
func body(r *http.Request, v any, owned ...string) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return &dgml.Error{Kind: dgml.Invalid, Msg: "expected a JSON object", Err: err}
	}
	for _, k := range owned {
		if _, ok := top[k]; ok {
			return &dgml.Error{Kind: dgml.Invalid, Field: k, Msg: "set by the node, not by a request: leave it out"}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		e := &dgml.Error{Kind: dgml.Invalid, Msg: "the JSON body does not fit", Err: err}
		var te *json.UnmarshalTypeError
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			e.Field, e.Msg, e.Err = strings.Trim(f, `"`), "not a field of this request", nil
		} else if errors.As(err, &te) {
			e.Field, e.Msg, e.Err = te.Field, "expected "+te.Type.String()+", got "+te.Value, nil
		}
		return e
	}
	return nil
}

func (s *Server) signUp(w http.ResponseWriter, r *http.Request) error {
	var in struct{ Name, Password string }
	if err := body(r, &in); err != nil {
		return err
	}
	u, err := s.cfg.People.SignUp(r.Context(), in.Name, in.Password, clientAddr(r), false)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"user": u, "handle": s.cfg.People.Handle(u)})
}

func clientAddr(r *http.Request) string {
	host := r.RemoteAddr
	for i := len(host) - 1; i >= 0; i-- {
		if host[i] == ':' {
			return host[:i]
		}
	}
	return host
}

// createToken makes an API token, shown once. It takes a fresh name and
// password, or a credential that may write: a write-scoped token, or a
// browser session with its CSRF token. A token never makes one of wider
// scope than its own, and a read token makes none.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name      string `json:"name"`
		Password  string `json:"password"`
		TokenName string `json:"token_name"`
		Scope     string `json:"scope"`
	}
	if err := body(r, &in); err != nil {
		return err
	}
	if in.Scope == "" {
		in.Scope = "write"
	}
	var u *account.User
	if in.Name != "" || in.Password != "" {
		var err error
		if u, err = s.cfg.People.Check(r.Context(), in.Name, in.Password, clientAddr(r)); err != nil {
			return err
		}
	} else {
		c := credentials(r)
		switch {
		case c == nil || c.user == nil:
			return &dgml.Error{Kind: dgml.Unauthorized, Msg: "send your name and password, or an API token that may write"}
		case c.scope != "write":
			return &dgml.Error{Kind: dgml.Forbidden, Msg: "a read token cannot make tokens: send your name and password"}
		case c.csrf != "" && r.Header.Get("X-CSRF-Token") != c.csrf:
			return &dgml.Error{Kind: dgml.Forbidden, Msg: "a browser session must send its CSRF token (X-CSRF-Token)"}
		}
		u = c.user
	}
	secret, t, err := s.cfg.People.NewToken(r.Context(), u, in.TokenName, in.Scope)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"token": secret, "id": t.ID, "scope": t.Scope, "note": "keep the token now: it is not shown again"})
}

func need(r *http.Request) (*account.User, error) {
	if u := caller(r); u != nil {
		return u, nil
	}
	return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in, or send an API token"}
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	u, err := need(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"user": u, "handle": s.cfg.People.Handle(u)})
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	u, err := need(r)
	if err != nil {
		return err
	}
	ts, err := s.cfg.People.Accounts.Tokens(r.Context(), u.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ts)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	u, err := need(r)
	if err != nil {
		return err
	}
	if err := s.cfg.People.Accounts.RevokeToken(r.Context(), u.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) fork(w http.ResponseWriter, r *http.Request) error {
	d, err := s.cfg.People.Fork(r.Context(), caller(r), r.PathValue("ref"))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/designs/"+d.Slug)
	return writeJSON(w, http.StatusCreated, d)
}

func (s *Server) lineage(w http.ResponseWriter, r *http.Request) error {
	l, err := s.cfg.People.Lineage(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, l)
}

func (s *Server) listProposals(w http.ResponseWriter, r *http.Request) error {
	d, err := s.cfg.Commons.Store.Design(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	ps, err := s.cfg.People.Store.Proposals(r.Context(), d.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ps)
}

func (s *Server) propose(w http.ResponseWriter, r *http.Request) error {
	var in struct{ From, Title string }
	if err := body(r, &in); err != nil {
		return err
	}
	p, err := s.cfg.People.Propose(r.Context(), caller(r), r.PathValue("ref"), in.From, in.Title)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, p)
}

func (s *Server) getProposal(w http.ResponseWriter, r *http.Request) error {
	p, err := s.cfg.People.Store.Proposal(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	diff, err := s.cfg.People.Diff(r.Context(), p.Base, p.Revision)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"proposal": p, "diff": diff})
}

func (s *Server) commentProposal(w http.ResponseWriter, r *http.Request) error {
	var in struct{ Text string }
	if err := body(r, &in); err != nil {
		return err
	}
	if err := s.cfg.People.Comment(r.Context(), caller(r), r.PathValue("id"), in.Text); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) decide(accept bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.cfg.People.Decide(r.Context(), caller(r), r.PathValue("id"), accept)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, p)
	}
}

func (s *Server) diff(w http.ResponseWriter, r *http.Request) error {
	changes, err := s.cfg.People.Diff(r.Context(), r.PathValue("id"), r.PathValue("other"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"from": r.PathValue("id"), "to": r.PathValue("other"), "changes": changes})
}

func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	tq := collab.TaskQuery{Skill: q.Get("skill"), Process: q.Get("process"), Language: q.Get("language"), OpenOnly: q.Get("all") == ""}
	var err error
	if tq.Limit, err = param.Int("limit", q.Get("limit"), 0, collab.MaxTasks, collab.DefaultTasks); err != nil {
		return err
	}
	if tq.Offset, err = param.Int("offset", q.Get("offset"), 0, param.MaxOffset, 0); err != nil {
		return err
	}
	if near := q.Get("near"); near != "" {
		at, err := param.Point("near", near)
		if err != nil {
			return err
		}
		tq.Near = &at
		if tq.RadiusKm, err = param.Positive("radius", q.Get("radius"), param.MaxRadiusKm, 100); err != nil {
			return err
		}
	}
	if ref := q.Get("design"); ref != "" {
		d, err := s.cfg.Commons.Store.Design(r.Context(), ref)
		if err != nil {
			return err
		}
		tq.Design = d.ID
	}
	ts, err := s.cfg.People.Store.Tasks(r.Context(), tq)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ts)
}

func (s *Server) addTask(w http.ResponseWriter, r *http.Request) error {
	var t collab.Task
	if err := body(r, &t, "id", "design_id", "status", "claimed_by", "claim_until", "resolution", "author", "created", "progress"); err != nil {
		return err
	}
	if err := s.cfg.People.AddTask(r.Context(), caller(r), r.PathValue("ref"), &t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, t)
}

func (s *Server) getTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.cfg.People.Store.Task(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) claimTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.cfg.People.Claim(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) taskProgress(w http.ResponseWriter, r *http.Request) error {
	var in struct{ Text string }
	if err := body(r, &in); err != nil {
		return err
	}
	if err := s.cfg.People.Progress(r.Context(), caller(r), r.PathValue("id"), in.Text); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) closeTask(w http.ResponseWriter, r *http.Request) error {
	var in struct{ Resolution string }
	if err := body(r, &in); err != nil {
		return err
	}
	t, err := s.cfg.People.Close(r.Context(), caller(r), r.PathValue("id"), in.Resolution)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) designActivity(w http.ResponseWriter, r *http.Request) error {
	d, err := s.cfg.Commons.Store.Design(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	return s.activity(w, r, d.ID, "", d.Name+" on dgml")
}

func (s *Server) personActivity(w http.ResponseWriter, r *http.Request) error {
	// Whether the name has an account is not said: a name with no public
	// activity and a name nobody has get the same empty page.
	name := strings.ToLower(r.PathValue("name"))
	return s.activity(w, r, "", account.Handle(name, s.cfg.People.Node), name+" on dgml")
}

// activity answers a page of events, as JSON or (format=atom) an Atom
// feed.
func (s *Server) activity(w http.ResponseWriter, r *http.Request, designID, actor, title string) error {
	limit, err := param.Int("limit", r.URL.Query().Get("limit"), 0, 200, 50)
	if err != nil {
		return err
	}
	offset, err := param.Int("offset", r.URL.Query().Get("offset"), 0, param.MaxOffset, 0)
	if err != nil {
		return err
	}
	es, err := s.cfg.People.Store.Events(r.Context(), designID, actor, limit, offset)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") != "atom" {
		return writeJSON(w, http.StatusOK, es)
	}
	return writeAtom(w, r, title, es)
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Entries []atomEntry `xml:"entry"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Author  string   `xml:"author>name"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
}

func writeAtom(w http.ResponseWriter, r *http.Request, title string, es []collab.Event) error {
	base := "http://" + r.Host
	f := atomFeed{Title: title, ID: base + r.URL.Path, Updated: time.Now().UTC().Format(time.RFC3339)}
	if len(es) > 0 {
		f.Updated = es[0].Created.Format(time.RFC3339)
	}
	for _, e := range es {
		f.Entries = append(f.Entries, atomEntry{Title: e.Summary, ID: base + "/events/" + strconv.FormatInt(e.ID, 10), Updated: e.Created.Format(time.RFC3339),
			Author: e.Actor, Link: atomLink{Href: base + e.Link}, Summary: e.Kind + ": " + e.Summary})
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	return xml.NewEncoder(w).Encode(f)
}

// setEmail keeps the address the caller gives for news of their orders,
// requests and bookings (sent when the node has an SMTP server); an
// empty one forgets it.
func (s *Server) setEmail(w http.ResponseWriter, r *http.Request) error {
	u := caller(r)
	if u == nil {
		return &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in, or send an API token"}
	}
	var b struct {
		Email string `json:"email"`
	}
	if err := body(r, &b); err != nil {
		return err
	}
	b.Email = strings.TrimSpace(b.Email)
	if b.Email != "" {
		if err := account.CheckEmail(b.Email); err != nil {
			return err
		}
	}
	if err := s.cfg.People.Accounts.SetEmail(r.Context(), u.ID, b.Email); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"email": b.Email})
}
