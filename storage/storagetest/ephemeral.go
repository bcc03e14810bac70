package storagetest

import (
	"encoding/json"
	"time"

	"github.com/go-socialauth/socialauth"
)

// soon is an hour from now, at the microsecond precision SQL databases
// keep.
func soon() time.Time { return time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond) }

func testPartials(f *fixture) {
	p := &socialauth.Partial{Token: "tok-1", Backend: "dev", Step: 4, Data: json.RawMessage(`{"uid":"1","n":1.50}`), Expires: soon()}
	f.must(f.s.SavePartial(f.ctx, p), "SavePartial")
	got, err := f.s.LoadPartial(f.ctx, "tok-1")
	f.must(err, "LoadPartial")
	f.check(got.Token == "tok-1" && got.Backend == "dev" && got.Step == 4, "LoadPartial returned %+v", got)
	f.check(string(got.Data) == `{"uid":"1","n":1.50}`, "Data came back as %s, want it byte for byte", got.Data)
	f.check(got.Expires.Equal(p.Expires), "Expires came back as %v, want %v", got.Expires, p.Expires)

	_, err = f.s.LoadPartial(f.ctx, "TOK-1")
	f.isErr(err, socialauth.ErrNotFound, "LoadPartial: tokens are compared exactly")

	// Saving under the same token replaces.
	f.must(f.s.SavePartial(f.ctx, &socialauth.Partial{Token: "tok-1", Backend: "other", Step: 2, Data: json.RawMessage(`{}`), Expires: soon()}), "SavePartial again")
	got, err = f.s.LoadPartial(f.ctx, "tok-1")
	f.must(err, "LoadPartial")
	f.check(got.Backend == "other" && got.Step == 2 && string(got.Data) == `{}`, "the second SavePartial did not replace the first: %+v", got)

	f.must(f.s.DeletePartial(f.ctx, "tok-1"), "DeletePartial")
	_, err = f.s.LoadPartial(f.ctx, "tok-1")
	f.isErr(err, socialauth.ErrNotFound, "LoadPartial of a deleted partial")
	f.noErr(f.s.DeletePartial(f.ctx, "tok-1"), "deleting a deleted partial")
	f.check(f.s.SavePartial(f.ctx, &socialauth.Partial{Backend: "dev", Expires: soon()}) != nil, "SavePartial without a token succeeded")
}

func testPartialExpiry(f *fixture) {
	past := time.Now().Add(-time.Hour)
	f.must(f.s.SavePartial(f.ctx, &socialauth.Partial{Token: "past", Backend: "dev", Data: json.RawMessage(`{}`), Expires: past}), "SavePartial")
	_, err := f.s.LoadPartial(f.ctx, "past")
	f.isErr(err, socialauth.ErrNotFound, "LoadPartial of a partial that expired an hour ago")
	_, err = f.s.LoadPartial(f.ctx, "past")
	f.isErr(err, socialauth.ErrNotFound, "LoadPartial of an expired partial, again")

	// An expired partial can be saved again under its token.
	f.must(f.s.SavePartial(f.ctx, &socialauth.Partial{Token: "past", Backend: "dev", Data: json.RawMessage(`{"again":true}`), Expires: soon()}), "SavePartial over an expired one")
	got, err := f.s.LoadPartial(f.ctx, "past")
	f.must(err, "LoadPartial of a partial saved again")
	f.check(string(got.Data) == `{"again":true}`, "Data is %s, want the new partial's", got.Data)
}

func testNonces(f *fixture) {
	exp := soon()
	f.must(f.s.UseNonce(f.ctx, "oidc", "n-1", exp), "UseNonce")
	f.isErr(f.s.UseNonce(f.ctx, "oidc", "n-1", exp), socialauth.ErrAlreadyExists, "UseNonce twice")
	f.isErr(f.s.UseNonce(f.ctx, "oidc", "n-1", exp.Add(time.Hour)), socialauth.ErrAlreadyExists, "UseNonce twice, with a later expiry")
	f.noErr(f.s.UseNonce(f.ctx, "jti", "n-1", exp), "UseNonce in another scope")
	f.noErr(f.s.UseNonce(f.ctx, "oidc", "N-1", exp), "UseNonce of another value: values are compared exactly")

	// An expired nonce may be used again, and is single use again.
	f.must(f.s.UseNonce(f.ctx, "oidc", "old", time.Now().Add(-time.Hour)), "UseNonce with a past expiry")
	f.noErr(f.s.UseNonce(f.ctx, "oidc", "old", exp), "UseNonce of an expired nonce")
	f.isErr(f.s.UseNonce(f.ctx, "oidc", "old", exp), socialauth.ErrAlreadyExists, "UseNonce of a nonce used again")

	// Of concurrent callers exactly one wins.
	f.exactlyOne(16, func(int) error { return f.s.UseNonce(f.ctx, "race", "same", exp) }, socialauth.ErrAlreadyExists)
}
