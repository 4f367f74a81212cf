//go:build !dgmlcrash

// Package crashpoint marks places inside transactions where a crash test
// stops the process. In a normal build Here does nothing and costs
// nothing; built with -tags dgmlcrash, the process waits at the point
// named by $DGML_CRASH_AT (after writing $DGML_CRASH_MARKER) so that the
// test can SIGKILL it there, in the middle of the write it protects.
package crashpoint

// Here is a named point; see the package comment.
func Here(name string) {}
