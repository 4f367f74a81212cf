package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/design"
)

// Service follows runs on behalf of workshops' operators and their
// agents (an agent acts with an operator's token).
type Service struct {
	Store Store
	Roles account.Roles
	// Finished, when set, hears of every run that finished, with the
	// person who reported it (the order service records a build report
	// from it).
	Finished func(ctx context.Context, u *account.User, r *Run) error
	// Now is the clock (tests set it); nil: time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// PickFile chooses what a machine is given of a line's files: G-code
// first (sliced for the machine already), then a mesh. The bool says
// whether it must still be sliced.
func PickFile(files []design.FileRef) (design.FileRef, bool) {
	for _, ext := range []string{".gcode", ".gco", ".g", ".bgcode"} {
		for _, f := range files {
			if strings.HasSuffix(strings.ToLower(f.Path), ext) && f.SHA256 != "" {
				return f, false
			}
		}
	}
	for _, ext := range []string{".3mf", ".stl", ".obj"} {
		for _, f := range files {
			if strings.HasSuffix(strings.ToLower(f.Path), ext) && f.SHA256 != "" {
				return f, true
			}
		}
	}
	return design.FileRef{}, false
}

func (s *Service) permit(ctx context.Context, u *account.User, r *Run) error {
	err := account.Permit(ctx, s.Roles, u, account.Operator, r.FacilityID)
	if dgml.KindOf(err) == dgml.Forbidden {
		return &dgml.Error{Kind: dgml.NotFound, Msg: "no run " + r.ID + " at a workshop you operate"}
	}
	return err
}

// Get reads a run for its workshop's operators.
func (s *Service) Get(ctx context.Context, u *account.User, id string) (*Run, error) {
	r, err := s.Store.Run(ctx, id)
	if err != nil {
		return nil, err
	}
	return r, s.permit(ctx, u, r)
}

// List lists the runs of a machine or a workshop for its operators.
func (s *Service) List(ctx context.Context, u *account.User, facilityID string, f Filter) ([]Run, error) {
	if err := account.Permit(ctx, s.Roles, u, account.Operator, facilityID); err != nil {
		return nil, err
	}
	f.Facility = facilityID
	return s.Store.Runs(ctx, f)
}

// Report moves a run on with what the machine (through the agent) or
// the operator says.
func (s *Service) Report(ctx context.Context, u *account.User, id string, rep Report) (*Run, error) {
	r, err := s.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if rep.State == Cleared {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "state", Msg: "say the bed is clear with /clear: it is the operator's word, not the machine's"}
	}
	if err := rep.Check(r.State); err != nil {
		return nil, err
	}
	from, now := r.State, s.now()
	r.State, r.Message = rep.State, rep.Message
	if rep.Progress > 0 {
		r.Progress = rep.Progress
	}
	if rep.State == Printing && r.Started == nil {
		r.Started = &now
	}
	switch rep.State {
	case Done:
		r.Progress, r.Ended = 1, &now
		r.ActualHours, r.FilamentG, r.EnergyKWh = rep.ActualHours, rep.FilamentG, rep.EnergyKWh
	case Failed, Cancelled:
		r.Ended = &now
	}
	if err := s.Store.UpdateRun(ctx, r, from); err != nil {
		return nil, err
	}
	if rep.State == Done && s.Finished != nil {
		if err := s.Finished(ctx, u, r); err != nil {
			return r, fmt.Errorf("the run is done, but its build report was not recorded: %w", err)
		}
	}
	return r, nil
}

// Clear is the operator saying the machine's bed is clear: the agent
// may start the run. The agent never says it itself; the operator does,
// on the node's pages or through the API.
func (s *Service) Clear(ctx context.Context, u *account.User, id string) (*Run, error) {
	r, err := s.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if r.State != WaitBed {
		return nil, &dgml.Error{Kind: dgml.Conflict, Field: "state", Msg: fmt.Sprintf("the run is %s, not waiting for a clear bed", r.State)}
	}
	r.State = Cleared
	r.Message = "bed confirmed clear by " + u.Name
	if err := s.Store.UpdateRun(ctx, r, WaitBed); err != nil {
		return nil, err
	}
	return r, nil
}

// Correction is a machine's correction from its last fifty finished
// runs.
func (s *Service) Correction(ctx context.Context, machineID string) (Correction, error) {
	runs, err := s.Store.Finished(ctx, machineID, 50)
	if err != nil {
		return Correction{}, err
	}
	return Correct(runs), nil
}

// Corrections gives the corrections of the machines that have one
// (three finished runs or more), for the planner.
func (s *Service) Corrections(ctx context.Context, machineIDs []string) (map[string]Correction, error) {
	out := map[string]Correction{}
	worked, err := s.Store.Worked(ctx, machineIDs)
	if err != nil {
		return nil, err
	}
	for _, id := range worked {
		c, err := s.Correction(ctx, id)
		if err != nil {
			return nil, err
		}
		if c.Jobs >= 3 {
			out[id] = c
		}
	}
	return out, nil
}
