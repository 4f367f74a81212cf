package people

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/design"
)

const standingKey = "standing"

// StandingPolicy is the node's policy of whose reviews and votes count:
// the one its admins set, else assess.DefaultStanding.
func (s *Service) StandingPolicy(ctx context.Context) (assess.StandingPolicy, error) {
	v, ok, err := s.Accounts.Setting(ctx, standingKey)
	if err != nil || !ok {
		return assess.DefaultStanding, err
	}
	var p assess.StandingPolicy
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return assess.DefaultStanding, fmt.Errorf("the stored standing policy is unreadable: %w", err)
	}
	return p, nil
}

// SetStandingPolicy changes the policy; only node admins may.
func (s *Service) SetStandingPolicy(ctx context.Context, u *account.User, p assess.StandingPolicy) error {
	if u == nil {
		return &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in as a node admin"}
	}
	if !u.Admin {
		return &dgml.Error{Kind: dgml.Forbidden, Msg: "only the node's admins set whose reviews count"}
	}
	if err := p.Check(); err != nil {
		return &dgml.Error{Kind: dgml.Invalid, Field: "policy", Msg: err.Error()}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := s.Accounts.PutSetting(ctx, standingKey, string(b)); err != nil {
			return err
		}
		return s.event(ctx, collab.Event{Actor: s.Handle(u), Kind: "policy", Summary: "set the review policy: " + p.Text()})
	})
}

// member reads what standing is judged from.
func (s *Service) member(ctx context.Context, u *account.User) (assess.Member, error) {
	n, err := s.Store.Contributions(ctx, s.Handle(u))
	return assess.Member{Since: u.Created, Contributions: n, Admin: u.Admin}, err
}

// Vouch says that name's reviews and votes may count. Only someone whose
// own word counts may vouch: a node admin, or a member with standing of
// their own who maintains a design. A vouch is recorded with the
// voucher's name and shown beside every review it lets count.
func (s *Service) Vouch(ctx context.Context, u *account.User, name, note string) error {
	if u == nil {
		return &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to vouch for someone"}
	}
	if strings.TrimSpace(note) == "" || len(note) > 2000 {
		return &dgml.Error{Kind: dgml.Invalid, Field: "note", Msg: "say how you know them (up to 2000 characters)"}
	}
	policy, err := s.StandingPolicy(ctx)
	if err != nil {
		return err
	}
	if !u.Admin {
		if !policy.Vouching {
			return &dgml.Error{Kind: dgml.Forbidden, Msg: "this node's policy takes no vouches"}
		}
		m, err := s.member(ctx, u)
		if err != nil {
			return err
		}
		if st := policy.Earned(m, s.clock()); !st.Counts {
			return &dgml.Error{Kind: dgml.Forbidden, Msg: "only members whose own reviews count may vouch (" + st.Why + ")"}
		}
		if ds, err := s.Accounts.Objects(ctx, account.Maintainer, u.ID); err != nil {
			return err
		} else if len(ds) == 0 {
			return &dgml.Error{Kind: dgml.Forbidden, Msg: "only node admins and maintainers of a design may vouch"}
		}
	}
	target, _, err := s.Accounts.UserByName(ctx, strings.ToLower(strings.TrimSpace(name)))
	if err != nil {
		return err
	}
	if target.ID == u.ID {
		return &dgml.Error{Kind: dgml.Invalid, Field: "name", Msg: "nobody vouches for themselves"}
	}
	return s.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := s.Accounts.AddVouch(ctx, target.ID, u.ID, strings.TrimSpace(note)); err != nil {
			return err
		}
		return s.event(ctx, collab.Event{Actor: s.Handle(u), Kind: "vouch", Summary: "vouched for " + s.Handle(target)})
	})
}

// standing judges, for a design, whose reviews and votes count among the
// given people (user@node). People of other nodes have no standing here
// (their own node vouches for them when reviews travel). A vouch counts
// only from an admin, or from a member with standing of their own who
// maintains another design and is no insider of this one.
func (s *Service) standing(ctx context.Context, d *design.Design, people []string, insiders map[string]bool) (map[string]assess.Standing, assess.StandingPolicy, error) {
	policy, err := s.StandingPolicy(ctx)
	if err != nil {
		return nil, policy, err
	}
	now := s.clock()
	out := map[string]assess.Standing{}
	for _, who := range people {
		if _, done := out[who]; done {
			continue
		}
		name, ok := strings.CutSuffix(who, "@"+s.Node)
		if !ok {
			out[who] = assess.Standing{Counts: false, Why: "not a member of this node"}
			continue
		}
		u, _, err := s.Accounts.UserByName(ctx, name)
		if dgml.KindOf(err) == dgml.NotFound {
			out[who] = assess.Standing{Counts: false, Why: "no account on this node"}
			continue
		}
		if err != nil {
			return nil, policy, err
		}
		m, err := s.member(ctx, u)
		if err != nil {
			return nil, policy, err
		}
		st := policy.Earned(m, now)
		if !st.Counts && policy.Vouching {
			by, err := s.countingVouch(ctx, d, u, policy, insiders)
			if err != nil {
				return nil, policy, err
			}
			if by != "" {
				st = assess.Standing{Counts: true, Why: "vouched for by " + by}
			}
		}
		out[who] = st
	}
	return out, policy, nil
}

// countingVouch names a voucher of u whose vouch counts for design d.
func (s *Service) countingVouch(ctx context.Context, d *design.Design, u *account.User, policy assess.StandingPolicy, insiders map[string]bool) (string, error) {
	vs, err := s.Accounts.Vouchers(ctx, u.ID)
	if err != nil {
		return "", err
	}
	for _, v := range vs {
		if v.Admin {
			return s.Handle(&v), nil
		}
		if insiders[s.Handle(&v)] {
			continue
		}
		m, err := s.member(ctx, &v)
		if err != nil {
			return "", err
		}
		if !policy.Earned(m, s.clock()).Counts {
			continue
		}
		ds, err := s.Accounts.Objects(ctx, account.Maintainer, v.ID)
		if err != nil {
			return "", err
		}
		for _, id := range ds {
			if id != d.ID {
				return s.Handle(&v), nil
			}
		}
	}
	return "", nil
}
