package design

import "strings"

// OTRLNames say in plain words what each Open Technology Readiness
// Level (OKH-LOSH, 1 to 8) means, so that a reader sees "working
// prototype" beside the number.
var OTRLNames = []string{
	"an idea: needs and first requirements written down",
	"a concept: how it could work is worked out",
	"in development: a model or parts of it are being built",
	"working prototype: built whole and tested",
	"ready to make: production is worked out",
	"qualified: tested against its requirements in use",
	"in use: made and used outside its makers' circle",
	"widely made: in use in many places",
}

// ODRLNames do the same for the Open Documentation Readiness Levels (1
// to 5).
var ODRLNames = []string{
	"documentation started",
	"documented enough to build with its makers' help",
	"complete and published under a free licence",
	"built by others from the documents alone",
	"audited against the DIN SPEC 3105 criteria",
}

// OTRLName is the plain words for an OTRL (empty when it is unknown).
func OTRLName(level int) string {
	if level < 1 || level > len(OTRLNames) {
		return ""
	}
	return OTRLNames[level-1]
}

// ForkName is a fork's title until its maintainer gives it another: the
// parent's, saying whose fork it is.
func ForkName(parent, user string) string { return parent + " (" + user + "'s fork)" }

// IsForkName says whether name is a fork title ForkName made from
// parent's.
func IsForkName(name, parent string) bool {
	return strings.HasPrefix(name, parent+" (") && strings.HasSuffix(name, "'s fork)")
}
