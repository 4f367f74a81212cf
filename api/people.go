package api

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/collab"
)

func (s *Server) peopleRoutes() {
	if s.cfg.People == nil {
		return
	}
	s.handlePublic("POST", "/api/v1/users", s.signUp)
	s.handlePublic("POST", "/api/v1/tokens", s.createToken)
	s.handle("GET", "/api/v1/me", s.me)
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

// body decodes a small JSON request.
func body(r *http.Request, v any) error {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		return &dgml.Error{Kind: dgml.Invalid, Msg: "expected a JSON body", Err: err}
	}
	return nil
}

func (s *Server) signUp(w http.ResponseWriter, r *http.Request) error {
	var in struct{ Name, Password string }
	if err := body(r, &in); err != nil {
		return err
	}
	u, err := s.cfg.People.SignUp(r.Context(), in.Name, in.Password, false)
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

// createToken exchanges a name and password for an API token, shown once.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var in struct{ Name, Password, TokenName, Scope string }
	if err := body(r, &in); err != nil {
		return err
	}
	u := caller(r)
	if in.Name != "" || u == nil {
		var err error
		if u, err = s.cfg.People.Check(r.Context(), in.Name, in.Password, clientAddr(r)); err != nil {
			return err
		}
	}
	if in.Scope == "" {
		in.Scope = "write"
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
	if near := q.Get("near"); near != "" {
		if ts, err = s.nearTasks(ts, near, q.Get("radius")); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, ts)
}

func (s *Server) addTask(w http.ResponseWriter, r *http.Request) error {
	var t collab.Task
	if err := body(r, &t); err != nil {
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
	name := r.PathValue("name")
	if _, _, err := s.cfg.People.Accounts.UserByName(r.Context(), name); err != nil {
		return err
	}
	return s.activity(w, r, "", account.Handle(name, s.cfg.People.Node), name+" on dgml")
}

// activity answers a page of events, as JSON or (format=atom) an Atom
// feed.
func (s *Server) activity(w http.ResponseWriter, r *http.Request, designID, actor, title string) error {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	es, err := s.cfg.People.Store.Events(r.Context(), designID, actor, limit, max(offset, 0))
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
