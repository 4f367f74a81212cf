// Package moonraker is the dispatch driver for Klipper printers through
// Moonraker's HTTP API (moonraker.readthedocs.io, "Web API"): it uploads
// G-code with its SHA-256 (Moonraker refuses a mismatch with 422),
// starts a print, reads print_stats and virtual_sdcard, cancels, and
// takes the energy of a finished print from the job history's
// auxiliary data when a power device records it. Authentication is the
// X-Api-Key header.
package moonraker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/dispatch"
)

// Client is one Moonraker instance.
type Client struct {
	URL    string // e.g. http://voron.local:7125
	APIKey string
	HTTP   *http.Client // nil: a client with a 30 s timeout
}

var _ dispatch.Driver = (*Client)(nil)

// Kind names the driver.
func (c *Client) Kind() string { return "moonraker" }

const maxAnswer = 1 << 20

// do makes a request; Moonraker answers {"result": ...} or {"error":
// {"code", "message"}}.
func (c *Client) do(ctx context.Context, method, path, ctype string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.URL, "/")+path, body)
	if err != nil {
		return err
	}
	if c.APIKey != "" {
		req.Header.Set("X-Api-Key", c.APIKey)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	res, err := hc.Do(req)
	if err != nil {
		return &dgml.Error{Kind: dgml.Internal, Op: "moonraker", Msg: "the printer does not answer at " + c.URL, Err: err}
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		var e struct {
			Error struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		json.Unmarshal(data, &e)
		msg := e.Error.Message
		if msg == "" {
			msg = res.Status
		}
		kind := dgml.Internal
		switch {
		case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
			return &dgml.Error{Kind: dgml.Forbidden, Op: "moonraker", Msg: "Moonraker refused the API key (moonraker.conf [authorization]): " + msg}
		case res.StatusCode == http.StatusNotFound:
			kind = dgml.NotFound
		case res.StatusCode == http.StatusUnprocessableEntity:
			kind = dgml.Invalid
		case res.StatusCode == http.StatusBadRequest && (strings.Contains(strings.ToLower(msg), "busy") || strings.Contains(strings.ToLower(msg), "in progress")):
			// Klipper's "print already in progress" comes back as a
			// failed request.
			kind = dgml.Conflict
		case res.StatusCode == http.StatusConflict:
			kind = dgml.Conflict
		}
		return &dgml.Error{Kind: kind, Op: "moonraker", Msg: fmt.Sprintf("%s %s: %s", method, path, msg)}
	}
	if out != nil {
		wrap := struct {
			Result any `json:"result"`
		}{out}
		if err := json.Unmarshal(data, &wrap); err != nil {
			return &dgml.Error{Kind: dgml.Internal, Op: "moonraker", Msg: fmt.Sprintf("%s %s: not Moonraker's JSON", method, path), Err: err}
		}
	}
	return nil
}

// Upload puts G-code in the gcodes root, not printed, with its checksum.
func (c *Client) Upload(ctx context.Context, name string, r io.Reader, size int64, sum string) error {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("root", "gcodes")
	w.WriteField("checksum", sum)
	w.WriteField("print", "false")
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, r); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	// The upload answers at the top level (item, action), not in
	// "result".
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(c.URL, "/")+"/server/files/upload", &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	if c.APIKey != "" {
		req.Header.Set("X-Api-Key", c.APIKey)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Minute}
	}
	res, err := hc.Do(req)
	if err != nil {
		return &dgml.Error{Kind: dgml.Internal, Op: "moonraker", Msg: "the printer does not answer at " + c.URL, Err: err}
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	switch {
	case res.StatusCode == http.StatusUnprocessableEntity:
		return &dgml.Error{Kind: dgml.Invalid, Op: "moonraker", Msg: name + " arrived changed (Moonraker's checksum differs); upload it again"}
	case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
		return &dgml.Error{Kind: dgml.Forbidden, Op: "moonraker", Msg: "Moonraker refused the API key"}
	case res.StatusCode >= 300:
		return &dgml.Error{Kind: dgml.Internal, Op: "moonraker", Msg: fmt.Sprintf("upload answered %s: %s", res.Status, strings.TrimSpace(string(data)))}
	}
	var created struct {
		Item struct {
			Path string `json:"path"`
			Size int64  `json:"size"`
		} `json:"item"`
	}
	if err := json.Unmarshal(data, &created); err != nil || created.Item.Size != size {
		return &dgml.Error{Kind: dgml.Internal, Op: "moonraker", Msg: fmt.Sprintf("%s: Moonraker kept %d bytes of %d", name, created.Item.Size, size)}
	}
	return nil
}

// Start prints an uploaded file.
func (c *Client) Start(ctx context.Context, name string) error {
	return c.do(ctx, "POST", "/printer/print/start?filename="+url.QueryEscape(name), "", nil, nil)
}

// Cancel cancels the print.
func (c *Client) Cancel(ctx context.Context) error {
	return c.do(ctx, "POST", "/printer/print/cancel", "", nil, nil)
}

type query struct {
	Status struct {
		PrintStats struct {
			Filename      string  `json:"filename"`
			PrintDuration float64 `json:"print_duration"`
			FilamentUsed  float64 `json:"filament_used"` // mm
			State         string  `json:"state"`
			Message       string  `json:"message"`
		} `json:"print_stats"`
		VirtualSDCard struct {
			Progress float64 `json:"progress"`
		} `json:"virtual_sdcard"`
	} `json:"status"`
}

type history struct {
	Jobs []struct {
		Filename      string  `json:"filename"`
		Status        string  `json:"status"`
		PrintDuration float64 `json:"print_duration"`
		FilamentUsed  float64 `json:"filament_used"`
		Auxiliary     []struct {
			Name  string `json:"name"`
			Value any    `json:"value"`
			Units string `json:"units"`
		} `json:"auxiliary_data"`
	} `json:"jobs"`
}

// Status reads print_stats; a completed print's energy comes from the
// newest history entry of the same file.
func (c *Client) Status(ctx context.Context) (dispatch.Status, error) {
	var q query
	if err := c.do(ctx, "GET", "/printer/objects/query?print_stats&virtual_sdcard", "", nil, &q); err != nil {
		return dispatch.Status{}, err
	}
	ps := q.Status.PrintStats
	s := dispatch.Status{File: ps.Filename, Progress: q.Status.VirtualSDCard.Progress, Seconds: ps.PrintDuration,
		FilamentG: ps.FilamentUsed * 2.405 * 1.24 / 1000, Message: ps.Message} // 1.75 mm filament: 2.405 mm² a mm; PLA 1.24 g/cm³
	switch ps.State {
	case "printing":
		s.State = dispatch.MachinePrinting
	case "paused":
		s.State = dispatch.MachinePaused
	case "complete":
		s.State, s.Progress = dispatch.MachineComplete, 1
		var h history
		if err := c.do(ctx, "GET", "/server/history/list?limit=1&order=desc", "", nil, &h); err == nil && len(h.Jobs) > 0 && h.Jobs[0].Filename == ps.Filename {
			for _, a := range h.Jobs[0].Auxiliary {
				if v, ok := a.Value.(float64); ok && a.Name == "power_consumption" && strings.EqualFold(a.Units, "kWh") {
					s.EnergyKWh = v
				}
			}
		}
	case "cancelled":
		s.State = dispatch.MachineCancelled
	case "error":
		s.State = dispatch.MachineError
	default:
		s.State = dispatch.MachineStandby
	}
	return s, nil
}
