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

// migration is one embedded file migrations/<dialect>/NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// SchemaVersion is the version of the newest embedded migration: the
// schema a store has once it is open.
const SchemaVersion = 1

func migrations(d Dialect) ([]migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("sqlstore: bad migration file name %s", e.Name())
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// migrate brings the schema up to date. It holds a lock across the check and
// the changes so that two processes opening one database at once apply each
// migration once: PostgreSQL's session advisory lock (keyed by the current
// schema), SQLite's write lock taken by BEGIN IMMEDIATE (the other opener
// waits out its busy timeout).
func migrate(ctx context.Context, db *sql.DB, d Dialect) error {
	ms, err := migrations(d)
	if err != nil {
		return err
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

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS socialauth_schema_migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at text NOT NULL
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
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM socialauth_schema_migrations WHERE version = $1`, m.version).Scan(&n)
	return n > 0, err
}

func apply(ctx context.Context, q Querier, m migration) error {
	if _, err := q.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("%s: %w", m.name, err)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO socialauth_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.version, m.name, time.Now().UTC().Format(time.RFC3339))
	return err
}
