//go:build !linux

package blob

import (
	"io/fs"
	"os"
	"path/filepath"
)

// syncFS flushes every file and folder under dir, one by one, where
// there is no syncfs(2).
func syncFS(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}
