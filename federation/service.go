// Package federation links nodes into one commons without a central
// server: each node keeps a signed log of its changes (package feed),
// serves it and the objects it names, and follows other nodes' logs,
// believing an entry only once its signature, its place in the chain
// and the node's Merkle checkpoint agree, and an object only once its
// hash does. What a peer owns (its designs' heads, its workshops) only
// its entries change; what nobody owns (revisions, files) merges by
// union.
package federation

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/feed"
	"github.com/dgml/dgml/identity"
	"github.com/dgml/dgml/jobs"
	"github.com/dgml/dgml/ledger"
)

// Service is a node's federation: its identity and log, and the peers it
// follows.
type Service struct {
	Store      feed.Store
	Designs    design.Store // the store itself: replicas are written here, not published again
	Blobs      design.Blobs
	Facilities facility.Store
	Tx         dgml.Atomic
	Name       string // the node's name, for people
	Domain     string // the node part of its people's handles (user@domain)
	Assess     assess.Store
	Texts      design.Translations
	// Ledger keeps the economic events peers recorded.
	Ledger  ledger.Store
	URL     string // the node's public base URL, without a trailing slash
	Version string // the software's
	Client  *http.Client
	Log     *slog.Logger
	// MaxFile bounds a file fetched from a peer.
	MaxFile int64
	// Jobs queues deliveries to other nodes; People takes proposals
	// from them.
	Jobs   jobs.Store
	People People
	// Settings keeps the fediverse actor's key, sealed.
	Settings Fedi

	passphrase []byte
	mu         sync.Mutex
	node       string
	first      ed25519.PublicKey
	key        ed25519.PrivateKey
	keys       map[string]ed25519.PrivateKey // opened keys by public key, retired ones too
	apKey      *rsa.PrivateKey
}

// Open loads the node's keys, making the first on the first start, and
// keeps the passphrase to open keys another process adds (a hub's
// processes share one database and one passphrase).
func (s *Service) Open(ctx context.Context, passphrase []byte) error {
	if len(passphrase) == 0 {
		return errors.New("the node's key needs a passphrase")
	}
	s.passphrase = passphrase
	if s.Client == nil {
		s.Client = &http.Client{Timeout: 2 * time.Minute}
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.MaxFile == 0 {
		s.MaxFile = 512 << 20
	}
	return s.Tx.Atomically(ctx, func(ctx context.Context) error {
		keys, err := s.Store.NodeKeys(ctx)
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			priv, err := identity.Generate()
			if err != nil {
				return err
			}
			sealed, err := identity.Seal(priv, passphrase)
			if err != nil {
				return err
			}
			if err := s.Store.AddNodeKey(ctx, feed.SealedKey{Public: feed.EncodeKey(priv.Public().(ed25519.PublicKey)), Sealed: sealed, Created: time.Now().UTC()}); err != nil {
				return err
			}
			s.Log.Info("made the node's key", "node", feed.NodeID(priv.Public().(ed25519.PublicKey)))
		}
		return s.loadKeys(ctx)
	})
}

// loadKeys opens the node's keys: the current one signs, the first one
// names the node.
func (s *Service) loadKeys(ctx context.Context) error {
	keys, err := s.Store.NodeKeys(ctx)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return errors.New("the node has no key")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		s.keys = map[string]ed25519.PrivateKey{}
	}
	var oldest *feed.SealedKey
	for i := range keys {
		k := &keys[i]
		if oldest == nil || k.Created.Before(oldest.Created) {
			oldest = k
		}
		if _, ok := s.keys[k.Public]; ok {
			continue
		}
		priv, err := identity.Open(k.Sealed, s.passphrase)
		if err != nil {
			return fmt.Errorf("the node's key %s: %w", k.Public, err)
		}
		s.keys[k.Public] = priv
	}
	s.key = s.keys[keys[0].Public]
	first, err := feed.DecodeKey(oldest.Public)
	if err != nil {
		return err
	}
	s.first, s.node = first, feed.NodeID(first)
	return nil
}

// Node is this node's id.
func (s *Service) Node() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.node
}

func (s *Service) current() (string, ed25519.PrivateKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.node, s.key
}

// Document is what a node says of itself at /.well-known/dgml.
type Document struct {
	Software string `json:"software"`
	Version  string `json:"version"`
	Node     string `json:"node"`
	Name     string `json:"name"`
	Domain   string `json:"domain"` // its people are user@domain
	URL      string `json:"url"`
	FirstKey string `json:"first_key"` // the key the node's id is made from, which signed its first entry
	Key      string `json:"key"`       // the key that signs now
	Feed     string `json:"feed"`
	Objects  string `json:"objects"`
	Sig      string `json:"sig,omitempty"` // by Key, over the document's canonical JSON without it
}

