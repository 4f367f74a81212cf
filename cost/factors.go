// Package cost holds every price, rate and emission factor the planner
// uses, each with its source, in one table a node can override from a
// JSON file. Figures are defaults to be replaced by local measurements.
package cost

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
)

// Figure is a number with where it comes from.
type Figure struct {
	Value  float64 `json:"value"`
	Source string  `json:"source"`
}

// MaterialFactor is what a kilogram of a material costs and emits.
type MaterialFactor struct {
	PriceEURPerKg Figure `json:"price_eur_per_kg"`
	CO2ePerKg     Figure `json:"co2e_kg_per_kg"`
}

// ProcessFactor is what an hour of a process costs and draws.
type ProcessFactor struct {
	PowerKW    Figure `json:"power_kw"`
	HourlyRate Figure `json:"hourly_rate_eur"` // used when a machine states none
	SetupFee   Figure `json:"setup_fee_eur"`   // per job, likewise
}

// Mode is a way of moving goods.
type Mode struct {
	CO2ePerTkm Figure `json:"co2e_kg_per_tkm"`
	SpeedKmh   Figure `json:"speed_kmh"`
	EURPerKm   Figure `json:"eur_per_km"`  // for a local trip of a small load
	EURPerTkm  Figure `json:"eur_per_tkm"` // for long-haul freight
}

// Factors is the one table.
type Factors struct {
	Materials   map[string]MaterialFactor        `json:"materials"` // key: lower-case material
	Processes   map[design.Process]ProcessFactor `json:"processes"`
	GridGPerKWh map[string]Figure                `json:"grid_g_per_kwh"` // key: ISO country code; "world" default
	Modes       map[string]Mode                  `json:"modes"`          // cargo-bike, van, truck, rail, ship, air
	// RoadDetour turns great-circle into road distance.
	RoadDetour Figure `json:"road_detour"`
	// SeaDetour turns great-circle into shipping-lane distance.
	SeaDetour Figure `json:"sea_detour"`
	// Handling is the time and cost of one pick-up at a facility.
	HandlingHours Figure `json:"handling_hours"`
	// OperatorHours is a person's time on one job (prepare, load, start,
	// clear, check), credited to the operator in the ledger when the
	// job reports none.
	OperatorHours Figure `json:"operator_hours_per_job"`
	HandlingEUR   Figure `json:"handling_eur"`
	// FacilityPenaltyEUR is added for each facility beyond the first, so
	// the planner prefers fewer pick-ups when it costs little.
	FacilityPenaltyEUR Figure   `json:"facility_penalty_eur"`
	Baseline           Baseline `json:"baseline"`
	// DefaultMaterial is assumed for a part whose manifest names none.
	DefaultMaterialKg Figure `json:"default_part_kg"`
	// PerEUR is how many units of a currency one euro buys, to compare
	// workshops that state their rates in their own currency.
	PerEUR map[string]Figure `json:"units_per_eur"`
	// TimeValueEURPerDay is what a day less of waiting is worth to the
	// person who orders: the planner weighs each day of lead time at it,
	// so work spreads over machines when that saves days. Zero plans on
	// cost alone.
	TimeValueEURPerDay Figure `json:"time_value_eur_per_day"`
	// StepHours is the time per made unit of a step of the whole design
	// (assembly, finishing, electronics) that the design lists as a
	// process but gives no part or time for.
	StepHours map[design.Process]Figure `json:"design_step_hours"`
}

// Step is the hours assumed for a whole-design step of a process.
func (f *Factors) Step(p design.Process) Figure {
	if x, ok := f.StepHours[p]; ok {
		return x
	}
	return f.StepHours[design.ProcessAssembly]
}

// ToEUR converts an amount in a currency (ISO 4217; empty is EUR) to
// euros; false when the table has no rate for it.
func (f *Factors) ToEUR(amount float64, currency string) (float64, bool) {
	if currency == "" || currency == "EUR" {
		return amount, true
	}
	r, ok := f.PerEUR[strings.ToUpper(currency)]
	if !ok || r.Value <= 0 {
		return 0, false
	}
	return amount / r.Value, true
}

