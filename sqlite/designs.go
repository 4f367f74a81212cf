package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"time"

	"github.com/google/uuid"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/internal/crashpoint"
)

var _ design.Store = (*DB)(nil)

// Commit stores a revision as the new head of a design, or as the first
// revision of a new one, in one transaction.
func (db *DB) Commit(ctx context.Context, req design.CommitRequest) (*design.Design, *design.Revision, error) {
	if err := req.Content.Validate(); err != nil {
		return nil, nil, err
	}
	var d *design.Design
	var rev *design.Revision
	err := db.Atomically(ctx, func(ctx context.Context) error {
		var err error
		d, rev, err = db.commit(ctx, db.q(ctx), req)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return d, rev, nil
}

func (db *DB) commit(ctx context.Context, tx conn, req design.CommitRequest) (*design.Design, *design.Revision, error) {
	now := db.now()
	rev, canonical := req.Revision()
	if _, err := tx.ExecContext(ctx, `INSERT INTO revisions (id, content, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		rev.ID, string(canonical), timeText(now)); err != nil {
		return nil, nil, err
	}
	crashpoint.Here("commit:revision")
	if err := insertFiles(ctx, tx, rev, req.Files); err != nil {
		return nil, nil, err
	}
	d, seq, err := place(ctx, tx, req, rev, now)
	if err != nil {
		return nil, nil, err
	}
	crashpoint.Here("commit:design")
	if _, err := tx.ExecContext(ctx, `INSERT INTO design_revisions (design_id, seq, revision_id, message, author, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		d.ID, d.Revisions, rev.ID, req.Message, req.Author, timeText(now)); err != nil {
		return nil, nil, err
	}
	if d.Revisions > 1 { // a new design was indexed as it was created
		if err := index(ctx, tx, seq, &rev.Content); err != nil {
			return nil, nil, err
		}
	}
	return d, rev, nil
}

func insertFiles(ctx context.Context, tx conn, rev *design.Revision, files []design.FileInfo) error {
	given := make(map[string]bool, len(files))
	for _, f := range files {
		if _, err := tx.ExecContext(ctx, `INSERT INTO files (sha256, size, media_type, name) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
			f.SHA256, f.Size, f.MediaType, f.Name); err != nil {
			return err
		}
		given[f.SHA256] = true
	}
	for _, f := range rev.Files() {
		n := 1
		if !given[f.SHA256] {
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM files WHERE sha256 = ?`, f.SHA256).Scan(&n); err != nil {
				return err
			}
		}
		if n == 0 {
			return &dgml.Error{Kind: dgml.Invalid, Field: f.Path, Msg: "refers to file " + f.SHA256 + ", which is not stored"}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO revision_files (revision_id, sha256) VALUES (?, ?) ON CONFLICT DO NOTHING`, rev.ID, f.SHA256); err != nil {
			return err
		}
	}
	return nil
}

func createDesign(ctx context.Context, tx conn, req design.CommitRequest, rev *design.Revision, now time.Time) (*design.Design, int64, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return nil, 0, err
	}
	home := ""
	if req.Replica != nil {
		id, err = uuid.Parse(req.Replica.ID)
		if err != nil {
			return nil, 0, &dgml.Error{Kind: dgml.Invalid, Field: "id", Msg: "a design id is a UUID"}
		}
		home = req.Replica.Home
	}
	base := req.Slug
	if base == "" {
		base = design.Slug(rev.Manifest.Name)
	}
	d := &design.Design{ID: id.String(), Slug: base, Name: rev.Manifest.Name, Head: rev.ID, ForkedFrom: req.ForkedFrom, Revisions: 1, Created: now, Updated: now, Home: home}
	var fd, fr any
	fn := ""
	if d.ForkedFrom != nil {
		fd, fr, fn = d.ForkedFrom.Design, d.ForkedFrom.Revision, d.ForkedFrom.Node
		if fn == "" && req.Replica == nil {
			// A fork here of a design that lives elsewhere names its
			// home: the lineage crosses nodes.
			tx.QueryRowContext(ctx, `SELECT home FROM designs WHERE id = ?`, fd).Scan(&fn)
			d.ForkedFrom.Node = fn
		}
	}
	// The summary columns go in with the row, and the wanted slug is
	// tried first: a follower creating thousands of designs spares a
	// look-up and an update for each.
	ix := design.Index(&rev.Content)
	insert := func() (seq int64, err error) {
		err = tx.QueryRowContext(ctx, `INSERT INTO designs (id, slug, name, head, forked_design, forked_revision, forked_node, home, created_at, updated_at, function, license, version, otrl, odrl, languages, parts, thumb) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
			d.ID, d.Slug, d.Name, d.Head, fd, fr, fn, home, timeText(now), timeText(now), ix.Function, ix.License, ix.Version, ix.OTRL, ix.ODRL, ix.Languages, ix.Parts, ix.Thumb).Scan(&seq)
		return seq, err
	}
	seq, err := insert()
	if isUnique(err) && strings.Contains(err.Error(), "designs.slug") {
		if d.Slug, err = freeSlug(ctx, tx, base); err != nil {
			return nil, 0, err
		}
		seq, err = insert()
	}
	if isUnique(err) && req.Replica != nil {
		return nil, 0, &dgml.Error{Kind: dgml.Conflict, Field: "id", Msg: "a design with this id is stored already"}
	}
	if err != nil {
		return nil, 0, err
	}
	st, ok := ctx.Value(txKey{}).(*txState)
	if !ok {
		return nil, 0, fmt.Errorf("sqlite: design %s created outside a transaction", d.ID)
	}
	st.search.add(seq, ix, true)
	return d, seq, nil
}

func advanceDesign(ctx context.Context, tx conn, id string, rev *design.Revision, now time.Time) (*design.Design, int64, error) {
	d, err := getDesign(ctx, tx, `d.id = ?`, id)
	if err != nil {
		return nil, 0, err
	}
	if d.Head == rev.ID {
		return nil, 0, &dgml.Error{Kind: dgml.Conflict, Msg: fmt.Sprintf("revision %.12s is already the head of %s: nothing changed", rev.ID, d.Slug)}
	}
	d.Head, d.Name, d.Updated = rev.ID, rev.Manifest.Name, now
	d.Revisions++
	var seq int64
	err = tx.QueryRowContext(ctx, `UPDATE designs SET head = ?, name = ?, updated_at = ? WHERE id = ? RETURNING seq`, d.Head, d.Name, timeText(now), d.ID).Scan(&seq)
	return d, seq, err
}

func freeSlug(ctx context.Context, tx conn, base string) (string, error) {
	slug := base
	for i := 2; ; i++ {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM designs WHERE slug = ?`, slug).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return slug, nil
		}
		slug = fmt.Sprintf("%s-%d", base, i)
	}
}

// index refreshes a design's summary columns from its new head revision
// and queues its filter facets and full-text row, replacing the old
// ones, for the end of the transaction. Writing the search rows of a whole transaction at once
// matters when a follower keeps a batch of hundreds of designs: FTS5
// flushes its pending terms at every statement, and one statement per
// design made that most of a sync's time.
func index(ctx context.Context, tx conn, seq int64, c *design.Content) error {
	ix := design.Index(c)
	if _, err := tx.ExecContext(ctx, `UPDATE designs SET function = ?, license = ?, version = ?, otrl = ?, odrl = ?, languages = ?, parts = ?, thumb = ? WHERE seq = ?`,
		ix.Function, ix.License, ix.Version, ix.OTRL, ix.ODRL, ix.Languages, ix.Parts, ix.Thumb, seq); err != nil {
		return err
	}
	st, ok := ctx.Value(txKey{}).(*txState)
	if !ok {
		// Every caller runs inside Atomically; without its state the
		// rows would have no transaction to end with.
		return fmt.Errorf("sqlite: design %d indexed outside a transaction", seq)
	}
	st.search.add(seq, ix, false)
	return nil
}

// searchRows are the search rows a transaction has still to write, in
// the order their designs were indexed; a design indexed twice keeps its
// last rows.
type searchRows struct {
	seqs  []int64
	rows  map[int64]design.Indexed
	stale map[int64]bool // designs whose old rows must go first
}

func (s *searchRows) add(seq int64, ix design.Indexed, fresh bool) {
	if s.rows == nil {
		s.rows, s.stale = map[int64]design.Indexed{}, map[int64]bool{}
	}
	if _, ok := s.rows[seq]; !ok {
		s.seqs = append(s.seqs, seq)
	}
	s.rows[seq] = ix
	if !fresh {
		s.stale[seq] = true
	}
}

// write stores the queued rows in a few multi-row statements.
func (s *searchRows) write(ctx context.Context, tx conn) error {
	if len(s.seqs) == 0 {
		return nil
	}
	var stale []int64
	for _, seq := range s.seqs {
		if s.stale[seq] {
			stale = append(stale, seq)
		}
	}
	for _, table := range []string{`design_facets WHERE design_seq`, `design_fts WHERE rowid`} {
		if err := inChunks(len(stale), 500, func(i, j int) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM `+table+` IN (?`+strings.Repeat(`, ?`, j-i-1)+`)`, int64Args(stale[i:j])...)
			return err
		}); err != nil {
			return err
		}
	}
	var facets []any
	fts := make([]any, 0, 6*len(s.seqs))
	for _, seq := range s.seqs {
		ix := s.rows[seq]
		for _, f := range ix.Facets {
			facets = append(facets, f[0], f[1], seq)
		}
		fts = append(fts, seq, ix.Text[0], ix.Text[1], ix.Text[2], ix.Text[3], ix.Text[4])
	}
	if err := inChunks(len(facets)/3, 300, func(i, j int) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO design_facets (facet, value, design_seq) VALUES (?, ?, ?)`+strings.Repeat(`, (?, ?, ?)`, j-i-1)+` ON CONFLICT DO NOTHING`, facets[3*i:3*j]...)
		return err
	}); err != nil {
		return err
	}
	if err := inChunks(len(s.seqs), 150, func(i, j int) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO design_fts (rowid, name, function, keywords, parts, steps) VALUES (?, ?, ?, ?, ?, ?)`+strings.Repeat(`, (?, ?, ?, ?, ?, ?)`, j-i-1), fts[6*i:6*j]...)
		return err
	}); err != nil {
		return err
	}
	err := inChunks(len(s.seqs), 500, func(i, j int) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO search_changes (design_seq) VALUES (?)`+strings.Repeat(`, (?)`, j-i-1), int64Args(s.seqs[i:j])...)
		return err
	})
	*s = searchRows{}
	return err
}

// inChunks calls fn on [i, j) ranges of at most size covering [0, n).
func inChunks(n, size int, fn func(i, j int) error) error {
	for i := 0; i < n; i += size {
		if err := fn(i, min(n, i+size)); err != nil {
			return err
		}
	}
	return nil
}

func int64Args(v []int64) []any {
	args := make([]any, len(v))
	for i, x := range v {
		args[i] = x
	}
	return args
}

const designColumns = `d.id, d.slug, d.name, d.head, coalesce(d.forked_design, ''), coalesce(d.forked_revision, ''), d.forked_node, d.home, d.created_at, d.updated_at,
	(SELECT count(*) FROM design_revisions r WHERE r.design_id = d.id)`

func getDesign(ctx context.Context, q conn, where string, arg any) (*design.Design, error) {
	var d design.Design
	var fd, fr, fn, created, updated string
	err := q.QueryRowContext(ctx, `SELECT `+designColumns+` FROM designs d WHERE `+where, arg).
		Scan(&d.ID, &d.Slug, &d.Name, &d.Head, &fd, &fr, &fn, &d.Home, &created, &updated, &d.Revisions)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("design", fmt.Sprint(arg))
	}
	if err != nil {
		return nil, err
	}
	if fd != "" {
		d.ForkedFrom = &design.Origin{Design: fd, Revision: fr, Node: fn}
	}
	d.Created, d.Updated = parseTime(created), parseTime(updated)
	return &d, nil
}

// Design finds a design by id or slug.
func (db *DB) Design(ctx context.Context, ref string) (*design.Design, error) {
	if _, err := uuid.Parse(ref); err == nil {
		return getDesign(ctx, db.q(ctx), `d.id = ?`, ref)
	}
	return getDesign(ctx, db.q(ctx), `d.slug = ?`, ref)
}

// DesignByHead finds the oldest design whose head is the revision.
func (db *DB) DesignByHead(ctx context.Context, revision string) (*design.Design, error) {
	return getDesign(ctx, db.q(ctx), `d.head = ? ORDER BY d.seq LIMIT 1`, revision)
}

// Revision reads a revision by id.
func (db *DB) Revision(ctx context.Context, id string) (*design.Revision, error) {
	var content string
	err := db.q(ctx).QueryRowContext(ctx, `SELECT content FROM revisions WHERE id = ?`, id).Scan(&content)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("revision", id)
	}
	if err != nil {
		return nil, err
	}
	rev := &design.Revision{ID: id}
	if err := json.Unmarshal([]byte(content), &rev.Content); err != nil {
		return nil, fmt.Errorf("revision %s: stored content unreadable: %w", id, err)
	}
	return rev, nil
}

// RevisionBytes reads a revision's canonical bytes as stored.
func (db *DB) RevisionBytes(ctx context.Context, id string) ([]byte, error) {
	var content []byte
	err := db.q(ctx).QueryRowContext(ctx, `SELECT content FROM revisions WHERE id = ?`, id).Scan(&content)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("revision", id)
	}
	return content, err
}

// History lists a design's revisions, newest first.
func (db *DB) History(ctx context.Context, designID string) ([]design.HistoryEntry, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT seq, revision_id, message, author, created_at FROM design_revisions WHERE design_id = ? ORDER BY seq DESC`, designID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []design.HistoryEntry
	for rows.Next() {
		var h design.HistoryEntry
		var created string
		if err := rows.Scan(&h.Seq, &h.Revision, &h.Message, &h.Author, &created); err != nil {
			return nil, err
		}
		h.Created = parseTime(created)
		out = append(out, h)
	}
	return out, rows.Err()
}

