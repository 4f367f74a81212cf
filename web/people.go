package web

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/guard"
	"github.com/dgml/dgml/people"
)

type viewerKey struct{}

type viewerInfo struct {
	user   *account.User
	csrf   string
	secret string
}

// session finds the logged-in user from the cookie and checks the CSRF
// token of every form that changes something.
func (s *Site) session(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	v := &viewerInfo{}
	if c, err := r.Cookie(account.SessionCookie); err == nil && s.people != nil {
		if u, sess, err := s.people.FromSession(r.Context(), c.Value); err == nil {
			v.user, v.csrf, v.secret = u, sess.CSRF, c.Value
		}
	}
	r = r.WithContext(context.WithValue(r.Context(), viewerKey{}, v))
	if r.Method == http.MethodPost && r.URL.Path != "/login" && r.URL.Path != "/signup" {
		if v.user == nil {
			return r, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in first"}
		}
		if err := r.ParseMultipartForm(32 << 20); err != nil && err != http.ErrNotMultipart {
			if err := guard.TooLarge(err); dgml.KindOf(err) == dgml.TooLarge {
				return r, err
			}
			return r, &dgml.Error{Kind: dgml.Invalid, Msg: "unreadable form"}
		}
		if !account.SameSecret(r.PostFormValue("csrf"), v.csrf) {
			return r, &dgml.Error{Kind: dgml.Forbidden, Msg: "this form has expired or did not come from this site: reload the page and try again"}
		}
	}
	return r, nil
}

func viewer(r *http.Request) (*account.User, string) {
	if v, ok := r.Context().Value(viewerKey{}).(*viewerInfo); ok {
		return v.user, v.csrf
	}
	return nil, ""
}

func (s *Site) peoplePages(mux *http.ServeMux) {
	if s.people == nil {
		return
	}
	mux.HandleFunc("GET /login", s.page(s.loginForm))
	mux.HandleFunc("POST /login", s.page(s.login))
	mux.HandleFunc("GET /signup", s.page(s.signupForm))
	mux.HandleFunc("POST /signup", s.page(s.signup))
	mux.HandleFunc("POST /logout", s.page(s.logout))
	mux.HandleFunc("POST /designs/{ref}/fork", s.page(s.fork))
	mux.HandleFunc("POST /designs/{ref}/propose", s.page(s.propose))
	mux.HandleFunc("GET /proposals/{id}", s.page(s.proposal))
	mux.HandleFunc("POST /proposals/{id}", s.page(s.proposalAction))
	mux.HandleFunc("GET /tasks", s.page(s.tasks))
	mux.HandleFunc("POST /designs/{ref}/tasks", s.page(s.addTask))
	mux.HandleFunc("GET /tasks/{id}", s.page(s.task))
	mux.HandleFunc("POST /tasks/{id}", s.page(s.taskAction))
	mux.HandleFunc("GET /designs/{ref}/activity", s.page(s.activity))
}

func (s *Site) loginForm(w http.ResponseWriter, r *http.Request) (*view, error) {
	return page("login.html", "Log in", map[string]any{"Next": guard.LocalPath(r.URL.Query().Get("next"))}), nil
}

func (s *Site) signupForm(w http.ResponseWriter, r *http.Request) (*view, error) {
	return page("signup.html", "Sign up", map[string]any{"Errors": map[string]string{}, "Next": guard.LocalPath(r.URL.Query().Get("next"))}), nil
}

func addrOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// setSession sets the login cookie: HttpOnly, SameSite=Lax, and Secure
// except over plain HTTP to this machine (a local node).
func setSession(w http.ResponseWriter, r *http.Request, secret string, maxAge int) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	local := host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1"
	http.SetCookie(w, &http.Cookie{Name: account.SessionCookie, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || !local, MaxAge: maxAge})
}

