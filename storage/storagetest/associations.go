package storagetest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-socialauth/socialauth"
)

func testAssociationUnique(f *fixture) {
	u := f.createUser("alice")
	v := f.createUser("bob")
	f.createAssoc(u.ID, "dev", "42", nil)
	for _, owner := range []string{u.ID, v.ID} {
		_, err := f.s.CreateAssociation(f.ctx, &socialauth.Association{UserID: owner, Provider: "dev", UID: "42"})
		f.isErr(err, socialauth.ErrAlreadyExists, "CreateAssociation of a taken provider and uid")
	}
	f.createAssoc(v.ID, "other", "42", nil) // the same uid at another provider is another identity
	for _, a := range []*socialauth.Association{
		{UserID: u.ID, Provider: "", UID: "1"},
		{UserID: u.ID, Provider: "dev", UID: ""},
	} {
		_, err := f.s.CreateAssociation(f.ctx, a)
		f.check(err != nil, "CreateAssociation(provider %q, uid %q) succeeded: an association needs both", a.Provider, a.UID)
	}
	f.check(len(f.assocsFor(u.ID)) == 1, "refused associations were stored")
}

func testUIDByteExact(f *fixture) {
	uids := []string{"Abc", "abc", "ABC", "abc ", "\u00e9", "e\u0301", "İ", "i"}
	made := map[string]string{}
	for i, uid := range uids {
		u := f.createUser(fmt.Sprint("user", i))
		made[uid] = f.createAssoc(u.ID, "dev", uid, nil).UserID
	}
	for _, uid := range uids {
		a := f.getAssoc("dev", uid)
		f.check(a.UID == uid, "uid %q came back as %q", uid, a.UID)
		f.check(a.UserID == made[uid], "uid %q found another identity's association", uid)
	}
	_, err := f.s.GetAssociation(f.ctx, "dev", "aBc")
	f.isErr(err, socialauth.ErrNotFound, `GetAssociation("dev", "aBc"): uids are compared byte for byte`)
	_, err = f.s.GetAssociation(f.ctx, "Dev", "abc")
	f.isErr(err, socialauth.ErrNotFound, `GetAssociation("Dev", "abc"): providers are compared exactly too`)
}

func testUpdateAssociation(f *fixture) {
	u := f.createUser("alice")
	v := f.createUser("bob")
	a := f.createAssoc(u.ID, "dev", "1", map[string]any{"access_token": "old", "keep": "me?"})

	ch := *a
	ch.UserID, ch.Provider, ch.UID = v.ID, "other", "2" // only ExtraData changes
	ch.ExtraData = map[string]any{"access_token": "new", "n": json.Number("7")}
	ch.CreatedAt, ch.ModifiedAt = longAgo, longAgo
	before := time.Now()
	f.must(f.s.UpdateAssociation(f.ctx, &ch), "UpdateAssociation")
	after := time.Now()

	got := f.getAssoc("dev", "1")
	f.check(got.ID == a.ID && got.UserID == u.ID, "UpdateAssociation changed the ID or the user: %+v", got)
	f.equal(got.ExtraData, map[string]any{"access_token": "new", "n": json.Number("7")}, "ExtraData is replaced, not merged")
	f.check(got.AccessToken() == "new", "AccessToken is %q", got.AccessToken())
	f.check(got.CreatedAt.Equal(a.CreatedAt), "CreatedAt changed from %v to %v", a.CreatedAt, got.CreatedAt)
	f.stamped(got.ModifiedAt, before, after, "ModifiedAt after UpdateAssociation")
	_, err := f.s.GetAssociation(f.ctx, "other", "2")
	f.isErr(err, socialauth.ErrNotFound, "GetAssociation of the provider and uid UpdateAssociation was given")

	ch.ExtraData = nil
	f.must(f.s.UpdateAssociation(f.ctx, &ch), "UpdateAssociation")
	f.check(len(f.getAssoc("dev", "1").ExtraData) == 0, "ExtraData set to nil is not empty")
}

func testDeleteAssociation(f *fixture) {
	u := f.createUser("alice")
	a := f.createAssoc(u.ID, "dev", "1", nil)
	b := f.createAssoc(u.ID, "dev", "2", nil)
	f.must(f.s.DeleteAssociation(f.ctx, a.ID), "DeleteAssociation")
	_, err := f.s.GetAssociation(f.ctx, "dev", "1")
	f.isErr(err, socialauth.ErrNotFound, "GetAssociation of a deleted association")
	f.isErr(f.s.DeleteAssociation(f.ctx, a.ID), socialauth.ErrNotFound, "deleting twice")
	f.sameIDs(assocIDs(f.assocsFor(u.ID)), []string{b.ID}, "AssociationsForUser after a delete")
	// The identity is free again, under a new ID.
	c := f.createAssoc(u.ID, "dev", "1", nil)
	f.check(c.ID != a.ID, "the ID %q was reused", a.ID)
	f.getUser(u.ID) // the user stays
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

// ExtraData comes back with the same Go types it went in with, numbers as
// json.Number, so that a pipeline comparing old and new values sees no
// change where there is none.
func testExtraDataTypes(f *fixture) {
	u := f.createUser("alice")
	a := f.createAssoc(u.ID, "dev", "1", extraData())
	f.equal(a.ExtraData, extraData(), "CreateAssociation's record")
	got := f.getAssoc("dev", "1")
	f.equal(got.ExtraData, extraData(), "GetAssociation's record")
	as := f.assocsFor(u.ID)
	if len(as) == 1 {
		f.equal(as[0].ExtraData, extraData(), "AssociationsForUser's record")
	} else {
		f.t.Errorf("AssociationsForUser returned %d associations, want 1", len(as))
	}

	f.must(f.s.UpdateAssociation(f.ctx, got), "UpdateAssociation")
	f.equal(f.getAssoc("dev", "1").ExtraData, extraData(), "after UpdateAssociation")

	_, na, err := f.s.CreateUserWithAssociation(f.ctx, user("bob"), &socialauth.Association{Provider: "dev", UID: "2", ExtraData: extraData()}, socialauth.CreateOptions{})
	f.must(err, "CreateUserWithAssociation")
	f.equal(na.ExtraData, extraData(), "CreateUserWithAssociation's record")
}

func testAssociationsOrder(f *fixture) {
	u := f.createUser("alice")
	v := f.createUser("bob")
	var want []string
	for _, uid := range []string{"z", "a", "m", "b"} {
		want = append(want, f.createAssoc(u.ID, "dev", uid, nil).ID)
		f.createAssoc(v.ID, "other", uid, nil)
	}
	as := f.assocsFor(u.ID)
	f.sameIDs(assocIDs(as), want, "AssociationsForUser: oldest first")
	for _, a := range as {
		f.check(a.UserID == u.ID, "AssociationsForUser(%q) returned another user's association %+v", u.ID, a)
	}
}
