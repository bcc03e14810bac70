// Package dburl opens a [sqlstore.Store] named by a database URL, SQLite or
// PostgreSQL chosen by the URL's scheme, as the examples do with
// SOCIAL_AUTH_DATABASE_URL:
//
//	store, err := dburl.Open(ctx, dburl.FromEnv(os.LookupEnv, "sqlite:app.db"), sqlstore.Options{})
//
// It imports both openers, so a program that imports it links both
// drivers. A program that uses one database imports that one's opener
// (storage/sqlstore/sqlite or storage/sqlstore/postgres) instead.
package dburl

import (
	"context"
	"errors"
	"strings"

	"github.com/go-socialauth/socialauth/storage/sqlstore"
	"github.com/go-socialauth/socialauth/storage/sqlstore/postgres"
	"github.com/go-socialauth/socialauth/storage/sqlstore/sqlite"
)

// EnvVar is the environment variable the examples read the database URL
// from.
const EnvVar = "SOCIAL_AUTH_DATABASE_URL"

// FromEnv returns the value of SOCIAL_AUTH_DATABASE_URL found through
// lookup (os.LookupEnv in a program, a map in a test), trimmed, or def
// when it is unset or blank.
func FromEnv(lookup func(string) (string, bool), def string) string {
	if v, ok := lookup(EnvVar); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

// Open opens the store url names, choosing the database by its scheme:
//
//	postgres://user:pass@host:5432/db?sslmode=disable   PostgreSQL (also postgresql://)
//	sqlite:app.db, sqlite:///var/lib/app.db              SQLite file (created on first use)
//	sqlite::memory:                                      SQLite in memory (tests)
//	file:app.db?_pragma=...                              SQLite, the DSN passed as it is
//	/var/lib/app.db, ./app.db, app.db                    SQLite file
//
// After "sqlite:" an optional "//" is dropped, so "sqlite:///tmp/a.db" is
// the absolute path /tmp/a.db and "sqlite://a.db" the relative a.db. Query
// parameters are passed to the driver. SQLite is opened by sqlite.Open,
// PostgreSQL by postgres.Open; the store's Close closes the database.
// Errors never repeat the URL, which may hold a password.
func Open(ctx context.Context, url string, opts sqlstore.Options) (*sqlstore.Store, error) {
	d, dsn, err := parse(url)
	if err != nil {
		return nil, err
	}
	if d == sqlstore.PostgreSQL {
		return postgres.Open(ctx, dsn, opts)
	}
	return sqlite.Open(ctx, dsn, opts)
}

// parse maps a database URL to a dialect and the DSN its opener takes.
func parse(url string) (d sqlstore.Dialect, dsn string, err error) {
	url = strings.TrimSpace(url)
	scheme, rest, hasScheme := strings.Cut(url, ":")
	switch {
	case url == "":
		return "", "", errors.New("dburl: empty database URL")
	case !hasScheme || len(scheme) == 1 || strings.ContainsAny(scheme, `/\.`): // a path (C:\ too)
		return sqlstore.SQLite, url, nil
	}
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		return sqlstore.PostgreSQL, url, nil
	case "sqlite", "sqlite3":
		rest = strings.TrimPrefix(rest, "//")
		if rest == "" || strings.HasPrefix(rest, "?") {
			return "", "", errors.New("dburl: the sqlite URL names no file")
		}
		return sqlstore.SQLite, rest, nil
	case "file":
		return sqlstore.SQLite, url, nil
	}
	return "", "", errors.New("dburl: unsupported database URL scheme " + strings.ToLower(scheme) + ` (use postgres://, sqlite: or a file path)`)
}
