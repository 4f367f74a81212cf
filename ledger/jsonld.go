package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/dgml/dgml"
)

// VF is the Valueflows 1.0 namespace the export pins.
const VF = "https://w3id.org/valueflows/ont/vf#"

// vfAliases are older names of the namespace a reader accepts.
var vfAliases = []string{VF, "https://w3id.org/valueflows#", "https://w3id.org/valueflows/"}

// Context is the JSON-LD context of an export: Valueflows 1.0 as the
// vocabulary, OM2 for units, dgml's own two terms, and the fields that
// name things typed as IRIs.
var Context = map[string]any{
	"@vocab":   VF,
	"vf":       VF,
	"om2":      "http://www.ontology-of-units-of-measure.org/resource/om-2/",
	"dgml":     "https://dgml.org/ns#",
	"xsd":      "http://www.w3.org/2001/XMLSchema#",
	"provider": map[string]string{"@type": "@id"}, "receiver": map[string]string{"@type": "@id"},
	"resourceInventoriedAs": map[string]string{"@type": "@id"}, "toResourceInventoriedAs": map[string]string{"@type": "@id"},
	"resourceConformsTo": map[string]string{"@type": "@id"}, "inputOf": map[string]string{"@type": "@id"},
	"outputOf": map[string]string{"@type": "@id"}, "realizationOf": map[string]string{"@type": "@id"},
	"corrects": map[string]string{"@type": "@id"}, "hasUnit": map[string]string{"@type": "@id"},
	"hasPointInTime": map[string]string{"@type": "xsd:dateTime"},
	"dgml:design":    map[string]string{"@type": "@id"},
}

// agent fields hold user@node handles, which are not IRIs: the export
// writes them as acct: URIs (RFC 7565) and a reader takes that off.
var agentFields = []string{"provider", "receiver"}

// WriteJSONLD writes events as one JSON-LD document, streaming: an
// export of a million events does not sit in memory.
func WriteJSONLD(w io.Writer, each func(fn func(Event) error) error) error {
	ctxJSON, err := json.Marshal([]any{Context})
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "{\"@context\":%s,\"@graph\":[\n", ctxJSON); err != nil {
		return err
	}
	first := true
	err = each(func(e Event) error {
		var m map[string]any
		if err := json.Unmarshal(e.Canonical(), &m); err != nil {
			return err
		}
		for _, f := range agentFields {
			if v, ok := m[f].(string); ok && !strings.Contains(v, ":") {
				m[f] = "acct:" + v
			}
		}
		m["@id"], m["@type"] = e.ID, "EconomicEvent"
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if !first {
			if _, err := io.WriteString(w, ",\n"); err != nil {
				return err
			}
		}
		first = false
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n]}\n")
	return err
}

// Limits bound a JSON-LD document read from outside.
type Limits struct {
	Bytes  int64 // the whole document
	Events int
}

// DefaultLimits take a node's export of up to a million events.
var DefaultLimits = Limits{Bytes: 1 << 30, Events: 1_000_000}

// ReadJSONLD reads an export back: each event's id is checked against
// its content. It reads the graph one event at a time, names the event
// (by its index and id) and field of an error, and accepts the older
// Valueflows namespaces in the context.
func ReadJSONLD(ctx context.Context, r io.Reader, lim Limits, fn func(Event) error) error {
	lr := &io.LimitedReader{R: r, N: lim.Bytes + 1}
	dec := json.NewDecoder(lr)
	bad := func(field, msg string) error {
		return &dgml.Error{Kind: dgml.Invalid, Op: "ledger.ReadJSONLD", Field: field, Msg: msg}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return bad("", "not a JSON-LD document (an object)")
	}
	sawContext := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return bad("", err.Error())
		}
		key, _ := t.(string)
		switch key {
		case "@context":
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil || len(raw) > 64<<10 {
				return bad("@context", "unreadable or larger than 64 KiB")
			}
			ok := false
			for _, ns := range vfAliases {
				ok = ok || bytes.Contains(raw, []byte(`"`+ns+`"`))
			}
			if !ok {
				return bad("@context", "does not name the Valueflows vocabulary")
			}
			sawContext = true
		case "@graph":
			if !sawContext {
				return bad("@context", "must come before @graph")
			}
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return bad("@graph", "must be an array")
			}
			for n := 0; dec.More(); n++ {
				if err := ctx.Err(); err != nil {
					return err
				}
				if n >= lim.Events {
					return bad("@graph", fmt.Sprintf("more than %d events", lim.Events))
				}
				if lr.N <= 0 {
					return bad("", fmt.Sprintf("larger than %d bytes", lim.Bytes))
				}
				var m map[string]json.RawMessage
				if err := dec.Decode(&m); err != nil {
					return bad(fmt.Sprintf("@graph[%d]", n), err.Error())
				}
				e, err := fromLD(m)
				if err != nil {
					return fmt.Errorf("@graph[%d]: %w", n, err)
				}
				if err := fn(*e); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return bad("@graph", err.Error())
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return bad(key, err.Error())
			}
		}
	}
	if lr.N <= 0 {
		return bad("", fmt.Sprintf("larger than %d bytes", lim.Bytes))
	}
	return nil
}

func fromLD(m map[string]json.RawMessage) (*Event, error) {
	var id, typ string
	_ = json.Unmarshal(m["@id"], &id)
	_ = json.Unmarshal(m["@type"], &typ)
	if typ != "EconomicEvent" && typ != "vf:EconomicEvent" {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "@type", Msg: "only EconomicEvent is read"}
	}
	delete(m, "@id")
	delete(m, "@type")
	for _, f := range agentFields {
		var v string
		if json.Unmarshal(m[f], &v) == nil && strings.HasPrefix(v, "acct:") {
			m[f], _ = json.Marshal(strings.TrimPrefix(v, "acct:"))
		}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return ParseEvent(raw, id)
}