func (s *Site) login(w http.ResponseWriter, r *http.Request) (*view, error) {
	name, pw := r.PostFormValue("name"), r.PostFormValue("password")
	secret, _, err := s.people.Login(r.Context(), name, pw, addrOf(r))
	if err != nil {
		kind := dgml.KindOf(err)
		if kind != dgml.Unauthorized && kind != dgml.TooMany {
			return nil, err
		}
		v := page("login.html", "Log in", map[string]any{"Error": err.Error(), "Name": name, "Next": guard.LocalPath(r.PostFormValue("next"))})
		v.status = dgml.HTTPStatus(kind)
		return v, nil
	}
	setSession(w, r, secret, int(people.SessionLength/time.Second))
	return &view{redirect: guard.LocalPath(r.PostFormValue("next"))}, nil
}

func (s *Site) signup(w http.ResponseWriter, r *http.Request) (*view, error) {
	name, pw := r.PostFormValue("name"), r.PostFormValue("password")
	if _, err := s.people.SignUp(r.Context(), name, pw, addrOf(r), false); err != nil {
		e, ok := err.(*dgml.Error)
		if !ok || (e.Kind != dgml.Invalid && e.Kind != dgml.Conflict && e.Kind != dgml.TooMany) {
			return nil, err
		}
		field := e.Field
		if field == "" {
			field = "name"
		}
		v := page("signup.html", "Sign up", map[string]any{"Errors": map[string]string{field: e.Msg}, "Name": name, "Next": guard.LocalPath(r.PostFormValue("next"))})
		v.status = dgml.HTTPStatus(e.Kind)
		return v, nil
	}
	secret, _, err := s.people.Login(r.Context(), name, pw, addrOf(r))
	if err != nil {
		return nil, err
	}
	setSession(w, r, secret, int(people.SessionLength/time.Second))
	// Back to where the person was going when the page asked them to
	// sign up.
	return &view{redirect: guard.LocalPath(r.PostFormValue("next"))}, nil
}

func (s *Site) logout(w http.ResponseWriter, r *http.Request) (*view, error) {
	if v, ok := r.Context().Value(viewerKey{}).(*viewerInfo); ok && v.secret != "" {
		s.people.Logout(r.Context(), v.secret)
	}
	setSession(w, r, "", -1)
	return &view{redirect: "/"}, nil
}

func me(r *http.Request) *account.User {
	u, _ := viewer(r)
	return u
}

