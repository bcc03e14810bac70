package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/internal/logintest"
	"github.com/go-socialauth/socialauth/storage/sqlstore"
	"github.com/go-socialauth/socialauth/storage/sqlstore/postgres"
	"github.com/go-socialauth/socialauth/storage/sqlstore/sqlite"
)

// The benchmarks log in through a backend whose provider answers in
// process (no HTTP), so that what they measure is the library and the
// database: the pipeline and its queries.
//
//	go test -run '^$' -bench . -benchtime 2s ./storage/sqlstore/
//
// The 1,000,000-user databases are seeded once and kept for reruns: the
// SQLite file under os.TempDir(), the PostgreSQL schema in the test
// server, both named after benchSeedVersion and the size. (Opening a kept
// seed applies any newer migrations to it.)

var benchSizes = []int{1_000, 1_000_000}

// benchSeedVersion names the kept seeds; bump it when the seed SQL changes.
const benchSeedVersion = 2

// benchBackend's token "tok-<n>" belongs to uid "<n>", whose seeded user
// and association hold exactly what a login with it would write.
func benchBackend() socialauth.Backend {
	return backends.NewOAuth2(backends.Provider{
		Name: "dev",
		UserInfo: func(_ context.Context, _ *http.Client, token string) (*socialauth.Profile, error) {
			uid := strings.TrimPrefix(token, "tok-")
			return &socialauth.Profile{UID: uid, Details: socialauth.Details{
				Username: "user" + uid, Email: "user" + uid + "@example.com", EmailVerified: true, FullName: "User " + uid,
			}}, nil
		},
	})
}

