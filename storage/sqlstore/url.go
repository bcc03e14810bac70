package sqlstore

import (
	"context"
	"errors"
	"strings"
)

// EnvDatabaseURL is the environment variable the examples read the
// database URL from.
const EnvDatabaseURL = "SOCIAL_AUTH_DATABASE_URL"

// DatabaseURL returns the value of SOCIAL_AUTH_DATABASE_URL found through
// lookup (os.LookupEnv in a program, a map in a test), or def when it is
// unset or empty. It is what the examples pass to [OpenURL]:
//
//	sqlstore.OpenURL(ctx, sqlstore.DatabaseURL(os.LookupEnv, "sqlite:exchange.db"), sqlstore.Options{})
func DatabaseURL(lookup func(string) (string, bool), def string) string {
	if v, ok := lookup(EnvDatabaseURL); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

// OpenURL opens the store a URL names, choosing the driver by its scheme:
//
//	postgres://user:pass@host:5432/db?sslmode=disable   PostgreSQL (also postgresql://)
//	sqlite:app.db, sqlite:///var/lib/app.db              SQLite file (created on first use)
//	sqlite::memory:                                      SQLite in memory (tests)
//	file:app.db?_pragma=...                              SQLite, the DSN passed as it is
//	/var/lib/app.db, ./app.db, app.db                    SQLite file
//
// After "sqlite:" an optional "//" is dropped, so "sqlite:///tmp/a.db" is
// the absolute path /tmp/a.db and "sqlite://a.db" the relative a.db. Query
// parameters are passed to the driver. Errors never repeat the URL, which
// may hold a password.
func OpenURL(ctx context.Context, url string, opts Options) (*Store, error) {
	driver, dsn, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	return Open(ctx, driver, dsn, opts)
}

// parseURL maps a database URL to a driver name and DSN.
func parseURL(url string) (driver, dsn string, err error) {
	url = strings.TrimSpace(url)
	scheme, rest, hasScheme := strings.Cut(url, ":")
	switch {
	case url == "":
		return "", "", errors.New("sqlstore: empty database URL")
	case !hasScheme || len(scheme) == 1 || strings.ContainsAny(scheme, `/\.`): // a path (C:\ too)
		return "sqlite", url, nil
	}
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		return "pgx", url, nil
	case "sqlite", "sqlite3":
		rest = strings.TrimPrefix(rest, "//")
		if rest == "" || strings.HasPrefix(rest, "?") {
			return "", "", errors.New("sqlstore: the sqlite URL names no file")
		}
		return "sqlite", rest, nil
	case "file":
		return "sqlite", url, nil
	}
	return "", "", errors.New("sqlstore: unsupported database URL scheme " + strings.ToLower(scheme) + ` (use postgres://, sqlite: or a file path)`)
}
