package guard

import "testing"

func TestLocalPath(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/designs/x", "/designs/x"},
		{"/designs?q=a&b=c", "/designs?q=a&b=c"},
		{"/", "/"},
		{"", "/"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"http:/evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"/%2F/evil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"evil.example", "/"},
		{" /x", "/"},
		{"/x\x00", "/"},
		{"///evil.example", "/"},
	} {
		if got := LocalPath(c.in); got != c.want {
			t.Errorf("LocalPath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/a", "//b", "/\\c", "/%2f/d", "https://e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got := LocalPath(p)
		if got == "/" {
			return
		}
		// Whatever passes must be a path of this host to every reading.
		if got[0] != '/' || len(got) > 1 && (got[1] == '/' || got[1] == '\\') {
			t.Fatalf("%q passed", p)
		}
		for _, c := range got {
			if c < 0x20 || c == '\\' {
				t.Fatalf("%q passed with a control character or backslash", p)
			}
		}
	})
}
