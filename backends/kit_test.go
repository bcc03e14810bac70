package backends_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

// kitSettings are the settings each backend is built with in the kit test.
// Backends that need extras (a base URL, a tenant, a key) get them here.
func kitSettings(name string) backends.Settings {
	s := backends.Settings{Key: "kit-client-id", Secret: "kit-client-secret-7f3a", ClientIDs: []string{"kit-ios-client-id"}}
	if extra, ok := kitExtras()[name]; ok {
		extra(&s)
	}
	return s
}

// kitExtras adds per-backend settings; each group of providers adds its own.
func kitExtras() map[string]func(*backends.Settings) {
	all := map[string]func(*backends.Settings){}
	for _, g := range []map[string]func(*backends.Settings){kitExtrasA(), kitExtrasB(), kitExtrasOIDC()} {
		for k, v := range g {
			all[k] = v
		}
	}
	return all
}

var kitIdentity = backendtest.Identity{
	UID: "4242", Username: "ada", Email: "ada@gmail.com", EmailVerified: true,
	FirstName: "Ada", LastName: "Lovelace",
}

// TestEveryBackendHasAFake keeps the kit complete: a host app can fake any
// backend the library ships.
func TestEveryBackendHasAFake(t *testing.T) {
	faked := backendtest.Names()
	for _, name := range backends.Names() {
		assert.True(t, slices.Contains(faked, name), "backendtest has no fake for %q", name)
	}
}

// TestKit runs every backend against its fake provider: the identity comes
// back, a token issued to another app is refused wherever the provider
// offers a check, and provider failures map to the right sentinels.
func TestKit(t *testing.T) {
	for _, name := range backendtest.Names() {
		t.Run(name, func(t *testing.T) {
			s := kitSettings(name)
			b, err := backends.ByName(name, s)
			require.NoError(t, err)
			fake := backendtest.New(t)
			ctx := context.Background()

			p, err := b.Authenticate(ctx, fake.Client(), fake.Token(name, s, kitIdentity))
			require.NoError(t, err)
			assert.Equal(t, kitIdentity.UID, p.UID)
			if p.Details.Email != "" {
				assert.Equal(t, kitIdentity.Email, p.Details.Email)
			}
			assert.NotEmpty(t, p.Raw)

			doc := b.(backends.Documented).Doc()
			assert.NotEmpty(t, doc.TokenCheck, "document how the token is checked")
			assert.NotEmpty(t, doc.UID)
			foreign := fake.ForeignToken(name, s, kitIdentity)
			_, err = b.Authenticate(ctx, fake.Client(), foreign)
			if doc.ChecksAudience {
				require.ErrorIs(t, err, socialauth.ErrInvalidToken, "a token issued to another app must be refused")
				assert.NotContains(t, err.Error(), foreign)
			} else {
				assert.NoError(t, err, "without an audience check the fake's foreign token passes: the doc must say so")
			}

			_, err = b.Authenticate(ctx, fake.Client(), "not-a-token-the-provider-issued")
			require.ErrorIs(t, err, socialauth.ErrInvalidToken)

			for status, want := range map[int]error{
				http.StatusServiceUnavailable: socialauth.ErrProviderUnavailable,
				http.StatusTooManyRequests:    socialauth.ErrProviderUnavailable,
				http.StatusUnauthorized:       socialauth.ErrInvalidToken,
			} {
				fake.Outage(name, status)
				_, err = b.Authenticate(ctx, fake.Client(), fake.Token(name, s, kitIdentity))
				require.ErrorIs(t, err, want, "status %d", status)
			}
		})
	}
}
