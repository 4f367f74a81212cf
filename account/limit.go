package account

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// Guard slows password guessing three ways at once, and keeps its memory
// bounded whatever names and addresses are tried:
//
//   - a name from one address: Pair failures within Window, then refused
//     until the window has passed (a person mistyping is not hurt; one
//     address guessing one account stops quickly);
//   - one address, whatever the names: Address failures within Window
//     (credential stuffing across many accounts);
//   - one account, from every address: after Account failures within
//     Window, each further attempt must wait a delay that doubles with
//     each failure, up to MaxDelay. This is a backoff, not a lock: the
//     delay is short and attempts refused while waiting do not lengthen
//     it, so a stranger guessing cannot shut the person out, while a
//     botnet gets about one guess per MaxDelay.
//
// Sign-ups are counted per address (SignUps within an hour), against
// mass-made throwaway accounts and probing which names are taken.
type Guard struct {
	Pair, Address, Account, SignUps int
	Window, MaxDelay                time.Duration
	// MaxKeys bounds each table; past it the entries with the oldest
	// last failure are forgotten first.
	MaxKeys int

	mu                             sync.Mutex
	pairs, addrs, accounts, signup map[string]*count
	now                            func() time.Time
}

type count struct {
	n           int
	first, last time.Time
}

// NewGuard has the node's defaults: 5 failures of a name per address and
// 50 per address in 15 minutes, backoff after 10 failures of an account
// up to one minute, 10 sign-ups per address an hour, 10,000 keys a table.
func NewGuard() *Guard {
	return &Guard{Pair: 5, Address: 50, Account: 10, SignUps: 10, Window: 15 * time.Minute, MaxDelay: time.Minute, MaxKeys: 10000, now: time.Now}
}

func (g *Guard) init() {
	if g.pairs == nil {
		g.pairs, g.addrs, g.accounts, g.signup = map[string]*count{}, map[string]*count{}, map[string]*count{}, map[string]*count{}
	}
	if g.now == nil {
		g.now = time.Now
	}
}

// live returns the key's count within the window, nil when none.
func (g *Guard) live(m map[string]*count, key string, window time.Duration) *count {
	c := m[key]
	if c != nil && g.now().Sub(c.first) > window {
		delete(m, key)
		return nil
	}
	return c
}

func (g *Guard) add(m map[string]*count, key string, window time.Duration) *count {
	now := g.now()
	c := g.live(m, key, window)
	if c == nil {
		if len(m) >= g.MaxKeys {
			g.evict(m)
		}
		c = &count{first: now}
		m[key] = c
	}
	c.n++
	c.last = now
	return c
}

// evict forgets the tenth of the entries with the oldest last failure,
// so that a table at its bound is swept once per many insertions.
func (g *Guard) evict(m map[string]*count) {
	lasts := make([]time.Time, 0, len(m))
	for _, c := range m {
		lasts = append(lasts, c.last)
	}
	slices.SortFunc(lasts, time.Time.Compare)
	cut := lasts[max(1, len(lasts)/10)-1]
	for key, c := range m {
		if !c.last.After(cut) {
			delete(m, key)
		}
	}
}

// Allowed says whether a login of name from addr may be tried now, and
// if not, how long to wait.
func (g *Guard) Allowed(name, addr string) (bool, time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.init()
	now := g.now()
	wait := time.Duration(0)
	if c := g.live(g.pairs, name+"\x00"+addr, g.Window); c != nil && c.n >= g.Pair {
		wait = max(wait, c.first.Add(g.Window).Sub(now))
	}
	if c := g.live(g.addrs, addr, g.Window); c != nil && c.n >= g.Address {
		wait = max(wait, c.first.Add(g.Window).Sub(now))
	}
	if c := g.live(g.accounts, name, g.Window); c != nil && c.n >= g.Account {
		wait = max(wait, c.last.Add(g.delay(c.n)).Sub(now))
	}
	return wait <= 0, wait
}

// delay is the wait after n failures of one account.
func (g *Guard) delay(n int) time.Duration {
	k := n - g.Account
	if k > 20 {
		return g.MaxDelay
	}
	return min(g.MaxDelay, time.Second<<k)
}

// Fail records a failed login.
func (g *Guard) Fail(name, addr string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.init()
	g.add(g.pairs, name+"\x00"+addr, g.Window)
	g.add(g.addrs, addr, g.Window)
	g.add(g.accounts, name, g.Window)
}

// Succeeded forgets the failures of a name from an address once the
// right password came from it. The account's count stays: a success from
// one address says nothing of the guessing from others.
func (g *Guard) Succeeded(name, addr string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.init()
	delete(g.pairs, name+"\x00"+addr)
}

// SignUp counts a sign-up from addr and refuses it past the limit.
func (g *Guard) SignUp(addr string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.init()
	if c := g.live(g.signup, addr, time.Hour); c != nil && c.n >= g.SignUps {
		return fmt.Errorf("too many accounts made from this address: try again in %s", c.first.Add(time.Hour).Sub(g.now()).Round(time.Minute))
	}
	g.add(g.signup, addr, time.Hour)
	return nil
}

// Keys says how many entries the guard holds, for tests of its bound.
func (g *Guard) Keys() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.pairs) + len(g.addrs) + len(g.accounts) + len(g.signup)
}
