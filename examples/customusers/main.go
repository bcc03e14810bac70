// Command customusers shows socialauth keeping a host's existing users
// table: the host's "accounts" table (with a column of its own, plan)
// stays the users table, and the library keeps only the social
// associations, in its own table of the same SQLite database.
//
//	go run ./examples/customusers [-db app.db]
//
// It needs no network: the provider is the development provider
// (backends/devprovider) on 127.0.0.1.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/sqlstore"
	"github.com/go-socialauth/socialauth/storage/sqlstore/sqlite"
)

// accountsSchema is the host's table as it was before socialauth, plus the
// one column socialauth needs: email_key, the indexed socialauth.EmailKey.
const accountsSchema = `
CREATE TABLE IF NOT EXISTS accounts (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	handle         TEXT NOT NULL UNIQUE,
	email          TEXT NOT NULL DEFAULT '',
	email_verified INTEGER NOT NULL DEFAULT 0,
	display_name   TEXT NOT NULL DEFAULT '',
	first_name     TEXT NOT NULL DEFAULT '',
	last_name      TEXT NOT NULL DEFAULT '',
	active         INTEGER NOT NULL DEFAULT 1,
	plan           TEXT NOT NULL DEFAULT 'free',
	joined         DATETIME NOT NULL,
	updated        DATETIME NOT NULL
);
ALTER TABLE accounts ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS accounts_email_key ON accounts (email_key);`

// accounts is the sqlstore.UserTable over the host's table. Every
// statement goes through q: the store's transaction when it has one.
type accounts struct{}

// Fields says which socialauth.User fields the table keeps (every users
// table keeps the ID and username): no avatar column, so a login never
// tries to update one.
func (accounts) Fields() []string {
	return []string{"email", "email_verified", "fullname", "first_name", "last_name", "is_active", "created_at", "updated_at"}
}

const accountColumns = `id, handle, email, email_verified, display_name, first_name, last_name, active, joined, updated`

func scanAccount(row interface{ Scan(...any) error }) (*socialauth.User, error) {
	var (
		u  socialauth.User
		id int64
	)
	err := row.Scan(&id, &u.Username, &u.Email, &u.EmailVerified, &u.FullName, &u.FirstName, &u.LastName, &u.IsActive, &u.CreatedAt, &u.UpdatedAt)
	u.ID = strconv.FormatInt(id, 10)
	return &u, err
}

func (accounts) GetUser(ctx context.Context, q sqlstore.Querier, id string) (*socialauth.User, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != id {
		return nil, fmt.Errorf("account %q: %w", id, socialauth.ErrNotFound)
	}
	u, err := scanAccount(q.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, n))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("account %s: %w", id, socialauth.ErrNotFound)
	}
	return u, err
}

func (accounts) UsersByEmail(ctx context.Context, q sqlstore.Querier, email string) ([]*socialauth.User, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE email_key = ? ORDER BY id`, socialauth.EmailKey(email))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*socialauth.User
	for rows.Next() {
		u, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func (accounts) UsernameExists(ctx context.Context, q sqlstore.Querier, username string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE handle = ?`, username).Scan(&n)
	return n > 0, err
}

func (accounts) CreateUser(ctx context.Context, q sqlstore.Querier, u *socialauth.User) (*socialauth.User, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO accounts (handle, email, email_key, email_verified, display_name,
		first_name, last_name, active, joined, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Username, u.Email, socialauth.EmailKey(u.Email), u.EmailVerified, u.FullName, u.FirstName, u.LastName, u.IsActive, u.CreatedAt, u.UpdatedAt)
	if err != nil {
		return nil, err // a taken handle is a unique violation, which the store maps
	}
	id, err := res.LastInsertId()
	c := *u
	c.ID = strconv.FormatInt(id, 10)
	return &c, err
}

func (accounts) UpdateUser(ctx context.Context, q sqlstore.Querier, u *socialauth.User) error {
	res, err := q.ExecContext(ctx, `UPDATE accounts SET handle = ?, email = ?, email_key = ?, email_verified = ?,
		display_name = ?, first_name = ?, last_name = ?, active = ?, updated = ? WHERE id = ?`,
		u.Username, u.Email, socialauth.EmailKey(u.Email), u.EmailVerified, u.FullName, u.FirstName, u.LastName, u.IsActive, u.UpdatedAt, u.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, fmt.Errorf("account %s: %w", u.ID, socialauth.ErrNotFound))
	}
	return nil
}

// openStore opens the SQLite file at path with the host's table and the
// store over it.
func openStore(ctx context.Context, path string) (*sqlstore.Store, error) {
	db, err := sql.Open(sqlite.DriverName, sqlite.DSN(path))
	if err != nil {
		return nil, err
	}
	var exists int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'accounts'`).Scan(&exists); err != nil {
		db.Close()
		return nil, err
	}
	if exists == 0 {
		if _, err := db.ExecContext(ctx, accountsSchema); err != nil {
			db.Close()
			return nil, err
		}
	}
	store, err := sqlstore.New(ctx, db, sqlstore.SQLite, sqlstore.Options{Users: accounts{}})
	if err != nil {
		db.Close()
		return nil, err
	}
	return store, nil
}

// run logs in twice through the development provider and reports to w.
func run(ctx context.Context, w io.Writer, path string) error {
	store, err := openStore(ctx, path)
	if err != nil {
		return err
	}
	defer store.DB().Close()
	provider := httptest.NewServer(devprovider.Handler())
	defer provider.Close()
	svc, err := socialauth.New(socialauth.Config{
		Backends:   []socialauth.Backend{devprovider.Backend(provider.URL)},
		Storage:    store,
		Pipeline:   pipeline.Default(),
		HTTPClient: provider.Client(),
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "database: %s\n", path)
	for i := 1; i <= 2; i++ {
		res, err := svc.Login(ctx, "dev", "dev-robin")
		if err != nil {
			return err
		}
		// The host loads its own record, with its own columns, by the ID.
		var handle, plan string
		if err := store.DB().QueryRowContext(ctx, `SELECT handle, plan FROM accounts WHERE id = ?`, res.User.ID).Scan(&handle, &plan); err != nil {
			return err
		}
		fmt.Fprintf(w, "login %d: accounts.id=%s handle=%s plan=%s new=%v (via %s uid %s)\n",
			i, res.User.ID, handle, plan, res.IsNew, res.Association.Provider, res.Association.UID)
	}
	var nAccounts, nAssocs, nLibUsers int
	db := store.DB()
	if err := errors.Join(
		db.QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&nAccounts),
		db.QueryRowContext(ctx, `SELECT count(*) FROM socialauth_associations`).Scan(&nAssocs),
		db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'socialauth_users'`).Scan(&nLibUsers),
	); err != nil {
		return err
	}
	fmt.Fprintf(w, "rows: accounts=%d socialauth_associations=%d; socialauth_users tables: %d\n", nAccounts, nAssocs, nLibUsers)
	return nil
}

func main() {
	path := flag.String("db", "", "SQLite file to use (default: a new file in a temporary directory)")
	flag.Parse()
	if err := start(*path); err != nil {
		log.Fatal(err)
	}
}

func start(path string) error {
	if path == "" {
		dir, err := os.MkdirTemp("", "customusers")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "app.db")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return run(ctx, os.Stdout, path)
}
