package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The load generator refuses other machines, spreads requests over the
// targets, and counts failures apart from answers.
func TestLoad(t *testing.T) {
	for _, u := range []string{"http://example.org", "http://10.0.0.1:8080", "http://[2001:db8::1]/"} {
		if _, e, code := runDGML(t, "load", "--for", "1s", u); code != 2 || !strings.Contains(e, "loopback") {
			t.Errorf("dgml load %s: exit %d, %s", u, code, e)
		}
	}
	var a, b atomic.Int64
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.Add(1) }))
	defer ok.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.Add(1)
		http.Error(w, "no", http.StatusTooManyRequests)
	}))
	defer bad.Close()
	rep := hammer(context.Background(), http.DefaultClient, []string{ok.URL, bad.URL}, []string{"/x"}, 4, 500*time.Millisecond)
	if rep.Requests == 0 || rep.Errors == 0 || !strings.Contains(rep.FirstError, "429") {
		t.Fatalf("report %+v", rep)
	}
	// Turns alternate: each target gets about half.
	if n, m := a.Load(), b.Load(); n < m/2 || m < n/2 {
		t.Errorf("requests split %d / %d", n, m)
	}
	if int64(rep.Requests) > a.Load() || int64(rep.Errors) > b.Load() {
		t.Errorf("counted %d answers and %d errors of %d and %d sent", rep.Requests, rep.Errors, a.Load(), b.Load())
	}
}
