package federation

import (
	"context"
	"log/slog"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/feed"
	"github.com/dgml/dgml/jobs"
)

// admin lets only the node's admins change whom it follows.
func admin(u *account.User) error {
	if u == nil {
		return &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in as a node admin"}
	}
	if !u.Admin {
		return &dgml.Error{Kind: dgml.Forbidden, Msg: "only the node's admins choose which nodes it follows"}
	}
	return nil
}

// Follow follows a node, as an admin.
func (s *Service) Follow(ctx context.Context, u *account.User, base string) (*feed.Peer, error) {
	if err := admin(u); err != nil {
		return nil, err
	}
	return s.AddPeer(ctx, base)
}

// Unfollow stops following a node, as an admin; what was learned from it
// stays.
func (s *Service) Unfollow(ctx context.Context, u *account.User, node string) error {
	if err := admin(u); err != nil {
		return err
	}
	return s.Store.RemovePeer(ctx, node)
}

// SyncAs syncs a peer now, as an admin.
func (s *Service) SyncAs(ctx context.Context, u *account.User, node string) (*SyncResult, error) {
	if err := admin(u); err != nil {
		return nil, err
	}
	return s.Sync(ctx, node)
}

// SyncAll syncs every peer in turn (a failing one does not stop the
// others), skipping those an operator must look at first.
func (s *Service) SyncAll(ctx context.Context) []SyncResult {
	peers, err := s.Store.Peers(ctx)
	if err != nil {
		s.Log.Warn("sync: listing peers", "err", err)
		return nil
	}
	var out []SyncResult
	for _, p := range peers {
		if p.Status == feed.PeerEquivocation {
			continue
		}
		r, _ := s.Sync(ctx, p.Node)
		if r != nil {
			out = append(out, *r)
		}
	}
	return out
}

// LogSize is how many entries this node's log has.
func (s *Service) LogSize(ctx context.Context) (uint64, error) {
	st, err := s.Store.Log(ctx, s.Node())
	if err != nil || st == nil {
		return 0, err
	}
	return st.Seq, nil
}

// SyncKind is the job that reads every followed log: one at a time
// however many processes serve, since the queue leases it to one.
const SyncKind = "federation.sync"

// Schedule enqueues a sync of all peers every interval, once however
// many processes schedule it (the job's unique key), and wakes the
// runner.
func Schedule(ctx context.Context, q jobs.Store, r *jobs.Runner, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		j, _ := jobs.New(SyncKind, nil)
		j.UniqueKey = SyncKind
		j.MaxAttempts = 1
		if _, _, err := q.Enqueue(ctx, j); err != nil && ctx.Err() == nil {
			log.Warn("scheduling a sync of the peers", "err", err)
		}
		r.Wake()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
