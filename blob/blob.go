// Package blob keeps file contents on disk, addressed by their SHA-256:
// the same bytes are stored once, and a name says what it holds on every
// node.
package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/dgml/dgml"
)

// Store is a folder of blobs: <dir>/<first two hex digits>/<sum>.
type Store struct {
	dir     string
	MaxSize int64 // 0: no limit
}

// Open makes the folder when it is missing.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return nil, err
	}
	return &Store{dir: dir}, nil
}

var sumRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidSum reports whether s is a hex SHA-256, the only names Open takes.
func ValidSum(s string) bool { return sumRe.MatchString(s) }

func (s *Store) path(sum string) string {
	return filepath.Join(s.dir, sum[:2], sum)
}

// Put stores r's bytes. The file appears under its name only once it is
// complete and synced, so a crash leaves no half-written blob.
func (s *Store) Put(r io.Reader) (string, int64, error) {
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "put-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	src := r
	if s.MaxSize > 0 {
		src = io.LimitReader(r, s.MaxSize+1)
	}
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	if err == nil && s.MaxSize > 0 && n > s.MaxSize {
		err = &dgml.Error{Kind: dgml.TooLarge, Msg: fmt.Sprintf("file larger than %d bytes", s.MaxSize)}
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dst := s.path(sum)
	if _, err := os.Stat(dst); err == nil {
		return sum, n, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, err
	}
	return sum, n, syncDir(filepath.Dir(dst))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Open opens a blob for reading.
func (s *Store) Open(sum string) (io.ReadSeekCloser, error) {
	if !ValidSum(sum) {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "sha256", Msg: "not a hex SHA-256"}
	}
	f, err := os.Open(s.path(sum))
	if os.IsNotExist(err) {
		return nil, &dgml.Error{Kind: dgml.NotFound, Msg: "no file " + sum}
	}
	return f, err
}

// Has reports whether a blob is stored.
func (s *Store) Has(sum string) bool {
	if !ValidSum(sum) {
		return false
	}
	_, err := os.Stat(s.path(sum))
	return err == nil
}

// Sweep removes blobs for which keep returns false and leftovers of
// interrupted writes. Run it only when no import is under way.
func (s *Store) Sweep(keep func(sum string) bool) (removed int, err error) {
	tmps, _ := filepath.Glob(filepath.Join(s.dir, "tmp", "put-*"))
	for _, t := range tmps {
		os.Remove(t)
	}
	all, err := filepath.Glob(filepath.Join(s.dir, "??", "*"))
	if err != nil {
		return 0, err
	}
	for _, p := range all {
		sum := filepath.Base(p)
		if ValidSum(sum) && !keep(sum) {
			if os.Remove(p) == nil {
				removed++
			}
		}
	}
	return removed, nil
}

// ModTime says when a blob was written (zero when it is missing).
func (s *Store) ModTime(sum string) time.Time {
	if !ValidSum(sum) {
		return time.Time{}
	}
	st, err := os.Stat(s.path(sum))
	if err != nil {
		return time.Time{}
	}
	return st.ModTime()
}

// PutUnsynced stores r's bytes like Put, but leaves flushing them to
// disk to SyncAll: a follower fetching thousands of files flushes the
// file system once for the lot, where Put flushes each file and its
// folder. Until SyncAll returns, a crash may lose them (whoever called
// it has not yet recorded them anywhere).
func (s *Store) PutUnsynced(r io.Reader) (string, int64, error) {
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "put-*")
	if err != nil {
		return "", 0, err
	}
	moved := false
	defer func() {
		if !moved {
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	src := r
	if s.MaxSize > 0 {
		src = io.LimitReader(r, s.MaxSize+1)
	}
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	if err == nil && s.MaxSize > 0 && n > s.MaxSize {
		err = &dgml.Error{Kind: dgml.TooLarge, Msg: fmt.Sprintf("file larger than %d bytes", s.MaxSize)}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	// A blob already there has these very bytes, so renaming over it
	// changes nothing; trying the rename first spares a follower that
	// writes thousands of files a look and a folder check for each.
	dst := s.path(sum)
	err = os.Rename(tmp.Name(), dst)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return "", 0, err
		}
		err = os.Rename(tmp.Name(), dst)
	}
	moved = err == nil
	return sum, n, err
}

// SyncAll flushes what PutUnsynced wrote: the whole file system the
// store is on, in one call.
func (s *Store) SyncAll() error {
	return syncFS(s.dir)
}
