package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/feed"
	"github.com/dgml/dgml/jobs"
)

// People is what the federation needs of the people service for
// proposals across nodes.
type People interface {
	ReceiveProposal(ctx context.Context, p *collab.Proposal) error
	ProposalDecided(ctx context.Context, id, node, status string) error
}

// DeliverKind is the job that takes a proposal to the inbox of the node
// its design lives at, tried again until that node answers.
const DeliverKind = "federation.deliver"

type delivery struct {
	Seq  uint64 `json:"seq"`  // the proposal's entry in this node's log
	Node string `json:"node"` // the node to deliver it to
}

// Inbox is what one node posts to another's /federation/inbox: an entry
// of its log, and where its document is.
type Inbox struct {
	From  string     `json:"from"`
	Entry feed.Entry `json:"entry"`
}

// SendProposal publishes a proposal to a design of another node and
// queues its delivery, in the transaction of ctx.
func (s *Service) SendProposal(ctx context.Context, p *collab.Proposal, home string) error {
	rev, err := s.Designs.Revision(ctx, p.Revision)
	if err != nil {
		return err
	}
	var files []design.FileInfo
	for _, ref := range rev.Files() {
		f, err := s.Designs.File(ctx, ref.SHA256)
		if err != nil {
			return err
		}
		files = appendFile(files, *f)
	}
	e, err := s.publish(ctx, feed.KindProposal, ProposalEntry{ID: p.ID, Design: p.DesignID, Home: home, FromDesign: p.FromDesign,
		Revision: p.Revision, Base: p.Base, Title: p.Title, Author: p.Author, Files: files})
	if err != nil {
		return err
	}
	if s.Jobs == nil {
		return fmt.Errorf("no job queue to deliver proposals with")
	}
	j, err := jobs.New(DeliverKind, delivery{Seq: e.Seq, Node: home})
	if err != nil {
		return err
	}
	j.MaxAttempts = 50
	_, _, err = s.Jobs.Enqueue(ctx, j)
	return err
}

// Deliver posts a queued proposal to its design's node.
func (s *Service) Deliver(ctx context.Context, j jobs.Job) error {
	var d delivery
	if err := json.Unmarshal(j.Args, &d); err != nil {
		return err
	}
	body, err := s.Store.Entry(ctx, s.Node(), d.Seq)
	if err != nil || body == nil {
		return fmt.Errorf("entry %d of this node's log: %v", d.Seq, err)
	}
	p, err := s.Store.Peer(ctx, d.Node)
	if err != nil {
		return fmt.Errorf("the node %s is no longer followed: %w", d.Node, err)
	}
	var e feed.Entry
	if err := json.Unmarshal(body, &e); err != nil {
		return err
	}
	msg, err := json.Marshal(Inbox{From: s.URL, Entry: e})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", p.URL+"/federation/inbox", bytes.NewReader(msg))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s refused the proposal: %s %s", p.URL, resp.Status, b)
	}
	return nil
}

// Receive takes an entry another node posted: a proposal to one of this
// node's designs. The sender is who its document says it is, the entry
// is signed by its key, and the revision and files hash to what it
// names, before anything is kept.
func (s *Service) Receive(ctx context.Context, in *Inbox) error {
	e := &in.Entry
	if e.Kind != feed.KindProposal {
		return &dgml.Error{Kind: dgml.Invalid, Field: "entry.kind", Msg: "this inbox takes proposals"}
	}
	doc, err := s.Fetch(ctx, in.From)
	if err != nil {
		return err
	}
	if doc.Node != e.Node {
		return &dgml.Error{Kind: dgml.Forbidden, Field: "from", Msg: "the entry is not the node's at that address"}
	}
	if e.Key != doc.Key && e.Key != doc.FirstKey {
		return &dgml.Error{Kind: dgml.Forbidden, Field: "entry.key", Msg: "signed by a key the node does not show"}
	}
	key, err := feed.DecodeKey(e.Key)
	if err != nil {
		return &dgml.Error{Kind: dgml.Invalid, Field: "entry.key", Msg: err.Error()}
	}
	if err := e.VerifySig(key); err != nil {
		return &dgml.Error{Kind: dgml.Forbidden, Field: "entry.sig", Msg: err.Error()}
	}
	var pe ProposalEntry
	if err := strictJSON(e.Object, &pe); err != nil {
		return &dgml.Error{Kind: dgml.Invalid, Field: "entry.object", Msg: err.Error()}
	}
	if pe.Home != s.Node() {
		return &dgml.Error{Kind: dgml.Invalid, Field: "entry.object.home", Msg: "the proposal is for another node"}
	}
	if s.People == nil {
		return &dgml.Error{Kind: dgml.Unsupported, Msg: "this node takes no proposals"}
	}
	peer := &feed.Peer{Node: doc.Node, URL: doc.URL}
	rev, _, err := s.revision(ctx, peer, pe.Revision)
	if err != nil {
		return err
	}
	for _, f := range pe.Files {
		if !hexSum(f.SHA256) {
			return &dgml.Error{Kind: dgml.Invalid, Field: "entry.object.files", Msg: "not a SHA-256"}
		}
		if !s.Blobs.Has(f.SHA256) {
			if _, err := s.fetchFile(ctx, peer, f.SHA256); err != nil {
				return err
			}
		}
	}
	return s.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := s.Designs.PutRevision(ctx, rev, pe.Files); err != nil {
			return err
		}
		return s.People.ReceiveProposal(ctx, &collab.Proposal{DesignID: pe.Design, FromDesign: pe.FromDesign, Revision: pe.Revision, Base: pe.Base,
			Title: pe.Title, Author: pe.Author, FromNode: e.Node, Remote: pe.ID})
	})
}

// Decided publishes what became of a proposal from another node; that
// node reads it in this node's log.
func (s *Service) Decided(ctx context.Context, p *collab.Proposal) error {
	return s.Publish(ctx, feed.KindDecision, DecisionEntry{Proposal: p.Remote, Node: p.FromNode, Status: p.Status})
}
