package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dgml/dgml/geometry"
	"github.com/dgml/dgml/internal/testnode"
)

// browser starts headless Chromium, or skips loudly when there is none;
// CI sets DGML_REQUIRE_BROWSER, which makes its absence a failure.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		msg := "NO CHROMIUM: the web interface's browser tests did not run (apt-get install chromium)"
		if os.Getenv("DGML_REQUIRE_BROWSER") != "" {
			t.Fatal(msg + " and DGML_REQUIRE_BROWSER is set")
		}
		fmt.Fprintln(os.Stderr, "\n*** "+msg+" ***")
		t.Skip(msg)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.NoFirstRun,
		// WebGL drawn in software, so that the 3D viewer runs here too.
		chromedp.Flag("use-angle", "swiftshader"), chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("user-data-dir", t.TempDir()), chromedp.Flag("window-size", "1200,900"),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 6*time.Minute)
	t.Cleanup(cancel3)
	return ctx
}

// demoSite serves the demo commons and network on a loopback port.
func demoSite(t *testing.T) string {
	t.Helper()
	node := testnode.New(t)
	node.Demo(t, 8, true)
	h, _ := node.Handler(t, 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v %s", url, err, b)
	}
}

// shots is where screenshots go: $DGML_SCREENSHOTS, or a temporary folder.
func shots(t *testing.T) string {
	if d := os.Getenv("DGML_SCREENSHOTS"); d != "" {
		os.MkdirAll(d, 0o755)
		return d
	}
	return t.TempDir()
}