func (s *Site) fork(w http.ResponseWriter, r *http.Request) (*view, error) {
	d, err := s.people.Fork(r.Context(), me(r), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	return &view{redirect: "/designs/" + d.Slug}, nil
}

func (s *Site) propose(w http.ResponseWriter, r *http.Request) (*view, error) {
	d, err := s.commons.Store.Design(r.Context(), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	if d.ForkedFrom == nil {
		return nil, &dgml.Error{Kind: dgml.Invalid, Msg: "only a fork can propose changes to the design it came from"}
	}
	p, err := s.people.Propose(r.Context(), me(r), d.ForkedFrom.Design, d.ID, r.PostFormValue("title"))
	if err != nil {
		return nil, err
	}
	return &view{redirect: "/proposals/" + p.ID}, nil
}

func (s *Site) proposal(w http.ResponseWriter, r *http.Request) (*view, error) {
	ctx := r.Context()
	p, err := s.people.Store.Proposal(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	target, err := s.commons.Store.Design(ctx, p.DesignID)
	if err != nil {
		return nil, err
	}
	from, err := s.commons.Store.Design(ctx, p.FromDesign)
	if dgml.KindOf(err) == dgml.NotFound {
		from, err = nil, nil // the fork was withdrawn
	}
	if err != nil {
		return nil, err
	}
	diff, err := s.people.Diff(ctx, p.Base, p.Revision)
	if err != nil {
		return nil, err
	}
	canDecide := s.people.May(ctx, me(r), account.Maintainer, p.DesignID) == nil
	return page("proposal.html", p.Title, map[string]any{"P": p, "Target": target, "From": from, "Diff": diff, "CanDecide": canDecide && p.Status == "open"}), nil
}

func (s *Site) proposalAction(w http.ResponseWriter, r *http.Request) (*view, error) {
	id := r.PathValue("id")
	var err error
	switch r.PostFormValue("action") {
	case "accept":
		_, err = s.people.Decide(r.Context(), me(r), id, true)
	case "decline":
		_, err = s.people.Decide(r.Context(), me(r), id, false)
	default:
		err = s.people.Comment(r.Context(), me(r), id, r.PostFormValue("text"))
	}
	if err != nil {
		return nil, err
	}
	return &view{redirect: "/proposals/" + id}, nil
}

func (s *Site) tasks(w http.ResponseWriter, r *http.Request) (*view, error) {
	q := r.URL.Query()
	ts, err := s.people.Store.Tasks(r.Context(), collab.TaskQuery{Skill: q.Get("skill"), Process: q.Get("process"), Language: q.Get("language"), OpenOnly: true})
	if err != nil {
		return nil, err
	}
	return page("tasks.html", "Help wanted", map[string]any{"Tasks": ts, "Skill": q.Get("skill"), "Process": q.Get("process"), "Language": q.Get("language")}), nil
}

func (s *Site) addTask(w http.ResponseWriter, r *http.Request) (*view, error) {
	t := &collab.Task{Title: r.PostFormValue("title"), Body: r.PostFormValue("body"), Part: r.PostFormValue("part"),
		Process: r.PostFormValue("process"), Language: r.PostFormValue("language")}
	for _, sk := range strings.Split(r.PostFormValue("skills"), ",") {
		if sk = strings.TrimSpace(strings.ToLower(sk)); sk != "" {
			t.Skills = append(t.Skills, sk)
		}
	}
	if err := s.people.AddTask(r.Context(), me(r), r.PathValue("ref"), t); err != nil {
		e, ok := err.(*dgml.Error)
		if !ok || e.Kind != dgml.Invalid {
			return nil, err
		}
		field := e.Field
		if field != "body" && field != "skills" && field != "language" && field != "part" {
			field = "title"
		}
		v, verr := s.design(w, r)
		if verr != nil {
			return nil, verr
		}
		v.data["KF"], v.data["KE"], v.status = postedForm(r), map[string]string{field: e.Msg}, http.StatusUnprocessableEntity
		return v, nil
	}
	return &view{redirect: "/tasks/" + t.ID}, nil
}

func (s *Site) task(w http.ResponseWriter, r *http.Request) (*view, error) {
	t, err := s.people.Store.Task(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	d, err := s.commons.Store.Design(r.Context(), t.DesignID)
	if err != nil {
		return nil, err
	}
	u := me(r)
	mine := u != nil && t.ClaimedBy == s.people.Handle(u) && t.Status == "claimed"
	return page("task.html", t.Title, map[string]any{"T": t, "D": d, "Open": t.Open(time.Now()), "Mine": mine, "Money": s.taskMoney(r, t.ID),
		"PledgeForm": map[string]string{"currency": "EUR"}, "PledgeErrs": map[string]string{}}), nil
}

func (s *Site) taskAction(w http.ResponseWriter, r *http.Request) (*view, error) {
	id := r.PathValue("id")
	var err error
	switch r.PostFormValue("action") {
	case "claim":
		_, err = s.people.Claim(r.Context(), me(r), id)
	case "progress":
		err = s.people.Progress(r.Context(), me(r), id, r.PostFormValue("text"))
	case "close":
		_, err = s.people.Close(r.Context(), me(r), id, r.PostFormValue("resolution"))
	default:
		err = &dgml.Error{Kind: dgml.Invalid, Field: "action", Msg: "claim, progress or close"}
	}
	if err != nil {
		return nil, err
	}
	return &view{redirect: "/tasks/" + id}, nil
}

func (s *Site) activity(w http.ResponseWriter, r *http.Request) (*view, error) {
	d, err := s.commons.Store.Design(r.Context(), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	es, err := s.people.Store.Events(r.Context(), d.ID, "", 100, 0)
	if err != nil {
		return nil, err
	}
	return page("activity.html", "Activity: "+d.Name, map[string]any{"D": d, "Events": es}), nil
}
