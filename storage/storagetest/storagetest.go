// Package storagetest checks that a [socialauth.Storage] keeps the
// contracts written in the root package's storage.go, as testing/fstest
// checks an fs.FS. Every store of this module passes it; a host's own store
// should too:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T, now func() time.Time) socialauth.Storage {
//			s := memory.New()
//			s.Now = now
//			return s
//		})
//	}
//
// [Run] covers the role interfaces one by one; [RunLogins] drives real
// logins (socialauth.DoAuth with the stock pipeline and a fake provider on
// 127.0.0.1) through a store: concurrent first logins, and a failure
// injected at each storage call.
package storagetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
)

// NewStore returns an empty store for one test. The store must take its
// time from now (memory.Store.Now, sqlstore.Options.Now), which the suite
// moves to test expiry. It is called from parallel tests; use t.Cleanup to
// release what it opens.
type NewStore func(t *testing.T, now func() time.Time) socialauth.Storage

// Clock is a clock that moves only when told. It is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// epoch is where every test's clock starts: a time with microseconds, the
// precision SQL databases keep.
var epoch = time.Date(2031, 3, 4, 5, 6, 7, 890123000, time.UTC)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	clock *Clock
	s     socialauth.Storage
}

func newFixture(t *testing.T, newStore NewStore) *fixture {
	t.Parallel()
	c := NewClock(epoch)
	s := newStore(t, c.Now)
	require.NotNil(t, s, "newStore returned nil")
	return &fixture{t: t, ctx: context.Background(), clock: c, s: s}
}

// ExactlyOne runs call(0) ... call(n-1) at once and checks that exactly one
// returns nil and every other an error wrapping lose. It returns the index
// of the winner, or -1.
func ExactlyOne(t *testing.T, n int, call func(i int) error, lose error) int {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = call(i) })
	}
	wg.Wait()
	winner, won := -1, 0
	for i, err := range errs {
		if err == nil {
			winner = i
			won++
		} else {
			assert.ErrorIs(t, err, lose, "caller %d", i)
		}
	}
	assert.Equal(t, 1, won, "exactly one concurrent caller succeeds")
	return winner
}

// Run runs the conformance suite against stores made by newStore, one
// fresh store per subtest, the subtests in parallel.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		f    func(*fixture)
	}{
		{"NotFound", testNotFound},
		{"CreateUser", testCreateUser},
		{"UsernameUnique", testUsernameUnique},
		{"AssociationUnique", testAssociationUnique},
		{"UIDByteExact", testUIDByteExact},
		{"UpdateUser", testUpdateUser},
		{"UpdateAssociation", testUpdateAssociation},
		{"DeleteAssociation", testDeleteAssociation},
		{"ExtraDataTypes", testExtraDataTypes},
		{"AssociationsForUserOrder", testAssociationsOrder},
		{"UsersByEmail", testUsersByEmail},
		{"CreateUserWithAssociation", testCreateWithAssociation},
		{"CreateUserWithAssociationAtomic", testCreateWithAssociationAtomic},
		{"UniqueEmail", testUniqueEmail},
		{"Partials", testPartials},
		{"PartialExpiry", testPartialExpiry},
		{"Nonces", testNonces},
		{"Copies", testCopies},
		{"Concurrent", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.f(newFixture(t, newStore)) })
	}
}

// user returns a distinct valid user named name.
func user(name string) *socialauth.User {
	return &socialauth.User{Username: name, Email: name + "@example.com", EmailVerified: true,
		FullName: "Full " + name, FirstName: "First", LastName: name, IsActive: true}
}

func (f *fixture) createUser(name string) *socialauth.User {
	f.t.Helper()
	u, err := f.s.CreateUser(f.ctx, user(name))
	require.NoError(f.t, err)
	return u
}

func (f *fixture) createAssoc(userID, provider, uid string, extra map[string]any) *socialauth.Association {
	f.t.Helper()
	a, err := f.s.CreateAssociation(f.ctx, &socialauth.Association{UserID: userID, Provider: provider, UID: uid, ExtraData: extra})
	require.NoError(f.t, err)
	return a
}

func (f *fixture) usernameExists(name string) bool {
	f.t.Helper()
	ok, err := f.s.UsernameExists(f.ctx, name)
	require.NoError(f.t, err)
	return ok
}

func (f *fixture) usersByEmail(email string) []*socialauth.User {
	f.t.Helper()
	us, err := f.s.UsersByEmail(f.ctx, email)
	require.NoError(f.t, err)
	require.NotNil(f.t, us, "UsersByEmail returns an empty slice, not nil")
	return us
}

