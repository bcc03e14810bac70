package backends_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

// TestOIDCClaimFixtures: for each backend that reads id_tokens, an id_token
// carrying the claims its provider documents (testdata/<name>/id_token.json;
// the fake adds iss, aud, iat and exp and signs it) maps to the pinned uid,
// username, email, email-verified flag and names; the same token without
// its id claim is refused.
func TestOIDCClaimFixtures(t *testing.T) {
	cases := []struct {
		name    string
		s       backends.Settings
		fixture string
		idClaim string // the claim the uid comes from
		wantUID string // when the uid is not that claim verbatim
	}{
		{"oidc", backends.Settings{Key: "client-1", BaseURL: "https://id.example.com"}, "oidc", "sub", ""},
		{"google-oauth2", googleSettings, "google-oauth2", "sub", ""},
		{"google-openidconnect", googleSettings, "google-openidconnect", "sub", ""},
		{"apple-id", backends.Settings{Key: "com.example.app"}, "apple-id", "sub", ""},
		{"microsoft-graph", backends.Settings{Key: "6731de76-14a6-49ae-97bc-6eba6914391e", Tenant: "9122040d-6c67-4c5b-b112-36a304b66dad"}, "microsoft-graph", "oid",
			"66f33332eca7ea81"}, // a personal account's oid, as Graph's /me id, so both paths give one uid
		{"azuread-tenant-oauth2", backends.Settings{Key: "6731de76-14a6-49ae-97bc-6eba6914391e", Tenant: "9122040d-6c67-4c5b-b112-36a304b66dad"}, "azuread-tenant-oauth2", "sub", ""},
		{"azuread-v2-tenant-oauth2", backends.Settings{Key: "6731de76-14a6-49ae-97bc-6eba6914391e", Tenant: "9122040d-6c67-4c5b-b112-36a304b66dad"}, "azuread-v2-tenant-oauth2", "oid", ""},
		{"okta-openidconnect", backends.Settings{Key: "0oa1b2c3d4", BaseURL: "https://acme.okta.com"}, "okta-openidconnect", "sub", ""},
		{"auth0", backends.Settings{Key: "auth0-client", Domain: "acme.eu.auth0.com"}, "auth0", "sub", ""},
		{"keycloak", backends.Settings{Key: "app", BaseURL: "https://sso.acme.example/realms/acme"}, "keycloak", "sub", ""},
		{"linkedin-openidconnect", backends.Settings{Key: "78abcdef"}, "linkedin-openidconnect", "sub", ""},
		{"dropbox-oauth2", backends.Settings{Key: "a12fbpq596acfbc"}, "dropbox-oauth2", "sub", ""},
		{"yahoo-oauth2", backends.Settings{Key: "dj0yJmk9yahooclient"}, "yahoo-oauth2", "sub", ""},
		{"slack", backends.Settings{Key: "25259531569.11152291"}, "slack", "sub", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", tc.fixture, "id_token.json"))
			require.NoError(t, err)
			var claims map[string]any
			require.NoError(t, json.Unmarshal(raw, &claims))
			be, err := backends.ByName(tc.name, tc.s)
			require.NoError(t, err)
			b, ok := be.(socialauth.IDTokenAuthenticator)
			require.True(t, ok, "%s verifies id_tokens", tc.name)
			fake := backendtest.New(t)

			tok := fake.IDToken(tc.name, tc.s, backendtest.Identity{}, backendtest.IDTokenOptions{Nonce: "n-1", Claims: claims})
			p, err := verifyIDToken(t, b, fake.Client(), tok, "n-1")
			require.NoError(t, err)
			checkGolden(t, tc.fixture+"/id_token", p)
			picture, _ := claims["picture"].(string)
			assert.Equal(t, picture, p.Details.AvatarURL, "AvatarURL is the picture claim")
			want := tc.wantUID
			if want == "" {
				want = claims[tc.idClaim].(string)
			}
			assert.Equal(t, want, p.UID)

			without := map[string]any{}
			for k, v := range claims {
				without[k] = v
			}
			without[tc.idClaim] = nil // removed
			_, err = verifyIDToken(t, b, fake.Client(), fake.IDToken(tc.name, tc.s, backendtest.Identity{}, backendtest.IDTokenOptions{Claims: without}), "")
			require.Error(t, err, "an id_token without its %s is no login", tc.idClaim)
			assert.True(t, errorsIs(err, socialauth.ErrAuthFailed) || errorsIs(err, socialauth.ErrInvalidToken), "%v", err)
		})
	}
}
