package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/booking"
	"github.com/dgml/dgml/order"
	"github.com/dgml/dgml/param"
)

func runOrder(ctx context.Context, args []string) error {
	fs := newFlags("order", "order [--data DIR] --as USER --near LAT,LON --by DATE [--qty N] [--radius KM] [--note TEXT] DESIGN",
		`Orders a design's head revision near a place: it is planned, and each
workshop the plan chose gets a request for its parts, with the files and
estimates. The workshops quote (or decline: their parts then go to the
next workshop); follow it with "dgml orders show ID".`)
	near := fs.String("near", "", "where: LAT,LON")
	by := fs.String("by", "", "needed by (a date, 2027-03-01)")
	qty := fs.Int("qty", 1, "how many")
	radius := fs.Float64("radius", 50, "how far to look for workshops, km")
	note := fs.String("note", "", "a note for the workshops")
	asJSON := fs.Bool("json", false, "print the order as JSON")
	return asUser(ctx, fs, args, count(1, "dgml order --as USER --near LAT,LON --by DATE DESIGN"), func(n *node, u *account.User, pos []string) error {
		at, err := param.Point("near", *near)
		if err != nil {
			return err
		}
		due, err := time.Parse(time.DateOnly, *by)
		if err != nil {
			return usageError{"--by: a date, e.g. " + time.Now().AddDate(0, 0, 14).Format(time.DateOnly)}
		}
		o, err := n.orders.Place(ctx, u, order.PlaceRequest{Design: pos[0], Quantity: *qty, Near: at, RadiusKm: *radius, Deadline: due.Add(24*time.Hour - time.Second), Note: *note})
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(o)
		}
		printOrder(o)
		return nil
	})
}

func printOrder(o *order.Order) {
	fmt.Printf("order %s: %d × %s, needed by %s\n", o.ID, o.Quantity, o.DesignName, o.Deadline.Format(time.DateOnly))
	w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "REQUEST\tWORKSHOP\tSTATE\tPARTS\tESTIMATE EUR\tQUOTE")
	for _, r := range o.Requests {
		q := ""
		if r.Quote != nil {
			q = fmt.Sprintf("%s %d.%02d, ready %s", r.Quote.Currency, r.Quote.Price/100, r.Quote.Price%100, r.Quote.Ready.Format(time.DateOnly))
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%.2f\t%s\n", r.ID, r.FacilityName, strings.ReplaceAll(string(r.State), "_", " "), len(r.Lines), r.EstimateEUR, q)
	}
	w.Flush()
	for _, l := range o.Unplaced {
		fmt.Printf("not placed: %s: %s\n", l.Part, l.Reason)
	}
}

func runOrders(ctx context.Context, args []string) error {
	fs := newFlags("orders", "orders [--data DIR] --as USER [show ID | act REQUEST STATE [--reason R] [--price CENTS --ready DATE] | queue WORKSHOP]",
		`Your orders; one order with "show ID"; "act" moves a request (the
workshop: quoted with --price and --ready, declined with --reason,
in_production, ready, collected; the person: accepted, cancelled);
"queue" lists a workshop's open requests for its operators.`)
	asJSON := fs.Bool("json", false, "print as JSON")
	reason := fs.String("reason", "", "why (declining, cancelling)")
	price := fs.Int64("price", -1, "a quote's price in cents")
	currency := fs.String("currency", "EUR", "a quote's currency")
	ready := fs.String("ready", "", "a quote's ready date")
	return asUser(ctx, fs, args, anyArgs, func(n *node, u *account.User, pos []string) error {
		out := func(v any, text func()) error {
			if *asJSON {
				return printJSON(v)
			}
			text()
			return nil
		}
		switch {
		case len(pos) == 0:
			list, err := n.orders.Mine(ctx, u)
			if err != nil {
				return err
			}
			return out(list, func() {
				for i := range list {
					printOrder(&list[i])
					fmt.Println()
				}
			})
		case pos[0] == "show" && len(pos) == 2:
			o, err := n.orders.Get(ctx, u, pos[1])
			if err != nil {
				return err
			}
			return out(o, func() { printOrder(o) })
		case pos[0] == "act" && len(pos) == 3:
			a := order.Action{To: order.State(pos[2]), Reason: *reason}
			if a.To == order.Quoted {
				due, err := time.Parse(time.DateOnly, *ready)
				if err != nil || *price < 0 {
					return usageError{"a quote needs --price CENTS and --ready DATE"}
				}
				a.Quote = &order.Quote{Price: *price, Currency: *currency, Ready: due.Add(18 * time.Hour)}
			}
			r, err := n.orders.Act(ctx, u, pos[1], a)
			if err != nil {
				return err
			}
			return out(r, func() {
				fmt.Printf("request %s at %s is now %s\n", r.ID, r.FacilityName, strings.ReplaceAll(string(r.State), "_", " "))
			})
		case pos[0] == "queue" && len(pos) == 2:
			f, list, err := n.orders.Queue(ctx, u, pos[1], true)
			if err != nil {
				return err
			}
			return out(list, func() {
				fmt.Printf("open requests to %s: %d\n", f.Name, len(list))
				for _, r := range list {
					fmt.Printf("%s  %-13s  %d part lines, estimate EUR %.2f\n", r.ID, r.State, len(r.Lines), r.EstimateEUR)
				}
			})
		}
		return usageError{"dgml orders [show ID | act REQUEST STATE | queue WORKSHOP]"}
	})
}

