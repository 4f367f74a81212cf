package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/internal/crashpoint"
)

var (
	_ design.Store = (*DB)(nil)
	_ design.Cache = (*DB)(nil)
	_ dgml.Atomic  = (*DB)(nil)
)

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
	if _, err := tx.Exec(ctx, `INSERT INTO revisions (id, content, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
		rev.ID, canonical, now); err != nil {
		return nil, nil, err
	}
	crashpoint.Here("commit:revision")
	if err := insertFiles(ctx, tx, rev, req.Files); err != nil {
		return nil, nil, err
	}
	d, err := place(ctx, tx, req, rev, now)
	if err != nil {
		return nil, nil, err
	}
	crashpoint.Here("commit:design")
	if _, err := tx.Exec(ctx, `INSERT INTO design_revisions (design_id, seq, revision_id, message, author, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		d.ID, d.Revisions, rev.ID, req.Message, req.Author, now); err != nil {
		return nil, nil, err
	}
	if err := index(ctx, tx, d.ID, &rev.Content); err != nil {
		return nil, nil, err
	}
	return d, rev, nil
}

func insertFiles(ctx context.Context, tx conn, rev *design.Revision, files []design.FileInfo) error {
	for _, f := range files {
		if _, err := tx.Exec(ctx, `INSERT INTO files (sha256, size, media_type, name) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING`,
			f.SHA256, f.Size, f.MediaType, f.Name); err != nil {
			return err
		}
	}
	for _, f := range rev.Files() {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM files WHERE sha256 = $1`, f.SHA256).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return &dgml.Error{Kind: dgml.Invalid, Field: f.Path, Msg: "refers to file " + f.SHA256 + ", which is not stored"}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO revision_files (revision_id, sha256) VALUES ($1, $2) ON CONFLICT DO NOTHING`, rev.ID, f.SHA256); err != nil {
			return err
		}
	}
	return nil
}

func createDesign(ctx context.Context, tx conn, req design.CommitRequest, rev *design.Revision, now time.Time) (*design.Design, error) {
	base := req.Slug
	if base == "" {
		base = design.Slug(rev.Manifest.Name)
	}
	slug, err := freeSlug(ctx, tx, base)
	if err != nil {
		return nil, err
	}
	id, home := newID(), ""
	if req.Replica != nil {
		if !isUUID(req.Replica.ID) {
			return nil, &dgml.Error{Kind: dgml.Invalid, Field: "id", Msg: "a design id is a UUID"}
		}
		id, home = req.Replica.ID, req.Replica.Home
	}
	d := &design.Design{ID: id, Slug: slug, Name: rev.Manifest.Name, Head: rev.ID, ForkedFrom: req.ForkedFrom, Revisions: 1, Created: now, Updated: now, Home: home}
	var fd, fr any
	fn := ""
	if d.ForkedFrom != nil {
		fr, fn = d.ForkedFrom.Revision, d.ForkedFrom.Node
		if isUUID(d.ForkedFrom.Design) {
			fd = d.ForkedFrom.Design
			if fn == "" && req.Replica == nil {
				// A fork here of a design that lives elsewhere names its
				// home: the lineage crosses nodes.
				tx.QueryRow(ctx, `SELECT home FROM designs WHERE id = $1`, fd).Scan(&fn)
				d.ForkedFrom.Node = fn
			}
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO designs (id, slug, name, head, forked_design, forked_revision, forked_node, home, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		d.ID, d.Slug, d.Name, d.Head, fd, fr, fn, home, now, now)
	if isUnique(err) && req.Replica != nil {
		return nil, &dgml.Error{Kind: dgml.Conflict, Field: "id", Msg: "a design with this id is stored already"}
	}
	return d, err
}

func advanceDesign(ctx context.Context, tx conn, id string, rev *design.Revision, now time.Time) (*design.Design, error) {
	if !isUUID(id) {
		return nil, notFound("design", id)
	}
	d, err := getDesign(ctx, tx, `d.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if d.Head == rev.ID {
		return nil, &dgml.Error{Kind: dgml.Conflict, Msg: fmt.Sprintf("revision %.12s is already the head of %s: nothing changed", rev.ID, d.Slug)}
	}
	d.Head, d.Name, d.Updated = rev.ID, rev.Manifest.Name, now
	d.Revisions++
	_, err = tx.Exec(ctx, `UPDATE designs SET head = $1, name = $2, updated_at = $3 WHERE id = $4`, d.Head, d.Name, now, d.ID)
	return d, err
}

func freeSlug(ctx context.Context, tx conn, base string) (string, error) {
	slug := base
	for i := 2; ; i++ {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM designs WHERE slug = $1`, slug).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return slug, nil
		}
		slug = fmt.Sprintf("%s-%d", base, i)
	}
}

