package design

import (
	"testing"
	"time"
)

func translated() *Content {
	return &Content{
		Manifest: Manifest{Name: "Press", Function: "Presses blocks", Languages: []string{"en", "fr"}},
		Steps: []Step{
			{Title: "Frame", Text: "Weld the frame."},
			{Title: "Ram", Text: "Fit the ram."},
		},
	}
}

func TestLocaliseFallsBackTextByText(t *testing.T) {
	c := translated()
	fp := c.Steps[0].Fingerprint()
	extra := []TextTranslation{
		{Key: "step:1", Lang: "fr", Title: "Cadre", Text: "Souder le cadre.", Source: fp, Created: time.Unix(1, 0)},
		{Key: "name", Lang: "fr", Text: "Presse", Source: fingerprint("Press"), Created: time.Unix(1, 0)},
	}
	got := c.Localise("fr", extra)
	if len(got) != 4 {
		t.Fatalf("%d texts, want 4", len(got))
	}
	byKey := map[string]Shown{}
	for _, s := range got {
		byKey[s.Key] = s
	}
	if s := byKey["step:1"]; s.Lang != "fr" || s.Text != "Souder le cadre." || s.Note != "" {
		t.Errorf("step 1 = %+v, want the French text", s)
	}
	if s := byKey["step:2"]; s.Lang != "en" || s.Text != "Fit the ram." || s.Note == "" {
		t.Errorf("step 2 = %+v, want the English text with a note", s)
	}
	if s := byKey["name"]; s.Text != "Presse" {
		t.Errorf("name = %+v", s)
	}

	// The source step changes: its translation goes stale.
	c.Steps[0].Text = "Weld the frame square."
	byKey = map[string]Shown{}
	for _, s := range c.Localise("fr", extra) {
		byKey[s.Key] = s
	}
	if s := byKey["step:1"]; s.Lang != "en" || s.Text != "Weld the frame square." || s.Note == "" {
		t.Errorf("stale step 1 = %+v, want the new English text with a note", s)
	}
	cp := c.Completeness(extra)
	if len(cp) != 1 || cp[0].Lang != "fr" {
		t.Fatalf("completeness = %+v", cp)
	}
	if cp[0].Current != 1 || len(cp[0].Stale) != 1 || cp[0].Stale[0] != "step:1" || len(cp[0].Missing) != 2 || cp[0].Percent != 25 {
		t.Errorf("completeness = %+v, want 1 current, step:1 stale, 2 missing, 25%%", cp[0])
	}
}

func TestNewerStaleTranslationDoesNotHideCurrent(t *testing.T) {
	c := translated()
	extra := []TextTranslation{
		{Key: "step:2", Lang: "de", Text: "Den Stempel einsetzen.", Source: c.Steps[1].Fingerprint(), Created: time.Unix(1, 0)},
		{Key: "step:2", Lang: "de", Text: "alt", Source: "0000", Created: time.Unix(2, 0)},
		{Key: "step:2", Lang: "de", Text: "neu", Source: c.Steps[1].Fingerprint(), Created: time.Unix(3, 0)},
	}
	got := c.Localise("de", extra)
	if got[3].Text != "neu" {
		t.Errorf("step 2 in German = %q, want the newest current translation", got[3].Text)
	}
	got = c.Localise("de", extra[:2])
	if got[3].Text != "Den Stempel einsetzen." {
		t.Errorf("step 2 in German = %q, want the current one over the newer stale one", got[3].Text)
	}
}

func TestLocaliseSourceLanguageHasNoNotes(t *testing.T) {
	c := translated()
	for _, s := range c.Localise("en", nil) {
		if s.Note != "" || s.Lang != "en" {
			t.Errorf("%+v: the source language needs no note", s)
		}
	}
}
