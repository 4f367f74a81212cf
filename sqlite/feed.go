package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/feed"
)

var _ feed.Store = (*DB)(nil)

// Log is the state of a node's log as kept.
func (db *DB) Log(ctx context.Context, node string) (*feed.LogState, error) {
	var s feed.LogState
	var tree []byte
	err := db.q(ctx).QueryRowContext(ctx, `SELECT node, key, seq, last, tree FROM logs WHERE node = ?`, node).Scan(&s.Node, &s.Key, &s.Seq, &s.Last, &tree)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if s.Tree, err = feed.TreeFromBytes(tree); err != nil {
		return nil, err
	}
	return &s, nil
}

// KeepEntries stores checked entries of a log and its new state. The
// first entry must follow the last one kept: a log kept by two writers
// at once is a conflict, never a fork.
func (db *DB) KeepEntries(ctx context.Context, st feed.LogState, entries []feed.Kept) error {
	return db.Atomically(ctx, func(ctx context.Context) error {
		q := db.q(ctx)
		var have uint64
		err := q.QueryRowContext(ctx, `SELECT seq FROM logs WHERE node = ?`, st.Node).Scan(&have)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if len(entries) > 0 && entries[0].Seq != have+1 || st.Seq != have+uint64(len(entries)) {
			return &dgml.Error{Kind: dgml.Conflict, Msg: fmt.Sprintf("the log of %s is at %d here: entries from %d do not follow", st.Node, have, st.Seq-uint64(len(entries))+1)}
		}
		now := timeText(db.now())
		for _, e := range entries {
			if _, err := q.ExecContext(ctx, `INSERT INTO feed_entries (node, seq, kind, body, root, received_at) VALUES (?, ?, ?, ?, ?, ?)`,
				st.Node, e.Seq, string(e.Kind), e.Body, e.Root, now); err != nil {
				if isUnique(err) {
					return &dgml.Error{Kind: dgml.Conflict, Msg: fmt.Sprintf("entry %d of %s is kept already", e.Seq, st.Node)}
				}
				return err
			}
		}
		_, err = q.ExecContext(ctx, `INSERT INTO logs (node, key, seq, last, tree) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (node) DO UPDATE SET key = excluded.key, seq = excluded.seq, last = excluded.last, tree = excluded.tree`,
			st.Node, st.Key, st.Seq, st.Last, feed.TreeBytes(st.Tree))
		return err
	})
}

// Entries lists a log's entries after a number, in order.
func (db *DB) Entries(ctx context.Context, node string, after uint64, limit int) ([][]byte, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT body FROM feed_entries WHERE node = ? AND seq > ? ORDER BY seq LIMIT ?`, node, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Entry is one entry of a log, nil when not kept.
func (db *DB) Entry(ctx context.Context, node string, seq uint64) ([]byte, error) {
	var b []byte
	err := db.q(ctx).QueryRowContext(ctx, `SELECT body FROM feed_entries WHERE node = ? AND seq = ?`, node, seq).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return b, err
}

// RootAt is a log's Merkle root after entry seq.
func (db *DB) RootAt(ctx context.Context, node string, seq uint64) (string, error) {
	var r string
	err := db.q(ctx).QueryRowContext(ctx, `SELECT root FROM feed_entries WHERE node = ? AND seq = ?`, node, seq).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("entry", fmt.Sprint(node, "/", seq))
	}
	return r, err
}

// NodeKeys lists the node's keys, the current one first.
func (db *DB) NodeKeys(ctx context.Context) ([]feed.SealedKey, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT public, sealed, created_at, coalesce(retired_at, '') FROM node_keys ORDER BY retired_at IS NOT NULL, seq DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []feed.SealedKey
	for rows.Next() {
		var k feed.SealedKey
		var created, retired string
		if err := rows.Scan(&k.Public, &k.Sealed, &created, &retired); err != nil {
			return nil, err
		}
		k.Created = parseTime(created)
		if retired != "" {
			t := parseTime(retired)
			k.Retired = &t
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// AddNodeKey stores a new key of the node.
func (db *DB) AddNodeKey(ctx context.Context, k feed.SealedKey) error {
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO node_keys (public, sealed, created_at) VALUES (?, ?, ?)`, k.Public, k.Sealed, timeText(k.Created))
	if isUnique(err) {
		return &dgml.Error{Kind: dgml.Conflict, Msg: "that key is the node's already"}
	}
	return err
}

// RetireNodeKey marks a key as no longer signing.
func (db *DB) RetireNodeKey(ctx context.Context, public string, at time.Time) error {
	_, err := db.q(ctx).ExecContext(ctx, `UPDATE node_keys SET retired_at = ? WHERE public = ? AND retired_at IS NULL`, timeText(at), public)
	return err
}

const peerColumns = `p.node, p.url, p.name, p.domain, p.status, p.error, coalesce(p.synced_at, ''), p.added_at, coalesce(l.seq, 0)`

func scanPeer(row interface{ Scan(...any) error }) (*feed.Peer, error) {
	var p feed.Peer
	var synced, added string
	if err := row.Scan(&p.Node, &p.URL, &p.Name, &p.Domain, &p.Status, &p.Error, &synced, &added, &p.Seq); err != nil {
		return nil, err
	}
	if synced != "" {
		t := parseTime(synced)
		p.SyncedAt = &t
	}
	p.AddedAt = parseTime(added)
	return &p, nil
}

