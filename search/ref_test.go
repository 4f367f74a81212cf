package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// reference ranks as FTS5's bm25 by brute force: every live document,
// every word, from the texts themselves.
type reference struct{ docs map[int64]Doc }

func (r *reference) search(q Query) Result {
	words := Tokens(q.Text)
	if len(words) > 12 {
		words = words[:12]
	}
	type doc struct {
		key    int64
		tokens [Fields][]string
		n      int
	}
	var all []doc
	total := 0
	for k, d := range r.docs {
		var e doc
		e.key = k
		for f, t := range d.Text {
			e.tokens[f] = Tokens(t)
			e.n += len(e.tokens[f])
		}
		all = append(all, e)
		total += e.n
	}
	avg := float64(total) / float64(len(all))
	match := func(tok, w string, prefix bool) bool {
		return tok == w || prefix && strings.HasPrefix(tok, w)
	}
	type scored struct {
		key   int64
		score float64
	}
	rowsOf := make([]int, len(words))
	for i, w := range words {
		prefix := q.PrefixLast && i == len(words)-1
		for _, o := range all {
			holds := false
			for f := range Fields {
				for _, t := range o.tokens[f] {
					holds = holds || match(t, w, prefix)
				}
			}
			if holds {
				rowsOf[i]++
			}
		}
	}
	var hits []scored
	for _, e := range all {
		d := r.docs[e.key]
		ok := d.OTRL >= q.MinOTRL && d.ODRL >= q.MinODRL
		for _, f := range q.Facets {
			ok = ok && containsStr(d.Facets, f)
		}
		if !ok {
			continue
		}
		score := 0.0
		for i, w := range words {
			prefix := q.PrefixLast && i == len(words)-1
			rows := rowsOf[i]
			freq := 0.0
			for f := range Fields {
				for _, t := range e.tokens[f] {
					if match(t, w, prefix) {
						freq += q.FieldWeights[f]
					}
				}
			}
			if freq == 0 {
				ok = false
				break
			}
			idf := math.Log((float64(len(all)) - float64(rows) + 0.5) / (float64(rows) + 0.5))
			if idf <= 0 {
				idf = 1e-6
			}
			score += idf * (freq * (k1 + 1)) / (freq + k1*(1-b+b*float64(e.n)/avg))
		}
		if len(words) == 0 {
			score = float64(d.Updated)
		}
		if ok {
			hits = append(hits, scored{e.key, score})
		}
	}
	sort.Slice(hits, func(i, j int) bool { return better(hit{hits[i].score, hits[i].key}, hit{hits[j].score, hits[j].key}) })
	res := Result{Total: len(hits)}
	for i := q.Offset; i < len(hits) && i < q.Offset+q.Limit; i++ {
		res.Keys = append(res.Keys, hits[i].key)
	}
	return res
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// The compressed index with its rarest-word-first plan finds and ranks
// what brute force finds, through replacements, removals and compaction,
// with prefixes, filters and pages.
func TestIndexAgreesWithBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	vocab := []string{"gear", "gears", "geared", "frame", "bolt", "print", "printer", "laser", "cut", "wood", "steel", "rod", "arm", "base", "motor", "belt", "pulley", "x", "y", "z"}
	// A few words in nearly every document, the rest rare: the plans
	// that seek and that scan both run.
	pick := func() string {
		if rng.IntN(3) == 0 {
			return vocab[rng.IntN(3)]
		}
		return vocab[rng.IntN(len(vocab))]
	}
	text := func(n int) string {
		var w []string
		for range n {
			w = append(w, pick())
		}
		return strings.Join(w, " ")
	}
	x := New()
	ref := &reference{docs: map[int64]Doc{}}
	for round := range 6 {
		for range 400 {
			k := int64(rng.IntN(1500))
			if rng.IntN(5) == 0 {
				x.Remove(k)
				delete(ref.docs, k)
				continue
			}
			d := Doc{Text: [Fields]string{text(1 + rng.IntN(3)), text(rng.IntN(4)), "", text(rng.IntN(200)), text(rng.IntN(6))},
				Facets: []string{fmt.Sprintf("material=m%d", rng.IntN(3))}, OTRL: rng.IntN(6), ODRL: rng.IntN(4),
				// Mostly later for later puts, with ties and stragglers,
				// as revisions arrive.
				Updated: int64(round*40 + rng.IntN(60))}
			x.Put(k, d)
			ref.docs[k] = d
		}
		for range 120 {
			q := Query{Text: text(1 + rng.IntN(3)), Limit: 1 + rng.IntN(20), Offset: rng.IntN(10), PrefixLast: rng.IntN(2) == 0, FieldWeights: w}
			if rng.IntN(4) == 0 {
				q.Facets = []string{fmt.Sprintf("material=m%d", rng.IntN(3))}
			}
			if rng.IntN(4) == 0 {
				q.MinOTRL = rng.IntN(5)
			}
			if rng.IntN(4) == 0 {
				q.MinODRL = rng.IntN(4)
			}
			if rng.IntN(5) == 0 {
				q.Text = ""
			}
			if rng.IntN(6) == 0 {
				q.Text = vocab[rng.IntN(len(vocab))]
				q.Text = q.Text[:min(2, len(q.Text))]
				q.PrefixLast = true
			}
			got, want := x.Search(q), ref.search(q)
			if got.Total != want.Total || !reflect.DeepEqual(got.Keys, want.Keys) {
				t.Fatalf("round %d, %+v:\n got  %+v\n want %+v", round, q, got, want)
			}
		}
	}
}
