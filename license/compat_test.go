package license

import (
	"strings"
	"testing"
)

func TestCompatibility(t *testing.T) {
	for _, c := range []struct {
		design, module, want, cites string
	}{
		{"CERN-OHL-S-2.0", "CERN-OHL-S-2.0", "allow", ""},
		{"CERN-OHL-S-2.0", "CC0-1.0", "allow", "CC0"},
		{"GPL-3.0-or-later", "CERN-OHL-S-2.0", "refuse", "§3.3(d)"},
		{"CC-BY-SA-4.0", "CERN-OHL-S-2.0", "refuse", "§3.3(d)"},
		{"CERN-OHL-S-2.0", "CC-BY-4.0", "allow", "attribution"},
		{"CC0-1.0", "CC-BY-4.0", "refuse", "relicensing"},
		{"GPL-3.0-only", "CC-BY-SA-4.0", "allow", "one way"},
		{"CC-BY-SA-4.0", "GPL-3.0-only", "refuse", "§5(c)"},
		{"CERN-OHL-P-2.0", "CERN-OHL-W-2.0", "warn", "review"},
		{"CC-BY-4.0", "CC-BY-NC-SA-4.0", "refuse", "NC"},
		{"LicenseRef-PPL", "CERN-OHL-P-2.0", "allow", ""},
		{"CERN-OHL-S-2.0", "LicenseRef-PPL", "refuse", "worker-owned"},
		{"MIT", "BSD-3-Clause", "warn", "not in dgml's table"},
		{"CC0-1.0 OR CERN-OHL-S-2.0", "CERN-OHL-S-2.0", "allow", ""},           // choose S
		{"CERN-OHL-S-2.0", "CERN-OHL-P-2.0 AND GPL-3.0-only", "refuse", "GPL"}, // both apply
	} {
		v := Check(c.design, c.module)
		if v.Result != c.want || !strings.Contains(v.Reason, c.cites) {
			t.Errorf("%s into %s: %s (%s), want %s citing %q", c.module, c.design, v.Result, v.Reason, c.want, c.cites)
		}
	}
	if n := len(compat.Cells); n != len(compat.Licenses)*len(compat.Licenses) {
		t.Errorf("the table has %d cells for %d licences", n, len(compat.Licenses))
	}
	for _, c := range compat.Cells {
		if c.Reason == "" || (c.Verdict != "allow" && c.Verdict != "warn" && c.Verdict != "refuse") {
			t.Errorf("cell %s/%s: %q %q", c.Design, c.Module, c.Verdict, c.Reason)
		}
	}
	if cs := Conditions("LicenseRef-PPL"); len(cs) != 1 || cs[0].Condition != "worker-owned" {
		t.Errorf("PPL conditions: %+v", cs)
	}
}
