package people

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/collab"
	"github.com/dgml/dgml/design"
)

// revisionOf finds a revision of a design: its head when rev is empty.
// A revision of another design is refused, so that nothing is said of one
// design under another's name.
func (s *Service) revisionOf(ctx context.Context, ref, rev string) (*design.Design, *design.Revision, error) {
	d, head, err := s.Commons.Head(ctx, ref)
	if err != nil || rev == "" || rev == head.ID {
		return d, head, err
	}
	hist, err := s.Commons.Store.History(ctx, d.ID)
	if err != nil {
		return nil, nil, err
	}
	for _, h := range hist {
		if h.Revision == rev || (len(rev) >= 8 && strings.HasPrefix(h.Revision, rev)) {
			r, err := s.Commons.Store.Revision(ctx, h.Revision)
			return d, r, err
		}
	}
	return nil, nil, &dgml.Error{Kind: dgml.NotFound, Field: "revision", Msg: fmt.Sprintf("%s is not a revision of %s", rev, d.Slug)}
}

// Photo is a picture sent with a report, not stored yet.
type Photo struct {
	Name string
	Data []byte
}

// Report stores a replication report of a design or one of its parts,
// with its photos. Everything is checked — the report, the photos' kind
// and size — before any photo is kept, so a refused report leaves
// nothing behind.
func (s *Service) Report(ctx context.Context, u *account.User, ref string, r *assess.Report, photos []Photo) error {
	if u == nil {
		return &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to report a build"}
	}
	d, rev, err := s.revisionOf(ctx, ref, r.Revision)
	if err != nil {
		return err
	}
	if err := r.Check(); err != nil {
		return err
	}
	if r.Part != "" {
		p, path := findPart(rev.Parts, r.Part)
		if p == nil {
			return &dgml.Error{Kind: dgml.Invalid, Field: "part", Msg: fmt.Sprintf("%s has no part %q: name it by its path, like \"Frame / Corner\"", d.Name, r.Part)}
		}
		r.Part = path // as the planner names it
		if r.Process == "" {
			r.Process = p.Process
		}
	}
	for _, ph := range r.Photos {
		if !s.Commons.Blobs.Has(ph) {
			return &dgml.Error{Kind: dgml.Invalid, Field: "photos", Msg: "photo " + ph + " is not stored: upload it first"}
		}
	}
	if len(photos)+len(r.Photos) > MaxPhotos {
		return &dgml.Error{Kind: dgml.Invalid, Field: "photos", Msg: fmt.Sprintf("at most %d photos a report", MaxPhotos)}
	}
	types := make([]string, len(photos))
	for i, ph := range photos {
		if types[i], err = photoType(ph); err != nil {
			return err
		}
	}
	var files []design.FileInfo
	for i, ph := range photos {
		sum, size, err := s.Commons.Blobs.Put(bytes.NewReader(ph.Data))
		if err != nil {
			return err
		}
		files = append(files, design.FileInfo{SHA256: sum, Size: size, MediaType: types[i], Name: path.Base(ph.Name)})
		r.Photos = append(r.Photos, sum)
	}
	r.DesignID, r.Revision, r.Author = d.ID, rev.ID, s.Handle(u)
	what := "built " + d.Name
	if r.Part != "" {
		what = "made " + r.Part + " of " + d.Name
	}
	if !r.Success {
		what = "tried: " + what
	}
	return s.Tx.Atomically(ctx, func(ctx context.Context) error {
		for _, f := range files {
			if err := s.Commons.Store.AddFile(ctx, f); err != nil {
				return err
			}
		}
		if err := s.Assess.AddReport(ctx, r); err != nil {
			return err
		}
		return s.event(ctx, collab.Event{DesignID: d.ID, Actor: r.Author, Kind: "report", Summary: what + " in " + r.Place, Link: "/designs/" + d.Slug + "/reports"})
	})
}

func findPart(parts []design.Part, path string) (*design.Part, string) {
	var found *design.Part
	var name string
	want := strings.TrimSpace(path)
	design.Walk(parts, func(p []string, part *design.Part) {
		if here := strings.Join(p, " / "); found == nil && strings.EqualFold(here, want) {
			found, name = part, here
		}
	})
	return found, name
}

// Bounds of a report's photos.
const (
	MaxPhotoBytes = 8 << 20
	MaxPhotos     = 6
)

