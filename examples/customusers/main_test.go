package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/storage/storagetest"
)

func TestRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, path))
	assert.Contains(t, out.String(), "login 1: accounts.id=1 handle=robin plan=free new=true (via dev uid dev-robin)")
	assert.Contains(t, out.String(), "login 2: accounts.id=1 handle=robin plan=free new=false (via dev uid dev-robin)")
	assert.Contains(t, out.String(), "rows: accounts=1 socialauth_associations=1; socialauth_users tables: 0")

	// Run again on the same file: the same account logs in, nothing new.
	out.Reset()
	require.NoError(t, run(context.Background(), &out, path))
	assert.Contains(t, out.String(), "login 1: accounts.id=1 handle=robin plan=free new=false")
	assert.Contains(t, out.String(), "rows: accounts=1 socialauth_associations=1; socialauth_users tables: 0")

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var userID, emailKey string
	require.NoError(t, db.QueryRow(`SELECT a.user_id, acc.email_key FROM socialauth_associations a
		JOIN accounts acc ON acc.id = CAST(a.user_id AS INTEGER)`).Scan(&userID, &emailKey))
	assert.Equal(t, "1", userID, "the association points at the host's account")
	assert.Equal(t, "robin@example.com", emailKey)
}

func newAccountsStore(t *testing.T) socialauth.Storage {
	s, err := openStore(context.Background(), filepath.Join(t.TempDir(), "app.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.DB().Close() })
	return s
}

// The example's UserTable keeps the whole storage contract.
func TestAccountsConformance(t *testing.T) {
	storagetest.Run(t, newAccountsStore)
}
