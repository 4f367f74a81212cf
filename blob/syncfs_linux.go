package blob

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFS flushes the file system dir is on (syncfs(2)).
func syncFS(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}