func TestPagesInChromium(t *testing.T) {
	ctx := browser(t)
	base := demoSite(t)
	dir := shots(t)
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	shot := func(name string) {
		t.Helper()
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
	}
	// Every page: each image has a text alternative, each control a
	// label, each picture of a map or chart a name.
	accessible := func(page string) {
		t.Helper()
		problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
			const out = [];
			document.querySelectorAll("img:not([alt])").forEach(e => out.push("img without alt: " + e.src));
			document.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(e => {
				if (!(e.labels && e.labels.length) && !e.getAttribute("aria-label")) out.push("control without label: " + (e.name || e.id));
			});
			document.querySelectorAll("svg").forEach(e => { if (!e.getAttribute("aria-label")) out.push("svg without a name"); });
			if (!document.documentElement.lang) out.push("no lang on html");
			return out;
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("%s: %s", page, p)
		}
	}

	// Home: the numbers are the API's.
	do(chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#stat-designs")))
	var stats struct{ Designs, Parts int }
	getJSON(t, base+"/api/v1/stats", &stats)
	var facilities struct{ Total int }
	getJSON(t, base+"/api/v1/facilities", &facilities)
	if text("#stat-designs") != fmt.Sprint(stats.Designs) || text("#stat-parts") != fmt.Sprint(stats.Parts) || text("#stat-facilities") != fmt.Sprint(facilities.Total) || text("#stat-countries") != "6" {
		t.Errorf("home figures differ from the API: %s %s %s", text("#stat-designs"), text("#stat-parts"), text("#stat-facilities"))
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.map circle").length`)); n != facilities.Total {
		t.Errorf("the map shows %d facilities, the network has %d", n, facilities.Total)
	}
	accessible("home")
	// The zoomable map: Leaflet took over the drawing, with the workshops
	// in clusters at world scale.
	do(chromedp.WaitVisible(chromedp.CSS(`.map-wrap[data-live="true"] .live-map`)))
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".marker-cluster").length`)); n < 1 {
		t.Error("the home map shows no clusters of workshops")
	}
	shot("home")

	// Search from the header, then open the design.
	do(chromedp.SetValue(chromedp.CSS("#q"), "reprap"), chromedp.Submit(chromedp.CSS("#q")), chromedp.WaitVisible(chromedp.CSS("#result-count")))
	if got := text("#result-count"); !strings.HasPrefix(got, "1 designs") {
		t.Errorf("search: %q", got)
	}
	accessible("search")
	shot("search")
	do(chromedp.Click(chromedp.CSS(".card h3 a")), chromedp.WaitVisible(chromedp.CSS("#license")))
	var d struct {
		Head struct {
			Manifest struct{ License string }
		}
		Totals struct{ Made, Bought float64 }
	}
	getJSON(t, base+"/api/v1/designs/reprap-mendel-style-3d-printer-demo", &d)
	if text("#license") != d.Head.Manifest.License || text("#made") != fmt.Sprint(d.Totals.Made) || text("#bought") != fmt.Sprint(d.Totals.Bought) {
		t.Errorf("design page differs from the API: %s %s %s", text("#license"), text("#made"), text("#bought"))
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("table.parts img")].filter(i => i.complete && i.naturalWidth > 0).length`)); n < 8 {
		t.Errorf("only %d part thumbnails loaded", n)
	}
	accessible("design")
	shot("design")
	// The language switcher: Spanish steps, the untranslated one flagged.
	do(chromedp.Navigate(base+"/designs/reprap-mendel-style-3d-printer-demo?lang=es"), chromedp.WaitVisible(chromedp.CSS(".steps")))
	if s := text(".steps li:first-child h3"); s != "Imprimir las piezas" {
		t.Errorf("Spanish first step: %q", s)
	}
	if s := text(".steps li:last-child .note"); !strings.Contains(s, "not translated") {
		t.Errorf("the last step has no Spanish translation and must say so: %q", s)
	}

	// Make it near me: the plan page's numbers are the API's.
	do(chromedp.Navigate(base+"/designs/reprap-mendel-style-3d-printer-demo"), chromedp.WaitVisible(chromedp.CSS("#place")),
		chromedp.SetValue(chromedp.CSS("#place"), "Athens"), chromedp.Submit(chromedp.CSS("#place")), chromedp.WaitVisible(chromedp.CSS("#total-cost")))
	var plan struct {
		Assignments []struct{}
		Totals      struct {
			CostEUR float64 `json:"cost_eur"`
			CO2eKg  float64 `json:"co2e_kg"`
		}
	}
	getJSON(t, base+"/api/v1/designs/reprap-mendel-style-3d-printer-demo/plan?near=37.9838,23.7275&qty=1&radius=50", &plan)
	if text("#total-cost") != fmt.Sprintf("%.2f", plan.Totals.CostEUR) || text("#total-co2e") != fmt.Sprintf("%.3f", plan.Totals.CO2eKg) {
		t.Errorf("plan totals differ from the API: %s %s vs %.2f %.3f", text("#total-cost"), text("#total-co2e"), plan.Totals.CostEUR, plan.Totals.CO2eKg)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#assignments tbody tr").length`)); n != len(plan.Assignments) {
		t.Errorf("%d rows, the API plans %d", n, len(plan.Assignments))
	}
	accessible("plan")
	shot("plan")

	// Workshops near Nairobi, then one workshop.
	do(chromedp.Navigate(base+"/facilities?place=Nairobi&radius=50"), chromedp.WaitVisible(chromedp.CSS("#facility-count")))
	if got := text("#facility-count"); got != "2 workshops." {
		t.Errorf("Nairobi: %q", got)
	}
	accessible("facilities")
	shot("facilities")
	do(chromedp.Click(chromedp.CSS(".card h3 a")), chromedp.WaitVisible(chromedp.CSS("h1")))
	if !strings.HasPrefix(text("h1"), "Demo Fab Lab Nairobi") {
		t.Errorf("workshop page: %q", text("h1"))
	}
	accessible("facility")
	// One workshop's map is at neighbourhood scale.
	do(chromedp.WaitVisible(chromedp.CSS(`.map-wrap[data-live="true"]`)))
	if z, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`Number(document.querySelector(".map-wrap").dataset.zoomLevel)`)); z < 12 {
		t.Errorf("a workshop's map is at zoom %v, not a neighbourhood's", z)
	}
	shot("facility")

	// Sign up (which logs in), then register a workshop: a wrong location
	// is shown next to its field; a right one leads to the new workshop's
	// page.
	do(chromedp.Navigate(base+"/signup"), chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SetValue(chromedp.CSS("#name"), "ana"), chromedp.SetValue(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Submit(chromedp.CSS("#name")), chromedp.WaitVisible(chromedp.CSS("#me")))
	if text("#me") != "ana" {
		t.Errorf("after signing up: %q", text("#me"))
	}
	accessible("home, logged in")
	do(chromedp.Navigate(base+"/facilities/new"), chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SetValue(chromedp.CSS("#name"), "Makers of Piraeus"), chromedp.SetValue(chromedp.CSS("#location"), "somewhere"),
		chromedp.Submit(chromedp.CSS("#name")), chromedp.WaitVisible(chromedp.CSS("#location-err")))
	if inv, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("location").getAttribute("aria-invalid")`)); inv != "true" {
		t.Error("the location field is not marked invalid")
	}
	accessible("register")
	shot("register-error")
	// A click on the map fills in the location.
	do(chromedp.WaitVisible(chromedp.CSS(`.pick-map .map-wrap[data-live="true"] .live-map`)), chromedp.Click(chromedp.CSS(".pick-map .live-map")))
	if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("location").value`)); !regexp.MustCompile(`^-?\d+\.\d{5},-?\d+\.\d{5}$`).MatchString(v) {
		t.Errorf("a click on the map gave the location %q", v)
	}
	do(chromedp.SetValue(chromedp.CSS("#location"), "37.94,23.65"), chromedp.SetValue(chromedp.CSS("#m0_make"), "Prusa"),
		chromedp.SetValue(chromedp.CSS("#m0_process"), "3d-printing-fdm"), chromedp.SetValue(chromedp.CSS("#m0_materials"), "PLA, PETG"),
		chromedp.Submit(chromedp.CSS("#name")), chromedp.WaitVisible(chromedp.CSS("#edit-workshop")))
	if text("h1") != "Makers of Piraeus" {
		t.Errorf("after registering: %q", text("h1"))
	}
	var f struct {
		Machines []struct{ Materials []string }
	}
	getJSON(t, base+"/api/v1/facilities/makers-of-piraeus", &f)
	if len(f.Machines) != 1 || strings.Join(f.Machines[0].Materials, ",") != "pla,petg" {
		t.Errorf("registered workshop in the API: %+v", f)
	}
	do(chromedp.Navigate(base+"/upload"), chromedp.WaitVisible(chromedp.CSS("#file")))
	accessible("upload")
	shot("upload")

	// The licence checker: a refused combination with its clause.
	do(chromedp.Navigate(base+"/licenses"), chromedp.WaitVisible(chromedp.CSS("#design")),
		chromedp.SetValue(chromedp.CSS("#design"), "CERN-OHL-P-2.0"), chromedp.SetValue(chromedp.CSS("#module"), "CERN-OHL-S-2.0"),
		chromedp.Submit(chromedp.CSS("#design")), chromedp.WaitVisible(chromedp.CSS("#verdict")))
	if h := text("#verdict h2"); h != "Refused" || !strings.Contains(text("#reason"), "§") {
		t.Errorf("licence check: %q %q", h, text("#reason"))
	}
	accessible("licenses")
	shot("licenses")
	// Review the demo printer, vote, report a build and translate a step.
	slug := "/designs/reprap-mendel-style-3d-printer-demo"
	do(chromedp.Navigate(base+slug+"/maturity"), chromedp.WaitVisible(chromedp.CSS("#note")),
		chromedp.SetValue(chromedp.CSS("#note"), "built the frame from the steps alone"), chromedp.Submit(chromedp.CSS("#note")),
		chromedp.WaitVisible(chromedp.CSS("#attested")))
	// A fresh account's review is shown with why it does not count yet.
	if a := text("#attested"); !strings.Contains(a, "0 of the 2") || !strings.Contains(text("#attestations + p + ul"), "not counted yet: account 0 of 14 days old") {
		t.Errorf("after one review by a new account: %q / %q", a, text("#attestations + p + ul"))
	}
	accessible("maturity")
	shot("maturity")
	do(chromedp.Navigate(base+slug+"/reports"), chromedp.WaitVisible(chromedp.CSS("#rplace")),
		chromedp.SetValue(chromedp.CSS("#rplace"), "Piraeus, GR"), chromedp.SetValue(chromedp.CSS("#cost"), "210"),
		chromedp.Submit(chromedp.CSS("#rplace")), chromedp.WaitVisible(chromedp.CSS("#figures")))
	if f := text("#figures"); !strings.Contains(f, "Built 1 times") || !strings.Contains(f, "Piraeus, GR") {
		t.Errorf("after a report: %q", f)
	}
	accessible("reports")
	shot("reports")
	do(chromedp.Navigate(base+slug+"/translations?lang=de"), chromedp.WaitVisible(chromedp.CSS("#ttext")),
		chromedp.SetValue(chromedp.CSS("#key"), "name"), chromedp.SetValue(chromedp.CSS("#ttext"), "RepRap-Drucker"),
		chromedp.Submit(chromedp.CSS("#ttext")), chromedp.WaitVisible(chromedp.CSS("#completeness")))
	if c := text("#completeness"); !strings.Contains(c, "Deutsch") && !strings.Contains(c, "de") {
		t.Errorf("completeness after translating: %q", c)
	}
	accessible("translations")
	shot("translations")
	do(chromedp.Navigate(base+slug+"/attribution"), chromedp.WaitVisible(chromedp.CSS("#readme")))
	if r := text("#readme"); !strings.HasPrefix(r, "## Attribution") {
		t.Errorf("attribution: %q", r)
	}
	accessible("attribution")

	// Order the printer near Athens from its plan: a wrong date comes
	// back beside its field, with what was typed; a right one opens the
	// order, one request per workshop.
	do(chromedp.Navigate(base+slug+"/plan?place=Athens"), chromedp.WaitVisible(chromedp.CSS("#deadline")),
		chromedp.SetValue(chromedp.CSS("#quantity"), "2"), chromedp.SetValue(chromedp.CSS("#deadline"), "soon"),
		chromedp.Submit(chromedp.CSS("#deadline")), chromedp.WaitVisible(chromedp.CSS("#deadline-err")))
	if q, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("quantity").value`)); q != "2" {
		t.Errorf("the quantity typed was lost: %q", q)
	}
	accessible("order error")
	do(chromedp.SetValue(chromedp.CSS("#deadline"), time.Now().AddDate(0, 0, 21).Format(time.DateOnly)),
		chromedp.Submit(chromedp.CSS("#deadline")), chromedp.WaitVisible(chromedp.CSS(".request")))
	if h := text("h1"); !strings.HasPrefix(h, "2 × RepRap") {
		t.Errorf("order page: %q", h)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("section.request").length`)); n < 1 {
		t.Error("the order has no requests")
	}
	accessible("order")
	shot("order")
	orderURL, _ := chromedp.Run(ctx, chromedp.Location())
	do(chromedp.Navigate(base+"/orders"), chromedp.WaitVisible(chromedp.CSS("table")))
	accessible("orders")

	// Ana runs Makers of Piraeus: its queue, its calendar, its printer.
	do(chromedp.Navigate(base+"/facilities/makers-of-piraeus/queue"), chromedp.WaitVisible(chromedp.CSS("h1")))
	accessible("queue")
	shot("queue")
	var piraeus struct {
		Machines []struct{ ID string }
	}
	getJSON(t, base+"/api/v1/facilities/makers-of-piraeus", &piraeus)
	machine := "/machines/" + piraeus.Machines[0].ID
	// Hours that are not a length come back beside their field, with the
	// start that was typed.
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02") + "T10:00"
	do(chromedp.Navigate(base+machine), chromedp.WaitVisible(chromedp.CSS("#start")),
		chromedp.SetValue(chromedp.CSS("#start"), tomorrow), chromedp.SetValue(chromedp.CSS("#hours"), "a while"),
		chromedp.Submit(chromedp.CSS("#start")), chromedp.WaitVisible(chromedp.CSS("#hours-err")))
	if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("start").value`)); v != tomorrow {
		t.Errorf("the start typed was lost: %q", v)
	}
	accessible("machine")
	do(chromedp.SetValue(chromedp.CSS("#hours"), "2"), chromedp.Submit(chromedp.CSS("#start")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if n := text(".notice"); !strings.HasPrefix(n, "Booked") {
		t.Errorf("booking: %q", n)
	}
	shot("machine")
	do(chromedp.Navigate(base+"/facilities/makers-of-piraeus/calendar"), chromedp.WaitVisible(chromedp.CSS("#calendar")))
	if b := text("#calendar"); !strings.Contains(b, "session") {
		t.Errorf("the calendar does not show the booking: %q", b)
	}
	accessible("calendar")
	shot("calendar")
	do(chromedp.Navigate(base+"/bookings"), chromedp.WaitVisible(chromedp.CSS("#bookings")))
	accessible("bookings")
	do(chromedp.Navigate(base+"/inbox"), chromedp.WaitVisible(chromedp.CSS("h1")))
	accessible("inbox")
	// A demo printer: anyone may book it in open hours, at its price.
	var athens struct {
		Machines []struct{ ID string }
	}
	getJSON(t, base+"/api/v1/facilities/demo-fab-lab-athens-1", &athens)
	do(chromedp.Navigate(base+"/machines/"+athens.Machines[0].ID), chromedp.WaitVisible(chromedp.CSS("#start")))
	if p := text("main"); !strings.Contains(p, "Anyone with an account: 5.00 EUR an hour") {
		t.Errorf("demo printer's rules: %q", p)
	}
	accessible("demo machine")

	// The commons economy: a design's contributors and value equation,
	// and the fund.
	do(chromedp.Navigate(base+"/designs/reprap-mendel-style-3d-printer-demo/contributors"), chromedp.WaitVisible(chromedp.CSS("#buckets")))
	if p := text("main"); !strings.Contains(p, "commons fund") || !strings.Contains(p, "dgml default") {
		t.Errorf("contributors page: %q", p)
	}
	accessible("contributors")
	do(chromedp.Navigate(base+"/fund"), chromedp.WaitVisible(chromedp.CSS("#balances")))
	accessible("commons fund")

	// The design editor: a new design typed in, a part's mesh uploaded
	// with it; a price without its currency comes back with everything
	// kept, the mesh too; then it saves, measured.
	stl := filepath.Join(t.TempDir(), "blade.stl")
	writeCube(t, stl, 30)
	do(chromedp.Navigate(base+"/designs/new"), chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SetValue(chromedp.CSS("#name"), "Garden trowel"), chromedp.SetValue(chromedp.CSS("#p0_name"), "Blade"),
		chromedp.SetValue(chromedp.CSS("#p0_process"), "3d-printing-fdm"), chromedp.SetUploadFiles(chromedp.CSS("#p0_file"), []string{stl}),
		chromedp.SetValue(chromedp.CSS("#p1_name"), "Handle screw"), chromedp.SetValue(chromedp.CSS("#p1_kind"), "bought"),
		chromedp.SetValue(chromedp.CSS("#p1_qty"), "2"), chromedp.SetValue(chromedp.CSS("#p1_price"), "0.35"),
		chromedp.Click(chromedp.CSS("#save")), chromedp.WaitVisible(chromedp.CSS("#currency-err")))
	if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("p0_name").value + "|" + document.getElementById("p1_price").value`)); v != "Blade|0.35" {
		t.Errorf("the editor lost what was typed: %q", v)
	}
	if p := text("#p0_row"); !strings.Contains(p, "blade.stl (uploaded, kept)") {
		t.Errorf("the uploaded mesh was not kept: %q", p)
	}
	accessible("editor error")
	shot("editor-error")
	do(chromedp.SetValue(chromedp.CSS("#currency"), "EUR"), chromedp.Click(chromedp.CSS("#save")), chromedp.WaitVisible(chromedp.CSS("#saved")))
	if p := text("#p0_row"); !strings.Contains(p, "measured 30 × 30 × 30 mm") {
		t.Errorf("after saving, the blade's size: %q", p)
	}
	accessible("editor")
	do(chromedp.Navigate(base+"/designs/garden-trowel"), chromedp.WaitVisible(chromedp.CSS("#bom-total")))
	if b := text("#bom-total"); !strings.Contains(b, "0.70 EUR") {
		t.Errorf("bill of materials total: %q", b)
	}
	// The part page draws the mesh: the canvas holds the part's colour,
	// and the orientation button turns it.
	do(chromedp.Click(chromedp.CSS(`table.parts a[href$="/parts/0"]`)), chromedp.WaitVisible(chromedp.CSS(`figure.viewer[data-shown="+z"] canvas`)))
	drawn := `(() => { const c = document.querySelector("figure.viewer canvas"); const t = document.createElement("canvas");
		t.width = c.width; t.height = c.height; const g = t.getContext("2d"); g.drawImage(c, 0, 0);
		const d = g.getImageData(0, 0, t.width, t.height).data; let n = 0;
		for (let i = 0; i < d.length; i += 4) if (d[i] > d[i+2] + 60) n++;
		return n; })()`
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](drawn)); err != nil || n < 500 {
		t.Errorf("the 3D view drew %d pixels of the part (%v)", n, err)
	}
	if s := text("#size"); s != "30 × 30 × 30 mm" {
		t.Errorf("part size: %q", s)
	}
	accessible("part")
	shot("part")
	do(chromedp.Navigate(base+"/designs/garden-trowel/revisions"), chromedp.WaitVisible(chromedp.CSS("#history")))
	accessible("revisions")
	do(chromedp.Navigate(base+"/designs/garden-trowel/changes"), chromedp.WaitVisible(chromedp.CSS("h1")))
	accessible("changes")
	do(chromedp.Navigate(base+"/designs?q=trowels&files=yes&sort=recent"), chromedp.WaitVisible(chromedp.CSS("#result-count")))
	if n := text("#result-count"); !strings.HasPrefix(n, "1 designs") {
		t.Errorf("a plural, with part files, by date: %q", n)
	}
	accessible("designs filtered")
	do(chromedp.Navigate(base+"/no/such/page"), chromedp.WaitVisible(chromedp.CSS("#nf-q")))
	accessible("not found")

	// The workshop registered above: its operator edits it, with a row
	// for one more machine.
	do(chromedp.Navigate(base+"/facilities/makers-of-piraeus"), chromedp.WaitVisible(chromedp.CSS("#edit-workshop")),
		chromedp.Click(chromedp.CSS("#edit-workshop")), chromedp.WaitVisible(chromedp.CSS("#m1_process")),
		chromedp.SetValue(chromedp.CSS("#m1_process"), "laser-cutting"), chromedp.SetValue(chromedp.CSS("#m1_make"), "Epilog"),
		chromedp.Click(chromedp.CSS("#more-machines")), chromedp.WaitVisible(chromedp.CSS("#m2_process")))
	if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("m1_make").value`)); v != "Epilog" {
		t.Errorf("more machines lost what was typed: %q", v)
	}
	accessible("workshop editor")
	do(chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS("#saved")))
	if p := text("main"); !strings.Contains(p, "Epilog") {
		t.Errorf("the new machine is not listed: %q", p)
	}

	// Phone width: no page scrolls sideways.
	do(chromedp.EmulateViewport(390, 844))
	for _, p := range []string{"/", "/designs/reprap-mendel-style-3d-printer-demo", "/facilities", "/designs/reprap-mendel-style-3d-printer-demo/maturity", "/designs/reprap-mendel-style-3d-printer-demo/reports", "/licenses?design=CERN-OHL-P-2.0&module=CERN-OHL-S-2.0",
		strings.TrimPrefix(orderURL, base), "/facilities/makers-of-piraeus/queue", "/facilities/makers-of-piraeus/calendar", machine, "/bookings",
		"/designs/reprap-mendel-style-3d-printer-demo/contributors", "/fund", "/designs/new", "/designs/garden-trowel/edit", "/designs/garden-trowel/parts/0",
		"/designs/garden-trowel/revisions", "/designs/garden-trowel/changes", "/facilities/makers-of-piraeus/edit", "/no/such/page", "/designs?files=yes&sort=built"} {
		do(chromedp.Navigate(base+p), chromedp.WaitVisible(chromedp.CSS("h1")))
		if w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 400 {
			t.Errorf("%s is %d px wide at phone width", p, w)
		}
	}
	// The plan's chart is readable on a phone: its words are drawn at
	// 11 px or more.
	do(chromedp.Navigate(base+"/designs/reprap-mendel-style-3d-printer-demo/plan?place=Athens"), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	if h, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("svg.chart text:not(.group)").getBoundingClientRect().height`)); h < 11 {
		t.Errorf("the plan chart's text is %.1f px high at phone width", h)
	}
	if w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 400 {
		t.Errorf("the plan page is %d px wide at phone width", w)
	}
	shot("phone-plan")
	shot("phone-design")
	t.Logf("screenshots in %s", dir)
}

// writeCube writes an ASCII STL of a cube of the given side.
func writeCube(t *testing.T, path string, side float64) {
	t.Helper()
	m, err := geometry.Extrude([]geometry.Point2{{X: 0, Y: 0}, {X: side, Y: 0}, {X: side, Y: side}, {X: 0, Y: side}}, side)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := geometry.WriteSTL(f, m, "cube"); err != nil {
		t.Fatal(err)
	}
}
