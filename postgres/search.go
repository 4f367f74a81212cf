package postgres

import (
	"context"
	"fmt"
	"maps"
	"slices"
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

// tsQuery turns what a user typed into a tsquery with the in-memory
// index's meaning: every word, the last also as the start of a longer
// one. Words are the index's own tokens (letters and digits), so nothing
// typed can form tsquery syntax.
func tsQuery(text string) string {
	words := search.Tokens(text)
	if len(words) > 12 {
		words = words[:12]
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteString("'" + strings.ReplaceAll(w, "'", "") + "'")
		if i == len(words)-1 {
			b.WriteString(":*")
		}
	}
	return b.String()
}

const summaryColumns = `d.id::text, d.slug, d.name, d.function, d.license, d.version, d.otrl, d.odrl, d.languages, d.head, d.parts, d.thumb, d.updated_at`

func scanSummary(row pgx.CollectableRow) (design.Summary, error) {
	var s design.Summary
	var langs string
	err := row.Scan(&s.ID, &s.Slug, &s.Name, &s.Function, &s.License, &s.Version, &s.OTRL, &s.ODRL, &langs, &s.Head, &s.Parts, &s.Thumb, &s.Updated)
	s.Languages = strings.Fields(langs)
	s.Updated = s.Updated.UTC()
	return s, err
}

// filters writes the query's filters as conditions on designs d, with
// their arguments numbered from n.
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
	return where, args
}

// Search finds designs: with text, those whose document holds every
// word (the last as a prefix) as written or, in the design's own
// language, as stemmed, ranked by weighted ts_rank; without text, newest
// first. Filters as the SQLite store's.
func (db *DB) Search(ctx context.Context, q design.Query) (*design.Results, error) {
	q = q.Clamp()
	res := &design.Results{Limit: q.Limit, Offset: q.Offset, Items: []design.Summary{}}
	text := strings.TrimSpace(q.Text) != ""
	tq := tsQuery(q.Text)
	if text && tq == "" {
		return res, nil // only punctuation: nothing can match
	}
	var where []string
	var args []any
	from, order := ` FROM designs d`, ` ORDER BY d.updated_at DESC, d.seq DESC`
	if text {
		// Every language configuration is tried against the documents in
		// that language, so that "printers" finds "printer" in English
		// designs while words of other languages match as written.
		args = append(args, tq)
		match := []string{`f.doc_simple @@ to_tsquery('simple', unaccent($1))`}
		for _, c := range sortedConfigs() {
			match = append(match, fmt.Sprintf(`(f.config = '%[1]s'::regconfig AND f.doc_lang @@ to_tsquery('%[1]s', unaccent($1)))`, c))
		}
		from = ` FROM designs d JOIN design_fts f ON f.design_seq = d.seq`
		where = append(where, `(`+strings.Join(match, ` OR `)+`)`)
		// Normalisation 1 divides by 1 + the log of the document's length:
		// of two designs that name the word once, the shorter says more,
		// as BM25 has it for the SQLite store.
		order = ` ORDER BY greatest(ts_rank(` + rankWeights + `, f.doc_simple, to_tsquery('simple', unaccent($1)), 1), ts_rank(` + rankWeights + `, f.doc_lang, to_tsquery(f.config, unaccent($1)), 1)) DESC, d.seq DESC`
	}
	fw, fargs := filters(q, len(args)+1)
	where, args = append(where, fw...), append(args, fargs...)
	if len(where) > 0 {
		from += ` WHERE ` + strings.Join(where, ` AND `)
	}
	if err := db.q(ctx).QueryRow(ctx, `SELECT count(*)`+from, args...).Scan(&res.Total); err != nil {
		return nil, err
	}
	n := len(args)
	rows, err := db.q(ctx).Query(ctx, `SELECT `+summaryColumns+from+order+fmt.Sprintf(` LIMIT $%d OFFSET $%d`, n+1, n+2), append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	items, err := pgx.CollectRows(rows, scanSummary)
	if err != nil {
		return nil, err
	}
	if items != nil {
		res.Items = items
	}
	return res, nil
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
