package feed

import (
	"context"
	"fmt"
	"time"
)

// LogState is a log as a node keeps it: whose, the key that signs it
// now, the last entry kept and the Merkle tree of all kept.
type LogState struct {
	Node string
	Key  string // EncodeKey
	Seq  uint64
	Last string
	Tree [][]byte
}

// State is the follower's state, to keep.
func (f *Follower) State() LogState {
	return LogState{Node: f.Node, Key: EncodeKey(f.Key), Seq: f.Seq, Last: f.Last, Tree: f.Tree.State()}
}

// FollowerOf is the follower a kept state stands for.
func FollowerOf(s LogState) (*Follower, error) {
	k, err := DecodeKey(s.Key)
	if err != nil {
		return nil, fmt.Errorf("log of %s: %w", s.Node, err)
	}
	t, err := RestoreTree(s.Seq, s.Tree)
	if err != nil {
		return nil, fmt.Errorf("log of %s: %w", s.Node, err)
	}
	return &Follower{Node: s.Node, Key: k, Seq: s.Seq, Last: s.Last, Tree: t}, nil
}

// Kept is an entry as stored: its bytes and the log's root after it.
type Kept struct {
	Seq  uint64
	Kind Kind
	Body []byte
	Root string
}

// SealedKey is one of the node's keys, its private half encrypted.
type SealedKey struct {
	Public  string // EncodeKey
	Sealed  []byte
	Created time.Time
	Retired *time.Time
}

// Peer is a node this one follows.
type Peer struct {
	Node     string     `json:"node"`
	URL      string     `json:"url"`
	Name     string     `json:"name"`
	Domain   string     `json:"domain"` // the node part of its people's handles (user@domain)
	Status   string     `json:"status"` // new, ok, failing, refused, equivocation
	Error    string     `json:"error,omitempty"`
	SyncedAt *time.Time `json:"synced_at,omitempty"`
	AddedAt  time.Time  `json:"added_at"`
	// Seq is how far its log has been read (from the log's state).
	Seq uint64 `json:"seq"`
}

// Peer statuses.
const (
	PeerNew          = "new"
	PeerOK           = "ok"
	PeerFailing      = "failing"      // could not be reached or read; tried again
	PeerRefused      = "refused"      // served entries that failed the checks; nothing of the batch kept
	PeerEquivocation = "equivocation" // served two versions of an entry; both kept, the peer no longer followed until an operator decides
)

// Conflict is a second version of an entry already kept.
type Conflict struct {
	Node   string    `json:"node"`
	Seq    uint64    `json:"seq"`
	Hash   string    `json:"hash"`
	Body   []byte    `json:"-"`
	Source string    `json:"source"` // the URL it came from
	SeenAt time.Time `json:"seen_at"`
}

// Subscriber is a node that follows this one and said so, signed: it may
// read what workshops share with followers only.
type Subscriber struct {
	Node    string    `json:"node"`
	URL     string    `json:"url"`
	Key     string    `json:"key"`
	AddedAt time.Time `json:"added_at"`
}

// Store keeps the logs a node holds (its own and those it follows), its
// keys and its peers. KeepEntries joins the transaction of ctx, so that
// the entries, the log's state and what they change are kept together.
type Store interface {
	Log(ctx context.Context, node string) (*LogState, error) // nil when none
	KeepEntries(ctx context.Context, st LogState, entries []Kept) error
	Entries(ctx context.Context, node string, after uint64, limit int) ([][]byte, error)
	Entry(ctx context.Context, node string, seq uint64) ([]byte, error) // nil when none
	KeyEntries(ctx context.Context, node string) ([][]byte, error)      // the log's key entries, in order
	RootAt(ctx context.Context, node string, seq uint64) (string, error)

	NodeKeys(ctx context.Context) ([]SealedKey, error) // the current first
	AddNodeKey(ctx context.Context, k SealedKey) error
	RetireNodeKey(ctx context.Context, public string, at time.Time) error

	Peers(ctx context.Context) ([]Peer, error)
	Peer(ctx context.Context, node string) (*Peer, error) // NotFound when none
	SavePeer(ctx context.Context, p *Peer) error
	RemovePeer(ctx context.Context, node string) error
	AddConflict(ctx context.Context, c Conflict) error
	Conflicts(ctx context.Context, node string) ([]Conflict, error)

	// Fediverse followers: actor id and inbox.
	PutFediFollower(ctx context.Context, actor, inbox string) error
	RemoveFediFollower(ctx context.Context, actor string) error
	FediFollowers(ctx context.Context) (map[string]string, error)

	PutSubscriber(ctx context.Context, s Subscriber) error
	Subscriber(ctx context.Context, node string) (*Subscriber, error) // NotFound when none
	Subscribers(ctx context.Context) ([]Subscriber, error)
}

// TreeBytes and TreeFromBytes keep a compact range as its hashes end to
// end.
func TreeBytes(t [][]byte) []byte {
	out := []byte{} // an empty log's tree is no hashes, not NULL
	for _, h := range t {
		out = append(out, h...)
	}
	return out
}

// TreeFromBytes splits what TreeBytes joined.
func TreeFromBytes(b []byte) ([][]byte, error) {
	if len(b)%32 != 0 {
		return nil, fmt.Errorf("a tree of %d bytes is not whole hashes", len(b))
	}
	var out [][]byte
	for i := 0; i < len(b); i += 32 {
		out = append(out, b[i:i+32:i+32])
	}
	return out, nil
}
