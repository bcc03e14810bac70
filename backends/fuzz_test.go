package backends_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
)

// FuzzProviderAnswer feeds arbitrary provider answers (any status, any body)
// to the backends: they must never panic, never succeed without a uid, and
// never let the token into an error text.
func FuzzProviderAnswer(f *testing.F) {
	f.Add(200, []byte(`{"sub":"1","email":"a@b"}`))
	f.Add(200, []byte(`{"id":12345678901234567890,"login":"x"}`))
	f.Add(401, []byte(`{"error":"invalid_token","error_description":"tok-fuzz-secret"}`))
	f.Add(400, []byte(`{"error":{"message":"tok-fuzz-secret","type":"OAuthException","code":190}}`))
	f.Add(200, []byte(`[]`))
	f.Add(200, []byte(`{"id":null}`))
	f.Add(500, []byte(strings.Repeat("{", 5000)))
	const tok = "tok-fuzz-secret"
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			return
		}
		for _, name := range []string{"google-oauth2", "facebook", "github"} {
			b, err := backends.ByName(name, kitSettings(name))
			if err != nil {
				t.Fatal(err)
			}
			mock := httpmock.NewMockTransport()
			mock.RegisterNoResponder(httpmock.NewBytesResponder(status, body))
			p, err := b.Authenticate(context.Background(), &http.Client{Transport: mock}, tok)
			if err != nil {
				if strings.Contains(err.Error(), tok) {
					t.Fatalf("%s: error leaks the token: %v", name, err)
				}
				continue
			}
			if p.UID == "" {
				t.Fatalf("%s: success without a uid", name)
			}
		}
	})
}

// FuzzOAuth2Mapper: a 200 answer of any shape maps to a profile with a uid or to a provider/auth failure.
func FuzzOAuth2Mapper(f *testing.F) {
	f.Add([]byte(`{"sub":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		mock := httpmock.NewMockTransport()
		mock.RegisterNoResponder(httpmock.NewBytesResponder(200, body))
		g := backends.GoogleOAuth2(googleSettings).Provider().User
		b := backends.NewOAuth2(backends.Provider{Name: "g", UserInfoURL: "https://x.example/u", User: g})
		p, err := b.Authenticate(context.Background(), &http.Client{Transport: mock}, "t0ken")
		if err == nil && p.UID == "" {
			t.Fatal("success without uid")
		}
		if err != nil && !(errorsIs(err, socialauth.ErrProviderUnavailable) || errorsIs(err, socialauth.ErrAuthFailed)) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}