// Document signs this node's document.
func (s *Service) Document() (*Document, error) {
	s.mu.Lock()
	d := &Document{Software: "dgml", Version: s.Version, Node: s.node, Name: s.Name, Domain: s.Domain, URL: s.URL,
		FirstKey: feed.EncodeKey(s.first), Key: feed.EncodeKey(s.key.Public().(ed25519.PublicKey)),
		Feed: s.URL + "/federation/feed", Objects: s.URL + "/federation/objects/"}
	key := s.key
	s.mu.Unlock()
	b, err := feed.Canonical(d)
	if err != nil {
		return nil, err
	}
	d.Sig = encodeSig(ed25519.Sign(key, b))
	return d, nil
}

// Verify checks a node document: its id made from its first key, and
// its signature by its current key.
func (d *Document) Verify() error {
	first, err := feed.DecodeKey(d.FirstKey)
	if err != nil {
		return &dgml.Error{Kind: dgml.Invalid, Field: "first_key", Msg: err.Error()}
	}
	if feed.NodeID(first) != d.Node {
		return &dgml.Error{Kind: dgml.Invalid, Field: "node", Msg: "the node's id is not made from its first key"}
	}
	key, err := feed.DecodeKey(d.Key)
	if err != nil {
		return &dgml.Error{Kind: dgml.Invalid, Field: "key", Msg: err.Error()}
	}
	u := *d
	u.Sig = ""
	b, err := feed.Canonical(&u)
	if err != nil {
		return err
	}
	sig, err := decodeSig(d.Sig)
	if err != nil || !ed25519.Verify(key, b, sig) {
		return &dgml.Error{Kind: dgml.Invalid, Field: "sig", Msg: "the document's signature does not match"}
	}
	return nil
}

// Publish appends an entry to this node's log, in the transaction of
// ctx: the change and its entry are kept together or not at all.
func (s *Service) Publish(ctx context.Context, kind feed.Kind, object any) error {
	_, err := s.publish(ctx, kind, object)
	return err
}

func (s *Service) publish(ctx context.Context, kind feed.Kind, object any) (*feed.Entry, error) {
	es, err := s.publishAll(ctx, kind, []any{object})
	if err != nil {
		return nil, err
	}
	return es[0], nil
}

// publishAll appends objects of one kind to the node's log in one
// transaction: the log is read and its entries kept once, however many.
func (s *Service) publishAll(ctx context.Context, kind feed.Kind, objects []any) ([]*feed.Entry, error) {
	objs := make([]json.RawMessage, len(objects))
	for i, o := range objects {
		b, err := feed.Canonical(o)
		if err != nil {
			return nil, err
		}
		objs[i] = b
	}
	return s.publishCanonical(ctx, kind, objs)
}

// publishCanonical is publishAll for objects already canonical.
func (s *Service) publishCanonical(ctx context.Context, kind feed.Kind, objects []json.RawMessage) ([]*feed.Entry, error) {
	var out []*feed.Entry
	err := s.Tx.Atomically(ctx, func(ctx context.Context) error {
		w, err := s.openLog(ctx)
		if err != nil {
			return err
		}
		for _, object := range objects {
			if err := w.add(kind, object); err != nil {
				return err
			}
		}
		out = w.out
		return s.keep(ctx, w)
	})
	return out, err
}

// logWriter appends entries to the node's own log inside a transaction;
// keep stores them. Its add may run on another goroutine than the
// transaction's, as it touches no store.
type logWriter struct {
	f    *feed.Follower
	key  ed25519.PrivateKey
	now  string
	out  []*feed.Entry
	kept []feed.Kept
}

// openLog reads the node's log as kept, to append to it.
func (s *Service) openLog(ctx context.Context) (*logWriter, error) {
	node, key := s.current()
	f, err := s.ownLog(ctx, node)
	if err != nil {
		return nil, err
	}
	if !f.Key.Equal(key.Public()) {
		// Another process rotated the key: take it up.
		if err := s.loadKeys(ctx); err != nil {
			return nil, err
		}
		node, key = s.current()
		if !f.Key.Equal(key.Public()) {
			return nil, fmt.Errorf("the log of %s is signed by a key this node does not hold", node)
		}
	}
	return &logWriter{f: f, key: key, now: feed.Now()}, nil
}

func (w *logWriter) add(kind feed.Kind, object json.RawMessage) error {
	e, err := w.f.AppendCanonical(kind, object, w.key, w.now)
	if err != nil {
		return err
	}
	b, err := e.Bytes()
	if err != nil {
		return err
	}
	w.out = append(w.out, e)
	w.kept = append(w.kept, feed.Kept{Seq: e.Seq, Kind: e.Kind, Body: b, Root: w.f.Tree.Root()})
	return nil
}

