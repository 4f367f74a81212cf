package cost

import (
	"strings"
	"testing"

	"github.com/dgml/dgml/design"
)

// Every figure of the default table carries its source.
func TestEveryFigureHasASource(t *testing.T) {
	f := Default()
	check := func(name string, fig Figure) {
		if fig.Source == "" && fig.Value != 0 {
			t.Errorf("%s: %v has no source", name, fig.Value)
		}
	}
	for k, m := range f.Materials {
		check(k+" price", m.PriceEURPerKg)
		check(k+" co2e", m.CO2ePerKg)
	}
	for k, p := range f.Processes {
		check(string(k)+" power", p.PowerKW)
		check(string(k)+" rate", p.HourlyRate)
	}
	for k, g := range f.GridGPerKWh {
		check("grid "+k, g)
	}
	for k, m := range f.Modes {
		check(k, m.CO2ePerTkm)
		check(k+" speed", m.SpeedKmh)
	}
	for _, p := range design.Processes {
		if _, ok := f.Processes[p.Process]; !ok {
			t.Errorf("no factors for %s", p.Process)
		}
	}
}

func TestOverride(t *testing.T) {
	f := Default()
	err := f.Load("ours.json", strings.NewReader(`{"grid_g_per_kwh": {"GR": {"value": 250, "source": "our meter, 2026"}}, "facility_penalty_eur": {"value": 0, "source": "we do not mind pick-ups"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if g := f.Grid("gr"); g.Value != 250 || g.Source != "our meter, 2026" || f.Grid("FR").Value != 56 || f.FacilityPenaltyEUR.Value != 0 {
		t.Errorf("override: %+v", f.Grid("GR"))
	}
	if f.Grid("XX").Value != 481 {
		t.Error("unknown countries use the world average")
	}
	if m, name := f.Material("Steel tube 40x40"); name != "steel" || m.CO2ePerKg.Value != 1.46 {
		t.Errorf("material lookup: %s", name)
	}
	if err := f.Load("bad.json", strings.NewReader(`{"modes": 3}`)); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("a bad table: %v", err)
	}
}