func ids[T any](recs []*T, id func(*T) string) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = id(r)
	}
	return out
}

func userIDs(us []*socialauth.User) []string {
	return ids(us, func(u *socialauth.User) string { return u.ID })
}

func assocIDs(as []*socialauth.Association) []string {
	return ids(as, func(a *socialauth.Association) string { return a.ID })
}

// missingID is an id no store of the suite has handed out.
const missingID = "987654321"

func testNotFound(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	u := f.createUser("alice")
	a := f.createAssoc(u.ID, "dev", "1", nil)

	for _, id := range []string{"", missingID, "not-an-id", u.ID + "0", " " + u.ID} {
		got, err := s.GetUser(ctx, id)
		assert.ErrorIs(t, err, socialauth.ErrNotFound, "GetUser(%q)", id)
		assert.Nil(t, got, "GetUser(%q)", id)
	}
	for _, k := range [][2]string{{"dev", "2"}, {"other", "1"}, {"", ""}, {"dev", ""}} {
		got, err := s.GetAssociation(ctx, k[0], k[1])
		assert.ErrorIs(t, err, socialauth.ErrNotFound, "GetAssociation(%q, %q)", k[0], k[1])
		assert.Nil(t, got)
	}
	p, err := s.LoadPartial(ctx, "no-such-token")
	assert.ErrorIs(t, err, socialauth.ErrNotFound, "LoadPartial")
	assert.Nil(t, p)

	assert.ErrorIs(t, s.UpdateUser(ctx, &socialauth.User{ID: missingID, Username: "x"}), socialauth.ErrNotFound, "UpdateUser")
	assert.ErrorIs(t, s.UpdateUser(ctx, &socialauth.User{ID: "not-an-id", Username: "x"}), socialauth.ErrNotFound, "UpdateUser")
	assert.ErrorIs(t, s.UpdateAssociation(ctx, &socialauth.Association{ID: missingID}), socialauth.ErrNotFound, "UpdateAssociation")
	assert.ErrorIs(t, s.DeleteAssociation(ctx, missingID), socialauth.ErrNotFound, "DeleteAssociation")
	assert.ErrorIs(t, s.DeleteAssociation(ctx, "not-an-id"), socialauth.ErrNotFound, "DeleteAssociation")
	na, err := s.CreateAssociation(ctx, &socialauth.Association{UserID: missingID, Provider: "dev", UID: "9"})
	assert.ErrorIs(t, err, socialauth.ErrNotFound, "CreateAssociation for a missing user")
	assert.Nil(t, na)
	_, err = s.GetAssociation(ctx, "dev", "9")
	assert.ErrorIs(t, err, socialauth.ErrNotFound, "a refused association is not stored")

	assert.NoError(t, s.DeletePartial(ctx, "no-such-token"), "deleting a missing partial is not an error")
	assert.Empty(t, f.usersByEmail("nobody@example.com"))
	assert.Empty(t, f.usersByEmail(""), "an empty email matches nobody")
	as, err := s.AssociationsForUser(ctx, missingID)
	require.NoError(t, err)
	assert.NotNil(t, as, "AssociationsForUser returns an empty slice, not nil")
	assert.Empty(t, as)
	assert.False(t, f.usernameExists("nobody"))

	// The records that exist are untouched by all of the above.
	got, err := s.GetAssociation(ctx, "dev", "1")
	require.NoError(t, err)
	assert.Equal(t, a.ID, got.ID)
}

func testCreateUser(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	in := user("alice")
	in.ID = "chosen-by-caller"
	in.Email = "Alice@Example.COM"
	in.EmailVerified = false
	in.IsActive = false
	u, err := s.CreateUser(ctx, in)
	require.NoError(t, err)
	assert.NotEmpty(t, u.ID)
	assert.NotEqual(t, "chosen-by-caller", u.ID, "the store assigns the ID")
	assert.Equal(t, "alice", u.Username)
	assert.Equal(t, "Alice@Example.COM", u.Email, "the email is kept as given")
	assert.False(t, u.EmailVerified)
	assert.False(t, u.IsActive)
	assert.Equal(t, "Full alice", u.FullName)
	assert.Equal(t, "First", u.FirstName)
	assert.Equal(t, "alice", u.LastName)
	assert.True(t, u.CreatedAt.Equal(epoch), "CreatedAt is the store's clock: %v", u.CreatedAt)
	assert.True(t, u.UpdatedAt.Equal(epoch), "UpdatedAt is the store's clock: %v", u.UpdatedAt)

	got, err := s.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assertSameUser(t, u, got)
	assert.True(t, f.usernameExists("alice"))

	v := f.createUser("bob")
	assert.NotEqual(t, u.ID, v.ID)
}

