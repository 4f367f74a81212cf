package license

import "testing"

func TestNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"CERN-OHL-S-2.0", "CERN-OHL-S-2.0"},
		{"cern-ohl-s-2.0", "CERN-OHL-S-2.0"},
		{"CERN OHL v1.2", "CERN-OHL-1.2"},
		{"CC-BY-SA 4.0", "CC-BY-SA-4.0"},
		{"BY-SA 4.0", "CC-BY-SA-4.0"},
		{"Creative Commons Attribution-ShareAlike 4.0 International License", "CC-BY-SA-4.0"},
		{"GPL-3.0", "GPL-3.0-only"},
		{"CERN-OHL-P-2.0 and BSD-3-Clause", "CERN-OHL-P-2.0 AND BSD-3-Clause"},
		{"(MIT OR Apache-2.0)", "(MIT OR Apache-2.0)"},
		{"LicenseRef-PPL", "LicenseRef-PPL"},
		{"Peer Production License", "LicenseRef-PPL"},
		{"CERN OHL", ""}, // which version? not guessed
		{"my own license", ""},
		{"MIT AND", ""},
	} {
		if got := Normalize(c.in).Expression; got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if r := Normalize("MIT"); r.Changed {
		t.Error("a valid id is not a change")
	}
	if ids := IDs("(MIT OR Apache-2.0) AND CC0-1.0"); len(ids) != 3 || ids[2] != "CC0-1.0" {
		t.Errorf("IDs: %v", ids)
	}
}
