package federation

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/feed"
	"github.com/dgml/dgml/ledger"
)

// BatchSize is how many entries a follower asks for at a time: the most
// a node serves. Fewer made more, smaller transactions (a 100,000-design
// sync took 78 s with 500; 74 s with 1,000 and with 2,500).
const BatchSize = 1000

// firstBatch is the size of a sync's first batch.
const firstBatch = 100

// maxDocument bounds a node document; maxRevision a revision's bytes.
const (
	maxDocument = 64 << 10
	maxRevision = 8 << 20
)

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// get fetches a URL of a peer, refusing answers past max bytes.
func (s *Service) get(ctx context.Context, u string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "dgml/"+s.Version)
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("GET %s: more than %d bytes", u, max)
	}
	return b, nil
}

// Fetch reads a node's document from its base URL and checks it.
func (s *Service) Fetch(ctx context.Context, base string) (*Document, error) {
	base = strings.TrimRight(base, "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "url", Msg: "a node's base URL, http:// or https://"}
	}
	b, err := s.get(ctx, base+"/.well-known/dgml", maxDocument)
	if err != nil {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "url", Msg: "no dgml node answers there: " + err.Error()}
	}
	var d Document
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "url", Msg: "the node's document: " + err.Error()}
	}
	if err := d.Verify(); err != nil {
		return nil, err
	}
	return &d, nil
}

// AddPeer follows the node at a base URL: its document is fetched and
// checked, and the node's first key becomes the key its log must start
// with. Following one's own node is refused.
func (s *Service) AddPeer(ctx context.Context, base string) (*feed.Peer, error) {
	d, err := s.Fetch(ctx, base)
	if err != nil {
		return nil, err
	}
	if d.Node == s.Node() {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "url", Msg: "that is this node"}
	}
	if _, err := s.Store.Peer(ctx, d.Node); err == nil {
		return nil, &dgml.Error{Kind: dgml.Conflict, Field: "url", Msg: fmt.Sprintf("node %s (%s) is followed already", d.Name, d.Node)}
	}
	p := &feed.Peer{Node: d.Node, URL: strings.TrimRight(base, "/"), Name: d.Name, Domain: d.Domain, Status: feed.PeerNew, AddedAt: time.Now().UTC()}
	err = s.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := s.Store.SavePeer(ctx, p); err != nil {
			return err
		}
		st, err := s.Store.Log(ctx, d.Node)
		if err != nil || st != nil {
			return err
		}
		// An empty log, whose first entry the first key must sign.
		first, _ := feed.DecodeKey(d.FirstKey)
		f := &feed.Follower{Node: d.Node, Key: first, Tree: feed.NewTree()}
		return s.Store.KeepEntries(ctx, f.State(), nil)
	})
	if err != nil {
		return nil, err
	}
	saved, err := s.Store.Peer(ctx, d.Node)
	if err != nil {
		return nil, err
	}
	// Say so, signed, so that workshops there that share with followers
	// only are readable; a node that cannot be told is still followed.
	if err := s.announce(ctx, saved); err != nil {
		s.Log.Warn("could not tell the node it is followed", "peer", saved.URL, "err", err)
	}
	return saved, nil
}

// SyncResult says what a sync did.
type SyncResult struct {
	Peer    string `json:"peer"`
	Entries int    `json:"entries"` // new entries kept
	Objects int    `json:"objects"` // revisions and files fetched
	Bytes   int64  `json:"bytes"`   // read from the peer
	Seq     uint64 `json:"seq"`     // how far the log is read now
}

// Sync reads a peer's log from where it stopped, a batch at a time. Each
// batch is checked whole (every signature, the chain, the checkpoint's
// root) and its objects fetched and hashed before anything of it is
// kept; then its entries and their effects are kept in one transaction.
// A batch that fails a check keeps nothing, and the peer's status says
// why. An interrupted sync loses at most the batch it was in.
func (s *Service) Sync(ctx context.Context, node string) (*SyncResult, error) {
	p, err := s.Store.Peer(ctx, node)
	if err != nil {
		return nil, err
	}
	res := &SyncResult{Peer: p.Node}
	err = s.sync(ctx, p, res)
	now := time.Now().UTC()
	p.SyncedAt = &now
	switch {
	case err == nil:
		p.Status, p.Error = feed.PeerOK, ""
	case errors.As(err, new(*equivocation)):
		p.Status, p.Error = feed.PeerEquivocation, err.Error()
	case errors.As(err, new(*feed.Error)), dgml.KindOf(err) == dgml.Forbidden, dgml.KindOf(err) == dgml.Invalid:
		p.Status, p.Error = feed.PeerRefused, err.Error()
	default:
		p.Status, p.Error = feed.PeerFailing, err.Error()
	}
	if serr := s.Store.SavePeer(context.WithoutCancel(ctx), p); serr != nil && err == nil {
		err = serr
	}
	if err != nil {
		s.Log.Warn("sync", "peer", p.URL, "status", p.Status, "err", err)
	}
	return res, err
}

