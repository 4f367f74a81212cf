package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
)

// ChunkSize is the size of the pieces a file is kept in.
const ChunkSize = 1 << 20

// Blobs keeps files in the database, for hubs whose processes share no
// folder: every process reads what any stored. Files are addressed by
// their SHA-256 as on disk; each chunk carries its own SHA-256, checked
// on every read, and a file read from start to end is checked whole.
type Blobs struct {
	db      *DB
	TempDir string // where a file waits while it is hashed ("" the system's)
	MaxSize int64  // 0: no limit
}

var _ design.Blobs = (*Blobs)(nil)

// Blobs is the store's file keeper.
func (db *DB) Blobs() *Blobs { return &Blobs{db: db} }

func validSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && s == string(bytes.ToLower([]byte(s)))
}

// Put stores r's bytes: first into a temporary file, to learn their
// SHA-256, then in one transaction as chunks. The same bytes twice are
// stored once.
func (b *Blobs) Put(r io.Reader) (string, int64, error) {
	tmp, err := os.CreateTemp(b.TempDir, "dgml-blob-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	src := r
	if b.MaxSize > 0 {
		src = io.LimitReader(r, b.MaxSize+1)
	}
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	if err != nil {
		return "", 0, err
	}
	if b.MaxSize > 0 && n > b.MaxSize {
		return "", 0, &dgml.Error{Kind: dgml.TooLarge, Msg: fmt.Sprintf("file larger than %d bytes", b.MaxSize)}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if b.Has(sum) {
		return sum, n, nil
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return "", 0, err
	}
	ctx := context.Background()
	err = b.db.Atomically(ctx, func(ctx context.Context) error {
		q := b.db.q(ctx)
		tag, err := q.Exec(ctx, `INSERT INTO blobs (sha256, size, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, sum, n, b.db.now())
		if err != nil || tag.RowsAffected() == 0 {
			return err // stored meanwhile by another process
		}
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return err
		}
		buf := make([]byte, ChunkSize)
		for seq := 0; ; seq++ {
			k, err := io.ReadFull(tmp, buf)
			if k > 0 {
				cs := sha256.Sum256(buf[:k])
				if _, err := q.Exec(ctx, `INSERT INTO blob_chunks (sha256, seq, chunk_sha256, data) VALUES ($1, $2, $3, $4)`, sum, seq, hex.EncodeToString(cs[:]), buf[:k]); err != nil {
					return err
				}
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	})
	return sum, n, err
}

// Has reports whether a file is stored.
func (b *Blobs) Has(sum string) bool {
	if !validSum(sum) {
		return false
	}
	var n int
	b.db.pool.QueryRow(context.Background(), `SELECT count(*) FROM blobs WHERE sha256 = $1`, sum).Scan(&n)
	return n > 0
}

// Open opens a file for reading; it fetches chunks as they are read.
func (b *Blobs) Open(sum string) (io.ReadSeekCloser, error) {
	if !validSum(sum) {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "sha256", Msg: "not a hex SHA-256"}
	}
	var size int64
	err := b.db.pool.QueryRow(context.Background(), `SELECT size FROM blobs WHERE sha256 = $1`, sum).Scan(&size)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &dgml.Error{Kind: dgml.NotFound, Msg: "no file " + sum}
	}
	if err != nil {
		return nil, err
	}
	return &blobReader{b: b, sum: sum, size: size, whole: sha256.New(), chunk: -1}, nil
}

// blobReader reads a stored file chunk by chunk.
type blobReader struct {
	b     *Blobs
	sum   string
	size  int64
	off   int64
	chunk int // index of the chunk in data; -1 none
	data  []byte
	// whole hashes what is read in order from the start, to check the
	// file's own SHA-256 at its end; a seek elsewhere stops it.
	whole  hash.Hash
	hashed int64
}

func (r *blobReader) load(i int) error {
	var want string
	err := r.b.db.pool.QueryRow(context.Background(), `SELECT chunk_sha256, data FROM blob_chunks WHERE sha256 = $1 AND seq = $2`, r.sum, i).Scan(&want, &r.data)
	if err != nil {
		return fmt.Errorf("file %s, chunk %d: %w", r.sum, i, err)
	}
	if got := sha256.Sum256(r.data); hex.EncodeToString(got[:]) != want {
		return &dgml.Error{Kind: dgml.Internal, Msg: fmt.Sprintf("file %s: chunk %d does not match its SHA-256: the stored file is damaged", r.sum, i)}
	}
	r.chunk = i
	return nil
}

func (r *blobReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		if r.hashed == r.size && r.size > 0 && hex.EncodeToString(r.whole.Sum(nil)) != r.sum {
			return 0, &dgml.Error{Kind: dgml.Internal, Msg: "file " + r.sum + " does not match its SHA-256: the stored file is damaged"}
		}
		return 0, io.EOF
	}
	i := int(r.off / ChunkSize)
	if i != r.chunk {
		if err := r.load(i); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.data[r.off-int64(i)*ChunkSize:])
	if r.hashed == r.off {
		r.whole.Write(p[:n])
		r.hashed += int64(n)
	}
	r.off += int64(n)
	return n, nil
}

func (r *blobReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.size
	}
	if offset < 0 {
		return 0, errors.New("seek before the start")
	}
	r.off = offset
	return offset, nil
}

// ReadAt reads at an offset (3MF files are zip archives, read at random).
func (r *blobReader) ReadAt(p []byte, off int64) (int, error) {
	save := r.off
	defer func() { r.off = save }()
	r.off = off
	n := 0
	for n < len(p) {
		k, err := r.Read(p[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (r *blobReader) Close() error { return nil }

// Sweep removes files for which keep returns false.
func (b *Blobs) Sweep(keep func(sum string) bool) (int, error) {
	sums, err := strs(context.Background(), b.db, `SELECT sha256 FROM blobs`)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, s := range sums {
		if !keep(s) {
			tag, err := b.db.pool.Exec(context.Background(), `DELETE FROM blobs WHERE sha256 = $1`, s)
			if err != nil {
				return removed, err
			}
			removed += int(tag.RowsAffected())
		}
	}
	return removed, nil
}

// ModTime says when a file was stored (zero when it is missing).
func (b *Blobs) ModTime(sum string) time.Time {
	var t time.Time
	b.db.pool.QueryRow(context.Background(), `SELECT created_at FROM blobs WHERE sha256 = $1`, sum).Scan(&t)
	return t
}
