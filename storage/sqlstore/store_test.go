package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/storage/storagetest"
)

func TestConformance(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) { storagetest.Run(t, storeMaker(d.open)) })
	}
}

func TestLogins(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) { storagetest.RunLogins(t, storeMaker(d.open), census) })
	}
}

// The uid column compares bytes whatever the collation: checked in SQL,
// not only through the store.
func TestUIDCaseIsTwoIdentities(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := d.open(t, Options{})
			for i, uid := range []string{"Abc", "abc"} {
				_, _, err := s.CreateUserWithAssociation(ctx, &socialauth.User{Username: uid + "-user"},
					&socialauth.Association{Provider: "dev", UID: uid}, socialauth.CreateOptions{})
				require.NoError(t, err, "identity %d", i)
			}
			var n int
			require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM socialauth_associations WHERE uid = $1`, "abc").Scan(&n))
			assert.Equal(t, 1, n)
			require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM socialauth_associations WHERE provider = $1`, "dev").Scan(&n))
			assert.Equal(t, 2, n)
		})
	}
}

func TestMigrations(t *testing.T) {
	for _, d := range []Dialect{SQLite, PostgreSQL} {
		ms, err := migrations(d)
		require.NoError(t, err)
		require.NotEmpty(t, ms)
		assert.Equal(t, SchemaVersion, ms[len(ms)-1].version, "SchemaVersion is the newest %s migration", d)
		for i, m := range ms {
			assert.Equal(t, i+1, m.version, "%s migrations are numbered 1, 2, ...", d)
		}
	}
}

// Opening a migrated database again changes nothing; two processes
// opening a new one at once apply each migration once.
func TestConcurrentOpen(t *testing.T) {
	for _, d := range []struct {
		name, driver string
		dsn          func(t *testing.T) string
	}{
		{"SQLite", "sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "new.db") }},
		{"PostgreSQL", "pgx", func(t *testing.T) string { return newSchema(t) }},
	} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := d.dsn(t)
			const n = 6
			stores := make([]*Store, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { stores[i], errs[i] = Open(ctx, d.driver, dsn, Options{}) })
			}
			wg.Wait()
			for i := range n {
				require.NoError(t, errs[i], "opener %d", i)
				t.Cleanup(func() { stores[i].Close() })
			}
			again, err := Open(ctx, d.driver, dsn, Options{})
			require.NoError(t, err, "reopening")
			defer again.Close()
			var rows, maxVersion int
			require.NoError(t, again.DB().QueryRow(`SELECT count(*), max(version) FROM socialauth_schema_migrations`).Scan(&rows, &maxVersion))
			assert.Equal(t, SchemaVersion, rows, "each migration recorded once")
			assert.Equal(t, SchemaVersion, maxVersion)
			// Every opener works on the one schema.
			for i, s := range stores {
				_, err := s.CreateUser(ctx, &socialauth.User{Username: string(rune('a' + i))})
				require.NoError(t, err)
			}
			var users int
			require.NoError(t, again.DB().QueryRow(`SELECT count(*) FROM socialauth_users`).Scan(&users))
			assert.Equal(t, n, users)
		})
	}
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct{ url, driver, dsn string }{
		{"postgres://u:p@127.0.0.1:5432/db?sslmode=disable", "pgx", "postgres://u:p@127.0.0.1:5432/db?sslmode=disable"},
		{"postgresql://127.0.0.1/db", "pgx", "postgresql://127.0.0.1/db"},
		{"sqlite:app.db", "sqlite", "app.db"},
		{"sqlite://app.db", "sqlite", "app.db"},
		{"sqlite:///var/lib/app.db", "sqlite", "/var/lib/app.db"},
		{"sqlite:/var/lib/app.db?_pragma=cache_size(-2000)", "sqlite", "/var/lib/app.db?_pragma=cache_size(-2000)"},
		{"sqlite::memory:", "sqlite", ":memory:"},
		{"file:app.db?mode=rwc", "sqlite", "file:app.db?mode=rwc"},
		{"/var/lib/app.db", "sqlite", "/var/lib/app.db"},
		{"./data/app.db", "sqlite", "./data/app.db"},
		{"app.db", "sqlite", "app.db"},
		{`C:\data\app.db`, "sqlite", `C:\data\app.db`},
		{" sqlite:app.db ", "sqlite", "app.db"},
	} {
		driver, dsn, err := parseURL(tc.url)
		require.NoError(t, err, tc.url)
		assert.Equal(t, tc.driver, driver, tc.url)
		assert.Equal(t, tc.dsn, dsn, tc.url)
	}
	for _, bad := range []string{"", "sqlite:", "sqlite://", "mysql://user:secret@host/db"} {
		_, _, err := parseURL(bad)
		if assert.Error(t, err, bad) {
			assert.NotContains(t, err.Error(), "secret", "the URL (and its password) stays out of errors")
		}
	}
}

func TestOpenURLCreatesSQLiteFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fresh.db")
	s, err := OpenURL(ctx, "sqlite:"+path, Options{})
	require.NoError(t, err)
	_, err = s.CreateUser(ctx, &socialauth.User{Username: "kept"})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = os.Stat(path)
	require.NoError(t, err, "the file exists")

	s, err = OpenURL(ctx, path, Options{})
	require.NoError(t, err)
	defer s.Close()
	ok, err := s.UsernameExists(ctx, "kept")
	require.NoError(t, err)
	assert.True(t, ok, "the data survived the reopen")
	var mode string
	require.NoError(t, s.DB().QueryRow(`PRAGMA journal_mode`).Scan(&mode))
	assert.Equal(t, "wal", mode)
	var busy int
	require.NoError(t, s.DB().QueryRow(`PRAGMA busy_timeout`).Scan(&busy))
	assert.Equal(t, 5000, busy)
}

func TestOpenMemory(t *testing.T) {
	ctx := context.Background()
	s, err := OpenURL(ctx, "sqlite::memory:", Options{})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.CreateUser(ctx, &socialauth.User{Username: "m"})
	require.NoError(t, err)
	ok, err := s.UsernameExists(ctx, "m")
	require.NoError(t, err)
	assert.True(t, ok)
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	_, err := Open(ctx, "mysql", "x", Options{})
	assert.Error(t, err)
	_, err = New(ctx, nil, "oracle", Options{})
	assert.Error(t, err)
	_, err = OpenURL(ctx, "redis://secret@host", Options{})
	if assert.Error(t, err) {
		assert.NotContains(t, err.Error(), "secret")
	}
}

func TestSQLiteDSN(t *testing.T) {
	assert.Equal(t, "a.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate", SQLiteDSN("a.db"))
	assert.Equal(t, "file:a.db?mode=rwc&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate", SQLiteDSN("file:a.db?mode=rwc"))
	own := "a.db?_pragma=busy_timeout(100)&_pragma=journal_mode(DELETE)&_pragma=foreign_keys(0)&_txlock=deferred"
	assert.Equal(t, own, SQLiteDSN(own), "the DSN's own settings win")
	assert.NotContains(t, SQLiteDSN(":memory:"), "journal_mode")
}

func TestDatabaseURL(t *testing.T) {
	env := map[string]string{}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	assert.Equal(t, "sqlite:x.db", DatabaseURL(lookup, "sqlite:x.db"))
	env[EnvDatabaseURL] = "  "
	assert.Equal(t, "sqlite:x.db", DatabaseURL(lookup, "sqlite:x.db"))
	env[EnvDatabaseURL] = "postgres://h/db"
	assert.Equal(t, "postgres://h/db", DatabaseURL(lookup, "sqlite:x.db"))
}

// Errors never carry what was looked up or stored: nonce values and
// partial tokens are secrets.
func TestErrorsCarryNoSecrets(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := d.open(t, Options{})
			const secret = "s3cr3t-token-value"
			require.NoError(t, s.UseNonce(ctx, "oidc", secret, time.Now().Add(time.Hour)))
			for _, err := range []error{
				s.UseNonce(ctx, "oidc", secret, time.Now().Add(time.Hour)),
				func() error { _, err := s.LoadPartial(ctx, secret); return err }(),
			} {
				require.Error(t, err)
				assert.NotContains(t, err.Error(), secret)
			}
		})
	}
}

// A cancelled context surfaces as an error, not as "not found".
func TestCanceledContext(t *testing.T) {
	s := openSQLite(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.GetUser(ctx, "1")
	require.Error(t, err)
	assert.False(t, errors.Is(err, socialauth.ErrNotFound))
}

// The statement cache stays bounded when a UserTable builds SQL text at run
// time, and statements past the bound still run.
func TestPreparedCacheBound(t *testing.T) {
	s := openSQLite(t, Options{})
	p := s.q.(*preparedDB)
	for i := range maxPrepared + 20 {
		var got int
		require.NoError(t, p.QueryRowContext(context.Background(), fmt.Sprintf(`SELECT %d + $1`, i), 1).Scan(&got))
		assert.Equal(t, i+1, got)
	}
	p.mu.RLock()
	n := len(p.stmts)
	p.mu.RUnlock()
	assert.Equal(t, maxPrepared, n)
	// A statement with an error is reported, not cached.
	assert.Error(t, p.QueryRowContext(context.Background(), `SELECT nope FROM nowhere`).Scan(new(int)))
}
