package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// maxPrepared bounds the statement cache: the store's own statements are a
// few dozen, and a UserTable that builds its SQL text at run time must not
// grow it without end (those statements simply run unprepared).
const maxPrepared = 128

// preparedDB is a Querier over a *sql.DB that prepares each statement text
// once and reuses it. modernc's SQLite otherwise parses and plans the
// statement on every call, which is most of the cost of an indexed lookup
// (pgx caches prepared statements itself, so PostgreSQL does not use this).
type preparedDB struct {
	db    *sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
	full  bool
}

func newPreparedDB(db *sql.DB) *preparedDB {
	return &preparedDB{db: db, stmts: make(map[string]*sql.Stmt)}
}

// stmt returns the prepared statement for query, or nil when the cache is
// full or preparing failed (the caller then runs query unprepared, which
// reports any error in it).
func (p *preparedDB) stmt(ctx context.Context, query string) *sql.Stmt {
	p.mu.RLock()
	st, ok := p.stmts[query]
	full := p.full
	p.mu.RUnlock()
	if ok || full {
		return st
	}
	st, err := p.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.stmts[query]; ok {
		st.Close()
		return prev
	}
	if len(p.stmts) >= maxPrepared {
		p.full = true
		st.Close()
		return nil
	}
	p.stmts[query] = st
	return st
}

func (p *preparedDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.db.ExecContext(ctx, query, args...)
}

func (p *preparedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.db.QueryContext(ctx, query, args...)
}

func (p *preparedDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.db.QueryRowContext(ctx, query, args...)
}

// close closes the prepared statements.
func (p *preparedDB) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for q, st := range p.stmts {
		st.Close()
		delete(p.stmts, q)
	}
}
