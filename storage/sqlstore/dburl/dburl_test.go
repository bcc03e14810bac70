package dburl

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth/storage/sqlstore"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		url string
		d   sqlstore.Dialect
		dsn string
	}{
		{"postgres://u:p@127.0.0.1:5432/db?sslmode=disable", sqlstore.PostgreSQL, "postgres://u:p@127.0.0.1:5432/db?sslmode=disable"},
		{"postgresql://127.0.0.1/db", sqlstore.PostgreSQL, "postgresql://127.0.0.1/db"},
		{"sqlite:app.db", sqlstore.SQLite, "app.db"},
		{"sqlite://app.db", sqlstore.SQLite, "app.db"},
		{"sqlite:///var/lib/app.db", sqlstore.SQLite, "/var/lib/app.db"},
		{"sqlite:/var/lib/app.db?_pragma=cache_size(-2000)", sqlstore.SQLite, "/var/lib/app.db?_pragma=cache_size(-2000)"},
		{"sqlite::memory:", sqlstore.SQLite, ":memory:"},
		{"file:app.db?mode=rwc", sqlstore.SQLite, "file:app.db?mode=rwc"},
		{"/var/lib/app.db", sqlstore.SQLite, "/var/lib/app.db"},
		{"./data/app.db", sqlstore.SQLite, "./data/app.db"},
		{"app.db", sqlstore.SQLite, "app.db"},
		{`C:\data\app.db`, sqlstore.SQLite, `C:\data\app.db`},
		{" sqlite:app.db ", sqlstore.SQLite, "app.db"},
	} {
		d, dsn, err := parse(tc.url)
		require.NoError(t, err, tc.url)
		assert.Equal(t, tc.d, d, tc.url)
		assert.Equal(t, tc.dsn, dsn, tc.url)
	}
	for _, bad := range []string{"", "sqlite:", "sqlite://", "mysql://user:secret@host/db"} {
		_, _, err := parse(bad)
		if assert.Error(t, err, bad) {
			assert.NotContains(t, err.Error(), "secret", "the URL (and its password) stays out of errors")
		}
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "url.db"), sqlstore.Options{})
	require.NoError(t, err)
	assert.Equal(t, sqlstore.SQLite, s.Dialect())
	require.NoError(t, s.Close())

	for _, url := range []string{"redis://user:s3cret@host", "postgres://user:s3cret@127.0.0.1:notaport/db"} {
		_, err = Open(ctx, url, sqlstore.Options{})
		if assert.Error(t, err, "a URL that opens nothing") {
			assert.NotContains(t, err.Error(), "s3cret", "the password stays out of errors")
		}
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	assert.Equal(t, "sqlite:x.db", FromEnv(lookup, "sqlite:x.db"))
	env[EnvVar] = "  "
	assert.Equal(t, "sqlite:x.db", FromEnv(lookup, "sqlite:x.db"))
	env[EnvVar] = " postgres://h/db "
	assert.Equal(t, "postgres://h/db", FromEnv(lookup, "sqlite:x.db"))
}
