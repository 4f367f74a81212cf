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
	"unicode/utf8"
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
	// Tolerant lets a word match its singular or plural (gear, gears;
	// assembly, assemblies) and, when it matches nothing as written, the
	// indexed words one typing slip away from it (hindge: hinge).
	// Without it, ranking is exactly FTS5's.
	Tolerant bool
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

// cursor walks a posting list. With field weights it gives each
// posting's weighted frequency, added up as it decodes the counts (no
// array of counts filled and read back); without, the counts.
type cursor struct {
	p   *postingList
	off int
	doc int32 // the current document; -1 before the first
	i   int32 // postings read
	w   *[Fields]float64
	f   float64        // with weights: the weighted frequency
	tf  [Fields]uint16 // without: the counts by field
}

func newCursor(p *postingList, w *[Fields]float64) cursor { return cursor{p: p, doc: -1, w: w} }

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
	if c.w == nil {
		c.tf = [Fields]uint16{}
	}
	c.f = 0
	for mask != 0 {
		f := mathbits.TrailingZeros8(mask)
		mask &= mask - 1
		var n uint16
		if v := d[off]; v < 0x80 {
			n = uint16(v)
			off++
		} else {
			v, k := binary.Uvarint(d[off:])
			n, off = uint16(v), off+k
		}
		if c.w != nil {
			c.f += c.w[f] * float64(n)
		} else {
			c.tf[f] = n
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
	alive    bits    // the live documents
	newer    []int64 // by document, the latest update of it and those before
	levels   []uint8 // by document, OTRL<<4 | ODRL, each at most 15
	lengths  []int32 // by document, its length, apart from the entries for the cache
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
	x.track(id, &e)
	x.keys[key] = id
	x.live++
	x.tokens += int64(e.length)
}

// track records a new document in the arrays a filter scans.
func (x *Index) track(id int32, e *docEntry) {
	for int(id)/64 >= len(x.alive) {
		x.alive = append(x.alive, 0)
	}
	x.alive.set(id)
	up := e.updated
	if id > 0 {
		up = max(up, x.newer[id-1])
	}
	x.newer = append(x.newer, up)
	x.lengths = append(x.lengths, e.length)
	x.levels = append(x.levels, uint8(min(max(e.otrl, 0), 15))<<4|uint8(min(max(e.odrl, 0), 15)))
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
	x.newer = slices.Clip(x.newer)
	x.levels = slices.Clip(x.levels)
	x.lengths = slices.Clip(x.lengths)
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
	x.alive.clear(id)
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
		c := newCursor(&old, nil)
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
	x.alive, x.newer, x.levels, x.lengths = nil, nil, nil, nil
	for id := range x.docs {
		x.track(int32(id), &x.docs[id])
	}
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

// tolerate adds to a word's terms its singular and plural forms and,
// when it has none, the indexed words one edit from it (a letter left
// out, added, changed, or two swapped), for words of four letters or
// more: shorter ones have too many neighbours to guess from.
func (x *Index) tolerate(w string, terms []int32) []int32 {
	have := map[int32]bool{}
	for _, t := range terms {
		have[t] = true
	}
	add := func(v string) {
		if id, ok := x.termIDs[v]; ok && !have[id] {
			have[id] = true
			terms = append(terms, id)
		}
	}
	for _, v := range numberForms(w) {
		add(v)
	}
	if len(terms) > 0 || utf8.RuneCountInString(w) < 4 {
		return terms
	}
	for _, v := range oneEdit(w) {
		add(v)
	}
	return terms
}

// numberForms are a word's likely singular and plural in English.
func numberForms(w string) []string {
	var out []string
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		out = append(out, w[:len(w)-3]+"y")
	case strings.HasSuffix(w, "es") && len(w) > 3:
		out = append(out, w[:len(w)-2], w[:len(w)-1])
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && len(w) > 3:
		out = append(out, w[:len(w)-1])
	case strings.HasSuffix(w, "y") && len(w) > 3:
		out = append(out, w[:len(w)-1]+"ies", w+"s")
	default:
		out = append(out, w+"s", w+"es")
	}
	return out
}

// oneEdit lists the strings one edit from w, over the letters a word
// may hold: w's own and a-z, 0-9.
func oneEdit(w string) []string {
	rs := []rune(w)
	alphabet := []rune("abcdefghijklmnopqrstuvwxyz0123456789")
	for _, r := range rs {
		if !strings.ContainsRune(string(alphabet), r) {
			alphabet = append(alphabet, r)
		}
	}
	var out []string
	for i := range rs {
		out = append(out, string(rs[:i])+string(rs[i+1:]))
		if i+1 < len(rs) {
			t := append([]rune(nil), rs...)
			t[i], t[i+1] = t[i+1], t[i]
			out = append(out, string(t))
		}
		for _, a := range alphabet {
			if a != rs[i] {
				out = append(out, string(rs[:i])+string(a)+string(rs[i+1:]))
			}
		}
	}
	for i := 0; i <= len(rs); i++ {
		for _, a := range alphabet {
			out = append(out, string(rs[:i])+string(a)+string(rs[i:]))
		}
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

// scratch is the working memory of one query: weighted frequencies and
// marks by document (for words of several terms, whose postings must be
// merged), the candidates as a set, and each span's candidates. It is
// used again by later queries, so that a query allocates almost nothing
// (a collection here must mark the whole index).
type scratch struct {
	wf    []float64
	seen  bits
	in    bits
	spans []spanState
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
	m := n + n/4
	return &scratch{wf: make([]float64, m), seen: newBits(m), in: newBits(m)}
}

// putScratch gives a scratch back; its arrays must be clear.
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
}

// spanState is one span's candidates: the documents of its range still
// matching every word taken so far, in increasing order, with each
// word's weighted frequency in them (by the word's place in the query).
// They are scored only at the end, once every word's row count, and so
// its idf, is known; the parts are added in the query's order, as FTS5
// adds them, so that scores agree to the last bit.
type spanState struct {
	lo, hi int32
	docs   []int32
	f      [][]float64
	rows   int // live documents of the range holding the word just taken
	top    topK
	total  int
}

// reset readies the state for a query of n words over [lo, hi).
func (st *spanState) reset(lo, hi int32, n int) {
	st.lo, st.hi = lo, hi
	st.docs = st.docs[:0]
	for len(st.f) < n {
		st.f = append(st.f, nil)
	}
	st.f = st.f[:n]
	for i := range st.f {
		st.f[i] = st.f[i][:0]
	}
	st.rows, st.total = 0, 0
	st.top = topK{k: 0, hits: st.top.hits[:0]}
}

// scorer scores one word's weighted frequency in a document, as FTS5's
// bm25: saturated once against the whole row's length.
type scorer struct {
	idf, avg float64
	x        *Index
}

func (s scorer) score(f float64, d int32) float64 {
	dl := float64(s.x.lengths[d])
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
	set, allowed, everything := x.filter(q)
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
		return x.newest(set, q, k)
	}
	words := make([]word, len(texts))
	for i, w := range texts {
		words[i].at = i
		words[i].terms = x.termsOf(w, q.PrefixLast && i == len(texts)-1)
		if q.Tolerant {
			words[i].terms = x.tolerate(w, words[i].terms)
		}
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
	if len(words) == 1 {
		return x.oneWord(&words[0], allowed, everything, w, idf, avg, k, q.Offset)
	}
	// The rarest word first: it bounds the documents the others are
	// looked up for.
	slices.SortStableFunc(words, func(a, b word) int { return int(min(max(a.size-b.size, -1), 1)) })
	s := x.getScratch(len(x.docs))
	defer x.putScratch(s)
	var size int64
	for _, wd := range words {
		size += wd.size
	}
	spans := x.spans(size)
	for len(s.spans) < len(spans) {
		s.spans = append(s.spans, spanState{})
	}
	st := s.spans[:len(spans)]
	for i, sp := range spans {
		st[i].reset(sp[0], sp[1], len(words))
	}
	scorers := make([]scorer, len(words))
	for i := range words {
		wd := &words[i]
		var rows int
		switch {
		case i == 0:
			each(spans, func(j int, _, _ int32) { x.drive(s, &st[j], wd, allowed, everything, w) })
			rows = int(x.postings[wd.terms[0]].live)
			if len(wd.terms) > 1 {
				rows = 0
				for j := range st {
					rows += st[j].rows
				}
			}
		default:
			n := 0
			for j := range st {
				n += len(st[j].docs)
			}
			if n == 0 {
				return Result{}
			}
			rows = int(x.postings[wd.terms[0]].live)
			if int64(n)*8 < wd.size {
				each(spans, func(j int, _, _ int32) { x.lookUp(&st[j], wd, w) })
				if len(wd.terms) > 1 {
					rows = x.rowsHolding(wd.terms, wd.size)
				}
			} else {
				each(spans, func(j int, _, _ int32) { x.scanAnd(s, &st[j], wd, w) })
				if len(wd.terms) > 1 {
					rows = 0
					for j := range st {
						rows += st[j].rows
					}
				}
			}
		}
		scorers[wd.at] = scorer{idf(rows), avg, x}
	}
	each(spans, func(j int, _, _ int32) {
		sp := &st[j]
		sp.top.k = k
		for i, d := range sp.docs {
			sum := 0.0
			for at := range scorers {
				sum += scorers[at].score(sp.f[at][i], d)
			}
			if !sp.top.beaten(sum) {
				sp.top.offer(hit{score: sum, key: x.docs[d].key})
			}
		}
		sp.total = len(sp.docs)
	})
	h := &topK{k: k}
	total := 0
	for j := range st {
		for _, v := range st[j].top.hits {
			h.offer(v)
		}
		total += st[j].total
	}
	return Result{Total: total, Keys: h.page(q.Offset)}
}

const (
	k1 = 1.2 // FTS5's bm25 constants
	b  = 0.75
)

// noWeights is for walks that only need the documents.
var noWeights [Fields]float64

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
		cur := newCursor(p, w)
		if !cur.seek(lo) {
			heaps[i] = h
			return
		}
		for ok := true; ok && cur.doc < hi; ok = cur.next() {
			d := cur.doc
			if !x.alive.has(d) || (!everything && !allowed(d)) {
				continue
			}
			total++
			if v := sc.score(cur.f, d); !h.beaten(v) {
				h.offer(hit{score: v, key: x.docs[d].key})
			}
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

// oneWord answers a query of one word of several terms (a prefix): the
// terms' postings merged span by span, then the marked documents scored
// straight into the page once the word's rows are counted.
func (x *Index) oneWord(wd *word, allowed func(int32) bool, everything bool, w *[Fields]float64, idf func(int) float64, avg float64, k, offset int) Result {
	s := x.getScratch(len(x.docs))
	defer x.putScratch(s)
	spans := x.spans(wd.size)
	rows := make([]int, len(spans))
	each(spans, func(i int, lo, hi int32) { rows[i] = x.mergeSpan(s, wd.terms, allowed, w, lo, hi) })
	n := 0
	for _, r := range rows {
		n += r
	}
	sc := scorer{idf(n), avg, x}
	heaps := make([]topK, len(spans))
	totals := make([]int, len(spans))
	each(spans, func(i int, lo, hi int32) {
		h := &heaps[i]
		h.k = k
		for wi := lo / 64; wi < (hi+63)/64; wi++ {
			for word := s.seen[wi]; word != 0; word &= word - 1 {
				d := wi*64 + int32(mathbits.TrailingZeros64(word))
				if everything || allowed(d) {
					totals[i]++
					if v := sc.score(s.wf[d], d); !h.beaten(v) {
						h.offer(hit{score: v, key: x.docs[d].key})
					}
				}
				s.wf[d] = 0
			}
			s.seen[wi] = 0
		}
	})
	h := &heaps[0]
	total := totals[0]
	for i := 1; i < len(heaps); i++ {
		for _, v := range heaps[i].hits {
			h.offer(v)
		}
		total += totals[i]
	}
	return Result{Total: total, Keys: h.page(offset)}
}

// mergeSpan marks in scratch the live documents of [lo, hi) holding any
// of terms, and adds up the weighted frequencies of those acc accepts;
// it returns how many documents it marked (FTS5 counts a word's rows over
// the whole table, whatever the filters).
func (x *Index) mergeSpan(s *scratch, terms []int32, acc func(int32) bool, w *[Fields]float64, lo, hi int32) int {
	n := 0
	for _, t := range terms {
		cur := newCursor(&x.postings[t], w)
		if !cur.seek(lo) {
			continue
		}
		for ok := true; ok && cur.doc < hi; ok = cur.next() {
			d := cur.doc
			if !x.alive.has(d) {
				continue
			}
			if !s.seen.has(d) {
				s.seen.set(d)
				n++
			}
			if acc(d) {
				s.wf[d] += cur.f
			}
		}
	}
	return n
}

// drive takes the driving word over a span: every live, allowed
// document holding one of its terms, with the word's weighted frequency,
// and (for several terms) the live documents holding any of them.
func (x *Index) drive(s *scratch, st *spanState, wd *word, allowed func(int32) bool, everything bool, w *[Fields]float64) {
	f := st.f[wd.at]
	if len(wd.terms) == 1 {
		cur := newCursor(&x.postings[wd.terms[0]], w)
		if cur.seek(st.lo) {
			for ok := true; ok && cur.doc < st.hi; ok = cur.next() {
				d := cur.doc
				if !x.alive.has(d) || (!everything && !allowed(d)) {
					continue
				}
				st.docs = append(st.docs, d)
				f = append(f, cur.f)
			}
		}
		st.f[wd.at] = f
		return
	}
	st.rows = x.mergeSpan(s, wd.terms, allowed, w, st.lo, st.hi)
	// The marked documents in order, the set bits word by word, cleared
	// as they are read.
	for wi := st.lo / 64; wi < (st.hi+63)/64; wi++ {
		for word := s.seen[wi]; word != 0; word &= word - 1 {
			d := wi*64 + int32(mathbits.TrailingZeros64(word))
			if everything || allowed(d) {
				st.docs = append(st.docs, d)
				f = append(f, s.wf[d])
			}
			s.wf[d] = 0
		}
		s.seen[wi] = 0
	}
	st.f[wd.at] = f
}

// keep filters a span's candidates to those for which ok(d) gives a
// weighted frequency, which becomes the word's.
func (st *spanState) keep(at int, ok func(d int32) (float64, bool)) {
	n := 0
	part := st.f[at][:0]
	for i, d := range st.docs {
		v, yes := ok(d)
		if !yes {
			continue
		}
		st.docs[n] = d
		for w := range st.f {
			if w != at && len(st.f[w]) > 0 {
				st.f[w][n] = st.f[w][i]
			}
		}
		part = append(part, v)
		n++
	}
	st.docs = st.docs[:n]
	for w := range st.f {
		if w != at && len(st.f[w]) > 0 {
			st.f[w] = st.f[w][:n]
		}
	}
	st.f[at] = part
}

// lookUp keeps a span's candidates holding the word, seeking each in the
// word's lists: few candidates cost few blocks of long lists.
func (x *Index) lookUp(st *spanState, wd *word, w *[Fields]float64) {
	curs := make([]cursor, len(wd.terms))
	for i, t := range wd.terms {
		curs[i] = newCursor(&x.postings[t], w)
	}
	st.keep(wd.at, func(d int32) (float64, bool) {
		f := 0.0
		found := false
		for j := range curs {
			if curs[j].seek(d) && curs[j].doc == d {
				found = true
				f += curs[j].f
			}
		}
		return f, found
	})
}

// scanAnd keeps a span's candidates holding the word by reading the
// word's lists whole over the span: cheaper than seeking when the
// candidates are many. For several terms it counts the span's live rows
// holding any of them on the way.
func (x *Index) scanAnd(s *scratch, st *spanState, wd *word, w *[Fields]float64) {
	for _, d := range st.docs {
		s.in.set(d)
	}
	st.rows = x.mergeSpan(s, wd.terms, s.in.has, w, st.lo, st.hi)
	st.keep(wd.at, func(d int32) (float64, bool) {
		if !s.seen.has(d) {
			return 0, false
		}
		f := s.wf[d]
		s.wf[d] = 0
		return f, true
	})
	for wi := st.lo / 64; wi < (st.hi+63)/64; wi++ {
		s.seen[wi], s.in[wi] = 0, 0
	}
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
			cur := newCursor(&x.postings[t], &noWeights)
			if !cur.seek(lo) {
				continue
			}
			for ok := true; ok && cur.doc < hi; ok = cur.next() {
				if x.alive.has(cur.doc) && !seen.has(cur.doc) {
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

// filter returns the documents the facet and level filters let
// through, live ones only, as a set and as a test, and whether they let
// everything through (then the set is nil).
func (x *Index) filter(q Query) (bits, func(int32) bool, bool) {
	if len(q.Facets) == 0 && q.MinOTRL <= 0 && q.MinODRL <= 0 {
		return nil, func(int32) bool { return true }, true
	}
	set := slices.Clone(x.alive)
	var one bits
	for _, f := range q.Facets {
		if one == nil {
			one = make(bits, len(set))
		} else {
			clear(one)
		}
		for _, id := range x.facets[f] {
			one.set(id)
		}
		for i := range set {
			set[i] &= one[i]
		}
	}
	if q.MinOTRL > 0 || q.MinODRL > 0 {
		minT, minD := min(q.MinOTRL, 16), min(q.MinODRL, 16)
		for i, v := range set {
			for word := v; word != 0; word &= word - 1 {
				d := i*64 + mathbits.TrailingZeros64(word)
				if l := x.levels[d]; int(l>>4) < minT || int(l&15) < minD {
					set[i] &^= 1 << (uint(d) & 63)
				}
			}
		}
	}
	return set, set.has, false
}

// newest pages through live documents that pass the filters, most
// recently updated first. It walks from the last document back and
// stops once no earlier one can have been updated late enough for the
// page: documents are mostly added in the order they change.
func (x *Index) newest(set bits, q Query, k int) Result {
	if set == nil {
		set = x.alive
	}
	h := &topK{k: k}
	total := 0
	for _, v := range set {
		total += mathbits.OnesCount64(v)
	}
	for i := len(set) - 1; i >= 0; i-- {
		for word := set[i]; word != 0; {
			top := 63 - mathbits.LeadingZeros64(word)
			word &^= 1 << uint(top)
			d := i*64 + top
			if len(h.hits) == h.k && (h.k == 0 || float64(x.newer[d]) < h.hits[0].score) {
				return Result{Total: total, Keys: h.page(q.Offset)}
			}
			e := &x.docs[d]
			h.offer(hit{score: float64(e.updated), key: e.key})
		}
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

// beaten tells whether a hit of this score cannot enter the page, before
// its key is looked up (a tie may still enter, by its key).
func (h *topK) beaten(score float64) bool {
	return len(h.hits) == h.k && score < h.hits[0].score
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

// ByRecent orders keys by when their documents last changed, newest
// first (keys not indexed go last, in their order).
func (x *Index) ByRecent(keys []int64) []int64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	at := func(k int64) int64 {
		if id, ok := x.keys[k]; ok {
			return x.docs[id].updated
		}
		return math.MinInt64
	}
	out := slices.Clone(keys)
	slices.SortStableFunc(out, func(a, b int64) int {
		ua, ub := at(a), at(b)
		switch {
		case ua > ub:
			return -1
		case ua < ub:
			return 1
		}
		return 0
	})
	return out
}
