// Package dgml holds what every part of the platform shares: the error type
// whose kind survives a trip through the API and between nodes, and the
// identifiers that stay unique when nodes replicate each other.
package dgml

import (
	"errors"
	"fmt"
	"net/http"
)

// Kind says what sort of failure an Error is, so that callers (the HTTP
// layer, the CLI, a remote node) can react without parsing messages.
type Kind string

// The kinds. Their string values travel over the wire as problem types.
const (
	Internal     Kind = "internal"
	Invalid      Kind = "invalid"      // the input is wrong; the user must fix it
	NotFound     Kind = "not-found"    // no such thing
	Conflict     Kind = "conflict"     // it exists already, or was changed meanwhile
	TooLarge     Kind = "too-large"    // over a configured limit
	Unsupported  Kind = "unsupported"  // a format or media type we do not read
	Unauthorized Kind = "unauthorized" // who are you?
	Forbidden    Kind = "forbidden"    // we know who you are; you may not
	TooMany      Kind = "too-many"     // too many attempts: wait
)

// Error is the one error type of dgml. Field and Line point at the place in
// an input file that is wrong, when there is one.
type Error struct {
	Kind  Kind
	Op    string // what was being done, e.g. "okh.Parse"
	File  string // input file, when the error is about one
	Line  int    // 1-based line in File, 0 when the format gives none
	Field string // offending field or key
	Msg   string
	Err   error // underlying cause
}

func (e *Error) Error() string {
	var s string
	if e.File != "" {
		s = e.File
		if e.Line > 0 {
			s += fmt.Sprintf(":%d", e.Line)
		}
		s += ": "
	}
	if e.Field != "" {
		s += "field " + e.Field + ": "
	}
	if e.Msg != "" {
		s += e.Msg
	}
	if e.Err != nil {
		if e.Msg != "" {
			s += ": "
		}
		s += e.Err.Error()
	}
	if s == "" {
		s = string(e.Kind)
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf makes an Error of the given kind.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// KindOf reports the kind of the first *Error in err's chain, Internal when
// there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		if e.Kind == "" {
			return KindOf(e.Err)
		}
		return e.Kind
	}
	return Internal
}

// HTTPStatus maps a kind to the status code the API answers with.
func HTTPStatus(k Kind) int {
	switch k {
	case Invalid:
		return http.StatusUnprocessableEntity
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case Unsupported:
		return http.StatusUnsupportedMediaType
	case Unauthorized:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// KindFromStatus is HTTPStatus's inverse, so that an error returned by a
// remote node keeps its kind here.
func KindFromStatus(status int) Kind {
	for _, k := range []Kind{Invalid, NotFound, Conflict, TooLarge, Unsupported, Unauthorized, Forbidden, TooMany} {
		if HTTPStatus(k) == status {
			return k
		}
	}
	if status == http.StatusBadRequest {
		return Invalid
	}
	return Internal
}