func assertSameUser(t *testing.T, want, got *socialauth.User) {
	t.Helper()
	assert.True(t, want.CreatedAt.Equal(got.CreatedAt), "CreatedAt %v != %v", want.CreatedAt, got.CreatedAt)
	assert.True(t, want.UpdatedAt.Equal(got.UpdatedAt), "UpdatedAt %v != %v", want.UpdatedAt, got.UpdatedAt)
	w, g := *want, *got
	w.CreatedAt, w.UpdatedAt, g.CreatedAt, g.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	assert.Equal(t, w, g)
}

func testUsernameUnique(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	f.createUser("Bob")
	_, err := s.CreateUser(ctx, user("Bob"))
	assert.ErrorIs(t, err, socialauth.ErrAlreadyExists, "a taken username")

	// Usernames are compared exactly: "bob" is another name.
	assert.True(t, f.usernameExists("Bob"))
	assert.False(t, f.usernameExists("bob"))
	assert.False(t, f.usernameExists("Bob "))
	f.createUser("bob")
	assert.True(t, f.usernameExists("bob"))
}

func testAssociationUnique(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	u := f.createUser("alice")
	v := f.createUser("bob")
	f.createAssoc(u.ID, "dev", "42", nil)
	for _, owner := range []string{u.ID, v.ID} {
		_, err := s.CreateAssociation(ctx, &socialauth.Association{UserID: owner, Provider: "dev", UID: "42"})
		assert.ErrorIs(t, err, socialauth.ErrAlreadyExists, "provider+uid taken")
	}
	f.createAssoc(v.ID, "other", "42", nil) // the same uid at another provider is another identity
	for _, a := range []*socialauth.Association{
		{UserID: u.ID, Provider: "", UID: "1"},
		{UserID: u.ID, Provider: "dev", UID: ""},
	} {
		_, err := s.CreateAssociation(ctx, a)
		assert.Error(t, err, "an association needs a provider and a uid")
	}
	as, err := s.AssociationsForUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Len(t, as, 1)
}

func testUIDByteExact(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	uids := []string{"Abc", "abc", "ABC", "abc ", "\u00e9", "e\u0301", "İ", "i"}
	made := map[string]string{}
	for i, uid := range uids {
		u := f.createUser(fmt.Sprint("user", i))
		made[uid] = f.createAssoc(u.ID, "dev", uid, nil).UserID
	}
	for _, uid := range uids {
		a, err := s.GetAssociation(ctx, "dev", uid)
		require.NoError(t, err, "uid %q", uid)
		assert.Equal(t, uid, a.UID, "uid %q comes back byte for byte", uid)
		assert.Equal(t, made[uid], a.UserID, "uid %q is its own identity", uid)
	}
	_, err := s.GetAssociation(ctx, "dev", "aBc")
	assert.ErrorIs(t, err, socialauth.ErrNotFound)
	_, err = s.GetAssociation(ctx, "Dev", "abc")
	assert.ErrorIs(t, err, socialauth.ErrNotFound, "providers are compared exactly too")
}

func testUpdateUser(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	u := f.createUser("alice")
	f.createUser("taken")
	f.clock.Advance(time.Hour)

	ch := *u
	ch.CreatedAt = time.Time{} // ignored
	ch.Username, ch.Email, ch.EmailVerified = "alicia", "Alicia@New.example", false
	ch.FullName, ch.FirstName, ch.LastName, ch.IsActive = "Alicia B", "Alicia", "B", false
	require.NoError(t, s.UpdateUser(ctx, &ch))

	got, err := s.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, u.ID, got.ID)
	assert.True(t, got.CreatedAt.Equal(u.CreatedAt), "CreatedAt is kept")
	assert.True(t, got.UpdatedAt.Equal(epoch.Add(time.Hour)), "UpdatedAt is the store's clock: %v", got.UpdatedAt)
	assert.Equal(t, "alicia", got.Username)
	assert.Equal(t, "Alicia@New.example", got.Email)
	assert.False(t, got.EmailVerified)
	assert.Equal(t, "Alicia B", got.FullName)
	assert.Equal(t, "Alicia", got.FirstName)
	assert.Equal(t, "B", got.LastName)
	assert.False(t, got.IsActive)

	// The username and email indexes moved with the record.
	assert.False(t, f.usernameExists("alice"))
	assert.True(t, f.usernameExists("alicia"))
	assert.Empty(t, f.usersByEmail("alice@example.com"))
	assert.Equal(t, []string{u.ID}, userIDs(f.usersByEmail("alicia@new.EXAMPLE")))
	f.createUser("alice") // the old name is free again

	// A taken username is refused and nothing changes.
	bad := *got
	bad.Username, bad.FullName = "taken", "Changed"
	assert.ErrorIs(t, s.UpdateUser(ctx, &bad), socialauth.ErrAlreadyExists)
	again, err := s.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assertSameUser(t, got, again)

	// UsersByEmail stays oldest first when an older user moves to an email.
	later := user("later")
	later.Email = "moved@example.com"
	lu, err := s.CreateUser(ctx, later)
	require.NoError(t, err)
	mv := *got
	mv.Email = "Moved@Example.com"
	require.NoError(t, s.UpdateUser(ctx, &mv))
	assert.Equal(t, []string{u.ID, lu.ID}, userIDs(f.usersByEmail("moved@example.com")), "oldest first after a move")
	got, err = s.GetUser(ctx, u.ID)
	require.NoError(t, err)

	// Clearing the email removes the user from the email index.
	cl := *got
	cl.Email = ""
	require.NoError(t, s.UpdateUser(ctx, &cl))
	assert.Empty(t, f.usersByEmail("alicia@new.example"))
	assert.Equal(t, []string{lu.ID}, userIDs(f.usersByEmail("moved@example.com")))
}

