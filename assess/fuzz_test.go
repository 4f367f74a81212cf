package assess

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/dgml/dgml/design"
)

// Reports arrive as JSON from anyone: whatever decodes either fails the
// check with a field named or yields figures that are finite.
func FuzzReport(f *testing.F) {
	f.Add(`{"place": "Lyon, FR", "quantity": 2, "hours": 3, "cost_eur": 10, "success": true}`)
	f.Add(`{"place": "", "hours": -1}`)
	f.Add(`{"place": "x", "part": "a / b", "process": "3d-printing-fdm", "material_g": 1e308, "success": true}`)
	f.Fuzz(func(t *testing.T, s string) {
		var r Report
		if json.Unmarshal([]byte(s), &r) != nil {
			return
		}
		if err := r.Check(); err != nil {
			return
		}
		if r.Quantity < 1 || r.Place == "" {
			t.Fatalf("accepted %+v", r)
		}
		r.Part, r.Success = "p", true
		if r.Process == "" {
			r.Process = design.ProcessFDM
		}
		f := Summarise([]Report{r, r})
		m := ByPart([]Report{r})[PartKey("p", r.Process)]
		for _, v := range []float64{Median([]float64{r.MaterialG, r.MaterialG}), f.MedianCostEUR, f.MedianHours, m.Hours, m.MaterialG, m.CostEUR} {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Fatalf("figure %v from %+v", v, r)
			}
		}
	})
}

func FuzzLanguageTag(f *testing.F) {
	for _, s := range []string{"fr", "PT-br", "es-419", "français", "", "zh-Hant-TW"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tag, ok := design.LanguageTag(s)
		if !ok {
			return
		}
		if again, ok2 := design.LanguageTag(tag); !ok2 || again != tag {
			t.Fatalf("%q → %q → %q", s, tag, again)
		}
	})
}
