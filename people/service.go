package people

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/okh"
)

// Service is the people side of a node.
type Service struct {
	Accounts account.Store
	Store    collab.Store
	Commons  *commons.Service
	Assess   assess.Store
	Texts    design.Translations
	Node     string // this node's name in user@node
	Guard    *account.Guard
	// Tx makes each change one transaction: the change, who holds which
	// role after it and the activity it leaves land together or not at
	// all.
	Tx dgml.Atomic
	// Federation, when set, carries proposals to designs that live on
	// other nodes, and decisions back to where proposals came from.
	Federation Federation
	// Economy, when set, records what people do as economic events and
	// releases a task's money when it is done.
	Economy Economy
	now     func() time.Time
}

// Economy is what the commons' ledger needs to hear from people's work.
type Economy interface {
	// Activity records the economic event an activity is, if any, in
	// the transaction of ctx.
	Activity(ctx context.Context, e collab.Event) error
	// TaskDone releases what was pledged to a task to who did it,
	// pending the maintainers' confirmation.
	TaskDone(ctx context.Context, t *collab.Task, doer string) error
}

// Federation is what proposals across nodes need of the federation.
type Federation interface {
	// SendProposal sends a proposal made here to the node its design
	// lives at, in the transaction of ctx (delivery is a queued job).
	SendProposal(ctx context.Context, p *collab.Proposal, home string) error
	// Decided tells the node a proposal came from what became of it.
	Decided(ctx context.Context, p *collab.Proposal) error
}

// SessionLength is how long a login lasts.
const SessionLength = 14 * 24 * time.Hour

func (s *Service) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now().UTC()
}

// Handle names a user across nodes.
func (s *Service) Handle(u *account.User) string { return account.Handle(u.Name, s.Node) }

// SignUp makes an account for someone at addr ("" for the node's own
// command line, which is not limited).
func (s *Service) SignUp(ctx context.Context, name, password, addr string, admin bool) (*account.User, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if addr != "" {
		if err := s.Guard.SignUp(ctx, addr); err != nil {
			return nil, &dgml.Error{Kind: dgml.TooMany, Msg: err.Error()}
		}
	}
	if err := account.CheckName(name); err != nil {
		return nil, err
	}
	if err := account.CheckPassword(password); err != nil {
		return nil, err
	}
	hash, err := account.HashPassword(password)
	if err != nil {
		return nil, err
	}
	return s.Accounts.CreateUser(ctx, name, hash, admin)
}

// Check verifies a name and password. The guard counts failures per
// name and address, per address and per account (see account.Guard):
// past a limit even the right password waits. An unknown name costs the
// same hashing as a wrong password and gets the same answer, so neither
// the answer nor its time says which names exist.
func (s *Service) Check(ctx context.Context, name, password, addr string) (*account.User, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if len(name) > 64 || len(password) > 1024 {
		// Never hash or remember a megabyte someone sent as a password.
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "wrong name or password"}
	}
	ok, wait, err := s.Guard.Allowed(ctx, name, addr)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &dgml.Error{Kind: dgml.TooMany, Msg: fmt.Sprintf("too many failed logins: try again in %s", max(wait, time.Second).Round(time.Second))}
	}
	u, hash, err := s.Accounts.UserByName(ctx, name)
	if err != nil && dgml.KindOf(err) != dgml.NotFound {
		return nil, err
	}
	if u == nil {
		hash = account.DecoyHash()
	}
	if !account.VerifyPassword(hash, password) || u == nil {
		if err := s.Guard.Fail(ctx, name, addr); err != nil {
			return nil, err
		}
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "wrong name or password"}
	}
	if err := s.Guard.Succeeded(ctx, name, addr); err != nil {
		return nil, err
	}
	return u, nil
}