// Baseline is the industrial alternative: made in a central hub and
// shipped.
type Baseline struct {
	HubName        string  `json:"hub_name"`
	HubLat         float64 `json:"hub_lat"`
	HubLon         float64 `json:"hub_lon"`
	PriceEURPerKg  Figure  `json:"price_eur_per_kg"`  // unit price estimate when none is given
	EnergyKWhPerKg Figure  `json:"energy_kwh_per_kg"` // industrial processing energy
	Grid           string  `json:"grid_country"`
	MakeDays       Figure  `json:"make_days"`
	PortDays       Figure  `json:"port_days"` // customs and port handling, each end
	LastMileKm     Figure  `json:"last_mile_km"`
}

const (
	desnz       = "UK DESNZ GHG conversion factors 2025, freighting goods, well-to-wheel (via a third-party CSV copy of the official tables)"
	ember       = "Ember 2023 via Our World in Data"
	emberApprox = "Ember 2023 via Our World in Data (not in the project's reference file; approximate, to verify)"
	labRates    = "typical fab-lab machine-time prices in published price lists, rounded (secondary)"
	filament    = "retail 1 kg filament spools, 2025 (e.g. Prusament, 20-30 EUR), rounded (secondary)"
	fx          = "mid-2025 exchange rates, rounded to two or three figures from memory of the ECB euro reference rates (approximate: set today's in the factors file)"
	stepHours   = "assumption for a small open-hardware build, per unit made; a replication report of the step replaces it"
	fxOther     = "mid-2025 exchange rates, rounded, from memory of central-bank indicative rates (not in the ECB set; approximate: set today's in the factors file)"
)

