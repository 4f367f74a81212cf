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
	"runtime"
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
	freeMu   sync.Mutex
	free     []*scratch // scratches of finished queries
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

// scratch holds a word's weighted frequencies by document, for words of
// several terms (prefixes), whose postings must be merged.
type scratch struct {
	wf   []float64
	seen bits
}

// getScratch takes a scratch from the free list (a sync.Pool would drop
// these large arrays at every collection, and a query would pay for
// making them again).
func (x *Index) getScratch(n int) *scratch {
	x.freeMu.Lock()
	defer x.freeMu.Unlock()
	for i, s := range x.free {
		if len(s.wf) >= n {
			x.free = append(x.free[:i], x.free[i+1:]...)
			return s
		}
	}
	return &scratch{wf: make([]float64, n+n/4), seen: newBits(n + n/4)}
}

// putScratch gives a scratch back; it must be clear.
func (x *Index) putScratch(s *scratch) {
	x.freeMu.Lock()
	defer x.freeMu.Unlock()
	if len(x.free) < 4 {
		x.free = append(x.free, s)
	}
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

// scorer scores one word's weighted frequency in a document, as FTS5's
// bm25: saturated once against the whole row's length.
type scorer struct {
	idf, avg float64
	x        *Index
}

func (s scorer) score(f float64, d int32) float64 {
	dl := float64(s.x.docs[d].length)
	return s.idf * (f * (k1 + 1)) / (f + k1*(1-b+b*dl/s.avg))
}

// spans splits the document ids into ranges, one per processor, when a
// scan of this many postings is worth sharing; ranges are whole words of
// the bit sets, so that workers never touch the same one.
func (x *Index) spans(postings int64) [][2]int32 {
	n := int32(len(x.docs))
	p := int32(runtime.GOMAXPROCS(0))
	if postings < 1<<17 || p < 2 {
		return [][2]int32{{0, n}}
	}
	step := (n/p + 63) &^ 63
	var out [][2]int32
	for lo := int32(0); lo < n; lo += step {
		out = append(out, [2]int32{lo, min(lo+step, n)})
	}
	return out
}

// each runs fn for every span, at once.
func each(spans [][2]int32, fn func(i int, lo, hi int32)) {
	if len(spans) == 1 {
		fn(0, spans[0][0], spans[0][1])
		return
	}
	var wg sync.WaitGroup
	for i, sp := range spans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(i, sp[0], sp[1])
		}()
	}
	wg.Wait()
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
	idf := func(rows int) float64 {
		v := math.Log((float64(x.live) - float64(rows) + 0.5) / (float64(rows) + 0.5))
		if v <= 0 {
			v = 1e-6
		}
		return v
	}
	w := &q.FieldWeights
	if len(words) == 1 && len(words[0].terms) == 1 {
		t := words[0].terms[0]
		return x.only(t, allowed, everything, scorer{idf(int(x.postings[t].live)), avg, x}, w, k, q.Offset)
	}
	// The rarest word first: it bounds the documents the others are
	// looked up for.
	slices.SortStableFunc(words, func(a, b word) int { return int(min(max(a.size-b.size, -1), 1)) })
	s := x.getScratch(len(x.docs))
	defer x.putScratch(s)
	var c candidates
	for i := range words {
		wd := &words[i]
		if i == 0 {
			var rows int
			c, rows = x.first(s, wd, allowed, everything, w)
			sc := scorer{idf(rows), avg, x}
			for j, d := range c.docs {
				c.first[j] = sc.score(c.first[j], d)
			}
			c.parts = make([][]float64, len(words))
			c.parts[wd.at] = c.first
		} else {
			rows := int(x.postings[wd.terms[0]].live)
			if len(wd.terms) > 1 {
				rows = x.rowsHolding(wd.terms, wd.size)
			}
			sc := scorer{idf(rows), avg, x}
			if int64(len(c.docs))*8 < wd.size {
				x.lookUp(&c, wd.at, wd.terms, w, sc)
			} else {
				x.scanAnd(s, &c, wd, w, sc)
			}
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

// weighted is a posting's frequencies weighted by field.
func weighted(tf *[Fields]uint16, w *[Fields]float64) float64 {
	return w[0]*float64(tf[0]) + w[1]*float64(tf[1]) + w[2]*float64(tf[2]) + w[3]*float64(tf[3]) + w[4]*float64(tf[4])
}

// only answers a query of one word of one term: its postings scored
// straight into the page, with no list of candidates, a share of the
// list per processor.
func (x *Index) only(t int32, allowed func(int32) bool, everything bool, sc scorer, w *[Fields]float64, k, offset int) Result {
	p := &x.postings[t]
	spans := x.spans(int64(p.n))
	heaps := make([]*topK, len(spans))
	totals := make([]int, len(spans))
	each(spans, func(i int, lo, hi int32) {
		h := &topK{k: k}
		total := 0
		cur := newCursor(p)
		if !cur.seek(lo) {
			heaps[i] = h
			return
		}
		for ok := true; ok && cur.doc < hi; ok = cur.next() {
			d := cur.doc
			e := &x.docs[d]
			if !e.live || (!everything && !allowed(d)) {
				continue
			}
			total++
			h.offer(hit{score: sc.score(weighted(&cur.tf, w), d), key: e.key})
		}
		heaps[i], totals[i] = h, total
	})
	h := heaps[0]
	total := totals[0]
	for i := 1; i < len(heaps); i++ {
		for _, v := range heaps[i].hits {
			h.offer(v)
		}
		total += totals[i]
	}
	return Result{Total: total, Keys: h.page(offset)}
}

// mergeSpan adds up, in scratch, the weighted frequencies of several
// terms by document, for the documents of [lo, hi) keep accepts; it
// returns how many documents it marked.
func (x *Index) mergeSpan(s *scratch, terms []int32, keep func(int32) bool, w *[Fields]float64, lo, hi int32) int {
	n := 0
	for _, t := range terms {
		cur := newCursor(&x.postings[t])
		if !cur.seek(lo) {
			continue
		}
		for ok := true; ok && cur.doc < hi; ok = cur.next() {
			d := cur.doc
			if !keep(d) {
				continue
			}
			if !s.seen.has(d) {
				s.seen.set(d)
				n++
			}
			s.wf[d] += weighted(&cur.tf, w)
		}
	}
	return n
}

// first takes the driving word: every live, allowed document holding one
// of its terms, with the word's weighted frequency (scored by the caller
// once the word's rows are known, which the merge counts when nothing is
// filtered out).
func (x *Index) first(s *scratch, wd *word, allowed func(int32) bool, everything bool, w *[Fields]float64) (candidates, int) {
	var c candidates
	if len(wd.terms) == 1 {
		p := &x.postings[wd.terms[0]]
		c.docs, c.first = make([]int32, 0, p.live), make([]float64, 0, p.live)
		cur := newCursor(p)
		for cur.next() {
			d := cur.doc
			if !x.docs[d].live || (!everything && !allowed(d)) {
				continue
			}
			c.docs = append(c.docs, d)
			c.first = append(c.first, weighted(&cur.tf, w))
		}
		return c, int(p.live)
	}
	keep := func(d int32) bool { return x.docs[d].live && allowed(d) }
	spans := x.spans(wd.size)
	counts := make([]int, len(spans))
	parts := make([]candidates, len(spans))
	each(spans, func(i int, lo, hi int32) {
		counts[i] = x.mergeSpan(s, wd.terms, keep, w, lo, hi)
		// The marked documents in order, the set bits word by word,
		// cleared as they are read.
		var pc candidates
		for wi := lo / 64; wi < (hi+63)/64; wi++ {
			for word := s.seen[wi]; word != 0; word &= word - 1 {
				d := wi*64 + int32(mathbits.TrailingZeros64(word))
				pc.docs = append(pc.docs, d)
				pc.first = append(pc.first, s.wf[d])
				s.wf[d] = 0
			}
			s.seen[wi] = 0
		}
		parts[i] = pc
	})
	rows := 0
	for i, pc := range parts {
		c.docs = append(c.docs, pc.docs...)
		c.first = append(c.first, pc.first...)
		rows += counts[i]
	}
	if !everything {
		rows = x.rowsHolding(wd.terms, wd.size)
	}
	return c, rows
}

// lookUp keeps the candidates holding the word, seeking each in the
// word's lists: few candidates cost few blocks of long lists.
func (x *Index) lookUp(c *candidates, at int, terms []int32, w *[Fields]float64, sc scorer) {
	curs := make([]cursor, len(terms))
	for i, t := range terms {
		curs[i] = newCursor(&x.postings[t])
	}
	c.keep(at, func(i int) (float64, bool) {
		d := c.docs[i]
		f := 0.0
		found := false
		for j := range curs {
			if curs[j].seek(d) && curs[j].doc == d {
				found = true
				f += weighted(&curs[j].tf, w)
			}
		}
		if !found {
			return 0, false
		}
		return sc.score(f, d), true
	})
}

// scanAnd keeps the candidates holding the word by reading the word's
// lists whole: cheaper than seeking when the candidates are many.
func (x *Index) scanAnd(s *scratch, c *candidates, wd *word, w *[Fields]float64, sc scorer) {
	in := newBits(len(x.docs))
	for _, d := range c.docs {
		in.set(d)
	}
	each(x.spans(wd.size), func(_ int, lo, hi int32) { x.mergeSpan(s, wd.terms, in.has, w, lo, hi) })
	c.keep(wd.at, func(i int) (float64, bool) {
		d := c.docs[i]
		if !s.seen.has(d) {
			return 0, false
		}
		f := s.wf[d]
		s.wf[d] = 0
		s.seen.clear(d)
		return sc.score(f, d), true
	})
}

// rowsHolding counts live documents holding any of terms (FTS5 counts a
// prefix's rows over the whole table, whatever the filters), a share of
// the lists per processor.
func (x *Index) rowsHolding(terms []int32, size int64) int {
	seen := newBits(len(x.docs))
	spans := x.spans(size)
	counts := make([]int, len(spans))
	each(spans, func(i int, lo, hi int32) {
		for _, t := range terms {
			cur := newCursor(&x.postings[t])
			if !cur.seek(lo) {
				continue
			}
			for ok := true; ok && cur.doc < hi; ok = cur.next() {
				if x.docs[cur.doc].live && !seen.has(cur.doc) {
					seen.set(cur.doc)
					counts[i]++
				}
			}
		}
	})
	n := 0
	for _, c := range counts {
		n += c
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
