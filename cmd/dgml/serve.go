package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/dgml/dgml/api"
	"github.com/dgml/dgml/commons"
	"github.com/dgml/dgml/demo"
	"github.com/dgml/dgml/design"
	"github.com/dgml/dgml/federation"
	"github.com/dgml/dgml/geometry"
	"github.com/dgml/dgml/guard"
	"github.com/dgml/dgml/internal/httpnode"
	"github.com/dgml/dgml/jobs"
	"github.com/dgml/dgml/mail"
)

func runServe(ctx context.Context, args []string) error {
	fs := newFlags("serve", "serve [--addr HOST:PORT] [--data DIR] [--demo]",
		`Runs the node: the web interface at / and the JSON API at /api/v1
(OpenAPI document at /api/v1/openapi.json). Stops cleanly on Ctrl-C or
SIGTERM, finishing the requests under way.`)
	data := dataFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	withDemo := fs.Bool("demo", false, "load the demo commons when the store is empty")
	maxUpload := fs.Int64("max-upload", api.DefaultMaxUpload, "largest upload accepted, in bytes")
	rates := fs.String("rates", "", "JSON file overriding the material table used by estimates")
	maxTris := fs.Int("max-triangles", commons.NodeTriangles, "largest part file (in triangles) the node measures, and how many triangles it works on at once")
	memLimit := fs.Int64("memory-limit", 448<<20, "soft limit of the node's memory in bytes, past which it collects garbage harder ($GOMEMLIMIT wins)")
	public := fs.String("url", os.Getenv("DGML_URL"), "the node's public base URL, as its peers reach it (default: http:// and --addr); $DGML_URL")
	syncEvery := fs.Duration("sync-every", 10*time.Minute, "how often to read the logs of the nodes this one follows (0: only when asked)")
	smtpAddr := fs.String("smtp", os.Getenv("DGML_SMTP"), "an SMTP server (host:port) to e-mail people news of their orders and requests; $DGML_SMTP (password in $DGML_SMTP_PASSWORD)")
	smtpFrom := fs.String("smtp-from", os.Getenv("DGML_SMTP_FROM"), "the address the node's e-mails come from; $DGML_SMTP_FROM")
	smtpUser := fs.String("smtp-user", os.Getenv("DGML_SMTP_USER"), "the SMTP login, when the server asks for one; $DGML_SMTP_USER")
	tiles := fs.String("tiles", os.Getenv("DGML_TILES"), "street-level map tiles: a URL template (https://HOST/{z}/{x}/{y}.png), or a raster PMTiles archive (a file here, served by the node, or a URL); without, maps show Natural Earth outlines only, offline; $DGML_TILES")
	tilesCredit := fs.String("tiles-credit", os.Getenv("DGML_TILES_CREDIT"), "the attribution the tile source asks for, shown on every map; $DGML_TILES_CREDIT")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if err := loadRates(*rates); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if os.Getenv("GOMEMLIMIT") == "" && *memLimit > 0 {
		debug.SetMemoryLimit(*memLimit)
	}
	n, err := openNode(ctx, data)
	if err != nil {
		return err
	}
	defer n.Close()
	n.commons.Limits = geometry.Limits{MaxTriangles: *maxTris}
	n.commons.Work = commons.NewWork(int64(*maxTris))
	if removed, err := n.sweep(ctx); err != nil {
		log.Warn("could not sweep unreferenced files", "err", err)
	} else if removed > 0 {
		log.Info("removed files no design refers to (left by interrupted imports)", "count", removed)
	}
	if *withDemo {
		// The demo is the same on every node: it is not published.
		if err := loadDemo(federation.Quietly(ctx), n, log); err != nil {
			return fmt.Errorf("loading the demo: %w", err)
		}
	}
	tmp := filepath.Join(data.data, "tmp")
	if err := sweepTemp(tmp); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w (is another node running? choose another with --addr)", *addr, err)
	}
	n.fed.URL = strings.TrimRight(*public, "/")
	if n.fed.URL == "" {
		n.fed.URL = "http://" + ln.Addr().String()
	}
	n.fed.Log = log
	handler, _ := httpnode.New(httpnode.Config{Commons: n.commons, Network: n.network, People: n.people, Federation: n.fed, Bookings: n.book, Orders: n.orders, Dispatch: n.runs, Ledger: n.ledger, TempDir: tmp, MaxUpload: *maxUpload, Log: log, Tiles: *tiles, TilesCredit: *tilesCredit})
	srv := &http.Server{
		Handler: handler,
		// Whole-request deadlines are set per route by the guard (a form
		// gets 30 s to arrive, an upload minutes); these bound what comes
		// before and after.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       guard.LargeRead,
		WriteTimeout:      guard.Write,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// Background work (thumbnails and estimates of new files): every
	// serving process takes its share of the queue in the store.
	host, _ := os.Hostname()
	runner := &jobs.Runner{Store: n.db, Worker: fmt.Sprintf("%s:%d", host, os.Getpid()), Lease: 10 * time.Minute, Poll: 2 * time.Second, Log: log}
	runner.Handle(commons.PrepareKind, n.commons.Prepare)
	runner.Handle(federation.DeliverKind, n.fed.Deliver)
	runner.Handle(federation.FediKind, n.fed.DeliverFedi)
	runner.Handle(federation.SyncKind, func(ctx context.Context, _ jobs.Job) error {
		n.fed.SyncAll(ctx)
		return nil
	})
	if *smtpAddr != "" {
		if *smtpFrom == "" {
			return usageError{"--smtp needs --smtp-from (the address the node's e-mails come from)"}
		}
		sender := &mail.SMTP{Addr: *smtpAddr, From: *smtpFrom, Username: *smtpUser, Password: os.Getenv("DGML_SMTP_PASSWORD"), Host: host}
		runner.Handle(mail.Kind, sender.Job)
		n.orders.Mail, n.orders.BaseURL = n.db, n.fed.URL
		log.Info("e-mail on", "smtp", *smtpAddr, "from", *smtpFrom)
	}
	go runner.Run(ctx)
	if *syncEvery > 0 {
		go federation.Schedule(ctx, n.db, runner, *syncEvery, log)
	}
	go n.fed.AnnounceAll(ctx)
	log.Info("dgml node serving", "url", "http://"+ln.Addr().String()+"/", "data", data.data, "db", redact(data.db))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests under way")
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// sweepTemp empties the node's folder for uploads in progress: whatever
// is in it at start-up was left by a process that was killed mid-upload.
func sweepTemp(tmp string) error {
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("cannot clear the folder of unfinished uploads %s: %w", tmp, err)
	}
	return os.MkdirAll(tmp, 0o755)
}

