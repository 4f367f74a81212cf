package design

import "strings"

// Process is a manufacturing process from dgml's controlled vocabulary.
// Machines in facilities and parts in designs speak the same words, which
// is what makes matching possible.
type Process string

// The vocabulary. Keep it small: every entry must be something a machine
// in a workshop does.
const (
	ProcessUnknown        Process = ""
	ProcessFDM            Process = "3d-printing-fdm"
	ProcessSLA            Process = "3d-printing-sla"
	ProcessSLS            Process = "3d-printing-sls"
	ProcessLaserCutting   Process = "laser-cutting"
	ProcessCNCMilling     Process = "cnc-milling"
	ProcessCNCTurning     Process = "cnc-turning"
	ProcessVinylCutting   Process = "vinyl-cutting"
	ProcessPlasmaCutting  Process = "plasma-cutting"
	ProcessWaterjet       Process = "waterjet-cutting"
	ProcessSheetMetal     Process = "sheet-metal"
	ProcessWelding        Process = "welding"
	ProcessWoodworking    Process = "woodworking"
	ProcessCasting        Process = "casting"
	ProcessMoulding       Process = "injection-moulding"
	ProcessPCBFabrication Process = "pcb-fabrication"
	ProcessPCBAssembly    Process = "pcb-assembly"
	ProcessTextile        Process = "textile"
	ProcessAssembly       Process = "assembly"
	ProcessFinishing      Process = "finishing"
)

// Processes is the whole vocabulary with a plain description of each.
var Processes = []struct {
	Process Process
	Label   string
}{
	{ProcessFDM, "3D printing, fused filament (FDM/FFF)"},
	{ProcessSLA, "3D printing, resin (SLA/DLP)"},
	{ProcessSLS, "3D printing, powder bed (SLS/MJF)"},
	{ProcessLaserCutting, "Laser cutting and engraving"},
	{ProcessCNCMilling, "CNC milling and routing"},
	{ProcessCNCTurning, "CNC turning (lathe)"},
	{ProcessVinylCutting, "Vinyl / plotter cutting"},
	{ProcessPlasmaCutting, "Plasma / torch cutting"},
	{ProcessWaterjet, "Waterjet cutting"},
	{ProcessSheetMetal, "Sheet metal bending and forming"},
	{ProcessWelding, "Welding"},
	{ProcessWoodworking, "Woodworking (saw, drill, joinery)"},
	{ProcessCasting, "Casting"},
	{ProcessMoulding, "Injection moulding"},
	{ProcessPCBFabrication, "Printed circuit board fabrication"},
	{ProcessPCBAssembly, "Electronics assembly and soldering"},
	{ProcessTextile, "Sewing and textile work"},
	{ProcessAssembly, "Mechanical assembly"},
	{ProcessFinishing, "Post-processing and finishing"},
}

// Valid reports whether p is in the vocabulary (the empty process is: it
// means "not said").
func (p Process) Valid() bool {
	if p == ProcessUnknown {
		return true
	}
	for _, e := range Processes {
		if e.Process == p {
			return true
		}
	}
	return false
}

// processNames maps the words manifests use (OKH TsDC ids, OKH v1
// manufacturing-process names, common spellings) to the vocabulary. Keys are
// lower case with spaces, dashes and underscores removed.
var processNames = map[string]Process{
	// OKH-LOSH TsDC identifiers (Technology-specific Documentation Criteria).
	"3dp": ProcessFDM, "mec": ProcessAssembly, "asmmec": ProcessAssembly,
	"asmgen": ProcessAssembly, "asm": ProcessAssembly, "pcb": ProcessPCBFabrication,
	"asmpcb": ProcessPCBAssembly, "wel": ProcessWelding, "cnc": ProcessCNCMilling,
	"las": ProcessLaserCutting, "lsc": ProcessLaserCutting, "sheet": ProcessSheetMetal,
	// Names.
	"fdm": ProcessFDM, "fff": ProcessFDM, "3dprinting": ProcessFDM, "3dprinted": ProcessFDM,
	"additive": ProcessFDM, "additivemanufacturing": ProcessFDM,
	"sla": ProcessSLA, "dlp": ProcessSLA, "resin": ProcessSLA, "resinprinting": ProcessSLA,
	"sls": ProcessSLS, "mjf": ProcessSLS,
	"lasercutting": ProcessLaserCutting, "lasercut": ProcessLaserCutting, "laser": ProcessLaserCutting,
	"lasercutter": ProcessLaserCutting, "laserengraving": ProcessLaserCutting,
	"cncmilling": ProcessCNCMilling, "milling": ProcessCNCMilling, "cncrouting": ProcessCNCMilling,
	"cncrouter": ProcessCNCMilling, "cncmachining": ProcessCNCMilling, "machining": ProcessCNCMilling,
	"routing": ProcessCNCMilling,
	"turning": ProcessCNCTurning, "lathe": ProcessCNCTurning, "cncturning": ProcessCNCTurning,
	"vinylcutting": ProcessVinylCutting, "vinylcutter": ProcessVinylCutting,
	"plasmacutting": ProcessPlasmaCutting, "plasma": ProcessPlasmaCutting, "torchtable": ProcessPlasmaCutting,
	"waterjet": ProcessWaterjet, "waterjetcutting": ProcessWaterjet,
	"sheetmetal": ProcessSheetMetal, "bending": ProcessSheetMetal, "metalforming": ProcessSheetMetal,
	"welding":     ProcessWelding,
	"woodworking": ProcessWoodworking, "wood": ProcessWoodworking, "carpentry": ProcessWoodworking,
	"casting":          ProcessCasting,
	"injectionmolding": ProcessMoulding, "injectionmoulding": ProcessMoulding, "moulding": ProcessMoulding,
	"molding":        ProcessMoulding,
	"pcbfabrication": ProcessPCBFabrication, "pcbmanufacturing": ProcessPCBFabrication,
	"pcbassembly": ProcessPCBAssembly, "soldering": ProcessPCBAssembly, "electronicsassembly": ProcessPCBAssembly,
	"electronics": ProcessPCBAssembly,
	"sewing":      ProcessTextile, "textile": ProcessTextile,
	"assembly": ProcessAssembly, "mechanicalassembly": ProcessAssembly,
	"finishing": ProcessFinishing, "postprocessing": ProcessFinishing, "painting": ProcessFinishing,
	"sanding": ProcessFinishing, "coating": ProcessFinishing, "powdercoating": ProcessFinishing,
	"surfacefinishing": ProcessFinishing,
}

// ParseProcess maps a manifest's word for a process to the vocabulary. It
// reports false when the word is not known.
func ParseProcess(s string) (Process, bool) {
	k := strings.ToLower(strings.TrimSpace(s))
	if p := Process(k); p != ProcessUnknown && p.Valid() {
		return p, true
	}
	k = strings.NewReplacer(" ", "", "-", "", "_", "", "/", "").Replace(k)
	if k == "" {
		return ProcessUnknown, true
	}
	p, ok := processNames[k]
	return p, ok
}
