package mail_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dgml/dgml/mail"
	"github.com/dgml/dgml/mail/mailtest"
)

func TestSendThroughSMTP(t *testing.T) {
	srv, err := mailtest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	s := &mail.SMTP{Addr: srv.Addr, From: "node@fablab.example", Host: "fablab.example"}
	err = s.Send(context.Background(), mail.Message{To: "ana@example.org", Subject: "Ποδήλατο: quoted", Body: "Fab Lab Athens quoted EUR 48.50.\n.a line that starts with a dot\n"})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Received()
	if len(got) != 1 || got[0].From != "node@fablab.example" || len(got[0].To) != 1 || got[0].To[0] != "ana@example.org" {
		t.Fatalf("received: %+v", got)
	}
	d := got[0].Data
	for _, want := range []string{"Subject: =?utf-8?q?", "To: ana@example.org\r\n", "Content-Type: text/plain; charset=utf-8", "\r\n\r\nFab Lab Athens quoted EUR 48.50.\r\n.a line that starts with a dot\r\n"} {
		if !strings.Contains(d, want) {
			t.Errorf("message lacks %q:\n%s", want, d)
		}
	}
	if err := s.Send(context.Background(), mail.Message{To: "a@b.c\r\nBcc: x@y.z", Subject: "x"}); err == nil {
		t.Error("an address with a line break must be refused")
	}
	down := &mail.SMTP{Addr: "127.0.0.1:1", From: "n@x.y"}
	if err := down.Send(context.Background(), mail.Message{To: "a@b.c"}); err == nil {
		t.Error("a server that is down")
	}
}
