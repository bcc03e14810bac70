package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/storage/storagetest"
)

// EnvPostgresDSN names the PostgreSQL server the tests use; .ci/run's
// start_postgres sets it.
const envPostgresDSN = "SOCIAL_AUTH_TEST_POSTGRES_DSN"

// postgresDSN returns the test server's DSN. Without one the test is
// skipped, except under CI=true, where it fails: CI must not pass by
// skipping the PostgreSQL half.
func postgresDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(envPostgresDSN)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("CI=true but %s is not set (.ci/run's start_postgres sets it)", envPostgresDSN)
		}
		tb.Skipf("PostgreSQL tests skipped: set %s=postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable (or run .ci/run) to run them", envPostgresDSN)
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

// dialects are the two databases every test runs against.
var dialects = []struct {
	name string
	open func(t *testing.T, opts Options) *Store
}{
	{"SQLite", openSQLite},
	{"PostgreSQL", openPostgres},
}

func openSQLite(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), "sqlite", filepath.Join(t.TempDir(), "test.db"), opts)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), "pgx", newSchema(t), opts)
	require.NoError(t, err)
	s.DB().SetMaxOpenConns(8) // parallel tests share the server's 100 connections
	t.Cleanup(func() { s.Close() })
	return s
}

func storeMaker(open func(*testing.T, Options) *Store) storagetest.NewStore {
	return func(t *testing.T, now func() time.Time) socialauth.Storage {
		return open(t, Options{Now: now})
	}
}

// census counts rows in the store's tables directly.
func census(t *testing.T, st socialauth.Storage) storagetest.Census {
	t.Helper()
	return censusDB(t, st.(*Store).DB())
}

func censusDB(t *testing.T, db *sql.DB) storagetest.Census {
	t.Helper()
	var c storagetest.Census
	for _, q := range []struct {
		dst *int
		sql string
	}{
		{&c.Users, `SELECT count(*) FROM socialauth_users`},
		{&c.Associations, `SELECT count(*) FROM socialauth_associations`},
		{&c.UsersWithoutAssociation, `SELECT count(*) FROM socialauth_users u
			WHERE NOT EXISTS (SELECT 1 FROM socialauth_associations a WHERE CAST(a.user_id AS BIGINT) = u.id)`},
		{&c.AssociationsWithoutUser, `SELECT count(*) FROM socialauth_associations a
			WHERE NOT EXISTS (SELECT 1 FROM socialauth_users u WHERE CAST(a.user_id AS BIGINT) = u.id)`},
	} {
		require.NoError(t, db.QueryRow(q.sql).Scan(q.dst), q.sql)
	}
	return c
}
