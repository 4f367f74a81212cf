package feed

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

var hasher = rfc6962.New(crypto.SHA256)

// LeafHash is the Merkle leaf hash of an entry's bytes (RFC 6962: a zero
// byte before the data, so that no leaf can pass for an inner node).
func LeafHash(entryBytes []byte) []byte { return hasher.HashLeaf(entryBytes) }

// Tree is a log's Merkle tree as a compact range: about log2(size)
// hashes, enough to append and to compute the root.
type Tree struct{ r *compact.Range }

var factory = &compact.RangeFactory{Hash: hasher.HashChildren}

// NewTree is the tree of an empty log.
func NewTree() *Tree { return &Tree{r: factory.NewEmptyRange(0)} }

// RestoreTree is the tree of a log of size leaves from the hashes State
// gave.
func RestoreTree(size uint64, state [][]byte) (*Tree, error) {
	r, err := factory.NewRange(0, size, state)
	if err != nil {
		return nil, err
	}
	return &Tree{r: r}, nil
}

// Append adds a leaf hash.
func (t *Tree) Append(leaf []byte) {
	if err := t.r.Append(leaf, nil); err != nil {
		panic(err) // only a range not starting at 0 can refuse
	}
}

// Size is the number of leaves.
func (t *Tree) Size() uint64 { return t.r.End() }

// State is the hashes that RestoreTree takes back.
func (t *Tree) State() [][]byte { return t.r.Hashes() }

// Root is the Merkle root, hex (the empty log's is the hash of nothing).
func (t *Tree) Root() string {
	if t.r.End() == 0 {
		return hex.EncodeToString(hasher.EmptyRoot())
	}
	root, err := t.r.GetRootHash(nil)
	if err != nil {
		panic(err)
	}
	return hex.EncodeToString(root)
}

// Follower is what a node knows of a log it follows: whose it is, the
// key that signs it now, how far it has read, the hash of the last entry
// and the Merkle tree of all it has read.
type Follower struct {
	Node string
	Key  ed25519.PublicKey
	Seq  uint64
	Last string
	Tree *Tree
}

// Next checks that e is the entry that comes next in the log (its node,
// number, the hash before it, its key and signature) and advances past
// it. A key entry signed by the current key hands the log to the key it
// names. Nothing changes when e is refused.
func (f *Follower) Next(e *Entry) error { return f.next(e, true) }

// next is Next; verify=false skips the signature check, for an entry
// this follower's own key has just signed.
func (f *Follower) next(e *Entry, verify bool) error {
	if e.Node != f.Node {
		return &Error{Seq: e.Seq, Field: "node", Msg: fmt.Sprintf("the entry is %s's, this log is %s's", e.Node, f.Node)}
	}
	if e.Seq != f.Seq+1 {
		return &Error{Seq: e.Seq, Field: "seq", Msg: fmt.Sprintf("expected entry %d", f.Seq+1)}
	}
	if e.Prev != f.Last {
		return &Error{Seq: e.Seq, Field: "prev", Msg: "does not chain to the entry before it: the log was rewritten or the entry forged"}
	}
	if !e.Kind.valid() {
		return &Error{Seq: e.Seq, Field: "kind", Msg: fmt.Sprintf("unknown kind %q", e.Kind)}
	}
	if verify {
		if err := e.VerifySig(f.Key); err != nil {
			return err
		}
	}
	next := f.Key
	if e.Kind == KindKey {
		var k KeyChange
		if err := json.Unmarshal(e.Object, &k); err != nil {
			return &Error{Seq: e.Seq, Field: "object", Msg: err.Error()}
		}
		nk, err := DecodeKey(k.Key)
		if err != nil {
			return &Error{Seq: e.Seq, Field: "object.key", Msg: err.Error()}
		}
		next = nk
	}
	b, err := e.Bytes()
	if err != nil {
		return &Error{Seq: e.Seq, Field: "object", Msg: err.Error()}
	}
	h, _ := e.Hash()
	f.Tree.Append(LeafHash(b))
	f.Seq, f.Last, f.Key = e.Seq, h, next
	return nil
}

// Check compares a checkpoint of the followed log with what the
// follower has read: signed by the current key, of the same size, with
// the same root. A node that shows a different root for a size already
// read has rewritten its history.
func (f *Follower) Check(c *Checkpoint) error {
	if c.Node != f.Node {
		return &Error{Field: "checkpoint.node", Msg: "a checkpoint of another node's log"}
	}
	if err := c.VerifySig(f.Key); err != nil {
		return err
	}
	if c.Size != f.Seq {
		return &Error{Field: "checkpoint.size", Msg: fmt.Sprintf("a checkpoint at %d, the log read is at %d", c.Size, f.Seq)}
	}
	if c.Root != f.Tree.Root() {
		return &Error{Field: "checkpoint.root", Msg: fmt.Sprintf("the node's root at %d is not the root of the entries it served: its history was rewritten", c.Size)}
	}
	return nil
}

// Copy is an independent copy of the follower, to check a batch on
// before keeping any of it.
func (f *Follower) Copy() *Follower {
	c := *f
	st := f.Tree.State()
	cp := make([][]byte, len(st))
	for i := range st {
		cp[i] = bytes.Clone(st[i])
	}
	t, err := RestoreTree(f.Tree.Size(), cp)
	if err != nil {
		panic(err)
	}
	c.Tree = t
	return &c
}

// KeyChange is a key entry's object.
type KeyChange struct {
	Key string `json:"key"` // the new key, EncodeKey
}

// Append makes, signs and takes the next entry of the follower's own log
// (a node follows its own log the way others do).
func (f *Follower) Append(kind Kind, object any, priv ed25519.PrivateKey, created string) (*Entry, error) {
	obj, err := Canonical(object)
	if err != nil {
		return nil, err
	}
	return f.AppendCanonical(kind, obj, priv, created)
}

// AppendCanonical is Append for an object already in RFC 8785 form
// (from Canonical), as a batch prepares them on another core.
func (f *Follower) AppendCanonical(kind Kind, obj json.RawMessage, priv ed25519.PrivateKey, created string) (*Entry, error) {
	// The object is canonical already: the entry need not make it so
	// again to sign it.
	e := &Entry{Node: f.Node, Seq: f.Seq + 1, Prev: f.Last, Kind: kind, Object: obj, Created: created, objFrom: obj, objCanon: obj}
	if err := e.Sign(priv); err != nil {
		return nil, err
	}
	// Signed a moment ago with the key the log is checked against: no
	// need to check the signature again (a node publishing 10,000
	// records would spend half a second on it).
	if err := f.next(e, !f.Key.Equal(priv.Public())); err != nil {
		return nil, err
	}
	return e, nil
}

// Checkpoint signs the follower's own log's checkpoint at its size.
func (f *Follower) Checkpoint(priv ed25519.PrivateKey, created string) (*Checkpoint, error) {
	c := &Checkpoint{Node: f.Node, Size: f.Seq, Root: f.Tree.Root(), Created: created}
	return c, c.Sign(priv)
}
