package federation

import (
	"context"
	"encoding/json"

	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
	"github.com/dgml/dgml/feed"
)

// Designs is a design store whose commits made here are published: the
// revision, and the design's record, reach the log in the same
// transaction. Every path that commits (import, fork, edit, accepted
// proposals, API, web, CLI) goes through it; replicas written while
// following are not published again.
type Designs struct {
	design.Store
	Fed *Service
}

type quietKey struct{}

// Quietly marks writes that are not published: the demo commons, the
// same samples on every node, stays home.
func Quietly(ctx context.Context) context.Context { return context.WithValue(ctx, quietKey{}, true) }

func quiet(ctx context.Context) bool { return ctx.Value(quietKey{}) != nil }

// Commit stores the revision and publishes it.
func (d Designs) Commit(ctx context.Context, req design.CommitRequest) (*design.Design, *design.Revision, error) {
	if req.Replica != nil || quiet(ctx) {
		return d.Store.Commit(ctx, req)
	}
	var out *design.Design
	var rev *design.Revision
	err := d.Fed.Tx.Atomically(ctx, func(ctx context.Context) error {
		sink := &eventSink{}
		var err error
		out, rev, err = d.Store.Commit(context.WithValue(ctx, sinkKey{}, sink), req)
		if err != nil {
			return err
		}
		var files []design.FileInfo
		for _, ref := range rev.Files() {
			f, err := d.Store.File(ctx, ref.SHA256)
			if err != nil {
				return err
			}
			files = appendFile(files, *f)
		}
		e, err := d.Fed.publish(ctx, feed.KindDesign, DesignEntry{
			ID: out.ID, Slug: out.Slug, Name: out.Name, Revision: rev.ID, Number: out.Revisions,
			Message: req.Message, Author: req.Author, ForkedFrom: out.ForkedFrom, Files: files, Created: feed.Now(), Events: sink.events,
		})
		if err != nil {
			return err
		}
		return d.Fed.announceDesign(ctx, e)
	})
	return out, rev, err
}

func appendFile(fs []design.FileInfo, f design.FileInfo) []design.FileInfo {
	for _, g := range fs {
		if g.SHA256 == f.SHA256 {
			return fs
		}
	}
	return append(fs, f)
}

// Facilities is a facility store whose own workshops' changes are
// published as each workshop's disclosure allows: the redacted record,
// inline or by hash, and a tombstone when it is withdrawn or hidden.
type Facilities struct {
	facility.Store
	Fed *Service
}

// CreateFacility stores and publishes a new workshop.
func (f Facilities) CreateFacility(ctx context.Context, fac *facility.Facility) error {
	return f.Fed.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := f.Store.CreateFacility(ctx, fac); err != nil {
			return err
		}
		return f.publish(ctx, fac, nil)
	})
}

// CreateFacilities stores new workshops and publishes their records in
// one transaction, appending to the node's log once for all of them.
func (f Facilities) CreateFacilities(ctx context.Context, fs []*facility.Facility) error {
	return f.Fed.Tx.Atomically(ctx, func(ctx context.Context) error {
		// Each stored record is made an entry, canonical and signed, on
		// another core while the next is written.
		w, err := f.Fed.openLog(ctx)
		if err != nil {
			return err
		}
		stored := make(chan *facility.Facility, 64)
		var logErr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			for fac := range stored {
				if logErr != nil {
					continue
				}
				e, ok, err := facilityEntry(fac)
				if err == nil && ok {
					var b json.RawMessage
					if b, err = feed.Canonical(e); err == nil {
						err = w.add(feed.KindFacility, b)
					}
				}
				logErr = err
			}
		}()
		for _, fac := range fs {
			if err = f.Store.CreateFacility(ctx, fac); err != nil {
				break
			}
			if fac.Home == "" && !quiet(ctx) {
				stored <- fac
			}
		}
		close(stored)
		<-done
		if err != nil {
			return err
		}
		if logErr != nil {
			return logErr
		}
		return f.Fed.keep(ctx, w)
	})
}

// UpdateFacility stores and publishes a workshop's new record.
func (f Facilities) UpdateFacility(ctx context.Context, fac *facility.Facility) error {
	return f.Fed.Tx.Atomically(ctx, func(ctx context.Context) error {
		old, err := f.Store.Facility(ctx, fac.ID)
		if err != nil {
			return err
		}
		if err := f.Store.UpdateFacility(ctx, fac); err != nil {
			return err
		}
		return f.publish(ctx, fac, old)
	})
}

