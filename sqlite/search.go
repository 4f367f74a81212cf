package sqlite

import (
	"context"
	"strings"
	"unicode"

	"github.com/dgml/dgml/design"
)

// ftsQuery turns what a user typed into an FTS5 query: every word must
// appear (the last one as a prefix, so results follow typing), and no
// character of the input can form FTS5 syntax.
func ftsQuery(text string) string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
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

// Search finds designs: ranked by BM25 over name, function, keywords,
// parts and steps (in that order of weight) when there is text, newest
// first otherwise.
func (db *DB) Search(ctx context.Context, q design.Query) (*design.Results, error) {
	if q.Limit <= 0 {
		q.Limit = design.DefaultLimit
	}
	if q.Limit > design.MaxLimit {
		q.Limit = design.MaxLimit
	}
	if q.Offset < 0 {
		q.Offset = 0
	}
	res := &design.Results{Limit: q.Limit, Offset: q.Offset, Items: []design.Summary{}}
	from := `designs d`
	order := `d.updated_at DESC, d.seq DESC`
	var where []string
	var args []any
	if m := ftsQuery(q.Text); m != "" {
		from = `design_fts f JOIN designs d ON d.seq = f.rowid`
		where = append(where, `design_fts MATCH ?`)
		args = append(args, m)
		order = `bm25(design_fts, 10.0, 4.0, 6.0, 2.0, 1.0), d.seq DESC`
	} else if strings.TrimSpace(q.Text) != "" {
		return res, nil // only punctuation: nothing can match
	}
	for _, f := range []struct{ facet, value string }{
		{"license", q.License}, {"process", q.Process}, {"material", q.Material}, {"language", q.Language},
	} {
		if v := strings.ToLower(strings.TrimSpace(f.value)); v != "" {
			where = append(where, `d.seq IN (SELECT design_seq FROM design_facets WHERE facet = ? AND value = ?)`)
			args = append(args, f.facet, v)
		}
	}
	if q.MinOTRL > 0 {
		where = append(where, `d.otrl >= ?`)
		args = append(args, q.MinOTRL)
	}
	if q.MinODRL > 0 {
		where = append(where, `d.odrl >= ?`)
		args = append(args, q.MinODRL)
	}
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, ` AND `)
	}
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM `+from+cond, args...).Scan(&res.Total); err != nil {
		return nil, err
	}
	if res.Total == 0 || q.Offset >= res.Total {
		return res, nil
	}
	rows, err := db.db.QueryContext(ctx, `SELECT d.id, d.slug, d.name, d.function, d.license, d.version, d.otrl, d.odrl, d.languages, d.head, d.parts, d.updated_at
		FROM `+from+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s design.Summary
		var langs, updated string
		if err := rows.Scan(&s.ID, &s.Slug, &s.Name, &s.Function, &s.License, &s.Version, &s.OTRL, &s.ODRL, &langs, &s.Head, &s.Parts, &updated); err != nil {
			return nil, err
		}
		s.Languages = strings.Fields(langs)
		s.Updated = parseTime(updated)
		res.Items = append(res.Items, s)
	}
	return res, rows.Err()
}
