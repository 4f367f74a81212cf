package federation

import (
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/facility"
)

// DesignEntry is a feed entry's object for a design's new revision: the
// design's record and the revision to fetch, with the files it names.
type DesignEntry struct {
	ID         string            `json:"id"`
	Slug       string            `json:"slug"`
	Name       string            `json:"name"`
	Revision   string            `json:"revision"` // its id: the SHA-256 of its canonical JSON
	Number     int               `json:"number"`   // its place in the design's history
	Message    string            `json:"message,omitempty"`
	Author     string            `json:"author,omitempty"` // user@node
	ForkedFrom *design.Origin    `json:"forked_from,omitempty"`
	Files      []design.FileInfo `json:"files,omitempty"`
	Created    string            `json:"created"`
	// Events are the economic events the commit recorded (the author's
	// work, a fork's citation): carried in the design's own entry so a
	// commit stays one entry of the log.
	Events []EventEntry `json:"events,omitempty"`
}

// FacilityEntry is a feed entry's object for a workshop's record: the
// record as the workshop chose to publish it (redacted), inline when
// public, or only its hash when for followers only (the record itself is
// fetched, by hash, by a follower that signs its request).
type FacilityEntry struct {
	ID         string             `json:"id"`
	Visibility string             `json:"visibility"`
	Record     *facility.Facility `json:"record,omitempty"`
	Ref        string             `json:"ref,omitempty"`
}

// Tombstone is a feed entry's object for something withdrawn.
type Tombstone struct {
	Kind string `json:"kind"` // facility, design
	ID   string `json:"id"`
}

// ProposalEntry is a feed entry's object for a change proposed to a
// design that lives at another node (Home): the fork it comes from and
// the revision to take, with the files it names. It is also delivered to
// Home's inbox, since Home need not follow the proposing node.
type ProposalEntry struct {
	ID         string            `json:"id"` // the proposal's id at the proposing node
	Design     string            `json:"design"`
	Home       string            `json:"home"`
	FromDesign string            `json:"from_design"`
	Revision   string            `json:"revision"`
	Base       string            `json:"base"`
	Title      string            `json:"title"`
	Author     string            `json:"author"`
	Files      []design.FileInfo `json:"files,omitempty"`
}

// DecisionEntry is a feed entry's object for a proposal from another
// node decided here: Proposal is its id at Node, where it came from.
type DecisionEntry struct {
	Proposal string `json:"proposal"`
	Node     string `json:"node"`
	Status   string `json:"status"` // accepted, declined
}

// ReportEntry is a feed entry's object for a build report, with the
// photos it shows.
type ReportEntry struct {
	Report assess.Report     `json:"report"`
	Photos []design.FileInfo `json:"photos,omitempty"`
}
