package license

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

// compat.json is the compatibility table: for each pair (design licence,
// module licence) a verdict and the clause or source behind it.
//
//go:embed compat.json
var compatJSON []byte

// Verdict says whether a design may incorporate a module.
type Verdict struct {
	Result string `json:"result"` // allow, warn, refuse
	Reason string `json:"reason"`
}

// Condition is what a licence asks of whoever makes the design: the
// planner takes it into account.
type Condition struct {
	Condition string `json:"condition"` // non-commercial, worker-owned
	Reason    string `json:"reason"`
}

type table struct {
	Licenses []string `json:"licenses"`
	Cells    []struct {
		Design, Module, Verdict, Reason string
	} `json:"cells"`
	Conditions map[string]Condition `json:"conditions"`
}

var compat = func() *table {
	var t table
	if err := json.Unmarshal(compatJSON, &t); err != nil {
		panic("license: compat.json: " + err.Error())
	}
	return &t
}()

// family groups versions the table treats alike.
func family(id string) string {
	switch id {
	case "GPL-3.0-only", "GPL-3.0-or-later", "GPL-3.0":
		return "GPL-3.0"
	}
	return id
}

var rank = map[string]int{"allow": 0, "warn": 1, "refuse": 2}

func one(design, module string) Verdict {
	d, m := family(design), family(module)
	for _, c := range compat.Cells {
		if c.Design == d && c.Module == m {
			return Verdict{c.Verdict, c.Reason}
		}
	}
	if d == m {
		return Verdict{"allow", "the same licence"}
	}
	return Verdict{"warn", fmt.Sprintf("the pair %s / %s is not in dgml's table: review it by hand", design, module)}
}

// alternatives splits an expression on OR (any may be chosen) and each
// alternative on AND (all apply).
func alternatives(expr string) [][]string {
	var out [][]string
	for _, alt := range strings.Split(strings.NewReplacer("(", " ", ")", " ").Replace(expr), " OR ") {
		var ids []string
		for _, id := range strings.Split(alt, " AND ") {
			if id = strings.TrimSpace(strings.Split(id, " WITH ")[0]); id != "" {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			out = append(out, ids)
		}
	}
	return out
}

// Check answers "may a design under design incorporate a module under
// module?" for SPDX expressions: with OR the best choice counts, with AND
// every licence must allow it.
func Check(design, module string) Verdict {
	best := Verdict{Result: "refuse", Reason: "no licence given"}
	first := true
	for _, d := range alternatives(design) {
		for _, m := range alternatives(module) {
			worst := Verdict{Result: "allow"}
			var reasons []string
			for _, di := range d {
				for _, mi := range m {
					v := one(di, mi)
					if rank[v.Result] > rank[worst.Result] {
						worst.Result = v.Result
					}
					reasons = append(reasons, fmt.Sprintf("%s into %s: %s", mi, di, v.Reason))
				}
			}
			worst.Reason = strings.Join(reasons, "; ")
			if first || rank[worst.Result] < rank[best.Result] {
				best, first = worst, false
			}
		}
	}
	return best
}

// Conditions lists what an expression's licences ask of makers.
func Conditions(expr string) []Condition {
	var out []Condition
	for _, id := range IDs(expr) {
		if c, ok := compat.Conditions[family(id)]; ok {
			out = append(out, c)
		}
	}
	return out
}
