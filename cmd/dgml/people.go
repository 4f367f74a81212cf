package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/dgml/dgml/account"
)

// readPassword reads a password: without echo on a terminal, else the
// first line of standard input (for scripts).
func readPassword(prompt string) (string, error) {
	if term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Fprint(os.Stderr, prompt)
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(os.Stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func runAdmin(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "standing" {
		return adminStanding(ctx, args[1:])
	}
	fs := newFlags("admin", "admin create-user [--data DIR] [--admin] NAME | admin standing [--as ADMIN --min-days N --min-contributions N --vouching=BOOL]",
		`create-user makes an account on this node; with --admin a node admin,
who may change any design and facility. The password is asked for (or
read from the first line of standard input). "admin standing" shows or
sets whose reviews and votes count (see dgml admin standing --help).`)
	admin := fs.Bool("admin", false, "make the user a node admin")
	want := func(pos []string) error {
		if len(pos) != 2 || pos[0] != "create-user" {
			return usageError{"dgml admin create-user NAME, or dgml admin standing"}
		}
		return nil
	}
	return withNode(ctx, fs, args, want, func(n *node, pos []string) error {
		pw, err := readPassword("password for " + pos[1] + ": ")
		if err != nil {
			return err
		}
		u, err := n.people.SignUp(ctx, pos[1], pw, "", *admin)
		if err != nil {
			return err
		}
		fmt.Printf("created %s (%s)%s\n", n.people.Handle(u), u.ID, map[bool]string{true: ", node admin"}[u.Admin])
		return nil
	})
}

// adminStanding shows the standing policy, or sets it as an admin.
func adminStanding(ctx context.Context, args []string) error {
	fs := newFlags("admin standing", "admin standing [--data DIR] [--as ADMIN --min-days N --min-contributions N --vouching=true|false] [--json]",
		`Shows whose attestations and readiness votes count on this node, or
with --as a node admin sets it: accounts at least --min-days old with at
least --min-contributions accepted contributions (proposals, build
reports, translations), or (--vouching) vouched for by an admin or an
established maintainer of another design.`)
	as := asFlag(fs)
	days := fs.Int("min-days", -1, "least account age in days")
	contrib := fs.Int("min-contributions", -1, "least accepted contributions")
	vouching := fs.String("vouching", "", "true or false: whether vouches give standing")
	asJSON := fs.Bool("json", false, "print the policy as JSON")
	return withNode(ctx, fs, args, count(0, "dgml admin standing takes no arguments"), func(n *node, _ []string) error {
		p, err := n.people.StandingPolicy(ctx)
		if err != nil {
			return err
		}
		if *as != "" {
			u, err := n.login(ctx, *as)
			if err != nil {
				return err
			}
			if *days >= 0 {
				p.MinAccountDays = *days
			}
			if *contrib >= 0 {
				p.MinContributions = *contrib
			}
			switch *vouching {
			case "true":
				p.Vouching = true
			case "false":
				p.Vouching = false
			case "":
			default:
				return usageError{"--vouching is true or false"}
			}
			if err := n.people.SetStandingPolicy(ctx, u, p); err != nil {
				return err
			}
		}
		if *asJSON {
			return printJSON(p)
		}
		fmt.Println("On this node,", p.Text()+".")
		return nil
	})
}

func runVouch(ctx context.Context, args []string) error {
	fs := newFlags("vouch", "vouch [--data DIR] --as USER --note TEXT PERSON",
		`Vouches that PERSON's attestations and votes may count on this node
before their account has earned standing by age and contributions. Node
admins may vouch, and members with standing who maintain a design.`)
	note := fs.String("note", "", "how you know them")
	return asUser(ctx, fs, args, count(1, "give the person's user name"), func(n *node, u *account.User, pos []string) error {
		if err := n.people.Vouch(ctx, u, pos[0], *note); err != nil {
			return err
		}
		fmt.Printf("%s vouched for %s\n", n.people.Handle(u), pos[0])
		return nil
	})
}

func runToken(ctx context.Context, args []string) error {
	fs := newFlags("token", "token create|list [--data DIR] [--scope read|write] [--name LABEL] USER",
		`Makes an API token for a user (after asking the user's password) and
prints it once; it is stored only as a digest. "list" shows a user's
tokens. Revoke one with DELETE /api/v1/tokens/ID.`)
	scope := fs.String("scope", "write", "read or write")
	label := fs.String("name", "cli", "a label to recognise the token by")
	want := func(pos []string) error {
		if len(pos) != 2 || (pos[0] != "create" && pos[0] != "list") {
			return usageError{"dgml token create USER, or dgml token list USER"}
		}
		return nil
	}
	return withNode(ctx, fs, args, want, func(n *node, pos []string) error {
		u, err := n.login(ctx, pos[1])
		if err != nil {
			return err
		}
		if pos[0] == "list" {
			ts, err := n.db.Tokens(ctx, u.ID)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tSCOPE\tCREATED\tREVOKED")
			for _, t := range ts {
				rev := ""
				if t.Revoked != nil {
					rev = t.Revoked.Format("2006-01-02")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Scope, t.Created.Format("2006-01-02"), rev)
			}
			return tw.Flush()
		}
		secret, _, err := n.people.NewToken(ctx, u, *label, *scope)
		if err != nil {
			return err
		}
		fmt.Println(secret)
		fmt.Fprintln(os.Stderr, "keep this token now: it is not shown again")
		return nil
	})
}

func runDiff(ctx context.Context, args []string) error {
	fs := newFlags("diff", "diff [--data DIR] [--json] REVISION REVISION",
		`Lists what changed between two revisions: manifest fields, parts added,
removed or changed (quantity, material, process, size, geometry file)
and build steps.`)
	asJSON := fs.Bool("json", false, "print as JSON")
	return withNode(ctx, fs, args, count(2, "give two revision ids"), func(n *node, pos []string) error {
		changes, err := n.people.Diff(ctx, pos[0], pos[1])
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(changes)
		}
		if len(changes) == 0 {
			fmt.Println("no differences")
		}
		for _, c := range changes {
			line := c.Kind + " " + c.Path
			switch {
			case c.Notes != "":
				line += ": " + c.Notes
			case c.From != "" || c.To != "":
				line += ": " + clip(c.From, 60) + " → " + clip(c.To, 60)
			}
			fmt.Println(line)
		}
		return nil
	})
}
