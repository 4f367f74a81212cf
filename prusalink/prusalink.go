// Package prusalink is the dispatch driver for Prusa printers (MK4, XL,
// MINI) through PrusaLink's API v1 (Prusa's published OpenAPI document,
// prusa-link-web): a file is PUT to a storage with Print-After-Upload
// and Overwrite headers, started with a POST to its path, followed with
// GET /api/v1/status and /api/v1/job, and cancelled with DELETE
// /api/v1/job/{id}. Authentication is the X-Api-Key header (the API key
// PrusaLink shows in its settings).
package prusalink

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dgml/dgml"
	"github.com/dgml/dgml/dispatch"
)

// Client is one printer's PrusaLink.
type Client struct {
	URL     string
	APIKey  string
	Storage string       // "usb" (the default) or "local"
	HTTP    *http.Client // nil: a client with a 5 min timeout (uploads)
}

var _ dispatch.Driver = (*Client)(nil)

// Kind names the driver.
func (c *Client) Kind() string { return "prusalink" }

func (c *Client) storage() string {
	if c.Storage == "" {
		return "usb"
	}
	return c.Storage
}

func (c *Client) path(name string) string {
	return "/api/v1/files/" + c.storage() + "/" + url.PathEscape(name)
}

func (c *Client) do(ctx context.Context, method, path string, body io.Reader, size int64, hdr map[string]string, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.URL, "/")+path, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-Api-Key", c.APIKey)
	if body != nil {
		req.ContentLength = size
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Minute}
	}
	res, err := hc.Do(req)
	if err != nil {
		return 0, &dgml.Error{Kind: dgml.Internal, Op: "prusalink", Msg: "the printer does not answer at " + c.URL, Err: err}
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	var e struct {
		Title string `json:"title"`
		Text  string `json:"text"`
	}
	json.Unmarshal(data, &e)
	msg := strings.TrimSpace(e.Title + " " + e.Text)
	if msg == "" {
		msg = res.Status
	}
	switch {
	case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
		return res.StatusCode, &dgml.Error{Kind: dgml.Forbidden, Op: "prusalink", Msg: "PrusaLink refused the API key (Settings > API key on the printer)"}
	case res.StatusCode == http.StatusConflict:
		return res.StatusCode, &dgml.Error{Kind: dgml.Conflict, Op: "prusalink", Msg: "the printer is busy or the file exists: " + msg}
	case res.StatusCode == http.StatusNotFound:
		return res.StatusCode, &dgml.Error{Kind: dgml.NotFound, Op: "prusalink", Msg: method + " " + path + ": " + msg}
	case res.StatusCode == http.StatusUnsupportedMediaType:
		return res.StatusCode, &dgml.Error{Kind: dgml.Unsupported, Op: "prusalink", Msg: "the printer does not take this file: " + msg}
	case res.StatusCode >= 300:
		return res.StatusCode, &dgml.Error{Kind: dgml.Internal, Op: "prusalink", Msg: fmt.Sprintf("%s %s: %s", method, path, msg)}
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return res.StatusCode, &dgml.Error{Kind: dgml.Internal, Op: "prusalink", Msg: "not PrusaLink's JSON", Err: err}
		}
	}
	return res.StatusCode, nil
}

// Upload PUTs the file, overwriting an older one of the same name, not
// printed, then checks its size in the file's record.
func (c *Client) Upload(ctx context.Context, name string, r io.Reader, size int64, sum string) error {
	if _, err := c.do(ctx, "PUT", c.path(name), r, size, map[string]string{"Content-Type": "application/octet-stream", "Print-After-Upload": "?0", "Overwrite": "?1"}, nil); err != nil {
		return err
	}
	var info struct {
		Size int64 `json:"size"`
	}
	if _, err := c.do(ctx, "GET", c.path(name), nil, 0, nil, &info); err != nil {
		return err
	}
	if info.Size != size {
		return &dgml.Error{Kind: dgml.Internal, Op: "prusalink", Msg: fmt.Sprintf("%s arrived with %d bytes of %d; upload it again", name, info.Size, size)}
	}
	return nil
}

// Start prints an uploaded file.
func (c *Client) Start(ctx context.Context, name string) error {
	_, err := c.do(ctx, "POST", c.path(name), nil, 0, nil, nil)
	return err
}

type job struct {
	ID            int     `json:"id"`
	State         string  `json:"state"`
	Progress      float64 `json:"progress"` // percent
	TimePrinting  float64 `json:"time_printing"`
	TimeRemaining float64 `json:"time_remaining"`
	File          struct {
		Name        string `json:"name"`
		DisplayName string `json:"display_name"`
	} `json:"file"`
}

// current reads the job; none when the printer answers 204.
func (c *Client) current(ctx context.Context) (*job, error) {
	var j job
	code, err := c.do(ctx, "GET", "/api/v1/job", nil, 0, nil, &j)
	if err != nil || code == http.StatusNoContent {
		return nil, err
	}
	return &j, nil
}

// Cancel stops the current job.
func (c *Client) Cancel(ctx context.Context) error {
	j, err := c.current(ctx)
	if err != nil {
		return err
	}
	if j == nil {
		return &dgml.Error{Kind: dgml.Conflict, Op: "prusalink", Msg: "no job to cancel"}
	}
	_, err = c.do(ctx, "DELETE", "/api/v1/job/"+strconv.Itoa(j.ID), nil, 0, nil, nil)
	return err
}

// Status reads the printer and its job.
func (c *Client) Status(ctx context.Context) (dispatch.Status, error) {
	var st struct {
		Printer struct {
			State string `json:"state"`
		} `json:"printer"`
	}
	if _, err := c.do(ctx, "GET", "/api/v1/status", nil, 0, nil, &st); err != nil {
		return dispatch.Status{}, err
	}
	j, err := c.current(ctx)
	if err != nil {
		return dispatch.Status{}, err
	}
	s := dispatch.Status{}
	if j != nil {
		s.File, s.Progress, s.Seconds = j.File.Name, j.Progress/100, j.TimePrinting
	}
	switch strings.ToUpper(st.Printer.State) {
	case "PRINTING", "BUSY":
		s.State = dispatch.MachinePrinting
	case "PAUSED", "ATTENTION":
		s.State = dispatch.MachinePaused
	case "FINISHED":
		s.State, s.Progress = dispatch.MachineComplete, 1
	case "STOPPED":
		s.State = dispatch.MachineCancelled
	case "ERROR":
		s.State = dispatch.MachineError
	default: // IDLE, READY
		s.State = dispatch.MachineStandby
	}
	return s, nil
}
