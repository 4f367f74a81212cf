package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/dgml/dgml/ledger"
)

func runLedger(ctx context.Context, args []string) error {
	fs := newFlags("ledger", "ledger [--data DIR] export [-o FILE] | events [--design D] [--agent A] [--action A] | balances [ACCOUNT...] | contributors DESIGN",
		`The commons' open value accounting.
  export        every economic event as Valueflows 1.0 JSON-LD (to -o FILE,
                or standard output), streamed, oldest first
  events        economic events, filtered by design, agent or action
  balances      money balances (sums of confirmed movements) of the
                accounts named, or of every account
  contributors  who contributed to a design and its fork ancestors, and
                what flowed back to them`)
	out := fs.String("o", "", "export: the file to write")
	designRef := fs.String("design", "", "events: of this design")
	agent := fs.String("agent", "", "events: with this agent (user@node, workshop:ID@node, fund@node)")
	action := fs.String("action", "", "events: of this Valueflows action")
	asJSON := fs.Bool("json", false, "print as JSON")
	return withNode(ctx, fs, args, func(pos []string) error {
		if len(pos) == 0 {
			return usageError{"dgml ledger export|events|balances|contributors"}
		}
		return nil
	}, func(n *node, pos []string) error {
		switch pos[0] {
		case "export":
			var w io.Writer = os.Stdout
			if *out != "" {
				f, err := os.Create(*out)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			bw := bufio.NewWriterSize(w, 1<<16)
			count := 0
			err := ledger.WriteJSONLD(bw, func(fn func(ledger.Event) error) error {
				return n.db.EachLedgerEvent(ctx, func(s ledger.Stored) error {
					count++
					if count%100000 == 0 && *out != "" {
						fmt.Fprintf(os.Stderr, "%d events written\n", count)
					}
					return fn(s.Event)
				})
			})
			if err != nil {
				return err
			}
			if err := bw.Flush(); err != nil {
				return err
			}
			if *out != "" {
				fmt.Fprintf(os.Stderr, "%d events written to %s\n", count, *out)
			}
			return nil
		case "events":
			f := ledger.Filter{Agent: *agent, Action: *action, Limit: 100000}
			if *designRef != "" {
				d, err := n.commons.Store.Design(ctx, *designRef)
				if err != nil {
					return err
				}
				f.Designs = []string{"design:" + d.ID}
			}
			list, err := n.db.LedgerEvents(ctx, f)
			if err != nil {
				return err
			}
			if *asJSON {
				return printJSON(list)
			}
			w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(w, "AT\tACTION\tPROVIDER\tRECEIVER\tRESOURCE\tQUANTITY\tNOTE")
			for _, e := range list {
				q := ""
				if e.Effort != nil {
					q = fmt.Sprintf("%g %s", e.Effort.Value, e.Effort.Unit)
				} else if e.Quantity != nil {
					q = fmt.Sprintf("%g %s", e.Quantity.Value, e.Quantity.Unit)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.At, e.Action, e.Provider, e.Receiver, e.Resource, q, e.Note)
			}
			return w.Flush()
		case "balances":
			bs, err := n.db.Balances(ctx, pos[1:]...)
			if err != nil {
				return err
			}
			if *asJSON {
				return printJSON(bs)
			}
			w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ACCOUNT\tBALANCE\tIN\tOUT")
			for _, b := range bs {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", b.Account, ledger.Format(b.Amount, b.Currency), ledger.Format(b.In, b.Currency), ledger.Format(b.Out, b.Currency))
			}
			return w.Flush()
		case "contributors":
			if len(pos) != 2 {
				return usageError{"dgml ledger contributors DESIGN"}
			}
			d, err := n.commons.Store.Design(ctx, pos[1])
			if err != nil {
				return err
			}
			cs, err := n.ledger.Contributors(ctx, d.ID)
			if err != nil {
				return err
			}
			if *asJSON {
				return printJSON(cs)
			}
			w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(w, "WHO\tGENERATION\tHOURS\tREVISIONS\tTRANSLATIONS\tREVIEWS\tREPORTS\tTASKS\tRECEIVED")
			for _, c := range cs {
				got := ""
				for cur, a := range c.Received {
					got += ledger.Format(a, cur) + " "
				}
				fmt.Fprintf(w, "%s\t%d\t%.2f\t%d\t%d\t%d\t%d\t%d\t%s\n", c.Agent, c.Generation, c.Hours, c.Revisions, c.Translations, c.Reviews, c.Reports, c.Tasks, got)
			}
			return w.Flush()
		}
		return usageError{"dgml ledger export|events|balances|contributors"}
	})
}