// photoType says what image a photo is; anything else is refused.
func photoType(ph Photo) (string, error) {
	if len(ph.Data) > MaxPhotoBytes {
		return "", &dgml.Error{Kind: dgml.TooLarge, File: ph.Name, Msg: fmt.Sprintf("a photo may be at most %d MiB", MaxPhotoBytes>>20)}
	}
	mt := http.DetectContentType(ph.Data)
	switch mt {
	case "image/jpeg", "image/png", "image/webp", "image/gif":
		return mt, nil
	}
	return "", &dgml.Error{Kind: dgml.Invalid, File: ph.Name, Msg: "not a JPEG, PNG, WebP or GIF image"}
}

// ReadPhoto reads a photo of at most MaxPhotoBytes.
func ReadPhoto(r io.Reader, name string) (Photo, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPhotoBytes+1))
	if err != nil {
		return Photo{}, err
	}
	if len(data) > MaxPhotoBytes {
		return Photo{}, &dgml.Error{Kind: dgml.TooLarge, File: name, Msg: fmt.Sprintf("a photo may be at most %d MiB", MaxPhotoBytes>>20)}
	}
	return Photo{Name: name, Data: data}, nil
}

// ReadPhotos reads the photos of a report form.
func ReadPhotos(files []*multipart.FileHeader) ([]Photo, error) {
	if len(files) > MaxPhotos {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "photo", Msg: fmt.Sprintf("at most %d photos a report", MaxPhotos)}
	}
	var out []Photo
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		ph, err := ReadPhoto(f, fh.Filename)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, ph)
	}
	return out, nil
}

// Figures are a design's reports and what they add up to.
type Figures struct {
	assess.Figures
	Items []assess.Report `json:"items"`
}

// Reports lists a design's reports with its figures.
func (s *Service) Reports(ctx context.Context, ref string) (*design.Design, *Figures, error) {
	d, err := s.Commons.Store.Design(ctx, ref)
	if err != nil {
		return nil, nil, err
	}
	f, err := s.ReportsOf(ctx, d)
	return d, f, err
}

// ReportsOf is Reports of a design already at hand.
func (s *Service) ReportsOf(ctx context.Context, d *design.Design) (*Figures, error) {
	rs, err := s.Assess.Reports(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	return &Figures{Figures: assess.Summarise(rs), Items: rs}, nil
}

// insider says whether a user maintains a design or wrote a revision of it.
func (s *Service) insider(ctx context.Context, u *account.User, d *design.Design) (bool, error) {
	ok, err := s.Accounts.HasRole(ctx, account.Maintainer, d.ID, u.ID)
	if err != nil || ok {
		return ok, err
	}
	hist, err := s.Commons.Store.History(ctx, d.ID)
	for _, h := range hist {
		if h.Author == s.Handle(u) {
			return true, err
		}
	}
	return false, err
}

// Attest records a reviewer's judgement of a revision's documentation.
func (s *Service) Attest(ctx context.Context, u *account.User, ref, rev string, holds bool, note string) (*assess.Attestation, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to review a design"}
	}
	d, r, err := s.revisionOf(ctx, ref, rev)
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if note == "" || len(note) > 10000 {
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "note", Msg: "say what you checked (up to 10000 characters): an attestation is its evidence"}
	}
	in, err := s.insider(ctx, u, d)
	if err != nil {
		return nil, err
	}
	a := assess.Attestation{DesignID: d.ID, Revision: r.ID, Reviewer: s.Handle(u), Holds: holds, Note: note, Insider: in}
	verb := map[bool]string{true: "attested", false: "found wanting"}[holds]
	err = s.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := s.Assess.PutAttestation(ctx, a); err != nil {
			return err
		}
		return s.event(ctx, collab.Event{DesignID: d.ID, Actor: a.Reviewer, Kind: "attestation", Summary: fmt.Sprintf("%s revision %.12s of %s", verb, r.ID, d.Name), Link: "/designs/" + d.Slug + "/maturity"})
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Vote records a readiness vote on a revision.
func (s *Service) Vote(ctx context.Context, u *account.User, ref, rev, scale string, level int, reason string) (*assess.Vote, error) {
	if u == nil {
		return nil, &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to vote"}
	}
	scale = strings.ToLower(scale)
	top, ok := assess.Scales[scale]
	switch {
	case !ok:
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "scale", Msg: "otrl or odrl"}
	case level < 1 || level > top:
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "level", Msg: fmt.Sprintf("%s runs from 1 to %d", strings.ToUpper(scale), top)}
	case strings.TrimSpace(reason) == "" || len(reason) > 10000:
		return nil, &dgml.Error{Kind: dgml.Invalid, Field: "reason", Msg: "give the reason for your vote"}
	}
	d, r, err := s.revisionOf(ctx, ref, rev)
	if err != nil {
		return nil, err
	}
	v := assess.Vote{DesignID: d.ID, Revision: r.ID, Scale: scale, Level: level, Reason: strings.TrimSpace(reason), Voter: s.Handle(u)}
	err = s.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := s.Assess.PutVote(ctx, v); err != nil {
			return err
		}
		return s.event(ctx, collab.Event{DesignID: d.ID, Actor: v.Voter, Kind: "vote", Summary: fmt.Sprintf("%s %d for %s", strings.ToUpper(scale), level, d.Name), Link: "/designs/" + d.Slug + "/maturity"})
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Maturity assesses a revision of a design (its head when rev is empty).
func (s *Service) Maturity(ctx context.Context, ref, rev string) (*design.Design, *assess.Maturity, error) {
	d, r, err := s.revisionOf(ctx, ref, rev)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.MaturityOf(ctx, d, r)
	return d, m, err
}