// Login checks the password and opens a session: it returns the session
// secret (for the cookie) and the CSRF token forms must carry.
func (s *Service) Login(ctx context.Context, name, password, addr string) (secret, csrf string, err error) {
	u, err := s.Check(ctx, name, password, addr)
	if err != nil {
		return "", "", err
	}
	secret, csrf = account.Secret("s_"), account.Secret("c_")
	err = s.Accounts.CreateSession(ctx, account.HashSecret(secret), account.Session{UserID: u.ID, CSRF: csrf, Expires: s.clock().Add(SessionLength)})
	return secret, csrf, err
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, secret string) error {
	return s.Accounts.DeleteSession(ctx, account.HashSecret(secret))
}

// FromSession finds the user of a session secret.
func (s *Service) FromSession(ctx context.Context, secret string) (*account.User, *account.Session, error) {
	sess, err := s.Accounts.Session(ctx, account.HashSecret(secret))
	if err != nil {
		return nil, nil, err
	}
	u, err := s.Accounts.User(ctx, sess.UserID)
	return u, sess, err
}

// FromToken finds the user of an API token and its scope.
func (s *Service) FromToken(ctx context.Context, secret string) (*account.User, string, error) {
	t, err := s.Accounts.TokenBySecret(ctx, account.HashSecret(secret))
	if err != nil {
		return nil, "", err
	}
	u, err := s.Accounts.User(ctx, t.UserID)
	return u, t.Scope, err
}

// NewToken makes an API token; the secret is returned once and only its
// digest is kept.
func (s *Service) NewToken(ctx context.Context, u *account.User, name, scope string) (string, *account.Token, error) {
	if scope != "read" && scope != "write" {
		return "", nil, &dgml.Error{Kind: dgml.Invalid, Field: "scope", Msg: "read or write"}
	}
	if strings.TrimSpace(name) == "" {
		name = "token"
	}
	secret := account.Secret("dgml_")
	t := &account.Token{UserID: u.ID, Name: name, Scope: scope}
	return secret, t, s.Accounts.CreateToken(ctx, t, account.HashSecret(secret))
}

// May checks a role: admins may everything; otherwise the user must hold
// the role on the object.
func (s *Service) May(ctx context.Context, u *account.User, role, objectID string) error {
	return account.Permit(ctx, s.Accounts, u, role, objectID)
}

// event records activity. It runs inside the change's transaction, so a
// failure to record it undoes the change rather than leaving it untold.
func (s *Service) event(ctx context.Context, e collab.Event) error {
	if err := s.Store.AddEvent(ctx, e); err != nil {
		return err
	}
	if s.Economy != nil {
		return s.Economy.Activity(ctx, e)
	}
	return nil
}

// Import imports one manifest or manifest folder for u: a new design u
// maintains, or with into a new revision of a design u maintains (or
// any, for an admin). The design, its maintainer and its activity land in
// one transaction. u may be nil only for a new design (the node's own
// command line): such a design has no maintainer until an admin names one.
func (s *Service) Import(ctx context.Context, u *account.User, t okh.Target, into string) (*commons.Imported, error) {
	author := "cli"
	if u != nil {
		author = s.Handle(u)
	}
	check := func(ctx context.Context) error {
		d, err := s.Commons.Store.Design(ctx, into)
		if err != nil {
			return err
		}
		return s.May(ctx, u, account.Maintainer, d.ID)
	}
	if into != "" {
		// Early, so that nobody else's files are stored and measured; and
		// again inside the transaction, where it counts.
		if err := check(ctx); err != nil {
			return nil, err
		}
	}
	return s.Commons.ImportTarget(ctx, t, commons.ImportOptions{Into: into, Author: author, Then: func(ctx context.Context, d *design.Design, revision string) error {
		if into != "" {
			if err := check(ctx); err != nil {
				return err
			}
		} else if u != nil {
			if err := s.Accounts.AddRole(ctx, account.Maintainer, d.ID, u.ID); err != nil {
				return err
			}
		}
		return s.event(ctx, collab.Event{DesignID: d.ID, Actor: author, Kind: "revision", Summary: fmt.Sprintf("revision %.12s of %s", revision, d.Name), Link: "/designs/" + d.Slug})
	}})
}

