package backends_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

// fakeSettings are the settings each backend is built with against its
// fake provider (and for the README's table): a client id, a secret and a
// second client id, plus what each backend cannot work without.
func fakeSettings(name string) backends.Settings {
	s := backends.Settings{Key: "fake-client-id", Secret: "fake-client-secret-7f3a", ClientIDs: []string{"fake-ios-client-id"}}
	switch name {
	case "vk-oauth2": // VK checks tokens with the app's service access key.
		s.APIKey = "fake-vk-service-key"
	case "kakao": // Kakao names apps by their numeric app id.
		s.ClientIDs = append(s.ClientIDs, "1234567")
	case "gitea": // a self-hosted Gitea
		s.BaseURL = "https://git.example.org/"
	case "oidc":
		s.BaseURL = "https://idp.example.com"
	case "keycloak":
		s.BaseURL = "https://sso.example.com/realms/fake"
	case "okta-openidconnect":
		s.BaseURL = "https://fake.okta.com/oauth2/default"
	case "auth0":
		s.Domain = "fake.eu.auth0.com"
	case "azuread-tenant-oauth2":
		s.Tenant = "contoso.onmicrosoft.com"
	case "azuread-v2-tenant-oauth2":
		s.Tenant = "6f3b0c3e-2b1a-4f5e-9c8d-1a2b3c4d5e6f"
	}
	return s
}

var fakeIdentity = backendtest.Identity{
	UID: "4242", Username: "ada", Email: "ada@gmail.com", EmailVerified: true,
	FirstName: "Ada", LastName: "Lovelace",
}

// introspectsWithAppCredentials are the backends whose token check
// is RFC 7662 introspection authenticated with the app's credentials.
var introspectsWithAppCredentials = map[string]bool{"gitea": true, "salesforce-oauth2": true, "keycloak": true, "okta-openidconnect": true}

// TestBackendsAgainstFakes runs every backend against its fake provider
// (package backendtest, which hosts use in their own tests): the identity
// comes back with the provider's picture where it gives one, a token issued to another app is refused wherever the
// provider offers a check, and provider failures map to the right
// sentinels.
func TestBackendsAgainstFakes(t *testing.T) {
	for _, name := range backendtest.Names() {
		t.Run(name, func(t *testing.T) {
			s := fakeSettings(name)
			b, err := backends.ByName(name, s)
			require.NoError(t, err)
			fake := backendtest.New(t)
			ctx := context.Background()

			p, err := b.Authenticate(ctx, fake.Client(), fake.Token(name, s, fakeIdentity))
			require.NoError(t, err)
			assert.Equal(t, fakeIdentity.UID, p.UID)
			if p.Details.Email != "" {
				assert.Equal(t, fakeIdentity.Email, p.Details.Email)
			}
			assert.NotEmpty(t, p.Raw)
			if withoutPicture[name] {
				assert.Empty(t, p.Details.AvatarURL, "the provider gives no picture")
			} else {
				assert.Regexp(t, `^https?://\w`, p.Details.AvatarURL, "the provider's picture")
			}

			doc := b.(backends.Documented).Doc()
			foreign := fake.ForeignToken(name, s, fakeIdentity)
			_, err = b.Authenticate(ctx, fake.Client(), foreign)
			if doc.ChecksAudience {
				require.ErrorIs(t, err, socialauth.ErrInvalidToken, "a token issued to another app must be refused")
				assert.NotContains(t, err.Error(), foreign)
			} else {
				assert.NoError(t, err, "without an audience check the fake's foreign token passes: the doc must say so")
			}

			_, err = b.Authenticate(ctx, fake.Client(), "not-a-token-the-provider-issued")
			require.ErrorIs(t, err, socialauth.ErrInvalidToken)

			refused := socialauth.ErrInvalidToken
			if introspectsWithAppCredentials[name] {
				// RFC 7662 §2.3: the introspection endpoint's 401 refuses
				// the app's credentials; the token check's verdict wins.
				refused = socialauth.ErrAuthFailed
			}
			if o, isOIDC := b.(*backends.OIDC); isOIDC && o.Config().AccessTokenIsIDToken {
				// The token is an id_token and the provider's keys were
				// fetched by the first login: no request reaches the
				// provider, whose outage is not seen.
				for _, status := range []int{http.StatusServiceUnavailable, http.StatusUnauthorized} {
					fake.Outage(name, status)
					_, err = b.Authenticate(ctx, fake.Client(), fake.Token(name, s, fakeIdentity))
					require.NoError(t, err, "status %d", status)
				}
				return
			}
			for status, want := range map[int]error{
				http.StatusServiceUnavailable: socialauth.ErrProviderUnavailable,
				http.StatusTooManyRequests:    socialauth.ErrProviderUnavailable,
				http.StatusUnauthorized:       refused,
			} {
				fake.Outage(name, status)
				_, err = b.Authenticate(ctx, fake.Client(), fake.Token(name, s, fakeIdentity))
				require.ErrorIs(t, err, want, "status %d", status)
			}
		})
	}
}
