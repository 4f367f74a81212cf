// Package identity keeps a node's Ed25519 private keys sealed: encrypted
// with a key derived from the node's passphrase (Argon2id, then
// AES-256-GCM), so that the database never holds one in clear and a copy
// of it signs nothing without the passphrase.
package identity

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// Argon2id's costs for sealing: 3 passes over 64 MiB on 2 lanes (the
// RFC 9106 second recommendation), about a tenth of a second here; paid
// once when a node starts.
const (
	sealTime    = 3
	sealMemory  = 64 << 10 // KiB
	sealThreads = 2
)

// Limits on a sealed key's costs when opening one: a crafted file must
// not make a node spend minutes or gigabytes.
const (
	maxTime    = 16
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxThreads = 16
)

type sealed struct {
	V       int    `json:"v"`
	KDF     string `json:"kdf"`
	Time    uint32 `json:"time"`
	Memory  uint32 `json:"memory"`
	Threads uint8  `json:"threads"`
	Salt    []byte `json:"salt"`
	Nonce   []byte `json:"nonce"`
	Box     []byte `json:"box"`
}

// ErrPassphrase is returned when a key does not open with the
// passphrase given.
var ErrPassphrase = errors.New("the node's key does not open with this passphrase")

// Generate makes a new key pair.
func Generate() (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	return priv, err
}

// Seal encrypts a private key with a passphrase.
func Seal(priv ed25519.PrivateKey, passphrase []byte) ([]byte, error) {
	return SealSecret(priv.Seed(), passphrase)
}

// SealSecret encrypts any secret (another kind of key) the same way.
func SealSecret(secret, passphrase []byte) ([]byte, error) {
	if len(passphrase) == 0 {
		return nil, errors.New("an empty passphrase seals nothing")
	}
	s := sealed{V: 1, KDF: "argon2id", Time: sealTime, Memory: sealMemory, Threads: sealThreads, Salt: make([]byte, 16)}
	if _, err := rand.Read(s.Salt); err != nil {
		return nil, err
	}
	aead, err := s.aead(passphrase)
	if err != nil {
		return nil, err
	}
	s.Nonce = make([]byte, aead.NonceSize())
	if _, err := rand.Read(s.Nonce); err != nil {
		return nil, err
	}
	s.Box = aead.Seal(nil, s.Nonce, secret, []byte("dgml node key v1"))
	return json.Marshal(s)
}

// Open decrypts a key Seal made.
func Open(b []byte, passphrase []byte) (ed25519.PrivateKey, error) {
	seed, err := OpenSecret(b, passphrase)
	if err != nil {
		return nil, err
	}
	if len(seed) != ed25519.SeedSize {
		return nil, errors.New("sealed key: not an Ed25519 seed")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// OpenSecret decrypts a secret SealSecret made.
func OpenSecret(b []byte, passphrase []byte) ([]byte, error) {
	var s sealed
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("sealed key: %w", err)
	}
	if s.V != 1 || s.KDF != "argon2id" {
		return nil, fmt.Errorf("sealed key: version %d with %q is not one this node reads", s.V, s.KDF)
	}
	if s.Time == 0 || s.Time > maxTime || s.Memory > maxMemory || s.Threads == 0 || s.Threads > maxThreads || len(s.Salt) < 16 {
		return nil, errors.New("sealed key: its costs are out of bounds")
	}
	aead, err := s.aead(passphrase)
	if err != nil {
		return nil, err
	}
	if len(s.Nonce) != aead.NonceSize() {
		return nil, errors.New("sealed key: bad nonce")
	}
	secret, err := aead.Open(nil, s.Nonce, s.Box, []byte("dgml node key v1"))
	if err != nil {
		return nil, ErrPassphrase
	}
	return secret, nil
}

func (s *sealed) aead(passphrase []byte) (cipher.AEAD, error) {
	k := argon2.IDKey(passphrase, s.Salt, s.Time, s.Memory, s.Threads, 32)
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
