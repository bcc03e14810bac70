package sqlstore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/storage/sqlstore"
	"github.com/go-socialauth/socialauth/storage/sqlstore/sqlite"
)

// The writers of one process never wait for each other in SQLite's busy
// handler, which polls with sleeps of up to 100 ms and makes the tail of a
// write-heavy load a hundred times its median: they queue in the store.
// Seen with the busy timeout at zero, where a writer that found the lock
// taken would fail at once with SQLITE_BUSY ("database is locked"): every
// kind of write, from many goroutines at once, succeeds.
func TestSQLiteWritersQueueInProcess(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lane.db")+"?_pragma=busy_timeout(0)", sqlstore.Options{})
	require.NoError(t, err)
	defer s.Close()
	var timeout int
	require.NoError(t, s.DB().QueryRow(`PRAGMA busy_timeout`).Scan(&timeout))
	require.Zero(t, timeout, "the busy handler is off")

	const writers, rounds = 16, 12
	errs := make(chan error, writers*rounds*10)
	check := func(what string, err error) {
		if err != nil {
			errs <- fmt.Errorf("%s: %w", what, err)
		}
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				id := fmt.Sprintf("%d-%d", w, r)
				u, a, err := s.CreateUserWithAssociation(ctx, &socialauth.User{Username: "u" + id, Email: id + "@example.com"},
					&socialauth.Association{Provider: "dev", UID: id}, socialauth.CreateOptions{UniqueEmail: true})
				check("CreateUserWithAssociation", err)
				if err != nil {
					continue
				}
				u.FullName = "User " + id
				check("UpdateUser", s.UpdateUser(ctx, u))
				a.ExtraData = map[string]any{"round": r}
				check("UpdateAssociation", s.UpdateAssociation(ctx, a))
				second, err := s.CreateAssociation(ctx, &socialauth.Association{UserID: u.ID, Provider: "other", UID: id})
				check("CreateAssociation", err)
				if err == nil {
					check("DeleteAssociation", s.DeleteAssociation(ctx, second.ID))
				}
				_, err = s.CreateUser(ctx, &socialauth.User{Username: "solo" + id})
				check("CreateUser", err)
				check("UseNonce", s.UseNonce(ctx, "lane", id, time.Now().Add(time.Hour)))
				check("SavePartial", s.SavePartial(ctx, &socialauth.Partial{Token: id, Backend: "dev", Step: 1,
					Data: json.RawMessage(`{}`), Expires: time.Now().Add(time.Hour)}))
				check("DeletePartial", s.DeletePartial(ctx, id))
			}
		})
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if failed++; failed <= 5 {
			t.Error(err)
		}
	}
	require.Zero(t, failed, "writes that failed")
	var users, assocs, nonces int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM socialauth_users`).Scan(&users))
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM socialauth_associations`).Scan(&assocs))
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM socialauth_nonces`).Scan(&nonces))
	assert.Equal(t, 2*writers*rounds, users)
	assert.Equal(t, writers*rounds, assocs)
	assert.Equal(t, writers*rounds, nonces)
}

// gatedMembers is the host's members table whose CreateUser, inside the
// store's transaction, tells entered and then waits for proceed: it holds
// the store's write lane for as long as a test wants.
type gatedMembers struct {
	members
	entered chan struct{}
	proceed chan struct{}
}

func (g gatedMembers) CreateUser(ctx context.Context, q sqlstore.Querier, u *socialauth.User) (*socialauth.User, error) {
	g.entered <- struct{}{}
	<-g.proceed
	return g.members.CreateUser(ctx, q, u)
}

// A writer waiting in the lane gives up when its context ends, having
// written nothing, and the writers behind it go on; when the lane frees,
// the next writer goes in.
func TestSQLiteWriteLaneHonoursContext(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open(sqlite.DriverName, sqlite.DSN(filepath.Join(t.TempDir(), "gated.db")))
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(membersSchema[sqlstore.SQLite])
	require.NoError(t, err)
	gate := gatedMembers{members: members{dialect: sqlstore.SQLite, fields: []string{"email"}},
		entered: make(chan struct{}), proceed: make(chan struct{})}
	s, err := sqlstore.New(ctx, db, sqlstore.SQLite, sqlstore.Options{Users: gate})
	require.NoError(t, err)

	first := make(chan error, 1)
	go func() {
		_, _, err := s.CreateUserWithAssociation(ctx, &socialauth.User{Username: "first"},
			&socialauth.Association{Provider: "dev", UID: "first"}, socialauth.CreateOptions{})
		first <- err
	}()
	<-gate.entered // the first writer is in its transaction, in the lane

	waiting, cancel := context.WithCancel(ctx)
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- s.UseNonce(waiting, "lane", "cancelled", time.Now().Add(time.Hour)) }()
	next := make(chan error, 1)
	go func() { next <- s.UseNonce(ctx, "lane", "next", time.Now().Add(time.Hour)) }()
	select {
	case err := <-gaveUp:
		t.Fatalf("a writer went on while another held the lane: %v", err)
	case err := <-next:
		t.Fatalf("a writer went on while another held the lane: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	select {
	case err := <-gaveUp:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled writer kept waiting for the lane")
	}

	close(gate.proceed)
	require.NoError(t, <-first)
	require.NoError(t, <-next, "the writer behind the cancelled one")
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM socialauth_nonces WHERE value = 'cancelled'`).Scan(&n))
	assert.Zero(t, n, "the cancelled writer wrote")
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM socialauth_nonces WHERE value = 'next'`).Scan(&n))
	assert.Equal(t, 1, n)
}
