package sqlstore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/storage/internal/logintest"
	"github.com/go-socialauth/socialauth/storage/sqlstore"
	"github.com/go-socialauth/socialauth/storage/sqlstore/dburl"
	"github.com/go-socialauth/socialauth/storage/sqlstore/sqlite"
	"github.com/go-socialauth/socialauth/storage/storagetest"
)

func TestConformance(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) { storagetest.Run(t, storeMaker(d.open)) })
	}
}

func TestLogins(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) { logintest.Run(t, storeMaker(d.open), census) })
	}
}

// The uid column compares bytes whatever the collation: checked in SQL,
// not only through the store.
func TestUIDCaseIsTwoIdentities(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := d.open(t, sqlstore.Options{})
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

// The store keeps every User field, the avatar too, in its own table, and
// says so to the pipeline.
func TestOwnUsersKeepEveryField(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := d.open(t, sqlstore.Options{})
			assert.ElementsMatch(t, jsonNames(socialauth.User{}), s.UserFields())
			u, err := s.CreateUser(ctx, &socialauth.User{Username: "ada", AvatarURL: "https://example.com/a.png"})
			require.NoError(t, err)
			var avatar string
			require.NoError(t, s.DB().QueryRow(`SELECT avatar_url FROM socialauth_users WHERE id = $1`, 1).Scan(&avatar))
			assert.Equal(t, "https://example.com/a.png", avatar)
			u.AvatarURL = "https://example.com/b.png"
			require.NoError(t, s.UpdateUser(ctx, u))
			got, err := s.GetUser(ctx, u.ID)
			require.NoError(t, err)
			assert.Equal(t, "https://example.com/b.png", got.AvatarURL)
		})
	}
}

// jsonNames are the JSON names of the fields of the struct v.
func jsonNames(v any) []string {
	var out []string
	rt := reflect.TypeOf(v)
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}

// Opening a migrated database again changes nothing; several processes
// opening a new one at once apply each migration once. The databases are
// named by URL, as the examples name them.
func TestConcurrentOpen(t *testing.T) {
	for _, d := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"SQLite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "new.db") }},
		{"PostgreSQL", func(t *testing.T) string { return newSchema(t) }},
	} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := d.url(t)
			const n = 6
			stores := make([]*sqlstore.Store, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { stores[i], errs[i] = dburl.Open(ctx, url, sqlstore.Options{}) })
			}
			wg.Wait()
			for i := range n {
				require.NoError(t, errs[i], "opener %d", i)
				t.Cleanup(func() { stores[i].Close() })
			}
			again, err := dburl.Open(ctx, url, sqlstore.Options{})
			require.NoError(t, err, "reopening")
			defer again.Close()
			assert.Equal(t, map[string]int{"core": 1, "users": 1}, migrationsApplied(t, again.DB()), "each migration recorded once")
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

// migrationsApplied counts the recorded migrations of each line.
func migrationsApplied(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	rows, err := db.Query(`SELECT line, count(*) FROM socialauth_migrations GROUP BY line`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			line string
			n    int
		)
		require.NoError(t, rows.Scan(&line, &n))
		out[line] = n
	}
	require.NoError(t, rows.Err())
	return out
}

// Expiry is exact to the store's clock: a partial or nonce expires at its
// Expires, not a microsecond later. (The conformance suite, which runs on
// the real clock, checks only an hour either side.)
func TestExpiryBoundary(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			var mu sync.Mutex
			now := time.Date(2031, 3, 4, 5, 6, 7, 890123000, time.UTC)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			set := func(t time.Time) { mu.Lock(); defer mu.Unlock(); now = t }
			s := d.open(t, sqlstore.Options{Now: clock})
			exp := clock().Add(time.Minute)
			require.NoError(t, s.SavePartial(ctx, &socialauth.Partial{Token: "p", Backend: "dev", Data: json.RawMessage(`{}`), Expires: exp}))
			require.NoError(t, s.UseNonce(ctx, "oidc", "n", exp))

			set(exp.Add(-time.Microsecond))
			_, err := s.LoadPartial(ctx, "p")
			assert.NoError(t, err, "a microsecond before it expires")
			assert.ErrorIs(t, s.UseNonce(ctx, "oidc", "n", exp.Add(time.Hour)), socialauth.ErrAlreadyExists, "a microsecond before it expires")

			set(exp)
			_, err = s.LoadPartial(ctx, "p")
			assert.ErrorIs(t, err, socialauth.ErrNotFound, "at its expiry")
			assert.NoError(t, s.UseNonce(ctx, "oidc", "n", exp.Add(time.Hour)), "at its expiry")
		})
	}
}

func TestNewErrors(t *testing.T) {
	ctx := context.Background()
	_, err := sqlstore.New(ctx, nil, sqlstore.SQLite, sqlstore.Options{})
	assert.Error(t, err, "a nil *sql.DB")
	db, err := sql.Open(sqlite.DriverName, sqlite.DSN(filepath.Join(t.TempDir(), "x.db")))
	require.NoError(t, err)
	defer db.Close()
	_, err = sqlstore.New(ctx, db, "oracle", sqlstore.Options{})
	assert.Error(t, err, "an unknown dialect")
	_, err = sqlstore.New(ctx, db, sqlstore.SQLite, sqlstore.Options{Users: fieldsOnly{"full_name"}})
	if assert.Error(t, err, "a UserTable that keeps a field User does not have") {
		assert.Contains(t, err.Error(), `"full_name"`)
	}
	var tables int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&tables))
	assert.Zero(t, tables, "a refused store creates no table")
	require.NoError(t, db.Ping(), "a failed New leaves the caller's database open")
}

// fieldsOnly is a UserTable that declares fields and is never called.
type fieldsOnly []string

func (f fieldsOnly) Fields() []string { return f }
func (fieldsOnly) GetUser(context.Context, sqlstore.Querier, string) (*socialauth.User, error) {
	panic("not called")
}
func (fieldsOnly) UsersByEmail(context.Context, sqlstore.Querier, string) ([]*socialauth.User, error) {
	panic("not called")
}
func (fieldsOnly) UsernameExists(context.Context, sqlstore.Querier, string) (bool, error) {
	panic("not called")
}
func (fieldsOnly) CreateUser(context.Context, sqlstore.Querier, *socialauth.User) (*socialauth.User, error) {
	panic("not called")
}
func (fieldsOnly) UpdateUser(context.Context, sqlstore.Querier, *socialauth.User) error {
	panic("not called")
}

// A store over a database the host opened leaves it open on Close; an
// opener's store closes it.
func TestCloseOwnership(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "owned.db")
	db, err := sql.Open(sqlite.DriverName, sqlite.DSN(path))
	require.NoError(t, err)
	defer db.Close()
	s, err := sqlstore.New(ctx, db, sqlstore.SQLite, sqlstore.Options{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	assert.NoError(t, db.Ping(), "the host's database stays open")

	opened, err := sqlite.Open(ctx, path, sqlstore.Options{})
	require.NoError(t, err)
	require.NoError(t, opened.Close())
	assert.Error(t, opened.DB().Ping(), "the opener's database is closed")
}

// Errors never carry what was looked up or stored: nonce values and
// partial tokens are secrets.
func TestErrorsCarryNoSecrets(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := d.open(t, sqlstore.Options{})
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
	s := openSQLite(t, sqlstore.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.GetUser(ctx, "1")
	require.Error(t, err)
	assert.False(t, errors.Is(err, socialauth.ErrNotFound))
}
