package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/search"
)

// Column weights of the full-text ranking: name, function, keywords,
// parts, steps.
var weights = design.SearchWeights

// searchIndex is the in-memory index that answers searches. The FTS5
// table holds the same text and ranks the same way, but FTS5 evaluates
// bm25() with a call and a row lookup per match, which is over 100 ms
// for a common word in 100,000 designs; the index scores only the
// postings a query touches. It follows the search_changes log, so it sees
// commits made by other processes too.
type searchIndex struct {
	mu      sync.Mutex // serialises catching up
	idx     *search.Index
	applied int64
}

// catchUp brings the index up to the last change in the store.
func (db *DB) catchUp(ctx context.Context) (*search.Index, error) {
	s := &db.search
	s.mu.Lock()
	defer s.mu.Unlock()
	var last int64
	if err := db.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM search_changes`).Scan(&last); err != nil {
		return nil, err
	}
	if s.idx == nil {
		s.idx = search.New()
		if err := db.loadDocs(ctx, s.idx, ``); err != nil {
			s.idx = nil
			return nil, err
		}
		s.idx.Trim()
		s.applied = last
		return s.idx, nil
	}
	if last > s.applied {
		where := fmt.Sprintf(`IN (SELECT design_seq FROM search_changes WHERE id > %d AND id <= %d)`, s.applied, last)
		if err := db.loadDocs(ctx, s.idx, where); err != nil {
			return nil, err
		}
		s.applied = last
	}
	return s.idx, nil
}

// loadDocs puts designs (those whose seq passes the condition, or all)
// into the index.
func (db *DB) loadDocs(ctx context.Context, idx *search.Index, cond string) error {
	seqCond, facetCond := "", ""
	if cond != "" {
		seqCond, facetCond = ` WHERE d.seq `+cond, ` WHERE design_seq `+cond
	}
	facets := map[int64][]string{}
	rows, err := db.db.QueryContext(ctx, `SELECT design_seq, facet, value FROM design_facets`+facetCond)
	if err != nil {
		return err
	}
	for rows.Next() {
		var seq int64
		var f, v string
		if err := rows.Scan(&seq, &f, &v); err != nil {
			rows.Close()
			return err
		}
		facets[seq] = append(facets[seq], f+"="+v)
	}
	rows.Close()
	rows, err = db.db.QueryContext(ctx, `SELECT d.seq, f.name, f.function, f.keywords, f.parts, f.steps, d.otrl, d.odrl, d.updated_at, d.thumb
		FROM designs d JOIN design_fts f ON f.rowid = d.seq`+seqCond)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var d search.Doc
		var updated, thumb string
		if err := rows.Scan(&seq, &d.Text[0], &d.Text[1], &d.Text[2], &d.Text[3], &d.Text[4], &d.OTRL, &d.ODRL, &updated, &thumb); err != nil {
			return err
		}
		d.Facets = facets[seq]
		if thumb != "" {
			d.Facets = append(d.Facets, hasFilesFacet)
		}
		for _, w := range search.Tokens(d.Text[2]) {
			d.Facets = append(d.Facets, keywordFacet+w)
		}
		d.Updated = parseTime(updated).UnixNano()
		idx.Put(seq, d)
	}
	return rows.Err()
}

// Search finds designs: ranked by BM25 over name, function, keywords,
// parts and steps (weighted 10, 4, 6, 2, 1, as FTS5's bm25 weighs them)
// when there is text, newest first otherwise. Every word must match; the
// last one also as the start of a longer word, so results follow typing.
func (db *DB) Search(ctx context.Context, q design.Query) (*design.Results, error) {
	q = q.Clamp()
	res := &design.Results{Limit: q.Limit, Offset: q.Offset, Items: []design.Summary{}}
	if strings.TrimSpace(q.Text) != "" && len(search.Tokens(q.Text)) == 0 || strings.TrimSpace(q.Keyword) != "" && len(search.Tokens(q.Keyword)) == 0 {
		return res, nil // only punctuation: nothing can match
	}
	if db.oneShot {
		if strings.TrimSpace(q.Text) == "" {
			return db.searchSQL(ctx, q)
		}
		return db.searchFTS(ctx, q)
	}
	idx, err := db.catchUp(ctx)
	if err != nil {
		return nil, err
	}
	sq := search.Query{Text: q.Text, MinOTRL: q.MinOTRL, MinODRL: q.MinODRL, Limit: q.Limit, Offset: q.Offset, PrefixLast: true, FieldWeights: weights, Tolerant: true}
	for _, f := range q.Facets() {
		sq.Facets = append(sq.Facets, f[0]+"="+f[1])
	}
	if q.HasFiles {
		sq.Facets = append(sq.Facets, hasFilesFacet)
	}
	for _, w := range search.Tokens(q.Keyword) {
		sq.Facets = append(sq.Facets, keywordFacet+w)
	}
	text := strings.TrimSpace(q.Text) != ""
	if q.Sort == design.SortBuilt && !text {
		return db.searchSQL(ctx, q)
	}
	if q.Sort != "" && text {
		// The best matches, then in the order asked: a page of them.
		sq.Limit, sq.Offset = design.RecentPool, 0
		keys := idx.Search(sq).Keys
		if q.Sort == design.SortRecent {
			keys = idx.ByRecent(keys)
		} else if keys, err = db.byBuilds(ctx, keys); err != nil {
			return nil, err
		}
		res.Total = len(keys)
		keys = keys[min(q.Offset, len(keys)):min(q.Offset+q.Limit, len(keys))]
		res.Items, err = db.summaries(ctx, keys)
		return res, err
	}
	found := idx.Search(sq)
	res.Total = found.Total
	res.Items, err = db.summaries(ctx, found.Keys)
	return res, err
}

const summaryColumns = `d.seq, d.id, d.slug, d.name, d.function, d.license, d.version, d.otrl, d.odrl, d.languages, d.head, d.parts, d.thumb, d.updated_at, d.home`

// summaries reads designs by seq, in the order given.
func (db *DB) summaries(ctx context.Context, seqs []int64) ([]design.Summary, error) {
	out := []design.Summary{}
	if len(seqs) == 0 {
		return out, nil
	}
	args := make([]any, len(seqs))
	for i, s := range seqs {
		args[i] = s
	}
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT `+summaryColumns+` FROM designs d WHERE d.seq IN (?`+strings.Repeat(`,?`, len(seqs)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	bySeq, err := scanSummaries(rows)
	if err != nil {
		return nil, err
	}
	for _, s := range seqs {
		if sum, ok := bySeq[s]; ok {
			out = append(out, sum)
		}
	}
	return out, nil
}

func scanSummaries(rows *sql.Rows) (map[int64]design.Summary, error) {
	out := map[int64]design.Summary{}
	for rows.Next() {
		seq, s, err := scanSummary(rows)
		if err != nil {
			return nil, err
		}
		out[seq] = s
	}
	return out, rows.Err()
}

// scanSummary reads one row of summaryColumns.
func scanSummary(rows *sql.Rows) (int64, design.Summary, error) {
	var seq int64
	var s design.Summary
	var langs, updated string
	err := rows.Scan(&seq, &s.ID, &s.Slug, &s.Name, &s.Function, &s.License, &s.Version, &s.OTRL, &s.ODRL, &langs, &s.Head, &s.Parts, &s.Thumb, &updated, &s.Home)
	s.Languages = strings.Fields(langs)
	s.Updated = parseTime(updated)
	return seq, s, err
}

// ftsQuery turns what a user typed into an FTS5 query with the same
// meaning as the index's: every word, the last as a prefix, and no
// character of the input able to form FTS5 syntax.
func ftsQuery(text string) string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
	if len(words) > 12 {
		words = words[:12]
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(`"` + w + `"`)
		if i == len(words)-1 {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// OneShot makes searches use FTS5 and plain SQL instead of building the
// in-memory index: right for a process that answers one query and exits
// (the CLI), where building the index would cost more than it saves. The
// results are the same.
func (db *DB) OneShot() { db.oneShot = true }

// searchSQL lists designs without text, newest first, with the filters.
func (db *DB) searchSQL(ctx context.Context, q design.Query) (*design.Results, error) {
	res := &design.Results{Limit: q.Limit, Offset: q.Offset, Items: []design.Summary{}}
	where, args := filterSQL(q)
	from := ` FROM designs d`
	if len(where) > 0 {
		from += ` WHERE ` + strings.Join(where, ` AND `)
	}
	if err := db.q(ctx).QueryRowContext(ctx, `SELECT count(*)`+from, args...).Scan(&res.Total); err != nil {
		return nil, err
	}
	order := ` ORDER BY d.updated_at DESC, d.seq DESC`
	if q.Sort == design.SortBuilt {
		order = ` ORDER BY ` + buildCount + ` DESC, d.updated_at DESC, d.seq DESC`
	}
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT `+summaryColumns+from+order+` LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return res, scanInto(rows, res)
}

// buildCount is how many build reports a design has.
const buildCount = `(SELECT count(*) FROM reports r WHERE r.design_id = d.id)`

// byBuilds orders designs (by seq) by their build reports, most first,
// keeping the order given among equals.
func (db *DB) byBuilds(ctx context.Context, seqs []int64) ([]int64, error) {
	if len(seqs) == 0 {
		return seqs, nil
	}
	args := make([]any, len(seqs))
	for i, s := range seqs {
		args[i] = s
	}
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT d.seq, `+buildCount+` FROM designs d WHERE d.seq IN (?`+strings.Repeat(`,?`, len(seqs)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	n := map[int64]int{}
	for rows.Next() {
		var seq int64
		var c int
		if err := rows.Scan(&seq, &c); err != nil {
			return nil, err
		}
		n[seq] = c
	}
	out := slices.Clone(seqs)
	slices.SortStableFunc(out, func(a, b int64) int { return n[b] - n[a] })
	return out, rows.Err()
}

// hasFilesFacet marks, in the index, designs with a part mesh (the
// thumbnail column says which).
const hasFilesFacet = "files=yes"

// keywordFacet and a word mark, in the index, designs whose keywords
// hold the word (read from their search text: stores of any age have
// it).
const keywordFacet = "kw="

func filterSQL(q design.Query) ([]string, []any) {
	var where []string
	var args []any
	for _, f := range q.Facets() {
		where = append(where, `d.seq IN (SELECT design_seq FROM design_facets WHERE facet = ? AND value = ?)`)
		args = append(args, f[0], f[1])
	}
	if q.MinOTRL > 0 {
		where = append(where, `d.otrl >= ?`)
		args = append(args, q.MinOTRL)
	}
	if q.MinODRL > 0 {
		where = append(where, `d.odrl >= ?`)
		args = append(args, q.MinODRL)
	}
	if q.HasFiles {
		where = append(where, `d.thumb <> ''`)
	}
	if words := search.Tokens(q.Keyword); len(words) > 0 {
		var m []string
		for _, w := range words {
			m = append(m, `keywords : "`+w+`"`)
		}
		where = append(where, `d.seq IN (SELECT rowid FROM design_fts WHERE design_fts MATCH ?)`)
		args = append(args, strings.Join(m, " AND "))
	}
	return where, args
}

func scanInto(rows *sql.Rows, res *design.Results) error {
	for rows.Next() {
		_, s, err := scanSummary(rows)
		if err != nil {
			return err
		}
		res.Items = append(res.Items, s)
	}
	return rows.Err()
}

// searchFTS answers a text query with FTS5 alone. The index must rank as
// it does; tests hold the two against each other.
func (db *DB) searchFTS(ctx context.Context, q design.Query) (*design.Results, error) {
	q = q.Clamp()
	res := &design.Results{Limit: q.Limit, Offset: q.Offset, Items: []design.Summary{}}
	m := ftsQuery(q.Text)
	if m == "" {
		return res, nil
	}
	fw, fargs := filterSQL(q)
	where := append([]string{`design_fts MATCH ?`}, fw...)
	args := append([]any{m}, fargs...)
	from := ` FROM design_fts f JOIN designs d ON d.seq = f.rowid WHERE ` + strings.Join(where, ` AND `)
	if err := db.q(ctx).QueryRowContext(ctx, `SELECT count(*)`+from, args...).Scan(&res.Total); err != nil {
		return nil, err
	}
	order := fmt.Sprintf(` ORDER BY bm25(design_fts, %g, %g, %g, %g, %g), d.seq DESC`, weights[0], weights[1], weights[2], weights[3], weights[4])
	switch q.Sort {
	case design.SortRecent:
		order = ` ORDER BY d.updated_at DESC, d.seq DESC`
	case design.SortBuilt:
		order = ` ORDER BY ` + buildCount + ` DESC` + strings.TrimPrefix(order, ` ORDER BY`)
	}
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT `+summaryColumns+from+order+` LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return res, scanInto(rows, res)
}

// Forks lists the designs forked from a design, newest first.
func (db *DB) Forks(ctx context.Context, designID string) ([]design.Summary, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT `+summaryColumns+` FROM designs d WHERE d.forked_design = ? ORDER BY d.seq DESC`, designID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	res := &design.Results{Items: []design.Summary{}}
	return res.Items, scanInto(rows, res)
}
