// Package collab is how many hands make a design: change proposals from
// forks, open tasks anyone can pick up, and the activity they leave.
package collab

import (
	"context"
	"time"

	"github.com/dgml/dgml/geo"
)

// Proposal asks a design's maintainers to take a revision from a fork.
type Proposal struct {
	ID         string    `json:"id"`
	DesignID   string    `json:"design_id"`
	FromDesign string    `json:"from_design"`
	Revision   string    `json:"revision"`
	Base       string    `json:"base"` // the design's head when proposed
	Title      string    `json:"title"`
	Author     string    `json:"author"` // user@node
	Status     string    `json:"status"` // open, accepted, declined
	Created    time.Time `json:"created"`
	Comments   []Comment `json:"comments,omitempty"`
	// FromNode is the node a proposal came from, or, for a proposal sent
	// from here to a design that lives elsewhere, the node it went to;
	// Remote is its id there. Both empty for a proposal made and decided
	// here.
	FromNode string `json:"from_node,omitempty"`
	Remote   string `json:"remote,omitempty"`
}

// Comment is a remark on a proposal or progress on a task.
type Comment struct {
	Author  string    `json:"author"`
	Text    string    `json:"text"`
	Created time.Time `json:"created"`
}

// Task is an open piece of work on a design, a module or a part.
type Task struct {
	ID         string     `json:"id"`
	DesignID   string     `json:"design_id"`
	Part       string     `json:"part,omitempty"` // module or part path
	Title      string     `json:"title"`
	Body       string     `json:"body,omitempty"`
	Skills     []string   `json:"skills,omitempty"`
	Process    string     `json:"process,omitempty"`
	Language   string     `json:"language,omitempty"`
	Lat        float64    `json:"lat,omitempty"` // where it must be done, when that matters
	Lon        float64    `json:"lon,omitempty"`
	Status     string     `json:"status"` // open, claimed, done
	ClaimedBy  string     `json:"claimed_by,omitempty"`
	ClaimUntil *time.Time `json:"claim_until,omitempty"`
	Resolution string     `json:"resolution,omitempty"` // link to the revision or report that resolves it
	Author     string     `json:"author"`
	Created    time.Time  `json:"created"`
	Progress   []Comment  `json:"progress,omitempty"`
}

// ClaimDays is how long a claim lasts without progress before the task is
// open again (stigmergy: a stale trace should not block the next hand).
const ClaimDays = 14

// Open reports whether anyone may claim the task now.
func (t *Task) Open(now time.Time) bool {
	if t.Status == "done" {
		return false
	}
	return t.Status == "open" || t.ClaimUntil == nil || now.After(*t.ClaimUntil)
}

// Event is a trace in a design's and a person's activity.
type Event struct {
	ID       int64     `json:"id"`
	DesignID string    `json:"design_id,omitempty"`
	Actor    string    `json:"actor"` // user@node
	Kind     string    `json:"kind"`  // revision, fork, proposal, proposal-accepted, proposal-declined, task, task-claimed, task-progress, task-done, report
	Summary  string    `json:"summary"`
	Link     string    `json:"link,omitempty"`
	Created  time.Time `json:"created"`
}

// TaskQuery filters the help-wanted feed, newest first.
type TaskQuery struct {
	Design   string
	Skill    string
	Process  string
	Language string
	OpenOnly bool      // open, or claimed by a claim gone stale
	Now      time.Time // for OpenOnly: when claims are judged (zero: now)
	// Near keeps the tasks that can be done anywhere and those within
	// RadiusKm of it.
	Near     *geo.Point
	RadiusKm float64
	Limit    int // 0: DefaultTasks; at most MaxTasks
	Offset   int
}

// Pages of the help-wanted feed.
const (
	DefaultTasks = 50
	MaxTasks     = 500
)

// Store keeps proposals, tasks and events.
type Store interface {
	CreateProposal(ctx context.Context, p *Proposal) error
	Proposal(ctx context.Context, id string) (*Proposal, error)
	Proposals(ctx context.Context, designID string) ([]Proposal, error)
	// RemoteProposal finds a proposal by the node and id it came from.
	RemoteProposal(ctx context.Context, node, remote string) (*Proposal, error)
	// SetProposalStatus moves a proposal from one status to another, and
	// is a conflict when it no longer has the first.
	SetProposalStatus(ctx context.Context, id, from, to string) error
	AddComment(ctx context.Context, kind, id string, c Comment) error
	CreateTask(ctx context.Context, t *Task) error
	Task(ctx context.Context, id string) (*Task, error)
	Tasks(ctx context.Context, q TaskQuery) ([]Task, error)
	UpdateTask(ctx context.Context, t *Task) error
	AddEvent(ctx context.Context, e Event) error
	// Contributions counts what a person (user@node) gave that others
	// took: accepted proposals, build reports and translations.
	Contributions(ctx context.Context, handle string) (int, error)
	Events(ctx context.Context, designID, actor string, limit, offset int) ([]Event, error)
}
