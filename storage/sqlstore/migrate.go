package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFiles embed.FS

// The migrations come in two lines, each versioned on its own, in
// migrations/<dialect>/<line>/: the tables every store has, and the
// store's own users table, which a store over the host's users table
// (Options.Users) never creates.
const (
	coreLine  = "core"
	usersLine = "users"
)

// migration is one embedded file migrations/<dialect>/<line>/NNNN_name.sql.
type migration struct {
	line    string
	version int
	name    string
	sql     string
}

// migrations returns the dialect's migrations of line, oldest first.
func migrations(d Dialect, line string) ([]migration, error) {
	dir := path.Join("migrations", string(d), line)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("sqlstore: bad migration file name %s/%s", line, e.Name())
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{line: line, version: v, name: line + "/" + e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// migrate brings the lines' tables up to date. It holds a lock across the
// check and the changes so that two processes opening one database at once
// apply each migration once: PostgreSQL's session advisory lock (keyed by
// the current schema), SQLite's write lock taken by BEGIN IMMEDIATE (the
// other opener waits out its busy timeout).
func migrate(ctx context.Context, db *sql.DB, d Dialect, lines ...string) error {
	var ms []migration
	for _, l := range lines {
		lm, err := migrations(d, l)
		if err != nil {
			return err
		}
		ms = append(ms, lm...)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	defer conn.Close()
	if err := lockAndApply(ctx, conn, d, ms); err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	return nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS socialauth_migrations (
	line       text NOT NULL,
	version    integer NOT NULL,
	name       text NOT NULL,
	applied_at text NOT NULL,
	PRIMARY KEY (line, version)
)`

func lockAndApply(ctx context.Context, conn *sql.Conn, d Dialect, ms []migration) (err error) {
	if d == PostgreSQL {
		const key = `hashtext('socialauth.migrate:' || current_schema())`
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+key+`)`); err != nil {
			return err
		}
		defer func() {
			// A background context: the lock must go even if ctx is done.
			if _, uerr := conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(`+key+`)`); uerr != nil && err == nil {
				err = uerr
			}
		}()
		if _, err := conn.ExecContext(ctx, createMigrationsTable); err != nil {
			return err
		}
		for _, m := range ms {
			if err := applyPostgres(ctx, conn, m); err != nil {
				return err
			}
		}
		return nil
	}
	// SQLite: one IMMEDIATE transaction for the version table and every
	// pending migration; DDL is transactional in SQLite.
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_, _ = conn.ExecContext(context.Background(), `ROLLBACK`)
		}
	}()
	if _, err := conn.ExecContext(ctx, createMigrationsTable); err != nil {
		return err
	}
	for _, m := range ms {
		applied, err := isApplied(ctx, conn, m)
		if err != nil {
			return err
		}
		if !applied {
			if err := apply(ctx, conn, m); err != nil {
				return err
			}
		}
	}
	_, err = conn.ExecContext(ctx, `COMMIT`)
	return err
}

func applyPostgres(ctx context.Context, conn *sql.Conn, m migration) error {
	applied, err := isApplied(ctx, conn, m)
	if err != nil || applied {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := apply(ctx, tx, m); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func isApplied(ctx context.Context, q Querier, m migration) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM socialauth_migrations WHERE line = $1 AND version = $2`,
		m.line, m.version).Scan(&n)
	return n > 0, err
}

func apply(ctx context.Context, q Querier, m migration) error {
	if _, err := q.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("%s: %w", m.name, err)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO socialauth_migrations (line, version, name, applied_at) VALUES ($1, $2, $3, $4)`,
		m.line, m.version, m.name, time.Now().UTC().Format(time.RFC3339))
	return err
}
