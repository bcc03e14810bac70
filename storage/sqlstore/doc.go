// Package sqlstore is a [socialauth.Storage] over database/sql, for SQLite
// and PostgreSQL. It keeps the users, the links between a user and an
// account at an identity provider ("associations": provider name plus the
// provider's user id), paused logins and single-use values, in tables of
// its own.
//
// The store imports no database driver, so a program links only the
// driver it uses. Open one with the opener of that database, which imports
// its driver:
//
//	import "github.com/go-socialauth/socialauth/storage/sqlstore/sqlite"   // modernc.org/sqlite, pure Go
//	store, err := sqlite.Open(ctx, "app.db", sqlstore.Options{})
//
//	import "github.com/go-socialauth/socialauth/storage/sqlstore/postgres" // github.com/jackc/pgx/v5
//	store, err := postgres.Open(ctx, "postgres://app@db/app", sqlstore.Options{})
//
// or hand [New] a *sql.DB the program already has (its own driver, pool and
// settings), naming its [Dialect]:
//
//	store, err := sqlstore.New(ctx, db, sqlstore.PostgreSQL, sqlstore.Options{})
//
// then give the store to the service: socialauth.Config{Storage: store, ...}.
// The package dburl opens either database from a URL (it links both
// drivers; the examples use it).
//
// # Tables
//
// The store's tables' names start with socialauth_: associations (unique
// provider and uid, the uid compared byte-exactly), partials (paused
// logins), nonces, users (unless the host keeps its own, below) and
// migrations. The embedded schema migrations run in [New]; they are
// versioned, idempotent, and safe when two processes open one database at
// once (PostgreSQL: an advisory lock; SQLite: BEGIN IMMEDIATE with a busy
// timeout). In PostgreSQL the tables live in the current schema
// (search_path).
//
// Emails are compared by [socialauth.EmailKey], kept in an indexed column
// of its own. Association ExtraData is stored as JSON and read back with
// numbers as json.Number, so a round trip gives back equal values and a
// returning user whose data did not change causes no UPDATE. Timestamps are
// UTC with microsecond precision. IDs are decimal strings.
//
// # SQLite
//
// SQLite lets one writer at a time hold the database. For several
// goroutines (or processes) to share it without "database is locked"
// errors, the *sql.DB must be opened with a busy timeout (a writer waits for
// the lock instead of failing), WAL journaling (readers and the writer do
// not block each other) and BEGIN IMMEDIATE for every transaction (a
// transaction takes the write lock when it begins, instead of failing to
// upgrade a read lock). sqlite.Open does this; sqlite.DSN gives the
// settings to a host that opens the *sql.DB itself with modernc.org/sqlite,
// and a host with another driver must set the same in that driver's terms.
// ":memory:" works through sqlite.Open (one connection, for tests).
//
// Within one process the store's writers do not contend for SQLite's lock:
// they queue in the store's write lane, one at a time, in order of arrival,
// and a writer whose context ends while it waits gives up with the
// context's error. SQLite's busy handler, which polls with sleeps of up to
// 100 ms, is left to wait only for other processes (and for the host's own
// writes through DB). Readers do not queue.
//
// # The host's own users table
//
// A host that already has a users table keeps it: it implements
// [UserTable] over that table, declaring which User fields the table keeps,
// and passes it as Options.Users. The store then creates no users table of
// its own; it keeps only the associations (and paused logins and nonces)
// in its tables and calls the UserTable for everything about users, handing
// it the *sql.Tx of its own transaction where atomicity matters, so that
// CreateUserWithAssociation still creates the user and its association in
// one transaction. The host's table must live in the same database as the
// store's. The associations table has no foreign key to it: referential
// rules between the two are the host's to add if it wants them. After a
// login the host loads its full record by the returned User.ID. The
// program examples/customusers shows a pre-existing accounts table used
// this way.
package sqlstore