// Peers lists the nodes followed, in the order they were added.
func (db *DB) Peers(ctx context.Context) ([]feed.Peer, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT `+peerColumns+` FROM peers p LEFT JOIN logs l ON l.node = p.node ORDER BY p.added_at, p.node`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []feed.Peer{}
	for rows.Next() {
		p, err := scanPeer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}

// Peer is one node followed.
func (db *DB) Peer(ctx context.Context, node string) (*feed.Peer, error) {
	p, err := scanPeer(db.q(ctx).QueryRowContext(ctx, `SELECT `+peerColumns+` FROM peers p LEFT JOIN logs l ON l.node = p.node WHERE p.node = ?`, node))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("peer", node)
	}
	return p, err
}

// SavePeer adds a peer or updates one; a URL another peer has is a
// conflict.
func (db *DB) SavePeer(ctx context.Context, p *feed.Peer) error {
	var synced any
	if p.SyncedAt != nil {
		synced = timeText(*p.SyncedAt)
	}
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO peers (node, url, name, domain, status, error, synced_at, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (node) DO UPDATE SET url = excluded.url, name = excluded.name, domain = excluded.domain, status = excluded.status, error = excluded.error, synced_at = excluded.synced_at`,
		p.Node, p.URL, p.Name, p.Domain, p.Status, p.Error, synced, timeText(p.AddedAt))
	if isUnique(err) {
		return &dgml.Error{Kind: dgml.Conflict, Field: "url", Msg: p.URL + " is followed already, as another node"}
	}
	return err
}

// RemovePeer stops following a node; what was learned from it stays.
func (db *DB) RemovePeer(ctx context.Context, node string) error {
	res, err := db.q(ctx).ExecContext(ctx, `DELETE FROM peers WHERE node = ?`, node)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("peer", node)
	}
	return nil
}

// AddConflict keeps a second version of an entry.
func (db *DB) AddConflict(ctx context.Context, c feed.Conflict) error {
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO feed_conflicts (node, entry_seq, hash, body, source, seen_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (node, entry_seq, hash) DO NOTHING`, c.Node, c.Seq, c.Hash, c.Body, c.Source, timeText(c.SeenAt))
	return err
}

// Conflicts lists the second versions kept of a node's entries.
func (db *DB) Conflicts(ctx context.Context, node string) ([]feed.Conflict, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT node, entry_seq, hash, body, source, seen_at FROM feed_conflicts WHERE node = ? ORDER BY entry_seq, seq`, node)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []feed.Conflict{}
	for rows.Next() {
		var c feed.Conflict
		var seen string
		if err := rows.Scan(&c.Node, &c.Seq, &c.Hash, &c.Body, &c.Source, &seen); err != nil {
			return nil, err
		}
		c.SeenAt = parseTime(seen)
		out = append(out, c)
	}
	return out, rows.Err()
}

// KeyEntries lists a log's key entries, in order.
func (db *DB) KeyEntries(ctx context.Context, node string) ([][]byte, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT body FROM feed_entries WHERE node = ? AND kind = 'key' ORDER BY seq`, node)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// PutSubscriber records a node that follows this one (again: its address
// and key are updated).
func (db *DB) PutSubscriber(ctx context.Context, s feed.Subscriber) error {
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO followers (node, url, key, added_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (node) DO UPDATE SET url = excluded.url, key = excluded.key`, s.Node, s.URL, s.Key, timeText(s.AddedAt))
	return err
}

// Subscriber is one node that follows this one.
func (db *DB) Subscriber(ctx context.Context, node string) (*feed.Subscriber, error) {
	var s feed.Subscriber
	var added string
	err := db.q(ctx).QueryRowContext(ctx, `SELECT node, url, key, added_at FROM followers WHERE node = ?`, node).Scan(&s.Node, &s.URL, &s.Key, &added)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("follower", node)
	}
	s.AddedAt = parseTime(added)
	return &s, err
}

// Subscribers lists the nodes that follow this one.
func (db *DB) Subscribers(ctx context.Context) ([]feed.Subscriber, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT node, url, key, added_at FROM followers ORDER BY added_at, node`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []feed.Subscriber{}
	for rows.Next() {
		var s feed.Subscriber
		var added string
		if err := rows.Scan(&s.Node, &s.URL, &s.Key, &added); err != nil {
			return nil, err
		}
		s.AddedAt = parseTime(added)
		out = append(out, s)
	}
	return out, rows.Err()
}

// PutFediFollower records a fediverse account following this node.
func (db *DB) PutFediFollower(ctx context.Context, actor, inbox string) error {
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO ap_followers (actor, inbox, added_at) VALUES (?, ?, ?)
		ON CONFLICT (actor) DO UPDATE SET inbox = excluded.inbox`, actor, inbox, timeText(db.now()))
	return err
}

// RemoveFediFollower forgets a fediverse account that stopped following.
func (db *DB) RemoveFediFollower(ctx context.Context, actor string) error {
	_, err := db.q(ctx).ExecContext(ctx, `DELETE FROM ap_followers WHERE actor = ?`, actor)
	return err
}

// FediFollowers maps the fediverse accounts following this node to their
// inboxes.
func (db *DB) FediFollowers(ctx context.Context) (map[string]string, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT actor, inbox FROM ap_followers`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var a, in string
		if err := rows.Scan(&a, &in); err != nil {
			return nil, err
		}
		out[a] = in
	}
	return out, rows.Err()
}
