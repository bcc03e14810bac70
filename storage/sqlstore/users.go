package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/go-socialauth/socialauth"
)

// Querier runs SQL statements: *sql.DB, *sql.Tx and *sql.Conn are each
// one, and its methods behave as theirs of the same names.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// UserTable is the users role over a table of the host's own, in the
// store's database (see "The host's own users table" in the package doc).
// The store calls it with q, which is either the store's *sql.DB or the
// *sql.Tx of a transaction the store runs (CreateUserWithAssociation,
// CreateAssociation): run every statement through q, never through another
// connection, so that a user and its association are written, or not,
// together. The methods may be called concurrently.
//
// IDs are opaque strings to the library: render the table's key as one (a
// decimal, a UUID), the same way every time. Not found is an error wrapping
// [socialauth.ErrNotFound], never a nil user with a nil error. Returned
// users are the caller's to change.
type UserTable interface {
	// Fields returns the JSON names of the [socialauth.User] fields the
	// table keeps, of "email", "email_verified", "fullname", "first_name",
	// "last_name", "avatar_url", "is_active", "created_at" and
	// "updated_at" ("id" and "username" are kept by every users table and
	// need not be listed). The store calls it once, in [New], which fails
	// on a name it does not know. A field left out is one the table does
	// not store, and the login pipeline does not try to update it, so a
	// returning user whose kept fields did not change causes no UPDATE.
	// GetUser fills a field left out as the table's rows imply: names and
	// avatar empty; EmailVerified false (associate_by_email then links no
	// login to the table's users by email); IsActive true when the table
	// has no inactive users (an inactive user's login is refused).
	Fields() []string
	// GetUser returns the user whose ID is id. An id that cannot be one of
	// the table's keys (not a number, for an integer key) is not found.
	GetUser(ctx context.Context, q Querier, id string) (*socialauth.User, error)
	// UsersByEmail returns the users whose email has the same
	// [socialauth.EmailKey] as email (ASCII letters compared
	// case-insensitively, every other byte exactly; SQL's lower() folds
	// more than ASCII under most collations, so keep the key in an indexed
	// column of its own), oldest first. The store never calls it with an
	// empty email. None found is an empty or nil slice and a nil error.
	UsersByEmail(ctx context.Context, q Querier, email string) ([]*socialauth.User, error)
	// UsernameExists reports whether a user has exactly this username
	// (compared byte for byte).
	UsernameExists(ctx context.Context, q Querier, username string) (bool, error)
	// CreateUser inserts u, whose ID is empty and whose CreatedAt and
	// UpdatedAt the store has set from its clock, and returns it with the
	// ID the table gave it. A taken username is either an error wrapping
	// [socialauth.ErrAlreadyExists] or the driver's unique-violation
	// error, which the store maps to one.
	CreateUser(ctx context.Context, q Querier, u *socialauth.User) (*socialauth.User, error)
	// UpdateUser overwrites the kept fields of the user whose ID is u.ID
	// with u's, but CreatedAt; the store has set UpdatedAt from its clock.
	// A missing user wraps [socialauth.ErrNotFound]; a taken username is
	// reported as by CreateUser.
	UpdateUser(ctx context.Context, q Querier, u *socialauth.User) error
}

// userFields are the JSON names of socialauth.User's fields, all of which
// the store's own users table keeps.
var userFields = []string{"id", "username", "email", "email_verified", "fullname", "first_name", "last_name",
	"avatar_url", "is_active", "created_at", "updated_at"}

// keptFields is "id", "username" and the fields t declares, checked.
func keptFields(t UserTable) ([]string, error) {
	kept := []string{"id", "username"}
	for _, f := range t.Fields() {
		if !slices.Contains(userFields, f) {
			return nil, fmt.Errorf("sqlstore: Options.Users keeps an unknown User field %q (want the JSON names of socialauth.User's fields)", f)
		}
		if !slices.Contains(kept, f) {
			kept = append(kept, f)
		}
	}
	return kept, nil
}

// UserFields returns the JSON names of the [socialauth.User] fields the
// store keeps: all of them over its own users table, "id", "username" and
// those of UserTable.Fields over the host's. The login pipeline's
// user_details step asks for it, so as not to update a field the table
// does not keep. The slice is the caller's.
func (s *Store) UserFields() []string { return slices.Clone(s.userFields) }

// GetUser implements socialauth.UserStore.
func (s *Store) GetUser(ctx context.Context, id string) (*socialauth.User, error) {
	return s.users.GetUser(ctx, s.q, id)
}

// UsersByEmail implements socialauth.UserStore.
func (s *Store) UsersByEmail(ctx context.Context, email string) ([]*socialauth.User, error) {
	if email == "" {
		return []*socialauth.User{}, nil
	}
	users, err := s.users.UsersByEmail(ctx, s.q, email)
	if users == nil && err == nil {
		users = []*socialauth.User{}
	}
	return users, err
}

// UsernameExists implements socialauth.UserStore.
func (s *Store) UsernameExists(ctx context.Context, username string) (bool, error) {
	return s.users.UsernameExists(ctx, s.q, username)
}