func (s *Service) keep(ctx context.Context, w *logWriter) error {
	if len(w.kept) == 0 {
		return nil
	}
	return s.Store.KeepEntries(ctx, w.f.State(), w.kept)
}

// ownLog is this node's log as kept, or a new one.
func (s *Service) ownLog(ctx context.Context, node string) (*feed.Follower, error) {
	st, err := s.Store.Log(ctx, node)
	if err != nil {
		return nil, err
	}
	if st == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		return &feed.Follower{Node: node, Key: s.first, Tree: feed.NewTree()}, nil
	}
	return feed.FollowerOf(*st)
}

// Rotate gives the node a new key: an entry signed by the old key names
// the new one, and the old key signs nothing after it.
func (s *Service) Rotate(ctx context.Context) (string, error) {
	priv, err := identity.Generate()
	if err != nil {
		return "", err
	}
	pub := feed.EncodeKey(priv.Public().(ed25519.PublicKey))
	sealed, err := identity.Seal(priv, s.passphrase)
	if err != nil {
		return "", err
	}
	err = s.Tx.Atomically(ctx, func(ctx context.Context) error {
		_, old := s.current()
		if err := s.Publish(ctx, feed.KindKey, feed.KeyChange{Key: pub}); err != nil {
			return err
		}
		now := time.Now().UTC()
		if err := s.Store.RetireNodeKey(ctx, feed.EncodeKey(old.Public().(ed25519.PublicKey)), now); err != nil {
			return err
		}
		return s.Store.AddNodeKey(ctx, feed.SealedKey{Public: pub, Sealed: sealed, Created: now})
	})
	if err != nil {
		return "", err
	}
	return pub, s.loadKeys(ctx)
}

// Batch is a page of this node's log after a number, with the checkpoint
// at its last entry, signed by the key that signed the log there.
func (s *Service) Batch(ctx context.Context, after uint64, limit int) (*feed.Batch, error) {
	node, _ := s.current()
	st, err := s.Store.Log(ctx, node)
	if err != nil {
		return nil, err
	}
	size := uint64(0)
	if st != nil {
		size = st.Seq
	}
	if after > size {
		return nil, &dgml.Error{Kind: dgml.NotFound, Field: "after", Msg: fmt.Sprintf("the log has %d entries", size)}
	}
	bodies, err := s.Store.Entries(ctx, node, after, limit)
	if err != nil {
		return nil, err
	}
	b := &feed.Batch{Entries: make([]feed.Entry, len(bodies))}
	for i, body := range bodies {
		if err := json.Unmarshal(body, &b.Entries[i]); err != nil {
			return nil, fmt.Errorf("entry %d of the log: %w", after+uint64(i)+1, err)
		}
	}
	end := after + uint64(len(bodies))
	b.More = end < size
	cp, err := s.checkpoint(ctx, node, end)
	if err != nil {
		return nil, err
	}
	b.Checkpoint = cp
	return b, nil
}

// checkpoint signs the log's checkpoint at size with the key that signed
// the log there (the first key, or the one the last key entry before it
// named).
func (s *Service) checkpoint(ctx context.Context, node string, size uint64) (*feed.Checkpoint, error) {
	root := feed.NewTree().Root()
	if size > 0 {
		r, err := s.Store.RootAt(ctx, node, size)
		if err != nil {
			return nil, err
		}
		root = r
	}
	s.mu.Lock()
	signer := feed.EncodeKey(s.first)
	s.mu.Unlock()
	// The key at size: the one the last key entry up to it named.
	rotations, err := s.Store.KeyEntries(ctx, node)
	if err != nil {
		return nil, err
	}
	for _, body := range rotations {
		var e feed.Entry
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, err
		}
		var k feed.KeyChange
		if e.Seq <= size && json.Unmarshal(e.Object, &k) == nil {
			signer = k.Key
		}
	}
	s.mu.Lock()
	priv, ok := s.keys[signer]
	s.mu.Unlock()
	if !ok {
		if err := s.loadKeys(ctx); err != nil {
			return nil, err
		}
		s.mu.Lock()
		priv, ok = s.keys[signer]
		s.mu.Unlock()
		if !ok {
			return nil, fmt.Errorf("the key that signed the log at %d is not held here", size)
		}
	}
	c := &feed.Checkpoint{Node: node, Size: size, Root: root, Created: feed.Now()}
	return c, c.Sign(priv)
}

func encodeSig(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func decodeSig(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.SignatureSize {
		return nil, errors.New("not an Ed25519 signature")
	}
	return b, nil
}
