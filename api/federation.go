package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/federation"
	"github.com/dgml/dgml/feed"
)

func (s *Server) federationRoutes() {
	if s.cfg.Federation == nil {
		return
	}
	s.handle("GET", "/.well-known/dgml", s.nodeDocument)
	s.handle("GET", "/federation/feed", s.feedBatch)
	s.handle("GET", "/federation/objects/{sha256}", s.object)
	s.handlePublic("POST", "/federation/objects", s.objects)
	s.handlePublic("POST", "/federation/inbox", s.inbox)
	s.handlePublic("POST", "/federation/followers", s.subscribe)
	s.handle("GET", "/federation/private/{ref}", s.private)
	s.handle("GET", "/.well-known/webfinger", s.webfinger)
	s.handle("GET", "/ap/actor", s.apActor)
	s.handle("GET", "/ap/outbox", s.apOutbox)
	s.handle("GET", "/ap/followers", s.apFollowers)
	s.handlePublic("POST", "/ap/inbox", s.apInbox)
	s.handle("GET", "/api/v1/node", s.nodeInfo)
	s.handle("GET", "/api/v1/peers", s.listPeers)
	s.handle("POST", "/api/v1/peers", s.addPeer)
	s.handle("POST", "/api/v1/peers/{node}/sync", s.syncPeer)
	s.handle("DELETE", "/api/v1/peers/{node}", s.removePeer)
}

func (s *Server) nodeDocument(w http.ResponseWriter, r *http.Request) error {
	d, err := s.cfg.Federation.Document()
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

// feedBatch serves a page of this node's log: ?after=N (default 0) and
// ?limit=M (at most feed.DefaultLimits.Entries).
func (s *Server) feedBatch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	after, err := strconv.ParseUint(q.Get("after"), 10, 63)
	if q.Get("after") == "" {
		after, err = 0, nil
	}
	if err != nil {
		return &dgml.Error{Kind: dgml.Invalid, Field: "after", Msg: "a whole number of entries"}
	}
	limit := 500
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > feed.DefaultLimits.Entries {
			return &dgml.Error{Kind: dgml.Invalid, Field: "limit", Msg: fmt.Sprintf("1 to %d entries", feed.DefaultLimits.Entries)}
		}
		limit = n
	}
	b, err := s.cfg.Federation.Batch(r.Context(), after, limit)
	if err != nil {
		return err
	}
	// Compact, and with <, > and & as they are: the entries' objects
	// then arrive in the canonical form their signatures cover.
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(b)
}

// object serves a revision's canonical bytes, or a file, by SHA-256:
// immutable, so cached for good.
func (s *Server) object(w http.ResponseWriter, r *http.Request) error {
	sum := r.PathValue("sha256")
	if rev, err := s.cfg.Commons.Store.Revision(r.Context(), sum); err == nil {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Write(rev.Canonical())
		return nil
	}
	return s.getFile(w, r)
}

func (s *Server) nodeInfo(w http.ResponseWriter, r *http.Request) error {
	d, err := s.cfg.Federation.Document()
	if err != nil {
		return err
	}
	n, err := s.cfg.Federation.LogSize(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"node": d, "log_size": n})
}

func (s *Server) listPeers(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.cfg.Federation.Store.Peers(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": ps})
}

func (s *Server) addPeer(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		URL string `json:"url"`
	}
	if err := body(r, &in); err != nil {
		return err
	}
	p, err := s.cfg.Federation.Follow(r.Context(), caller(r), in.URL)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, p)
}

