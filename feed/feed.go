// Package feed is a node's signed, append-only log of the changes other
// nodes may need, and what a follower checks before it believes one:
// each entry names its node, its number and the hash of the entry before
// it, and is signed with the node's Ed25519 key over its canonical JSON
// (RFC 8785), so that the same entry has the same bytes, hash and
// signature on every node. Signed checkpoints carry the Merkle root
// (RFC 6962, leaves and nodes hashed apart) of the log up to a size: a
// follower that holds the entries recomputes the root and so proves it
// has everything up to there, and a node that rewrote its history can
// no longer show a checkpoint that agrees with what was already
// followed.
//
// The package is pure: keys, entries, checkpoints and the follower's
// state; the store keeps them and the federation service moves them.
package feed

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gowebpki/jcs"

	"github.com/dgml/dgml/internal/canon"
)

// Kind says what an entry is about.
type Kind string

// The kinds of entries. Designs and facilities are owned by the node that
// publishes them: only its entries change them. Reports, attestations,
// votes and translations are immutable and merge by union. Proposals go
// to the owner of a design; decisions come back from it. A key entry
// hands the log over to a new key.
const (
	KindDesign      Kind = "design"      // a design's record and its new head revision
	KindFacility    Kind = "facility"    // a workshop's record, as published (redacted)
	KindTombstone   Kind = "tombstone"   // a design or facility withdrawn
	KindReport      Kind = "report"      // a build report
	KindAttestation Kind = "attestation" // an attestation of a revision's documentation
	KindVote        Kind = "vote"        // a readiness vote
	KindTranslation Kind = "translation" // a translated text
	KindProposal    Kind = "proposal"    // a change proposed to another node's design
	KindDecision    Kind = "decision"    // a proposal to one of this node's designs accepted or declined
	KindKey         Kind = "key"         // the log's key rotated: signed by the old key, naming the new
	KindEvent       Kind = "event"       // a Valueflows economic event recorded here
)

// Kinds lists every kind an entry may have.
var Kinds = []Kind{KindDesign, KindFacility, KindTombstone, KindReport, KindAttestation, KindVote, KindTranslation, KindProposal, KindDecision, KindKey, KindEvent}

func (k Kind) valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Entry is one change in a node's log.
type Entry struct {
	Node    string          `json:"node"`    // the node's id (NodeID of its first key)
	Seq     uint64          `json:"seq"`     // 1, 2, 3… without gaps
	Prev    string          `json:"prev"`    // Hash of entry Seq-1; empty for the first
	Kind    Kind            `json:"kind"`    //
	Object  json.RawMessage `json:"object"`  // what changed, by kind
	Created string          `json:"created"` // RFC 3339, UTC
	Key     string          `json:"key"`     // the signing key, EncodeKey
	Sig     string          `json:"sig,omitempty"`

	// The object's canonical form, kept with the bytes it was made from:
	// checking an entry canonicalises it four times (signature, bytes,
	// hash, Merkle leaf), and the object is nearly all of it.
	objFrom, objCanon []byte
}

// Checkpoint is a node's signed statement of its log's size and Merkle
// root.
type Checkpoint struct {
	Node    string `json:"node"`
	Size    uint64 `json:"size"`
	Root    string `json:"root"` // hex
	Created string `json:"created"`
	Key     string `json:"key"`
	Sig     string `json:"sig,omitempty"`
}

// NodeID names a node by its first public key: stable however often the
// key rotates.
func NodeID(first ed25519.PublicKey) string {
	s := sha256.Sum256(first)
	return hex.EncodeToString(s[:16])
}

// EncodeKey and DecodeKey write a public key as unpadded base64url.
func EncodeKey(k ed25519.PublicKey) string { return base64.RawURLEncoding.EncodeToString(k) }

// DecodeKey reads a public key written by EncodeKey.
func DecodeKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("not an Ed25519 public key")
	}
	return ed25519.PublicKey(b), nil
}

// Canonical is v's RFC 8785 JSON: keys sorted, numbers and strings in
// one spelling, no spaces.
func Canonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return jcs.Transform(bytes.TrimSpace(buf.Bytes()))
}

// signed is the bytes a signature covers: the canonical JSON without
// the signature.
func (e *Entry) signed() ([]byte, error) { return e.canonical(false) }

