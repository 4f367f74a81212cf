// Package search is an in-memory full-text index that ranks exactly as
// SQLite FTS5's bm25() does, but in time proportional to the postings a
// query touches rather than a function call and a row lookup per match.
// It is pure: the store feeds it documents and asks it for keys.
//
// Postings are compressed (a varint gap, a byte of the fields present and
// a varint count per field: about three bytes where a struct took
// sixteen), with a skip entry every skipEvery postings. A query takes its
// rarest word first and looks the others up only for the documents still
// in the running, skipping through their lists, so that a common word
// beside a rare one costs the rare one's matches, not its own.
package search

import (
	"container/heap"
	"encoding/binary"
	"math"
	mathbits "math/bits"
	"slices"
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

// skipEvery is how many postings a skip entry covers.
const skipEvery = 64

// skip marks the start of a block of postings: the block's first
// document, where it starts in the list's bytes, and the document before
// it (the base of its first gap).
type skip struct {
	first, prev int32
	off         int32
}

// postingList is one term's postings, documents in increasing order.
type postingList struct {
	data  []byte
	last  int32 // the last document added; -1 when none
	n     int32 // postings, of live and replaced documents
	live  int32 // postings of live documents: the rows FTS5 counts
	skips []skip
}

func (p *postingList) add(doc int32, tf *[Fields]uint16) {
	if p.n%skipEvery == 0 {
		p.skips = append(p.skips, skip{first: doc, prev: p.last, off: int32(len(p.data))})
	}
	p.data = binary.AppendUvarint(p.data, uint64(doc-p.last))
	var mask byte
	for f, c := range tf {
		if c > 0 {
			mask |= 1 << f
		}
	}
	p.data = append(p.data, mask)
	for _, c := range tf {
		if c > 0 {
			p.data = binary.AppendUvarint(p.data, uint64(c))
		}
	}
	p.last = doc
	p.n++
	p.live++
}

// cursor walks a posting list.
type cursor struct {
	p   *postingList
	off int
	doc int32 // the current document; -1 before the first
	i   int32 // postings read
	tf  [Fields]uint16
}

func newCursor(p *postingList) cursor { return cursor{p: p, doc: -1} }

// next reads the next posting; false at the end. Gaps and counts under
// 128 (nearly all) take one byte and the fast path.
func (c *cursor) next() bool {
	if c.i >= c.p.n {
		return false
	}
	d := c.p.data
	off := c.off
	var gap uint64
	if v := d[off]; v < 0x80 {
		gap = uint64(v)
		off++
	} else {
		v, k := binary.Uvarint(d[off:])
		gap, off = v, off+k
	}
	if c.i == 0 {
		c.doc = -1
	}
	c.doc += int32(gap)
	mask := d[off]
	off++
	c.tf = [Fields]uint16{}
	for mask != 0 {
		f := mathbits.TrailingZeros8(mask)
		mask &= mask - 1
		if v := d[off]; v < 0x80 {
			c.tf[f] = uint16(v)
			off++
		} else {
			v, k := binary.Uvarint(d[off:])
			c.tf[f], off = uint16(v), off+k
		}
	}
	c.off = off
	c.i++
	return true
}

// seek moves to the first posting of a document at or after target;
// false when there is none. It jumps block by block through the skips.
func (c *cursor) seek(target int32) bool {
	if c.i > 0 && c.doc >= target {
		return true
	}
	s := c.p.skips
	// The last block starting at or before target.
	b := sort.Search(len(s), func(i int) bool { return s[i].first > target }) - 1
	if b >= 0 && int32(b)*skipEvery > c.i {
		c.off, c.doc, c.i = int(s[b].off), s[b].prev, int32(b)*skipEvery
		if c.i == 0 {
			c.doc = -1
		}
	}
	for c.next() {
		if c.doc >= target {
			return true
		}
	}
	return false
}

type docEntry struct {
	key     int64
	updated int64
	length  int32 // tokens in all fields, as FTS5's xColumnSize(-1)
	terms   int32 // where the document's term ids start in Index.terms
	nterms  int32
	otrl    int8
	odrl    int8
	live    bool
}

// Index is safe for concurrent use.
type Index struct {
	mu       sync.RWMutex
	docs     []docEntry
	keys     map[int64]int32
	termIDs  map[string]int32
	postings []postingList // by term id
	terms    []int32       // every document's term ids, end to end
	facets   map[string][]int32
	live     int
	tokens   int64 // tokens in all live documents
	sorted   []string
	dirty    bool
	scratch  sync.Pool
}

// New makes an empty index.
func New() *Index {
	return &Index{keys: map[int64]int32{}, termIDs: map[string]int32{}, facets: map[string][]int32{}}
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
	e := docEntry{key: key, live: true, otrl: int8(d.OTRL), odrl: int8(d.ODRL), updated: d.Updated, terms: int32(len(x.terms))}
	var tfs [][Fields]uint16 // parallel to the document's terms
	slot := map[int32]int{}
	for f, text := range d.Text {
		eachToken(text, func(t []byte) {
			e.length++
			tid := x.termID(t)
			i, ok := slot[tid]
			if !ok {
				i = len(tfs)
				slot[tid] = i
				x.terms = append(x.terms, tid)
				tfs = append(tfs, [Fields]uint16{})
			}
			if tfs[i][f] < math.MaxUint16 {
				tfs[i][f]++
			}
		})
	}
	e.nterms = int32(len(tfs))
	for i, t := range x.terms[e.terms:] {
		x.postings[t].add(id, &tfs[i])
	}
	for _, f := range d.Facets {
		x.facets[f] = append(x.facets[f], id)
	}
	x.docs = append(x.docs, e)
	x.keys[key] = id
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
	x.postings = append(x.postings, postingList{last: -1})
	x.dirty = true
	return id
}

// Trim gives back the spare capacity that building by appending leaves;
// call it after a bulk load.
func (x *Index) Trim() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for t := range x.postings {
		p := &x.postings[t]
		p.data = slices.Clip(p.data)
		p.skips = slices.Clip(p.skips)
	}
	x.terms = slices.Clip(x.terms)
	x.docs = slices.Clip(x.docs)
}

