package assess

import (
	"fmt"
	"strings"
	"time"
)

// StandingPolicy is how a node decides whose attestations and readiness
// votes count: throwaway accounts must not be able to make a design
// "attested" or move its readiness by numbers alone. A reviewer has
// standing when their account is old enough and has contributed (accepted
// proposals, build reports, translations), or when someone with standing
// of their own vouches for them. The node's admins set it.
type StandingPolicy struct {
	MinAccountDays   int  `json:"min_account_days"`
	MinContributions int  `json:"min_contributions"`
	Vouching         bool `json:"vouching"` // a vouch by an admin or an established maintainer gives standing
}

// DefaultStanding asks for two weeks and one contribution, or a vouch.
var DefaultStanding = StandingPolicy{MinAccountDays: 14, MinContributions: 1, Vouching: true}

// Check refuses a policy that makes no sense.
func (p StandingPolicy) Check() error {
	if p.MinAccountDays < 0 || p.MinAccountDays > 3650 || p.MinContributions < 0 || p.MinContributions > 1000 {
		return fmt.Errorf("account age 0 to 3650 days and contributions 0 to 1000")
	}
	return nil
}

// Text says the policy in a sentence, for the maturity page.
func (p StandingPolicy) Text() string {
	s := fmt.Sprintf("reviews and votes count from accounts at least %d days old with at least %d accepted contribution(s) (proposals, build reports, translations)", p.MinAccountDays, p.MinContributions)
	if p.Vouching {
		s += ", or vouched for by a node admin or an established maintainer of another design"
	}
	return s
}

// Member is what a node knows of a person when judging standing.
type Member struct {
	Since         time.Time
	Contributions int
	Admin         bool
}

// Standing is the judgement of one reviewer or voter.
type Standing struct {
	Counts bool   `json:"counts"`
	Why    string `json:"why"`
}

// Earned judges standing by the member's own record, without vouches.
func (p StandingPolicy) Earned(m Member, now time.Time) Standing {
	if m.Admin {
		return Standing{true, "a node admin"}
	}
	days := int(now.Sub(m.Since).Hours() / 24)
	var missing []string
	if days < p.MinAccountDays {
		missing = append(missing, fmt.Sprintf("account %d of %d days old", days, p.MinAccountDays))
	}
	if m.Contributions < p.MinContributions {
		missing = append(missing, fmt.Sprintf("%d of %d contributions", m.Contributions, p.MinContributions))
	}
	if len(missing) > 0 {
		return Standing{false, "not counted yet: " + strings.Join(missing, ", ")}
	}
	return Standing{true, fmt.Sprintf("member for %d days, %d contributions", days, m.Contributions)}
}
