package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/dgml/dgml/feed"
)

func runPeers(ctx context.Context, args []string) error {
	fs := newFlags("peers", "peers list | add --as ADMIN URL | sync [--as ADMIN] [NODE] | remove --as ADMIN NODE",
		`The nodes this node follows. "add" reads a node's document at URL
(checking its signature and id) and follows its log from the start;
"sync" reads the logs now (all, or one node's), checking every
signature, the chain of entries and the node's Merkle checkpoint, and
every file's hash, before keeping anything; "remove" stops following a
node (what was learned from it stays). A serving node also syncs on its
own, every --sync-every. Adding, syncing from here and removing are for
the node's admins.`)
	as := asFlag(fs)
	asJSON := fs.Bool("json", false, "print as JSON")
	want := func(pos []string) error {
		if len(pos) == 0 {
			return usageError{"dgml peers list | add URL | sync [NODE] | remove NODE"}
		}
		switch pos[0] {
		case "list":
			return nil
		case "add", "remove":
			if len(pos) != 2 {
				return usageError{"dgml peers " + pos[0] + " --as ADMIN " + map[string]string{"add": "URL", "remove": "NODE"}[pos[0]]}
			}
			return nil
		case "sync":
			if len(pos) > 2 {
				return usageError{"dgml peers sync [NODE]"}
			}
			return nil
		}
		return usageError{fmt.Sprintf("unknown peers command %q: list, add, sync or remove", pos[0])}
	}
	return withNode(ctx, fs, args, want, func(n *node, pos []string) error {
		switch pos[0] {
		case "list":
			ps, err := n.db.Peers(ctx)
			if err != nil {
				return err
			}
			if *asJSON {
				return printJSON(map[string]any{"items": ps})
			}
			if len(ps) == 0 {
				fmt.Println("this node follows no other node: dgml peers add --as ADMIN URL")
				return nil
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
			fmt.Fprintln(tw, "NODE\tNAME\tURL\tSTATUS\tENTRIES\tSYNCED")
			for _, p := range ps {
				synced := "never"
				if p.SyncedAt != nil {
					synced = p.SyncedAt.Local().Format(time.DateTime)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", p.Node, p.Name, p.URL, p.Status, p.Seq, synced)
				if p.Error != "" {
					fmt.Fprintf(tw, "\t\t\twhy: %s\t\t\n", p.Error)
				}
			}
			return tw.Flush()
		case "add":
			u, err := n.login(ctx, *as)
			if err != nil {
				return err
			}
			p, err := n.fed.Follow(ctx, u, pos[1])
			if err != nil {
				return err
			}
			if *asJSON {
				return printJSON(p)
			}
			fmt.Printf("following %s (%s) at %s: dgml peers sync %s reads its log now\n", p.Name, p.Node, p.URL, p.Node)
			return nil
		case "remove":
			u, err := n.login(ctx, *as)
			if err != nil {
				return err
			}
			if err := n.fed.Unfollow(ctx, u, pos[1]); err != nil {
				return err
			}
			fmt.Printf("no longer following %s; what was learned from it stays\n", pos[1])
			return nil
		}
		// sync
		var nodes []string
		if len(pos) == 2 {
			nodes = []string{pos[1]}
		} else {
			ps, err := n.db.Peers(ctx)
			if err != nil {
				return err
			}
			for _, p := range ps {
				if p.Status != feed.PeerEquivocation {
					nodes = append(nodes, p.Node)
				}
			}
		}
		if *as != "" {
			u, err := n.login(ctx, *as)
			if err != nil {
				return err
			}
			if !u.Admin {
				return fmt.Errorf("%s is not a node admin", u.Name)
			}
		}
		var out []any
		failed := 0
		for _, node := range nodes {
			t0 := time.Now()
			res, err := n.fed.Sync(ctx, node)
			if *asJSON {
				item := map[string]any{"result": res}
				if err != nil {
					item["error"] = err.Error()
				}
				out = append(out, item)
			} else if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", node, err)
			} else {
				fmt.Printf("%s: %d new entries, %d objects, %d bytes in %s; read up to %d\n", node, res.Entries, res.Objects, res.Bytes, time.Since(t0).Round(time.Millisecond), res.Seq)
			}
			if err != nil {
				failed++
			}
		}
		if *asJSON {
			printJSON(map[string]any{"items": out})
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d peers failed: dgml peers list says why", failed, len(nodes))
		}
		return nil
	})
}

func runNodeCmd(ctx context.Context, args []string) error {
	fs := newFlags("node", "node [show] | node rotate-key --as ADMIN",
		`Shows this node's identity (its id, made from its first key, its
current key and its log's size), or gives it a new key: an entry signed
by the old key names the new one, so that the nodes following it keep
believing it.`)
	as := asFlag(fs)
	asJSON := fs.Bool("json", false, "print as JSON")
	want := func(pos []string) error {
		if len(pos) > 1 || len(pos) == 1 && pos[0] != "show" && pos[0] != "rotate-key" {
			return usageError{"dgml node [show] | dgml node rotate-key --as ADMIN"}
		}
		return nil
	}
	return withNode(ctx, fs, args, want, func(n *node, pos []string) error {
		if len(pos) == 1 && pos[0] == "rotate-key" {
			u, err := n.login(ctx, *as)
			if err != nil {
				return err
			}
			if !u.Admin {
				return fmt.Errorf("%s is not a node admin", u.Name)
			}
			k, err := n.fed.Rotate(ctx)
			if err != nil {
				return err
			}
			fmt.Println("the node's key is now", k)
			return nil
		}
		d, err := n.fed.Document()
		if err != nil {
			return err
		}
		size, err := n.fed.LogSize(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(map[string]any{"node": d, "log_size": size})
		}
		fmt.Printf("node      %s\nname      %s\nkey       %s\nfirst key %s\nlog       %d entries\n", d.Node, d.Name, d.Key, d.FirstKey, size)
		return nil
	})
}
