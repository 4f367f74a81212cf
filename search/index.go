// Package search is an in-memory full-text index that ranks exactly as
// SQLite FTS5's bm25() does, but in time proportional to the postings a
// query touches rather than a function call and a row lookup per match.
// It is pure: the store feeds it documents and asks it for keys.
package search

import (
	"container/heap"
	"math"
	"sort"
	"strings"
	"sync"
)

// Fields are a document's columns, in the order of the FTS5 table.
const Fields = 5

// Doc is what the index knows of one design.
type Doc struct {
	Text    [Fields]string
	Facets  []string // "facet=value", lower case
	OTRL    int
	ODRL    int
	Updated int64 // for ordering when there is no text to rank by
}

// Query asks for a page of keys.
type Query struct {
	Text         string
	Facets       []string // every one must be present
	MinOTRL      int
	MinODRL      int
	Limit        int
	Offset       int
	MaxWords     int // words of Text used; 12 when 0
	PrefixLast   bool
	FieldWeights [Fields]float64
}

// Result is a page of keys, best first, and how many matched in all.
type Result struct {
	Total int
	Keys  []int64
}

type posting struct {
	doc int32
	tf  [Fields]uint16
}

type docEntry struct {
	key     int64
	live    bool
	length  int32 // tokens in all fields, as FTS5's xColumnSize(-1)
	terms   []int32
	facets  []string
	otrl    int8
	odrl    int8
	updated int64
}

// Index is safe for concurrent use.
type Index struct {
	mu       sync.RWMutex
	docs     []docEntry
	byKey    map[int64]int32
	termIDs  map[string]int32
	postings [][]posting // by term id
	hits     []int       // live documents holding the term, by term id
	facets   map[string][]int32
	live     int
	tokens   int64 // tokens in all live documents
	sorted   []string
	dirty    bool
	scratch  sync.Pool
}

// New makes an empty index.
func New() *Index {
	return &Index{byKey: map[int64]int32{}, termIDs: map[string]int32{}, facets: map[string][]int32{}}
}

// Len is the number of documents indexed.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.live
}

// Put adds or replaces the document under key.
func (x *Index) Put(key int64, d Doc) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.remove(key)
	id := int32(len(x.docs))
	e := docEntry{key: key, live: true, facets: d.Facets, otrl: int8(d.OTRL), odrl: int8(d.ODRL), updated: d.Updated}
	var tfs [][Fields]uint16 // parallel to e.terms
	slot := map[int32]int{}
	for f, text := range d.Text {
		eachToken(text, func(t []byte) {
			e.length++
			tid := x.termID(t)
			i, ok := slot[tid]
			if !ok {
				i = len(e.terms)
				slot[tid] = i
				e.terms = append(e.terms, tid)
				tfs = append(tfs, [Fields]uint16{})
			}
			if tfs[i][f] < math.MaxUint16 {
				tfs[i][f]++
			}
		})
	}
	for i, t := range e.terms {
		x.postings[t] = append(x.postings[t], posting{doc: id, tf: tfs[i]})
		x.hits[t]++
	}
	for _, f := range d.Facets {
		x.facets[f] = append(x.facets[f], id)
	}
	x.docs = append(x.docs, e)
	x.byKey[key] = id
	x.live++
	x.tokens += int64(e.length)
}

// termID finds or makes the id of a term.
func (x *Index) termID(t []byte) int32 {
	if id, ok := x.termIDs[string(t)]; ok {
		return id
	}
	id := int32(len(x.postings))
	x.termIDs[string(t)] = id
	x.postings = append(x.postings, nil)
	x.hits = append(x.hits, 0)
	x.dirty = true
	return id
}

// Trim gives back the spare capacity that building by appending leaves
// in the posting lists; call it after a bulk load.
func (x *Index) Trim() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for t, ps := range x.postings {
		if cap(ps) > len(ps)+len(ps)/8 {
			x.postings[t] = append([]posting(nil), ps...)
		}
	}
}

// Remove drops the document under key, if any.
func (x *Index) Remove(key int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.remove(key)
}

func (x *Index) remove(key int64) {
	id, ok := x.byKey[key]
	if !ok {
		return
	}
	e := &x.docs[id]
	e.live = false
	for _, t := range e.terms {
		x.hits[t]--
	}
	x.live--
	x.tokens -= int64(e.length)
	delete(x.byKey, key)
	e.terms = nil
	if len(x.docs) > 1024 && x.live < len(x.docs)/2 {
		x.compact()
	}
}

