package design

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/dgml/dgml"
)

// Store keeps designs and their revisions: sqlite (the embedded default)
// and postgres (hubs).
type Store interface {
	// Commit stores a revision and makes it the head of a design, creating
	// the design when req.DesignID is empty. It is one transaction: the
	// design is there whole or not at all.
	Commit(ctx context.Context, req CommitRequest) (*Design, *Revision, error)
	// Design finds a design by id or slug.
	Design(ctx context.Context, ref string) (*Design, error)
	// DesignByHead finds a design whose head is the given revision.
	DesignByHead(ctx context.Context, revision string) (*Design, error)
	Revision(ctx context.Context, id string) (*Revision, error)
	// RevisionBytes is a revision's canonical JSON as stored (what its
	// id hashes), for serving it without decoding it.
	RevisionBytes(ctx context.Context, id string) ([]byte, error)
	History(ctx context.Context, designID string) ([]HistoryEntry, error)
	// Forks lists the designs forked from a design.
	Forks(ctx context.Context, designID string) ([]Summary, error)
	Search(ctx context.Context, q Query) (*Results, error)
	// File returns what the store knows of a stored file.
	File(ctx context.Context, sha256 string) (*FileInfo, error)
	// AddFile records a stored file that no revision names, such as a
	// report's photo.
	AddFile(ctx context.Context, f FileInfo) error
	// PutRevision keeps a revision no design here has as its history (one
	// proposed from another node), with the files it names; keeping one
	// that is here already changes nothing.
	PutRevision(ctx context.Context, rev *Revision, files []FileInfo) error
	Stats(ctx context.Context) (*Stats, error)
}

// Cache keeps results computed from stored files (analyses, estimates,
// thumbnails), so each is computed once per file hash.
type Cache interface {
	CacheGet(ctx context.Context, sha256, kind, key string) ([]byte, bool, error)
	CachePut(ctx context.Context, sha256, kind, key string, value []byte) error
}

// Blobs keeps file contents, addressed by their SHA-256.
type Blobs interface {
	// Put stores r and returns its hex SHA-256 and size. Storing the same
	// bytes twice is harmless.
	Put(r io.Reader) (sum string, size int64, err error)
	Open(sum string) (io.ReadSeekCloser, error)
	Has(sum string) bool
}

// UnsyncedBlobs is a Blobs that can write many files and flush them to
// disk at once (a folder of files; a database flushes with its commit).
type UnsyncedBlobs interface {
	PutUnsynced(r io.Reader) (sum string, size int64, err error)
	SyncAll() error
}

// CommitRequest is a revision to store.
type CommitRequest struct {
	DesignID   string // empty: create a new design
	Slug       string // wanted slug for a new design; made unique by the store
	ForkedFrom *Origin
	Content    Content
	Message    string
	Author     string // user@node
	Files      []FileInfo
	// Replica, when set, stores a revision of a design learned from the
	// node it lives at, under the design's own id there.
	Replica *Replica
}

// Replica is a design as its home node publishes it. Only commits with
// a Replica of the same home change a replicated design, and a local
// commit never does: people elsewhere fork it or propose to its home.
type Replica struct {
	ID       string // the design's id, the same on every node
	Home     string // the node that owns it
	Revision int    // the revision's number in the design's history there
	// Canonical, when set, is the content's canonical form as the
	// caller fetched it and checked it against the revision id (a
	// follower has the bytes already; encoding them again was a tenth
	// of keeping a replicated design).
	Canonical []byte
}

// Revision is the revision a commit stores, with its canonical form,
// encoded once.
func (r *CommitRequest) Revision() (*Revision, []byte) {
	var b []byte
	if r.Replica != nil && r.Replica.Canonical != nil {
		b = r.Replica.Canonical
	} else {
		b = r.Content.Canonical()
	}
	sum := sha256.Sum256(b)
	return &Revision{ID: hex.EncodeToString(sum[:]), Content: r.Content}, b
}

// FileInfo describes a stored file.
type FileInfo struct {
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	MediaType string `json:"media_type"`
	Name      string `json:"name"` // the name it was first stored under
}

