package storagetest

import (
	"fmt"
	"sync"
	"time"

	"github.com/go-socialauth/socialauth"
)

func testCreateWithAssociation(f *fixture) {
	in := &socialauth.Association{ID: "chosen", UserID: "chosen", Provider: "dev", UID: "1", ExtraData: map[string]any{"access_token": "t"}}
	before := time.Now()
	u, a, err := f.s.CreateUserWithAssociation(f.ctx, user("alice"), in, socialauth.CreateOptions{})
	after := time.Now()
	f.must(err, "CreateUserWithAssociation")
	if u == nil || a == nil {
		f.t.Fatalf("CreateUserWithAssociation returned user %v and association %v with no error", u, a)
	}
	f.check(u.ID != "", "the new user has no ID")
	f.check(a.ID != "" && a.ID != "chosen", "the store assigns the association's ID; got %q", a.ID)
	f.check(a.UserID == u.ID, "the association belongs to user %q, not to the new user %q", a.UserID, u.ID)
	f.check(a.Provider == "dev" && a.UID == "1", "the association is %q/%q, want dev/1", a.Provider, a.UID)
	f.stamped(a.CreatedAt, before, after, "the association's CreatedAt")
	f.stamped(a.ModifiedAt, before, after, "the association's ModifiedAt")
	if f.keeps("created_at") {
		f.stamped(u.CreatedAt, before, after, "the user's CreatedAt")
	}

	got := f.getAssoc("dev", "1")
	f.check(got.ID == a.ID && got.UserID == u.ID, "GetAssociation returned %+v, want ID %q of user %q", got, a.ID, u.ID)
	f.sameUser(u, f.getUser(u.ID), "GetUser of the new user")
	f.sameIDs(assocIDs(f.assocsFor(u.ID)), []string{a.ID}, "AssociationsForUser of the new user")
}

func testCreateWithAssociationAtomic(f *fixture) {
	first, _, err := f.s.CreateUserWithAssociation(f.ctx, user("alice"), &socialauth.Association{Provider: "dev", UID: "1"}, socialauth.CreateOptions{})
	f.must(err, "CreateUserWithAssociation")

	// The identity is taken: no second user is left behind.
	u, a, err := f.s.CreateUserWithAssociation(f.ctx, user("bob"), &socialauth.Association{Provider: "dev", UID: "1"}, socialauth.CreateOptions{})
	f.isErr(err, socialauth.ErrAlreadyExists, "CreateUserWithAssociation of a taken identity")
	f.check(u == nil && a == nil, "a failed CreateUserWithAssociation returned records: %v, %v", u, a)
	f.check(!f.usernameExists("bob"), "the refused user was written")
	if f.keeps("email") {
		f.check(len(f.usersByEmail("bob@example.com")) == 0, "the refused user was written")
	}
	f.check(f.getAssoc("dev", "1").UserID == first.ID, "the taken identity changed owner")

	// The username is taken: no association is left behind.
	_, _, err = f.s.CreateUserWithAssociation(f.ctx, user("alice"), &socialauth.Association{Provider: "dev", UID: "2"}, socialauth.CreateOptions{})
	f.isErr(err, socialauth.ErrAlreadyExists, "CreateUserWithAssociation with a taken username")
	_, err = f.s.GetAssociation(f.ctx, "dev", "2")
	f.isErr(err, socialauth.ErrNotFound, "the refused association was written")

	// An association without a uid: nothing at all.
	_, _, err = f.s.CreateUserWithAssociation(f.ctx, user("carol"), &socialauth.Association{Provider: "dev"}, socialauth.CreateOptions{})
	f.check(err != nil, "CreateUserWithAssociation of an association without a uid succeeded")
	f.check(!f.usernameExists("carol"), "the user of an association without a uid was written")

	// And the store still works.
	_, _, err = f.s.CreateUserWithAssociation(f.ctx, user("bob"), &socialauth.Association{Provider: "dev", UID: "2"}, socialauth.CreateOptions{})
	f.noErr(err, "CreateUserWithAssociation after refusals")
}

