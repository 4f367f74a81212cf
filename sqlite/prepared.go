package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// prepared keeps the statements the store runs, each prepared once per
// connection: modernc's driver otherwise parses a statement's SQL on
// every call, which took a quarter of the time a follower spent storing
// a peer's designs. Statements made of several parts (migrations),
// schema changes and long generated SQL are run as they come.
type prepared struct {
	db      *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
	closed  bool
	bg      sync.WaitGroup // background prepares, waited for at close
}

// maxPrepared bounds the cache: queries built with values in their text
// (a LIMIT, an IN list) stop being cached once it is full.
const maxPrepared = 512

func cacheable(q string) bool {
	if len(q) > 4096 || strings.Contains(strings.TrimRight(q, " \t\n;"), ";") {
		return false
	}
	head := strings.ToUpper(strings.TrimSpace(q))
	for _, p := range []string{"CREATE", "ALTER", "DROP", "PRAGMA", "VACUUM", "ANALYZE", "BEGIN", "COMMIT", "ROLLBACK", "ATTACH"} {
		if strings.HasPrefix(head, p) {
			return false
		}
	}
	return true
}

// get returns the prepared statement of q, or nil when q is not to be
// cached or is not prepared yet. Inside a transaction it never waits
// for a connection of the pool (every one may be held by a transaction
// waiting for this one's write lock): the statement is prepared in the
// background, and runs plainly this time.
func (p *prepared) get(q string, inTx bool) *sql.Stmt {
	if !cacheable(q) {
		return nil
	}
	p.mu.Lock()
	if st, ok := p.m[q]; ok {
		p.mu.Unlock()
		return st
	}
	if p.closed || len(p.m)+len(p.pending) >= maxPrepared || p.pending[q] {
		p.mu.Unlock()
		return nil
	}
	if p.pending == nil {
		p.pending = map[string]bool{}
	}
	p.pending[q] = true
	p.mu.Unlock()
	if inTx {
		p.bg.Add(1)
		go func() { defer p.bg.Done(); p.prepare(q) }()
		return nil
	}
	return p.prepare(q)
}

// prepare prepares q on a connection of the pool and keeps it.
func (p *prepared) prepare(q string) *sql.Stmt {
	st, err := p.db.PrepareContext(context.Background(), q)
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.pending, q)
	if err != nil {
		return nil // running it plainly says why
	}
	if p.closed {
		st.Close()
		return nil
	}
	if p.m == nil {
		p.m = map[string]*sql.Stmt{}
	}
	p.m[q] = st
	return st
}

func (p *prepared) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	// A prepare under way holds a connection; it must end before the
	// database does.
	p.bg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, st := range p.m {
		st.Close()
	}
	p.m = nil
}

// cached runs statements through the cache, in a transaction when tx is
// set.
type cached struct {
	p  *prepared
	tx *sql.Tx
}

func (c cached) stmt(ctx context.Context, q string) *sql.Stmt {
	st := c.p.get(q, c.tx != nil)
	if st != nil && c.tx != nil {
		return c.tx.StmtContext(ctx, st)
	}
	return st
}

func (c cached) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := c.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	if c.tx != nil {
		return c.tx.ExecContext(ctx, q, args...)
	}
	return c.p.db.ExecContext(ctx, q, args...)
}

func (c cached) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	if c.tx != nil {
		return c.tx.QueryContext(ctx, q, args...)
	}
	return c.p.db.QueryContext(ctx, q, args...)
}

func (c cached) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	if c.tx != nil {
		return c.tx.QueryRowContext(ctx, q, args...)
	}
	return c.p.db.QueryRowContext(ctx, q, args...)
}
