package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-socialauth/socialauth"
)

// Dialect is the SQL dialect of a store's database.
type Dialect string

// The dialects the store speaks.
const (
	SQLite     Dialect = "sqlite"
	PostgreSQL Dialect = "postgres"
)

// Options configure a [Store]. The zero value is ready to use.
type Options struct {
	// Now is the clock for timestamps and expiry. Nil means time.Now.
	Now func() time.Time
	// Users is the users table. Nil means the store's own socialauth_users
	// table, which New creates; set it to keep the host's own table instead
	// (see [UserTable]), and no socialauth_users table is created.
	Users UserTable
	// CloseDB makes [Store.Close] close the database too. The openers
	// (sqlite.Open, postgres.Open) set it; a host that hands [New] its own
	// *sql.DB usually leaves it false and closes the database itself.
	CloseDB bool
}

// Store is a socialauth.Storage over a SQL database. It is safe for
// concurrent use. Create it with [New], or with an opener that also opens
// the database: the packages sqlite and postgres below this one.
type Store struct {
	db      *sql.DB
	q       Querier // db, through the statement cache for SQLite
	dialect Dialect
	now     func() time.Time
	users   UserTable
	// userFields are the User fields users keeps (UserFields).
	userFields []string
	ownsDB     bool
	writes     atomic.Uint64 // nonce and partial writes, to pace the sweep of expired rows
	// lane, for SQLite, is the store's one write lane: a writer takes its
	// single slot before it writes and gives it back when its statement or
	// transaction ends. Nil for PostgreSQL, whose row locks let writers
	// run together.
	lane chan struct{}
}

var _ socialauth.Storage = (*Store)(nil)

// New returns a store over db, which speaks dialect, after applying the
// schema migrations. db may come from any database/sql driver for that
// dialect; the store itself imports none. A SQLite db must be opened with
// the settings concurrent use needs (see "SQLite" in the package doc).
// Unless opts.CloseDB is set, the caller keeps ownership of db: Close
// leaves it open. A failed New never closes db.
func New(ctx context.Context, db *sql.DB, dialect Dialect, opts Options) (*Store, error) {
	if dialect != SQLite && dialect != PostgreSQL {
		return nil, fmt.Errorf("sqlstore: unknown dialect %q", dialect)
	}
	if db == nil {
		return nil, errors.New("sqlstore: nil *sql.DB")
	}
	s := &Store{db: db, q: db, dialect: dialect, now: opts.Now, users: opts.Users, ownsDB: opts.CloseDB}
	if dialect == SQLite {
		s.q = newPreparedDB(db)
		s.lane = make(chan struct{}, 1)
	}
	if s.now == nil {
		s.now = time.Now
	}
	lines := []string{coreLine}
	if s.users == nil {
		s.users = &ownUsers{dialect: dialect}
		lines = append(lines, usersLine)
	}
	var err error
	if s.userFields, err = keptFields(s.users); err != nil {
		return nil, err
	}
	if err := migrate(ctx, db, dialect, lines...); err != nil {
		return nil, err
	}
	return s, nil
}

// DB is the store's database, for the host's own queries and pool settings.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect is the store's SQL dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close releases the store's prepared statements, and closes the database
// when Options.CloseDB was set (as the openers set it).
func (s *Store) Close() error {
	if p, ok := s.q.(*preparedDB); ok {
		p.close()
	}
	if s.ownsDB {
		return s.db.Close()
	}
	return nil
}

// clock is the store's time, UTC, at the precision it stores.
func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// ts is t as the dialect stores a timestamp.
func ts(d Dialect, t time.Time) any {
	if d == SQLite {
		return t.UnixMicro()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// dbTime scans a timestamp in either dialect's form into a UTC time.Time.
type dbTime struct{ t *time.Time }

func (d dbTime) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*d.t = time.UnixMicro(v).UTC()
	case time.Time:
		*d.t = v.UTC()
	case nil:
		*d.t = time.Time{}
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into a timestamp", src)
	}
	return nil
}

// inTx runs f in a write transaction, in the write lane, and commits it
// when f returns nil.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	release, err := s.enterLane(ctx)
	if err != nil {
		return err
	}
	defer release()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// exec runs one writing statement, in the write lane.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	release, err := s.enterLane(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return s.q.ExecContext(ctx, query, args...)
}

// enterLane waits, for SQLite, until the store's write lane is free or ctx
// ends, and returns the function that frees it again.
//
// SQLite lets one connection at a time write. Without the lane, every
// writer of the process would ask SQLite for the lock at once and the
// losers would wait in SQLite's busy handler, which polls: it sleeps 1, 2,
// 5, ... up to 100 ms between tries, so a writer may sleep long after the
// lock is free while later ones take it (under load, a p99 a hundred times
// the median, with the CPUs idle). In the lane the process's writers queue
// in Go, in order of arrival, and each starts the moment the one before it
// ends; the busy handler is left to wait only for other processes.
// Readers do not enter the lane: in WAL mode they never wait for a writer.
func (s *Store) enterLane(ctx context.Context) (release func(), err error) {
	if s.lane == nil {
		return func() {}, nil
	}
	select {
	case s.lane <- struct{}{}:
		return func() { <-s.lane }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func notFound(what string) error { return fmt.Errorf("sqlstore: %s: %w", what, socialauth.ErrNotFound) }

func alreadyExists(what string) error {
	return fmt.Errorf("sqlstore: %s: %w", what, socialauth.ErrAlreadyExists)
}

// isUniqueViolation reports whether err is a unique (or primary key)
// constraint violation, whatever the driver: PostgreSQL's SQLSTATE 23505
// (pgx and lib/pq expose it as SQLState), SQLite's extended result codes
// (modernc.org/sqlite exposes them as Code), or, for drivers that expose
// neither, the message SQLite and pgx put in the error text.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		return pg.SQLState() == "23505"
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		c := lite.Code()
		return c == sqliteConstraintUnique || c == sqliteConstraintPrimaryKey
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}

// SQLite's extended result codes for a unique and a primary key violation
// (https://www.sqlite.org/rescode.html).
const (
	sqliteConstraintUnique     = 2067
	sqliteConstraintPrimaryKey = 1555
)
