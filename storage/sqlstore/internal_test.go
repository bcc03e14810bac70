package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // the driver "sqlite", for the statement cache test
)

func TestMigrationFiles(t *testing.T) {
	for _, d := range []Dialect{SQLite, PostgreSQL} {
		for _, line := range []string{coreLine, usersLine} {
			ms, err := migrations(d, line)
			require.NoError(t, err)
			require.NotEmpty(t, ms, "%s %s", d, line)
			for i, m := range ms {
				assert.Equal(t, i+1, m.version, "%s %s migrations are numbered 1, 2, ...", d, line)
				assert.Equal(t, line, m.line)
			}
		}
		core, _ := migrations(d, coreLine)
		for _, m := range core {
			assert.NotContains(t, m.sql, "socialauth_users", "%s: the core line must not touch the users table, which a host's store does not have", m.name)
		}
	}
}

// The statement cache stays bounded when a UserTable builds SQL text at run
// time, and statements past the bound still run.
func TestPreparedCacheBound(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "cache.db"))
	require.NoError(t, err)
	defer db.Close()
	p := newPreparedDB(db)
	defer p.close()
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

// errSQLState and errCode are errors of the shapes drivers give: pgx and
// lib/pq expose SQLSTATE, modernc.org/sqlite an extended result code.
type errSQLState string

func (e errSQLState) Error() string    { return "pg error" }
func (e errSQLState) SQLState() string { return string(e) }

type errCode int

func (e errCode) Error() string { return "sqlite error" }
func (e errCode) Code() int     { return int(e) }

// Unique violations are recognised whatever driver reports them; the real
// drivers' errors are exercised by the conformance suite (a taken username).
func TestIsUniqueViolation(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errSQLState("23505"), true},
		{fmt.Errorf("insert: %w", errSQLState("23505")), true},
		{errSQLState("23503"), false},                                      // foreign key
		{errCode(2067), true},                                              // SQLITE_CONSTRAINT_UNIQUE
		{errCode(1555), true},                                              // SQLITE_CONSTRAINT_PRIMARYKEY
		{errCode(787), false},                                              // SQLITE_CONSTRAINT_FOREIGNKEY
		{errors.New("UNIQUE constraint failed: accounts.handle"), true},    // another SQLite driver
		{errors.New("ERROR: duplicate key (SQLSTATE 23505)"), true},        // a pgx-style message
		{errors.New("NOT NULL constraint failed: accounts.handle"), false}, // another constraint
	} {
		assert.Equal(t, tc.want, isUniqueViolation(tc.err), "%v", tc.err)
	}
}
