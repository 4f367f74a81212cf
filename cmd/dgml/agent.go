package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/dispatch"
	"github.com/dgml/dgml/moonraker"
	"github.com/dgml/dgml/octoprint"
	"github.com/dgml/dgml/prusalink"
)

// agentConfig is the workshop agent's file: which machines of which
// workshop it drives, and how to reach each. Printer keys stay in the
// workshop, in this file; the node never sees them.
type agentConfig struct {
	Facility string         `json:"facility"`
	Machines []agentMachine `json:"machines"`
	// Slicer, when set, slices meshes for machines that take G-code:
	// a PrusaSlicer command line and the workshop's profile for it.
	Slicer  string `json:"slicer,omitempty"`
	Profile string `json:"profile,omitempty"`
}

type agentMachine struct {
	ID     string `json:"id"`     // the machine's id on the node
	Driver string `json:"driver"` // octoprint, moonraker or prusalink
	URL    string `json:"url"`
	APIKey string `json:"api_key"`
}

func runAgent(ctx context.Context, args []string) error {
	fs := newFlags("agent", "agent --node URL --token TOKEN --config FILE [--every 5s]",
		`Runs inside a workshop's network and takes the node's jobs to its
machines. It connects out to the node (so printers behind NAT need no
open port), and for each run of its machines: fetches the file (checked
by its SHA-256), slices a mesh when a slicer is configured, uploads it
to the machine without starting it, and waits until an operator says on
the node that the bed is clear. Then it starts the print, reports its
progress, and at the end its real time, filament and energy, which the
node learns each machine's correction from.

The config file (JSON) names the workshop and its machines:

  {"facility": "fab-lab-athens",
   "machines": [{"id": "MACHINE-ID", "driver": "octoprint",
                 "url": "http://octopi.local", "api_key": "..."}],
   "slicer": "prusa-slicer", "profile": "mk4-0.2mm-pla.ini"}

Drivers: octoprint (REST API), moonraker (Klipper), prusalink (Prusa
MK4, XL, MINI). Machines without a network API need no
agent: their operator reports runs on the node.`)
	node := fs.String("node", os.Getenv("DGML_NODE"), "the node's base URL (or $DGML_NODE)")
	token := fs.String("token", os.Getenv("DGML_TOKEN"), "an API token of one of the workshop's operators (or $DGML_TOKEN)")
	config := fs.String("config", "", "the agent's config file (JSON)")
	every := fs.Duration("every", 5*time.Second, "how often to ask the node and the machines")
	once := fs.Bool("once", false, "one pass, then exit")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if *node == "" || *token == "" || *config == "" {
		return usageError{"give --node URL, --token TOKEN and --config FILE"}
	}
	data, err := os.ReadFile(*config)
	if err != nil {
		return err
	}
	var cfg agentConfig
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return fmt.Errorf("%s: %w", *config, err)
	}
	a := &agent{node: strings.TrimRight(*node, "/"), token: *token, cfg: cfg, drivers: map[string]dispatch.Driver{}, log: slog.Default(),
		http: &http.Client{Timeout: time.Minute}, work: filepath.Join(os.TempDir(), "dgml-agent")}
	for i, m := range cfg.Machines {
		switch m.Driver {
		case "octoprint":
			a.drivers[m.ID] = &octoprint.Client{URL: m.URL, APIKey: m.APIKey}
		case "moonraker":
			a.drivers[m.ID] = &moonraker.Client{URL: m.URL, APIKey: m.APIKey}
		case "prusalink":
			a.drivers[m.ID] = &prusalink.Client{URL: m.URL, APIKey: m.APIKey}
		default:
			return fmt.Errorf("%s: machines[%d].driver: %q is not a driver this agent has (octoprint, moonraker, prusalink)", *config, i, m.Driver)
		}
	}
	if cfg.Facility == "" || len(a.drivers) == 0 {
		return fmt.Errorf("%s: name the facility and at least one machine", *config)
	}
	if err := os.MkdirAll(a.work, 0o700); err != nil {
		return err
	}
	a.log.Info("agent started", "node", a.node, "facility", cfg.Facility, "machines", len(a.drivers))
	for {
		a.pass(ctx)
		if *once {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*every):
		}
	}
}

type agent struct {
	node, token string
	cfg         agentConfig
	drivers     map[string]dispatch.Driver
	log         *slog.Logger
	http        *http.Client
	work        string
}

// pass looks once at every open run of every machine; a failure with
// one machine leaves the others going.
func (a *agent) pass(ctx context.Context) {
	for id, d := range a.drivers {
		var list struct {
			Items []dispatch.Run `json:"items"`
		}
		if err := a.call(ctx, "GET", "/api/v1/facilities/"+url.PathEscape(a.cfg.Facility)+"/runs?open=1&machine="+url.QueryEscape(id), nil, &list); err != nil {
			a.log.Warn("cannot read runs from the node", "machine", id, "err", err)
			continue
		}
		for _, r := range list.Items {
			if err := a.step(ctx, d, &r); err != nil {
				a.log.Warn("run", "id", r.ID, "part", r.Part, "state", r.State, "err", err)
			}
		}
	}
}