// CreateUser implements socialauth.UserStore.
func (s *Store) CreateUser(ctx context.Context, u *socialauth.User) (*socialauth.User, error) {
	release, err := s.enterLane(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return s.createUser(ctx, s.q, u)
}

func (s *Store) createUser(ctx context.Context, q Querier, u *socialauth.User) (*socialauth.User, error) {
	c := *u
	c.ID = ""
	c.CreatedAt = s.clock()
	c.UpdatedAt = c.CreatedAt
	nu, err := s.users.CreateUser(ctx, q, &c)
	if isUniqueViolation(err) {
		return nil, alreadyExists("username")
	}
	return nu, err
}

// UpdateUser implements socialauth.UserStore.
func (s *Store) UpdateUser(ctx context.Context, u *socialauth.User) error {
	c := *u
	c.UpdatedAt = s.clock()
	release, err := s.enterLane(ctx)
	if err != nil {
		return err
	}
	defer release()
	err = s.users.UpdateUser(ctx, s.q, &c)
	if isUniqueViolation(err) {
		return alreadyExists("username")
	}
	return err
}

// ownUsers is the UserTable over the store's own socialauth_users.
type ownUsers struct{ dialect Dialect }

const userColumns = `id, username, email, email_verified, full_name, first_name, last_name, avatar_url, is_active, created_at, updated_at`

// Fields implements UserTable: the store's own table keeps every field.
func (o *ownUsers) Fields() []string { return userFields }

type scanner interface{ Scan(dest ...any) error }

// scanAll reads every row of a query's result with scan, into a slice
// (empty, not nil, when there is none).
func scanAll[T any](rows *sql.Rows, err error, scan func(scanner) (*T, error)) ([]*T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func scanUser(row scanner) (*socialauth.User, error) {
	var (
		u  socialauth.User
		id int64
	)
	err := row.Scan(&id, &u.Username, &u.Email, &u.EmailVerified, &u.FullName, &u.FirstName, &u.LastName,
		&u.AvatarURL, &u.IsActive, dbTime{&u.CreatedAt}, dbTime{&u.UpdatedAt})
	if err != nil {
		return nil, err
	}
	u.ID = strconv.FormatInt(id, 10)
	return &u, nil
}

// parseID reads an ID the store rendered; ok is false for anything else.
func parseID(id string) (int64, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	return n, err == nil && n > 0 && strconv.FormatInt(n, 10) == id
}

func (o *ownUsers) GetUser(ctx context.Context, q Querier, id string) (*socialauth.User, error) {
	n, ok := parseID(id)
	if !ok {
		return nil, notFound("user")
	}
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM socialauth_users WHERE id = $1`, n))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user")
	}
	return u, err
}

func (o *ownUsers) UsersByEmail(ctx context.Context, q Querier, email string) ([]*socialauth.User, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+userColumns+` FROM socialauth_users WHERE email_key = $1 ORDER BY created_at, id`,
		socialauth.EmailKey(email))
	return scanAll(rows, err, scanUser)
}

func (o *ownUsers) UsernameExists(ctx context.Context, q Querier, username string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM socialauth_users WHERE username = $1`, username).Scan(&n)
	return n > 0, err
}

func (o *ownUsers) CreateUser(ctx context.Context, q Querier, u *socialauth.User) (*socialauth.User, error) {
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO socialauth_users
		(username, email, email_key, email_verified, full_name, first_name, last_name, avatar_url, is_active, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		u.Username, u.Email, socialauth.EmailKey(u.Email), u.EmailVerified, u.FullName, u.FirstName, u.LastName,
		u.AvatarURL, u.IsActive, ts(o.dialect, u.CreatedAt), ts(o.dialect, u.UpdatedAt)).Scan(&id)
	if err != nil {
		return nil, err
	}
	c := *u
	c.ID = strconv.FormatInt(id, 10)
	return &c, nil
}

func (o *ownUsers) UpdateUser(ctx context.Context, q Querier, u *socialauth.User) error {
	n, ok := parseID(u.ID)
	if !ok {
		return notFound("user")
	}
	res, err := q.ExecContext(ctx, `UPDATE socialauth_users SET
		username = $1, email = $2, email_key = $3, email_verified = $4, full_name = $5, first_name = $6,
		last_name = $7, avatar_url = $8, is_active = $9, updated_at = $10 WHERE id = $11`,
		u.Username, u.Email, socialauth.EmailKey(u.Email), u.EmailVerified, u.FullName, u.FirstName,
		u.LastName, u.AvatarURL, u.IsActive, ts(o.dialect, u.UpdatedAt), n)
	return affectedOne(res, err, "user")
}

// affectedOne turns an UPDATE or DELETE that matched no row into ErrNotFound.
func affectedOne(res sql.Result, err error, what string) error {
	changed, err := affected(res, err)
	if err == nil && !changed {
		return notFound(what)
	}
	return err
}

// affected reports whether the statement that gave res and err changed a row.
func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