// benchLogin returns the login a host's exchange endpoint runs for a token
// of benchBackend, over st.
func benchLogin(b *testing.B, st socialauth.Storage) func(token string) (*socialauth.Result, error) {
	b.Helper()
	svc, err := socialauth.New(socialauth.Config{Backends: []socialauth.Backend{benchBackend()}, Storage: st, Pipeline: pipeline.Default()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	return func(token string) (*socialauth.Result, error) { return svc.Login(ctx, "dev", token) }
}

// benchSpreads are how many distinct users the returning logins cycle
// through: one user logging in again and again, or 4096 users spread over
// the whole table (which, at 1,000,000 users, no longer fits SQLite's
// default 2 MB page cache).
var benchSpreads = []int{1, 4096}

// benchTokens are the tokens of spread users picked over the whole table.
func benchTokens(n, spread int) []string {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	out := make([]string, spread)
	for i := range out {
		out[i] = "tok-" + strconv.Itoa(rng.IntN(n)+1)
	}
	return out
}

const (
	seedSQLiteUsers = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
		INSERT INTO socialauth_users (id, username, email, email_key, email_verified, full_name, first_name, last_name, is_active, created_at, updated_at)
		SELECT i, 'user' || i, 'user' || i || '@example.com', 'user' || i || '@example.com', 1, 'User ' || i, 'User', CAST(i AS TEXT), 1, $2, $2 FROM n`
	seedSQLiteAssocs = `INSERT INTO socialauth_associations (user_id, provider, uid, extra_data, created_at, modified_at)
		SELECT CAST(id AS TEXT), 'dev', CAST(id AS TEXT), '{"access_token":"tok-' || id || '","token_type":"Bearer"}', $1, $1
		FROM socialauth_users ORDER BY id`
	seedPostgresUsers = `INSERT INTO socialauth_users (id, username, email, email_key, email_verified, full_name, first_name, last_name, is_active, created_at, updated_at)
		OVERRIDING SYSTEM VALUE
		SELECT i, 'user' || i, 'user' || i || '@example.com', 'user' || i || '@example.com', true, 'User ' || i, 'User', i::text, true, $2, $2
		FROM generate_series(1, $1::bigint) AS i`
	seedPostgresAssocs = `INSERT INTO socialauth_associations (user_id, provider, uid, extra_data, created_at, modified_at)
		SELECT id::text, 'dev', id::text, json_build_object('access_token', 'tok-' || id, 'token_type', 'Bearer'), $1, $1
		FROM socialauth_users ORDER BY id`
)

// seededSQLite returns a store over a SQLite file with n seeded users,
// seeding it into os.TempDir() on first use.
func seededSQLite(b *testing.B, n int) *sqlstore.Store {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("socialauth-bench-v%d-%d.db", benchSeedVersion, n))
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		tmp := path + ".seeding"
		os.Remove(tmp)
		s, err := sqlite.Open(ctx, tmp, sqlstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		err = inTx(s.DB(), seedSQLiteUsers, seedSQLiteAssocs, n, time.Now().UnixMicro())
		if err == nil {
			_, err = s.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
		}
		s.Close()
		if err == nil {
			err = os.Rename(tmp, path)
		}
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("seeded %d users into %s in %v", n, path, time.Since(start).Round(time.Millisecond))
	}
	s, err := sqlite.Open(ctx, path, sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// inTx runs the seed statements in one transaction: users (with n and
// now), then associations (with now), then any more statements with n.
func inTx(db *sql.DB, users, assocs string, n int, now any, more ...string) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	_, err = tx.Exec(users, n, now)
	if err == nil {
		_, err = tx.Exec(assocs, now)
	}
	for _, q := range more {
		if err == nil {
			_, err = tx.Exec(q, n)
		}
	}
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// seededPostgres returns a store over a kept schema with n seeded users.
func seededPostgres(b *testing.B, n int) *sqlstore.Store {
	b.Helper()
	ctx := context.Background()
	dsn := postgresDSN(b)
	schema := fmt.Sprintf("socialauth_bench_v%d_%d", benchSeedVersion, n)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	var have int
	err = admin.QueryRow(`SELECT count(*) FROM ` + schema + `.socialauth_associations`).Scan(&have)
	if err != nil || have != n {
		start := time.Now()
		if _, err := admin.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE; CREATE SCHEMA ` + schema); err != nil {
			b.Fatal(err)
		}
		s, err := postgres.Open(ctx, withSearchPath(b, dsn, schema), sqlstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		err = inTx(s.DB(), seedPostgresUsers, seedPostgresAssocs, n, time.Now().UTC(),
			`SELECT setval(pg_get_serial_sequence('socialauth_users', 'id'), $1)`)
		if err == nil {
			_, err = s.DB().Exec(`ANALYZE`)
		}
		s.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("seeded %d users into schema %s in %v", n, schema, time.Since(start).Round(time.Millisecond))
	}
	s, err := postgres.Open(ctx, withSearchPath(b, dsn, schema), sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

var benchDialects = []struct {
	name   string
	seeded func(*testing.B, int) *sqlstore.Store
}{
	{"SQLite", seededSQLite},
	{"PostgreSQL", seededPostgres},
}

// BenchmarkReturningLogin is DoAuth for a returning user whose data did
// not change (two SELECTs, no write), among 1,000 or 1,000,000 users.
func BenchmarkReturningLogin(b *testing.B) {
	for _, d := range benchDialects {
		for _, n := range benchSizes {
			for _, spread := range benchSpreads {
				b.Run(fmt.Sprintf("%s/users=%d/spread=%d", d.name, n, spread), func(b *testing.B) {
					login := benchLogin(b, d.seeded(b, n))
					tokens := benchTokens(n, spread)
					for _, tok := range tokens[:min(8, len(tokens))] { // the seed is what a login writes: no update, not new
						res, err := login(tok)
						if err != nil || res.IsNew {
							b.Fatalf("warm-up login %s: new=%v err=%v", tok, res != nil && res.IsNew, err)
						}
					}
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						if _, err := login(tokens[i%len(tokens)]); err != nil {
							b.Fatal(err)
						}
						i++
					}
				})
			}
		}
	}
}

// BenchmarkReturningLoginFloor is the floor beside BenchmarkReturningLogin:
// the same two SELECTs written by hand with database/sql (prepared once),
// no library.
func BenchmarkReturningLoginFloor(b *testing.B) {
	for _, d := range benchDialects {
		for _, n := range benchSizes {
			for _, spread := range benchSpreads {
				b.Run(fmt.Sprintf("%s/users=%d/spread=%d", d.name, n, spread), func(b *testing.B) {
					db := d.seeded(b, n).DB()
					assocQ, err := db.Prepare(`SELECT id, user_id, provider, uid, extra_data, created_at, modified_at FROM socialauth_associations WHERE provider = $1 AND uid = $2`)
					if err != nil {
						b.Fatal(err)
					}
					userQ, err := db.Prepare(`SELECT id, username, email, email_verified, full_name, first_name, last_name, is_active, created_at, updated_at FROM socialauth_users WHERE id = $1`)
					if err != nil {
						b.Fatal(err)
					}
					tokens := benchTokens(n, spread)
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						uid := strings.TrimPrefix(tokens[i%len(tokens)], "tok-")
						var (
							id, userID, provider, auid, username, email, full, first, last string
							extra                                                          []byte
							created, modified, ucreated, uupdated                          any
							verified, active                                               bool
						)
						if err := assocQ.QueryRow("dev", uid).
							Scan(&id, &userID, &provider, &auid, &extra, &created, &modified); err != nil {
							b.Fatal(err)
						}
						uidN, _ := strconv.ParseInt(userID, 10, 64)
						if err := userQ.QueryRow(uidN).
							Scan(&id, &username, &email, &verified, &full, &first, &last, &active, &ucreated, &uupdated); err != nil {
							b.Fatal(err)
						}
						i++
					}
				})
			}
		}
	}
}

// BenchmarkFirstLogin is DoAuth for a new identity: the lookups, the
// username check, one transaction inserting the user and the association,
// and the UPDATE of load_extra_data.
func BenchmarkFirstLogin(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(*testing.B) *sqlstore.Store
	}{
		{"SQLite", func(b *testing.B) *sqlstore.Store {
			s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "first.db"), sqlstore.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s
		}},
		{"PostgreSQL", func(b *testing.B) *sqlstore.Store {
			s, err := postgres.Open(context.Background(), newSchema(b), sqlstore.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s
		}},
	} {
		b.Run(d.name, func(b *testing.B) {
			login := benchLogin(b, d.open(b))
			var next atomic.Int64
			b.ReportAllocs()
			for b.Loop() {
				res, err := login("tok-" + strconv.FormatInt(next.Add(1), 10))
				if err != nil || !res.IsNew {
					b.Fatalf("first login: %v", err)
				}
			}
		})
	}
}

