package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/gowebpki/jcs"
)

// An export read back gives every event, the same, by the same id.
func TestJSONLDRoundTrip(t *testing.T) {
	events := []Event{
		ev(t, Event{Action: "work", Provider: "ana@a", Design: "design:d", Effort: hours(1.5), Note: "revision: \"quoted\" ü"}),
		ev(t, Event{Action: "cite", Receiver: "ben@b", Design: "design:f", ConformsTo: "design:d", Resource: "revision:r", Quantity: &Measure{1, One}, Note: "fork"}),
		ev(t, Event{Action: "transfer", Provider: "cara@a", Receiver: "workshop:w@a", Resource: "money@cara@a", ToResource: "money@workshop:w@a", Quantity: &Measure{85.5, Currency + "EUR"}, RealizationOf: "request:r1"}),
	}
	events = append(events, ev(t, Event{Action: "work", Provider: "ana@a", Design: "design:d", Effort: hours(2), Corrects: events[0].ID}))
	var buf bytes.Buffer
	err := WriteJSONLD(&buf, func(fn func(Event) error) error {
		for _, e := range events {
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"provider":"acct:ana@a"`) || !strings.Contains(buf.String(), VF) {
		t.Errorf("export: %s", buf.String())
	}
	var back []Event
	if err := ReadJSONLD(context.Background(), &buf, DefaultLimits, func(e Event) error { back = append(back, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, events) {
		t.Errorf("read back\n%+v\nwant\n%+v", back, events)
	}
}

func TestJSONLDRefuses(t *testing.T) {
	for name, doc := range map[string]string{
		"no context":   `{"@graph":[]}`,
		"other vocab":  `{"@context":{"@vocab":"https://schema.org/"},"@graph":[]}`,
		"wrong id":     `{"@context":{"@vocab":"https://w3id.org/valueflows#"},"@graph":[{"@id":"sha256:00","@type":"EconomicEvent","action":"use","hasPointInTime":"2026-01-01T00:00:00Z","dgml:node":"a"}]}`,
		"unknown term": `{"@context":{"@vocab":"https://w3id.org/valueflows#"},"@graph":[{"@type":"EconomicEvent","action":"use","colour":"red","hasPointInTime":"2026-01-01T00:00:00Z","dgml:node":"a"}]}`,
		"too many":     `{"@context":{"@vocab":"https://w3id.org/valueflows/ont/vf#"},"@graph":[{},{},{}]}`,
	} {
		err := ReadJSONLD(context.Background(), strings.NewReader(doc), Limits{Bytes: 1 << 20, Events: 2}, func(Event) error { return nil })
		if err == nil {
			t.Errorf("%s: read", name)
		}
	}
	big := `{"@context":{"@vocab":"` + VF + `"},"@graph":[` + strings.Repeat(`{"@type":"x"},`, 1000) + `{}]}`
	if err := ReadJSONLD(context.Background(), strings.NewReader(big), Limits{Bytes: 1000, Events: 1 << 20}, func(Event) error { return nil }); err == nil {
		t.Error("a document over its byte limit was read")
	}
}

func FuzzReadJSONLD(f *testing.F) {
	f.Add([]byte(`{"@context":{"@vocab":"https://w3id.org/valueflows/ont/vf#"},"@graph":[{"@type":"EconomicEvent","action":"work","provider":"acct:a@b","effortQuantity":{"hasNumericalValue":1,"hasUnit":"om2:hour"},"hasPointInTime":"2026-01-01T00:00:00Z","dgml:node":"b"}]}`))
	f.Add([]byte(`{"@graph":[[[[{}]]]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		err := ReadJSONLD(context.Background(), bytes.NewReader(data), Limits{Bytes: 1 << 16, Events: 100}, func(e Event) error {
			n++
			again := e
			if again.Seal() != nil || again.ID != e.ID {
				t.Fatalf("an event read is not sealed by its content: %+v", e)
			}
			return nil
		})
		if err == nil && n > 100 {
			t.Fatal("more events than the limit")
		}
	})
}

func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(`{"action":"use","effortQuantity":{"hasNumericalValue":3.5,"hasUnit":"om2:hour"},"hasPointInTime":"2026-01-01T00:00:00Z","dgml:node":"a"}`))
	f.Add([]byte(`{"action":"transfer","resourceQuantity":{"hasNumericalValue":1e308,"hasUnit":"x"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseEvent(data, "")
		if err != nil {
			return
		}
		back, err := ParseEvent(e.Canonical(), e.ID)
		if err != nil || back.ID != e.ID {
			t.Fatalf("a parsed event does not read back: %v", err)
		}
	})
}

// The event's own canonical writer agrees with the general RFC 8785
// canonicaliser on generated events with awkward strings and numbers.
func TestCanonicalIsRFC8785(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	strs := []string{"", "a", "ü€𝄞", "\"\\/\b\f\n\r\t\x01\x1f\x7f", "<&>", "\u2028\u2029", "\xff\xfe bad", "e\u0301"}
	nums := []float64{0, 1, -1, 0.1, 1e-7, 1.5e-7, 1e-6, 123456789012345678, 1e20, 1e21, 1.7976931348623157e308, 5e-324, 3.75, -0.0000012}
	for i := range 5000 {
		e := Event{Action: "use", At: at, Node: strs[r.IntN(len(strs))], Note: strs[r.IntN(len(strs))], Provider: strs[r.IntN(len(strs))],
			Resource: strs[r.IntN(len(strs))], Effort: &Measure{Value: nums[r.IntN(len(nums))] * []float64{1, -1}[r.IntN(2)] / []float64{1, 7}[r.IntN(2)], Unit: strs[r.IntN(len(strs))]}}
		if r.IntN(2) == 0 {
			e.Effort = nil
		}
		raw, err := json.Marshal(&e)
		if err != nil {
			t.Fatal(err)
		}
		want, err := jcs.Transform(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Canonical(); !bytes.Equal(got, want) {
			t.Fatalf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
}
