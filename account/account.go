// Package account holds the people of a node: users, their sessions and
// API tokens, password hashing, and who may change what.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/dgml/dgml"
)

// User is an account on this node. Elsewhere the person is Name@node.
type User struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Admin   bool      `json:"admin,omitempty"`
	Created time.Time `json:"created"`
}

// Handle is how the person is named across nodes: name@node.
func Handle(name, node string) string { return name + "@" + node }

// Token is an API token; its secret is shown once and stored hashed.
type Token struct {
	ID      string     `json:"id"`
	UserID  string     `json:"user_id"`
	Name    string     `json:"name"`
	Scope   string     `json:"scope"` // read or write
	Created time.Time  `json:"created"`
	Revoked *time.Time `json:"revoked,omitempty"`
}

// SessionCookie names the cookie that carries a browser's login.
const SessionCookie = "dgml_session"

// Session is a browser login.
type Session struct {
	UserID  string
	CSRF    string
	Expires time.Time
}

var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{1,30}$`)

// CheckName validates a user name: lower-case letters, digits, . _ -.
func CheckName(name string) error {
	if !nameRe.MatchString(name) {
		return &dgml.Error{Kind: dgml.Invalid, Field: "name", Msg: "2 to 31 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit"}
	}
	return nil
}

// CheckPassword asks for a password long enough to resist guessing.
func CheckPassword(pw string) error {
	if len(pw) < 10 || len(pw) > 200 {
		return &dgml.Error{Kind: dgml.Invalid, Field: "password", Msg: "at least 10 characters (a few words make a good one)"}
	}
	return nil
}

// argon2id parameters: RFC 9106's second recommended option (64 MiB,
// 3 passes) is heavy for a small node; these follow OWASP's minimum
// for argon2id (19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonLen     = 32
)

// HashPassword hashes a password with argon2id and a random salt, in
// the PHC string format.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

var decoy = sync.OnceValue(func() string {
	h, _ := HashPassword(Secret("decoy-"))
	return h
})

// DecoyHash is a hash no password matches, made with the same parameters
// as real ones: verifying against it for an unknown name costs what a
// wrong password costs.
func DecoyHash() string { return decoy() }

// VerifyPassword checks a password against a stored hash in constant time.
func VerifyPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Secret makes a random secret (session ids, CSRF and API tokens).
func Secret(prefix string) string {
	b := make([]byte, 24)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// SameSecret compares a presented secret with the expected one in
// constant time.
func SameSecret(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// HashSecret is how secrets are stored: a lookup-safe digest, never the
// secret itself.
func HashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Store keeps accounts.
type Store interface {
	CreateUser(ctx context.Context, name, passwordHash string, admin bool) (*User, error)
	UserByName(ctx context.Context, name string) (*User, string, error) // with the password hash
	User(ctx context.Context, id string) (*User, error)
	CountUsers(ctx context.Context) (int, error)
	CreateSession(ctx context.Context, tokenHash string, s Session) error
	Session(ctx context.Context, tokenHash string) (*Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	CreateToken(ctx context.Context, t *Token, secretHash string) error
	TokenBySecret(ctx context.Context, secretHash string) (*Token, error)
	Tokens(ctx context.Context, userID string) ([]Token, error)
	RevokeToken(ctx context.Context, userID, tokenID string) error
	// Roles: maintainers of designs, operators of facilities.
	AddRole(ctx context.Context, kind, objectID, userID string) error
	HasRole(ctx context.Context, kind, objectID, userID string) (bool, error)
	// RemoveRole takes a role back; removing one not held is no error.
	RemoveRole(ctx context.Context, kind, objectID, userID string) error
	Holders(ctx context.Context, kind, objectID string) ([]User, error)
	// Objects lists what a user holds a role of this kind on.
	Objects(ctx context.Context, kind, userID string) ([]string, error)
	// SetEmail keeps (or, empty, forgets) the address a user gives for
	// news; Email reads it ("" when none).
	SetEmail(ctx context.Context, userID, email string) error
	Email(ctx context.Context, userID string) (string, error)
	// Vouches: a member saying a newcomer's reviews may count.
	AddVouch(ctx context.Context, userID, voucherID, note string) error
	Vouchers(ctx context.Context, userID string) ([]User, error)
	// Node settings chosen by the admins, as JSON by key; a missing key
	// is ok=false.
	Setting(ctx context.Context, key string) (value string, ok bool, err error)
	PutSetting(ctx context.Context, key, value string) error
}

// Roles is the part of the store that says who may change what.
type Roles interface {
	AddRole(ctx context.Context, kind, objectID, userID string) error
	HasRole(ctx context.Context, kind, objectID, userID string) (bool, error)
}

// Permit checks that u may change an object: node admins may change
// anything; anyone else must hold the role on it. Every write path (API,
// web, command line, import) asks it before touching what someone owns.
func Permit(ctx context.Context, roles Roles, u *User, role, objectID string) error {
	if u == nil {
		return &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in, or send an API token"}
	}
	if u.Admin {
		return nil
	}
	ok, err := roles.HasRole(ctx, role, objectID, u.ID)
	if err != nil {
		return err
	}
	if !ok {
		what := map[string]string{Maintainer: "only its maintainers change a design", Operator: "only its operators change a facility"}[role]
		return &dgml.Error{Kind: dgml.Forbidden, Msg: what}
	}
	return nil
}

// Role kinds.
const (
	Maintainer = "maintainer" // of a design
	Operator   = "operator"   // of a facility
)

// CheckEmail validates an address a person gives: one plain address
// (name@host), no display name, at most 254 characters.
func CheckEmail(addr string) error {
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || len(addr) > 254 || !strings.Contains(addr[strings.LastIndex(addr, "@")+1:], ".") {
		return &dgml.Error{Kind: dgml.Invalid, Field: "email", Msg: "one address, like ana@example.org"}
	}
	return nil
}
