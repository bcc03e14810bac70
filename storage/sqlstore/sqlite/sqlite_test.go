package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/storage/sqlstore"
	"github.com/go-socialauth/socialauth/storage/sqlstore/sqlite"
)

// Open creates the file on first use, with the settings concurrent use
// needs, and a reopened file keeps its data.
func TestOpenCreatesFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fresh.db")
	s, err := sqlite.Open(ctx, path, sqlstore.Options{})
	require.NoError(t, err)
	assert.Equal(t, sqlstore.SQLite, s.Dialect())
	_, err = s.CreateUser(ctx, &socialauth.User{Username: "kept"})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = os.Stat(path)
	require.NoError(t, err, "the file exists")

	s, err = sqlite.Open(ctx, path, sqlstore.Options{})
	require.NoError(t, err)
	defer s.Close()
	ok, err := s.UsernameExists(ctx, "kept")
	require.NoError(t, err)
	assert.True(t, ok, "the data survived the reopen")
	for pragma, want := range map[string]string{"journal_mode": "wal", "busy_timeout": "5000", "foreign_keys": "1"} {
		var got string
		require.NoError(t, s.DB().QueryRow(`PRAGMA `+pragma).Scan(&got))
		assert.Equal(t, want, got, pragma)
	}
}

// A transaction holds the write lock from its BEGIN (BEGIN IMMEDIATE), so
// that two transactions that each read and then write queue on the lock
// instead of one failing with SQLITE_BUSY when it upgrades its read lock.
// Seen from another connection that does not wait: its write fails while
// the store's transaction, which has written nothing yet, is open.
func TestTransactionsTakeTheWriteLockAtOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lock.db")
	s, err := sqlite.Open(ctx, path, sqlstore.Options{})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.DB().Exec(`CREATE TABLE counter (n INTEGER NOT NULL)`)
	require.NoError(t, err)
	other, err := sql.Open(sqlite.DriverName, path+"?_pragma=busy_timeout(0)")
	require.NoError(t, err)
	defer other.Close()

	tx, err := s.DB().BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = other.Exec(`INSERT INTO counter VALUES (1)`)
	assert.Error(t, err, "another connection wrote while the store's transaction was open")
	require.NoError(t, tx.Rollback())
	_, err = other.Exec(`INSERT INTO counter VALUES (1)`)
	assert.NoError(t, err, "once the transaction ends, the other connection writes")
}

func TestOpenMemory(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, ":memory:", sqlstore.Options{})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.CreateUser(ctx, &socialauth.User{Username: "m"})
	require.NoError(t, err)
	ok, err := s.UsernameExists(ctx, "m")
	require.NoError(t, err)
	assert.True(t, ok, "the one connection keeps the one in-memory database")
}

func TestDSN(t *testing.T) {
	assert.Equal(t, "a.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate", sqlite.DSN("a.db"))
	assert.Equal(t, "file:a.db?mode=rwc&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate", sqlite.DSN("file:a.db?mode=rwc"))
	own := "a.db?_pragma=busy_timeout(100)&_pragma=journal_mode(DELETE)&_pragma=foreign_keys(0)&_txlock=deferred"
	assert.Equal(t, own, sqlite.DSN(own), "the DSN's own settings win")
	assert.NotContains(t, sqlite.DSN(":memory:"), "journal_mode")
}

func TestOpenError(t *testing.T) {
	_, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"), sqlstore.Options{})
	assert.Error(t, err)
}
