package people

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
)

// Credit is one design in a revision's ancestry or among the modules it
// reuses: what it is, under which licence, and who made it.
type Credit struct {
	Relation     string   `json:"relation"` // this design, forked from, module "X" reused from
	DesignID     string   `json:"design_id"`
	Slug         string   `json:"slug,omitempty"`
	Name         string   `json:"name,omitempty"`
	Revision     string   `json:"revision"`
	License      string   `json:"license,omitempty"`
	Contributors []string `json:"contributors"`
	// Missing says why a design could not be credited in full: it lives
	// on another node.
	Missing string `json:"missing,omitempty"`
}

// Attribution lists every design a revision builds on.
type Attribution struct {
	Design   string   `json:"design"`
	Revision string   `json:"revision"`
	License  string   `json:"license,omitempty"`
	Credits  []Credit `json:"credits"`
}

// Attribution walks a revision's lineage and reused modules, recursively.
func (s *Service) Attribution(ctx context.Context, ref, rev string) (*Attribution, error) {
	d, r, err := s.revisionOf(ctx, ref, rev)
	if err != nil {
		return nil, err
	}
	a := &Attribution{Design: d.Name, Revision: r.ID, License: r.Manifest.LicenseOrText(), Credits: []Credit{}}
	seen := map[string]bool{}
	var visit func(relation string, d *design.Design, r *design.Revision, depth int) error
	visit = func(relation string, d *design.Design, r *design.Revision, depth int) error {
		if seen[d.ID+r.ID] || depth > 50 {
			return nil
		}
		seen[d.ID+r.ID] = true
		c, err := s.credit(ctx, relation, d, r)
		if err != nil {
			return err
		}
		a.Credits = append(a.Credits, c)
		type upstream struct {
			relation string
			origin   *design.Origin
		}
		var next []upstream
		if d.ForkedFrom != nil {
			next = append(next, upstream{"forked from", d.ForkedFrom})
		}
		design.Walk(r.Parts, func(path []string, p *design.Part) {
			if p.Reuses != nil {
				next = append(next, upstream{fmt.Sprintf("module %q reused from", strings.Join(path, " / ")), p.Reuses})
			}
		})
		for _, n := range next {
			pd, pr, err := s.origin(ctx, n.origin)
			if err != nil {
				if dgml.KindOf(err) != dgml.NotFound {
					return err
				}
				a.Credits = append(a.Credits, Credit{Relation: n.relation, DesignID: n.origin.Design, Revision: n.origin.Revision, Contributors: []string{}, Missing: "not on this node: fetch it to credit it in full"})
				continue
			}
			if err := visit(n.relation, pd, pr, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return a, visit("this design", d, r, 0)
}

func (s *Service) origin(ctx context.Context, o *design.Origin) (*design.Design, *design.Revision, error) {
	d, err := s.Commons.Store.Design(ctx, o.Design)
	if err != nil {
		return nil, nil, err
	}
	rev := o.Revision
	if rev == "" {
		rev = d.Head
	}
	r, err := s.Commons.Store.Revision(ctx, rev)
	return d, r, err
}

// credit names a revision's makers: the manifest's licensors and
// contributors, and who committed its revisions up to this one.
func (s *Service) credit(ctx context.Context, relation string, d *design.Design, r *design.Revision) (Credit, error) {
	c := Credit{Relation: relation, DesignID: d.ID, Slug: d.Slug, Name: r.Manifest.Name, Revision: r.ID, License: r.Manifest.LicenseOrText()}
	who := map[string]bool{}
	for _, l := range [][]string{r.Manifest.Licensors, r.Manifest.Contributors, r.Manifest.Organisations} {
		for _, n := range l {
			who[strings.TrimSpace(n)] = true
		}
	}
	hist, err := s.Commons.Store.History(ctx, d.ID)
	if err != nil {
		return c, err
	}
	for _, h := range hist {
		if h.Author != "" {
			who[h.Author] = true
		}
		if h.Revision == r.ID {
			break // later revisions did not make this one
		}
	}
	delete(who, "")
	c.Contributors = make([]string, 0, len(who))
	for n := range who {
		c.Contributors = append(c.Contributors, n)
	}
	sort.Strings(c.Contributors)
	return c, nil
}

// Text is the attribution as a README section.
func (a *Attribution) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Attribution\n\n%s (revision %.12s", a.Design, a.Revision)
	if a.License != "" {
		fmt.Fprintf(&b, ", licensed %s", a.License)
	}
	b.WriteString(") builds on the work below.\n\n")
	for _, c := range a.Credits {
		name := c.Name
		if name == "" {
			name = c.DesignID
		}
		fmt.Fprintf(&b, "- %s: **%s**, revision %.12s", strings.ToUpper(c.Relation[:1])+c.Relation[1:], name, c.Revision)
		if c.License != "" {
			fmt.Fprintf(&b, ", %s", c.License)
		}
		if len(c.Contributors) > 0 {
			fmt.Fprintf(&b, ", by %s", strings.Join(c.Contributors, ", "))
		}
		if c.Missing != "" {
			fmt.Fprintf(&b, " (%s)", c.Missing)
		}
		b.WriteString("\n")
	}
	return b.String()
}
