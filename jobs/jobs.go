// Package jobs is the node's durable queue of background work: what must
// run once however many processes serve — thumbnails and estimates of new
// files now; federation pulls, job dispatch and the expiry of holds as
// they come. A job is enqueued in the same transaction as the write that
// causes it (so it exists exactly when the write does); a Runner in every
// serving process leases ready jobs one at a time, runs their handler and
// marks them done, or failed and due again later with a growing delay.
// A lease that runs out (its process died) makes the job ready again.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Job is one piece of work.
type Job struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	Args        json.RawMessage `json:"args"`
	UniqueKey   string          `json:"unique_key,omitempty"` // at most one job of a key waits or runs
	State       string          `json:"state"`                // ready, running, done, failed
	Attempts    int             `json:"attempts"`
	MaxAttempts int             `json:"max_attempts"`
	RunAt       time.Time       `json:"run_at"`
	LastError   string          `json:"last_error,omitempty"`
}

// States of a job.
const (
	Ready   = "ready"
	Running = "running"
	Done    = "done"
	Failed  = "failed" // out of attempts
)

// Store keeps the queue. Enqueue runs in the transaction of ctx when
// there is one.
type Store interface {
	// Enqueue adds a job; a job whose unique key is already waiting or
	// running is not added again (ok false).
	Enqueue(ctx context.Context, j Job) (id int64, ok bool, err error)
	// Lease takes the ready job due first (run_at up to now), for worker
	// until the given time; nil when none is due. Of many workers asking
	// at once, each gets a different job.
	Lease(ctx context.Context, worker string, now, until time.Time) (*Job, error)
	// Finish marks a leased job done, or (err not empty) failed: ready
	// again at retryAt, or Failed when out of attempts.
	Finish(ctx context.Context, id int64, worker string, now time.Time, errText string, retryAt time.Time) error
	// Jobs lists jobs of a kind (all kinds: ""), newest first.
	Jobs(ctx context.Context, kind string, limit int) ([]Job, error)
}

// New makes a job of a kind with its arguments (JSON).
func New(kind string, args any) (Job, error) {
	b, err := json.Marshal(args)
	if err != nil {
		return Job{}, err
	}
	return Job{Kind: kind, Args: b, MaxAttempts: 5}, nil
}

// Handler does a job of one kind.
type Handler func(ctx context.Context, j Job) error

// Runner runs a process's share of the queue.
type Runner struct {
	Store    Store
	Worker   string        // this process, for leases (host:pid)
	Lease    time.Duration // how long a job may run before others may take it
	Poll     time.Duration // how often to look for due jobs when idle
	Log      *slog.Logger
	mu       sync.Mutex
	handlers map[string]Handler
	wake     chan struct{}
	now      func() time.Time
}

// Handle registers the handler of a kind.
func (r *Runner) Handle(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handlers == nil {
		r.handlers = map[string]Handler{}
	}
	r.handlers[kind] = h
}

func (r *Runner) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now().UTC()
}

// Wake makes an idle runner look for jobs at once (after an enqueue in
// this process).
func (r *Runner) Wake() {
	r.mu.Lock()
	if r.wake == nil {
		r.wake = make(chan struct{}, 1)
	}
	w := r.wake
	r.mu.Unlock()
	select {
	case w <- struct{}{}:
	default:
	}
}

// Run works until ctx is done.
func (r *Runner) Run(ctx context.Context) {
	r.Wake()
	r.mu.Lock()
	wake := r.wake
	r.mu.Unlock()
	for {
		did, err := r.RunOne(ctx)
		if err != nil && ctx.Err() == nil && r.Log != nil {
			r.Log.Error("job queue", "err", err)
		}
		if did {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(r.Poll + time.Duration(rand.Int64N(int64(r.Poll)/4+1))):
		}
	}
}

// RunOne leases and runs one due job; false when none was due.
func (r *Runner) RunOne(ctx context.Context) (bool, error) {
	now := r.clock()
	j, err := r.Store.Lease(ctx, r.Worker, now, now.Add(r.Lease))
	if err != nil || j == nil {
		return false, err
	}
	r.mu.Lock()
	h := r.handlers[j.Kind]
	r.mu.Unlock()
	var runErr error
	if h == nil {
		runErr = fmt.Errorf("no handler of %q jobs in this process", j.Kind)
	} else {
		jctx, cancel := context.WithTimeout(ctx, r.Lease)
		runErr = safely(jctx, h, *j)
		cancel()
	}
	errText := ""
	retryAt := r.clock()
	if runErr != nil {
		errText = runErr.Error()
		// 10 s, 40 s, 90 s, … doubling with the attempts, with jitter.
		retryAt = retryAt.Add(time.Duration(j.Attempts*j.Attempts)*10*time.Second + time.Duration(rand.Int64N(int64(time.Second))))
		if r.Log != nil {
			r.Log.Warn("job failed", "kind", j.Kind, "id", j.ID, "attempt", j.Attempts, "err", runErr)
		}
	}
	return true, r.Store.Finish(ctx, j.ID, r.Worker, r.clock(), errText, retryAt)
}

// safely runs a handler, turning a panic into the job's error.
func safely(ctx context.Context, h Handler, j Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(ctx, j)
}

// ErrNoJob is what Finish says of a job not leased by the worker.
var ErrNoJob = errors.New("no such job leased by this worker")
