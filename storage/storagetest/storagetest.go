// Package storagetest checks that a [socialauth.Storage] keeps the
// contracts written on the interfaces it implements, as testing/fstest
// checks an fs.FS. Every store of this module passes it; a host's own store
// should too:
//
//	func TestStore(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) socialauth.Storage {
//			return newMyStore(t) // empty; release it with t.Cleanup
//		})
//	}
//
// The suite covers the role interfaces one by one: not found, uniqueness
// (of usernames, of provider identities), byte-exact identities, updates,
// ExtraData round trips, email lookup, the atomic first login, expiry of
// paused logins and nonces, copies, and concurrent callers. It uses only
// the standard library's testing package.
//
// A store over a users table that keeps only some of the [socialauth.User]
// fields says which with a method UserFields() []string, returning their
// JSON names ("id", "username", "email", ...), as storage/sqlstore does
// over a host's table; the suite then checks only those fields. A store
// without the method must keep them all.
package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/go-socialauth/socialauth"
)

// Run runs the conformance suite against stores made by newStore, one new,
// empty store per subtest, the subtests in parallel. newStore is called
// from parallel subtests with the subtest's t; it releases what it opens
// with t.Cleanup. The store must take its time from the real clock: the
// suite checks timestamps against time.Now and expires records an hour
// before or after it.
func Run(t *testing.T, newStore func(t *testing.T) socialauth.Storage) {
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
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			if s == nil {
				t.Fatal("newStore returned nil")
			}
			tc.f(&fixture{t: t, ctx: context.Background(), s: s, kept: keptFields(s)})
		})
	}
}

// fixture is what one subtest works with.
type fixture struct {
	t    *testing.T
	ctx  context.Context
	s    socialauth.Storage
	kept map[string]bool // the User fields the store keeps, by JSON name
}

// userFieldsKeeper is a store that keeps only some User fields.
type userFieldsKeeper interface{ UserFields() []string }

// keptFields is the set of User fields s keeps: those it lists, or all.
func keptFields(s socialauth.Storage) map[string]bool {
	kept := map[string]bool{}
	k, ok := s.(userFieldsKeeper)
	if !ok {
		for _, f := range userFields {
			kept[f.name] = true
		}
		return kept
	}
	for _, name := range k.UserFields() {
		kept[name] = true
	}
	return kept
}

func (f *fixture) keeps(field string) bool { return f.kept[field] }

// userFields are socialauth.User's fields by JSON name, as comparable values.
var userFields = []struct {
	name string
	get  func(*socialauth.User) any
}{
	{"id", func(u *socialauth.User) any { return u.ID }},
	{"username", func(u *socialauth.User) any { return u.Username }},
	{"email", func(u *socialauth.User) any { return u.Email }},
	{"email_verified", func(u *socialauth.User) any { return u.EmailVerified }},
	{"fullname", func(u *socialauth.User) any { return u.FullName }},
	{"first_name", func(u *socialauth.User) any { return u.FirstName }},
	{"last_name", func(u *socialauth.User) any { return u.LastName }},
	{"avatar_url", func(u *socialauth.User) any { return u.AvatarURL }},
	{"is_active", func(u *socialauth.User) any { return u.IsActive }},
	{"created_at", func(u *socialauth.User) any { return u.CreatedAt }},
	{"updated_at", func(u *socialauth.User) any { return u.UpdatedAt }},
}

// sameUser reports, as an error on t, every kept field in which got
// differs from want. Times are compared with Equal.
func (f *fixture) sameUser(want, got *socialauth.User, what string) {
	f.t.Helper()
	if want == nil || got == nil {
		f.t.Errorf("%s: want %v, got %v", what, want, got)
		return
	}
	for _, fl := range userFields {
		if !f.keeps(fl.name) {
			continue
		}
		w, g := fl.get(want), fl.get(got)
		if wt, ok := w.(time.Time); ok {
			if !wt.Equal(g.(time.Time)) {
				f.t.Errorf("%s: %s is %v, want %v", what, fl.name, g, w)
			}
			continue
		}
		if w != g {
			f.t.Errorf("%s: %s is %#v, want %#v", what, fl.name, g, w)
		}
	}
}

// slack is how far from the clock readings around a call a store's
// timestamp may be: stores may round to their precision.
const slack = time.Second

// stamped checks that the store stamped got (a CreatedAt, an UpdatedAt)
// with its clock while the caller's clock read between from and to.
func (f *fixture) stamped(got, from, to time.Time, what string) {
	f.t.Helper()
	if got.Before(from.Add(-slack)) || got.After(to.Add(slack)) {
		f.t.Errorf("%s is %v, want the store's clock at the call (between %v and %v)", what, got, from, to)
	}
}

// longAgo is a time no store clock reads: a caller's CreatedAt or
// UpdatedAt that the store must replace with its own.
var longAgo = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)

// user returns a distinct valid user named name, with every field set.
func user(name string) *socialauth.User {
	return &socialauth.User{Username: name, Email: name + "@example.com", EmailVerified: true,
		FullName: "Full " + name, FirstName: "First", LastName: name, AvatarURL: "https://example.com/" + name + ".png",
		IsActive: true}
}

func (f *fixture) createUser(name string) *socialauth.User {
	f.t.Helper()
	u, err := f.s.CreateUser(f.ctx, user(name))
	f.must(err, "CreateUser(%q)", name)
	return u
}

func (f *fixture) createAssoc(userID, provider, uid string, extra map[string]any) *socialauth.Association {
	f.t.Helper()
	a, err := f.s.CreateAssociation(f.ctx, &socialauth.Association{UserID: userID, Provider: provider, UID: uid, ExtraData: extra})
	f.must(err, "CreateAssociation(%q, %q)", provider, uid)
	return a
}

func (f *fixture) usernameExists(name string) bool {
	f.t.Helper()
	ok, err := f.s.UsernameExists(f.ctx, name)
	f.must(err, "UsernameExists(%q)", name)
	return ok
}

func (f *fixture) usersByEmail(email string) []*socialauth.User {
	f.t.Helper()
	us, err := f.s.UsersByEmail(f.ctx, email)
	f.must(err, "UsersByEmail(%q)", email)
	if us == nil {
		f.t.Errorf("UsersByEmail(%q) returned a nil slice, want an empty one", email)
	}
	return us
}

func (f *fixture) getUser(id string) *socialauth.User {
	f.t.Helper()
	u, err := f.s.GetUser(f.ctx, id)
	f.must(err, "GetUser(%q)", id)
	return u
}

func (f *fixture) getAssoc(provider, uid string) *socialauth.Association {
	f.t.Helper()
	a, err := f.s.GetAssociation(f.ctx, provider, uid)
	f.must(err, "GetAssociation(%q, %q)", provider, uid)
	return a
}

func (f *fixture) assocsFor(userID string) []*socialauth.Association {
	f.t.Helper()
	as, err := f.s.AssociationsForUser(f.ctx, userID)
	f.must(err, "AssociationsForUser(%q)", userID)
	if as == nil {
		f.t.Errorf("AssociationsForUser(%q) returned a nil slice, want an empty one", userID)
	}
	return as
}

func userIDs(us []*socialauth.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	return out
}

func assocIDs(as []*socialauth.Association) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// missingID is an id no store of the suite has handed out.
const missingID = "987654321"
