package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dgml/dgml/synth"
)

// loadReport is what a run of `dgml load` measured.
type loadReport struct {
	Targets   []string `json:"targets"`
	Mix       string   `json:"mix"`
	Workers   int      `json:"workers"`
	Seconds   float64  `json:"seconds"`
	Requests  int      `json:"requests"`
	Errors    int      `json:"errors"`
	PerSecond float64  `json:"per_second"`
	P50ms     float64  `json:"p50_ms"`
	P99ms     float64  `json:"p99_ms"`
	// FirstError is the first failure seen, to say what went wrong.
	FirstError string `json:"first_error,omitempty"`
}

// maxLoad bounds a run: the tool measures, it does not soak.
const maxLoad = 10 * time.Minute

func runLoad(ctx context.Context, args []string) error {
	fs := newFlags("load", "load [--for 20s] [--workers 16] [--mix search|page] URL...",
		`Measures how many requests a second nodes on this machine answer: the
search API (GET /api/v1/designs?q=… with one- and two-word queries of
the synthetic vocabulary) or design pages (GET /designs/SLUG for designs
listed by the first node). Requests go to the URLs in turn, from
--workers connections at once, for the given time (at most 10 minutes).
Only loopback addresses are accepted: this is a measuring tool, not a
way to flood someone else's node.`)
	dur := fs.Duration("for", 20*time.Second, "how long to send requests (at most 10m)")
	workers := fs.Int("workers", 16, "requests in flight at once")
	mix := fs.String("mix", "search", "what to ask for: search or page")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	targets, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		return usageError{"give the node's URL, e.g. http://127.0.0.1:8080 (several to spread the load)"}
	}
	if *dur <= 0 || *dur > maxLoad {
		return usageError{fmt.Sprintf("--for must be between 0 and %v", maxLoad)}
	}
	if *workers < 1 || *workers > 512 {
		return usageError{"--workers must be between 1 and 512"}
	}
	for i, t := range targets {
		u, err := url.Parse(t)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageError{fmt.Sprintf("%q is not an http:// URL", t)}
		}
		if !loopback(u.Hostname()) {
			return usageError{fmt.Sprintf("%s is not this machine: dgml load only measures nodes on loopback addresses", u.Host)}
		}
		targets[i] = strings.TrimRight(t, "/")
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *workers, MaxConnsPerHost: *workers}}
	var paths []string
	switch *mix {
	case "search":
		words := synth.Words()
		for i, w := range words {
			paths = append(paths, "/api/v1/designs?q="+url.QueryEscape(w))
			paths = append(paths, "/api/v1/designs?q="+url.QueryEscape(w+" "+words[(i*7)%len(words)]))
		}
	case "page":
		slugs, err := someSlugs(ctx, client, targets[0], 200)
		if err != nil {
			return err
		}
		for _, s := range slugs {
			paths = append(paths, "/designs/"+url.PathEscape(s))
		}
	default:
		return usageError{"--mix is search or page"}
	}
	rep := hammer(ctx, client, targets, paths, *workers, *dur)
	rep.Mix = *mix
	if *asJSON {
		return printJSON(rep)
	}
	fmt.Printf("%d requests in %.1f s to %s (%s, %d at once): %.0f a second, p50 %.1f ms, p99 %.1f ms, %d errors\n",
		rep.Requests, rep.Seconds, strings.Join(rep.Targets, " "), rep.Mix, rep.Workers, rep.PerSecond, rep.P50ms, rep.P99ms, rep.Errors)
	if rep.FirstError != "" {
		fmt.Println("first error:", rep.FirstError)
	}
	return nil
}

// loopback tells whether a host names this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// someSlugs lists up to n designs' slugs from a node's API.
func someSlugs(ctx context.Context, c *http.Client, base string, n int) ([]string, error) {
	var out []string
	for offset := 0; len(out) < n; offset += 100 {
		req, err := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/api/v1/designs?limit=100&offset=%d", base, offset), nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, fmt.Errorf("listing designs at %s: %w", base, err)
		}
		var page struct {
			Items []struct {
				Slug string `json:"slug"`
			} `json:"items"`
		}
		err = json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("listing designs at %s: %w", base, err)
		}
		for _, it := range page.Items {
			out = append(out, it.Slug)
		}
		if len(page.Items) < 100 {
			break
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s lists no designs to load pages of", base)
	}
	return out[:min(n, len(out))], nil
}

// hammer sends requests from workers goroutines, each to the targets in
// turn, for dur, and reports throughput and latency. A progress line goes
// to standard error every five seconds.
func hammer(ctx context.Context, c *http.Client, targets, paths []string, workers int, dur time.Duration) *loadReport {
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	var (
		mu       sync.Mutex
		lat      []time.Duration
		errs     int
		firstErr string
		wg       sync.WaitGroup
	)
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			var mine []time.Duration
			bad, turn := 0, w
			var first string
			for ctx.Err() == nil {
				u := targets[turn%len(targets)] + paths[r.IntN(len(paths))]
				turn++
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
				resp, err := c.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("GET %s: %s", u, resp.Status)
					}
				}
				if ctx.Err() != nil {
					break // cut off by the end of the run: not counted
				}
				if err != nil {
					bad++
					if first == "" {
						first = err.Error()
					}
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			if firstErr == "" {
				firstErr = first
			}
			mu.Unlock()
		}()
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintf(os.Stderr, "load: %s of %s\n", time.Since(start).Round(time.Second), dur)
			}
		}
	}()
	wg.Wait()
	close(done)
	took := time.Since(start).Seconds()
	slices.Sort(lat)
	rep := &loadReport{Targets: targets, Workers: workers, Seconds: took, Requests: len(lat), Errors: errs, FirstError: firstErr}
	if len(lat) > 0 {
		rep.PerSecond = float64(len(lat)) / took
		rep.P50ms = float64(lat[len(lat)/2].Microseconds()) / 1000
		rep.P99ms = float64(lat[len(lat)*99/100].Microseconds()) / 1000
	}
	return rep
}
