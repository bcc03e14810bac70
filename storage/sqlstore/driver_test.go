package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	moderncsqlite "modernc.org/sqlite"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/internal/logintest"
	"github.com/go-socialauth/socialauth/storage/sqlstore"
	"github.com/go-socialauth/socialauth/storage/sqlstore/sqlite"
)

var errDriverFault = errors.New("injected driver fault")

// hookConnector wraps a real driver: it records every statement the
// database actually receives (BEGIN and COMMIT included) and can fail the
// failAt-th one after it is armed, as a dropped connection or a full disk
// would, so that faults land inside the store's transactions.
type hookConnector struct {
	inner driver.Driver
	dsn   string

	mu     sync.Mutex
	stmts  []string
	failAt int // counted from 1 over the statements since arm; 0: none
	fired  bool
}

func (h *hookConnector) Connect(context.Context) (driver.Conn, error) {
	c, err := h.inner.Open(h.dsn)
	if err != nil {
		return nil, err
	}
	return &hookConn{Conn: c, h: h}, nil
}

func (h *hookConnector) Driver() driver.Driver { return h.inner }

// arm clears the record and fails the n-th statement from now (0: none).
func (h *hookConnector) arm(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stmts, h.failAt, h.fired = nil, n, false
}

func (h *hookConnector) statements() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.stmts...)
}

func (h *hookConnector) didFire() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.fired
}

func (h *hookConnector) hook(stmt string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stmts = append(h.stmts, strings.Join(strings.Fields(stmt), " "))
	if len(h.stmts) == h.failAt {
		h.fired = true
		return errDriverFault
	}
	return nil
}

type hookConn struct {
	driver.Conn
	h *hookConnector
}

func (c *hookConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.h.hook(q); err != nil {
		return nil, err
	}
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (c *hookConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.h.hook(q); err != nil {
		return nil, err
	}
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c *hookConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.h.hook("BEGIN"); err != nil {
		return nil, err
	}
	tx, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &hookTx{Tx: tx, h: c.h}, nil
}

func (c *hookConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	var (
		st  driver.Stmt
		err error
	)
	if pc, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = pc.PrepareContext(ctx, q)
	} else {
		st, err = c.Conn.Prepare(q)
	}
	if err != nil {
		return nil, err
	}
	return &hookStmt{Stmt: st, h: c.h, query: q}, nil
}

// hookStmt hooks each execution of a prepared statement.
type hookStmt struct {
	driver.Stmt
	h     *hookConnector
	query string
}

