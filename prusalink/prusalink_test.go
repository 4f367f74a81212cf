package prusalink_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/dispatch"
	"github.com/dgml/dgml/prusalink"
	"github.com/dgml/dgml/prusalink/prusalinktest"
)

var ctx = context.Background()

const gcode = "; estimated printing time (normal mode) = 0h 30m 0s\nG28\n"

func TestPrintThroughPrusaLink(t *testing.T) {
	srv := prusalinktest.New("pl-key")
	defer srv.Close()
	srv.Slowdown = 1.5
	c := &prusalink.Client{URL: srv.URL, APIKey: "pl-key"}
	if st, err := c.Status(ctx); err != nil || st.State != dispatch.MachineStandby {
		t.Fatalf("idle printer: %+v %v", st, err)
	}
	data := []byte(gcode)
	for range 2 { // the second upload overwrites the first
		if err := c.Upload(ctx, "clip.gcode", bytes.NewReader(data), int64(len(data)), ""); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(srv.File("usb", "clip.gcode"), data) {
		t.Fatal("the file did not arrive whole")
	}
	if err := c.Start(ctx, "clip.gcode"); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx, "clip.gcode"); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("a second start while printing: %v", err)
	}
	var st dispatch.Status
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if st, _ = c.Status(ctx); st.State != dispatch.MachinePrinting {
			break
		}
	}
	if st.State != dispatch.MachineComplete || st.Seconds != 2700 || st.File != "clip.gcode" {
		t.Errorf("finished: %+v (want 2700 s)", st)
	}
	if err := c.Cancel(ctx); dgml.KindOf(err) != dgml.Conflict {
		t.Errorf("cancelling a finished job: %v", err)
	}
	if err := c.Start(ctx, "nothing.gcode"); dgml.KindOf(err) != dgml.NotFound {
		t.Errorf("a missing file: %v", err)
	}
	if err := c.Start(ctx, "clip.gcode"); err != nil {
		t.Fatal(err)
	}
	if err := c.Cancel(ctx); err != nil {
		t.Errorf("cancel: %v", err)
	}
	if st, _ := c.Status(ctx); st.State != dispatch.MachineCancelled {
		t.Errorf("after cancel: %+v", st)
	}
	bad := &prusalink.Client{URL: srv.URL, APIKey: "x"}
	if _, err := bad.Status(ctx); dgml.KindOf(err) != dgml.Forbidden {
		t.Errorf("wrong key: %v", err)
	}
}
