package backends_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth/backends"
)

func TestFromEnvOIDC(t *testing.T) {
	key, _ := p8(t)
	env := map[string]string{
		"SOCIAL_AUTH_OIDC_KEY": "web-app", "SOCIAL_AUTH_OIDC_OIDC_ENDPOINT": "https://idp.example.com",
		"SOCIAL_AUTH_KEYCLOAK_KEY": "app", "SOCIAL_AUTH_KEYCLOAK_SECRET": "s", "SOCIAL_AUTH_KEYCLOAK_API_URL": "https://sso.example.com/realms/acme",
		"SOCIAL_AUTH_OKTA_OPENIDCONNECT_KEY": "0oa", "SOCIAL_AUTH_OKTA_OPENIDCONNECT_API_URL": "https://acme.okta.com/oauth2/default",
		"SOCIAL_AUTH_AUTH0_KEY": "a0", "SOCIAL_AUTH_AUTH0_DOMAIN": "acme.eu.auth0.com",
		"SOCIAL_AUTH_AZUREAD_TENANT_OAUTH2_KEY": "6731de76-14a6-49ae-97bc-6eba6914391e", "SOCIAL_AUTH_AZUREAD_TENANT_OAUTH2_TENANT_ID": "acme.onmicrosoft.com",
		"SOCIAL_AUTH_MICROSOFT_GRAPH_KEY": "6731de76-14a6-49ae-97bc-6eba6914391e",
		"SOCIAL_AUTH_APPLE_ID_KEY":        "com.example.web", "SOCIAL_AUTH_APPLE_ID_AUDIENCE": "com.example.ios, com.example.watch",
		"SOCIAL_AUTH_APPLE_ID_TEAM": "TEAM123456", "SOCIAL_AUTH_APPLE_ID_KEY_ID": "KEY1234567", "SOCIAL_AUTH_APPLE_ID_PRIVATE_KEY": key,
		"SOCIAL_AUTH_LINKEDIN_OPENIDCONNECT_KEY": "78ab", "SOCIAL_AUTH_GOOGLE_OPENIDCONNECT_KEY": "g.apps.googleusercontent.com",
	}
	bs, err := backends.FromEnv(envOf(env))
	require.NoError(t, err)
	got := map[string]bool{}
	for _, b := range bs {
		got[b.Name()] = true
	}
	for _, name := range []string{"oidc", "keycloak", "okta-openidconnect", "auth0", "azuread-tenant-oauth2", "microsoft-graph", "apple-id", "linkedin-openidconnect", "google-openidconnect"} {
		assert.True(t, got[name], name)
	}
	for _, b := range bs {
		switch o := b.(type) {
		case *backends.OIDC:
			c := o.Config()
			switch b.Name() {
			case "oidc":
				assert.Equal(t, "https://idp.example.com", c.Issuer, "PSA's OIDC_ENDPOINT")
			case "apple-id":
				assert.Equal(t, []string{"com.example.web", "com.example.ios", "com.example.watch"}, c.ClientIDs)
				_, err := o.ClientSecret()
				assert.NoError(t, err, "team, key id and key are read")
			case "azuread-tenant-oauth2":
				assert.Contains(t, c.DiscoveryURL, "/acme.onmicrosoft.com/")
			}
		}
	}

	for name, bad := range map[string]map[string]string{
		"oidc without an issuer":    {"SOCIAL_AUTH_OIDC_KEY": "x"},
		"keycloak without a realm":  {"SOCIAL_AUTH_KEYCLOAK_KEY": "x"},
		"okta without its API URL":  {"SOCIAL_AUTH_OKTA_OPENIDCONNECT_KEY": "x"},
		"auth0 without its domain":  {"SOCIAL_AUTH_AUTH0_KEY": "x"},
		"apple with PSA's settings": {"SOCIAL_AUTH_APPLE_ID_KEY": "KEY1234567", "SOCIAL_AUTH_APPLE_ID_CLIENT": "com.example.web", "SOCIAL_AUTH_APPLE_ID_SECRET": key},
	} {
		_, err := backends.FromEnv(envOf(bad))
		require.Error(t, err, name)
		assert.NotContains(t, err.Error(), "PRIVATE KEY-----\nM", "no key material in the message")
		t.Log(err)
	}
}