// MaturityOf is Maturity of a revision already at hand.
func (s *Service) MaturityOf(ctx context.Context, d *design.Design, r *design.Revision) (*assess.Maturity, error) {
	hist, err := s.Commons.Store.History(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	var authors []string
	for _, h := range hist {
		authors = append(authors, h.Author)
	}
	atts, err := s.Assess.Attestations(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	votes, err := s.Assess.Votes(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	insiders := map[string]bool{}
	for _, a := range authors {
		insiders[a] = true
	}
	holders, err := s.Accounts.Holders(ctx, account.Maintainer, d.ID)
	if err != nil {
		return nil, err
	}
	for _, h := range holders {
		insiders[s.Handle(&h)] = true
	}
	var people []string
	for _, a := range atts {
		people = append(people, a.Reviewer)
	}
	for _, v := range votes {
		people = append(people, v.Voter)
	}
	standing, policy, err := s.standing(ctx, d, people, insiders)
	if err != nil {
		return nil, err
	}
	m := assess.Assess(r, authors, atts, votes, standing, policy)
	return &m, nil
}

// Translate stores a translation of one text of a design's head.
func (s *Service) Translate(ctx context.Context, u *account.User, ref string, t *design.TextTranslation) error {
	if u == nil {
		return &dgml.Error{Kind: dgml.Unauthorized, Msg: "log in to translate"}
	}
	d, rev, err := s.Commons.Head(ctx, ref)
	if err != nil {
		return err
	}
	unit, ok := rev.Unit(t.Key)
	if !ok {
		return &dgml.Error{Kind: dgml.Invalid, Field: "key", Msg: fmt.Sprintf("%s has no text %q: name, function or step:N (1 to %d)", d.Name, t.Key, len(rev.Steps))}
	}
	lang, ok := design.LanguageTag(t.Lang)
	t.Lang = lang
	switch {
	case !ok:
		return &dgml.Error{Kind: dgml.Invalid, Field: "lang", Msg: "a BCP 47 language tag, like fr or pt-BR"}
	case t.Lang == rev.SourceLanguage():
		return &dgml.Error{Kind: dgml.Invalid, Field: "lang", Msg: "that is the language the design is written in: change the design instead"}
	case strings.TrimSpace(t.Text) == "" || len(t.Text) > 50000 || len(t.Title) > 500:
		return &dgml.Error{Kind: dgml.Invalid, Field: "text", Msg: "the translated text (up to 50000 characters)"}
	}
	t.DesignID, t.Source, t.Revision, t.Author = d.ID, unit.Fingerprint, rev.ID, s.Handle(u)
	return s.Tx.Atomically(ctx, func(ctx context.Context) error {
		if err := s.Texts.AddTranslation(ctx, t); err != nil {
			return err
		}
		return s.event(ctx, collab.Event{DesignID: d.ID, Actor: t.Author, Kind: "translation", Summary: fmt.Sprintf("translated %s of %s into %s", t.Key, d.Name, t.Lang), Link: "/designs/" + d.Slug + "/translations"})
	})
}

// Localised is a design's texts in a language, with how far each
// language's translation has come.
type Localised struct {
	Design       *design.Design        `json:"design"`
	Revision     string                `json:"revision"`
	Source       string                `json:"source_language"`
	Lang         string                `json:"lang"`
	Texts        []design.Shown        `json:"texts"`
	Completeness []design.Completeness `json:"completeness"`
}

// Localise gives a design's head in a language.
func (s *Service) Localise(ctx context.Context, ref, lang string) (*Localised, error) {
	d, rev, err := s.Commons.Head(ctx, ref)
	if err != nil {
		return nil, err
	}
	return s.LocaliseRevision(ctx, d, rev, lang)
}

// LocaliseRevision is Localise of a revision already at hand.
func (s *Service) LocaliseRevision(ctx context.Context, d *design.Design, rev *design.Revision, lang string) (*Localised, error) {
	extra, err := s.Texts.Translations(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	if tag, ok := design.LanguageTag(lang); ok {
		lang = tag // "FR" reads as "fr"
	}
	if lang == "" {
		lang = rev.SourceLanguage()
	}
	return &Localised{Design: d, Revision: rev.ID, Source: rev.SourceLanguage(), Lang: lang,
		Texts: rev.Localise(lang, extra), Completeness: rev.Completeness(extra)}, nil
}

// Adopt writes the current contributed translations of the build steps
// into a new revision of the design, so that they travel with its OKH
// manifest to other nodes. Only maintainers may; it changes no step's
// source text, so no translation goes stale by it.
func (s *Service) Adopt(ctx context.Context, u *account.User, ref string) (*design.Design, []string, error) {
	d, rev, err := s.Commons.Head(ctx, ref)
	if err != nil {
		return nil, nil, err
	}
	if err := s.May(ctx, u, account.Maintainer, d.ID); err != nil {
		return nil, nil, err
	}
	extra, err := s.Texts.Translations(ctx, d.ID)
	if err != nil {
		return nil, nil, err
	}
	c := rev.Content
	c.Steps = make([]design.Step, len(rev.Steps))
	adopted := map[string]map[int]bool{} // language: steps
	for i, st := range rev.Steps {
		st.Translations = maps.Clone(st.Translations)
		fp := st.Fingerprint()
		for _, t := range extra { // oldest first: the newest current one wins
			if t.Key != design.StepKey(i) || t.Source != fp {
				continue
			}
			tr := design.Translation{Title: t.Title, Text: t.Text, Source: fp}
			if st.Translations[t.Lang] == tr {
				continue
			}
			if st.Translations == nil {
				st.Translations = map[string]design.Translation{}
			}
			st.Translations[t.Lang] = tr
			if adopted[t.Lang] == nil {
				adopted[t.Lang] = map[int]bool{}
			}
			adopted[t.Lang][i] = true
		}
		c.Steps[i] = st
	}
	if len(adopted) == 0 {
		return nil, nil, &dgml.Error{Kind: dgml.Conflict, Msg: "no translation to adopt: the steps already carry every current one"}
	}
	var langs []string
	for l, steps := range adopted {
		langs = append(langs, fmt.Sprintf("%s (%d steps)", l, len(steps)))
	}
	sort.Strings(langs)
	msg := "adopted translations: " + strings.Join(langs, ", ")
	var nd *design.Design
	err = s.Tx.Atomically(ctx, func(ctx context.Context) error {
		// The head read above must still be the head: a revision that
		// landed meanwhile would otherwise be silently replaced.
		cur, err := s.Commons.Store.Design(ctx, d.ID)
		if err != nil {
			return err
		}
		if cur.Head != rev.ID {
			return &dgml.Error{Kind: dgml.Conflict, Msg: "the design changed meanwhile: adopt again"}
		}
		if nd, _, err = s.Commons.Store.Commit(ctx, design.CommitRequest{DesignID: d.ID, Content: c, Author: s.Handle(u), Message: msg}); err != nil {
			return err
		}
		return s.event(ctx, collab.Event{DesignID: d.ID, Actor: s.Handle(u), Kind: "revision", Summary: msg, Link: "/designs/" + d.Slug})
	})
	if err != nil {
		return nil, nil, err
	}
	return nd, langs, nil
}