// Fork makes a new design from another's head; the user maintains it.
func (s *Service) Fork(ctx context.Context, u *account.User, ref string) (*design.Design, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to fork"}
	}
	var d *design.Design
	err := s.Tx.Atomically(ctx, func(ctx context.Context) error {
		parent, rev, err := s.Commons.Head(ctx, ref)
		if err != nil {
			return err
		}
		// A fork has its own title from the start, so that search results
		// and plans never show two designs of the same name; it goes
		// back to the parent's when a proposal is accepted there.
		c := rev.Content
		c.Manifest.Name = design.ForkName(c.Manifest.Name, u.Name)
		d, _, err = s.Commons.Store.Commit(ctx, design.CommitRequest{
			Content: c, ForkedFrom: &design.Origin{Design: parent.ID, Revision: rev.ID},
			Slug: design.Slug(rev.Manifest.Name + " " + u.Name), Author: s.Handle(u), Message: "forked from " + parent.Slug,
		})
		if err != nil {
			return err
		}
		if err := s.Accounts.AddRole(ctx, account.Maintainer, d.ID, u.ID); err != nil {
			return err
		}
		if err := s.event(ctx, collab.Event{DesignID: parent.ID, Actor: s.Handle(u), Kind: "fork", Summary: fmt.Sprintf("forked %s as %s", parent.Name, d.Slug), Link: "/designs/" + d.Slug}); err != nil {
			return err
		}
		return s.event(ctx, collab.Event{DesignID: d.ID, Actor: s.Handle(u), Kind: "fork", Summary: "forked from " + parent.Slug, Link: "/designs/" + parent.Slug})
	})
	return d, err
}

// Lineage is where a design comes from and what came of it.
type Lineage struct {
	Ancestors []design.Design `json:"ancestors"` // parent first
	Forks     []LineageNode   `json:"forks"`
}

// LineageNode is a fork with its own forks.
type LineageNode struct {
	Design design.Summary `json:"design"`
	Forks  []LineageNode  `json:"forks,omitempty"`
}

// Lineage walks a design's ancestry up and its forks down.
func (s *Service) Lineage(ctx context.Context, ref string) (*Lineage, error) {
	d, err := s.Commons.Store.Design(ctx, ref)
	if err != nil {
		return nil, err
	}
	l := &Lineage{Ancestors: []design.Design{}}
	seen := map[string]bool{d.ID: true}
	for cur := d; cur.ForkedFrom != nil && len(l.Ancestors) < 100; {
		p, err := s.Commons.Store.Design(ctx, cur.ForkedFrom.Design)
		if dgml.KindOf(err) == dgml.NotFound {
			break // the parent lives on another node
		}
		if err != nil {
			return nil, err
		}
		if seen[p.ID] {
			break // a cycle
		}
		seen[p.ID] = true
		l.Ancestors = append(l.Ancestors, *p)
		cur = p
	}
	var down func(id string, depth int) ([]LineageNode, error)
	down = func(id string, depth int) ([]LineageNode, error) {
		forks, err := s.Commons.Store.Forks(ctx, id)
		if err != nil {
			return nil, err
		}
		out := []LineageNode{}
		for _, f := range forks {
			if depth > 20 || seen[f.ID] {
				continue
			}
			seen[f.ID] = true
			sub, err := down(f.ID, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, LineageNode{Design: f, Forks: sub})
		}
		return out, nil
	}
	l.Forks, err = down(d.ID, 0)
	return l, err
}

