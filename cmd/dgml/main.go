// Command dgml runs a node of the dgml commons and works on its data:
// importing and exporting Open Know-How manifests, searching designs and
// serving the API and web interface.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"

	"github.com/dgml/dgml"
)

// command is one subcommand. run gets the arguments after its name.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"serve", "run the node: API and web interface on HTTP", runServe},
		{"import", "import designs: dgml import okh PATH...", runImport},
		{"export", "export a design: dgml export okh DESIGN [-o DIR]", runExport},
		{"designs", "list or search designs: dgml designs [QUERY]", runDesigns},
		{"mesh", "measure, estimate and render part files: dgml mesh info|estimate|render", runMesh},
		{"facilities", "workshops of the network: dgml facilities near|list|show|import|export|delete", runFacilities},
		{"plan", "where to make a design near a place: dgml plan DESIGN --near LAT,LON", runPlan},
		{"admin", "node administration: dgml admin create-user NAME | dgml admin standing", runAdmin},
		{"vouch", "vouch that a newcomer's reviews may count: dgml vouch --as USER --note TEXT PERSON", runVouch},
		{"token", "API tokens: dgml token create|list USER", runToken},
		{"diff", "what changed between two revisions: dgml diff REV REV", runDiff},
		{"fork", "fork a design: dgml fork --as USER DESIGN", runFork},
		{"propose", "propose a fork's changes: dgml propose --as USER --from FORK DESIGN", runPropose},
		{"proposals", "a design's change proposals: dgml proposals DESIGN", runProposals},
		{"decide", "accept or decline a proposal: dgml decide --as USER ID accept|decline", runDecide},
		{"tasks", "open tasks (help wanted): dgml tasks [--skill S]", runTasks},
		{"task", "work on tasks: dgml task add|claim|progress|close", runTask},
		{"activity", "what happened: dgml activity DESIGN | --person NAME", runActivity},
		{"license", "licence compatibility: dgml license check --design EXPR --module EXPR", runLicense},
		{"report", "report a build: dgml report --as USER --place PLACE DESIGN", runReport},
		{"reports", "a design's build reports and figures: dgml reports DESIGN", runReports},
		{"maturity", "a design's maturity with evidence: dgml maturity DESIGN", runMaturity},
		{"attest", "attest a revision's documentation: dgml attest --as USER --note TEXT DESIGN", runAttest},
		{"vote", "vote on readiness: dgml vote --as USER --scale otrl --level N --reason TEXT DESIGN", runVote},
		{"translate", "translate a text: dgml translate --as USER --key step:1 --lang fr --text T DESIGN", runTranslate},
		{"texts", "read a design in a language: dgml texts --lang fr DESIGN", runTexts},
		{"attribution", "credits of a revision: dgml attribution DESIGN", runAttribution},
		{"peers", "the nodes this one follows: dgml peers list|add|sync|remove", runPeers},
		{"node", "this node's identity and key: dgml node [show] | rotate-key", runNodeCmd},
		{"migrate", "copy a node's store to PostgreSQL: dgml migrate --from DATA_DIR --to postgres://…", runMigrate},
		{"order", "order a design from nearby workshops: dgml order --as USER --near LAT,LON --by DATE DESIGN", runOrder},
		{"orders", "your orders, and a workshop's requests: dgml orders [show ID | act REQUEST STATE | queue WORKSHOP]", runOrders},
		{"book", "book machine time: dgml book --as USER --at TIME --hours H MACHINE", runBook},
		{"bookings", "your machine bookings: dgml bookings [cancel ID]", runBookings},
		{"ledger", "the commons' value accounting: dgml ledger export|events|balances|contributors", runLedger},
		{"agent", "take a workshop's jobs to its machines: dgml agent --node URL --token T --config FILE", runAgent},
		{"load", "measure requests a second of nodes on this machine: dgml load [--mix search|page] URL...", runLoad},
		{"version", "print the version", func(context.Context, []string) error { fmt.Println("dgml", version); return nil }},
	}
}

var version = "0.1.0-dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// $DGML_CPU_PROFILE names a file for a CPU profile of the command,
	// to see where a slow import or sync spends its time.
	if path := os.Getenv("DGML_CPU_PROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			code := run(ctx, os.Args[1:], os.Stderr)
			pprof.StopCPUProfile()
			f.Close()
			os.Exit(code)
		}
	}
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

func run(ctx context.Context, args []string, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			err := c.run(ctx, args[1:])
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			if errors.Is(err, errRefused) {
				return 1
			}
			if err != nil {
				fmt.Fprintln(stderr, "dgml "+c.name+": "+message(err))
				if errors.As(err, new(usageError)) {
					return 2
				}
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(stderr, "dgml: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `dgml: a node of the design-global, manufacture-local commons.

Usage: dgml COMMAND [OPTIONS] [ARGUMENTS]

Commands:`)
	sorted := append([]command(nil), commands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, `
Every command that reads or writes a node's data takes --data DIR
(default: $DGML_DATA, else ./dgml-data). Run "dgml COMMAND --help" for
a command's options.`)
}

// usageError is a mistake in how a command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// message says what went wrong and, for the kinds a user can act on,
// what to do.
func message(err error) string {
	msg := err.Error()
	switch dgml.KindOf(err) {
	case dgml.NotFound:
		if !strings.Contains(msg, "dgml designs") {
			msg += " (list what the node holds with: dgml designs)"
		}
	}
	return msg
}

// newFlags makes a FlagSet whose --help prints the command's synopsis
// and every option.
func newFlags(name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet("dgml "+name, flag.ContinueOnError)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: dgml %s\n\n%s\n\nOptions:\n", synopsis, about)
		fs.PrintDefaults()
	}
	return fs
}

// parseInterspersed parses flags that may come after positional
// arguments ("dgml designs reprap --json"), as users type them.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