// File reads what is known of a stored file.
func (db *DB) File(ctx context.Context, sum string) (*design.FileInfo, error) {
	var f design.FileInfo
	err := db.q(ctx).QueryRowContext(ctx, `SELECT sha256, size, media_type, name FROM files WHERE sha256 = ?`, sum).Scan(&f.SHA256, &f.Size, &f.MediaType, &f.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("file", sum)
	}
	return &f, err
}

// FileSums calls fn for every file the store refers to.
func (db *DB) FileSums(ctx context.Context, fn func(sum string)) error {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT sha256 FROM files`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		fn(s)
	}
	return rows.Err()
}

// Stats counts what the store holds.
func (db *DB) Stats(ctx context.Context) (*design.Stats, error) {
	var s design.Stats
	err := db.q(ctx).QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM designs), (SELECT count(*) FROM revisions),
		(SELECT coalesce(sum(parts), 0) FROM designs),
		(SELECT count(*) FROM files), (SELECT coalesce(sum(size), 0) FROM files)`).
		Scan(&s.Designs, &s.Revisions, &s.Parts, &s.Files, &s.FileBytes)
	return &s, err
}

// place creates or advances the design a commit names. A design's home
// is the only node that changes it: a replica advances only by the next
// revision its home published, and a commit made here never advances a
// design that lives elsewhere.
func place(ctx context.Context, tx conn, req design.CommitRequest, rev *design.Revision, now time.Time) (*design.Design, int64, error) {
	switch {
	case req.Replica != nil && req.Replica.Revision == 1:
		// Most replicated designs arrive new: tried as such, and looked up
		// only when the id is taken, to say why it may not be.
		d, seq, err := createDesign(ctx, tx, req, rev, now)
		if dgml.KindOf(err) != dgml.Conflict {
			return d, seq, err
		}
		old, gerr := getDesign(ctx, tx, `d.id = ?`, req.Replica.ID)
		if gerr != nil {
			return nil, 0, gerr
		}
		if rerr := design.MayReplicate(old, req.Replica); rerr != nil {
			return nil, 0, rerr
		}
		return nil, 0, err
	case req.Replica != nil:
		d, err := getDesign(ctx, tx, `d.id = ?`, req.Replica.ID)
		if dgml.KindOf(err) == dgml.NotFound {
			if req.Replica.Revision != 1 {
				return nil, 0, &dgml.Error{Kind: dgml.Conflict, Field: "revision", Msg: fmt.Sprintf("revision %d of a design not seen before: the revisions before it are missing", req.Replica.Revision)}
			}
			return createDesign(ctx, tx, req, rev, now)
		}
		if err != nil {
			return nil, 0, err
		}
		if err := design.MayReplicate(d, req.Replica); err != nil {
			return nil, 0, err
		}
		return advanceDesign(ctx, tx, d.ID, rev, now)
	case req.DesignID == "":
		return createDesign(ctx, tx, req, rev, now)
	default:
		d, err := getDesign(ctx, tx, `d.id = ?`, req.DesignID)
		if err != nil {
			return nil, 0, err
		}
		if err := design.MayCommitHere(d); err != nil {
			return nil, 0, err
		}
		return advanceDesign(ctx, tx, d.ID, rev, now)
	}
}

// PutRevision keeps a revision outside any design's history.
func (db *DB) PutRevision(ctx context.Context, rev *design.Revision, files []design.FileInfo) error {
	if err := rev.Content.Validate(); err != nil {
		return err
	}
	if rev.Content.RevisionID() != rev.ID {
		return &dgml.Error{Kind: dgml.Invalid, Field: "revision", Msg: "the content does not make this revision's id"}
	}
	return db.Atomically(ctx, func(ctx context.Context) error {
		tx := db.q(ctx)
		if _, err := tx.ExecContext(ctx, `INSERT INTO revisions (id, content, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			rev.ID, string(rev.Canonical()), timeText(db.now())); err != nil {
			return err
		}
		return insertFiles(ctx, tx, rev, files)
	})
}