func runBook(ctx context.Context, args []string) error {
	fs := newFlags("book", "book [--data DIR] --as USER --at 2027-03-01T10:00 --hours H [--hold] MACHINE",
		`Books machine time for yourself by the machine's rules (who may book
it, its open hours, its price); the workshop's operators book any time.
--hold keeps the time ten minutes while you decide. The time is in the
machine's time zone. "dgml bookings" lists yours.`)
	at := fs.String("at", "", "start, as 2027-03-01T10:00 in the machine's time zone")
	hours := fs.Float64("hours", 1, "how long")
	hold := fs.Bool("hold", false, "only hold the time for ten minutes")
	note := fs.String("note", "", "a note for the workshop")
	return asUser(ctx, fs, args, count(1, "dgml book --as USER --at TIME --hours H MACHINE"), func(n *node, u *account.User, pos []string) error {
		t, err := n.book.Target(ctx, pos[0])
		if err != nil {
			return err
		}
		loc := t.Machine.Hours.Location()
		start, err := time.ParseInLocation("2006-01-02T15:04", *at, loc)
		if err != nil {
			return usageError{"--at: a time as 2027-03-01T10:00"}
		}
		kind := booking.Session
		if *hold {
			kind = booking.Hold
		}
		b, err := n.book.Book(ctx, u, pos[0], booking.Request{Start: start, End: start.Add(time.Duration(*hours * float64(time.Hour))), Kind: kind, Note: *note})
		if err != nil {
			return err
		}
		fmt.Printf("booked %s at %s, %s to %s (%s), %s %d.%02d; booking %s\n", t.Machine.Label(), t.Facility.Name,
			b.Start.In(loc).Format("Mon 2 Jan 15:04"), b.End.In(loc).Format("15:04"), loc, b.Currency, b.Price/100, b.Price%100, b.ID)
		return nil
	})
}

func runBookings(ctx context.Context, args []string) error {
	fs := newFlags("bookings", "bookings [--data DIR] --as USER [cancel ID]", "Your machine bookings, or cancel one.")
	asJSON := fs.Bool("json", false, "print as JSON")
	return asUser(ctx, fs, args, anyArgs, func(n *node, u *account.User, pos []string) error {
		if len(pos) == 2 && pos[0] == "cancel" {
			b, err := n.book.Cancel(ctx, u, pos[1])
			if err != nil {
				return err
			}
			fmt.Printf("booking %s cancelled\n", b.ID)
			return nil
		}
		if len(pos) != 0 {
			return usageError{"dgml bookings [cancel ID]"}
		}
		list, err := n.book.Mine(ctx, u)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(map[string]any{"items": list})
		}
		for _, b := range list {
			fmt.Printf("%s  %s–%s UTC  %-11s %-9s machine %s\n", b.ID, b.Start.Format("2006-01-02 15:04"), b.End.Format("15:04"), b.Kind, b.Status, b.MachineID)
		}
		return nil
	})
}
