package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

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
	// table; set it to keep the host's own table (see [UserTable]).
	Users UserTable
}

// Store is a socialauth.Storage over a SQL database. It is safe for
// concurrent use. Create it with [Open], [OpenURL] or [New].
type Store struct {
	db      *sql.DB
	q       Querier // db, through the statement cache for SQLite
	dialect Dialect
	now     func() time.Time
	users   UserTable
	ownsDB  bool
	writes  atomic.Uint64 // nonce and partial writes, to pace the sweep of expired rows
}

var _ socialauth.Storage = (*Store)(nil)

// Open opens the database with driverName ("sqlite" or "pgx") and dsn, and
// returns a store over it after applying the schema migrations. A SQLite
// dsn gets the settings concurrent use needs (see the package doc) unless it
// sets them itself. Close closes the database.
func Open(ctx context.Context, driverName, dsn string, opts Options) (*Store, error) {
	var d Dialect
	switch driverName {
	case "sqlite":
		d = SQLite
		dsn = SQLiteDSN(dsn)
	case "pgx":
		d = PostgreSQL
	default:
		return nil, fmt.Errorf("sqlstore: unsupported driver %q (use \"sqlite\" or \"pgx\")", driverName)
	}
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s database: %w", d, err)
	}
	if d == SQLite && isSQLiteMemory(dsn) {
		// Every connection to :memory: is a database of its own: keep one.
		db.SetMaxOpenConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
	s, err := New(ctx, db, d, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.ownsDB = true
	return s, nil
}

// New returns a store over db, which speaks dialect, after applying the
// schema migrations. The caller keeps ownership of db: Close leaves it open.
// For SQLite, open db with a DSN made by [SQLiteDSN].
func New(ctx context.Context, db *sql.DB, dialect Dialect, opts Options) (*Store, error) {
	if dialect != SQLite && dialect != PostgreSQL {
		return nil, fmt.Errorf("sqlstore: unknown dialect %q", dialect)
	}
	s := &Store{db: db, q: db, dialect: dialect, now: opts.Now, users: opts.Users}
	if dialect == SQLite {
		s.q = newPreparedDB(db)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.users == nil {
		s.users = &ownUsers{dialect: dialect}
	}
	if err := migrate(ctx, db, dialect); err != nil {
		return nil, err
	}
	return s, nil
}

// DB is the store's database, for the host's own queries and pool settings.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect is the store's SQL dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close releases the store's prepared statements and closes the database
// if Open or OpenURL opened it.
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

// inTx runs f in a transaction and commits it when f returns nil.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
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

func notFound(what string) error { return fmt.Errorf("sqlstore: %s: %w", what, socialauth.ErrNotFound) }

func alreadyExists(what string) error {
	return fmt.Errorf("sqlstore: %s: %w", what, socialauth.ErrAlreadyExists)
}

// isUniqueViolation reports whether err is a unique (or primary key)
// constraint violation in either dialect.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// SQLiteDSN returns dsn (a file path or a "file:" URI, with or without
// query parameters) with the settings the store needs for concurrent use,
// where dsn does not set them: _pragma=busy_timeout(5000),
// _pragma=journal_mode(WAL), _pragma=foreign_keys(1) and _txlock=immediate.
func SQLiteDSN(dsn string) string {
	var add []string
	if !strings.Contains(dsn, "busy_timeout") {
		add = append(add, "_pragma=busy_timeout(5000)")
	}
	if !strings.Contains(dsn, "journal_mode") && !isSQLiteMemory(dsn) {
		add = append(add, "_pragma=journal_mode(WAL)")
	}
	if !strings.Contains(dsn, "foreign_keys") {
		add = append(add, "_pragma=foreign_keys(1)")
	}
	if !strings.Contains(dsn, "_txlock") {
		add = append(add, "_txlock=immediate")
	}
	if len(add) == 0 {
		return dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + strings.Join(add, "&")
}

func isSQLiteMemory(dsn string) bool {
	return strings.Contains(dsn, ":memory:") || strings.Contains(dsn, "mode=memory")
}
