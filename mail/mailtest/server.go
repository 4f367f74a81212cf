// Package mailtest is a stand-in SMTP server for tests, speaking the
// part of RFC 5321 a client that sends one message uses: a 220
// greeting, EHLO/HELO, MAIL FROM, RCPT TO, DATA ending in a line with a
// single dot (dot-stuffing undone), RSET, NOOP, QUIT, and 5xx for
// commands out of order. It keeps what it received.
package mailtest

import (
	"bufio"
	"net"
	"strings"
	"sync"
)

// Mail is one received message.
type Mail struct {
	From string
	To   []string
	Data string
}

// Server is a listening stand-in.
type Server struct {
	Addr string
	ln   net.Listener
	mu   sync.Mutex
	got  []Mail
	wg   sync.WaitGroup
}

// New starts a server on a loopback port.
func New() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(c) }()
		}
	}()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.ln.Close(); s.wg.Wait() }

// Received returns the messages received so far.
func (s *Server) Received() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.got...)
}

func (s *Server) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { c.Write([]byte(line + "\r\n")) }
	say("220 mailtest ESMTP ready")
	var cur *Mail
	hello := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		arg := strings.TrimSpace(strings.TrimPrefix(line, strings.SplitN(line, " ", 2)[0]))
		switch verb {
		case "EHLO":
			hello = true
			say("250-mailtest greets " + arg)
			say("250-8BITMIME")
			say("250 SIZE 10485760")
		case "HELO":
			hello = true
			say("250 mailtest")
		case "MAIL":
			if !hello {
				say("503 5.5.1 EHLO first")
				continue
			}
			cur = &Mail{From: addr(arg)}
			say("250 2.1.0 OK")
		case "RCPT":
			if cur == nil {
				say("503 5.5.1 MAIL first")
				continue
			}
			cur.To = append(cur.To, addr(arg))
			say("250 2.1.5 OK")
		case "DATA":
			if cur == nil || len(cur.To) == 0 {
				say("503 5.5.1 RCPT first")
				continue
			}
			say("354 End data with <CR><LF>.<CR><LF>")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.Data = b.String()
			s.mu.Lock()
			s.got = append(s.got, *cur)
			s.mu.Unlock()
			cur = nil
			say("250 2.0.0 queued")
		case "RSET":
			cur = nil
			say("250 2.0.0 OK")
		case "NOOP":
			say("250 2.0.0 OK")
		case "QUIT":
			say("221 2.0.0 bye")
			return
		default:
			say("502 5.5.2 command not recognised")
		}
	}
}

// addr takes the address out of "FROM:<a@b>" or "TO:<a@b>".
func addr(arg string) string {
	if i := strings.Index(arg, "<"); i >= 0 {
		if j := strings.Index(arg[i:], ">"); j >= 0 {
			return arg[i+1 : i+j]
		}
	}
	return arg
}
