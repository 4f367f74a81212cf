package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
)

type ctxKey int

const userKey ctxKey = 0

// who is the caller of a request: nobody, a token holder or a browser.
type who struct {
	user  *account.User
	scope string // read or write
	csrf  string // for cookie logins: what a write must echo
}

// identify finds the caller: an API token in Authorization: Bearer, else
// a session cookie. A bad token is an error; no credentials is anonymous.
func (s *Server) identify(r *http.Request) (*who, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "send the API token as Authorization: Bearer TOKEN"}
		}
		u, scope, err := s.cfg.People.FromToken(ctx, strings.TrimSpace(secret))
		if err != nil {
			return nil, err
		}
		return &who{user: u, scope: scope}, nil
	}
	if c, err := r.Cookie(account.SessionCookie); err == nil {
		u, sess, err := s.cfg.People.FromSession(ctx, c.Value)
		if err == nil {
			return &who{user: u, scope: "write", csrf: sess.CSRF}, nil
		}
	}
	return &who{}, nil
}

// authorize lets reads through and asks writes for a caller allowed to
// write: a write-scoped token, or a session with the CSRF token.
func (s *Server) authorize(r *http.Request, public bool) (*http.Request, error) {
	w, err := s.identify(r)
	if err != nil {
		return r, err
	}
	r = r.WithContext(context.WithValue(r.Context(), userKey, w))
	if r.Method == http.MethodGet || r.Method == http.MethodHead || public {
		return r, nil
	}
	switch {
	case w.user == nil:
		return r, &dgml.Error{Kind: dgml.Unauthorized, Msg: "changes need a login: send an API token (dgml token create) as Authorization: Bearer"}
	case w.scope != "write":
		return r, &dgml.Error{Kind: dgml.Forbidden, Msg: "this API token may only read"}
	case w.csrf != "" && !account.SameSecret(r.Header.Get("X-CSRF-Token"), w.csrf):
		return r, &dgml.Error{Kind: dgml.Forbidden, Msg: "a browser session must send its CSRF token (X-CSRF-Token)"}
	}
	return r, nil
}

// caller is the authenticated user of a request, nil when anonymous.
func caller(r *http.Request) *account.User {
	if w := credentials(r); w != nil {
		return w.user
	}
	return nil
}

// credentials says how the caller of a request proved who they are.
func credentials(r *http.Request) *who {
	w, _ := r.Context().Value(userKey).(*who)
	return w
}
