package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/go-socialauth/socialauth"
)

// Querier runs SQL statements. *sql.DB, *sql.Tx and *sql.Conn are each one.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// UserTable is the users role over a table of the host's own, in the
// store's database (see "The host's own users table" in the package doc).
// The store calls it with q, which is either its *sql.DB or the *sql.Tx of
// a transaction it runs (CreateUserWithAssociation, CreateAssociation):
// run every statement through q, never through another connection, so that
// the user and its association are written, or not, together.
//
// The contracts are those of [socialauth.UserStore], with these additions:
//
//   - IDs are opaque strings to the library; render the host's key as one
//     (a decimal, a UUID). GetUser of an id that cannot be one of the
//     table's keys wraps [socialauth.ErrNotFound].
//   - UsersByEmail compares [socialauth.EmailKey] values (keep the key in a
//     column of its own, indexed; SQL's lower() folds more than ASCII).
//   - CreateUser receives u with CreatedAt and UpdatedAt set from the
//     store's clock, and UpdateUser u with UpdatedAt set; store them or
//     ignore them. A taken username may be reported either as an error
//     wrapping [socialauth.ErrAlreadyExists] or as the driver's unique
//     violation, which the store maps.
//
// The methods may be called concurrently.
type UserTable interface {
	GetUser(ctx context.Context, q Querier, id string) (*socialauth.User, error)
	UsersByEmail(ctx context.Context, q Querier, email string) ([]*socialauth.User, error)
	UsernameExists(ctx context.Context, q Querier, username string) (bool, error)
	CreateUser(ctx context.Context, q Querier, u *socialauth.User) (*socialauth.User, error)
	UpdateUser(ctx context.Context, q Querier, u *socialauth.User) error
}

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
	err := s.users.UpdateUser(ctx, s.q, &c)
	if isUniqueViolation(err) {
		return alreadyExists("username")
	}
	return err
}

// ownUsers is the UserTable over the store's own socialauth_users.
type ownUsers struct{ dialect Dialect }

const userColumns = `id, username, email, email_verified, full_name, first_name, last_name, is_active, created_at, updated_at`

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
		&u.IsActive, dbTime{&u.CreatedAt}, dbTime{&u.UpdatedAt})
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
		(username, email, email_key, email_verified, full_name, first_name, last_name, is_active, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		u.Username, u.Email, socialauth.EmailKey(u.Email), u.EmailVerified, u.FullName, u.FirstName, u.LastName,
		u.IsActive, ts(o.dialect, u.CreatedAt), ts(o.dialect, u.UpdatedAt)).Scan(&id)
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
		last_name = $7, is_active = $8, updated_at = $9 WHERE id = $10`,
		u.Username, u.Email, socialauth.EmailKey(u.Email), u.EmailVerified, u.FullName, u.FirstName,
		u.LastName, u.IsActive, ts(o.dialect, u.UpdatedAt), n)
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
