package backends_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
)

// FuzzProviderAnswer feeds every OAuth2 backend arbitrary provider answers
// (any status, any body) on all of its endpoints: it must never panic,
// never log anyone in without a uid, and never let the token into an
// error text. The seeds are the providers' documented answers.
func FuzzProviderAnswer(f *testing.F) {
	cases := fixtureCases()
	for _, c := range cases {
		for _, a := range append([]answer{c.user, {file: c.refusal}}, append(c.also, c.foreign...)...) {
			if body, err := os.ReadFile(filepath.Join("testdata", a.file)); err == nil {
				f.Add(200, body)
			}
		}
	}
	f.Add(200, []byte(`{"id":null,"data":[],"account":"x","response":7,"aud":{"a":1},"active":"yes"}`))
	f.Add(200, []byte(`{"id":12345678901234567890,"login":"x"}`))
	f.Add(401, []byte(`{"error":"invalid_token","error_description":"tok-fuzz-secret"}`))
	f.Add(400, []byte(`{"error":{"message":"tok-fuzz-secret","type":"OAuthException","code":190}}`))
	f.Add(200, []byte(`[]`))
	f.Add(500, []byte(strings.Repeat("{", 5000)))
	const tok = "tok-fuzz-secret"
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			return
		}
		for _, c := range cases {
			b, err := backends.ByName(c.name, c.s)
			if err != nil {
				t.Fatal(err)
			}
			mock := httpmock.NewMockTransport()
			mock.RegisterNoResponder(httpmock.NewBytesResponder(status, body))
			p, err := b.Authenticate(context.Background(), &http.Client{Transport: mock}, tok)
			if err != nil {
				if strings.Contains(err.Error(), tok) {
					t.Fatalf("%s: error leaks the token: %v", c.name, err)
				}
				continue
			}
			if p.UID == "" {
				t.Fatalf("%s logged in without a uid", c.name)
			}
		}
	})
}

// FuzzOAuth2Mapper: a 200 answer of any shape maps to a profile with a uid,
// to a provider/auth failure, or, when it is an error object with a code
// that refuses the token, to an invalid token.
func FuzzOAuth2Mapper(f *testing.F) {
	f.Add([]byte(`{"sub":"x"}`))
	f.Add([]byte(`{"error":"invalid_token"}`))
	g := backends.GoogleOAuth2(googleSettings).Provider().User
	f.Fuzz(func(t *testing.T, body []byte) {
		mock := httpmock.NewMockTransport()
		mock.RegisterNoResponder(httpmock.NewBytesResponder(200, body))
		b := backends.NewOAuth2(backends.Provider{Name: "g", UserInfoURL: "https://x.example/u", User: g})
		p, err := b.Authenticate(context.Background(), &http.Client{Transport: mock}, "t0ken")
		if err == nil && p.UID == "" {
			t.Fatal("success without uid")
		}
		if err != nil && !(errorsIs(err, socialauth.ErrProviderUnavailable) || errorsIs(err, socialauth.ErrAuthFailed) ||
			errorsIs(err, socialauth.ErrInvalidToken) && strings.Contains(string(body), `"error"`)) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}