func testUpdateAssociation(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	u := f.createUser("alice")
	v := f.createUser("bob")
	a := f.createAssoc(u.ID, "dev", "1", map[string]any{"access_token": "old", "keep": "me?"})
	f.clock.Advance(time.Minute)

	ch := *a
	ch.UserID, ch.Provider, ch.UID = v.ID, "other", "2" // only ExtraData changes
	ch.ExtraData = map[string]any{"access_token": "new", "n": json.Number("7")}
	require.NoError(t, s.UpdateAssociation(ctx, &ch))

	got, err := s.GetAssociation(ctx, "dev", "1")
	require.NoError(t, err)
	assert.Equal(t, a.ID, got.ID)
	assert.Equal(t, u.ID, got.UserID)
	assert.Equal(t, map[string]any{"access_token": "new", "n": json.Number("7")}, got.ExtraData, "ExtraData is replaced, not merged")
	assert.Equal(t, "new", got.AccessToken())
	assert.True(t, got.CreatedAt.Equal(a.CreatedAt), "CreatedAt is kept")
	assert.True(t, got.ModifiedAt.Equal(epoch.Add(time.Minute)), "ModifiedAt is the store's clock: %v", got.ModifiedAt)
	_, err = s.GetAssociation(ctx, "other", "2")
	assert.ErrorIs(t, err, socialauth.ErrNotFound)

	ch.ExtraData = nil
	require.NoError(t, s.UpdateAssociation(ctx, &ch))
	got, err = s.GetAssociation(ctx, "dev", "1")
	require.NoError(t, err)
	assert.Empty(t, got.ExtraData)
}

func testDeleteAssociation(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	u := f.createUser("alice")
	a := f.createAssoc(u.ID, "dev", "1", nil)
	b := f.createAssoc(u.ID, "dev", "2", nil)
	require.NoError(t, s.DeleteAssociation(ctx, a.ID))
	_, err := s.GetAssociation(ctx, "dev", "1")
	assert.ErrorIs(t, err, socialauth.ErrNotFound)
	assert.ErrorIs(t, s.DeleteAssociation(ctx, a.ID), socialauth.ErrNotFound, "deleting twice")
	as, err := s.AssociationsForUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{b.ID}, assocIDs(as))
	// The identity is free again.
	c := f.createAssoc(u.ID, "dev", "1", nil)
	assert.NotEqual(t, a.ID, c.ID, "IDs are not reused")
	_, err = s.GetUser(ctx, u.ID)
	assert.NoError(t, err, "the user stays")
}

// extraData holds every type a JSON decode with UseNumber gives.
func extraData() map[string]any {
	return map[string]any{
		"access_token": "tok",
		"big":          json.Number("12345678901234567890"),
		"float":        json.Number("1.50"),
		"exp":          json.Number("1e3"),
		"yes":          true,
		"no":           false,
		"null":         nil,
		"html":         "<a href=\"x\">&amp;</a>",
		"unicode":      "mıke 🎉",
		"map":          map[string]any{"k": "v", "n": json.Number("-1")},
		"list":         []any{"a", json.Number("2"), nil, []any{}, map[string]any{}},
	}
}

