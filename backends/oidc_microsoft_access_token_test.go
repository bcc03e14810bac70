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

// claimsFixture reads testdata/<file>: the claims of a token as Microsoft
// documents them, for the fake to sign with the settings' aud and the
// tenant's iss.
func claimsFixture(t *testing.T, file string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", file))
	require.NoError(t, err)
	var c map[string]any
	require.NoError(t, json.Unmarshal(raw, &c))
	return c
}

// with returns a copy of c with the changes (a nil value removes a claim).
func with(c map[string]any, changes map[string]any) map[string]any {
	out := make(map[string]any, len(c)+len(changes))
	for k, v := range c {
		out[k] = v
	}
	for k, v := range changes {
		out[k] = v
	}
	return out
}

// TestEntraAccessTokenIsNoIDToken: an Entra access token for this app as
// an API has the app's client id as aud and the tenant's issuer, so it
// passes the id_token checks; the claims only access tokens carry (scp,
// idtyp, appidacr/azpacr, appid) refuse it, on every path that verifies an
// Entra token as an id_token. roles, which Microsoft documents in
// id_tokens too, does not.
func TestEntraAccessTokenIsNoIDToken(t *testing.T) {
	const clientID = "6731de76-14a6-49ae-97bc-6eba6914391e"
	v1 := claimsFixture(t, "azuread-tenant-oauth2/access_token.json")
	appOnly := claimsFixture(t, "azuread-tenant-oauth2/access_token-app-only.json")
	v2 := claimsFixture(t, "azuread-v2-tenant-oauth2/access_token.json")
	cases := []struct {
		name    string
		backend string
		claims  map[string]any
		says    string // "" means accepted
	}{
		{"v1 delegated token of another client", "azuread-tenant-oauth2", v1, "(scp)"},
		{"v1 token of another client, no scp", "azuread-tenant-oauth2", with(v1, map[string]any{"scp": nil, "appidacr": nil}), "another app (appid)"},
		{"v1 token of this app, scp", "azuread-tenant-oauth2", with(v1, map[string]any{"appid": clientID}), "(scp)"},
		{"v1 app-only token", "azuread-tenant-oauth2", appOnly, "app-only access token (idtyp)"},
		{"v1 app-only token of this app without idtyp", "azuread-tenant-oauth2", with(appOnly, map[string]any{"appid": clientID, "idtyp": nil}), "(appidacr/azpacr)"},
		{"v1 id_token with the user's app roles", "azuread-tenant-oauth2", claimsFixture(t, "azuread-tenant-oauth2/id_token-roles.json"), ""},
		{"v2 delegated token of another client", "azuread-v2-tenant-oauth2", v2, "another app (azp)"},
		{"v2 delegated token of this app", "azuread-v2-tenant-oauth2", with(v2, map[string]any{"azp": clientID}), "(scp)"},
		{"v2 token of this app without scp", "azuread-v2-tenant-oauth2", with(v2, map[string]any{"azp": clientID, "scp": nil, "roles": []string{"Reader"}}), "(appidacr/azpacr)"},
		{"microsoft-graph: v2 token of this app", "microsoft-graph", with(v2, map[string]any{"azp": clientID}), "(scp)"},
		{"microsoft-graph: id_token", "microsoft-graph", claimsFixture(t, "microsoft-graph/id_token.json"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := backends.Settings{Key: clientID, Tenant: "9122040d-6c67-4c5b-b112-36a304b66dad"}
			b, err := backends.ByName(tc.backend, s)
			require.NoError(t, err)
			fake := backendtest.New(t)
			tok := fake.IDToken(tc.backend, s, backendtest.Identity{}, backendtest.IDTokenOptions{Claims: tc.claims})
			_, err = verifyIDToken(t, b.(socialauth.IDTokenAuthenticator), fake.Client(), tok, "")
			if tc.says == "" {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, socialauth.ErrInvalidToken)
				assert.Contains(t, err.Error(), tc.says)
			}
			if tc.backend != "microsoft-graph" { // the tenant backends take the token given to Authenticate as an id_token
				_, err = authenticate(t, b, fake.Client(), tok)
				assert.Equal(t, tc.says == "", err == nil, "Authenticate agrees: %v", err)
			}
		})
	}
}
