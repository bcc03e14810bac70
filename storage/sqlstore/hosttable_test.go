package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/internal/logintest"
	"github.com/go-socialauth/socialauth/storage/sqlstore"
	"github.com/go-socialauth/socialauth/storage/sqlstore/sqlite"
	"github.com/go-socialauth/socialauth/storage/storagetest"
)

// members is a host's users table with three columns, id, email and
// username: no names, no avatar, no flags, no timestamps. The email is
// looked up by lower() of it, which folds only ASCII letters under
// SQLite's built-in lower() and PostgreSQL's "C" collation, as
// socialauth.EmailKey does.
type members struct {
	dialect sqlstore.Dialect
	// fields is what Fields declares: {"email"}, the truth, unless a test
	// makes it lie.
	fields []string
}

var membersSchema = map[sqlstore.Dialect]string{
	sqlstore.SQLite: `CREATE TABLE members (
		id       INTEGER PRIMARY KEY AUTOINCREMENT,
		email    TEXT NOT NULL DEFAULT '',
		username TEXT NOT NULL UNIQUE
	);
	CREATE INDEX members_email ON members (lower(email));`,
	sqlstore.PostgreSQL: `CREATE TABLE members (
		id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		email    text NOT NULL DEFAULT '',
		username text COLLATE "C" NOT NULL UNIQUE
	);
	CREATE INDEX members_email ON members (lower(email COLLATE "C"));`,
}

func (m members) Fields() []string { return m.fields }

// emailKey is the SQL expression the index is on.
func (m members) emailKey() string {
	if m.dialect == sqlstore.PostgreSQL {
		return `lower(email COLLATE "C")`
	}
	return `lower(email)`
}

func scanMember(row interface{ Scan(...any) error }) (*socialauth.User, error) {
	var (
		id int64
		u  = socialauth.User{IsActive: true} // the table has no inactive members
	)
	if err := row.Scan(&id, &u.Email, &u.Username); err != nil {
		return nil, err
	}
	u.ID = strconv.FormatInt(id, 10)
	return &u, nil
}

func memberID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != id {
		return 0, fmt.Errorf("member %q: %w", id, socialauth.ErrNotFound)
	}
	return n, nil
}

func (m members) GetUser(ctx context.Context, q sqlstore.Querier, id string) (*socialauth.User, error) {
	n, err := memberID(id)
	if err != nil {
		return nil, err
	}
	u, err := scanMember(q.QueryRowContext(ctx, `SELECT id, email, username FROM members WHERE id = $1`, n))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("member %s: %w", id, socialauth.ErrNotFound)
	}
	return u, err
}

func (m members) UsersByEmail(ctx context.Context, q sqlstore.Querier, email string) ([]*socialauth.User, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, email, username FROM members WHERE `+m.emailKey()+` = $1 ORDER BY id`,
		socialauth.EmailKey(email))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*socialauth.User
	for rows.Next() {
		u, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func (m members) UsernameExists(ctx context.Context, q sqlstore.Querier, username string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM members WHERE username = $1`, username).Scan(&n)
	return n > 0, err
}

func (m members) CreateUser(ctx context.Context, q sqlstore.Querier, u *socialauth.User) (*socialauth.User, error) {
	var id int64
	if err := q.QueryRowContext(ctx, `INSERT INTO members (email, username) VALUES ($1, $2) RETURNING id`,
		u.Email, u.Username).Scan(&id); err != nil {
		return nil, err // a taken username is a unique violation, which the store maps
	}
	c := *u
	c.ID = strconv.FormatInt(id, 10)
	return &c, nil
}

func (m members) UpdateUser(ctx context.Context, q sqlstore.Querier, u *socialauth.User) error {
	n, err := memberID(u.ID)
	if err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `UPDATE members SET email = $1, username = $2 WHERE id = $3`, u.Email, u.Username, n)
	if err != nil {
		return err
	}
	if changed, err := res.RowsAffected(); err != nil || changed == 0 {
		return errors.Join(err, fmt.Errorf("member %s: %w", u.ID, socialauth.ErrNotFound))
	}
	return nil
}

// openMembers opens a new database of dialect, creates the host's members
// table in it, and opens a store over that table.
func openMembers(t *testing.T, dialect sqlstore.Dialect) *sqlstore.Store {
	t.Helper()
	var (
		db  *sql.DB
		err error
	)
	switch dialect {
	case sqlstore.SQLite:
		db, err = sql.Open(sqlite.DriverName, sqlite.DSN(filepath.Join(t.TempDir(), "host.db")))
	case sqlstore.PostgreSQL:
		db, err = sql.Open("pgx", newSchema(t))
		db.SetMaxOpenConns(8) // parallel tests share the server's 100 connections
	}
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.Exec(membersSchema[dialect])
	require.NoError(t, err)
	s, err := sqlstore.New(context.Background(), db, dialect, sqlstore.Options{Users: members{dialect: dialect, fields: []string{"email"}}})
	require.NoError(t, err)
	return s
}

