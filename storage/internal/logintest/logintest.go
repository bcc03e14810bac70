// Package logintest drives whole logins through a store, for the stores'
// own tests: a fake Google and a fake GitHub at the HTTP level
// (backendtest), the stock pipeline, and the service, as a host runs them.
// [Run] is the scenarios every SQL-backed or in-process store must pass:
// concurrent first logins, a failure at each storage call, and a returning
// user who costs no write.
package logintest

import (
	"context"
	"log/slog"
	"testing"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

// The backends logins go through, and the apps their fakes issue tokens to.
const (
	Google = "google-oauth2"
	GitHub = "github"
)

var settings = map[string]backends.Settings{
	Google: {Key: "web-client.apps.googleusercontent.com"},
	GitHub: {Key: "Iv1.github-app", Secret: "github-app-secret"},
}

// Provider fakes Google and GitHub for one test.
type Provider struct{ fake *backendtest.Provider }

// NewProvider returns fake providers that no network is behind.
func NewProvider(t testing.TB) *Provider { return &Provider{fake: backendtest.New(t)} }

// Token returns an access token that backend's fake accepts as id's. The
// same token logs the same person in again; a new one is a new token.
func (p *Provider) Token(backend string, id backendtest.Identity) string {
	return p.fake.Token(backend, settings[backend], id)
}

// Service returns a service over st with pipeline pl and both backends,
// reaching the fakes through their HTTP client. Its log is discarded.
func (p *Provider) Service(t testing.TB, st socialauth.Storage, pl socialauth.Pipeline) *socialauth.Service {
	t.Helper()
	svc, err := socialauth.New(socialauth.Config{
		Backends:   []socialauth.Backend{backends.GoogleOAuth2(settings[Google]), backends.GitHub(settings[GitHub])},
		Storage:    st,
		Pipeline:   pl,
		HTTPClient: p.fake.Client(),
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// Login logs the owner of accessToken in through backend: what a host's
// exchange endpoint does with a token a front end posts.
func Login(ctx context.Context, svc *socialauth.Service, backend, accessToken string) (*socialauth.Result, error) {
	return svc.Login(ctx, backend, accessToken)
}