// remoteName is the run's file on the machine: the same on every pass,
// so that an agent restarted mid-run finds it again.
func remoteName(r *dispatch.Run) string { return "dgml-" + r.ID + ".gcode" }

// step moves one run on by what the node and the machine say.
func (a *agent) step(ctx context.Context, d dispatch.Driver, r *dispatch.Run) error {
	switch r.State {
	case dispatch.Queued:
		if r.File.SHA256 == "" {
			return nil // run by hand: the operator reports it
		}
		g, how, err := a.gcode(ctx, r)
		if err != nil {
			return a.report(ctx, r, dispatch.Report{State: dispatch.Failed, Message: err.Error()})
		}
		sum := sha256.Sum256(g)
		if err := d.Upload(ctx, remoteName(r), bytes.NewReader(g), int64(len(g)), hex.EncodeToString(sum[:])); err != nil {
			if dgml.KindOf(err) == dgml.Conflict {
				return nil // busy: next pass
			}
			return err
		}
		return a.report(ctx, r, dispatch.Report{State: dispatch.WaitBed, Message: how + "on the machine; waiting for an operator to confirm the bed is clear"})
	case dispatch.Cleared:
		if err := d.Start(ctx, remoteName(r)); err != nil {
			if dgml.KindOf(err) == dgml.Conflict {
				return nil // still busy with something else
			}
			return err
		}
		return a.report(ctx, r, dispatch.Report{State: dispatch.Printing, Message: "started"})
	case dispatch.Printing:
		st, err := d.Status(ctx)
		if err != nil {
			return err
		}
		if st.File != "" && st.File != remoteName(r) {
			return a.report(ctx, r, dispatch.Report{State: dispatch.Failed, Message: "the machine is printing another file (" + st.File + ")"})
		}
		switch st.State {
		case dispatch.MachinePrinting, dispatch.MachinePaused:
			if st.Progress > r.Progress+0.01 {
				return a.report(ctx, r, dispatch.Report{State: dispatch.Printing, Progress: st.Progress, Message: st.State})
			}
		case dispatch.MachineComplete:
			return a.report(ctx, r, dispatch.Report{State: dispatch.Done, ActualHours: st.Seconds / 3600, FilamentG: st.FilamentG, EnergyKWh: st.EnergyKWh, Message: "completed on the machine"})
		case dispatch.MachineError:
			return a.report(ctx, r, dispatch.Report{State: dispatch.Failed, Message: "the machine reports an error: " + st.Message})
		case dispatch.MachineStandby, dispatch.MachineCancelled:
			return a.report(ctx, r, dispatch.Report{State: dispatch.Failed, Message: "the print stopped at the machine before it completed"})
		}
	}
	return nil
}

// gcode fetches the run's file from the node, checked by its SHA-256,
// and slices it when it is a mesh.
func (a *agent) gcode(ctx context.Context, r *dispatch.Run) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", a.node+"/api/v1/files/"+r.File.SHA256, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	res, err := a.http.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return nil, "", fmt.Errorf("file %s: the node answered %s", r.File.SHA256, res.Status)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, 512<<20))
	if err != nil {
		return nil, "", err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != r.File.SHA256 {
		return nil, "", fmt.Errorf("file %s arrived changed (its SHA-256 differs)", r.File.Path)
	}
	if _, slice := dispatch.PickFile([]design.FileRef{r.File}); !slice {
		return data, "", nil
	}
	if a.cfg.Slicer == "" {
		return nil, "", fmt.Errorf("%s is a mesh and this agent has no slicer: add \"slicer\" and \"profile\" to its config, or attach G-code to the part", r.File.Path)
	}
	in := filepath.Join(a.work, r.ID+filepath.Ext(r.File.Path))
	out := filepath.Join(a.work, r.ID+".gcode")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, "", err
	}
	args := []string{"--export-gcode", "-o", out}
	if a.cfg.Profile != "" {
		args = append(args, "--load", a.cfg.Profile)
	}
	cmd := exec.CommandContext(ctx, a.cfg.Slicer, append(args, in)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("slicing %s: %v: %s", r.File.Path, err, strings.TrimSpace(string(msg)))
	}
	g, err := os.ReadFile(out)
	return g, "sliced at the workshop with " + filepath.Base(a.cfg.Slicer) + "; ", err
}

func (a *agent) report(ctx context.Context, r *dispatch.Run, rep dispatch.Report) error {
	if err := a.call(ctx, "POST", "/api/v1/runs/"+r.ID+"/report", rep, nil); err != nil {
		return err
	}
	a.log.Info("run", "id", r.ID, "part", r.Part, "state", rep.State, "progress", rep.Progress)
	r.State = rep.State
	return nil
}

// call makes one API request with the agent's token.
func (a *agent) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.node+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, res.Status, strings.TrimSpace(string(data)))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