// Remove drops the document under key, if any.
func (x *Index) Remove(key int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.remove(key)
}

func (x *Index) remove(key int64) {
	id, ok := x.keys[key]
	if !ok {
		return
	}
	e := &x.docs[id]
	e.live = false
	for _, t := range x.terms[e.terms : e.terms+e.nterms] {
		x.postings[t].live--
	}
	x.live--
	x.tokens -= int64(e.length)
	delete(x.keys, key)
	if len(x.docs) > 1024 && x.live < len(x.docs)/2 {
		x.compact()
	}
}

// compact rebuilds the postings without the replaced documents.
func (x *Index) compact() {
	remap := make([]int32, len(x.docs))
	var docs []docEntry
	var terms []int32
	for i, e := range x.docs {
		remap[i] = -1
		if e.live {
			remap[i] = int32(len(docs))
			x.keys[e.key] = int32(len(docs))
			t := x.terms[e.terms : e.terms+e.nterms]
			e.terms = int32(len(terms))
			terms = append(terms, t...)
			docs = append(docs, e)
		}
	}
	for t := range x.postings {
		old := x.postings[t]
		kept := postingList{last: -1}
		c := newCursor(&old)
		for c.next() {
			if n := remap[c.doc]; n >= 0 {
				kept.add(n, &c.tf)
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
	x.docs, x.terms = docs, terms
}

// termsOf lists the dictionary's terms that a query word stands for: the
// word itself, or with prefix every term starting with it.
func (x *Index) termsOf(word string, prefix bool) []int32 {
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

// scratch holds per-query state indexed by document id, for words of
// several terms (prefixes), whose postings must be merged.
type scratch struct {
	freq    [][Fields]uint32
	seen    bits
	touched []int32
}

func (x *Index) getScratch(n int) *scratch {
	s, _ := x.scratch.Get().(*scratch)
	if s == nil || len(s.freq) < n {
		s = &scratch{freq: make([][Fields]uint32, n+n/4), seen: newBits(n + n/4)}
	}
	return s
}

func (x *Index) putScratch(s *scratch) {
	for _, d := range s.touched {
		s.seen.clear(d)
		s.freq[d] = [Fields]uint32{}
	}
	s.touched = s.touched[:0]
	x.scratch.Put(s)
}

// word is one word of a query with the terms it stands for.
type word struct {
	at    int // its place in the query
	terms []int32
	size  int64 // postings in all its terms
	rows  int   // live documents holding any of its terms
}

// candidates are the documents still matching every word taken so far,
// in increasing order, with each word's part of their scores (by the
// word's place in the query: the parts are added up in the query's order
// at the end, as FTS5 adds them, so that scores agree to the last bit).
type candidates struct {
	docs  []int32
	parts [][]float64
	first []float64 // the driving word's parts, before parts is made
}

// keep filters the candidates to those for which ok(i) holds, adding
// part(i) as the word's part of their scores.
func (c *candidates) keep(at int, ok func(i int) (float64, bool)) {
	n := 0
	part := make([]float64, 0, len(c.docs))
	for i, d := range c.docs {
		p, yes := ok(i)
		if !yes {
			continue
		}
		c.docs[n] = d
		for w := range c.parts {
			if c.parts[w] != nil {
				c.parts[w][n] = c.parts[w][i]
			}
		}
		part = append(part, p)
		n++
	}
	c.docs = c.docs[:n]
	for w := range c.parts {
		if c.parts[w] != nil {
			c.parts[w] = c.parts[w][:n]
		}
	}
	c.parts[at] = part
}

// Search answers a query: every word must occur (the last as a prefix
// when PrefixLast), ranked by FTS5's bm25 with the field weights; with no
// text, newest first.
func (x *Index) Search(q Query) Result {
	x.sortTerms()
	x.mu.RLock()
	defer x.mu.RUnlock()
	allowed, everything := x.filter(q)
	maxWords := q.MaxWords
	if maxWords == 0 {
		maxWords = 12
	}
	texts := Tokens(q.Text)
	if len(texts) > maxWords {
		texts = texts[:maxWords]
	}
	k := q.Offset + q.Limit
	if len(texts) == 0 {
		return x.newest(allowed, q, k)
	}
	words := make([]word, len(texts))
	for i, w := range texts {
		words[i].at = i
		words[i].terms = x.termsOf(w, q.PrefixLast && i == len(texts)-1)
		for _, t := range words[i].terms {
			words[i].size += int64(x.postings[t].n)
		}
		if len(words[i].terms) == 0 {
			return Result{}
		}
	}
	avg := 0.0
	if x.live > 0 {
		avg = float64(x.tokens) / float64(x.live)
	}
	// The rarest word first: it bounds the documents the others are
	// looked up for.
	slices.SortStableFunc(words, func(a, b word) int { return int(min(max(a.size-b.size, -1), 1)) })
	var c candidates
	s := x.getScratch(len(x.docs))
	defer x.putScratch(s)
	for i := range words {
		w := &words[i]
		switch {
		case len(w.terms) == 1:
			w.rows = int(x.postings[w.terms[0]].live)
		case i == 0 && everything:
			// The driving word's merge counts its rows itself.
			x.merge(s, w.terms, func(d int32) bool { return x.docs[d].live })
			w.rows = len(s.touched)
		default:
			w.rows = x.rowsHolding(w.terms)
		}
		idf := math.Log((float64(x.live) - float64(w.rows) + 0.5) / (float64(w.rows) + 0.5))
		if idf <= 0 {
			idf = 1e-6
		}
		score := func(freq *[Fields]uint32, d int32) float64 {
			f := 0.0
			for j, tf := range freq {
				f += q.FieldWeights[j] * float64(tf)
			}
			dl := float64(x.docs[d].length)
			return idf * (f * (k1 + 1)) / (f + k1*(1-b+b*dl/avg))
		}
		if len(words) == 1 && len(w.terms) == 1 {
			return x.only(w.terms[0], allowed, idf, avg, q.FieldWeights, k, q.Offset)
		}
		switch {
		case i == 0:
			c = x.first(s, w.terms, allowed, everything, score)
			c.parts = make([][]float64, len(words))
			c.parts[w.at] = c.first
		case int64(len(c.docs))*8 < w.size:
			x.lookUp(&c, w.at, w.terms, score)
		default:
			x.scanAnd(s, &c, w.at, w.terms, score)
		}
		if len(c.docs) == 0 {
			return Result{}
		}
	}
	h := &topK{k: k}
	for i, d := range c.docs {
		sum := 0.0
		for _, p := range c.parts {
			sum += p[i]
		}
		h.offer(hit{score: sum, key: x.docs[d].key})
	}
	return Result{Total: len(c.docs), Keys: h.page(q.Offset)}
}

const (
	k1 = 1.2 // FTS5's bm25 constants
	b  = 0.75
)

// first scores the driving word over every live, allowed document that
// holds one of its terms.
func (x *Index) first(s *scratch, terms []int32, allowed func(int32) bool, merged bool, score func(*[Fields]uint32, int32) float64) candidates {
	var c candidates
	if len(terms) == 1 {
		p := &x.postings[terms[0]]
		c.docs, c.first = make([]int32, 0, p.live), make([]float64, 0, p.live)
		cur := newCursor(p)
		var freq [Fields]uint32
		for cur.next() {
			d := cur.doc
			if !x.docs[d].live || !allowed(d) {
				continue
			}
			for f, tf := range cur.tf {
				freq[f] = uint32(tf)
			}
			c.docs = append(c.docs, d)
			c.first = append(c.first, score(&freq, d))
		}
		return c
	}
	if !merged { // else Search merged them already, to count their rows
		x.merge(s, terms, func(d int32) bool { return x.docs[d].live && allowed(d) })
	}
	// The merged documents in order: the set bits, word by word.
	c.docs, c.first = make([]int32, 0, len(s.touched)), make([]float64, 0, len(s.touched))
	for wi, word := range s.seen {
		for word != 0 {
			d := int32(wi*64 + mathbits.TrailingZeros64(word))
			word &= word - 1
			c.docs = append(c.docs, d)
			c.first = append(c.first, score(&s.freq[d], d))
		}
	}
	x.reset(s)
	return c
}

// only answers a query of one word of one term: its postings scored
// straight into the page, with no list of candidates.
func (x *Index) only(t int32, allowed func(int32) bool, idf, avg float64, w [Fields]float64, k, offset int) Result {
	h := &topK{k: k}
	total := 0
	cur := newCursor(&x.postings[t])
	for cur.next() {
		d := cur.doc
		e := &x.docs[d]
		if !e.live || !allowed(d) {
			continue
		}
		total++
		f := 0.0
		for j, tf := range cur.tf {
			f += w[j] * float64(tf)
		}
		h.offer(hit{score: idf * (f * (k1 + 1)) / (f + k1*(1-b+b*float64(e.length)/avg)), key: e.key})
	}
	return Result{Total: total, Keys: h.page(offset)}
}

// merge adds up the postings of several terms by document, in scratch,
// for the documents keep accepts.
func (x *Index) merge(s *scratch, terms []int32, keep func(int32) bool) {
	for _, t := range terms {
		cur := newCursor(&x.postings[t])
		for cur.next() {
			d := cur.doc
			if !keep(d) {
				continue
			}
			if !s.seen.has(d) {
				s.seen.set(d)
				s.touched = append(s.touched, d)
			}
			for f, tf := range cur.tf {
				s.freq[d][f] += uint32(tf)
			}
		}
	}
}

// lookUp keeps the candidates holding the word, seeking each in the
// word's lists: few candidates cost few blocks of long lists.
func (x *Index) lookUp(c *candidates, at int, terms []int32, score func(*[Fields]uint32, int32) float64) {
	curs := make([]cursor, len(terms))
	for i, t := range terms {
		curs[i] = newCursor(&x.postings[t])
	}
	c.keep(at, func(i int) (float64, bool) {
		d := c.docs[i]
		var freq [Fields]uint32
		found := false
		for j := range curs {
			if curs[j].seek(d) && curs[j].doc == d {
				found = true
				for f, tf := range curs[j].tf {
					freq[f] += uint32(tf)
				}
			}
		}
		if !found {
			return 0, false
		}
		return score(&freq, d), true
	})
}

// scanAnd keeps the candidates holding the word by reading the word's
// lists whole: cheaper than seeking when the candidates are many.
func (x *Index) scanAnd(s *scratch, c *candidates, at int, terms []int32, score func(*[Fields]uint32, int32) float64) {
	in := newBits(len(x.docs))
	for _, d := range c.docs {
		in.set(d)
	}
	x.merge(s, terms, in.has)
	c.keep(at, func(i int) (float64, bool) {
		d := c.docs[i]
		if !s.seen.has(d) {
			return 0, false
		}
		return score(&s.freq[d], d), true
	})
	x.reset(s)
}

// reset empties scratch for the next word.
func (x *Index) reset(s *scratch) {
	for _, d := range s.touched {
		s.seen.clear(d)
		s.freq[d] = [Fields]uint32{}
	}
	s.touched = s.touched[:0]
}

// rowsHolding counts live documents holding any of terms (FTS5 counts a
// prefix's rows over the whole table, whatever the filters).
func (x *Index) rowsHolding(terms []int32) int {
	seen := newBits(len(x.docs))
	n := 0
	for _, t := range terms {
		cur := newCursor(&x.postings[t])
		for cur.next() {
			if x.docs[cur.doc].live && !seen.has(cur.doc) {
				seen.set(cur.doc)
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
func (s bits) clear(d int32)    { s[d>>6] &^= 1 << (uint(d) & 63) }
func (s bits) has(d int32) bool { return s[d>>6]&(1<<(uint(d)&63)) != 0 }

// filter returns a test for the facet and level filters, and whether it
// lets everything through.
func (x *Index) filter(q Query) (func(int32) bool, bool) {
	if len(q.Facets) == 0 && q.MinOTRL == 0 && q.MinODRL == 0 {
		return func(int32) bool { return true }, true
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
	}, false
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