// Propose asks a design's maintainers to take a fork's head.
func (s *Service) Propose(ctx context.Context, u *account.User, targetRef, fromRef, title string) (*collab.Proposal, error) {
	target, err := s.Commons.Store.Design(ctx, targetRef)
	if err != nil {
		return nil, err
	}
	from, err := s.Commons.Store.Design(ctx, fromRef)
	if err != nil {
		return nil, err
	}
	if err := s.May(ctx, u, account.Maintainer, from.ID); err != nil {
		return nil, err
	}
	l, err := s.Lineage(ctx, from.ID)
	if err != nil {
		return nil, err
	}
	related := false
	for _, a := range l.Ancestors {
		related = related || a.ID == target.ID
	}
	if !related {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "from", Msg: fmt.Sprintf("%s is not a fork of %s", from.Slug, target.Slug)}
	}
	if from.Head == target.Head {
		return nil, &dgml.Error{Kind: dgml.Conflict, Msg: "the fork's head is already the design's: nothing to propose"}
	}
	if strings.TrimSpace(title) == "" {
		title = "changes from " + from.Slug
	}
	if len(title) > 300 {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "title", Msg: "at most 300 characters"}
	}
	p := &collab.Proposal{DesignID: target.ID, FromDesign: from.ID, Revision: from.Head, Base: target.Head, Title: title, Author: s.Handle(u)}
	if target.Home != "" {
		// The design lives elsewhere: the proposal goes there, to be
		// decided by its maintainers; this node keeps a copy to follow.
		if s.Federation == nil {
			return nil, &dgml.Error{Kind: dgml.Unsupported, Msg: target.Slug + " lives at another node, and this node does not federate"}
		}
		p.FromNode = target.Home
	}
	err = s.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateProposal(ctx, p); err != nil {
			return err
		}
		if p.FromNode != "" {
			if err := s.Federation.SendProposal(ctx, p, p.FromNode); err != nil {
				return err
			}
		}
		if err := s.event(ctx, collab.Event{DesignID: target.ID, Actor: p.Author, Kind: "proposal", Summary: "proposed: " + title, Link: "/proposals/" + p.ID}); err != nil {
			return err
		}
		return s.licenceNote(ctx, p, target.Head)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// licenceNote tells a proposal's readers at once when its licence keeps
// it from being accepted, or asks for a look: a comment signed by the node.
func (s *Service) licenceNote(ctx context.Context, p *collab.Proposal, targetHead string) error {
	rev, err := s.Commons.Store.Revision(ctx, p.Revision)
	if err != nil {
		return err
	}
	warns, err := s.Commons.CheckMerge(ctx, targetHead, &rev.Content)
	var text string
	switch {
	case dgml.KindOf(err) == dgml.Invalid:
		text = "Licence: this proposal cannot be accepted as it stands. " + err.Error()
	case err != nil:
		return err
	case len(warns) > 0:
		text = "Licence: " + warns[0].Msg
	default:
		return nil
	}
	return s.Store.AddComment(ctx, "proposal", p.ID, collab.Comment{Author: "dgml@" + s.Node, Text: text})
}

// Diff compares two revisions.
func (s *Service) Diff(ctx context.Context, a, b string) ([]design.Change, error) {
	ra, err := s.Commons.Store.Revision(ctx, a)
	if err != nil {
		return nil, err
	}
	rb, err := s.Commons.Store.Revision(ctx, b)
	if err != nil {
		return nil, err
	}
	return design.Diff(&ra.Content, &rb.Content), nil
}

