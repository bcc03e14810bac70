package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/storage/internal/logintest"
	"github.com/go-socialauth/socialauth/storage/sqlstore"
	"github.com/go-socialauth/socialauth/storage/sqlstore/postgres"
	"github.com/go-socialauth/socialauth/storage/sqlstore/sqlite"
)

// envPostgresDSN names the PostgreSQL server the tests use; .ci/run's
// start_postgres sets it.
const envPostgresDSN = "SOCIAL_AUTH_TEST_POSTGRES_DSN"

// TestMain says, in a line go test shows, that the PostgreSQL half is
// skipped when no server is configured (under CI=true those tests fail
// instead).
func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv(envPostgresDSN) == "" && os.Getenv("CI") != "true" {
		notice("storage/sqlstore: PostgreSQL tests SKIPPED: set " + envPostgresDSN +
			"=postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable to run them (.ci/run's start_postgres starts that server)")
	}
	os.Exit(m.Run())
}

// notice prints msg where a person running go test sees it. go test keeps
// a passing package's output to itself unless -v is given, so without -v
// the line goes to the standard error of the go command itself (the test
// binary's parent), where the platform allows it (Linux's /proc); else to
// the test's own standard error. go test's cache replays no output: a
// cached result shows only "ok ... (cached)".
func notice(msg string) {
	if !testing.Verbose() {
		if f, err := os.OpenFile(fmt.Sprintf("/proc/%d/fd/2", os.Getppid()), os.O_WRONLY|os.O_APPEND, 0); err == nil {
			_, err = fmt.Fprintln(f, msg)
			f.Close()
			if err == nil {
				return
			}
		}
	}
	fmt.Fprintln(os.Stderr, msg)
}

// postgresDSN returns the test server's DSN. Without one the test is
// skipped (TestMain has said so), except under CI=true, where it fails: CI
// must not pass by skipping the PostgreSQL half.
func postgresDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(envPostgresDSN)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("CI=true but %s is not set (.ci/run's start_postgres sets it)", envPostgresDSN)
		}
		tb.Skipf("PostgreSQL tests skipped: %s is not set", envPostgresDSN)
	}
	return dsn
}

// newSchema creates a schema of its own for one test on the test server
// and returns a DSN whose search_path is it. The schema is dropped when the
// test ends. An unreachable server fails the test.
func newSchema(tb testing.TB) string {
	tb.Helper()
	dsn := postgresDSN(tb)
	admin, err := sql.Open("pgx", dsn)
	require.NoError(tb, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		tb.Fatalf("PostgreSQL at %s is unreachable: %v", envPostgresDSN, err)
	}
	name := "socialauth_test_" + randomHex(6)
	_, err = admin.ExecContext(ctx, `CREATE SCHEMA `+name)
	require.NoError(tb, err)
	tb.Cleanup(func() {
		_, err := admin.Exec(`DROP SCHEMA ` + name + ` CASCADE`)
		admin.Close()
		if err != nil {
			tb.Errorf("dropping schema %s: %v", name, err)
		}
	})
	return withSearchPath(tb, dsn, name)
}

func withSearchPath(tb testing.TB, dsn, schema string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	if strings.Contains(dsn, "=") {
		return dsn + " search_path=" + schema
	}
	tb.Fatalf("%s is neither a URL nor key=value pairs", envPostgresDSN)
	return ""
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// dialects are the two databases every test runs against, each opened
// through its opener, as a host opens it.
var dialects = []struct {
	name string
	open func(t *testing.T, opts sqlstore.Options) *sqlstore.Store
}{
	{"SQLite", openSQLite},
	{"PostgreSQL", openPostgres},
}

func openSQLite(t *testing.T, opts sqlstore.Options) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), opts)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t *testing.T, opts sqlstore.Options) *sqlstore.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), newSchema(t), opts)
	require.NoError(t, err)
	s.DB().SetMaxOpenConns(8) // parallel tests share the server's 100 connections
	t.Cleanup(func() { s.Close() })
	return s
}

// storeMaker adapts an opener to the conformance suite and the logins.
func storeMaker(open func(*testing.T, sqlstore.Options) *sqlstore.Store) func(*testing.T) socialauth.Storage {
	return func(t *testing.T) socialauth.Storage { return open(t, sqlstore.Options{}) }
}

// census counts rows in the store's own tables directly.
func census(t *testing.T, st socialauth.Storage) logintest.Census {
	t.Helper()
	return censusDB(t, st.(*sqlstore.Store).DB())
}

func censusDB(t *testing.T, db *sql.DB) logintest.Census {
	t.Helper()
	return countRows(t, db, `socialauth_users`, `CAST(a.user_id AS BIGINT) = u.id`)
}

// countRows counts the users of table and the associations, and those of
// each without the other, matching them with on (u is the users table, a
// the associations).
func countRows(t *testing.T, db *sql.DB, table, on string) logintest.Census {
	t.Helper()
	var c logintest.Census
	for _, q := range []struct {
		dst *int
		sql string
	}{
		{&c.Users, `SELECT count(*) FROM ` + table},
		{&c.Associations, `SELECT count(*) FROM socialauth_associations`},
		{&c.UsersWithoutAssociation, `SELECT count(*) FROM ` + table + ` u
			WHERE NOT EXISTS (SELECT 1 FROM socialauth_associations a WHERE ` + on + `)`},
		{&c.AssociationsWithoutUser, `SELECT count(*) FROM socialauth_associations a
			WHERE NOT EXISTS (SELECT 1 FROM ` + table + ` u WHERE ` + on + `)`},
	} {
		require.NoError(t, db.QueryRow(q.sql).Scan(q.dst), q.sql)
	}
	return c
}