// HistoryEntry is one revision in a design's line.
type HistoryEntry struct {
	Seq      int       `json:"seq"`
	Revision string    `json:"revision"`
	Message  string    `json:"message,omitempty"`
	Author   string    `json:"author,omitempty"`
	Created  time.Time `json:"created"`
}

// Query selects designs. Text is matched in full text; the rest filter.
type Query struct {
	Text     string `json:"q,omitempty"`
	License  string `json:"license,omitempty"`
	Process  string `json:"process,omitempty"`
	Material string `json:"material,omitempty"`
	Language string `json:"language,omitempty"`
	MinOTRL  int    `json:"otrl,omitempty"` // at least this OTRL
	MinODRL  int    `json:"odrl,omitempty"`
	HasFiles bool   `json:"files,omitempty"` // only designs with a part file to see and make
	// Keyword keeps designs whose keywords (their category words) hold
	// every word of it.
	Keyword string `json:"keyword,omitempty"`
	// Sort is "" (best match first; newest without text), "recent" (last
	// changed first) or "built" (most build reports first).
	Sort   string `json:"sort,omitempty"`
	Limit  int    `json:"limit,omitempty"`
	Offset int    `json:"offset,omitempty"`
}

// Orders of results besides the best match: by when designs last
// changed, and by how many build reports they have.
const (
	SortRecent = "recent"
	SortBuilt  = "built"
)

// RecentPool is how many best matches a text query sorted otherwise
// orders: beyond it, the weakest matches would crowd out the rest.
const RecentPool = 1000

// DefaultLimit and MaxLimit bound a page of results.
const (
	DefaultLimit = 20
	MaxLimit     = 200
)

// Results is one page of matches, best first.
type Results struct {
	Total  int       `json:"total"`
	Limit  int       `json:"limit"`
	Offset int       `json:"offset"`
	Items  []Summary `json:"items"`
}

// Summary is what a result list shows of a design.
type Summary struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	Function  string    `json:"function,omitempty"`
	License   string    `json:"license,omitempty"`
	Version   string    `json:"version,omitempty"`
	OTRL      int       `json:"otrl,omitempty"`
	ODRL      int       `json:"odrl,omitempty"`
	Languages []string  `json:"languages,omitempty"`
	Head      string    `json:"head"`
	Parts     int       `json:"parts"`
	Thumb     string    `json:"thumbnail_file,omitempty"` // sha256 of a part mesh to picture the design by
	Updated   time.Time `json:"updated"`
	Home      string    `json:"home,omitempty"` // the node it lives at; empty: this one
}

// Stats says what the commons holds.
type Stats struct {
	Designs   int   `json:"designs"`
	Revisions int   `json:"revisions"`
	Parts     int   `json:"parts"`
	Files     int   `json:"files"`
	FileBytes int64 `json:"file_bytes"`
}

// MayReplicate says whether a replica's revision may advance d: only
// from d's home, and only as the revision after the last one stored.
func MayReplicate(d *Design, r *Replica) error {
	if d.Home != r.Home {
		home := d.Home
		if home == "" {
			home = "this node"
		}
		return &dgml.Error{Kind: dgml.Forbidden, Field: "id", Msg: fmt.Sprintf("design %s lives at %s: node %s may not change it", d.Slug, home, r.Home)}
	}
	if r.Revision != d.Revisions+1 {
		return &dgml.Error{Kind: dgml.Conflict, Field: "revision", Msg: fmt.Sprintf("revision %d of %s arrived after revision %d", r.Revision, d.Slug, d.Revisions)}
	}
	return nil
}

// MayCommitHere says whether a revision made on this node may advance d:
// not when d lives on another node.
func MayCommitHere(d *Design) error {
	if d.Home != "" {
		return &dgml.Error{Kind: dgml.Forbidden, Msg: fmt.Sprintf("%s lives at node %s and changes only there: fork it, or propose your change to it", d.Slug, d.Home)}
	}
	return nil
}