// Decide accepts (the revision becomes the head) or declines a proposal;
// only the design's maintainers may. Everything happens in one
// transaction, and the proposal changes state only if it is still open:
// of two maintainers deciding at once, one wins and the other is told it
// is already decided (a conflict).
func (s *Service) Decide(ctx context.Context, u *account.User, id string, accept bool) (*collab.Proposal, error) {
	var p *collab.Proposal
	err := s.Tx.Atomically(ctx, func(ctx context.Context) error {
		var err error
		if p, err = s.Store.Proposal(ctx, id); err != nil {
			return err
		}
		if err := s.May(ctx, u, account.Maintainer, p.DesignID); err != nil {
			return err
		}
		if p.Status != "open" {
			return &dgml.Error{Kind: dgml.Conflict, Msg: "the proposal is already " + p.Status}
		}
		if p.FromNode != "" && p.Remote == "" {
			return &dgml.Error{Kind: dgml.Forbidden, Msg: "this proposal went to node " + p.FromNode + ", where the design lives: it is decided there"}
		}
		status := "declined"
		if accept {
			rev, err := s.Commons.Store.Revision(ctx, p.Revision)
			if err != nil {
				return err
			}
			target, err := s.Commons.Store.Design(ctx, p.DesignID)
			if err != nil {
				return err
			}
			if _, err := s.Commons.CheckMerge(ctx, target.Head, &rev.Content); err != nil {
				return err
			}
			c := rev.Content
			if design.IsForkName(c.Manifest.Name, target.Name) {
				c.Manifest.Name = target.Name
			}
			if _, _, err := s.Commons.Store.Commit(ctx, design.CommitRequest{DesignID: p.DesignID, Content: c, Author: p.Author, Message: "accepted proposal: " + p.Title}); err != nil {
				return err
			}
			status = "accepted"
		}
		if err := s.Store.SetProposalStatus(ctx, id, "open", status); err != nil {
			return err
		}
		p.Status = status
		if p.Remote != "" && s.Federation != nil {
			if err := s.Federation.Decided(ctx, p); err != nil {
				return err
			}
		}
		return s.event(ctx, collab.Event{DesignID: p.DesignID, Actor: s.Handle(u), Kind: "proposal-" + status, Summary: status + ": " + p.Title, Link: "/proposals/" + p.ID})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Comment adds a remark to a proposal.
func (s *Service) Comment(ctx context.Context, u *account.User, id, text string) error {
	if u == nil {
		return &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to comment"}
	}
	if strings.TrimSpace(text) == "" || len(text) > 20000 {
		return &dgml.Error{Kind: dgml.Invalid, Field: "text", Msg: "write 1 to 20,000 characters"}
	}
	p, err := s.Store.Proposal(ctx, id)
	if err != nil {
		return err
	}
	return s.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := s.Store.AddComment(ctx, "proposal", id, collab.Comment{Author: s.Handle(u), Text: text}); err != nil {
			return err
		}
		return s.event(ctx, collab.Event{DesignID: p.DesignID, Actor: s.Handle(u), Kind: "comment", Summary: "commented on " + p.Title, Link: "/proposals/" + id})
	})
}

// ReceiveProposal keeps a proposal that came from another node for one of
// this node's designs, where its maintainers find and decide it.
func (s *Service) ReceiveProposal(ctx context.Context, p *collab.Proposal) error {
	return s.Tx.Atomically(ctx, func(ctx context.Context) error {
		if _, err := s.Store.RemoteProposal(ctx, p.FromNode, p.Remote); err == nil {
			return nil // delivered before: once is enough
		}
		target, err := s.Commons.Store.Design(ctx, p.DesignID)
		if err != nil {
			return err
		}
		if target.Home != "" {
			return &dgml.Error{Kind: dgml.Forbidden, Msg: target.Slug + " does not live here"}
		}
		if strings.TrimSpace(p.Title) == "" || len(p.Title) > 300 {
			return &dgml.Error{Kind: dgml.Invalid, Field: "title", Msg: "1 to 300 characters"}
		}
		if err := s.Store.CreateProposal(ctx, p); err != nil {
			return err
		}
		if err := s.event(ctx, collab.Event{DesignID: target.ID, Actor: p.Author, Kind: "proposal", Summary: "proposed from another node: " + p.Title, Link: "/proposals/" + p.ID}); err != nil {
			return err
		}
		return s.licenceNote(ctx, p, target.Head)
	})
}

// ProposalDecided records what the node a proposal went to decided.
func (s *Service) ProposalDecided(ctx context.Context, id, node, status string) error {
	if status != "accepted" && status != "declined" {
		return &dgml.Error{Kind: dgml.Invalid, Field: "status", Msg: "accepted or declined"}
	}
	return s.Tx.Atomically(ctx, func(ctx context.Context) error {
		p, err := s.Store.Proposal(ctx, id)
		if err != nil {
			return err
		}
		if p.FromNode != node || p.Remote != "" {
			return &dgml.Error{Kind: dgml.Forbidden, Msg: "proposal " + id + " did not go to node " + node}
		}
		if p.Status == status {
			return nil
		}
		if err := s.Store.SetProposalStatus(ctx, id, "open", status); err != nil {
			return err
		}
		return s.event(ctx, collab.Event{DesignID: p.DesignID, Actor: p.Author, Kind: "proposal-" + status, Summary: status + " at its design's home: " + p.Title, Link: "/proposals/" + p.ID})
	})
}