// compact rebuilds the postings without the replaced documents.
func (x *Index) compact() {
	remap := make([]int32, len(x.docs))
	var docs []docEntry
	for i, e := range x.docs {
		remap[i] = -1
		if e.live {
			remap[i] = int32(len(docs))
			x.byKey[e.key] = int32(len(docs))
			docs = append(docs, e)
		}
	}
	for t, ps := range x.postings {
		kept := ps[:0]
		for _, p := range ps {
			if n := remap[p.doc]; n >= 0 {
				p.doc = n
				kept = append(kept, p)
			}
		}
		x.postings[t] = kept
	}
	for f, ids := range x.facets {
		kept := ids[:0]
		for _, id := range ids {
			if n := remap[id]; n >= 0 {
				kept = append(kept, n)
			}
		}
		x.facets[f] = kept
	}
	x.docs = docs
}

// terms lists the dictionary's terms that a query word stands for: the
// word itself, or with prefix every term starting with it.
func (x *Index) terms(word string, prefix bool) []int32 {
	if !prefix {
		if id, ok := x.termIDs[word]; ok {
			return []int32{id}
		}
		return nil
	}
	i := sort.SearchStrings(x.sorted, word)
	var out []int32
	for ; i < len(x.sorted) && strings.HasPrefix(x.sorted[i], word); i++ {
		out = append(out, x.termIDs[x.sorted[i]])
	}
	return out
}