// index refreshes a design's card columns, filter facets and full-text
// row from its head revision.
func index(ctx context.Context, tx conn, id string, c *design.Content) error {
	var seq int64
	if err := tx.QueryRow(ctx, `SELECT seq FROM designs WHERE id = $1`, id).Scan(&seq); err != nil {
		return err
	}
	ix := design.Index(c)
	if _, err := tx.Exec(ctx, `UPDATE designs SET function = $1, license = $2, version = $3, otrl = $4, odrl = $5, languages = $6, parts = $7, thumb = $8 WHERE seq = $9`,
		ix.Function, ix.License, ix.Version, ix.OTRL, ix.ODRL, ix.Languages, ix.Parts, ix.Thumb, seq); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM design_facets WHERE design_seq = $1`, seq); err != nil {
		return err
	}
	for _, f := range ix.Facets {
		if _, err := tx.Exec(ctx, `INSERT INTO design_facets (facet, value, design_seq) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, f[0], f[1], seq); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, indexTextSQL, seq, ix.Text[0], ix.Text[1], ix.Text[2], ix.Text[3], ix.Text[4], textConfig(c.Manifest.Languages)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO search_changes (design_seq) VALUES ($1)`, seq)
	return err
}

// indexTextSQL stores a design's searchable text and its weighted
// search document: $1 the design's seq, $2..$6 its text by field, $7 the
// configuration of its language. The document holds the words as
// written and as stemmed in that language.
var indexTextSQL = `WITH t AS (
		INSERT INTO design_fts (design_seq, name, function, keywords, parts, steps, config)
		VALUES ($1, $2, $3, $4, $5, $6, $7::regconfig)
		ON CONFLICT (design_seq) DO UPDATE SET name = excluded.name, function = excluded.function, keywords = excluded.keywords,
			parts = excluded.parts, steps = excluded.steps, config = excluded.config
		RETURNING design_seq)
	INSERT INTO design_docs (design_seq, doc) SELECT design_seq, ` + document("'simple'") + ` || ` + document("$7::regconfig") + ` FROM t
	ON CONFLICT (design_seq) DO UPDATE SET doc = excluded.doc`

// QueueIndexText queues the storing of a design's searchable text (dgml
// migrate fills the search table this way).
func QueueIndexText(b *pgx.Batch, seq int64, text [5]string, languages []string) {
	b.Queue(indexTextSQL, seq, text[0], text[1], text[2], text[3], text[4], textConfig(languages))
}

// Pool is the store's connection pool, for tools that move whole tables
// (dgml migrate).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

const designColumns = `d.id::text, d.slug, d.name, d.head, coalesce(d.forked_design::text, ''), coalesce(d.forked_revision, ''), d.forked_node, d.home, d.created_at, d.updated_at,
	(SELECT count(*) FROM design_revisions r WHERE r.design_id = d.id)`

func getDesign(ctx context.Context, q conn, where string, arg any) (*design.Design, error) {
	var d design.Design
	var fd, fr, fn string
	err := q.QueryRow(ctx, `SELECT `+designColumns+` FROM designs d WHERE `+where, arg).
		Scan(&d.ID, &d.Slug, &d.Name, &d.Head, &fd, &fr, &fn, &d.Home, &d.Created, &d.Updated, &d.Revisions)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("design", fmt.Sprint(arg))
	}
	if err != nil {
		return nil, err
	}
	if fd != "" || fr != "" {
		d.ForkedFrom = &design.Origin{Design: fd, Revision: fr, Node: fn}
	}
	d.Created, d.Updated = d.Created.UTC(), d.Updated.UTC()
	return &d, nil
}

// Design finds a design by id or slug.
func (db *DB) Design(ctx context.Context, ref string) (*design.Design, error) {
	if isUUID(ref) {
		return getDesign(ctx, db.q(ctx), `d.id = $1`, ref)
	}
	return getDesign(ctx, db.q(ctx), `d.slug = $1`, ref)
}

// DesignByHead finds the oldest design whose head is the revision.
func (db *DB) DesignByHead(ctx context.Context, revision string) (*design.Design, error) {
	return getDesign(ctx, db.q(ctx), `d.head = $1 ORDER BY d.seq LIMIT 1`, revision)
}

// Revision reads a revision by id.
func (db *DB) Revision(ctx context.Context, id string) (*design.Revision, error) {
	var content []byte
	err := db.q(ctx).QueryRow(ctx, `SELECT content FROM revisions WHERE id = $1`, id).Scan(&content)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("revision", id)
	}
	if err != nil {
		return nil, err
	}
	rev := &design.Revision{ID: id}
	if err := json.Unmarshal(content, &rev.Content); err != nil {
		return nil, fmt.Errorf("revision %s: stored content unreadable: %w", id, err)
	}
	return rev, nil
}

// RevisionBytes reads a revision's canonical bytes as stored.
func (db *DB) RevisionBytes(ctx context.Context, id string) ([]byte, error) {
	var content []byte
	err := db.q(ctx).QueryRow(ctx, `SELECT content FROM revisions WHERE id = $1`, id).Scan(&content)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("revision", id)
	}
	return content, err
}

// History lists a design's revisions, newest first.
func (db *DB) History(ctx context.Context, designID string) ([]design.HistoryEntry, error) {
	if !isUUID(designID) {
		return nil, nil
	}
	rows, err := db.q(ctx).Query(ctx, `SELECT seq, revision_id, message, author, created_at FROM design_revisions WHERE design_id = $1 ORDER BY seq DESC`, designID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (design.HistoryEntry, error) {
		var h design.HistoryEntry
		err := row.Scan(&h.Seq, &h.Revision, &h.Message, &h.Author, &h.Created)
		h.Created = h.Created.UTC()
		return h, err
	})
}

// File reads what is known of a stored file.
func (db *DB) File(ctx context.Context, sum string) (*design.FileInfo, error) {
	var f design.FileInfo
	err := db.q(ctx).QueryRow(ctx, `SELECT sha256, size, media_type, name FROM files WHERE sha256 = $1`, sum).Scan(&f.SHA256, &f.Size, &f.MediaType, &f.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("file", sum)
	}
	return &f, err
}

// AddFile records a stored file that no revision names.
func (db *DB) AddFile(ctx context.Context, f design.FileInfo) error {
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO files (sha256, size, media_type, name) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING`, f.SHA256, f.Size, f.MediaType, f.Name)
	return err
}