// The benchmark's seed must be exactly what a login writes, or the
// returning-login benchmark would measure UPDATEs: checked at a small size
// in the normal test run.
func TestBenchSeedMatchesLogin(t *testing.T) {
	for _, d := range []struct {
		name         string
		open         func(*testing.T, sqlstore.Options) *sqlstore.Store
		users, assoc string
		now          any
	}{
		{"SQLite", openSQLite, seedSQLiteUsers, seedSQLiteAssocs, time.Now().UnixMicro()},
		{"PostgreSQL", openPostgres, seedPostgresUsers, seedPostgresAssocs, time.Now().UTC()},
	} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			s := d.open(t, sqlstore.Options{})
			if err := inTx(s.DB(), d.users, d.assoc, 20, d.now); err != nil {
				t.Fatal(err)
			}
			f, st := logintest.Wrap(s)
			svc, err := socialauth.New(socialauth.Config{Backends: []socialauth.Backend{benchBackend()}, Storage: st, Pipeline: pipeline.Default()})
			if err != nil {
				t.Fatal(err)
			}
			res, err := logintest.Login(context.Background(), svc, "dev", "tok-17")
			if err != nil || res.IsNew || res.User.Username != "user17" {
				t.Fatalf("login as seeded user 17: %+v, %v", res, err)
			}
			if calls := f.Calls(); len(calls) != 2 {
				t.Errorf("a seeded user's login made %q, want only the two lookups", calls)
			}
		})
	}
}