// equivocation is a peer showing two versions of one entry.
type equivocation struct {
	seq uint64
	msg string
}

func (e *equivocation) Error() string {
	return fmt.Sprintf("entry %d: %s", e.seq, e.msg)
}

func (s *Service) sync(ctx context.Context, p *feed.Peer, res *SyncResult) error {
	st, err := s.Store.Log(ctx, p.Node)
	if err != nil {
		return err
	}
	if st == nil {
		return fmt.Errorf("no log of %s is kept: add the peer again", p.Node)
	}
	f, err := feed.FollowerOf(*st)
	if err != nil {
		return err
	}
	if f.Seq == 0 && p.Status == feed.PeerEquivocation {
		return &equivocation{msg: "the peer showed two versions of its log: an operator must decide"}
	}
	// Three stages run at once, each a batch ahead of the next: reading
	// and checking a batch's entries (the network and the signatures),
	// fetching the objects they name (the peer's store and disk, and
	// hashing here), and keeping them (this node's store).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// A batch whose objects fail stops the reading at once, while the
	// batches before it are still kept.
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	read := make(chan *checked, 1)
	var readErr, fetchErr error
	go func() {
		defer close(read)
		// The first batch is small, so that the store has work while the
		// next, full one is read.
		limit := firstBatch
		for {
			c, err := s.readBatch(readCtx, p, f, limit)
			limit = BatchSize
			if err != nil {
				readErr = err
				return
			}
			select {
			case read <- c:
			case <-readCtx.Done():
				return
			}
			if !c.more {
				return
			}
			f = c.state
		}
	}()
	batches := make(chan *checked, 1)
	go func() {
		defer close(batches)
		for c := range read {
			if err := s.fetchBatch(ctx, p, c); err != nil {
				fetchErr = err
				stopReading()
				for range read {
				}
				return
			}
			select {
			case batches <- c:
			case <-ctx.Done():
				for range read {
				}
				return
			}
		}
	}()
	for c := range batches {
		res.Bytes += c.bytes
		res.Objects += c.objects
		err := s.Tx.Atomically(ctx, func(ctx context.Context) error {
			for i := range c.batch.Entries {
				if err := s.apply(ctx, p, &c.batch.Entries[i], c.objs); err != nil {
					if errors.As(err, new(*feed.Error)) {
						return err
					}
					return fmt.Errorf("entry %d: %w", c.batch.Entries[i].Seq, err)
				}
			}
			return s.Store.KeepEntries(ctx, c.state.State(), c.kept)
		})
		if err != nil {
			cancel()
			for range batches {
			}
			return err
		}
		res.Entries += len(c.batch.Entries)
		res.Seq = c.state.Seq
	}
	if fetchErr != nil {
		return fetchErr
	}
	return readErr
}

// checked is a batch of a peer's log read, checked whole and with its
// objects fetched: what keeping it needs.
type checked struct {
	batch   *feed.Batch
	kept    []feed.Kept
	state   *feed.Follower // the log's state after it
	objs    *fetched
	objects int
	bytes   int64
	more    bool
}