// FileSums calls fn for every file the store refers to.
func (db *DB) FileSums(ctx context.Context, fn func(sum string)) error {
	sums, err := strs(ctx, db, `SELECT sha256 FROM files`)
	for _, s := range sums {
		fn(s)
	}
	return err
}

// Stats counts what the store holds.
func (db *DB) Stats(ctx context.Context) (*design.Stats, error) {
	var s design.Stats
	err := db.q(ctx).QueryRow(ctx, `SELECT
		(SELECT count(*) FROM designs), (SELECT count(*) FROM revisions),
		(SELECT coalesce(sum(parts), 0) FROM designs),
		(SELECT count(*) FROM files), (SELECT coalesce(sum(size), 0) FROM files)`).
		Scan(&s.Designs, &s.Revisions, &s.Parts, &s.Files, &s.FileBytes)
	return &s, err
}

// CacheGet reads a result computed from a file.
func (db *DB) CacheGet(ctx context.Context, sum, kind, key string) ([]byte, bool, error) {
	var v []byte
	err := db.q(ctx).QueryRow(ctx, `SELECT value FROM file_cache WHERE sha256 = $1 AND kind = $2 AND key = $3`, sum, kind, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	return v, err == nil, err
}

// CachePut stores a result computed from a file; a concurrent put of the
// same result is harmless.
func (db *DB) CachePut(ctx context.Context, sum, kind, key string, value []byte) error {
	_, err := db.q(ctx).Exec(ctx, `INSERT INTO file_cache (sha256, kind, key, value, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
		sum, kind, key, value, db.now())
	return err
}

// place creates or advances the design a commit names. A design's home
// is the only node that changes it: a replica advances only by the next
// revision its home published, and a commit made here never advances a
// design that lives elsewhere.
func place(ctx context.Context, tx conn, req design.CommitRequest, rev *design.Revision, now time.Time) (*design.Design, error) {
	switch {
	case req.Replica != nil:
		if !isUUID(req.Replica.ID) {
			return nil, &dgml.Error{Kind: dgml.Invalid, Field: "id", Msg: "a design id is a UUID"}
		}
		d, err := getDesign(ctx, tx, `d.id = $1`, req.Replica.ID)
		if dgml.KindOf(err) == dgml.NotFound {
			if req.Replica.Revision != 1 {
				return nil, &dgml.Error{Kind: dgml.Conflict, Field: "revision", Msg: fmt.Sprintf("revision %d of a design not seen before: the revisions before it are missing", req.Replica.Revision)}
			}
			return createDesign(ctx, tx, req, rev, now)
		}
		if err != nil {
			return nil, err
		}
		if err := design.MayReplicate(d, req.Replica); err != nil {
			return nil, err
		}
		return advanceDesign(ctx, tx, d.ID, rev, now)
	case req.DesignID == "":
		return createDesign(ctx, tx, req, rev, now)
	default:
		if !isUUID(req.DesignID) {
			return nil, notFound("design", req.DesignID)
		}
		d, err := getDesign(ctx, tx, `d.id = $1`, req.DesignID)
		if err != nil {
			return nil, err
		}
		if err := design.MayCommitHere(d); err != nil {
			return nil, err
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
		if _, err := tx.Exec(ctx, `INSERT INTO revisions (id, content, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
			rev.ID, rev.Canonical(), db.now()); err != nil {
			return err
		}
		return insertFiles(ctx, tx, rev, files)
	})
}