func testUniqueEmail(f *fixture) {
	if !f.keeps("email") {
		f.t.Log("the store keeps no email: nothing to check")
		return
	}
	owner := user("alice")
	owner.Email = "Same@Example.com"
	_, err := f.s.CreateUser(f.ctx, owner)
	f.must(err, "CreateUser")

	dup := user("bob")
	dup.Email = "same@EXAMPLE.com"
	u, a, err := f.s.CreateUserWithAssociation(f.ctx, dup, &socialauth.Association{Provider: "dev", UID: "b"}, socialauth.CreateOptions{UniqueEmail: true})
	f.isErr(err, socialauth.ErrEmailTaken, "UniqueEmail with a taken email")
	f.check(u == nil && a == nil, "a failed CreateUserWithAssociation returned records: %v, %v", u, a)
	f.check(!f.usernameExists("bob"), "the refused user was written")
	_, err = f.s.GetAssociation(f.ctx, "dev", "b")
	f.isErr(err, socialauth.ErrNotFound, "the refused association was written")

	// Another email is free; so is the same one without UniqueEmail.
	_, _, err = f.s.CreateUserWithAssociation(f.ctx, user("carol"), &socialauth.Association{Provider: "dev", UID: "c"}, socialauth.CreateOptions{UniqueEmail: true})
	f.noErr(err, "UniqueEmail with a free email")
	_, _, err = f.s.CreateUserWithAssociation(f.ctx, dup, &socialauth.Association{Provider: "dev", UID: "b"}, socialauth.CreateOptions{})
	f.noErr(err, "a taken email without UniqueEmail")
	f.check(len(f.usersByEmail("same@example.com")) == 2, "want two users with the email")

	// Users without an email never collide.
	for i, uid := range []string{"n1", "n2"} {
		nu := user(fmt.Sprint("noemail", i))
		nu.Email = ""
		_, _, err = f.s.CreateUserWithAssociation(f.ctx, nu, &socialauth.Association{Provider: "dev", UID: uid}, socialauth.CreateOptions{UniqueEmail: true})
		f.noErr(err, "UniqueEmail for a user without an email")
	}
}

func testConcurrent(f *fixture) {
	const n = 16

	// One identity, many creators with their own usernames: one wins, the
	// others leave nothing behind.
	winner := f.exactlyOne(n, func(i int) error {
		_, _, err := f.s.CreateUserWithAssociation(f.ctx, user(fmt.Sprint("racer", i)), &socialauth.Association{Provider: "dev", UID: "same"}, socialauth.CreateOptions{})
		return err
	}, socialauth.ErrAlreadyExists)
	for i := range n {
		exists := f.usernameExists(fmt.Sprint("racer", i))
		f.check(exists == (i == winner), "racer %d's user exists: %v; the winner is racer %d", i, exists, winner)
	}

	// One email with UniqueEmail, many identities: one user.
	if f.keeps("email") {
		f.exactlyOne(n, func(i int) error {
			u := user(fmt.Sprint("mail", i))
			u.Email = "shared@example.com"
			_, _, err := f.s.CreateUserWithAssociation(f.ctx, u, &socialauth.Association{Provider: "dev", UID: fmt.Sprint("mail", i)}, socialauth.CreateOptions{UniqueEmail: true})
			return err
		}, socialauth.ErrEmailTaken)
		f.check(len(f.usersByEmail("shared@example.com")) == 1, "want one user with the shared email")
	}

	// Independent writers and readers all succeed.
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			u, a, err := f.s.CreateUserWithAssociation(f.ctx, user(fmt.Sprint("solo", i)), &socialauth.Association{Provider: "dev", UID: fmt.Sprint("solo", i)}, socialauth.CreateOptions{})
			if err != nil {
				f.t.Errorf("solo %d: CreateUserWithAssociation: %v", i, err)
				return
			}
			a.ExtraData = map[string]any{"access_token": fmt.Sprint("t", i)}
			f.noErr(f.s.UpdateAssociation(f.ctx, a), "solo %d: UpdateAssociation", i)
			u.FullName = fmt.Sprint("Solo ", i)
			f.noErr(f.s.UpdateUser(f.ctx, u), "solo %d: UpdateUser", i)
			got, err := f.s.GetAssociation(f.ctx, "dev", fmt.Sprint("solo", i))
			if err != nil {
				f.t.Errorf("solo %d: GetAssociation: %v", i, err)
			} else {
				f.check(got.UserID == u.ID && got.AccessToken() == fmt.Sprint("t", i), "solo %d: read back %+v", i, got)
			}
			_, err = f.s.UsersByEmail(f.ctx, u.Email)
			f.noErr(err, "solo %d: UsersByEmail", i)
			f.noErr(f.s.UseNonce(f.ctx, "solo", fmt.Sprint(i), time.Now().Add(time.Hour)), "solo %d: UseNonce", i)
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range n {
		got := f.getAssoc("dev", fmt.Sprint("solo", i))
		f.check(!seen[got.UserID], "two users share the ID %q", got.UserID)
		seen[got.UserID] = true
	}
}