func (s *Server) syncPeer(w http.ResponseWriter, r *http.Request) error {
	res, err := s.cfg.Federation.SyncAs(r.Context(), caller(r), r.PathValue("node"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *Server) removePeer(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Federation.Unfollow(r.Context(), caller(r), r.PathValue("node")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// inbox takes an entry another node sends this one: a proposal to one of
// its designs. Who sent it is checked against the sender's own document
// and key, not taken from the request.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request) error {
	var in federation.Inbox
	if err := body(r, &in); err != nil {
		return err
	}
	if err := s.cfg.Federation.Receive(r.Context(), &in); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]string{"status": "received"})
}

// maxObjectsAnswer bounds one answer of /federation/objects: a follower
// asks again for what did not fit.
const maxObjectsAnswer = 256 << 20

// objects serves many objects in one answer: for each SHA-256 asked for,
// in order, a line "SUM SIZE" and the object's bytes (a revision's
// canonical JSON, or a file). It stops at the first it does not have, or
// when the answer would pass 256 MiB (but always sends one). The follower
// hashes each, as with single objects.
func (s *Server) objects(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Sums []string `json:"sums"`
	}
	if err := body(r, &in); err != nil {
		return err
	}
	if len(in.Sums) > 1000 {
		return &dgml.Error{Kind: dgml.Invalid, Field: "sums", Msg: "at most 1000 objects at once"}
	}
	ctx := r.Context()
	w.Header().Set("Content-Type", "application/x-dgml-objects")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	var sent int64
	for i, sum := range in.Sums {
		if !blobSum(sum) {
			if i == 0 {
				return &dgml.Error{Kind: dgml.Invalid, Field: "sums", Msg: "not a SHA-256: " + sum}
			}
			return nil
		}
		// A revision goes out as the bytes stored, which are its
		// canonical JSON (the follower hashes them against its id).
		if b, err := s.cfg.Commons.Store.RevisionBytes(ctx, sum); err == nil {
			if i > 0 && sent+int64(len(b)) > maxObjectsAnswer {
				return nil
			}
			fmt.Fprintf(w, "%s %d\n", sum, len(b))
			w.Write(b)
			sent += int64(len(b))
			continue
		}
		info, err := s.cfg.Commons.Store.File(ctx, sum)
		if err != nil {
			if i == 0 {
				return err
			}
			return nil
		}
		if i > 0 && sent+info.Size > maxObjectsAnswer {
			return nil
		}
		f, err := s.cfg.Commons.Blobs.Open(sum)
		if err != nil {
			if i == 0 {
				return err
			}
			return nil
		}
		fmt.Fprintf(w, "%s %d\n", sum, info.Size)
		n, err := io.Copy(w, io.LimitReader(f, info.Size))
		f.Close()
		if err != nil || n != info.Size {
			return nil // the answer is cut: the follower's hash check finds out
		}
		sent += n
	}
	return nil
}

func blobSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// subscribe records a node that says, signed, that it follows this one.
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) error {
	var n federation.Notice
	if err := body(r, &n); err != nil {
		return err
	}
	if err := s.cfg.Federation.Subscribe(r.Context(), &n); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// private serves a workshop record shared with followers only, to a
// follower's signed request.
func (s *Server) private(w http.ResponseWriter, r *http.Request) error {
	b, err := s.cfg.Federation.Private(r.Context(), r.Header.Get("X-Dgml-Node"), r.Header.Get("X-Dgml-Date"), r.Header.Get("X-Dgml-Signature"), r.URL.Path, r.PathValue("ref"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(b)
	return nil
}

func writeActivity(w http.ResponseWriter, status int, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/activity+json")
	w.WriteHeader(status)
	w.Write(b)
	return nil
}

func (s *Server) webfinger(w http.ResponseWriter, r *http.Request) error {
	jrd, err := s.cfg.Federation.WebFinger(r.URL.Query().Get("resource"))
	if err != nil {
		return err
	}
	b, _ := json.Marshal(jrd)
	w.Header().Set("Content-Type", "application/jrd+json")
	w.Write(b)
	return nil
}

func (s *Server) apActor(w http.ResponseWriter, r *http.Request) error {
	a, err := s.cfg.Federation.Actor(r.Context())
	if err != nil {
		return err
	}
	return writeActivity(w, http.StatusOK, a)
}

func (s *Server) apOutbox(w http.ResponseWriter, r *http.Request) error {
	page := 0
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			return &dgml.Error{Kind: dgml.Invalid, Field: "page", Msg: "a page number, 1 or more"}
		}
		page = n
	}
	o, err := s.cfg.Federation.Outbox(r.Context(), page)
	if err != nil {
		return err
	}
	return writeActivity(w, http.StatusOK, o)
}

func (s *Server) apFollowers(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cfg.Federation.Followers(r.Context())
	if err != nil {
		return err
	}
	return writeActivity(w, http.StatusOK, f)
}

// apInbox takes a signed activity (a Follow, or its Undo).
func (s *Server) apInbox(w http.ResponseWriter, r *http.Request) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 256<<10+1))
	if err != nil {
		return err
	}
	if err := s.cfg.Federation.Inbox(r.Context(), r, b); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
