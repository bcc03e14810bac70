// Package sqlstore is a [socialauth.Storage] over database/sql, for SQLite
// (modernc.org/sqlite, pure Go, driver "sqlite") and PostgreSQL
// (github.com/jackc/pgx/v5's stdlib driver, "pgx").
//
// Open a store with [OpenURL] (the examples read SOCIAL_AUTH_DATABASE_URL
// through [DatabaseURL]), [Open] (a driver name and a DSN) or [New] (a
// *sql.DB the host already has):
//
//	store, err := sqlstore.OpenURL(ctx, sqlstore.DatabaseURL(os.LookupEnv, "sqlite:app.db"), sqlstore.Options{})
//	...
//	defer store.Close()
//	cfg := socialauth.Config{Storage: store, Pipeline: pipeline.Default(), ...}
//
// # Tables
//
// The store owns tables whose names start with socialauth_: users,
// associations (unique provider+uid, the uid compared byte-exactly),
// partials, nonces and schema_migrations. Its embedded migrations
// run when a store is opened; they are versioned, idempotent, and safe when
// two processes open one database at once (PostgreSQL: an advisory lock;
// SQLite: BEGIN IMMEDIATE with a busy timeout). The tables live in the
// current schema (PostgreSQL's search_path).
//
// Emails are compared by [socialauth.EmailKey], kept in an indexed column
// of its own. Association ExtraData is stored as JSON and read back with
// numbers as json.Number, so a round trip gives back equal values and a
// returning user whose data did not change causes no UPDATE. Timestamps are
// UTC with microsecond precision. IDs are decimal strings.
//
// # SQLite
//
// [Open] and [OpenURL] add what concurrent use needs to a SQLite DSN that
// does not say otherwise: a 5-second busy timeout, WAL journaling, foreign
// keys on, and BEGIN IMMEDIATE for every transaction (so two writers queue
// on the lock instead of failing to upgrade a read lock); a plain file path
// creates the file on first use. A host that opens the *sql.DB itself and
// calls [New] should build its DSN with [SQLiteDSN]. ":memory:" works (one
// connection, for tests).
//
// # The host's own users table
//
// A host that already has a users table keeps it: it implements
// [UserTable] over that table and passes it as Options.Users. The store then
// keeps only the associations (and partials, nonces) in its own
// tables and calls the UserTable for everything about users, handing it the
// *sql.Tx of its own transaction where atomicity matters, so that
// CreateUserWithAssociation still creates the user and its association in
// one transaction. The host's table must live in the same database as the
// store's. After DoAuth the host loads its full record by the returned
// User.ID. The program examples/customusers shows a pre-existing accounts
// table used this way.
package sqlstore
