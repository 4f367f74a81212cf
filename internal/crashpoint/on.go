//go:build dgmlcrash

package crashpoint

import (
	"os"
	"strconv"
	"strings"
	"sync"
)

var (
	mu   sync.Mutex
	seen = map[string]int{}
)

// Here waits forever when name is the point $DGML_CRASH_AT names
// ("name" or "name#n" for its n-th passage), after creating the file
// $DGML_CRASH_MARKER to tell the test it may kill the process now.
func Here(name string) {
	want, nth := os.Getenv("DGML_CRASH_AT"), 1
	if i := strings.LastIndexByte(want, '#'); i >= 0 {
		nth, _ = strconv.Atoi(want[i+1:])
		want = want[:i]
	}
	if want != name {
		return
	}
	mu.Lock()
	seen[name]++
	n := seen[name]
	mu.Unlock()
	if n != nth {
		return
	}
	if m := os.Getenv("DGML_CRASH_MARKER"); m != "" {
		os.WriteFile(m, []byte(name), 0o644)
	}
	select {}
}