func testExtraDataTypes(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	u := f.createUser("alice")
	a := f.createAssoc(u.ID, "dev", "1", extraData())
	assert.Equal(t, extraData(), a.ExtraData, "CreateAssociation's record")
	got, err := s.GetAssociation(ctx, "dev", "1")
	require.NoError(t, err)
	assert.Equal(t, extraData(), got.ExtraData, "GetAssociation's record: the same Go types (json.Number for numbers)")
	as, err := s.AssociationsForUser(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, as, 1)
	assert.Equal(t, extraData(), as[0].ExtraData, "AssociationsForUser's record")

	ch := *got
	require.NoError(t, s.UpdateAssociation(ctx, &ch))
	got, err = s.GetAssociation(ctx, "dev", "1")
	require.NoError(t, err)
	assert.Equal(t, extraData(), got.ExtraData, "after UpdateAssociation")

	_, nu, err := s.CreateUserWithAssociation(ctx, user("bob"), &socialauth.Association{Provider: "dev", UID: "2", ExtraData: extraData()}, socialauth.CreateOptions{})
	require.NoError(t, err)
	assert.Equal(t, extraData(), nu.ExtraData, "CreateUserWithAssociation's record")
}

func testAssociationsOrder(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	u := f.createUser("alice")
	v := f.createUser("bob")
	var want []string
	for i, uid := range []string{"z", "a", "m", "b"} {
		want = append(want, f.createAssoc(u.ID, "dev", uid, nil).ID)
		f.createAssoc(v.ID, "other", uid, nil)
		if i%2 == 1 {
			f.clock.Advance(time.Second) // some share a timestamp, some do not
		}
	}
	as, err := s.AssociationsForUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, want, assocIDs(as), "oldest first")
	for _, a := range as {
		assert.Equal(t, u.ID, a.UserID)
	}
}

func testUsersByEmail(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	mk := func(name, email string, verified bool) *socialauth.User {
		u := user(name)
		u.Email, u.EmailVerified = email, verified
		nu, err := s.CreateUser(ctx, u)
		require.NoError(t, err)
		return nu
	}
	u1 := mk("u1", "Mike@Example.com", true)
	u2 := mk("u2", "mike@example.com", false)
	u3 := mk("u3", "m\u0131ke@example.com", true) // dotless ı
	u4 := mk("u4", "M\u0130KE@example.com", true) // dotted İ
	mk("u5", "", true)

	assert.Equal(t, []string{u1.ID, u2.ID}, userIDs(f.usersByEmail("MIKE@EXAMPLE.COM")), "ASCII case-insensitive, oldest first, unverified too")
	assert.Equal(t, []string{u1.ID, u2.ID}, userIDs(f.usersByEmail("mike@example.com")))
	assert.Equal(t, []string{u3.ID}, userIDs(f.usersByEmail("m\u0131ke@example.com")), "no Unicode folding")
	assert.Equal(t, []string{u3.ID}, userIDs(f.usersByEmail("M\u0131KE@EXAMPLE.COM")))
	assert.Equal(t, []string{u4.ID}, userIDs(f.usersByEmail("m\u0130ke@example.com")))
	assert.Empty(t, f.usersByEmail("mike@example.com "))
	assert.Empty(t, f.usersByEmail("mike@example.co"))
	assert.Empty(t, f.usersByEmail(""), "users without an email are not found by the empty email")
	got := f.usersByEmail("mike@EXAMPLE.com")
	require.Len(t, got, 2)
	assertSameUser(t, u1, got[0])
}

func testCreateWithAssociation(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	in := &socialauth.Association{ID: "chosen", UserID: "chosen", Provider: "dev", UID: "1", ExtraData: map[string]any{"access_token": "t"}}
	u, a, err := s.CreateUserWithAssociation(ctx, user("alice"), in, socialauth.CreateOptions{})
	require.NoError(t, err)
	require.NotNil(t, u)
	require.NotNil(t, a)
	assert.NotEmpty(t, u.ID)
	assert.NotEmpty(t, a.ID)
	assert.NotEqual(t, "chosen", a.ID)
	assert.Equal(t, u.ID, a.UserID, "the association belongs to the new user")
	assert.Equal(t, "dev", a.Provider)
	assert.Equal(t, "1", a.UID)
	assert.True(t, a.CreatedAt.Equal(epoch))
	assert.True(t, a.ModifiedAt.Equal(epoch))
	assert.True(t, u.CreatedAt.Equal(epoch))

	got, err := s.GetAssociation(ctx, "dev", "1")
	require.NoError(t, err)
	assert.Equal(t, a.ID, got.ID)
	assert.Equal(t, u.ID, got.UserID)
	gu, err := s.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assertSameUser(t, u, gu)
	as, err := s.AssociationsForUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{a.ID}, assocIDs(as))
}