// readBatch reads the batch after f's last entry and checks it: every
// signature, the chain, the checkpoint's root, and the objects its
// entries name, fetched and hashed (files reach the disk before the
// store will record them).
func (s *Service) readBatch(ctx context.Context, p *feed.Peer, f *feed.Follower, limit int) (*checked, error) {
	u := fmt.Sprintf("%s/federation/feed?after=%d&limit=%d", p.URL, f.Seq, limit)
	body, err := s.get(ctx, u, feed.DefaultLimits.Bytes)
	if err != nil {
		return nil, err
	}
	c := &checked{bytes: int64(len(body))}
	b, err := feed.ReadBatch(ctx, bytes.NewReader(body), feed.DefaultLimits)
	if err != nil {
		return nil, err
	}
	work := f.Copy()
	c.kept = make([]feed.Kept, 0, len(b.Entries))
	for i := range b.Entries {
		e := &b.Entries[i]
		if err := work.Next(e); err != nil {
			var fe *feed.Error
			if errors.As(err, &fe) && fe.Field == "prev" && e.Seq == f.Seq+uint64(i)+1 {
				return nil, s.equivocated(ctx, p, e.Seq-1, err)
			}
			return nil, err
		}
		eb, _ := e.Bytes()
		c.kept = append(c.kept, feed.Kept{Seq: e.Seq, Kind: e.Kind, Body: eb, Root: work.Tree.Root()})
	}
	if b.Checkpoint == nil {
		return nil, &feed.Error{Field: "checkpoint", Msg: "the batch has none"}
	}
	if err := work.Check(b.Checkpoint); err != nil {
		if len(b.Entries) == 0 {
			return nil, s.equivocated(ctx, p, f.Seq, err)
		}
		return nil, err
	}
	c.batch, c.state = b, work
	c.more = b.More && len(b.Entries) > 0
	return c, nil
}

// fetchBatch fetches and checks the objects a checked batch names;
// files reach the disk before the store will record them.
func (s *Service) fetchBatch(ctx context.Context, p *feed.Peer, c *checked) error {
	objs, got, n, err := s.fetchObjects(ctx, p, c.batch.Entries)
	c.bytes += n
	if err != nil {
		return err
	}
	if u, ok := s.Blobs.(design.UnsyncedBlobs); ok && got > 0 {
		if err := u.SyncAll(); err != nil {
			return err
		}
	}
	c.objs, c.objects = objs, got
	return nil
}

// equivocated handles a peer whose log no longer agrees with the entries
// kept of it: the entry it now shows at seq is kept beside ours as a
// conflict, when it differs.
func (s *Service) equivocated(ctx context.Context, p *feed.Peer, seq uint64, cause error) error {
	if seq == 0 {
		return cause
	}
	ours, err := s.Store.Entry(ctx, p.Node, seq)
	if err != nil || ours == nil {
		return cause
	}
	u := fmt.Sprintf("%s/federation/feed?after=%d&limit=1", p.URL, seq-1)
	body, err := s.get(ctx, u, feed.DefaultLimits.Bytes)
	if err != nil {
		return cause
	}
	b, err := feed.ReadBatch(ctx, bytes.NewReader(body), feed.DefaultLimits)
	if err != nil || len(b.Entries) != 1 {
		return cause
	}
	theirs := &b.Entries[0]
	tb, _ := theirs.Bytes()
	if string(tb) == string(ours) || theirs.Seq != seq {
		return cause
	}
	// Only a version the node signed is its equivocation; anything else
	// is a forgery by whoever served it.
	st, _ := s.Store.Log(ctx, p.Node)
	if st != nil {
		if k, err := feed.DecodeKey(theirs.Key); err == nil && theirs.VerifySig(k) == nil && s.knownKey(ctx, p.Node, theirs.Key, st.Key) {
			s.Store.AddConflict(ctx, feed.Conflict{Node: p.Node, Seq: seq, Hash: sha256Hex(tb), Body: tb, Source: p.URL, SeenAt: time.Now().UTC()})
			return &equivocation{seq: seq, msg: "the node now shows a different entry, signed by its key, than the one followed: both are kept, and it is no longer followed until an operator decides"}
		}
	}
	return cause
}

// knownKey says whether a key is one the followed log used: its first
// key or one its key entries named.
func (s *Service) knownKey(ctx context.Context, node, key, current string) bool {
	if key == current {
		return true
	}
	bodies, _ := s.Store.KeyEntries(ctx, node)
	for _, b := range bodies {
		var e feed.Entry
		if json.Unmarshal(b, &e) == nil && e.Key == key {
			return true
		}
	}
	return false
}

