package logintest

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/pipeline"
)

// Census counts what a store holds, read from its own tables (a SQL
// store's rows, a memory store's maps), not through socialauth.Storage.
type Census struct {
	Users, Associations int
	// UsersWithoutAssociation and AssociationsWithoutUser are half-written
	// logins; in the logins of Run they must stay zero.
	UsersWithoutAssociation, AssociationsWithoutUser int
}

// pat is the person who logs in, at Google (a Workspace address, so that
// Google vouches for the email) and at GitHub.
var pat = backendtest.Identity{UID: "1001", Username: "pat", Email: "Pat@Example.com", EmailVerified: true,
	FirstName: "Pat", LastName: "Doe"}

// withEmailMatching is the stock pipeline that links a login to the user
// with the same verified email.
func withEmailMatching() socialauth.Pipeline {
	return pipeline.Default().InsertAfter("get_username", pipeline.AssociateByEmail())
}

// Run drives real logins through stores made by newStore and checks, after
// each scenario, what census reads from the store newStore returned:
//
//   - 50 concurrent first logins of one identity end with one user and one
//     association, and every caller gets that user;
//   - 50 concurrent first logins of one verified email through two
//     providers, with associate_by_email, end with one user and two
//     associations (two users over a users table that keeps no
//     email_verified, which can link nobody by email);
//   - a storage call that fails, at each call of a first login in turn,
//     leaves no user without an association nor an association without a
//     user, and the next login succeeds;
//   - a returning user whose details and token did not change causes no
//     write call.
func Run(t *testing.T, newStore func(t *testing.T) socialauth.Storage, census func(t *testing.T, st socialauth.Storage) Census) {
	t.Run("FirstLoginRace", func(t *testing.T) { testFirstLoginRace(t, newStore, census) })
	t.Run("FirstLoginByEmailRace", func(t *testing.T) { testEmailRace(t, newStore, census) })
	t.Run("FailureAtEachCall", func(t *testing.T) { testFailures(t, newStore, census) })
	t.Run("ReturningUserNoWrites", func(t *testing.T) { testReturningNoWrites(t, newStore) })
}

// racers is how many logins run at once in the race scenarios.
const racers = 50

// race runs login racers times at once and returns the results; every
// login must succeed.
func race(t *testing.T, login func(i int) (*socialauth.Result, error)) []*socialauth.Result {
	t.Helper()
	res := make([]*socialauth.Result, racers)
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			res[i], errs[i] = login(i)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "login %d", i)
	}
	return res
}

func testFirstLoginRace(t *testing.T, newStore func(*testing.T) socialauth.Storage, census func(*testing.T, socialauth.Storage) Census) {
	t.Parallel()
	st := newStore(t)
	prov := NewProvider(t)
	tok := prov.Token(Google, pat)
	svc := prov.Service(t, st, pipeline.Default())

	res := race(t, func(int) (*socialauth.Result, error) { return Login(context.Background(), svc, Google, tok) })
	created := 0
	for i, r := range res {
		assert.Equal(t, res[0].User.ID, r.User.ID, "login %d got another user", i)
		assert.Equal(t, res[0].Association.ID, r.Association.ID, "login %d got another association", i)
		if r.IsNew {
			created++
		}
	}
	assert.Equal(t, 1, created, "exactly one login created the user")
	assert.Equal(t, Census{Users: 1, Associations: 1}, census(t, st))
	a, err := st.GetAssociation(context.Background(), Google, pat.UID)
	require.NoError(t, err)
	assert.Equal(t, res[0].User.ID, a.UserID)
}