var memberDialects = []struct {
	name    string
	dialect sqlstore.Dialect
}{
	{"SQLite", sqlstore.SQLite},
	{"PostgreSQL", sqlstore.PostgreSQL},
}

// censusMembers counts the members and the associations.
func censusMembers(t *testing.T, st socialauth.Storage) logintest.Census {
	t.Helper()
	return countRows(t, st.(*sqlstore.Store).DB(), `members`, `CAST(a.user_id AS BIGINT) = u.id`)
}

// With the host's users table the store creates no users table of its
// own, records no users migration, and says it keeps the fields the table
// declares.
func TestHostUsersTableOnly(t *testing.T) {
	for _, d := range memberDialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			s := openMembers(t, d.dialect)
			var n int
			q := `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`
			if d.dialect == sqlstore.SQLite {
				q = `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`
			}
			require.NoError(t, s.DB().QueryRow(q, "socialauth_users").Scan(&n))
			assert.Zero(t, n, "a socialauth_users table exists")
			require.NoError(t, s.DB().QueryRow(q, "socialauth_associations").Scan(&n))
			assert.Equal(t, 1, n, "the associations table exists")
			assert.Equal(t, map[string]int{"core": 1}, migrationsApplied(t, s.DB()))
			assert.Equal(t, []string{"id", "username", "email"}, s.UserFields())
		})
	}
}

// The three-column table keeps the storage contract for what it keeps.
func TestHostUsersTableConformance(t *testing.T) {
	for _, d := range memberDialects {
		t.Run(d.name, func(t *testing.T) {
			storagetest.Run(t, func(t *testing.T) socialauth.Storage { return openMembers(t, d.dialect) })
		})
	}
}

func TestHostUsersTableLogins(t *testing.T) {
	for _, d := range memberDialects {
		t.Run(d.name, func(t *testing.T) {
			logintest.Run(t, func(t *testing.T) socialauth.Storage { return openMembers(t, d.dialect) }, censusMembers)
		})
	}
}

// A returning member whose data did not change costs no UPDATE, though
// the provider says a first and last name the table has no column for
// (user_details sees them differ from the empty ones it reads back, and
// leaves them alone because the table does not keep them). The statements
// the database receives are counted. A table that claimed to keep names
// it has no column for gets an UPDATE on every login: the count sees it.
func TestHostUsersTableReturningLoginNoUpdate(t *testing.T) {
	for _, d := range memberDialects {
		for _, tc := range []struct {
			name    string
			fields  []string
			updates int
		}{
			{"DeclaresWhatItKeeps", []string{"email"}, 0},
			{"ClaimsNamesItLacks", []string{"email", "fullname", "first_name", "last_name"}, 1},
		} {
			t.Run(d.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				h := openHooked(t, d.dialect, func(db *sql.DB) {
					_, err := db.Exec(membersSchema[d.dialect])
					require.NoError(t, err)
				}, sqlstore.Options{Users: members{dialect: d.dialect, fields: tc.fields}})
				prov := logintest.NewProvider(t)
				tok := prov.Token(logintest.Google, pat)
				svc := prov.Service(t, h.store, pipeline.Default().InsertAfter("get_username", pipeline.AssociateByEmail()))

				first, err := logintest.Login(context.Background(), svc, logintest.Google, tok)
				require.NoError(t, err)
				require.True(t, first.IsNew)
				require.Equal(t, "Pat", first.User.FirstName, "the provider says a first name")
				for i := range 2 {
					h.hook.arm(0)
					res, err := logintest.Login(context.Background(), svc, logintest.Google, tok)
					require.NoError(t, err)
					assert.False(t, res.IsNew)
					assert.Equal(t, first.User.ID, res.User.ID)
					stmts := h.hook.statements()
					require.NotEmpty(t, stmts, "the hook sees the returning login's reads")
					assert.Equal(t, tc.updates, countPrefix(stmts, "UPDATE"), "returning login %d: %q", i+1, stmts)
					assert.Equal(t, tc.updates, countWrites(stmts), "returning login %d: %q", i+1, stmts)
				}
			})
		}
	}
}

// countPrefix counts the statements that begin with the keyword word.
func countPrefix(stmts []string, word string) int {
	n := 0
	for _, s := range stmts {
		if len(s) >= len(word) && strings.EqualFold(s[:len(word)], word) {
			n++
		}
	}
	return n
}
