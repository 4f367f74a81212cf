package postgres

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/search"
)

// configs maps a manifest's language to PostgreSQL's text search
// configuration for it (stemming and stop words); other languages are
// searched as 'simple'.
var configs = map[string]string{
	"da": "danish", "de": "german", "el": "greek", "en": "english", "es": "spanish", "fi": "finnish",
	"fr": "french", "hu": "hungarian", "it": "italian", "nb": "norwegian", "nl": "dutch", "no": "norwegian",
	"pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "tr": "turkish",
}

// textConfig is the configuration of a design's first language.
func textConfig(langs []string) string {
	for _, l := range langs {
		base, _, _ := strings.Cut(strings.ToLower(l), "-")
		if c, ok := configs[base]; ok {
			return c
		}
	}
	return "simple"
}

// document is the SQL of a design's weighted search document in a
// configuration, from the parameters $2..$6 (name, function, keywords,
// parts, steps): name A, keywords B, function C, parts and steps D, the
// order of design.SearchWeights. Accents are folded, as SQLite's
// remove_diacritics folds them.
func document(config string) string {
	v := func(param, weight string) string {
		return fmt.Sprintf("setweight(to_tsvector(%s, unaccent(%s)), '%s')", config, param, weight)
	}
	return v("$2", "A") + " || " + v("$4", "B") + " || " + v("$3", "C") + " || " + v("$5 || ' ' || $6", "D")
}

// rankWeights are ts_rank's weights of D, C, B and A, after
// design.SearchWeights (steps 1 and parts 2 share D).
const rankWeights = `'{0.15, 0.4, 0.6, 1.0}'`

const summaryColumns = `d.id::text, d.slug, d.name, d.function, d.license, d.version, d.otrl, d.odrl, d.languages, d.head, d.parts, d.thumb, d.updated_at, d.home`

func scanSummary(row pgx.CollectableRow) (design.Summary, error) {
	var s design.Summary
	var langs string
	err := row.Scan(&s.ID, &s.Slug, &s.Name, &s.Function, &s.License, &s.Version, &s.OTRL, &s.ODRL, &langs, &s.Head, &s.Parts, &s.Thumb, &s.Updated, &s.Home)
	s.Languages = strings.Fields(langs)
	s.Updated = s.Updated.UTC()
	return s, err
}

// scanSummaryCounted is scanSummary with the window count after the
// columns.
func scanSummaryCounted(row pgx.CollectableRow, total *int) (design.Summary, error) {
	var s design.Summary
	var langs string
	err := row.Scan(&s.ID, &s.Slug, &s.Name, &s.Function, &s.License, &s.Version, &s.OTRL, &s.ODRL, &langs, &s.Head, &s.Parts, &s.Thumb, &s.Updated, &s.Home, total)
	s.Languages = strings.Fields(langs)
	s.Updated = s.Updated.UTC()
	return s, err
}

// filters writes the query's filters as conditions on designs d, with
// their arguments numbered from n.
// keywordQuery is a tsquery of the keyword filter's words, each as
// written or as any configuration stems it, found among the keywords
// alone (weight B of the document).
func (db *DB) keywordQuery(ctx context.Context, keyword string) (string, error) {
	return db.stemmed(ctx, search.Tokens(keyword), false, "B")
}

// lexeme is a quoted lexeme of a tsquery's text.
var lexeme = regexp.MustCompile(`'(?:[^']|'')*'`)

func quoted(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = "'" + strings.ReplaceAll(w, "'", "") + "'"
	}
	return out
}

func filters(q design.Query, n int) ([]string, []any) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", n+len(args)-1)
	}
	for _, f := range q.Facets() {
		where = append(where, `d.seq IN (SELECT design_seq FROM design_facets WHERE facet = `+arg(f[0])+` AND value = `+arg(f[1])+`)`)
	}
	if q.MinOTRL > 0 {
		where = append(where, `d.otrl >= `+arg(q.MinOTRL))
	}
	if q.MinODRL > 0 {
		where = append(where, `d.odrl >= `+arg(q.MinODRL))
	}
	if q.HasFiles {
		where = append(where, `d.thumb <> ''`)
	}
	return where, args
}

