package federation

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/feed"
)

// Notice is what a follower posts to /federation/followers: who it is,
// where, when, signed by its key.
type Notice struct {
	Node string `json:"node"`
	URL  string `json:"url"`
	At   string `json:"at"`
	Sig  string `json:"sig,omitempty"`
}

// maxSkew is how far a signed notice's or request's time may be from
// this node's: older ones are refused, so that they cannot be replayed.
const maxSkew = 10 * time.Minute

// AnnounceAll tells every followed node that this one follows it, from
// where it serves now (a serving node does at start: its address or key
// may have changed since it began following).
func (s *Service) AnnounceAll(ctx context.Context) {
	peers, err := s.Store.Peers(ctx)
	if err != nil {
		s.Log.Warn("telling the followed nodes", "err", err)
		return
	}
	for i := range peers {
		if err := s.announce(ctx, &peers[i]); err != nil {
			s.Log.Info("could not tell a followed node it is followed", "peer", peers[i].URL, "err", err)
		}
	}
}

// announce tells a node this one follows it, so that it may read what
// workshops there share with followers only. A node with no address of
// its own (a command, not a serving process) says nothing.
func (s *Service) announce(ctx context.Context, p *feed.Peer) error {
	if s.URL == "" {
		return nil
	}
	node, key := s.current()
	n := Notice{Node: node, URL: s.URL, At: time.Now().UTC().Format(time.RFC3339)}
	b, err := feed.Canonical(&n)
	if err != nil {
		return err
	}
	n.Sig = encodeSig(ed25519.Sign(key, b))
	body, _ := json.Marshal(n)
	req, err := http.NewRequestWithContext(ctx, "POST", p.URL+"/federation/followers", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return fmt.Errorf("%s: %s %s", p.URL, resp.Status, b)
	}
	return nil
}

// Subscribe records a node that says it follows this one, once its
// document, its signature and the notice's time check out.
func (s *Service) Subscribe(ctx context.Context, n *Notice) error {
	at, err := time.Parse(time.RFC3339, n.At)
	if err != nil || time.Since(at).Abs() > maxSkew {
		return &dgml.Error{Kind: dgml.Invalid, Field: "at", Msg: "the notice's time is not now"}
	}
	doc, err := s.Fetch(ctx, n.URL)
	if err != nil {
		return err
	}
	if doc.Node != n.Node {
		return &dgml.Error{Kind: dgml.Forbidden, Field: "node", Msg: "the node at that address is another"}
	}
	if err := verifyWith(doc.Key, n, n.Sig); err != nil {
		return err
	}
	return s.Store.PutSubscriber(ctx, feed.Subscriber{Node: doc.Node, URL: doc.URL, Key: doc.Key, AddedAt: time.Now().UTC()})
}

// verifyWith checks sig, by key, over v's canonical JSON without its
// signature (v's Sig field must be empty in what is signed).
func verifyWith(key string, v *Notice, sig string) error {
	k, err := feed.DecodeKey(key)
	if err != nil {
		return &dgml.Error{Kind: dgml.Invalid, Field: "key", Msg: err.Error()}
	}
	u := *v
	u.Sig = ""
	b, err := feed.Canonical(&u)
	if err != nil {
		return err
	}
	raw, err := decodeSig(sig)
	if err != nil || !ed25519.Verify(k, b, raw) {
		return &dgml.Error{Kind: dgml.Forbidden, Field: "sig", Msg: "the signature does not match"}
	}
	return nil
}

// requestText is what a signed request's signature covers: the method,
// the path, its time and the node it is for, so that it cannot be
// replayed later or elsewhere.
func requestText(method, path, date, to string) []byte {
	return []byte(method + "\n" + path + "\n" + date + "\n" + to)
}

// privateRecord fetches, as a follower, a workshop record published for
// followers only, and checks it hashes to the entry's ref.
func (s *Service) privateRecord(ctx context.Context, p *feed.Peer, ref string) (*facility.Facility, error) {
	node, key := s.current()
	path := "/federation/private/" + ref
	date := time.Now().UTC().Format(time.RFC3339)
	req, err := http.NewRequestWithContext(ctx, "GET", p.URL+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Dgml-Node", node)
	req.Header.Set("X-Dgml-Date", date)
	req.Header.Set("X-Dgml-Signature", encodeSig(ed25519.Sign(key, requestText("GET", path, date, p.Node))))
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("a workshop shared with followers: %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if sha256Hex(b) != ref {
		return nil, &feed.Error{Field: "record " + ref, Msg: "what the peer served does not hash to what its entry named"}
	}
	var f facility.Facility
	if err := strictJSON(b, &f); err != nil {
		return nil, &feed.Error{Field: "record " + ref, Msg: err.Error()}
	}
	return &f, nil
}

// Private serves a workshop record shared with followers only to a node
// that follows this one and signs its request.
func (s *Service) Private(ctx context.Context, from, date, sig, path, ref string) ([]byte, error) {
	at, err := time.Parse(time.RFC3339, date)
	if err != nil || time.Since(at).Abs() > maxSkew {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Field: "X-Dgml-Date", Msg: "a signed request's time must be now"}
	}
	sub, err := s.Store.Subscriber(ctx, from)
	if err != nil {
		return nil, &dgml.Error{Kind: dgml.Forbidden, Msg: "only nodes that follow this one read what its workshops share with followers"}
	}
	k, err := feed.DecodeKey(sub.Key)
	if err != nil {
		return nil, err
	}
	raw, err := decodeSig(sig)
	if err != nil || !ed25519.Verify(k, requestText("GET", path, date, s.Node()), raw) {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Field: "X-Dgml-Signature", Msg: "the request's signature does not match the follower's key"}
	}
	all, err := s.Facilities.Facilities(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		f := &all[i]
		if f.Home != "" || f.Disclosed().Visibility != facility.VisibilityFollowers {
			continue
		}
		r := f.Redacted()
		b, err := feed.Canonical(&r)
		if err != nil {
			return nil, err
		}
		if sha256Hex(b) == ref {
			return b, nil
		}
	}
	return nil, &dgml.Error{Kind: dgml.NotFound, Msg: "no workshop record " + ref + " (it may have changed since)"}
}