func testCreateWithAssociationAtomic(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	first, _, err := s.CreateUserWithAssociation(ctx, user("alice"), &socialauth.Association{Provider: "dev", UID: "1"}, socialauth.CreateOptions{})
	require.NoError(t, err)

	// The identity is taken: no second user is left behind.
	u, a, err := s.CreateUserWithAssociation(ctx, user("bob"), &socialauth.Association{Provider: "dev", UID: "1"}, socialauth.CreateOptions{})
	assert.ErrorIs(t, err, socialauth.ErrAlreadyExists)
	assert.Nil(t, u)
	assert.Nil(t, a)
	assert.False(t, f.usernameExists("bob"), "no user was written")
	assert.Empty(t, f.usersByEmail("bob@example.com"), "no user was written")
	got, err := s.GetAssociation(ctx, "dev", "1")
	require.NoError(t, err)
	assert.Equal(t, first.ID, got.UserID, "the association is untouched")

	// The username is taken: no association is left behind.
	_, _, err = s.CreateUserWithAssociation(ctx, user("alice"), &socialauth.Association{Provider: "dev", UID: "2"}, socialauth.CreateOptions{})
	assert.ErrorIs(t, err, socialauth.ErrAlreadyExists)
	_, err = s.GetAssociation(ctx, "dev", "2")
	assert.ErrorIs(t, err, socialauth.ErrNotFound, "no association was written")
	assert.Len(t, f.usersByEmail("alice@example.com"), 1)

	// An association without a uid: nothing at all.
	_, _, err = s.CreateUserWithAssociation(ctx, user("carol"), &socialauth.Association{Provider: "dev"}, socialauth.CreateOptions{})
	assert.Error(t, err)
	assert.False(t, f.usernameExists("carol"))

	// And the store still works.
	_, _, err = s.CreateUserWithAssociation(ctx, user("bob"), &socialauth.Association{Provider: "dev", UID: "2"}, socialauth.CreateOptions{})
	assert.NoError(t, err)
}

func testUniqueEmail(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	owner := user("alice")
	owner.Email = "Same@Example.com"
	_, err := s.CreateUser(ctx, owner)
	require.NoError(t, err)

	dup := user("bob")
	dup.Email = "same@EXAMPLE.com"
	u, a, err := s.CreateUserWithAssociation(ctx, dup, &socialauth.Association{Provider: "dev", UID: "b"}, socialauth.CreateOptions{UniqueEmail: true})
	assert.ErrorIs(t, err, socialauth.ErrEmailTaken)
	assert.NotErrorIs(t, err, socialauth.ErrAlreadyExists)
	assert.Nil(t, u)
	assert.Nil(t, a)
	assert.False(t, f.usernameExists("bob"), "nothing written")
	_, err = s.GetAssociation(ctx, "dev", "b")
	assert.ErrorIs(t, err, socialauth.ErrNotFound, "nothing written")

	// Another email is free; so is the same one without UniqueEmail.
	other := user("carol")
	_, _, err = s.CreateUserWithAssociation(ctx, other, &socialauth.Association{Provider: "dev", UID: "c"}, socialauth.CreateOptions{UniqueEmail: true})
	assert.NoError(t, err)
	_, _, err = s.CreateUserWithAssociation(ctx, dup, &socialauth.Association{Provider: "dev", UID: "b"}, socialauth.CreateOptions{})
	assert.NoError(t, err)
	assert.Len(t, f.usersByEmail("same@example.com"), 2)

	// Users without an email never collide.
	for i, uid := range []string{"n1", "n2"} {
		nu := user(fmt.Sprint("noemail", i))
		nu.Email = ""
		_, _, err = s.CreateUserWithAssociation(ctx, nu, &socialauth.Association{Provider: "dev", UID: uid}, socialauth.CreateOptions{UniqueEmail: true})
		assert.NoError(t, err)
	}
}