// fetchObjects fetches what a batch's entries name and this node lacks:
// revisions (checked against their ids and kept in memory until the
// batch is applied: the store keeps a revision with its design) and
// files (into the blob store, each checked against its hash), many to a
// request. Nothing is fetched inside the transaction that keeps the
// batch.
func (s *Service) fetchObjects(ctx context.Context, p *feed.Peer, entries []feed.Entry) (*fetched, int, int64, error) {
	out := &fetched{revs: map[string]*design.Revision{}, canonical: map[string][]byte{}, records: map[string]*facility.Facility{}, designs: map[uint64]*designEntry{}}
	revs := out.revs
	var wantRevs, wantFiles []string
	seen := map[string]bool{}
	file := func(seq uint64, field string, f design.FileInfo) error {
		if !hexSum(f.SHA256) {
			return &feed.Error{Seq: seq, Field: field, Msg: "not a SHA-256"}
		}
		if !seen[f.SHA256] && !s.Blobs.Has(f.SHA256) {
			wantFiles = append(wantFiles, f.SHA256)
		}
		seen[f.SHA256] = true
		return nil
	}
	for i := range entries {
		e := &entries[i]
		switch e.Kind {
		case feed.KindFacility:
			var fe FacilityEntry
			if err := strictJSON(e.Object, &fe); err != nil {
				return nil, 0, 0, &feed.Error{Seq: e.Seq, Field: "object", Msg: err.Error()}
			}
			if fe.Record == nil && fe.Ref != "" {
				f, err := s.privateRecord(ctx, p, fe.Ref)
				if err != nil {
					// Not a follower it knows of, or the record changed
					// since: its entry is kept, its record is not.
					s.Log.Info("a workshop shared with followers only stays unread", "peer", p.URL, "entry", e.Seq, "err", err)
					continue
				}
				out.records[fe.Ref] = f
			}
		case feed.KindReport:
			var re ReportEntry
			if err := strictJSON(e.Object, &re); err != nil {
				return nil, 0, 0, &feed.Error{Seq: e.Seq, Field: "object", Msg: err.Error()}
			}
			for _, f := range re.Photos {
				if err := file(e.Seq, "object.photos", f); err != nil {
					return nil, 0, 0, err
				}
			}
		case feed.KindDesign:
			var de DesignEntry
			if err := strictJSON(e.Object, &de); err != nil {
				return nil, 0, 0, &feed.Error{Seq: e.Seq, Field: "object", Msg: err.Error()}
			}
			if !hexSum(de.Revision) {
				return nil, 0, 0, &feed.Error{Seq: e.Seq, Field: "object.revision", Msg: "not a SHA-256"}
			}
			// Decoded and checked here, a stage ahead of the store, which
			// is the sync's narrowest stage.
			evs, err := parseEvents(p, e.Seq, "object.events", de.Events)
			if err != nil {
				return nil, 0, 0, err
			}
			out.designs[e.Seq] = &designEntry{DesignEntry: de, events: evs}
			if !seen[de.Revision] {
				seen[de.Revision] = true
				if r, err := s.Designs.Revision(ctx, de.Revision); err == nil {
					revs[de.Revision] = r
				} else {
					wantRevs = append(wantRevs, de.Revision)
				}
			}
			for _, f := range de.Files {
				if err := file(e.Seq, "object.files", f); err != nil {
					return nil, 0, 0, err
				}
			}
		}
	}
	// Revisions and files come in two requests at once: the peer reads
	// its store for the one while its disk serves the other, and this
	// node parses revisions while it writes files.
	var mu sync.Mutex
	got, bytes := 0, int64(0)
	fetch := func(want []string, take func(sum string, r io.Reader) error) error {
		for len(want) > 0 {
			chunk := want[:min(len(want), maxObjects)]
			n, fetched, err := s.fetchMany(ctx, p, chunk, take)
			mu.Lock()
			bytes += n
			got += fetched
			mu.Unlock()
			if err != nil {
				return err
			}
			if fetched == 0 {
				return fmt.Errorf("%s served none of the objects asked for", p.URL)
			}
			want = want[fetched:]
		}
		return nil
	}
	var g errgroup.Group
	g.Go(func() error {
		return fetch(wantRevs, func(sum string, r io.Reader) error {
			rev, b, err := s.readRevision(sum, r)
			if err == nil {
				mu.Lock()
				revs[sum] = rev
				out.canonical[sum] = b
				mu.Unlock()
			}
			return err
		})
	})
	g.Go(func() error { return fetch(wantFiles, s.putFile) })
	if err := g.Wait(); err != nil {
		return nil, got, bytes, err
	}
	return out, got, bytes, nil
}

