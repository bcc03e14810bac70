package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	sqlstore "github.com/go-socialauth/socialauth/storage/sql"
	"github.com/go-socialauth/socialauth/storage/storagetest"
)

func TestRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, path))
	assert.Contains(t, out.String(), "login 1: accounts.id=1 handle=robin plan=free new=true (via dev uid dev-robin)")
	assert.Contains(t, out.String(), "login 2: accounts.id=1 handle=robin plan=free new=false (via dev uid dev-robin)")
	assert.Contains(t, out.String(), "rows: accounts=1 socialauth_associations=1 socialauth_users=0")

	// Run again on the same file: the same account logs in, nothing new.
	out.Reset()
	require.NoError(t, run(context.Background(), &out, path))
	assert.Contains(t, out.String(), "login 1: accounts.id=1 handle=robin plan=free new=false")
	assert.Contains(t, out.String(), "rows: accounts=1 socialauth_associations=1 socialauth_users=0")

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var userID, emailKey string
	require.NoError(t, db.QueryRow(`SELECT a.user_id, acc.email_key FROM socialauth_associations a
		JOIN accounts acc ON acc.id = CAST(a.user_id AS INTEGER)`).Scan(&userID, &emailKey))
	assert.Equal(t, "1", userID, "the association points at the host's account")
	assert.Equal(t, "robin@example.com", emailKey)
}

func newAccountsStore(t *testing.T, now func() time.Time) socialauth.Storage {
	s, err := openStore(context.Background(), filepath.Join(t.TempDir(), "app.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.DB().Close() })
	// openStore uses the real clock; reopen over the same DB with the suite's.
	s, err = sqlstore.New(context.Background(), s.DB(), sqlstore.SQLite, sqlstore.Options{Users: accounts{}, Now: now})
	require.NoError(t, err)
	return s
}

// The example's UserTable keeps the whole storage contract.
func TestAccountsConformance(t *testing.T) {
	storagetest.Run(t, newAccountsStore)
}

func TestAccountsLogins(t *testing.T) {
	storagetest.RunLogins(t, newAccountsStore, func(t *testing.T, st socialauth.Storage) storagetest.Census {
		db := st.(*sqlstore.Store).DB()
		var c storagetest.Census
		for _, q := range []struct {
			dst *int
			sql string
		}{
			{&c.Users, `SELECT count(*) FROM accounts`},
			{&c.Associations, `SELECT count(*) FROM socialauth_associations`},
			{&c.UsersWithoutAssociation, `SELECT count(*) FROM accounts WHERE CAST(id AS TEXT) NOT IN (SELECT user_id FROM socialauth_associations)`},
			{&c.AssociationsWithoutUser, `SELECT count(*) FROM socialauth_associations WHERE user_id NOT IN (SELECT CAST(id AS TEXT) FROM accounts)`},
		} {
			require.NoError(t, db.QueryRow(q.sql).Scan(q.dst))
		}
		return c
	})
}
