package people

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/collab"
)

// AddTask leaves an open task on a design (or one of its parts).
func (s *Service) AddTask(ctx context.Context, u *account.User, designRef string, t *collab.Task) error {
	if u == nil {
		return &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to add a task"}
	}
	d, err := s.Commons.Store.Design(ctx, designRef)
	if err != nil {
		return err
	}
	if strings.TrimSpace(t.Title) == "" || len(t.Title) > 300 {
		return &dgml.Error{Kind: dgml.Invalid, Field: "title", Msg: "a task needs a title of up to 300 characters"}
	}
	if len(t.Body) > 20000 {
		return &dgml.Error{Kind: dgml.Invalid, Field: "body", Msg: "at most 20,000 characters"}
	}
	t.DesignID, t.Author = d.ID, s.Handle(u)
	return s.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateTask(ctx, t); err != nil {
			return err
		}
		return s.event(ctx, collab.Event{DesignID: d.ID, Actor: t.Author, Kind: "task", Summary: "task: " + t.Title, Link: "/tasks/" + t.ID})
	})
}

// Claim takes a task for ClaimDays; anyone may claim an open task or one
// whose claim has gone stale.
func (s *Service) Claim(ctx context.Context, u *account.User, id string) (*collab.Task, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to claim a task"}
	}
	var t *collab.Task
	err := s.Tx.Atomically(ctx, func(ctx context.Context) error {
		var err error
		if t, err = s.Store.Task(ctx, id); err != nil {
			return err
		}
		now := s.clock()
		if !t.Open(now) && t.ClaimedBy != s.Handle(u) {
			if t.Status == "done" {
				return &dgml.Error{Kind: dgml.Conflict, Msg: "the task is done"}
			}
			return &dgml.Error{Kind: dgml.Conflict, Msg: fmt.Sprintf("claimed by %s until %s", t.ClaimedBy, t.ClaimUntil.Format("2 Jan 2006"))}
		}
		until := now.Add(collab.ClaimDays * 24 * time.Hour)
		t.Status, t.ClaimedBy, t.ClaimUntil = "claimed", s.Handle(u), &until
		if err := s.Store.UpdateTask(ctx, t); err != nil {
			return err
		}
		return s.event(ctx, collab.Event{DesignID: t.DesignID, Actor: s.Handle(u), Kind: "task-claimed", Summary: "claimed: " + t.Title, Link: "/tasks/" + t.ID})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Progress reports on a claimed task and renews the claim.
func (s *Service) Progress(ctx context.Context, u *account.User, id, text string) error {
	if strings.TrimSpace(text) == "" || len(text) > 20000 {
		return &dgml.Error{Kind: dgml.Invalid, Field: "text", Msg: "write 1 to 20,000 characters"}
	}
	return s.Tx.Atomically(ctx, func(ctx context.Context) error {
		t, err := s.mine(ctx, u, id)
		if err != nil {
			return err
		}
		if t.Status == "claimed" && t.ClaimedBy == s.Handle(u) {
			// Progress by the claimant renews the claim; a maintainer's
			// note on someone else's task does not take it over.
			until := s.clock().Add(collab.ClaimDays * 24 * time.Hour)
			t.ClaimUntil = &until
			if err := s.Store.UpdateTask(ctx, t); err != nil {
				return err
			}
		}
		if err := s.Store.AddComment(ctx, "task", id, collab.Comment{Author: s.Handle(u), Text: text}); err != nil {
			return err
		}
		return s.event(ctx, collab.Event{DesignID: t.DesignID, Actor: s.Handle(u), Kind: "task-progress", Summary: "progress on: " + t.Title, Link: "/tasks/" + t.ID})
	})
}

// Close marks a task done with a link to what resolved it.
func (s *Service) Close(ctx context.Context, u *account.User, id, resolution string) (*collab.Task, error) {
	if (!strings.HasPrefix(resolution, "/") || strings.HasPrefix(resolution, "//")) && !strings.HasPrefix(resolution, "https://") && !strings.HasPrefix(resolution, "http://") || len(resolution) > 2000 {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "resolution", Msg: "a link to the revision or report that resolves the task"}
	}
	var t *collab.Task
	err := s.Tx.Atomically(ctx, func(ctx context.Context) error {
		var err error
		if t, err = s.mine(ctx, u, id); err != nil {
			return err
		}
		if t.Status == "done" {
			return &dgml.Error{Kind: dgml.Conflict, Msg: "the task is already done"}
		}
		t.Status, t.Resolution = "done", resolution
		if err := s.Store.UpdateTask(ctx, t); err != nil {
			return err
		}
		if s.Economy != nil {
			if err := s.Economy.TaskDone(ctx, t, s.Handle(u)); err != nil {
				return err
			}
		}
		return s.event(ctx, collab.Event{DesignID: t.DesignID, Actor: s.Handle(u), Kind: "task-done", Summary: "done: " + t.Title, Link: resolution})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// mine finds a task the user has claimed (maintainers and admins may act
// on any).
func (s *Service) mine(ctx context.Context, u *account.User, id string) (*collab.Task, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in first"}
	}
	t, err := s.Store.Task(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.ClaimedBy == s.Handle(u) && t.Status == "claimed" {
		return t, nil
	}
	if err := s.May(ctx, u, account.Maintainer, t.DesignID); err != nil {
		return nil, &dgml.Error{Kind: dgml.Forbidden, Msg: "claim the task first"}
	}
	return t, nil
}
