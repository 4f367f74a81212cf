package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Batch is a page of a node's log as it travels: entries after a number,
// the node's checkpoint at the last of them, and whether more follow.
type Batch struct {
	Entries    []Entry     `json:"entries"`
	Checkpoint *Checkpoint `json:"checkpoint"`
	More       bool        `json:"more"`
}

// Limits bound what a follower reads from a peer before it decodes
// anything.
type Limits struct {
	Bytes   int64 // the whole batch
	Entries int   // entries in it
	Depth   int   // nesting of JSON arrays and objects
}

// DefaultLimits are a follower's: a batch of at most 1,000 entries in
// 32 MiB, nested at most 32 deep.
var DefaultLimits = Limits{Bytes: 32 << 20, Entries: 1000, Depth: 32}

// ReadBatch reads a batch from a peer, refusing one past the limits
// before it builds a value, and one with fields this version does not
// know. Errors name the line and the field. ctx ends a read that
// stalls in the body.
func ReadBatch(ctx context.Context, r io.Reader, lim Limits) (*Batch, error) {
	b, err := readAll(ctx, r, lim.Bytes)
	if err != nil {
		return nil, err
	}
	if err := checkDepth(b, lim.Depth); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var out Batch
	if err := dec.Decode(&out); err != nil {
		return nil, located(b, err)
	}
	if dec.More() {
		return nil, &Error{Field: "batch", Msg: "data after the batch"}
	}
	if len(out.Entries) > lim.Entries {
		return nil, &Error{Field: "entries", Msg: fmt.Sprintf("%d entries, at most %d in a batch", len(out.Entries), lim.Entries)}
	}
	return &out, nil
}

// readAll reads at most max bytes, failing past them and when ctx ends.
func readAll(ctx context.Context, r io.Reader, max int64) ([]byte, error) {
	var buf bytes.Buffer
	chunk := make([]byte, 64<<10)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := r.Read(chunk)
		buf.Write(chunk[:n])
		if int64(buf.Len()) > max {
			return nil, &Error{Field: "batch", Msg: fmt.Sprintf("larger than %d bytes", max)}
		}
		if errors.Is(err, io.EOF) {
			return buf.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// checkDepth refuses JSON nested deeper than max, by counting brackets
// outside strings, before any decoding.
func checkDepth(b []byte, max int) error {
	depth, line := 0, 1
	in, esc := false, false
	for _, c := range b {
		if c == '\n' {
			line++
		}
		switch {
		case in && esc:
			esc = false
		case in && c == '\\':
			esc = true
		case in && c == '"':
			in = false
		case in:
		case c == '"':
			in = true
		case c == '[' || c == '{':
			depth++
			if depth > max {
				return &Error{Field: fmt.Sprintf("line %d", line), Msg: fmt.Sprintf("nested more than %d deep", max)}
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return nil
}

// located names the line of a decoding error, and the field when the
// decoder knows it.
func located(b []byte, err error) error {
	var off int64
	field := "batch"
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off, field = te.Offset, te.Field
	}
	line := 1 + bytes.Count(b[:min(int(off), len(b))], []byte("\n"))
	return &Error{Field: fmt.Sprintf("line %d: %s", line, field), Msg: err.Error()}
}
