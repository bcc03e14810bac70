package storagetest

import (
	"encoding/json"

	"github.com/go-socialauth/socialauth"
)

func testNotFound(f *fixture) {
	ctx, s := f.ctx, f.s
	u := f.createUser("alice")
	a := f.createAssoc(u.ID, "dev", "1", nil)

	for _, id := range []string{"", missingID, "not-an-id", u.ID + "0", " " + u.ID} {
		got, err := s.GetUser(ctx, id)
		f.isErr(err, socialauth.ErrNotFound, "GetUser(%q)", id)
		f.check(got == nil, "GetUser(%q) returned a user with its error", id)
	}
	for _, k := range [][2]string{{"dev", "2"}, {"other", "1"}, {"", ""}, {"dev", ""}} {
		got, err := s.GetAssociation(ctx, k[0], k[1])
		f.isErr(err, socialauth.ErrNotFound, "GetAssociation(%q, %q)", k[0], k[1])
		f.check(got == nil, "GetAssociation(%q, %q) returned an association with its error", k[0], k[1])
	}
	p, err := s.LoadPartial(ctx, "no-such-token")
	f.isErr(err, socialauth.ErrNotFound, "LoadPartial of a missing token")
	f.check(p == nil, "LoadPartial returned a partial with its error")

	f.isErr(s.UpdateUser(ctx, &socialauth.User{ID: missingID, Username: "x"}), socialauth.ErrNotFound, "UpdateUser of a missing user")
	f.isErr(s.UpdateUser(ctx, &socialauth.User{ID: "not-an-id", Username: "x"}), socialauth.ErrNotFound, "UpdateUser(%q)", "not-an-id")
	f.isErr(s.UpdateAssociation(ctx, &socialauth.Association{ID: missingID}), socialauth.ErrNotFound, "UpdateAssociation of a missing association")
	f.isErr(s.DeleteAssociation(ctx, missingID), socialauth.ErrNotFound, "DeleteAssociation of a missing association")
	f.isErr(s.DeleteAssociation(ctx, "not-an-id"), socialauth.ErrNotFound, "DeleteAssociation(%q)", "not-an-id")
	na, err := s.CreateAssociation(ctx, &socialauth.Association{UserID: missingID, Provider: "dev", UID: "9"})
	f.isErr(err, socialauth.ErrNotFound, "CreateAssociation for a missing user")
	f.check(na == nil, "CreateAssociation for a missing user returned an association")
	_, err = s.GetAssociation(ctx, "dev", "9")
	f.isErr(err, socialauth.ErrNotFound, "a refused association was stored")

	f.noErr(s.DeletePartial(ctx, "no-such-token"), "deleting a missing partial")
	f.check(len(f.usersByEmail("nobody@example.com")) == 0, "UsersByEmail of an unknown email found users")
	f.check(len(f.usersByEmail("")) == 0, "UsersByEmail of the empty email found users")
	f.check(len(f.assocsFor(missingID)) == 0, "AssociationsForUser of a missing user found associations")
	f.check(!f.usernameExists("nobody"), "UsernameExists of an unknown username")

	// The records that exist are untouched by all of the above.
	f.check(f.getAssoc("dev", "1").ID == a.ID, "the existing association changed")
}

// Returned records are copies: changing them, or what was passed in,
// changes nothing stored.
func testCopies(f *fixture) {
	ctx, s := f.ctx, f.s
	in := user("alice")
	u, err := s.CreateUser(ctx, in)
	f.must(err, "CreateUser")
	in.Username, in.Email = "mutated", "mutated@example.com"
	u.Username, u.FullName = "mutated", "mutated"
	got := f.getUser(u.ID)
	f.check(got.Username == "alice", "changing CreateUser's argument or result changed the stored username to %q", got.Username)
	if f.keeps("fullname") {
		f.check(got.FullName == "Full alice", "changing CreateUser's result changed the stored full name to %q", got.FullName)
	}
	got.Username = "mutated"
	for _, v := range f.usersByEmail("alice@example.com") {
		v.Username = "mutated"
	}
	f.check(f.getUser(u.ID).Username == "alice", "changing GetUser's or UsersByEmail's result changed the stored user")
	f.check(!f.usernameExists("mutated"), "changing a returned user changed the username index")

	extra := map[string]any{"access_token": "t1"}
	a, err := s.CreateAssociation(ctx, &socialauth.Association{UserID: u.ID, Provider: "dev", UID: "1", ExtraData: extra})
	f.must(err, "CreateAssociation")
	extra["access_token"], extra["added"] = "mutated", "x"
	a.ExtraData["access_token"], a.UID = "mutated", "mutated"
	ga := f.getAssoc("dev", "1")
	f.equal(ga.ExtraData, map[string]any{"access_token": "t1"}, "ExtraData after changing CreateAssociation's argument and result")
	ga.ExtraData["access_token"] = "mutated"
	as := f.assocsFor(u.ID)
	if len(as) != 1 {
		f.t.Fatalf("AssociationsForUser returned %d associations, want 1", len(as))
	}
	f.check(as[0].AccessToken() == "t1", "changing GetAssociation's result changed the stored token to %q", as[0].AccessToken())
	as[0].ExtraData["access_token"] = "mutated"

	upd := map[string]any{"access_token": "t2"}
	f.must(s.UpdateAssociation(ctx, &socialauth.Association{ID: a.ID, ExtraData: upd}), "UpdateAssociation")
	upd["access_token"] = "mutated"
	f.check(f.getAssoc("dev", "1").AccessToken() == "t2", "changing UpdateAssociation's argument changed the stored token")

	data := json.RawMessage(`{"a":1}`)
	f.must(s.SavePartial(ctx, &socialauth.Partial{Token: "p", Backend: "dev", Data: data, Expires: soon()}), "SavePartial")
	data[2] = 'X'
	p, err := s.LoadPartial(ctx, "p")
	f.must(err, "LoadPartial")
	f.check(string(p.Data) == `{"a":1}`, "changing SavePartial's Data changed the stored partial to %s", p.Data)
	p.Data[2] = 'Y'
	p, err = s.LoadPartial(ctx, "p")
	f.must(err, "LoadPartial")
	f.check(string(p.Data) == `{"a":1}`, "changing LoadPartial's Data changed the stored partial to %s", p.Data)
}
