package geometry

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"

	"github.com/dgml/dgml"
)

// Formats lists the file extensions the engine reads.
var Formats = []string{".stl", ".3mf", ".obj"}

// Readable reports whether a file name is of a mesh format read here.
func Readable(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	for _, f := range Formats {
		if ext == f {
			return true
		}
	}
	return false
}

// Read reads a mesh file by its extension. STL and OBJ stream; a 3MF
// needs random access, so r is used as an io.ReaderAt when it is one and
// otherwise read into memory up to the size limit.
// Work stops when ctx is done.
func Read(ctx context.Context, name string, r io.Reader, lim Limits) (*Mesh, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".stl":
		return ReadSTL(ctx, name, r, lim)
	case ".obj":
		return ReadOBJ(ctx, name, r, lim)
	case ".3mf":
		if ra, ok := r.(interface {
			io.ReaderAt
			Stat() (interface{ Size() int64 }, error)
		}); ok {
			if st, err := ra.Stat(); err == nil {
				return Read3MF(ctx, name, ra, st.Size(), lim)
			}
		}
		if s, ok := r.(io.ReadSeeker); ok {
			if ra, ok := r.(io.ReaderAt); ok {
				size, err := s.Seek(0, io.SeekEnd)
				if err == nil {
					return Read3MF(ctx, name, ra, size, lim)
				}
			}
		}
		b, err := io.ReadAll(io.LimitReader(r, lim.bytes()+1))
		if err != nil {
			return nil, err
		}
		if int64(len(b)) > lim.bytes() {
			return nil, &dgml.Error{Kind: dgml.TooLarge, File: name, Msg: "larger than the size limit"}
		}
		return Read3MF(ctx, name, bytes.NewReader(b), int64(len(b)), lim)
	}
	return nil, &dgml.Error{Kind: dgml.Unsupported, File: name, Msg: "not a mesh format dgml reads: use STL, 3MF or OBJ"}
}
