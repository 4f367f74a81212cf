// Package dispatch takes jobs to machines: a run is one part line's job
// on one booked machine, followed from queued to done; a driver speaks
// to one kind of machine (a printer's network API, or an operator's
// hands for machines without one). The workshop agent (`dgml agent`)
// runs the drivers inside the workshop's network and reports to the
// node, so that printers behind NAT need no port opened.
package dispatch

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
)

// Run states. A run waits for the operator to say the bed is clear
// before it starts: a machine never starts on top of the last print.
const (
	Queued    = "queued"    // placed, waiting for its machine's agent
	WaitBed   = "wait_bed"  // the file is on the machine; the operator must confirm the bed is clear
	Cleared   = "cleared"   // confirmed: the agent starts it
	Printing  = "printing"  // running
	Done      = "done"      // finished; actual figures recorded
	Failed    = "failed"    // the machine reported an error, or the operator did
	Cancelled = "cancelled" // the order or the workshop withdrew it
)

// Run is one job on one machine.
type Run struct {
	ID         string         `json:"id"`
	RequestID  string         `json:"request_id"`
	Line       int            `json:"line"` // 1-based line of the request
	Part       string         `json:"part"`
	Quantity   float64        `json:"quantity"`
	FacilityID string         `json:"facility_id"`
	MachineID  string         `json:"machine_id"`
	BookingID  string         `json:"booking_id,omitempty"`
	Process    design.Process `json:"process"`
	// File is what the machine is given: G-code when the design or the
	// operator has it, else the part's mesh (the agent slices it when a
	// slicer is configured there, and says so).
	File  design.FileRef `json:"file"`
	State string         `json:"state"`
	// Progress is 0..1.
	Progress float64 `json:"progress"`
	// EstimatedHours is the planner's machine time; ActualHours what
	// the machine (or the operator) reported.
	EstimatedHours float64    `json:"estimated_hours"`
	ActualHours    float64    `json:"actual_hours,omitempty"`
	FilamentG      float64    `json:"filament_g,omitempty"`
	EnergyKWh      float64    `json:"energy_kwh,omitempty"`
	Message        string     `json:"message,omitempty"`
	Started        *time.Time `json:"started,omitempty"`
	Ended          *time.Time `json:"ended,omitempty"`
	Updated        time.Time  `json:"updated"`
}

// Report is what an agent or an operator says about a run.
type Report struct {
	State       string  `json:"state"`
	Progress    float64 `json:"progress,omitempty"`
	ActualHours float64 `json:"actual_hours,omitempty"`
	FilamentG   float64 `json:"filament_g,omitempty"`
	EnergyKWh   float64 `json:"energy_kwh,omitempty"`
	Message     string  `json:"message,omitempty"`
}

// next are the states a report may move a run to, from each state.
var next = map[string][]string{
	Queued:   {WaitBed, Printing, Failed, Cancelled}, // Printing: a manual machine started by hand
	WaitBed:  {Cleared, Failed, Cancelled},
	Cleared:  {Printing, Failed, Cancelled},
	Printing: {Printing, Done, Failed, Cancelled},
}

// Check says whether a report may move a run from one state, and
// whether its figures are sane.
func (r *Report) Check(from string) error {
	ok := false
	for _, s := range next[from] {
		ok = ok || s == r.State
	}
	if !ok {
		return &dgml.Error{Kind: dgml.Conflict, Field: "state", Msg: fmt.Sprintf("a run %s cannot become %s", from, r.State)}
	}
	bad := func(field, msg string) error { return &dgml.Error{Kind: dgml.Invalid, Field: field, Msg: msg} }
	switch {
	case !(r.Progress >= 0 && r.Progress <= 1):
		return bad("progress", "a fraction from 0 to 1")
	case !(r.ActualHours >= 0 && r.ActualHours <= 24*60):
		return bad("actual_hours", "0 to 1,440 hours")
	case !(r.FilamentG >= 0 && r.FilamentG <= 1e6):
		return bad("filament_g", "0 to 1,000,000 g")
	case !(r.EnergyKWh >= 0 && r.EnergyKWh <= 1e5):
		return bad("energy_kwh", "0 to 100,000 kWh")
	case len(r.Message) > 1000:
		return bad("message", "at most 1,000 characters")
	case r.State == Done && r.ActualHours == 0:
		return bad("actual_hours", "a finished run says how long it took")
	}
	return nil
}

// Filter selects runs.
type Filter struct {
	Facility  string
	Machine   string
	RequestID string
	Open      bool // not done, failed or cancelled
	Limit     int
}

// Store keeps runs.
type Store interface {
	CreateRun(ctx context.Context, r *Run) error
	Run(ctx context.Context, id string) (*Run, error)
	Runs(ctx context.Context, f Filter) ([]Run, error)
	// UpdateRun stores r if its state is still from; a run changed
	// meanwhile is a Conflict.
	UpdateRun(ctx context.Context, r *Run, from string) error
	// Finished lists a machine's done runs, newest first.
	Finished(ctx context.Context, machineID string, limit int) ([]Run, error)
	// Worked lists those of the machines that have done runs, so that a
	// plan over many machines reads the runs of only those.
	Worked(ctx context.Context, machineIDs []string) ([]string, error)
}

// Correction is how a machine's real times compare with the planner's:
// Factor times the estimate is what it takes, resting on Jobs runs.
type Correction struct {
	Factor float64 `json:"factor"`
	Jobs   int     `json:"jobs"`
}

// Correct computes a machine's correction from its finished runs: the
// median of actual over estimated hours, so that one forgotten print
// left on the bed overnight does not move it. Fewer than three runs
// give none (factor 1).
func Correct(runs []Run) Correction {
	var ratios []float64
	for _, r := range runs {
		if r.State == Done && r.EstimatedHours > 0 && r.ActualHours > 0 {
			ratios = append(ratios, r.ActualHours/r.EstimatedHours)
		}
	}
	if len(ratios) < 3 {
		return Correction{Factor: 1, Jobs: len(ratios)}
	}
	sort.Float64s(ratios)
	m := ratios[len(ratios)/2]
	if len(ratios)%2 == 0 {
		m = (ratios[len(ratios)/2-1] + m) / 2
	}
	return Correction{Factor: m, Jobs: len(ratios)}
}

// Status is what a machine says of itself, the same whatever its API.
type Status struct {
	// State is standby, printing, paused, complete, cancelled, error or
	// offline.
	State     string  `json:"state"`
	File      string  `json:"file,omitempty"`
	Progress  float64 `json:"progress"` // 0..1
	Seconds   float64 `json:"seconds"`  // printing so far (or in all, when complete)
	FilamentG float64 `json:"filament_g,omitempty"`
	EnergyKWh float64 `json:"energy_kwh,omitempty"`
	Message   string  `json:"message,omitempty"`
}

// Machine states a driver reports.
const (
	MachineStandby   = "standby"
	MachinePrinting  = "printing"
	MachinePaused    = "paused"
	MachineComplete  = "complete"
	MachineCancelled = "cancelled"
	MachineError     = "error"
	MachineOffline   = "offline"
)

// Driver speaks to one machine.
type Driver interface {
	Kind() string
	// Upload puts a file on the machine without starting it; sum is its
	// SHA-256, which the machine checks where its API can.
	Upload(ctx context.Context, name string, r io.Reader, size int64, sum string) error
	// Start starts a file already uploaded; a busy machine is a Conflict.
	Start(ctx context.Context, name string) error
	Status(ctx context.Context) (Status, error)
	Cancel(ctx context.Context) error
}
