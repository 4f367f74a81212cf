package feed

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// The entry's own canonical writer gives the general canonicaliser's
// bytes, with and without the signature, for objects written any way
// (spaces, key order, escapes, HTML characters, non-ASCII), and notices
// an object changed after it was read.
func TestEntryCanonicalIsRFC8785(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	objs := []string{
		`{"b":1,"a":[1,2.50,1e21,1e-7],"c":{"z":"<&>","y":"ü\u2028"}}`,
		` { "name" : "Gear \"x\"\n", "n": 10.0, "t": true, "f": null } `,
		`["\u00e9", "e\u0301", 0.1, -0, 100000000000000000000]`,
		`"just a string"`,
		`12`,
	}
	strs := []string{"", "athens", "2026-12-03T10:00:00Z", "ü\"\\\u0007", "<b>"}
	for i := range 2000 {
		e := Entry{Node: strs[r.IntN(len(strs))], Seq: uint64(r.IntN(1 << 20)), Prev: strs[r.IntN(len(strs))], Kind: Kind(strs[r.IntN(len(strs))]),
			Object: json.RawMessage(objs[r.IntN(len(objs))]), Created: strs[r.IntN(len(strs))], Key: strs[r.IntN(len(strs))], Sig: strs[r.IntN(len(strs))]}
		for _, sig := range []bool{true, false} {
			c := e
			if !sig {
				c.Sig = ""
			}
			want, err := Canonical(&c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.canonical(sig)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("case %d (sig %v):\n got %s\nwant %s (%v)", i, sig, got, want, err)
			}
		}
	}
	e := Entry{Node: "n", Seq: 1, Kind: KindDesign, Object: json.RawMessage(`{"a":1}`), Created: "t", Key: "k"}
	first, _ := e.Bytes()
	e.Object[5] = '2' // changed in place after it was canonicalised
	second, _ := e.Bytes()
	if bytes.Equal(first, second) || !bytes.Contains(second, []byte(`"a":2`)) {
		t.Errorf("a changed object kept its old canonical form: %s", second)
	}
}