// Default is the built-in table.
func Default() *Factors {
	f := func(v float64, s string) Figure { return Figure{v, s} }
	return &Factors{
		Materials: map[string]MaterialFactor{
			"pla":       {f(25, filament), f(0.75, "NatureWorks Ingeo figures as reported by C&EN (2009); Vink & Davies, Ind. Biotechnol. 11(3), 2015")},
			"petg":      {f(25, filament), f(3.86, "DESNZ 2025, plastics: PET as proxy")},
			"abs":       {f(22, filament), f(3.3, "PlasticsEurope eco-profile, 3.1-3.6 (secondary), mid value")},
			"asa":       {f(30, filament), f(3.3, "ABS as proxy: PlasticsEurope eco-profile (secondary)")},
			"tpu":       {f(35, filament), f(3.17, "DESNZ 2025, average plastics")},
			"nylon":     {f(40, filament), f(3.17, "DESNZ 2025, average plastics")},
			"resin":     {f(60, "retail 1 l photopolymer resin bottles, 2025 (secondary)"), f(3.17, "DESNZ 2025, average plastics (proxy)")},
			"wood":      {f(6, "birch plywood sheets, about 15 EUR/m² at 4 mm (2.4 kg/m²), 2025 retail (secondary)"), f(0.45, "ICE v2 plywood about 0.45 (secondary); DESNZ 2025 construction wood 0.27")},
			"acrylic":   {f(10, "cast acrylic sheet, 2025 retail (secondary)"), f(3.17, "DESNZ 2025, average plastics (proxy)")},
			"aluminium": {f(8, "6061 bar and plate stock, 2025 small quantities (secondary)"), f(9.12, "DESNZ 2025 (ICE v2 general: 9.16)")},
			"steel":     {f(2.5, "mild steel tube and plate, 2025 small quantities (secondary)"), f(1.46, "ICE v2 general (secondary)")},
			"copper":    {f(12, "copper wire, 2025 retail (secondary)"), f(3.8, "ICE v2 copper, general (secondary)")},
			"plastic":   {f(20, filament), f(3.17, "DESNZ 2025, average plastics")},
		},
		Processes: map[design.Process]ProcessFactor{
			design.ProcessFDM:            {f(0.12, "desktop FDM printing PLA: 100-160 W average (secondary sources in the project's factor notes); 120 W suggested"), f(3, labRates), f(2, labRates)},
			design.ProcessSLA:            {f(0.06, "desktop resin printers, 40-80 W (secondary)"), f(4, labRates), f(3, labRates)},
			design.ProcessSLS:            {f(3.0, "benchtop SLS printers, 2-4 kW (secondary)"), f(15, labRates), f(20, labRates)},
			design.ProcessLaserCutting:   {f(1.0, "60 W CO2 laser with chiller and extraction, about 1 kW at the wall (secondary)"), f(30, labRates), f(5, labRates)},
			design.ProcessCNCMilling:     {f(1.5, "fab-lab CNC router, 2.2 kW spindle at part load plus drives (secondary)"), f(40, labRates), f(15, labRates)},
			design.ProcessCNCTurning:     {f(1.5, "benchtop CNC lathe (secondary)"), f(40, labRates), f(15, labRates)},
			design.ProcessVinylCutting:   {f(0.05, "desktop vinyl cutters, about 50 W (secondary)"), f(10, labRates), f(2, labRates)},
			design.ProcessPlasmaCutting:  {f(8, "plasma table with 45 A cutter, 6-10 kW (secondary)"), f(45, labRates), f(15, labRates)},
			design.ProcessWaterjet:       {f(30, "waterjet pump, 22-37 kW (secondary)"), f(90, labRates), f(30, labRates)},
			design.ProcessSheetMetal:     {f(1.0, "press brake, small hydraulic (secondary)"), f(35, labRates), f(10, labRates)},
			design.ProcessWelding:        {f(4, "MIG welder at 150 A duty (secondary)"), f(35, labRates), f(10, labRates)},
			design.ProcessWoodworking:    {f(1.5, "table saw and hand tools (secondary)"), f(30, labRates), f(5, labRates)},
			design.ProcessCasting:        {f(3, "small electric melting furnace (secondary)"), f(40, labRates), f(20, labRates)},
			design.ProcessMoulding:       {f(2, "benchtop injection moulding machine (secondary)"), f(40, labRates), f(30, labRates)},
			design.ProcessPCBFabrication: {f(0.5, "desktop PCB mill (secondary)"), f(30, labRates), f(10, labRates)},
			design.ProcessPCBAssembly:    {f(0.1, "soldering station and hot air (secondary)"), f(25, labRates), f(5, labRates)},
			design.ProcessTextile:        {f(0.1, "sewing machine (secondary)"), f(20, labRates), f(2, labRates)},
			design.ProcessAssembly:       {f(0.05, "hand tools (secondary)"), f(25, labRates), f(0, labRates)},
			design.ProcessFinishing:      {f(0.3, "sanding, spray booth extraction and curing lamp (secondary)"), f(25, labRates), f(0, labRates)},
		},
		PerEUR: map[string]Figure{
			"USD": f(1.17, fx), "GBP": f(0.86, fx), "CHF": f(0.94, fx), "INR": f(100, fx), "BRL": f(6.4, fx), "ZAR": f(20.8, fx),
			"MXN": f(22, fx), "IDR": f(19000, fx), "PHP": f(66, fx), "PLN": f(4.25, fx), "SEK": f(11.1, fx), "NOK": f(11.8, fx), "DKK": f(7.46, fx),
			"KES": f(151, fxOther), "NGN": f(1800, fxOther), "GHS": f(12, fxOther), "COP": f(4700, fxOther), "ARS": f(1400, fxOther),
		},
		GridGPerKWh: map[string]Figure{
			"world": f(481, ember), "FR": f(56, ember), "NO": f(30, ember), "FI": f(79, ember), "BR": f(98, ember),
			"AT": f(111, ember), "BE": f(138, ember), "DK": f(152, ember), "CA": f(170, ember), "DE": f(381, ember),
			"CZ": f(450, ember), "AU": f(549, ember), "CN": f(582, ember), "IN": f(713, ember),
			"GB": f(177, "DESNZ 2025, UK electricity generation"),
			"GR": f(330, emberApprox), "ES": f(170, emberApprox), "US": f(370, emberApprox), "KE": f(90, emberApprox),
			"IT": f(330, emberApprox), "NL": f(270, emberApprox),
		},
		Modes: map[string]Mode{
			"cargo-bike": {f(0, "human-powered (an e-cargo bike's electricity is negligible)"), f(15, "urban cargo bike average, secondary"), f(1.0, "urban courier rates, secondary"), f(0, "")},
			"van":        {f(0.87423, "UK DESNZ 2025, van class I diesel, tank-to-wheel (per tonne-km of capacity; a small load is charged its share)"), f(40, "urban and regional van average, secondary"), f(0.6, "van running cost per km, secondary"), f(0, "")},
			"truck":      {f(0.1252, desnz+", HGV all diesel average laden"), f(60, "long-haul road average, secondary"), f(0, ""), f(0.10, "road freight rate, secondary")},
			"rail":       {f(0.0347, desnz+", rail freight"), f(50, "rail freight average, secondary"), f(0, ""), f(0.05, "rail freight rate, secondary")},
			"ship":       {f(0.0198, desnz+", container ship average"), f(30, "container ship at 16 knots"), f(0, ""), f(0.01, "container freight rate per tonne-km, secondary")},
			"air":        {f(1.0346, desnz+", air freight long-haul with radiative forcing"), f(700, "freighter cruise average"), f(0, ""), f(3.0, "air freight rate per tonne-km, secondary")},
		},
		RoadDetour:         f(1.3, "circuity factor of road networks, about 1.2-1.4 (Ballou et al. 2002, secondary)"),
		SeaDetour:          f(1.3, "shipping lanes against great-circle distance (secondary)"),
		HandlingHours:      f(2, "pick-up and packing at a facility, assumption"),
		OperatorHours:      f(0.25, "an operator's time per job (prepare, load, clear, check), assumption"),
		HandlingEUR:        f(3, "packing at a facility, assumption"),
		FacilityPenaltyEUR: f(5, "preference for fewer pick-ups, assumption"),
		DefaultMaterialKg:  f(0.05, "mass assumed for a part with no mass and no mesh, assumption"),
		TimeValueEURPerDay: f(10, "assumption: a day less of waiting for a part is worth about a third of an hour of the EU's average labour cost (Eurostat 2024: 33.5 EUR/h); set it per plan, or 0 to plan on cost alone"),
		StepHours: map[design.Process]Figure{
			design.ProcessAssembly:    f(1, stepHours),
			design.ProcessFinishing:   f(0.5, stepHours),
			design.ProcessPCBAssembly: f(1, stepHours),
			design.ProcessWelding:     f(2, stepHours),
			design.ProcessTextile:     f(1, stepHours),
		},
		Baseline: Baseline{
			HubName: "Shenzhen", HubLat: 22.5431, HubLon: 114.0579,
			PriceEURPerKg:  f(15, "ex-works price of mass-produced injection-moulded parts, rough estimate (secondary)"),
			EnergyKWhPerKg: f(2.5, "injection moulding specific energy 1.5-3 kWh/kg (Thiriez & Gutowski 2006, secondary)"),
			Grid:           "CN",
			MakeDays:       f(14, "order to ex-works for a small batch, assumption"),
			PortDays:       f(5, "customs and port handling at each end, assumption"),
			LastMileKm:     f(300, "port or airport to customer by truck, assumption"),
		},
	}
}

