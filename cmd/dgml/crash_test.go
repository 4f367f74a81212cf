package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	crashOnce   sync.Once
	crashBinary string
	crashErr    error
)

// crashBuild is dgml built with -tags dgmlcrash: it stops at the
// crashpoint named by $DGML_CRASH_AT, inside the transaction, so that a
// test can SIGKILL it there.
func crashBuild(t *testing.T) string {
	t.Helper()
	crashOnce.Do(func() {
		crashBinary = binary + "-crash"
		out, err := exec.Command("go", "build", "-tags", "dgmlcrash", "-o", crashBinary, ".").CombinedOutput()
		if err != nil {
			crashErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if crashErr != nil {
		t.Fatal(crashErr)
	}
	return crashBinary
}

// killAt runs the crash build until it reaches the point, SIGKILLs it
// there, and fails if it never got there.
func killAt(t *testing.T, point, stdin string, args ...string) {
	t.Helper()
	marker := filepath.Join(t.TempDir(), "reached")
	cmd := exec.Command(crashBuild(t), args...)
	cmd.Env = append(os.Environ(), "DGML_CRASH_AT="+point, "DGML_CRASH_MARKER="+marker)
	cmd.Stdin = strings.NewReader(stdin)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("%v finished (%v) without reaching %s:\n%s", args, err, point, out.String())
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("%v did not reach %s in 30 s", args, point)
		case <-time.After(5 * time.Millisecond):
			if _, err := os.Stat(marker); err == nil {
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
				return
			}
		}
	}
}

// rows counts what the store holds, table by table, as a restarted node
// reads it.
func rows(t *testing.T, data string) map[string]int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "dgml.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]int{}
	for _, table := range []string{"designs", "revisions", "design_revisions", "revision_files", "files", "design_facets", "search_changes", "roles", "events", "proposals"} {
		var n int
		if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	var accepted int
	db.QueryRowContext(context.Background(), `SELECT count(*) FROM proposals WHERE status = 'accepted'`).Scan(&accepted)
	out["accepted proposals"] = accepted
	var ok string
	db.QueryRowContext(context.Background(), `PRAGMA integrity_check`).Scan(&ok)
	if ok != "ok" {
		t.Errorf("integrity check: %s", ok)
	}
	return out
}

func sameRows(t *testing.T, what string, before, after map[string]int) {
	t.Helper()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %s went from %d to %d rows: the write landed in part", what, k, v, after[k])
		}
	}
}

// Multi-step writes are one transaction: a process killed inside one —
// between the statements of storing a revision, or after the revision
// and before the activity it leaves — leaves the store exactly as it
// was. The kill points are where a write split into two transactions
// would already have committed its first half (the revision, the fork,
// the new head), so a split makes these tests fail.
func TestKilledInsideTheTransaction(t *testing.T) {
	data := t.TempDir()
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "okh.toml"), []byte("name = \"Bench\"\nlicense = \"CC0-1.0\"\n[[part]]\nname = \"top\"\nquantity = 1\nexport = \"top.stl\"\n"), 0o644)
	os.WriteFile(filepath.Join(src, "top.stl"), []byte("solid t\nendsolid t\n"), 0o644)
	pw := "a long enough password\n"
	if _, e, code := runIn(t, pw, "admin", "create-user", "--data", data, "--admin", "root"); code != 0 {
		t.Fatal(e)
	}
	if _, e, code := runIn(t, pw, "admin", "create-user", "--data", data, "eve"); code != 0 {
		t.Fatal(e)
	}

	// An import, killed between the statements of storing its revision
	// and after the revision before its activity: no design, no revision.
	for _, point := range []string{"commit:revision", "commit:design", "event", "tx:before-commit"} {
		before := rows(t, data)
		killAt(t, point, pw, "import", "okh", "--data", data, "--as", "root", src)
		sameRows(t, "import killed at "+point, before, rows(t, data))
	}
	if _, e, code := runIn(t, pw, "import", "okh", "--data", data, "--as", "root", src); code != 0 {
		t.Fatalf("the import after the crashes: %s", e)
	}

	// A fork, killed after the forked design is stored and before its
	// maintainer and activity: no fork.
	for _, point := range []string{"event", "tx:before-commit"} {
		before := rows(t, data)
		killAt(t, point, pw, "fork", "--data", data, "--as", "eve", "bench")
		sameRows(t, "fork killed at "+point, before, rows(t, data))
	}
	out, e, code := runIn(t, pw, "fork", "--data", data, "--as", "eve", "bench")
	if code != 0 {
		t.Fatalf("fork: %s", e)
	}
	fork := strings.Fields(out)[2]
	os.WriteFile(filepath.Join(src, "okh.toml"), []byte("name = \"Bench\"\nlicense = \"CC0-1.0\"\n[[part]]\nname = \"top\"\nquantity = 2\nexport = \"top.stl\"\n"), 0o644)
	if _, e, code := runIn(t, pw, "import", "okh", "--data", data, "--as", "eve", "--into", fork, src); code != 0 {
		t.Fatal(e)
	}
	out, e, code = runIn(t, pw, "propose", "--data", data, "--as", "eve", "--from", fork, "bench")
	if code != 0 {
		t.Fatal(e)
	}
	pid := strings.Fields(out)[1]

	// Accepting the proposal, killed after the design's new head is
	// stored and before the proposal is marked accepted: the head stays,
	// the proposal stays open.
	for _, point := range []string{"commit:design", "event", "tx:before-commit"} {
		before := rows(t, data)
		killAt(t, point, pw, "decide", "--data", data, "--as", "root", pid, "accept")
		sameRows(t, "accept killed at "+point, before, rows(t, data))
	}
	if out, e, code := runIn(t, pw, "decide", "--data", data, "--as", "root", pid, "accept"); code != 0 || !strings.Contains(out, "accepted") {
		t.Fatalf("accept after the crashes: %s %s", out, e)
	}
	if got := rows(t, data)["accepted proposals"]; got != 1 {
		t.Errorf("%d accepted proposals", got)
	}
}

// Upload folders left by a node killed mid-upload are swept when it
// starts again.
func TestStartSweepsUnfinishedUploads(t *testing.T) {
	tmp := filepath.Join(t.TempDir(), "tmp")
	os.MkdirAll(filepath.Join(tmp, "upload-123", "cad"), 0o755)
	os.WriteFile(filepath.Join(tmp, "upload-123", "cad", "part.stl"), []byte("solid"), 0o644)
	os.WriteFile(filepath.Join(tmp, "body-456"), []byte("zip bytes"), 0o644)
	if err := sweepTemp(tmp); err != nil {
		t.Fatal(err)
	}
	if left, err := os.ReadDir(tmp); err != nil || len(left) != 0 {
		t.Errorf("after the sweep: %v %v", left, err)
	}
}
