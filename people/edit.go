package people

import (
	"context"
	"fmt"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/design"
)

// Save makes content made in the browser a new revision of the design
// ref, which u maintains (an admin may save any), or, with ref empty, a
// new design that u maintains. The permission is checked before and
// again inside the transaction that stores the revision.
func (s *Service) Save(ctx context.Context, u *account.User, ref string, c design.Content, message string) (*design.Design, *design.Revision, error) {
	if u == nil {
		return nil, nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to edit designs"}
	}
	message = strings.TrimSpace(message)
	if len(message) > 2000 {
		return nil, nil, &dgml.Error{Kind: dgml.Invalid, Field: "message", Msg: "a revision message is at most 2,000 bytes"}
	}
	check := func(ctx context.Context) error {
		d, err := s.Commons.Store.Design(ctx, ref)
		if err != nil {
			return err
		}
		if err := design.MayCommitHere(d); err != nil {
			return err
		}
		return s.May(ctx, u, account.Maintainer, d.ID)
	}
	if message == "" {
		message = "edited in the browser"
		if ref == "" {
			message = "created in the browser"
		}
	}
	if ref != "" {
		if err := check(ctx); err != nil {
			return nil, nil, err
		}
	}
	author := s.Handle(u)
	return s.Commons.Save(ctx, c, commons.SaveOptions{Into: ref, Author: author, Message: message, Then: func(ctx context.Context, d *design.Design, revision string) error {
		if ref != "" {
			if err := check(ctx); err != nil {
				return err
			}
		} else if err := s.Accounts.AddRole(ctx, account.Maintainer, d.ID, u.ID); err != nil {
			return err
		}
		return s.event(ctx, collab.Event{DesignID: d.ID, Actor: author, Kind: "revision", Summary: fmt.Sprintf("revision %.12s of %s: %s", revision, d.Name, message), Link: "/designs/" + d.Slug + "/revisions"})
	}})
}