func testPartials(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	p := &socialauth.Partial{Token: "tok-1", Backend: "dev", Step: 4, Data: json.RawMessage(`{"uid":"1","n":1.50}`), Expires: epoch.Add(time.Hour)}
	require.NoError(t, s.SavePartial(ctx, p))
	got, err := s.LoadPartial(ctx, "tok-1")
	require.NoError(t, err)
	assert.Equal(t, "tok-1", got.Token)
	assert.Equal(t, "dev", got.Backend)
	assert.Equal(t, 4, got.Step)
	assert.Equal(t, `{"uid":"1","n":1.50}`, string(got.Data), "Data comes back byte for byte")
	assert.True(t, got.Expires.Equal(p.Expires), "Expires %v != %v", got.Expires, p.Expires)

	_, err = s.LoadPartial(ctx, "TOK-1")
	assert.ErrorIs(t, err, socialauth.ErrNotFound, "tokens are compared exactly")

	// Saving under the same token replaces.
	require.NoError(t, s.SavePartial(ctx, &socialauth.Partial{Token: "tok-1", Backend: "other", Step: 2, Data: json.RawMessage(`{}`), Expires: epoch.Add(2 * time.Hour)}))
	got, err = s.LoadPartial(ctx, "tok-1")
	require.NoError(t, err)
	assert.Equal(t, "other", got.Backend)
	assert.Equal(t, 2, got.Step)
	assert.Equal(t, `{}`, string(got.Data))

	require.NoError(t, s.DeletePartial(ctx, "tok-1"))
	_, err = s.LoadPartial(ctx, "tok-1")
	assert.ErrorIs(t, err, socialauth.ErrNotFound, "deleted")
	assert.NoError(t, s.DeletePartial(ctx, "tok-1"), "deleting twice")
	assert.Error(t, s.SavePartial(ctx, &socialauth.Partial{Backend: "dev", Expires: epoch.Add(time.Hour)}), "a partial needs a token")
}

func testPartialExpiry(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	require.NoError(t, s.SavePartial(ctx, &socialauth.Partial{Token: "a", Backend: "dev", Data: json.RawMessage(`{}`), Expires: epoch.Add(time.Minute)}))
	require.NoError(t, s.SavePartial(ctx, &socialauth.Partial{Token: "b", Backend: "dev", Data: json.RawMessage(`{}`), Expires: epoch.Add(time.Hour)}))
	require.NoError(t, s.SavePartial(ctx, &socialauth.Partial{Token: "past", Backend: "dev", Data: json.RawMessage(`{}`), Expires: epoch.Add(-time.Second)}))
	_, err := s.LoadPartial(ctx, "past")
	assert.ErrorIs(t, err, socialauth.ErrNotFound, "saved already expired")

	f.clock.Advance(time.Minute - time.Microsecond)
	_, err = s.LoadPartial(ctx, "a")
	assert.NoError(t, err, "a microsecond before it expires")
	f.clock.Advance(time.Microsecond)
	_, err = s.LoadPartial(ctx, "a")
	assert.ErrorIs(t, err, socialauth.ErrNotFound, "at its expiry")
	_, err = s.LoadPartial(ctx, "b")
	assert.NoError(t, err)
	f.clock.Advance(time.Hour)
	_, err = s.LoadPartial(ctx, "b")
	assert.ErrorIs(t, err, socialauth.ErrNotFound)

	// An expired partial can be saved again under its token.
	require.NoError(t, s.SavePartial(ctx, &socialauth.Partial{Token: "a", Backend: "dev", Data: json.RawMessage(`{}`), Expires: f.clock.Now().Add(time.Minute)}))
	_, err = s.LoadPartial(ctx, "a")
	assert.NoError(t, err)
}

func testNonces(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	exp := epoch.Add(time.Minute)
	require.NoError(t, s.UseNonce(ctx, "oidc", "n-1", exp))
	assert.ErrorIs(t, s.UseNonce(ctx, "oidc", "n-1", exp), socialauth.ErrAlreadyExists, "single use")
	assert.ErrorIs(t, s.UseNonce(ctx, "oidc", "n-1", exp.Add(time.Hour)), socialauth.ErrAlreadyExists, "a later expiry does not help")
	assert.NoError(t, s.UseNonce(ctx, "jti", "n-1", exp), "another scope")
	assert.NoError(t, s.UseNonce(ctx, "oidc", "N-1", exp), "values are compared exactly")

	f.clock.Advance(time.Minute - time.Microsecond)
	assert.ErrorIs(t, s.UseNonce(ctx, "oidc", "n-1", exp.Add(time.Hour)), socialauth.ErrAlreadyExists, "not yet expired")
	f.clock.Advance(time.Microsecond)
	assert.NoError(t, s.UseNonce(ctx, "oidc", "n-1", exp.Add(time.Hour)), "an expired nonce may be used again")
	assert.ErrorIs(t, s.UseNonce(ctx, "oidc", "n-1", exp.Add(time.Hour)), socialauth.ErrAlreadyExists, "and is single use again")

	// Of concurrent callers exactly one wins.
	ExactlyOne(t, 16, func(int) error { return s.UseNonce(ctx, "race", "same", exp.Add(time.Hour)) }, socialauth.ErrAlreadyExists)
}