// DeleteFacility withdraws a workshop and publishes its tombstone.
func (f Facilities) DeleteFacility(ctx context.Context, ref string) error {
	return f.Fed.Tx.Atomically(ctx, func(ctx context.Context) error {
		old, err := f.Store.Facility(ctx, ref)
		if err != nil {
			return err
		}
		if err := f.Store.DeleteFacility(ctx, ref); err != nil {
			return err
		}
		if old.Home != "" || quiet(ctx) || old.Disclosed().Visibility == facility.VisibilityNone {
			return nil
		}
		return f.Fed.Publish(ctx, feed.KindTombstone, Tombstone{Kind: "facility", ID: old.ID})
	})
}

// publish sends a workshop's record as its disclosure allows; one that
// stops being published is withdrawn from the peers.
func (f Facilities) publish(ctx context.Context, fac, old *facility.Facility) error {
	if fac.Home != "" || quiet(ctx) {
		return nil
	}
	vis := fac.Disclosed().Visibility
	if vis == facility.VisibilityNone {
		if old != nil && old.Disclosed().Visibility != facility.VisibilityNone {
			return f.Fed.Publish(ctx, feed.KindTombstone, Tombstone{Kind: "facility", ID: fac.ID})
		}
		return nil
	}
	e, _, err := facilityEntry(fac)
	if err != nil {
		return err
	}
	return f.Fed.Publish(ctx, feed.KindFacility, e)
}

// facilityEntry is what the log says of a workshop as its disclosure
// allows: its redacted record, or only the record's hash for followers;
// false when it is not published at all.
func facilityEntry(fac *facility.Facility) (FacilityEntry, bool, error) {
	vis := fac.Disclosed().Visibility
	if vis == facility.VisibilityNone {
		return FacilityEntry{}, false, nil
	}
	r := fac.Redacted()
	e := FacilityEntry{ID: fac.ID, Visibility: vis}
	if vis == facility.VisibilityPublic {
		e.Record = &r
	} else {
		b, err := feed.Canonical(&r)
		if err != nil {
			return e, false, err
		}
		e.Ref = sha256Hex(b)
	}
	return e, true, nil
}

// Assess is an assessment store whose reports, attestations and votes
// made here are published: they merge by union wherever the design is
// followed.
type Assess struct {
	assess.Store
	Designs design.Store
	Fed     *Service
}

// AddReport stores and publishes a build report.
func (a Assess) AddReport(ctx context.Context, r *assess.Report) error {
	if quiet(ctx) {
		return a.Store.AddReport(ctx, r)
	}
	return a.Fed.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := a.Store.AddReport(ctx, r); err != nil {
			return err
		}
		var photos []design.FileInfo
		for _, sum := range r.Photos {
			f, err := a.Designs.File(ctx, sum)
			if err != nil {
				return err
			}
			photos = appendFile(photos, *f)
		}
		return a.Fed.Publish(ctx, feed.KindReport, ReportEntry{Report: *r, Photos: photos})
	})
}

// PutAttestation stores and publishes an attestation.
func (a Assess) PutAttestation(ctx context.Context, at assess.Attestation) error {
	if quiet(ctx) {
		return a.Store.PutAttestation(ctx, at)
	}
	return a.Fed.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := a.Store.PutAttestation(ctx, at); err != nil {
			return err
		}
		at.Standing = nil
		return a.Fed.Publish(ctx, feed.KindAttestation, at)
	})
}

// PutVote stores and publishes a vote.
func (a Assess) PutVote(ctx context.Context, v assess.Vote) error {
	if quiet(ctx) {
		return a.Store.PutVote(ctx, v)
	}
	return a.Fed.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := a.Store.PutVote(ctx, v); err != nil {
			return err
		}
		v.Standing = nil
		return a.Fed.Publish(ctx, feed.KindVote, v)
	})
}

// Translations is a translation store whose translations made here are
// published.
type Translations struct {
	Store design.Translations
	Fed   *Service
}

// Translations lists a design's translations.
func (t Translations) Translations(ctx context.Context, designID string) ([]design.TextTranslation, error) {
	return t.Store.Translations(ctx, designID)
}

// AddTranslation stores and publishes a translation.
func (t Translations) AddTranslation(ctx context.Context, tr *design.TextTranslation) error {
	if quiet(ctx) {
		return t.Store.AddTranslation(ctx, tr)
	}
	return t.Fed.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := t.Store.AddTranslation(ctx, tr); err != nil {
			return err
		}
		return t.Fed.Publish(ctx, feed.KindTranslation, tr)
	})
}
