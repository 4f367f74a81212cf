package commons

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgml/dgml"
)

func archiveFile(t testing.TB, b []byte) *os.File {
	f, err := os.CreateTemp(t.TempDir(), "upload-*")
	if err != nil {
		t.Fatal(err)
	}
	f.Write(b)
	t.Cleanup(func() { f.Close() })
	return f
}

func TestUnpackTarGzAndLimits(t *testing.T) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range []struct{ name, body string }{{"d/okh.toml", "name = \"x\"\n"}, {"d/cad/a.stl", strings.Repeat("s", 1000)}} {
		tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(f.body))
	}
	tw.Close()
	gz.Close()
	dir := t.TempDir()
	if err := Unpack(archiveFile(t, buf.Bytes()), "d.tar.gz", dir, DefaultLimits); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "d", "cad", "a.stl")); err != nil || len(b) != 1000 {
		t.Errorf("unpacked file: %d %v", len(b), err)
	}
	dir2 := t.TempDir()
	err := Unpack(archiveFile(t, buf.Bytes()), "d.tar.gz", dir2, Limits{Files: 10, Bytes: 500})
	if dgml.KindOf(err) != dgml.TooLarge {
		t.Errorf("over the byte limit: want too-large, got %v", err)
	}
	if left, _ := os.ReadDir(dir2); len(left) != 0 {
		t.Errorf("a refused archive must leave nothing: %v", left)
	}
}

func TestUnpackZipBomb(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("okh.toml")
	w.Write(bytes.Repeat([]byte("# padding\n"), 1<<20)) // 10 MiB that compresses to a few KiB
	zw.Close()
	err := Unpack(archiveFile(t, buf.Bytes()), "bomb.zip", t.TempDir(), Limits{Files: 10, Bytes: 1 << 20})
	if dgml.KindOf(err) != dgml.TooLarge {
		t.Errorf("a zip that inflates past the limit: want too-large, got %v", err)
	}
}

func FuzzUnpack(f *testing.F) {
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	w, _ := zw.Create("a/okh.toml")
	w.Write([]byte("name = \"x\"\n"))
	zw.Close()
	f.Add(z.Bytes())
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "okh.toml", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg})
	tw.Write([]byte("abc"))
	tw.Close()
	f.Add(tb.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "into")
		os.Mkdir(dir, 0o755)
		Unpack(archiveFile(t, data), "fuzz", dir, Limits{Files: 50, Bytes: 1 << 20})
		entries, _ := os.ReadDir(parent)
		if len(entries) != 1 {
			t.Fatalf("unpacking wrote beside its folder: %v", entries)
		}
	})
}