// canonical writes the entry's RFC 8785 JSON from its fields (members
// in code-unit order: created, key, kind, node, object, prev, seq, sig)
// and its object made canonical once. An entry the fixed form cannot
// say exactly (no object, a sequence number past 2^53) goes through the
// general canonicaliser; a test holds the two to the same bytes.
func (e *Entry) canonical(withSig bool) ([]byte, error) {
	if len(bytes.TrimSpace(e.Object)) == 0 || e.Seq > 1<<53 {
		c := *e
		if !withSig {
			c.Sig = ""
		}
		return Canonical(&c)
	}
	if e.objCanon == nil || !bytes.Equal(e.objFrom, e.Object) {
		obj, err := canonicalRaw(e.Object)
		if err != nil {
			return nil, err
		}
		e.objFrom, e.objCanon = bytes.Clone(e.Object), obj
	}
	var b bytes.Buffer
	b.Grow(len(e.objCanon) + 256)
	b.WriteString(`{"created":`)
	b.WriteString(canon.Quote(e.Created))
	b.WriteString(`,"key":`)
	b.WriteString(canon.Quote(e.Key))
	b.WriteString(`,"kind":`)
	b.WriteString(canon.Quote(string(e.Kind)))
	b.WriteString(`,"node":`)
	b.WriteString(canon.Quote(e.Node))
	b.WriteString(`,"object":`)
	b.Write(e.objCanon)
	b.WriteString(`,"prev":`)
	b.WriteString(canon.Quote(e.Prev))
	b.WriteString(`,"seq":`)
	b.WriteString(strconv.FormatUint(e.Seq, 10))
	if withSig && e.Sig != "" {
		b.WriteString(`,"sig":`)
		b.WriteString(canon.Quote(e.Sig))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Bytes is the entry's canonical JSON with its signature: what its hash
// and its Merkle leaf are made of, and what is sent.
func (e *Entry) Bytes() ([]byte, error) { return e.canonical(true) }

// Hash is the SHA-256 of Bytes, hex: the next entry's Prev.
func (e *Entry) Hash() (string, error) {
	b, err := e.Bytes()
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), nil
}

// Sign signs the entry (its Key set to the key's public half).
func (e *Entry) Sign(priv ed25519.PrivateKey) error {
	e.Key = EncodeKey(priv.Public().(ed25519.PublicKey))
	if e.objCanon == nil || !bytes.Equal(e.objFrom, e.Object) {
		obj, err := canonicalRaw(e.Object)
		if err != nil {
			return fmt.Errorf("entry %d: object: %w", e.Seq, err)
		}
		e.Object, e.objFrom, e.objCanon = obj, obj, obj
	} else {
		e.Object = e.objCanon
	}
	b, err := e.signed()
	if err != nil {
		return err
	}
	e.Sig = base64.RawURLEncoding.EncodeToString(ed25519.Sign(priv, b))
	return nil
}

// VerifySig checks the entry's signature with key, which must be the key
// it names.
func (e *Entry) VerifySig(key ed25519.PublicKey) error {
	if e.Key != EncodeKey(key) {
		return &Error{Seq: e.Seq, Field: "key", Msg: "signed by a key the node does not use"}
	}
	sig, err := base64.RawURLEncoding.DecodeString(e.Sig)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return &Error{Seq: e.Seq, Field: "sig", Msg: "not an Ed25519 signature"}
	}
	if len(e.Object) > 0 && e.objCanon == nil {
		// The object as it came is tried first: nodes send their
		// entries' objects in canonical form, and a signature that holds
		// over these bytes proves they are the bytes the node signed,
		// which the entry is then kept as. Making every object canonical
		// again was a tenth of a follower's work.
		e.objFrom, e.objCanon = bytes.Clone(e.Object), e.Object
		if b, err := e.signed(); err == nil && ed25519.Verify(key, b, sig) {
			e.objCanon = e.objFrom
			return nil
		}
		e.objFrom, e.objCanon = nil, nil
	}
	b, err := e.signed()
	if err != nil {
		return &Error{Seq: e.Seq, Field: "object", Msg: err.Error()}
	}
	if !ed25519.Verify(key, b, sig) {
		return &Error{Seq: e.Seq, Field: "sig", Msg: "the signature does not match the entry"}
	}
	return nil
}

// Sign signs the checkpoint.
func (c *Checkpoint) Sign(priv ed25519.PrivateKey) error {
	c.Key = EncodeKey(priv.Public().(ed25519.PublicKey))
	c.Sig = ""
	b, err := Canonical(c)
	if err != nil {
		return err
	}
	c.Sig = base64.RawURLEncoding.EncodeToString(ed25519.Sign(priv, b))
	return nil
}

// VerifySig checks the checkpoint's signature with key.
func (c *Checkpoint) VerifySig(key ed25519.PublicKey) error {
	if c.Key != EncodeKey(key) {
		return &Error{Field: "checkpoint.key", Msg: "signed by a key the node does not use"}
	}
	sig, err := base64.RawURLEncoding.DecodeString(c.Sig)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return &Error{Field: "checkpoint.sig", Msg: "not an Ed25519 signature"}
	}
	u := *c
	u.Sig = ""
	b, err := Canonical(&u)
	if err != nil {
		return err
	}
	if !ed25519.Verify(key, b, sig) {
		return &Error{Field: "checkpoint.sig", Msg: "the signature does not match the checkpoint"}
	}
	return nil
}

// canonicalRaw rewrites a JSON value canonically (null when empty).
func canonicalRaw(raw json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return json.RawMessage("null"), nil
	}
	return jcs.Transform(raw)
}

// Now is an entry's or checkpoint's time: UTC, to the second.
func Now() string { return time.Now().UTC().Truncate(time.Second).Format(time.RFC3339) }

// Error is what was wrong with an entry or a checkpoint: its number and
// the field, for the peers page and the logs.
type Error struct {
	Seq   uint64
	Field string
	Msg   string
}

func (e *Error) Error() string {
	if e.Seq > 0 {
		return fmt.Sprintf("entry %d: %s: %s", e.Seq, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Msg)
}