// sortTerms refreshes the sorted dictionary used for prefixes. It takes
// the write lock itself, so Search calls it before reading.
func (x *Index) sortTerms() {
	x.mu.RLock()
	dirty := x.dirty
	x.mu.RUnlock()
	if !dirty {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.dirty {
		return
	}
	x.sorted = x.sorted[:0]
	for t := range x.termIDs {
		x.sorted = append(x.sorted, t)
	}
	sort.Strings(x.sorted)
	x.dirty = false
}

// scratch holds per-query arrays indexed by document id.
type scratch struct {
	score   []float64
	matched []uint8
	freq    [][Fields]uint32
	seen    []bool
	touched []int32
	phrase  []int32
}

func (x *Index) getScratch(n int) *scratch {
	s, _ := x.scratch.Get().(*scratch)
	if s == nil || len(s.score) < n {
		s = &scratch{score: make([]float64, n+n/4), matched: make([]uint8, n+n/4), freq: make([][Fields]uint32, n+n/4), seen: make([]bool, n+n/4)}
	}
	return s
}

func (x *Index) putScratch(s *scratch) {
	for _, d := range s.touched {
		s.score[d], s.matched[d] = 0, 0
	}
	s.touched = s.touched[:0]
	x.scratch.Put(s)
}

// Search answers a query: every word must occur (the last as a prefix
// when PrefixLast), ranked by FTS5's bm25 with the field weights; with no
// text, newest first.
func (x *Index) Search(q Query) Result {
	x.sortTerms()
	x.mu.RLock()
	defer x.mu.RUnlock()
	allowed := x.filter(q)
	maxWords := q.MaxWords
	if maxWords == 0 {
		maxWords = 12
	}
	words := Tokens(q.Text)
	if len(words) > maxWords {
		words = words[:maxWords]
	}
	k := q.Offset + q.Limit
	if len(words) == 0 {
		return x.newest(allowed, q, k)
	}
	s := x.getScratch(len(x.docs))
	defer x.putScratch(s)
	avg := 0.0
	if x.live > 0 {
		avg = float64(x.tokens) / float64(x.live)
	}
	for i, w := range words {
		x.addPhrase(s, x.terms(w, q.PrefixLast && i == len(words)-1), allowed, q.FieldWeights, avg, uint8(i))
	}
	h := &topK{k: k}
	total := 0
	n := uint8(len(words))
	for _, d := range s.touched {
		if s.matched[d] != n {
			continue
		}
		total++
		h.offer(hit{score: s.score[d], key: x.docs[d].key})
	}
	return Result{Total: total, Keys: h.page(q.Offset)}
}

const (
	k1 = 1.2 // FTS5's bm25 constants
	b  = 0.75
)

// addPhrase scores one query word over the documents that hold it, as
// FTS5's bm25 does: a weighted frequency (each hit counts its field's
// weight), saturated once against the whole row's length.
func (x *Index) addPhrase(s *scratch, terms []int32, allowed func(int32) bool, w [Fields]float64, avg float64, index uint8) {
	s.phrase = s.phrase[:0]
	for _, t := range terms {
		for _, p := range x.postings[t] {
			d := p.doc
			if !x.docs[d].live || s.matched[d] != index || !allowed(d) {
				continue
			}
			if !s.seen[d] {
				s.seen[d] = true
				s.freq[d] = [Fields]uint32{}
				s.phrase = append(s.phrase, d)
			}
			for f := range p.tf {
				s.freq[d][f] += uint32(p.tf[f])
			}
		}
	}
	// FTS5 counts the rows holding the phrase over the whole table.
	nHit := x.rowsHolding(terms)
	idf := math.Log((float64(x.live) - float64(nHit) + 0.5) / (float64(nHit) + 0.5))
	if idf <= 0 {
		idf = 1e-6
	}
	for _, d := range s.phrase {
		s.seen[d] = false
		freq := 0.0
		for f, tf := range s.freq[d] {
			freq += w[f] * float64(tf)
		}
		dl := float64(x.docs[d].length)
		s.score[d] += idf * (freq * (k1 + 1)) / (freq + k1*(1-b+b*dl/avg))
		if index == 0 {
			s.touched = append(s.touched, d)
		}
		s.matched[d]++
	}
}

// rowsHolding counts live documents holding any of terms.
func (x *Index) rowsHolding(terms []int32) int {
	if len(terms) == 1 {
		return x.hits[terms[0]]
	}
	seen := newBits(len(x.docs))
	n := 0
	for _, t := range terms {
		for _, p := range x.postings[t] {
			if x.docs[p.doc].live && !seen.has(p.doc) {
				seen.set(p.doc)
				n++
			}
		}
	}
	return n
}

// bits is a set of document ids.
type bits []uint64

func newBits(n int) bits        { return make(bits, n/64+1) }
func (s bits) set(d int32)      { s[d>>6] |= 1 << (uint(d) & 63) }
func (s bits) has(d int32) bool { return s[d>>6]&(1<<(uint(d)&63)) != 0 }

// filter returns a test for the facet and level filters.
func (x *Index) filter(q Query) func(int32) bool {
	if len(q.Facets) == 0 && q.MinOTRL == 0 && q.MinODRL == 0 {
		return func(int32) bool { return true }
	}
	var sets []bits
	for _, f := range q.Facets {
		set := newBits(len(x.docs))
		for _, id := range x.facets[f] {
			set.set(id)
		}
		sets = append(sets, set)
	}
	return func(d int32) bool {
		e := &x.docs[d]
		if int(e.otrl) < q.MinOTRL || int(e.odrl) < q.MinODRL {
			return false
		}
		for _, s := range sets {
			if !s.has(d) {
				return false
			}
		}
		return true
	}
}

// newest pages through live documents that pass the filters, most
// recently updated first.
func (x *Index) newest(allowed func(int32) bool, q Query, k int) Result {
	h := &topK{k: k}
	total := 0
	for d := range x.docs {
		e := &x.docs[d]
		if !e.live || !allowed(int32(d)) {
			continue
		}
		total++
		h.offer(hit{score: float64(e.updated), key: e.key})
	}
	return Result{Total: total, Keys: h.page(q.Offset)}
}

type hit struct {
	score float64
	key   int64
}

// better orders hits: higher score first, then higher key (newer row), as
// the store's SQL orders ties.
func better(a, b hit) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.key > b.key
}

// topK keeps the k best hits in a min-heap.
type topK struct {
	k    int
	hits []hit
}

func (h *topK) Len() int           { return len(h.hits) }
func (h *topK) Less(i, j int) bool { return better(h.hits[j], h.hits[i]) }
func (h *topK) Swap(i, j int)      { h.hits[i], h.hits[j] = h.hits[j], h.hits[i] }
func (h *topK) Push(v any)         { h.hits = append(h.hits, v.(hit)) }
func (h *topK) Pop() any {
	v := h.hits[len(h.hits)-1]
	h.hits = h.hits[:len(h.hits)-1]
	return v
}

func (h *topK) offer(v hit) {
	if h.k <= 0 {
		return
	}
	if len(h.hits) < h.k {
		heap.Push(h, v)
		return
	}
	if better(v, h.hits[0]) {
		h.hits[0] = v
		heap.Fix(h, 0)
	}
}

// page returns the hits after offset, best first.
func (h *topK) page(offset int) []int64 {
	sort.Slice(h.hits, func(i, j int) bool { return better(h.hits[i], h.hits[j]) })
	var out []int64
	for i := offset; i < len(h.hits); i++ {
		out = append(out, h.hits[i].key)
	}
	return out
}