// Material finds a material's factors; unknown materials count as
// average plastic, and say so.
func (f *Factors) Material(name string) (MaterialFactor, string) {
	n := strings.ToLower(strings.TrimSpace(name))
	if m, ok := f.Materials[n]; ok {
		return m, n
	}
	for k, m := range f.Materials {
		if strings.Contains(n, k) {
			return m, k
		}
	}
	return f.Materials["plastic"], "plastic (assumed)"
}

// Grid is the electricity carbon intensity of a country, g/kWh.
func (f *Factors) Grid(country string) Figure {
	if g, ok := f.GridGPerKWh[strings.ToUpper(country)]; ok {
		return g
	}
	return f.GridGPerKWh["world"]
}

// Process gives a process's factors (assembly's when unknown).
func (f *Factors) Process(p design.Process) ProcessFactor {
	if x, ok := f.Processes[p]; ok {
		return x
	}
	return f.Processes[design.ProcessAssembly]
}

// Load overrides entries from JSON of the same shape as Factors; entries
// not given keep their defaults.
func (f *Factors) Load(name string, r io.Reader) error {
	if err := json.NewDecoder(r).Decode(f); err != nil {
		return &dgml.Error{Kind: dgml.Invalid, File: name, Msg: "not a factor table", Err: err}
	}
	return nil
}
