package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/dgml/dgml/account"
	"github.com/dgml/dgml/collab"
)

// asFlag names the user a command acts as; the password is asked for.
func asFlag(fs *flag.FlagSet) *string {
	return fs.String("as", "", "act as this user of the node (the password is asked for, or read from standard input)")
}

func (n *node) login(ctx context.Context, name string) (*account.User, error) {
	if name == "" {
		return nil, usageError{"say who acts: --as USER"}
	}
	pw, err := readPassword("password for " + name + ": ")
	if err != nil {
		return nil, err
	}
	return n.people.Check(ctx, name, pw, "cli")
}

func runFork(ctx context.Context, args []string) error {
	fs := newFlags("fork", "fork [--data DIR] --as USER DESIGN", "Forks a design: a new design from its head, maintained by USER, that remembers where it came from.")
	return asUserOn(ctx, fs, args, func(n *node, u *account.User, ref string) error {
		d, err := n.people.Fork(ctx, u, ref)
		if err != nil {
			return err
		}
		fmt.Printf("forked as %s (%s)\n", d.Slug, d.ID)
		return nil
	})
}

func runPropose(ctx context.Context, args []string) error {
	fs := newFlags("propose", "propose [--data DIR] --as USER --from FORK [--title T] DESIGN",
		"Proposes the head of your fork to the design it was forked from; its maintainers see the diff and accept or decline.")
	from := fs.String("from", "", "your fork (id or slug)")
	title := fs.String("title", "", "what the proposal changes")
	want := func(pos []string) error {
		if len(pos) != 1 || *from == "" {
			return usageError{"give the design and --from FORK"}
		}
		return nil
	}
	return asUser(ctx, fs, args, want, func(n *node, u *account.User, pos []string) error {
		p, err := n.people.Propose(ctx, u, pos[0], *from, *title)
		if err != nil {
			return err
		}
		fmt.Printf("proposal %s opened; the maintainers decide with: dgml decide %s accept|decline\n", p.ID, p.ID)
		return nil
	})
}

func runProposals(ctx context.Context, args []string) error {
	fs := newFlags("proposals", "proposals [--data DIR] [--json] DESIGN", "Lists a design's change proposals.")
	asJSON := fs.Bool("json", false, "print as JSON")
	return onDesign(ctx, fs, args, func(n *node, ref string) error {
		d, err := n.db.Design(ctx, ref)
		if err != nil {
			return err
		}
		ps, err := n.db.Proposals(ctx, d.ID)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(ps)
		}
		tw := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tAUTHOR\tTITLE")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.ID, p.Status, p.Author, clip(p.Title, 50))
		}
		return tw.Flush()
	})
}

func runDecide(ctx context.Context, args []string) error {
	fs := newFlags("decide", "decide [--data DIR] --as USER PROPOSAL accept|decline",
		"Accepts a proposal (its revision becomes the design's head) or declines it. Only the design's maintainers may.")
	want := func(pos []string) error {
		if len(pos) != 2 || (pos[1] != "accept" && pos[1] != "decline") {
			return usageError{"dgml decide PROPOSAL accept|decline"}
		}
		return nil
	}
	return asUser(ctx, fs, args, want, func(n *node, u *account.User, pos []string) error {
		p, err := n.people.Decide(ctx, u, pos[0], pos[1] == "accept")
		if err != nil {
			return err
		}
		fmt.Println("proposal", p.Status)
		return nil
	})
}

func runTasks(ctx context.Context, args []string) error {
	fs := newFlags("tasks", "tasks [--data DIR] [--design D] [--skill S] [--process P] [--language L] [--json]",
		"Lists open tasks anyone can pick up (help wanted).")
	var q collab.TaskQuery
	design := fs.String("design", "", "only this design's tasks")
	fs.StringVar(&q.Skill, "skill", "", "needing this skill")
	fs.StringVar(&q.Process, "process", "", "about this process")
	fs.StringVar(&q.Language, "language", "", "in this language")
	asJSON := fs.Bool("json", false, "print as JSON")
	return withNode(ctx, fs, args, anyArgs, func(n *node, _ []string) error {
		q.OpenOnly = true
		if *design != "" {
			d, err := n.db.Design(ctx, *design)
			if err != nil {
				return err
			}
			q.Design = d.ID
		}
		ts, err := n.db.Tasks(ctx, q)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(ts)
		}
		tw := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tSKILLS\tTITLE")
		for _, t := range ts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.ID, t.Status, strings.Join(t.Skills, ","), clip(t.Title, 50))
		}
		return tw.Flush()
	})
}

func runTask(ctx context.Context, args []string) error {
	fs := newFlags("task", "task add|claim|progress|close [--data DIR] --as USER ...",
		`Works on open tasks:
  task add DESIGN --title T [--skills a,b] [--language L]   leave a task
  task claim TASK                                          take it (14 days, renewed by progress)
  task progress TASK --text T                              report progress
  task close TASK --resolution LINK                        close it with what resolved it`)
	title := fs.String("title", "", "the task, for add")
	skills := fs.String("skills", "", "skills it needs, separated by commas, for add")
	language := fs.String("language", "", "language, for add")
	text := fs.String("text", "", "progress, for progress")
	resolution := fs.String("resolution", "", "link to the revision or report that resolves it, for close")
	return asUser(ctx, fs, args, count(2, "dgml task add|claim|progress|close ID --as USER"), func(n *node, u *account.User, pos []string) error {
		switch pos[0] {
		case "add":
			t := &collab.Task{Title: *title, Language: *language}
			for _, s := range strings.Split(*skills, ",") {
				if s = strings.TrimSpace(s); s != "" {
					t.Skills = append(t.Skills, s)
				}
			}
			if err := n.people.AddTask(ctx, u, pos[1], t); err != nil {
				return err
			}
			fmt.Println("task", t.ID)
		case "claim":
			if _, err := n.people.Claim(ctx, u, pos[1]); err != nil {
				return err
			}
			fmt.Println("claimed for", collab.ClaimDays, "days")
		case "progress":
			return n.people.Progress(ctx, u, pos[1], *text)
		case "close":
			if _, err := n.people.Close(ctx, u, pos[1], *resolution); err != nil {
				return err
			}
			fmt.Println("closed")
		default:
			return usageError{"add, claim, progress or close"}
		}
		return nil
	})
}

func runActivity(ctx context.Context, args []string) error {
	fs := newFlags("activity", "activity [--data DIR] [--person NAME] [--json] [DESIGN]", "Shows what happened on a design, or what a person did, newest first.")
	person := fs.String("person", "", "a user of this node instead of a design")
	asJSON := fs.Bool("json", false, "print as JSON")
	return withNode(ctx, fs, args, anyArgs, func(n *node, pos []string) error {
		designID, actor := "", ""
		switch {
		case *person != "":
			actor = account.Handle(*person, n.people.Node)
		case len(pos) == 1:
			d, err := n.db.Design(ctx, pos[0])
			if err != nil {
				return err
			}
			designID = d.ID
		default:
			return usageError{"give a design or --person NAME"}
		}
		es, err := n.db.Events(ctx, designID, actor, 50, 0)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(es)
		}
		for _, e := range es {
			fmt.Printf("%s  %s  %s\n", e.Created.Format("2006-01-02 15:04"), e.Actor, e.Summary)
		}
		return nil
	})
}