func testEmailRace(t *testing.T, newStore func(*testing.T) socialauth.Storage, census func(*testing.T, socialauth.Storage) Census) {
	t.Parallel()
	st := newStore(t)
	prov := NewProvider(t)
	// One person, two providers; the providers spell the email differently.
	atGitHub := pat
	atGitHub.UID, atGitHub.Username, atGitHub.Email = "2002", "pdoe", "pat@example.com"
	google, github := prov.Token(Google, pat), prov.Token(GitHub, atGitHub)
	svc := prov.Service(t, st, withEmailMatching())
	// A users table that keeps no email_verified cannot say a user's email
	// was verified: associate_by_email links no login to its users, and
	// each identity gets a user of its own.
	linkable := keeps(st, "email") && keeps(st, "email_verified")

	res := race(t, func(i int) (*socialauth.Result, error) {
		if i%2 == 0 {
			return Login(context.Background(), svc, Google, google)
		}
		return Login(context.Background(), svc, GitHub, github)
	})
	for i, r := range res {
		same := res[i%2] // the first login of the same identity
		if linkable {
			same = res[0]
		}
		assert.Equal(t, same.User.ID, r.User.ID, "login %d got another user", i)
	}
	if !linkable {
		assert.NotEqual(t, res[0].User.ID, res[1].User.ID, "linked by an email the store does not know to be verified")
		assert.Equal(t, Census{Users: 2, Associations: 2}, census(t, st))
		return
	}
	assert.Equal(t, Census{Users: 1, Associations: 2}, census(t, st))
	as, err := st.AssociationsForUser(context.Background(), res[0].User.ID)
	require.NoError(t, err)
	assert.Len(t, as, 2)
}

// keeps reports whether st keeps the User field with JSON name field.
func keeps(st socialauth.Storage, field string) bool {
	k, ok := st.(userFieldsKeeper)
	return !ok || slices.Contains(k.UserFields(), field)
}

func testFailures(t *testing.T, newStore func(*testing.T) socialauth.Storage, census func(*testing.T, socialauth.Storage) Census) {
	for name, pl := range map[string]socialauth.Pipeline{"Default": pipeline.Default(), "AssociateByEmail": withEmailMatching()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			prov := NewProvider(t)
			tok := prov.Token(Google, pat)
			for n := 1; ; n++ {
				require.Less(t, n, 50, "the login never got through")
				st := newStore(t)
				f, wrapped := Wrap(st)
				f.FailAt(n)
				svc := prov.Service(t, wrapped, pl)
				_, err := Login(context.Background(), svc, Google, tok)
				c := census(t, st)
				assert.Zero(t, c.UsersWithoutAssociation, "call %d failed: a user without an association", n)
				assert.Zero(t, c.AssociationsWithoutUser, "call %d failed: an association without a user", n)
				assert.Equal(t, c.Users, c.Associations, "call %d failed", n)
				if !f.Fired() {
					require.NoError(t, err)
					assert.Equal(t, Census{Users: 1, Associations: 1}, c)
					require.Greater(t, n, 3, "a first login makes more storage calls than that")
					return
				}
				require.ErrorIs(t, err, ErrInjected, "call %d (%s)", n, f.Calls()[n-1])
				// The failure left the store usable: the login goes through now.
				f.FailAt(0)
				res, err := Login(context.Background(), svc, Google, tok)
				require.NoError(t, err, "the login after the failure of call %d", n)
				assert.Equal(t, tok, res.Association.AccessToken())
				assert.Equal(t, Census{Users: 1, Associations: 1}, census(t, st))
			}
		})
	}
}

func testReturningNoWrites(t *testing.T, newStore func(*testing.T) socialauth.Storage) {
	t.Parallel()
	f, st := Wrap(newStore(t))
	prov := NewProvider(t)
	tok := prov.Token(Google, pat)
	svc := prov.Service(t, st, withEmailMatching())
	first, err := Login(context.Background(), svc, Google, tok)
	require.NoError(t, err)
	require.True(t, first.IsNew)
	require.True(t, slices.ContainsFunc(f.Calls(), func(c string) bool { return slices.Contains(WriteCalls, c) }),
		"the first login's writes are seen: %q", f.Calls())

	f.FailAt(0)
	again, err := Login(context.Background(), svc, Google, tok)
	require.NoError(t, err)
	assert.False(t, again.IsNew)
	assert.Equal(t, first.User.ID, again.User.ID)
	calls := f.Calls()
	assert.NotEmpty(t, calls, "the returning login's reads are seen")
	for _, c := range calls {
		assert.NotContains(t, WriteCalls, c, "a returning user with unchanged data caused a write: %q", calls)
	}
}