func testCopies(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	in := user("alice")
	u, err := s.CreateUser(ctx, in)
	require.NoError(t, err)
	in.Username, in.Email = "mutated", "mutated@example.com"
	u.Username, u.FullName = "mutated", "mutated"
	got, err := s.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "alice", got.Username)
	assert.Equal(t, "Full alice", got.FullName)
	got.Username = "mutated"
	for _, v := range f.usersByEmail("alice@example.com") {
		v.Username = "mutated"
	}
	again, err := s.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "alice", again.Username)
	assert.False(t, f.usernameExists("mutated"))

	extra := map[string]any{"access_token": "t1"}
	a, err := s.CreateAssociation(ctx, &socialauth.Association{UserID: u.ID, Provider: "dev", UID: "1", ExtraData: extra})
	require.NoError(t, err)
	extra["access_token"], extra["added"] = "mutated", "x"
	a.ExtraData["access_token"], a.UID = "mutated", "mutated"
	ga, err := s.GetAssociation(ctx, "dev", "1")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"access_token": "t1"}, ga.ExtraData)
	ga.ExtraData["access_token"] = "mutated"
	as, err := s.AssociationsForUser(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, as, 1)
	assert.Equal(t, "t1", as[0].AccessToken())
	as[0].ExtraData["access_token"] = "mutated"

	upd := map[string]any{"access_token": "t2"}
	require.NoError(t, s.UpdateAssociation(ctx, &socialauth.Association{ID: a.ID, ExtraData: upd}))
	upd["access_token"] = "mutated"
	ga, err = s.GetAssociation(ctx, "dev", "1")
	require.NoError(t, err)
	assert.Equal(t, "t2", ga.AccessToken())

	data := json.RawMessage(`{"a":1}`)
	require.NoError(t, s.SavePartial(ctx, &socialauth.Partial{Token: "p", Backend: "dev", Data: data, Expires: epoch.Add(time.Hour)}))
	data[2] = 'X'
	p, err := s.LoadPartial(ctx, "p")
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(p.Data))
	p.Data[2] = 'Y'
	p, err = s.LoadPartial(ctx, "p")
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(p.Data))
}

func testConcurrent(f *fixture) {
	t, ctx, s := f.t, f.ctx, f.s
	const n = 16

	// One identity, many creators with their own usernames: one wins, the
	// others leave nothing behind.
	winner := ExactlyOne(t, n, func(i int) error {
		_, _, err := s.CreateUserWithAssociation(ctx, user(fmt.Sprint("racer", i)), &socialauth.Association{Provider: "dev", UID: "same"}, socialauth.CreateOptions{})
		return err
	}, socialauth.ErrAlreadyExists)
	for i := range n {
		assert.Equal(t, i == winner, f.usernameExists(fmt.Sprint("racer", i)), "racer %d", i)
	}

	// One email with UniqueEmail, many identities: one user.
	ExactlyOne(t, n, func(i int) error {
		u := user(fmt.Sprint("mail", i))
		u.Email = "shared@example.com"
		_, _, err := s.CreateUserWithAssociation(ctx, u, &socialauth.Association{Provider: "dev", UID: fmt.Sprint("mail", i)}, socialauth.CreateOptions{UniqueEmail: true})
		return err
	}, socialauth.ErrEmailTaken)
	assert.Len(t, f.usersByEmail("shared@example.com"), 1)

	// Independent writers and readers all succeed.
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			u, a, err := s.CreateUserWithAssociation(ctx, user(fmt.Sprint("solo", i)), &socialauth.Association{Provider: "dev", UID: fmt.Sprint("solo", i)}, socialauth.CreateOptions{})
			if !assert.NoError(t, err) {
				return
			}
			a.ExtraData = map[string]any{"access_token": fmt.Sprint("t", i)}
			assert.NoError(t, s.UpdateAssociation(ctx, a))
			u.FullName = fmt.Sprint("Solo ", i)
			assert.NoError(t, s.UpdateUser(ctx, u))
			got, err := s.GetAssociation(ctx, "dev", fmt.Sprint("solo", i))
			if assert.NoError(t, err) {
				assert.Equal(t, u.ID, got.UserID)
				assert.Equal(t, fmt.Sprint("t", i), got.AccessToken())
			}
			_, err = s.UsersByEmail(ctx, u.Email)
			assert.NoError(t, err)
			assert.NoError(t, s.UseNonce(ctx, "solo", fmt.Sprint(i), epoch.Add(time.Hour)))
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range n {
		got, err := s.GetAssociation(ctx, "dev", fmt.Sprint("solo", i))
		require.NoError(t, err)
		assert.False(t, seen[got.UserID], "user IDs are unique")
		seen[got.UserID] = true
	}
}
