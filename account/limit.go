package account

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Guard slows password guessing three ways at once:
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
//
// The counts live in Failures: the store, so that every process of a
// node (its server, its command line, a hub's many servers) counts
// together; or, without a store, in bounded memory.
type Guard struct {
	Pair, Address, Account, SignUps int
	Window, MaxDelay                time.Duration
	Failures                        Failures
	now                             func() time.Time
}

// Failures keeps failed attempts by kind ("pair", "address", "account",
// "signup") and key.
type Failures interface {
	// CountFailures counts a key's failures since a time, with the
	// first and last of them.
	CountFailures(ctx context.Context, kind, key string, since time.Time) (n int, first, last time.Time, err error)
	// AddFailure records one; a keeper may forget failures older than a
	// day.
	AddFailure(ctx context.Context, kind, key string, at time.Time) error
	ForgetFailures(ctx context.Context, kind, key string) error
}

// NewGuard has the node's defaults: 5 failures of a name per address and
// 50 per address in 15 minutes, backoff after 10 failures of an account
// up to one minute, 10 sign-ups per address an hour; f keeps the counts
// (nil: memory, at most 10,000 keys a kind).
func NewGuard(f Failures) *Guard {
	if f == nil {
		f = NewMemoryFailures(10000)
	}
	return &Guard{Pair: 5, Address: 50, Account: 10, SignUps: 10, Window: 15 * time.Minute, MaxDelay: time.Minute, Failures: f, now: time.Now}
}

func (g *Guard) clock() time.Time {
	if g.now != nil {
		return g.now()
	}
	return time.Now()
}

// Allowed says whether a login of name from addr may be tried now, and
// if not, how long to wait.
func (g *Guard) Allowed(ctx context.Context, name, addr string) (bool, time.Duration, error) {
	now := g.clock()
	wait := time.Duration(0)
	since := now.Add(-g.Window)
	for _, c := range []struct {
		kind, key string
		max       int
	}{{"pair", name + " " + addr, g.Pair}, {"address", addr, g.Address}} {
		n, first, _, err := g.Failures.CountFailures(ctx, c.kind, c.key, since)
		if err != nil {
			return false, 0, err
		}
		if n >= c.max {
			wait = max(wait, first.Add(g.Window).Sub(now))
		}
	}
	n, _, last, err := g.Failures.CountFailures(ctx, "account", name, since)
	if err != nil {
		return false, 0, err
	}
	if n >= g.Account {
		wait = max(wait, last.Add(g.delay(n)).Sub(now))
	}
	return wait <= 0, wait, nil
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
func (g *Guard) Fail(ctx context.Context, name, addr string) error {
	now := g.clock()
	for _, k := range [][2]string{{"pair", name + " " + addr}, {"address", addr}, {"account", name}} {
		if err := g.Failures.AddFailure(ctx, k[0], k[1], now); err != nil {
			return err
		}
	}
	return nil
}

// Succeeded forgets the failures of a name from an address once the
// right password came from it. The account's count stays: a success from
// one address says nothing of the guessing from others.
func (g *Guard) Succeeded(ctx context.Context, name, addr string) error {
	return g.Failures.ForgetFailures(ctx, "pair", name+" "+addr)
}

// SignUp counts a sign-up from addr and refuses it past the limit.
func (g *Guard) SignUp(ctx context.Context, addr string) error {
	now := g.clock()
	n, first, _, err := g.Failures.CountFailures(ctx, "signup", addr, now.Add(-time.Hour))
	if err != nil {
		return err
	}
	if n >= g.SignUps {
		return fmt.Errorf("too many accounts made from this address: try again in %s", first.Add(time.Hour).Sub(now).Round(time.Minute))
	}
	return g.Failures.AddFailure(ctx, "signup", addr, now)
}

// MemoryFailures keeps failures in memory, at most a number of keys a
// kind: past it the keys with the oldest last failure are forgotten
// first. A node's processes do not share it; it is for a process alone.
type MemoryFailures struct {
	maxKeys int
	mu      sync.Mutex
	kinds   map[string]map[string][]time.Time
}

// NewMemoryFailures keeps at most maxKeys keys a kind.
func NewMemoryFailures(maxKeys int) *MemoryFailures {
	return &MemoryFailures{maxKeys: maxKeys, kinds: map[string]map[string][]time.Time{}}
}

// CountFailures counts a key's failures since a time.
func (m *MemoryFailures) CountFailures(_ context.Context, kind, key string, since time.Time) (int, time.Time, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ts := m.kinds[kind][key]
	i, _ := slices.BinarySearchFunc(ts, since, time.Time.Compare)
	ts = ts[i:]
	if len(ts) == 0 {
		return 0, time.Time{}, time.Time{}, nil
	}
	return len(ts), ts[0], ts[len(ts)-1], nil
}

// AddFailure records a failure, keeping a day's worth per key.
func (m *MemoryFailures) AddFailure(_ context.Context, kind, key string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := m.kinds[kind]
	if keys == nil {
		keys = map[string][]time.Time{}
		m.kinds[kind] = keys
	}
	if _, ok := keys[key]; !ok && len(keys) >= m.maxKeys {
		evict(keys)
	}
	ts := keys[key]
	i, _ := slices.BinarySearchFunc(ts, at.Add(-24*time.Hour), time.Time.Compare)
	ts = append(ts[i:], at)
	if len(ts) > 1000 { // counts past a thousand a day say nothing more
		ts = ts[len(ts)-1000:]
	}
	keys[key] = ts
	return nil
}

// ForgetFailures forgets a key's failures.
func (m *MemoryFailures) ForgetFailures(_ context.Context, kind, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.kinds[kind], key)
	return nil
}

// Keys says how many keys are held in all, for tests of the bound.
func (m *MemoryFailures) Keys() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, keys := range m.kinds {
		n += len(keys)
	}
	return n
}

// evict forgets the tenth of the keys with the oldest last failure.
func evict(keys map[string][]time.Time) {
	lasts := make([]time.Time, 0, len(keys))
	for _, ts := range keys {
		lasts = append(lasts, ts[len(ts)-1])
	}
	slices.SortFunc(lasts, time.Time.Compare)
	cut := lasts[max(1, len(lasts)/10)-1]
	for k, ts := range keys {
		if !ts[len(ts)-1].After(cut) {
			delete(keys, k)
		}
	}
}
