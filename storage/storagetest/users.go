package storagetest

import (
	"fmt"
	"time"

	"github.com/go-socialauth/socialauth"
)

func testCreateUser(f *fixture) {
	in := user("alice")
	in.ID = "chosen-by-caller"
	in.Email = "Alice@Example.COM"
	in.EmailVerified = false
	in.IsActive = false
	in.CreatedAt, in.UpdatedAt = longAgo, longAgo
	before := time.Now()
	u, err := f.s.CreateUser(f.ctx, in)
	after := time.Now()
	f.must(err, "CreateUser")
	f.check(u.ID != "" && u.ID != "chosen-by-caller", "the store assigns the ID; got %q", u.ID)
	want := *in
	want.ID, want.CreatedAt, want.UpdatedAt = u.ID, u.CreatedAt, u.UpdatedAt
	f.sameUser(&want, u, "the created user")
	if f.keeps("email") {
		f.check(u.Email == "Alice@Example.COM", "the email is kept as given, got %q", u.Email)
	}
	if f.keeps("created_at") {
		f.stamped(u.CreatedAt, before, after, "CreatedAt")
	}
	if f.keeps("updated_at") {
		f.stamped(u.UpdatedAt, before, after, "UpdatedAt")
	}
	f.check(in.ID == "chosen-by-caller" && in.CreatedAt.Equal(longAgo), "CreateUser changed the caller's record")

	f.sameUser(u, f.getUser(u.ID), "GetUser of the created user")
	f.check(f.usernameExists("alice"), "UsernameExists of the created user")

	v := f.createUser("bob")
	f.check(v.ID != u.ID, "two users share the ID %q", u.ID)
	want = *user("bob")
	want.ID, want.CreatedAt, want.UpdatedAt = v.ID, v.CreatedAt, v.UpdatedAt
	f.sameUser(&want, v, "a second user")
}

func testUsernameUnique(f *fixture) {
	f.createUser("Bob")
	_, err := f.s.CreateUser(f.ctx, user("Bob"))
	f.isErr(err, socialauth.ErrAlreadyExists, "CreateUser with a taken username")

	// Usernames are compared exactly: "bob" is another name.
	f.check(f.usernameExists("Bob"), `UsernameExists("Bob") is false`)
	f.check(!f.usernameExists("bob"), `UsernameExists("bob") is true: usernames are compared exactly`)
	f.check(!f.usernameExists("Bob "), `UsernameExists("Bob ") is true`)
	f.createUser("bob")
	f.check(f.usernameExists("bob"), `UsernameExists("bob") is false after creating bob`)
}

func testUpdateUser(f *fixture) {
	u := f.createUser("alice")
	f.createUser("taken")

	ch := *u
	ch.CreatedAt, ch.UpdatedAt = longAgo, longAgo // the store keeps the one and sets the other
	ch.Username, ch.Email, ch.EmailVerified = "alicia", "Alicia@New.example", false
	ch.FullName, ch.FirstName, ch.LastName, ch.IsActive = "Alicia B", "Alicia", "B", false
	ch.AvatarURL = "https://example.com/alicia.png"
	before := time.Now()
	f.must(f.s.UpdateUser(f.ctx, &ch), "UpdateUser")
	after := time.Now()

	got := f.getUser(u.ID)
	want := ch
	want.CreatedAt, want.UpdatedAt = u.CreatedAt, got.UpdatedAt
	f.sameUser(&want, got, "the updated user")
	if f.keeps("updated_at") {
		f.stamped(got.UpdatedAt, before, after, "UpdatedAt after UpdateUser")
	}

	// The username and email indexes moved with the record.
	f.check(!f.usernameExists("alice"), "the old username still exists")
	f.check(f.usernameExists("alicia"), "the new username does not exist")
	if f.keeps("email") {
		f.check(len(f.usersByEmail("alice@example.com")) == 0, "the old email still finds the user")
		f.sameIDs(userIDs(f.usersByEmail("alicia@new.EXAMPLE")), []string{u.ID}, "UsersByEmail of the new email")
	}
	f.createUser("alice") // the old name is free again

	// A taken username is refused and nothing changes.
	bad := *got
	bad.Username, bad.Email = "taken", "changed@example.com"
	f.isErr(f.s.UpdateUser(f.ctx, &bad), socialauth.ErrAlreadyExists, "UpdateUser to a taken username")
	f.sameUser(got, f.getUser(u.ID), "the user after a refused update")

	if !f.keeps("email") {
		return
	}
	// UsersByEmail stays oldest first when an older user moves to an email.
	later := user("later")
	later.Email = "moved@example.com"
	lu, err := f.s.CreateUser(f.ctx, later)
	f.must(err, "CreateUser")
	mv := *got
	mv.Email = "Moved@Example.com"
	f.must(f.s.UpdateUser(f.ctx, &mv), "UpdateUser")
	f.sameIDs(userIDs(f.usersByEmail("moved@example.com")), []string{u.ID, lu.ID}, "UsersByEmail after an older user moved to the email: oldest first")

	// Clearing the email removes the user from the email index.
	cl := *f.getUser(u.ID)
	cl.Email = ""
	f.must(f.s.UpdateUser(f.ctx, &cl), "UpdateUser")
	f.check(len(f.usersByEmail("alicia@new.example")) == 0, "a cleared email still finds the user")
	f.sameIDs(userIDs(f.usersByEmail("moved@example.com")), []string{lu.ID}, "UsersByEmail after clearing an email")
	f.check(len(f.usersByEmail("")) == 0, "the empty email finds users")
}

func testUsersByEmail(f *fixture) {
	if !f.keeps("email") {
		f.t.Log("the store keeps no email: UsersByEmail finds nobody")
		f.check(len(f.usersByEmail(f.createUser("u1").Email)) == 0, "UsersByEmail found a user by an email the store does not keep")
		return
	}
	mk := func(name, email string, verified bool) *socialauth.User {
		u := user(name)
		u.Email, u.EmailVerified = email, verified
		nu, err := f.s.CreateUser(f.ctx, u)
		f.must(err, "CreateUser(%q)", name)
		return nu
	}
	u1 := mk("u1", "Mike@Example.com", true)
	u2 := mk("u2", "mike@example.com", false)
	u3 := mk("u3", "m\u0131ke@example.com", true) // dotless ı
	u4 := mk("u4", "M\u0130KE@example.com", true) // dotted İ
	mk("u5", "", true)

	for _, tc := range []struct {
		email string
		want  []string
		why   string
	}{
		{"MIKE@EXAMPLE.COM", []string{u1.ID, u2.ID}, "ASCII letters compared case-insensitively, oldest first, unverified emails too"},
		{"mike@example.com", []string{u1.ID, u2.ID}, "ASCII letters compared case-insensitively"},
		{"m\u0131ke@example.com", []string{u3.ID}, "no Unicode case folding"},
		{"M\u0131KE@EXAMPLE.COM", []string{u3.ID}, "no Unicode case folding"},
		{"m\u0130ke@example.com", []string{u4.ID}, "no Unicode case folding"},
		{"mike@example.com ", []string{}, "every other byte compared exactly"},
		{"mike@example.co", []string{}, "no prefix match"},
		{"", []string{}, "the empty email matches nobody, not the users without one"},
	} {
		f.sameIDs(userIDs(f.usersByEmail(tc.email)), tc.want, fmt.Sprintf("UsersByEmail(%q): %s", tc.email, tc.why))
	}
	got := f.usersByEmail("mike@EXAMPLE.com")
	if len(got) == 2 {
		f.sameUser(u1, got[0], "UsersByEmail's record")
	}
}