// Search finds designs: with text, those whose document holds every
// word (the last as a prefix) as written or as stemmed in any of the
// languages the hub knows, ranked by weighted ts_rank; without text,
// newest first. Filters as the SQLite store's.
func (db *DB) Search(ctx context.Context, q design.Query) (*design.Results, error) {
	q = q.Clamp()
	res := &design.Results{Limit: q.Limit, Offset: q.Offset, Items: []design.Summary{}}
	text := strings.TrimSpace(q.Text) != ""
	var where []string
	var args []any
	from, order, rank := ` FROM designs d`, ` ORDER BY d.updated_at DESC, d.seq DESC`, ``
	if text {
		tq, err := db.tsQuery(ctx, q.Text)
		if err != nil {
			return nil, err
		}
		if tq == "" {
			return res, nil // only punctuation: nothing can match
		}
		args = append(args, tq)
		from = ` FROM designs d JOIN design_docs f ON f.design_seq = d.seq`
		where = append(where, `f.doc @@ $1::tsquery`)
		// Normalisation 1 divides by 1 + the log of the document's length:
		// of two designs that name the word once, the shorter says more,
		// as BM25 has it for the SQLite store.
		rank = `ts_rank(` + rankWeights + `, f.doc, $1::tsquery, 1)`
		order = ` ORDER BY ` + rank + ` DESC, d.seq DESC`
		if q.Sort == design.SortRecent {
			order = ` ORDER BY d.updated_at DESC, d.seq DESC`
		}
	}
	if q.Sort == design.SortBuilt {
		order = ` ORDER BY (SELECT count(*) FROM reports r WHERE r.design_id = d.id) DESC, ` + strings.TrimPrefix(order, ` ORDER BY `)
	}
	fw, fargs := filters(q, len(args)+1)
	where, args = append(where, fw...), append(args, fargs...)
	if strings.TrimSpace(q.Keyword) != "" {
		kq, err := db.keywordQuery(ctx, q.Keyword)
		if err != nil {
			return nil, err
		}
		if kq == "" {
			return res, nil
		}
		args = append(args, kq)
		where = append(where, fmt.Sprintf(`d.seq IN (SELECT design_seq FROM design_docs WHERE doc @@ $%d::tsquery)`, len(args)))
	}
	if len(where) > 0 {
		from += ` WHERE ` + strings.Join(where, ` AND `)
	}
	// The page and the count in one pass over the matches: each is
	// ranked anyway, and a second query would find them all again.
	n := len(args)
	rows, err := db.q(ctx).Query(ctx, `SELECT `+summaryColumns+`, count(*) OVER ()`+from+order+fmt.Sprintf(` LIMIT $%d OFFSET $%d`, n+1, n+2), append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	total := 0
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (design.Summary, error) {
		return scanSummaryCounted(row, &total)
	})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 && q.Offset > 0 {
		// A page past the end has no rows to carry the count.
		if err := db.q(ctx).QueryRow(ctx, `SELECT count(*)`+from, args...).Scan(&total); err != nil {
			return nil, err
		}
	}
	res.Total = total
	if items != nil {
		res.Items = items
	}
	return res, nil
}

// tsQuery turns the query's words into a tsquery: each word (the last
// as a prefix) as written or as any of the configurations stems it,
// every word required. The stems come from the database, in one round
// trip; a word that is a stop word in some language still matches as
// written.
func (db *DB) tsQuery(ctx context.Context, text string) (string, error) {
	words := search.Tokens(text)
	if len(words) > 12 {
		words = words[:12]
	}
	return db.stemmed(ctx, words, true, "")
}

// stemmed writes words as a tsquery: each as written or as any of the
// configurations stems it (the last as a prefix with prefixLast), every
// word required; weight, when set, restricts each lexeme to that part of
// the document.
func (db *DB) stemmed(ctx context.Context, words []string, prefixLast bool, weight string) (string, error) {
	if len(words) == 0 {
		return "", nil
	}
	terms := quoted(words)
	if prefixLast {
		terms[len(terms)-1] += ":*"
	}
	cfgs := append([]string{"simple"}, sortedConfigs()...)
	rows, err := db.q(ctx).Query(ctx, `SELECT t.i, to_tsquery(c, unaccent(t.w))::text
		FROM unnest($1::text[]) WITH ORDINALITY AS t(w, i), unnest($2::regconfig[]) AS c`, terms, cfgs)
	if err != nil {
		return "", err
	}
	alts := make([][]string, len(words))
	for rows.Next() {
		var i int
		var q string
		if err := rows.Scan(&i, &q); err != nil {
			rows.Close()
			return "", err
		}
		if weight != "" {
			q = lexeme.ReplaceAllString(q, "$0:"+weight)
		}
		if q != "" && !slices.Contains(alts[i-1], q) {
			alts[i-1] = append(alts[i-1], q)
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	var parts []string
	for _, a := range alts {
		if len(a) > 0 {
			sort.Strings(a)
			parts = append(parts, "( "+strings.Join(a, " | ")+" )")
		}
	}
	return strings.Join(parts, " & "), nil
}

func sortedConfigs() []string {
	return slices.Compact(slices.Sorted(maps.Values(configs)))
}

// Forks lists the designs forked from a design, newest first.
func (db *DB) Forks(ctx context.Context, designID string) ([]design.Summary, error) {
	if !isUUID(designID) {
		return []design.Summary{}, nil
	}
	rows, err := db.q(ctx).Query(ctx, `SELECT `+summaryColumns+` FROM designs d WHERE d.forked_design = $1 ORDER BY d.seq DESC`, designID)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, scanSummary)
	if out == nil {
		out = []design.Summary{}
	}
	return out, err
}

// SearchIndexBytes is the size on disk of the search documents with their
// indexes (the benchmarks report it beside the in-memory index's).
func (db *DB) SearchIndexBytes(ctx context.Context) (int64, error) {
	var n int64
	err := db.pool.QueryRow(ctx, `SELECT pg_total_relation_size('design_docs')`).Scan(&n)
	return n, err
}
