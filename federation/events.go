package federation

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/dgml/dgml/feed"
	"github.com/dgml/dgml/ledger"
)

// EventEntry is an economic event in the node's feed: signed by the
// node that recorded it, as every entry is, and named by its id.
type EventEntry struct {
	ID    string          `json:"id"`
	Event json.RawMessage `json:"event"` // its canonical JSON
}

type sinkKey struct{}

// eventSink gathers the events recorded while a design entry is made.
type eventSink struct{ events []EventEntry }

// PublishEvent carries an economic event recorded here to followers: in
// the entry of the design commit that recorded it, or as an entry of
// its own.
func (s *Service) PublishEvent(ctx context.Context, e *ledger.Event) error {
	if quiet(ctx) {
		return nil
	}
	ee := EventEntry{ID: e.ID, Event: e.Canonical()}
	if sink, ok := ctx.Value(sinkKey{}).(*eventSink); ok {
		sink.events = append(sink.events, ee)
		return nil
	}
	_, err := s.publish(ctx, feed.KindEvent, ee)
	return err
}

// applyEvent keeps an event a peer recorded: its id must be its
// content's hash and it must be the peer's own (recorded by the node
// whose feed carries it). Events merge by union.
func (s *Service) applyEvent(ctx context.Context, p *feed.Peer, e *feed.Entry) error {
	var ee EventEntry
	if err := strictJSON(e.Object, &ee); err != nil {
		return &feed.Error{Seq: e.Seq, Field: "object", Msg: err.Error()}
	}
	return s.keepEvents(ctx, p, e.Seq, "object", []EventEntry{ee})
}

// keepEvents checks and stores events an entry carries.
func (s *Service) keepEvents(ctx context.Context, p *feed.Peer, seq uint64, field string, ees []EventEntry) error {
	evs, err := parseEvents(p, seq, field, ees)
	if err != nil {
		return err
	}
	return s.addEvents(ctx, evs)
}

func (s *Service) addEvents(ctx context.Context, evs []ledger.Event) error {
	if s.Ledger == nil || len(evs) == 0 {
		return nil
	}
	return s.Ledger.AddLedgerEvents(ctx, evs...)
}

// parseEvents checks the events an entry carries: each well formed,
// its id its own hash, and recorded by the peer.
func parseEvents(p *feed.Peer, seq uint64, field string, ees []EventEntry) ([]ledger.Event, error) {
	evs := make([]ledger.Event, 0, len(ees))
	for i, ee := range ees {
		f := field
		if field != "object" {
			f = fmt.Sprintf("%s[%d]", field, i)
		}
		ev, err := ledger.ParseEvent(ee.Event, ee.ID)
		if err != nil {
			return nil, &feed.Error{Seq: seq, Field: f + ".event", Msg: err.Error()}
		}
		if p.Domain == "" || ev.Node != p.Domain {
			return nil, &feed.Error{Seq: seq, Field: f + ".event.dgml:node", Msg: "an event recorded by " + ev.Node + ", not by " + p.Domain}
		}
		evs = append(evs, *ev)
	}
	return evs, nil
}