// fetched is what a batch's entries named, fetched and checked.
type fetched struct {
	revs      map[string]*design.Revision
	canonical map[string][]byte             // revisions' bytes as fetched, which hash to their ids
	records   map[string]*facility.Facility // workshops shared with followers only, by ref
	designs   map[uint64]*designEntry       // design entries decoded, by sequence number
}

// designEntry is a design entry decoded, with its events checked.
type designEntry struct {
	DesignEntry
	events []ledger.Event
}

// maxObjects is how many objects a follower asks for in one request.
const maxObjects = 500

// fetchMany asks a peer for objects by SHA-256 (POST /federation/objects)
// and reads them as they come: each a line "SUM SIZE" and its bytes, in
// the order asked, as many as the peer sends in one answer. Each goes to
// fn, which must check it hashes to its sum. It returns the bytes read
// and how many objects came.
func (s *Service) fetchMany(ctx context.Context, p *feed.Peer, sums []string, fn func(sum string, r io.Reader) error) (int64, int, error) {
	body, err := json.Marshal(map[string][]string{"sums": sums})
	if err != nil {
		return 0, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", p.URL+"/federation/objects", strings.NewReader(string(body)))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("objects from %s: %s", p.URL, resp.Status)
	}
	cr := &countingReader{r: resp.Body}
	br := bufio.NewReaderSize(cr, 64<<10)
	n := 0
	for n < len(sums) {
		line, err := br.ReadSlice('\n')
		if err == io.EOF && len(line) == 0 {
			break
		}
		if err != nil {
			return cr.n, n, &feed.Error{Field: "objects", Msg: "a frame's header: " + err.Error()}
		}
		var sum string
		var size int64
		if _, err := fmt.Sscanf(string(line), "%64s %d\n", &sum, &size); err != nil || sum != sums[n] || size < 0 || size > s.MaxFile {
			return cr.n, n, &feed.Error{Field: "objects", Msg: fmt.Sprintf("frame %d is not object %s in bounds", n, sums[n])}
		}
		lr := io.LimitReader(br, size)
		if err := fn(sum, lr); err != nil {
			return cr.n, n, err
		}
		if _, err := io.Copy(io.Discard, lr); err != nil {
			return cr.n, n, err
		}
		n++
	}
	return cr.n, n, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// readRevision reads a revision's bytes and checks them against its id.
func (s *Service) readRevision(id string, r io.Reader) (*design.Revision, []byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxRevision+1))
	if err != nil {
		return nil, nil, err
	}
	if len(b) > maxRevision {
		return nil, nil, &feed.Error{Field: "revision " + id, Msg: "larger than a revision may be"}
	}
	if sha256Hex(b) != id {
		return nil, nil, &feed.Error{Field: "revision " + id, Msg: "what the peer served does not hash to its id"}
	}
	var c design.Content
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, nil, &feed.Error{Field: "revision " + id, Msg: err.Error()}
	}
	if c.RevisionID() != id {
		return nil, nil, &feed.Error{Field: "revision " + id, Msg: "its content does not make its id again (written by an incompatible version)"}
	}
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	return &design.Revision{ID: id, Content: c}, b, nil
}

// putFile stores a file's bytes and checks them against its hash.
func (s *Service) putFile(sum string, r io.Reader) error {
	put := s.Blobs.Put
	if u, ok := s.Blobs.(design.UnsyncedBlobs); ok {
		put = u.PutUnsynced
	}
	got, n, err := put(io.LimitReader(r, s.MaxFile+1))
	if err != nil {
		return err
	}
	if n > s.MaxFile {
		return &dgml.Error{Kind: dgml.TooLarge, Msg: fmt.Sprintf("file %s is larger than %d bytes", sum, s.MaxFile)}
	}
	if got != sum {
		return &feed.Error{Field: "file " + sum, Msg: "what the peer served hashes to " + got}
	}
	return nil
}

// fetchFile fetches one file from a peer into the blob store, checked
// against its hash.
func (s *Service) fetchFile(ctx context.Context, p *feed.Peer, sum string) (int64, error) {
	n, got, err := s.fetchMany(ctx, p, []string{sum}, s.putFile)
	if err == nil && got != 1 {
		err = fmt.Errorf("%s does not have file %s", p.URL, sum)
	}
	return n, err
}

