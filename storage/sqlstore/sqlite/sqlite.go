// Package sqlite opens a [sqlstore.Store] over a SQLite database with the
// pure-Go driver modernc.org/sqlite (no cgo). A program that imports it
// links that driver and no other: importing the store alone links none.
//
//	store, err := sqlite.Open(ctx, "app.db", sqlstore.Options{})
//	...
//	defer store.Close()
//
// Open applies to the DSN the settings several goroutines (and several
// processes) need to share one SQLite file; [DSN] returns them, for a
// host that opens the *sql.DB itself and calls [sqlstore.New].
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	_ "modernc.org/sqlite" // registers the database/sql driver "sqlite"

	"github.com/go-socialauth/socialauth/storage/sqlstore"
)

// DriverName is the database/sql driver name modernc.org/sqlite registers,
// and which importing this package makes available.
const DriverName = "sqlite"

// Open opens the SQLite database dsn names and returns a store over it,
// after applying the store's schema migrations. dsn is a file path
// ("app.db", "/var/lib/app.db", created on first use), a "file:" URI, or
// ":memory:" (a database that lives as long as the store, on one
// connection; for tests); query parameters are passed to the driver. The
// settings of [DSN] are added where dsn does not set them. The store's
// Close closes the database (opts.CloseDB is set).
func Open(ctx context.Context, dsn string, opts sqlstore.Options) (*sqlstore.Store, error) {
	db, err := sql.Open(DriverName, DSN(dsn))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	if isMemory(dsn) {
		// Every connection to :memory: is a database of its own: keep one.
		db.SetMaxOpenConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
	opts.CloseDB = true
	s, err := sqlstore.New(ctx, db, sqlstore.SQLite, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// DSN returns dsn (a file path or a "file:" URI, with or without query
// parameters, for modernc.org/sqlite) with the settings the store needs
// for concurrent use, where dsn does not set them itself:
//
//   - _pragma=busy_timeout(5000): a writer waits up to 5 s for another
//     process's lock instead of failing at once with SQLITE_BUSY (the
//     store's own writers queue in its write lane instead);
//   - _pragma=journal_mode(WAL): readers do not block the writer, nor it
//     them (not for ":memory:", which has no journal file);
//   - _pragma=foreign_keys(1): foreign keys are enforced (off by default
//     in SQLite), for the host's own tables;
//   - _txlock=immediate: every transaction begins with BEGIN IMMEDIATE,
//     taking the write lock at once. With SQLite's default (DEFERRED), two
//     transactions that both read and then write can deadlock, and one
//     fails with SQLITE_BUSY whatever the busy timeout.
//
// A host that opens SQLite through another driver must give it the same
// four settings in that driver's own terms.
func DSN(dsn string) string {
	var add []string
	if !strings.Contains(dsn, "busy_timeout") {
		add = append(add, "_pragma=busy_timeout(5000)")
	}
	if !strings.Contains(dsn, "journal_mode") && !isMemory(dsn) {
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

// isMemory reports whether dsn names an in-memory database.
func isMemory(dsn string) bool {
	return strings.Contains(dsn, ":memory:") || strings.Contains(dsn, "mode=memory")
}