// loadCommunity adds the demo community's reports, reviews, votes and
// translations of the demo printer.
func loadCommunity(ctx context.Context, n *node, d *design.Design) error {
	rev, err := n.db.Revision(ctx, d.Head)
	if err != nil {
		return err
	}
	c := demo.PrinterCommunity(d, rev, n.people.Node)
	steward, err := n.db.CreateUser(ctx, c.Steward, "!", true) // "!" is no password hash: no log-in
	if err != nil {
		return err
	}
	for _, name := range c.Members {
		u, err := n.db.CreateUser(ctx, name, "!", false)
		if err != nil {
			return err
		}
		if err := n.db.AddVouch(ctx, u.ID, steward.ID, "a member of the demo community"); err != nil {
			return err
		}
	}
	for i := range c.Reports {
		if err := n.db.AddReport(ctx, &c.Reports[i]); err != nil {
			return err
		}
	}
	for _, a := range c.Attestations {
		if err := n.db.PutAttestation(ctx, a); err != nil {
			return err
		}
	}
	for _, v := range c.Votes {
		if err := n.db.PutVote(ctx, v); err != nil {
			return err
		}
	}
	for i := range c.Translations {
		if err := n.db.AddTranslation(ctx, &c.Translations[i]); err != nil {
			return err
		}
	}
	return nil
}

// loadDemo fills an empty store with the demo commons.
func loadDemo(ctx context.Context, n *node, log *slog.Logger) error {
	st, err := n.db.Stats(ctx)
	if err != nil {
		return err
	}
	if st.Designs > 0 {
		log.Info("the store already holds designs; the demo is not loaded again", "designs", st.Designs)
		return nil
	}
	designs, err := demo.Commons()
	if err != nil {
		return err
	}
	for i, d := range designs {
		res, err := n.commons.Commit(ctx, d.Content, d.Files, commons.ImportOptions{Author: "demo"})
		if err != nil {
			return fmt.Errorf("%s: %w", d.Content.Manifest.Name, err)
		}
		if i == 0 {
			if err := loadCommunity(ctx, n, res); err != nil {
				return err
			}
		}
	}
	log.Info("demo commons loaded", "designs", len(designs))
	res, err := n.network.Import(ctx, nil, demo.Network())
	if err != nil {
		return err
	}
	log.Info("demo network loaded", "facilities", len(res.Added))
	return nil
}
