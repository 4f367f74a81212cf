package commons

import (
	"context"
	"path"
	"strings"

	"golang.org/x/sync/semaphore"
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
