package commons

import (
	"context"
	"fmt"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/license"
	"github.com/dgml/dgml/okh"
)

// CheckLicenses tells whether content may be committed given what it
// builds on: the design it was forked from (a fork may change its licence
// only to one that may incorporate the parent's) and the designs its
// modules reuse. A refused combination is an error with the reason;
// questionable ones are warnings.
func (s *Service) CheckLicenses(ctx context.Context, forkedFrom *design.Origin, c *design.Content) ([]okh.Warning, error) {
	var warns []okh.Warning
	mine := c.Manifest.LicenseOrText()
	check := func(what, rev string) error {
		if rev == "" {
			return nil
		}
		r, err := s.Store.Revision(ctx, rev)
		if err != nil {
			if dgml.KindOf(err) == dgml.NotFound {
				warns = append(warns, okh.Warning{Field: what, Msg: "revision " + rev + " is not on this node: its licence could not be checked"})
				return nil
			}
			return err
		}
		theirs := r.Manifest.LicenseOrText()
		if theirs == "" || theirs == mine {
			return nil
		}
		v := license.Check(mine, theirs)
		switch v.Result {
		case "refuse":
			return &dgml.Error{Kind: dgml.Invalid, Field: "license", Msg: fmt.Sprintf("a %s design may not incorporate %s (%s, %s): %s", mine, what, r.Manifest.Name, theirs, v.Reason)}
		case "warn":
			warns = append(warns, okh.Warning{Field: "license", Msg: fmt.Sprintf("check the licences: %s under %s in a %s design: %s", what, theirs, mine, v.Reason)})
		}
		return nil
	}
	if forkedFrom != nil {
		if err := check("the design it was forked from", forkedFrom.Revision); err != nil {
			return warns, err
		}
	}
	var err error
	design.Walk(c.Parts, func(path []string, p *design.Part) {
		if err == nil && p.Reuses != nil {
			rev := p.Reuses.Revision
			if rev == "" {
				// No revision named: the module is taken as its design is now.
				if d, derr := s.Store.Design(ctx, p.Reuses.Design); derr == nil {
					rev = d.Head
				} else if dgml.KindOf(derr) == dgml.NotFound {
					warns = append(warns, okh.Warning{Field: "reuses", Msg: "design " + p.Reuses.Design + " is not on this node: the licence of module " + p.Name + " could not be checked"})
				} else {
					err = derr
					return
				}
			}
			err = check("the reused module "+p.Name, rev)
		}
	})
	return warns, err
}

// CheckMerge tells whether a design may take in a proposed revision: when
// the proposal carries another licence, the design's current licence must
// be able to incorporate work under it; and its reused modules must fit.
func (s *Service) CheckMerge(ctx context.Context, targetHead string, incoming *design.Content) ([]okh.Warning, error) {
	head, err := s.Store.Revision(ctx, targetHead)
	if err != nil {
		return nil, err
	}
	mine, theirs := head.Manifest.LicenseOrText(), incoming.Manifest.LicenseOrText()
	var warns []okh.Warning
	if mine != "" && theirs != "" && mine != theirs {
		v := license.Check(mine, theirs)
		switch v.Result {
		case "refuse":
			return nil, &dgml.Error{Kind: dgml.Invalid, Field: "license", Msg: fmt.Sprintf("the proposal is under %s, which a %s design may not take in: %s", theirs, mine, v.Reason)}
		case "warn":
			warns = append(warns, okh.Warning{Field: "license", Msg: fmt.Sprintf("check the licences: the proposal is under %s, the design under %s: %s", theirs, mine, v.Reason)})
		}
	}
	more, err := s.CheckLicenses(ctx, nil, incoming)
	return append(warns, more...), err
}
