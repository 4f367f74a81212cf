// Package octoprint is the dispatch driver for printers run by OctoPrint,
// through its REST API (docs.octoprint.org, "REST API": files, job): it
// uploads a file to the local storage without selecting it, starts it
// with a select-and-print command, reads the current job and cancels
// it. Authentication is the X-Api-Key header.
package octoprint

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

// Client is one OctoPrint instance.
type Client struct {
	URL    string // e.g. http://octopi.local
	APIKey string
	HTTP   *http.Client // nil: a client with a 30 s timeout
}

var _ dispatch.Driver = (*Client)(nil)

// Kind names the driver.
func (c *Client) Kind() string { return "octoprint" }

func (c *Client) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// maxAnswer bounds what is read of any answer: job and file records are
// a few kilobytes.
const maxAnswer = 1 << 20

func (c *Client) do(ctx context.Context, method, path, ctype string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.URL, "/")+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("X-Api-Key", c.APIKey)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := c.client().Do(req)
	if err != nil {
		return &dgml.Error{Kind: dgml.Internal, Op: "octoprint", Msg: "the printer does not answer at " + c.URL, Err: err}
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	if err != nil {
		return err
	}
	switch {
	case res.StatusCode == http.StatusConflict:
		return &dgml.Error{Kind: dgml.Conflict, Op: "octoprint", Msg: "the printer is busy or not ready: " + brief(data)}
	case res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusUnauthorized:
		return &dgml.Error{Kind: dgml.Forbidden, Op: "octoprint", Msg: "OctoPrint refused the API key; make one under Settings > Application Keys"}
	case res.StatusCode == http.StatusUnsupportedMediaType:
		return &dgml.Error{Kind: dgml.Unsupported, Op: "octoprint", Msg: "OctoPrint does not take this kind of file: " + brief(data)}
	case res.StatusCode == http.StatusNotFound:
		return &dgml.Error{Kind: dgml.NotFound, Op: "octoprint", Msg: method + " " + path + ": not found"}
	case res.StatusCode >= 300:
		return &dgml.Error{Kind: dgml.Internal, Op: "octoprint", Msg: fmt.Sprintf("%s %s answered %s: %s", method, path, res.Status, brief(data))}
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return &dgml.Error{Kind: dgml.Internal, Op: "octoprint", Msg: fmt.Sprintf("%s %s: not OctoPrint's JSON", method, path), Err: err}
		}
	}
	return nil
}

func brief(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

type fileInfo struct {
	Name string `json:"name"`
	Path string `json:"path"`
	Size int64  `json:"size"`
}

// Upload stores a file in OctoPrint's local storage, neither selected
// nor printed, then reads its record back to check the size: OctoPrint
// takes no checksum, so a cut upload is caught by its size.
func (c *Client) Upload(ctx context.Context, name string, r io.Reader, size int64, sum string) error {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, r); err != nil {
		return err
	}
	w.WriteField("select", "false")
	w.WriteField("print", "false")
	if err := w.Close(); err != nil {
		return err
	}
	var created struct {
		Done  bool `json:"done"`
		Files struct {
			Local fileInfo `json:"local"`
		} `json:"files"`
	}
	if err := c.do(ctx, "POST", "/api/files/local", w.FormDataContentType(), &body, &created); err != nil {
		return err
	}
	var got fileInfo
	if err := c.do(ctx, "GET", "/api/files/local/"+url.PathEscape(name), "", nil, &got); err != nil {
		return err
	}
	if got.Size != size {
		return &dgml.Error{Kind: dgml.Internal, Op: "octoprint", Msg: fmt.Sprintf("%s arrived with %d bytes of %d; upload it again", name, got.Size, size)}
	}
	return nil
}

// Start selects an uploaded file and prints it.
func (c *Client) Start(ctx context.Context, name string) error {
	return c.do(ctx, "POST", "/api/files/local/"+url.PathEscape(name), "application/json", strings.NewReader(`{"command":"select","print":true}`), nil)
}

// Cancel cancels the current job.
func (c *Client) Cancel(ctx context.Context) error {
	return c.do(ctx, "POST", "/api/job", "application/json", strings.NewReader(`{"command":"cancel"}`), nil)
}

// job is the answer of GET /api/job.
type job struct {
	Job struct {
		File struct {
			Name string `json:"name"`
		} `json:"file"`
		Filament map[string]struct {
			Length float64 `json:"length"` // mm
			Volume float64 `json:"volume"` // cm³
		} `json:"filament"`
	} `json:"job"`
	Progress struct {
		Completion *float64 `json:"completion"` // percent, null when no job
		PrintTime  *float64 `json:"printTime"`  // seconds
	} `json:"progress"`
	State string `json:"state"`
	Error string `json:"error"`
}

// Status reads the current job. OctoPrint says "Operational" both before
// and after a print; a selected file at 100% means it completed.
func (c *Client) Status(ctx context.Context) (dispatch.Status, error) {
	var j job
	if err := c.do(ctx, "GET", "/api/job", "", nil, &j); err != nil {
		if dgml.KindOf(err) == dgml.Conflict {
			return dispatch.Status{State: dispatch.MachineOffline, Message: err.Error()}, nil
		}
		return dispatch.Status{}, err
	}
	s := dispatch.Status{File: j.Job.File.Name, Message: j.Error}
	if j.Progress.Completion != nil {
		s.Progress = *j.Progress.Completion / 100
	}
	if j.Progress.PrintTime != nil {
		s.Seconds = *j.Progress.PrintTime
	}
	for _, f := range j.Job.Filament {
		// OctoPrint gives the slicer's filament volume; PLA at 1.24 g/cm³
		// is the common case (the node knows the material, the printer
		// does not).
		s.FilamentG += f.Volume * 1.24
	}
	st := strings.ToLower(j.State)
	switch {
	case strings.HasPrefix(st, "printing") || st == "finishing" || st == "starting":
		s.State = dispatch.MachinePrinting
	case strings.HasPrefix(st, "paus"):
		s.State = dispatch.MachinePaused
	case st == "cancelling":
		s.State = dispatch.MachineCancelled
	case strings.HasPrefix(st, "error") || strings.HasPrefix(st, "offline after error"):
		s.State = dispatch.MachineError
	case strings.HasPrefix(st, "offline") || st == "closed" || st == "" || strings.HasPrefix(st, "connecting") || strings.HasPrefix(st, "detecting"):
		s.State = dispatch.MachineOffline
	case s.File != "" && s.Progress >= 1:
		s.State = dispatch.MachineComplete
	default:
		s.State = dispatch.MachineStandby
	}
	return s, nil
}