// revision fetches one revision from a peer, checked against its id.
func (s *Service) revision(ctx context.Context, p *feed.Peer, id string) (*design.Revision, int64, error) {
	if r, err := s.Designs.Revision(ctx, id); err == nil {
		return r, 0, nil
	}
	var rev *design.Revision
	n, got, err := s.fetchMany(ctx, p, []string{id}, func(sum string, r io.Reader) error {
		var err error
		rev, _, err = s.readRevision(sum, r)
		return err
	})
	if err == nil && got != 1 {
		err = fmt.Errorf("%s does not have revision %s", p.URL, id)
	}
	return rev, n, err
}

// apply makes an entry's change here. What the peer owns changes only
// by its entries (the stores refuse otherwise); kinds this version does
// not act on yet are kept in the log and nothing else.
func (s *Service) apply(ctx context.Context, p *feed.Peer, e *feed.Entry, got *fetched) error {
	switch e.Kind {
	case feed.KindDesign:
		read := got.designs[e.Seq]
		if read == nil {
			return fmt.Errorf("design entry %d was not read", e.Seq)
		}
		de := read.DesignEntry
		rev := got.revs[de.Revision]
		if rev == nil {
			return fmt.Errorf("revision %s was not fetched", de.Revision)
		}
		if de.ForkedFrom != nil && de.ForkedFrom.Node == "" {
			// A fork of a design that lives at the peer itself.
			fo := *de.ForkedFrom
			fo.Node = p.Node
			de.ForkedFrom = &fo
		}
		if de.ForkedFrom != nil && de.ForkedFrom.Node == s.Node() {
			fo := *de.ForkedFrom
			fo.Node = ""
			de.ForkedFrom = &fo
		}
		if _, _, err := s.Designs.Commit(ctx, design.CommitRequest{
			Content: rev.Content, Slug: de.Slug, ForkedFrom: de.ForkedFrom, Message: de.Message, Author: de.Author, Files: de.Files,
			Replica: &design.Replica{ID: de.ID, Home: p.Node, Revision: de.Number, Canonical: got.canonical[de.Revision]},
		}); err != nil {
			return err
		}
		return s.addEvents(ctx, read.events)
	case feed.KindFacility:
		var fe FacilityEntry
		if err := strictJSON(e.Object, &fe); err != nil {
			return &feed.Error{Seq: e.Seq, Field: "object", Msg: err.Error()}
		}
		if fe.Record == nil {
			fe.Record = got.records[fe.Ref]
		}
		if fe.Record == nil {
			return nil // shared with followers only, and not readable here
		}
		r := *fe.Record
		r.ID, r.Home, r.Demo, r.Disclosure = facility.ReplicaID(p.Node, fe.ID), p.Node, false, nil
		// Machine ids are the home node's; kept here under that node, so
		// that they never meet this node's own.
		for i := range r.Machines {
			if r.Machines[i].ID != "" {
				r.Machines[i].ID = facility.ReplicaID(p.Node, r.Machines[i].ID)
			}
		}
		old, err := s.Facilities.Facility(ctx, r.ID)
		switch {
		case dgml.KindOf(err) == dgml.NotFound:
			return s.Facilities.CreateFacility(ctx, &r)
		case err != nil:
			return err
		case old.Home != p.Node:
			return &dgml.Error{Kind: dgml.Forbidden, Msg: fmt.Sprintf("facility %s is not %s's", r.ID, p.Node)}
		}
		return s.Facilities.UpdateFacility(ctx, &r)
	case feed.KindReport:
		var re ReportEntry
		if err := strictJSON(e.Object, &re); err != nil {
			return &feed.Error{Seq: e.Seq, Field: "object", Msg: err.Error()}
		}
		r := re.Report
		if err := s.ownPerson(p, e, "report.author", r.Author); err != nil {
			return err
		}
		if ok, err := s.knownDesign(ctx, r.DesignID); !ok || err != nil {
			return err
		}
		if err := r.Check(); err != nil {
			return err
		}
		have, err := s.Assess.Reports(ctx, r.DesignID)
		if err != nil {
			return err
		}
		for _, h := range have {
			if h.ID == r.ID {
				return nil
			}
		}
		for _, f := range re.Photos {
			if err := s.Designs.AddFile(ctx, f); err != nil {
				return err
			}
		}
		return s.Assess.AddReport(ctx, &r)
	case feed.KindAttestation:
		var a assess.Attestation
		if err := strictJSON(e.Object, &a); err != nil {
			return &feed.Error{Seq: e.Seq, Field: "object", Msg: err.Error()}
		}
		if err := s.ownPerson(p, e, "reviewer", a.Reviewer); err != nil {
			return err
		}
		if ok, err := s.knownDesign(ctx, a.DesignID); !ok || err != nil {
			return err
		}
		// Whether the reviewer wrote the design is judged here too, from
		// the history this node holds.
		hist, err := s.Designs.History(ctx, a.DesignID)
		if err != nil {
			return err
		}
		for _, h := range hist {
			a.Insider = a.Insider || h.Author == a.Reviewer
		}
		return s.Assess.PutAttestation(ctx, a)
	case feed.KindVote:
		var v assess.Vote
		if err := strictJSON(e.Object, &v); err != nil {
			return &feed.Error{Seq: e.Seq, Field: "object", Msg: err.Error()}
		}
		if err := s.ownPerson(p, e, "voter", v.Voter); err != nil {
			return err
		}
		if top, ok := assess.Scales[v.Scale]; !ok || v.Level < 1 || v.Level > top {
			return &feed.Error{Seq: e.Seq, Field: "object.level", Msg: "not a level of a readiness scale"}
		}
		if ok, err := s.knownDesign(ctx, v.DesignID); !ok || err != nil {
			return err
		}
		return s.Assess.PutVote(ctx, v)
	case feed.KindTranslation:
		var t design.TextTranslation
		if err := strictJSON(e.Object, &t); err != nil {
			return &feed.Error{Seq: e.Seq, Field: "object", Msg: err.Error()}
		}
		if err := s.ownPerson(p, e, "author", t.Author); err != nil {
			return err
		}
		if ok, err := s.knownDesign(ctx, t.DesignID); !ok || err != nil {
			return err
		}
		return s.Texts.AddTranslation(ctx, &t)
	case feed.KindDecision:
		var d DecisionEntry
		if err := strictJSON(e.Object, &d); err != nil {
			return &feed.Error{Seq: e.Seq, Field: "object", Msg: err.Error()}
		}
		if d.Node != s.Node() || s.People == nil {
			return nil // about another node's proposal
		}
		err := s.People.ProposalDecided(ctx, d.Proposal, p.Node, d.Status)
		if dgml.KindOf(err) == dgml.NotFound {
			return nil
		}
		return err
	case feed.KindEvent:
		return s.applyEvent(ctx, p, e)
	case feed.KindTombstone:
		var t Tombstone
		if err := strictJSON(e.Object, &t); err != nil {
			return &feed.Error{Seq: e.Seq, Field: "object", Msg: err.Error()}
		}
		if t.Kind != "facility" {
			return nil
		}
		id := facility.ReplicaID(p.Node, t.ID)
		old, err := s.Facilities.Facility(ctx, id)
		if dgml.KindOf(err) == dgml.NotFound {
			return nil
		}
		if err != nil {
			return err
		}
		if old.Home != p.Node {
			return &dgml.Error{Kind: dgml.Forbidden, Msg: fmt.Sprintf("facility %s is not %s's", id, p.Node)}
		}
		return s.Facilities.DeleteFacility(ctx, id)
	}
	return nil
}

// strictJSON decodes an entry's object, refusing fields this version
// does not know.
func strictJSON(raw []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func hexSum(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32
}

// ownPerson refuses an entry that speaks for someone of another node: a
// node publishes what its own people (user@its domain) said.
func (s *Service) ownPerson(p *feed.Peer, e *feed.Entry, field, handle string) error {
	if p.Domain == "" || !strings.HasSuffix(handle, "@"+p.Domain) {
		return &feed.Error{Seq: e.Seq, Field: "object." + field, Msg: fmt.Sprintf("%q is not one of the node's people (user@%s)", handle, p.Domain)}
	}
	return nil
}

// knownDesign says whether a design is held here; what is said of a
// design this node does not hold is kept in the log only.
func (s *Service) knownDesign(ctx context.Context, id string) (bool, error) {
	_, err := s.Designs.Design(ctx, id)
	if dgml.KindOf(err) == dgml.NotFound {
		return false, nil
	}
	return err == nil, err
}
