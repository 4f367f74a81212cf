package demo

import (
	"github.com/dgml/dgml/assess"
	"github.com/dgml/dgml/design"
)

// Community is what the demo community says of the demo printer: builds
// in three places, reviews, readiness votes and a French translation
// under way. Its Members are accounts of the node the demo is loaded on,
// which nobody can log in to; the Steward, a node admin that nobody can
// log in to either, vouches for them so that their reviews count.
type Community struct {
	Members      []string
	Steward      string
	Reports      []assess.Report
	Attestations []assess.Attestation
	Votes        []assess.Vote
	Translations []design.TextTranslation
}

// PrinterCommunity is the demo community of the printer's revision rev,
// on the node named node.
func PrinterCommunity(d *design.Design, rev *design.Revision, node string) Community {
	at := func(r assess.Report) assess.Report {
		r.DesignID, r.Revision = d.ID, rev.ID
		if r.Quantity == 0 {
			r.Quantity = 1
		}
		return r
	}
	c := Community{
		Members: []string{"amara", "nikos", "priya"},
		Steward: "demo-steward",
		Reports: []assess.Report{
			at(assess.Report{Author: "amara@" + node, Place: "Nairobi, KE", Facility: "Demo Fab Lab Nairobi 1", Machines: []string{"Prusa i3 MK3S"}, Materials: []string{"PLA", "M8 threaded rod"}, Hours: 31, CostEUR: 285, Success: true, Notes: "Demo report: printed parts over four evenings; rods bought locally."}),
			at(assess.Report{Author: "nikos@" + node, Place: "Athens, GR", Machines: []string{"Ender 3"}, Materials: []string{"PETG"}, Hours: 26, CostEUR: 310, Success: true, Notes: "Demo report: PETG corners hold the frame square better."}),
			at(assess.Report{Author: "priya@" + node, Place: "Pune, IN", Hours: 18, CostEUR: 190, Success: false, Notes: "Demo report: the hot end jammed; the printed parts were fine."}),
			at(assess.Report{Author: "amara@" + node, Place: "Nairobi, KE", Part: "Frame / Frame corner bracket", Process: design.ProcessFDM, Quantity: 8, Hours: 9.5, MaterialG: 150, Success: true, Notes: "Demo report: 0.2 mm layers, 20% infill."}),
		},
		Attestations: []assess.Attestation{
			{DesignID: d.ID, Revision: rev.ID, Reviewer: "nikos@" + node, Holds: true, Note: "Demo review: built it from the steps and the parts list alone."},
			{DesignID: d.ID, Revision: rev.ID, Reviewer: "priya@" + node, Holds: false, Note: "Demo review: the printed parts come only as STL; editable sources are missing."},
		},
		Votes: []assess.Vote{
			{DesignID: d.ID, Revision: rev.ID, Scale: "otrl", Level: 6, Reason: "Demo vote: replicated in two places, not yet certified.", Voter: "nikos@" + node},
			{DesignID: d.ID, Revision: rev.ID, Scale: "odrl", Level: 3, Reason: "Demo vote: good steps, no editable sources.", Voter: "priya@" + node},
		},
	}
	if u, ok := rev.Unit("name"); ok {
		c.Translations = append(c.Translations, design.TextTranslation{DesignID: d.ID, Key: "name", Lang: "fr", Text: "Imprimante 3D de type RepRap Mendel (démo)", Source: u.Fingerprint, Revision: rev.ID, Author: "amara@" + node})
	}
	if u, ok := rev.Unit("step:1"); ok {
		c.Translations = append(c.Translations, design.TextTranslation{DesignID: d.ID, Key: "step:1", Lang: "fr", Title: "Imprimer les pièces", Text: "Imprimez en PLA toutes les pièces des axes X, Y et Z, du cadre et de l'extrudeur : couches de 0,2 mm, 3 périmètres, 30 % de remplissage.", Source: u.Fingerprint, Revision: rev.ID, Author: "amara@" + node})
	}
	return c
}