func (s *hookStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := s.h.hook(s.query); err != nil {
		return nil, err
	}
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *hookStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.h.hook(s.query); err != nil {
		return nil, err
	}
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (s *hookStmt) CheckNamedValue(v *driver.NamedValue) error {
	if nc, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return nc.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

func (c *hookConn) CheckNamedValue(v *driver.NamedValue) error {
	if nc, ok := c.Conn.(driver.NamedValueChecker); ok {
		return nc.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

func (c *hookConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

type hookTx struct {
	driver.Tx
	h *hookConnector
}

func (t *hookTx) Commit() error {
	if err := t.h.hook("COMMIT"); err != nil {
		_ = t.Tx.Rollback()
		return err
	}
	return t.Tx.Commit()
}

// hooked is a store whose every statement goes through a hookConnector,
// and a plain *sql.DB on the same database for checking.
type hooked struct {
	store *sqlstore.Store
	hook  *hookConnector
	plain *sql.DB
}

// openHooked opens a database of dialect through a hookConnector, lets
// prepare create what the host keeps in it (its own users table), and
// opens a store with opts over it.
func openHooked(t *testing.T, dialect sqlstore.Dialect, prepare func(*sql.DB), opts sqlstore.Options) hooked {
	t.Helper()
	var (
		inner     driver.Driver
		dsn, name string
	)
	switch dialect {
	case sqlstore.SQLite:
		inner, dsn, name = &moderncsqlite.Driver{}, sqlite.DSN(filepath.Join(t.TempDir(), "hooked.db")), sqlite.DriverName
	case sqlstore.PostgreSQL:
		inner, dsn, name = stdlib.GetDefaultDriver(), newSchema(t), "pgx"
	}
	h := &hookConnector{inner: inner, dsn: dsn}
	db := sql.OpenDB(h)
	t.Cleanup(func() { db.Close() })
	if prepare != nil {
		prepare(db)
	}
	s, err := sqlstore.New(context.Background(), db, dialect, opts)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	plain, err := sql.Open(name, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { plain.Close() })
	return hooked{store: s, hook: h, plain: plain}
}

var hookedDialects = []sqlstore.Dialect{sqlstore.SQLite, sqlstore.PostgreSQL}

// pat logs in through Google, whose fake says her first and last name.
var pat = backendtest.Identity{UID: "7", Username: "pat", Email: "pat@example.com", EmailVerified: true, FirstName: "Pat", LastName: "Doe"}

// A database error at any statement of a first login, inside a
// transaction or not, leaves the real database with no user without its
// association and no association without its user; and the next login
// succeeds.
func TestDriverFaultAtEachStatement(t *testing.T) {
	for _, d := range hookedDialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			prov := logintest.NewProvider(t)
			tok := prov.Token(logintest.Google, pat)
			p := pipeline.Default().InsertAfter("get_username", pipeline.AssociateByEmail())
			var seen []string
			for n := 1; ; n++ {
				require.Less(t, n, 60, "the login never got through")
				h := openHooked(t, d, nil, sqlstore.Options{})
				svc := prov.Service(t, h.store, p)
				h.hook.arm(n)
				_, err := logintest.Login(context.Background(), svc, logintest.Google, tok)
				c := censusDB(t, h.plain)
				if !h.hook.didFire() {
					require.NoError(t, err)
					assert.Equal(t, logintest.Census{Users: 1, Associations: 1}, c)
					require.Greater(t, n, 5, "a first login takes more statements than that")
					t.Logf("a first login takes %d statements: %s", n-1, strings.Join(seen, " | "))
					return
				}
				stmt := h.hook.statements()[n-1]
				seen = append(seen, strings.SplitN(stmt, " ", 2)[0])
				require.ErrorIs(t, err, errDriverFault, "statement %d: %s", n, stmt)
				assert.Zero(t, c.UsersWithoutAssociation, "fault at statement %d (%s): a user without an association", n, stmt)
				assert.Zero(t, c.AssociationsWithoutUser, "fault at statement %d (%s): an association without a user", n, stmt)
				assert.Equal(t, c.Users, c.Associations, "statement %d", n)

				h.hook.arm(0)
				res, err := logintest.Login(context.Background(), svc, logintest.Google, tok)
				require.NoError(t, err, "the login after the fault at statement %d (%s)", n, stmt)
				assert.Equal(t, tok, res.Association.AccessToken())
				assert.Equal(t, logintest.Census{Users: 1, Associations: 1}, censusDB(t, h.plain))
			}
		})
	}
}

// A returning user whose details and token did not change makes the
// database execute no INSERT, UPDATE or DELETE, and open no transaction.
func TestReturningUserExecutesNoWrites(t *testing.T) {
	for _, d := range hookedDialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			h := openHooked(t, d, nil, sqlstore.Options{})
			prov := logintest.NewProvider(t)
			tok := prov.Token(logintest.Google, pat)
			svc := prov.Service(t, h.store, pipeline.Default().InsertAfter("get_username", pipeline.AssociateByEmail()))

			h.hook.arm(0)
			_, err := logintest.Login(context.Background(), svc, logintest.Google, tok)
			require.NoError(t, err)
			first := h.hook.statements()
			assert.True(t, countWrites(first) > 0, "the first login writes: %q", first)

			h.hook.arm(0)
			res, err := logintest.Login(context.Background(), svc, logintest.Google, tok)
			require.NoError(t, err)
			assert.False(t, res.IsNew)
			again := h.hook.statements()
			assert.NotEmpty(t, again, "the hook sees the returning login's reads")
			assert.Zero(t, countWrites(again), "a returning user with unchanged data wrote: %q", again)
			t.Logf("returning login: %d statements: %q", len(again), again)

			// A new token is written, once.
			h.hook.arm(0)
			_, err = logintest.Login(context.Background(), svc, logintest.Google, prov.Token(logintest.Google, pat))
			require.NoError(t, err)
			assert.Equal(t, 1, countWrites(h.hook.statements()), "%q", h.hook.statements())
		})
	}
}

// countWrites counts the statements that write or open a transaction.
func countWrites(stmts []string) int {
	n := 0
	for _, s := range stmts {
		switch strings.ToUpper(strings.SplitN(s, " ", 2)[0]) {
		case "INSERT", "UPDATE", "DELETE", "BEGIN", "COMMIT":
			n++
		}
	}
	return n
}

// The hook itself must see what it claims to: a write through the store
// shows up.
func TestHookSeesWrites(t *testing.T) {
	h := openHooked(t, sqlstore.SQLite, nil, sqlstore.Options{})
	h.hook.arm(0)
	_, err := h.store.CreateUser(context.Background(), &socialauth.User{Username: "x"})
	require.NoError(t, err)
	assert.Equal(t, 1, countWrites(h.hook.statements()), fmt.Sprint(h.hook.statements()))
	require.NoError(t, h.store.UseNonce(context.Background(), "s", "v", time.Now().Add(time.Hour)))
	assert.Equal(t, 2, countWrites(h.hook.statements()))
}
