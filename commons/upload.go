package commons

import (
	"io"
	"mime"
	"os"
	"path"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/okh"
)

// Unbundle saves an upload (a manifest, or a zip or tar(.gz) of a
// manifest folder) into dir, an empty folder inside the data folder, and
// says which designs it holds. tmp holds the body while it is examined.
func Unbundle(body io.Reader, filename, contentType, tmp, dir string) ([]okh.Target, error) {
	f, err := os.CreateTemp(tmp, "body-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := io.Copy(f, body); err != nil {
		return nil, err
	}
	name := path.Base(strings.ReplaceAll(filename, "\\", "/"))
	if name == "." || name == "/" {
		name = ""
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if m, ok := manifestUpload(name, mt); ok {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		dst, err := os.Create(dir + "/" + m)
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(dst, f)
		dst.Close()
		if err != nil {
			return nil, err
		}
		return []okh.Target{{Root: dir, Manifest: m}}, nil
	}
	if err := Unpack(f, name, dir, DefaultLimits); err != nil {
		return nil, err
	}
	targets, err := okh.Discover(dir)
	if err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, &dgml.Error{Kind: dgml.Invalid, File: name, Msg: "the archive holds no manifest (okh.toml, okh.yml)"}
	}
	return targets, nil
}

// manifestUpload says whether an upload is a bare manifest, and the file
// name to give it.
func manifestUpload(name, mediaType string) (string, bool) {
	if _, ok := okh.FormatOf(name); ok && name != "." && name != "/" {
		return name, true
	}
	switch mediaType {
	case "application/toml":
		return "okh.toml", true
	case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
		return "okh.yml", true
	case "application/json":
		return "okh.json", true
	}
	return "", false
}
