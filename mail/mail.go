// Package mail sends the node's news by e-mail through an SMTP server
// (RFC 5321), when the node is given one: STARTTLS when the server
// offers it, PLAIN authentication when a user is set (net/smtp allows it
// only over TLS or to localhost). Messages go through the job queue, so
// a server that is down delays them instead of losing them.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/jobs"
)

// Kind is the job kind of a message to send.
const Kind = "mail.send"

// Message is one e-mail.
type Message struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// SMTP is a server to send through.
type SMTP struct {
	Addr     string // host:port
	From     string // the node's address
	Username string
	Password string
	// Host names the node in EHLO and Message-IDs; empty: "localhost".
	Host string
}

// Send sends one message now.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(s.From, "\r\n") {
		return &dgml.Error{Kind: dgml.Invalid, Field: "to", Msg: "an address has no line breaks"}
	}
	d := net.Dialer{Timeout: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("SMTP server %s: %w", s.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(2 * time.Minute))
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("SMTP server %s: %w", s.Addr, err)
	}
	defer c.Close()
	me := s.Host
	if me == "" {
		me = "localhost"
	}
	if err := c.Hello(me); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return fmt.Errorf("SMTP STARTTLS with %s: %w", s.Addr, err)
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return fmt.Errorf("SMTP login at %s: %w", s.Addr, err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return err
	}
	if err := c.Rcpt(m.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(s.format(m, me)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// format writes the message with its headers (the subject encoded for
// any language), lines ending in CRLF.
func (s *SMTP) format(m Message, host string) []byte {
	id := make([]byte, 12)
	rand.Read(id)
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
		s.From, m.To, mime.QEncoding.Encode("utf-8", m.Subject), time.Now().UTC().Format(time.RFC1123Z), hex.EncodeToString(id), host)
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	b.WriteString(body)
	if !strings.HasSuffix(body, "\r\n") {
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}

// Job sends a queued message (the job queue's handler of Kind).
func (s *SMTP) Job(ctx context.Context, j jobs.Job) error {
	var m Message
	if err := json.Unmarshal(j.Args, &m); err != nil {
		return err
	}
	return s.Send(ctx, m)
}

// Queue enqueues a message, in the transaction of ctx when there is one.
func Queue(ctx context.Context, q jobs.Store, m Message) error {
	if len(m.Subject) > 300 {
		m.Subject = m.Subject[:300]
	}
	j, err := jobs.New(Kind, m)
	if err != nil {
		return err
	}
	_, _, err = q.Enqueue(ctx, j)
	return err
}
