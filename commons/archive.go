package commons

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dgml/dgml"
)

// Limits against hostile archives.
type Limits struct {
	Files int   // entries at most
	Bytes int64 // uncompressed bytes in all at most
}

// MaxInflation is how many times its own size an archive may unpack to.
const MaxInflation = 200

// DefaultLimits fit any real manifest folder with its meshes and drawings.
var DefaultLimits = Limits{Files: 5000, Bytes: 512 << 20}

// Unpack extracts a zip or tar (optionally gzipped) archive into dir,
// which must be empty. Entries that would land outside dir (absolute
// paths, "..") and links of any kind are refused, as are archives over
// the limits: nothing is then left in dir.
func Unpack(archive *os.File, name string, dir string, lim Limits) (err error) {
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
			os.MkdirAll(dir, 0o755)
		}
	}()
	head := make([]byte, 4)
	n, _ := archive.ReadAt(head, 0)
	head = head[:n]
	if st, err := archive.Stat(); err == nil {
		// Real archives of drawings and meshes unpack to a few times their
		// size; a bomb unpacks to thousands of times.
		lim.Bytes = min(lim.Bytes, max(64<<20, MaxInflation*st.Size()))
	}
	u := &unpacker{dir: dir, lim: lim, name: name}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		st, err := archive.Stat()
		if err != nil {
			return err
		}
		zr, err := zip.NewReader(archive, st.Size())
		if err != nil {
			return u.fail("", "not a readable zip archive: %v", err)
		}
		return u.zip(zr)
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		gz, err := gzip.NewReader(io.NewSectionReader(archive, 0, 1<<62))
		if err != nil {
			return u.fail("", "not a readable gzip stream: %v", err)
		}
		return u.tar(tar.NewReader(gz))
	default:
		return u.tar(tar.NewReader(io.NewSectionReader(archive, 0, 1<<62)))
	}
}

type unpacker struct {
	dir   string
	name  string
	lim   Limits
	files int
	bytes int64
}

func (u *unpacker) fail(entry, format string, args ...any) error {
	return &dgml.Error{Kind: dgml.Invalid, File: u.name, Field: entry, Msg: fmt.Sprintf(format, args...)}
}

// target checks an entry name and returns where it goes.
func (u *unpacker) target(name string) (string, error) {
	n := strings.ReplaceAll(name, "\\", "/")
	if n == "" || strings.HasPrefix(n, "/") || filepath.IsAbs(name) || (len(n) > 1 && n[1] == ':') {
		return "", u.fail(name, "absolute path in archive refused")
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", u.fail(name, "path leaving the archive's folder (..) refused")
		}
	}
	clean := path.Clean(n)
	u.files++
	if u.files > u.lim.Files {
		return "", &dgml.Error{Kind: dgml.TooLarge, File: u.name, Msg: fmt.Sprintf("more than %d entries", u.lim.Files)}
	}
	return filepath.Join(u.dir, filepath.FromSlash(clean)), nil
}

func (u *unpacker) write(dst string, r io.Reader, entry string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return u.fail(entry, "cannot write entry: %v", err)
	}
	left := u.lim.Bytes - u.bytes
	n, err := io.Copy(f, io.LimitReader(r, left+1))
	u.bytes += n
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return u.fail(entry, "cannot read entry: %v", err)
	}
	if u.bytes > u.lim.Bytes {
		return &dgml.Error{Kind: dgml.TooLarge, File: u.name, Field: entry, Msg: fmt.Sprintf("archive unpacks to more than %d bytes", u.lim.Bytes)}
	}
	return nil
}

func (u *unpacker) zip(zr *zip.Reader) error {
	for _, f := range zr.File {
		dst, err := u.target(f.Name)
		if err != nil {
			return err
		}
		mode := f.Mode()
		switch {
		case mode&os.ModeSymlink != 0:
			return u.fail(f.Name, "symbolic links in archives are refused")
		case mode.IsDir() || strings.HasSuffix(f.Name, "/"):
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
			continue
		case !mode.IsRegular():
			return u.fail(f.Name, "only files and folders may be in the archive")
		}
		rc, err := f.Open()
		if err != nil {
			return u.fail(f.Name, "cannot open entry: %v", err)
		}
		err = u.write(dst, rc, f.Name)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func (u *unpacker) tar(tr *tar.Reader) error {
	for {
		h, err := tr.Next()
		if err == io.EOF {
			if u.files == 0 {
				return u.fail("", "empty or not an archive: upload a zip, tar or tar.gz of a manifest folder, or the manifest itself")
			}
			return nil
		}
		if err != nil {
			return u.fail("", "not a readable tar archive: %v", err)
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		dst, err := u.target(h.Name)
		if err != nil {
			return err
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := u.write(dst, tr, h.Name); err != nil {
				return err
			}
		case tar.TypeSymlink, tar.TypeLink:
			return u.fail(h.Name, "links in archives are refused")
		default:
			return u.fail(h.Name, "only files and folders may be in the archive")
		}
	}
}
