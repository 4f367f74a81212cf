package commons

import (
	"context"
	"encoding/json"
	"path"
	"strings"

	"golang.org/x/sync/semaphore"

	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/jobs"
)

// NodeTriangles is what a serving node reads of one part file at most,
// and how many triangles it works on at once: measuring a mesh takes
// about 300 bytes a triangle at its peak, so a million keep a node well
// inside half a gigabyte. The command line, working on one's own files,
// is not bound by it.
const NodeTriangles = 1_000_000

// Work bounds the heavy work a node does at once — reading, measuring,
// slicing and rendering part files — by the triangles (or outline
// points) in flight, so that many requests for large files queue instead
// of exhausting memory together. A file larger than the whole budget
// waits until it has the node to itself; a request that goes away stops
// waiting.
type Work struct {
	sem    *semaphore.Weighted
	budget int64
}

// NewWork allows budget triangles in flight.
func NewWork(budget int64) *Work {
	return &Work{sem: semaphore.NewWeighted(budget), budget: budget}
}

// Do runs fn once weight (clamped to the budget) is free.
func (w *Work) Do(ctx context.Context, weight int64, fn func() error) error {
	if w == nil {
		return fn()
	}
	weight = min(max(weight, 1), w.budget)
	if err := w.sem.Acquire(ctx, weight); err != nil {
		return err
	}
	defer w.sem.Release(weight)
	return fn()
}

// weightOf guesses, before reading it, how many triangles (or points) a
// file of this name and size holds: what the smallest honest record of
// its format costs in bytes. A guess too high only makes a request wait
// longer; the readers' own limits still hold whatever the file says.
func weightOf(name string, size int64) int64 {
	per := map[string]int64{".stl": 50, ".obj": 12, ".3mf": 4, ".svg": 8, ".dxf": 16}[strings.ToLower(path.Ext(name))]
	if per == 0 {
		per = 50
	}
	return size/per + 1
}

// PrepareKind is the job that makes a new mesh's thumbnail and default
// estimate ahead of the first page that shows them.
const PrepareKind = "file.prepare"

// enqueuePrepare queues, in the transaction of ctx, the preparation of
// every mesh the content brings (once a file, whatever designs share it).
func (s *Service) enqueuePrepare(ctx context.Context, c *design.Content) error {
	if s.Jobs == nil {
		return nil
	}
	var err error
	design.Walk(c.Parts, func(_ []string, p *design.Part) {
		ref := firstMesh(p)
		if ref == nil || ref.SHA256 == "" || err != nil {
			return
		}
		var j jobs.Job
		if j, err = jobs.New(PrepareKind, map[string]string{"sha256": ref.SHA256}); err == nil {
			j.UniqueKey = PrepareKind + ":" + ref.SHA256
			_, _, err = s.Jobs.Enqueue(ctx, j)
		}
	})
	return err
}

// Prepare does a file.prepare job: the thumbnail of the card and the
// default FDM estimate, computed once and cached.
func (s *Service) Prepare(ctx context.Context, j jobs.Job) error {
	var args struct {
		SHA256 string `json:"sha256"`
	}
	if err := json.Unmarshal(j.Args, &args); err != nil {
		return err
	}
	if _, err := s.Thumbnail(ctx, args.SHA256, 256); err != nil {
		return err
	}
	_, err := s.Estimate(ctx, args.SHA256, EstimateRequest{Process: "fdm", Material: "PLA"})
	return err
}
