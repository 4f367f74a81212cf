package design

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// TextTranslation is a translation someone contributed of one text of a
// design: a build step ("step:3", counted from 1), the name or the
// function. It remembers the revision and the fingerprint of the text it
// was made from, so it is known to be stale once the text changes.
type TextTranslation struct {
	DesignID string    `json:"design_id"`
	Key      string    `json:"key"`
	Lang     string    `json:"lang"`
	Title    string    `json:"title,omitempty"`
	Text     string    `json:"text"`
	Source   string    `json:"source"`          // fingerprint of the source text
	Revision string    `json:"source_revision"` // the revision it was made from
	Author   string    `json:"author,omitempty"`
	Created  time.Time `json:"created"`
}

// Unit is one translatable text of a revision.
type Unit struct {
	Key         string `json:"key"`
	Title       string `json:"title,omitempty"`
	Text        string `json:"text"`
	Fingerprint string `json:"fingerprint"`
}

func fingerprint(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// StepKey names a step (counted from 1) among the translatable texts.
func StepKey(i int) string { return fmt.Sprintf("step:%d", i+1) }

// Units lists the texts of a revision that translators work on.
func (c *Content) Units() []Unit {
	var us []Unit
	if c.Manifest.Name != "" {
		us = append(us, Unit{Key: "name", Text: c.Manifest.Name, Fingerprint: fingerprint(c.Manifest.Name)})
	}
	if c.Manifest.Function != "" {
		us = append(us, Unit{Key: "function", Text: c.Manifest.Function, Fingerprint: fingerprint(c.Manifest.Function)})
	}
	for i := range c.Steps {
		s := &c.Steps[i]
		us = append(us, Unit{Key: StepKey(i), Title: s.Title, Text: s.Text, Fingerprint: s.Fingerprint()})
	}
	return us
}

// Unit finds a translatable text by key.
func (c *Content) Unit(key string) (Unit, bool) {
	for _, u := range c.Units() {
		if u.Key == key {
			return u, true
		}
	}
	return Unit{}, false
}

// Shown is a text as a reader in some language gets it.
type Shown struct {
	Key   string `json:"key"`
	Lang  string `json:"lang"` // the language it is shown in
	Title string `json:"title,omitempty"`
	Text  string `json:"text"`
	// Note says why it is shown in the source language, when it is.
	Note string `json:"note,omitempty"`
}

// translations gathers the translations of a revision in a language:
// those written into its steps (from a manifest) and those contributed
// since (extra, oldest first as the store lists them), the newest
// winning, except that a stale one never displaces a current one.
// fps are the fingerprints of the units by key.
func (c *Content) translations(lang string, extra []TextTranslation, fps map[string]string) map[string]TextTranslation {
	out := map[string]TextTranslation{}
	for i, s := range c.Steps {
		if t, ok := s.Translations[lang]; ok {
			out[StepKey(i)] = TextTranslation{Key: StepKey(i), Lang: lang, Title: t.Title, Text: t.Text, Source: t.Source}
		}
	}
	current := func(t TextTranslation) bool { return fps[t.Key] == t.Source }
	for _, t := range extra {
		if t.Lang != lang {
			continue
		}
		if old, ok := out[t.Key]; !ok || current(t) || !current(old) {
			out[t.Key] = t
		}
	}
	return out
}

func fingerprints(units []Unit) map[string]string {
	fps := make(map[string]string, len(units))
	for _, u := range units {
		fps[u.Key] = u.Fingerprint
	}
	return fps
}

// Localise gives every text of a revision in a language, falling back to
// the source language text by text where a translation is missing or
// stale, and saying so.
func (c *Content) Localise(lang string, extra []TextTranslation) []Shown {
	source := c.SourceLanguage()
	units := c.Units()
	var tr map[string]TextTranslation
	if lang != "" && lang != source {
		tr = c.translations(lang, extra, fingerprints(units))
	}
	var out []Shown
	for _, u := range units {
		s := Shown{Key: u.Key, Lang: source, Title: u.Title, Text: u.Text}
		if lang != "" && lang != source {
			t, ok := tr[u.Key]
			switch {
			case !ok:
				s.Note = "not translated yet: shown in the original language"
			case t.Source != u.Fingerprint:
				s.Note = "the translation is out of date (the text changed since): shown in the original language"
			default:
				s.Lang, s.Title, s.Text = lang, t.Title, t.Text
			}
		}
		out = append(out, s)
	}
	return out
}

// SourceLanguage is the language the documentation is written in: the
// first one the manifest declares, English when none is.
func (c *Content) SourceLanguage() string {
	if len(c.Manifest.Languages) > 0 {
		return c.Manifest.Languages[0]
	}
	return "en"
}

// Completeness is how far a language's translation has come.
type Completeness struct {
	Lang    string   `json:"lang"`
	Texts   int      `json:"texts"`
	Current int      `json:"current"`
	Stale   []string `json:"stale"`   // keys whose translation is out of date
	Missing []string `json:"missing"` // keys with none
	Percent int      `json:"percent"`
}

// Completeness reports per language on the translations there are.
func (c *Content) Completeness(extra []TextTranslation) []Completeness {
	langs := map[string]bool{}
	for _, l := range c.Manifest.Languages[min(1, len(c.Manifest.Languages)):] {
		langs[l] = true
	}
	for _, s := range c.Steps {
		for l := range s.Translations {
			langs[l] = true
		}
	}
	for _, t := range extra {
		langs[t.Lang] = true
	}
	delete(langs, c.SourceLanguage())
	units := c.Units()
	fps := fingerprints(units)
	out := []Completeness{}
	for lang := range langs {
		tr := c.translations(lang, extra, fps)
		cp := Completeness{Lang: lang, Texts: len(units), Stale: []string{}, Missing: []string{}}
		for _, u := range units {
			t, ok := tr[u.Key]
			switch {
			case !ok:
				cp.Missing = append(cp.Missing, u.Key)
			case t.Source != u.Fingerprint:
				cp.Stale = append(cp.Stale, u.Key)
			default:
				cp.Current++
			}
		}
		if cp.Texts > 0 {
			cp.Percent = cp.Current * 100 / cp.Texts
		}
		out = append(out, cp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Lang < out[j].Lang })
	return out
}

// Translations keeps contributed translations.
type Translations interface {
	AddTranslation(ctx context.Context, t *TextTranslation) error
	Translations(ctx context.Context, designID string) ([]TextTranslation, error)
}

var langRe = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z]{2}|-[0-9]{3})?$`)

// LanguageTag puts a language tag in its usual case ("PT-br" → "pt-BR")
// and says whether it is a plain BCP 47 language[-region] tag.
func LanguageTag(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '-'); i >= 0 {
		s = strings.ToLower(s[:i]) + "-" + strings.ToUpper(s[i+1:])
	} else {
		s = strings.ToLower(s)
	}
	return s, langRe.MatchString(s)
}
