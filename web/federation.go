package web

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/feed"
)

// homes caches the names and addresses of the nodes this one follows,
// for the pages that say where a design or a workshop lives.
type homes struct {
	mu    sync.Mutex
	at    time.Time
	peers map[string]feed.Peer
}

// Home is how a page names a node.
type Home struct {
	Node, Name, URL string
}

// homeOf names the node a design or workshop lives at (empty: here).
func (s *Site) homeOf(node string) Home {
	if node == "" || s.fed == nil {
		return Home{}
	}
	s.homes.mu.Lock()
	defer s.homes.mu.Unlock()
	if time.Since(s.homes.at) > 10*time.Second {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if ps, err := s.fed.Store.Peers(ctx); err == nil {
			s.homes.peers = map[string]feed.Peer{}
			for _, p := range ps {
				s.homes.peers[p.Node] = p
			}
			s.homes.at = time.Now()
		}
	}
	if p, ok := s.homes.peers[node]; ok {
		return Home{Node: node, Name: p.Name, URL: p.URL}
	}
	return Home{Node: node, Name: "node " + node[:min(8, len(node))]}
}

func (s *Site) federationPages(mux *http.ServeMux) {
	if s.fed == nil {
		return
	}
	mux.HandleFunc("GET /admin/peers", s.page(s.peers))
	mux.HandleFunc("POST /admin/peers", s.page(s.peersAction))
}

// peers is the admin's page of the nodes this one follows: their state,
// why a sync failed, and forms to follow, sync and stop following.
func (s *Site) peers(w http.ResponseWriter, r *http.Request) (*view, error) {
	return s.peersPage(r, map[string]string{}, map[string]string{}, "")
}

func (s *Site) peersPage(r *http.Request, form, errs map[string]string, done string) (*view, error) {
	u := me(r)
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in as a node admin to see the nodes this one follows"}
	}
	if !u.Admin {
		return nil, &dgml.Error{Kind: dgml.Forbidden, Msg: "only the node's admins choose which nodes it follows"}
	}
	ctx := r.Context()
	ps, err := s.fed.Store.Peers(ctx)
	if err != nil {
		return nil, err
	}
	doc, err := s.fed.Document()
	if err != nil {
		return nil, err
	}
	size, err := s.fed.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	v := page("peers.html", "Nodes this node follows", map[string]any{"Peers": ps, "Node": doc, "LogSize": size, "Form": form, "Errors": errs, "Done": done})
	if len(errs) > 0 {
		v.status = http.StatusUnprocessableEntity
	}
	return v, nil
}

func (s *Site) peersAction(w http.ResponseWriter, r *http.Request) (*view, error) {
	ctx, u := r.Context(), me(r)
	form := map[string]string{"url": strings.TrimSpace(r.PostForm.Get("url"))}
	errs := map[string]string{}
	var done string
	switch r.PostForm.Get("action") {
	case "add":
		p, err := s.fed.Follow(ctx, u, form["url"])
		if k := dgml.KindOf(err); k == dgml.Invalid || k == dgml.Conflict {
			errs["url"] = err.Error()
			break
		}
		if err != nil {
			return nil, err
		}
		form["url"] = ""
		done = "Now following " + p.Name + ". Sync it to read its log."
	case "sync":
		res, err := s.fed.SyncAs(ctx, u, r.PostForm.Get("node"))
		if dgml.KindOf(err) == dgml.Unauthorized || dgml.KindOf(err) == dgml.Forbidden {
			return nil, err
		}
		if err != nil {
			done = "The sync failed: " + err.Error()
		} else {
			done = "Synced: " + itoa(res.Entries) + " new entries, " + itoa(res.Objects) + " files and revisions fetched."
		}
	case "remove":
		if err := s.fed.Unfollow(ctx, u, r.PostForm.Get("node")); err != nil {
			return nil, err
		}
		done = "No longer following that node; what was learned from it stays."
	default:
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "action", Msg: "add, sync or remove"}
	}
	return s.peersPage(r, form, errs, done)
}
