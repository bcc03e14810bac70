package backends

import "github.com/go-socialauth/socialauth"

// groupOIDCConstructors is the constructor table of provider group OIDC:
// the OpenID Connect backends and those that verify id_tokens.
func groupOIDCConstructors() map[string]constructor {
	return map[string]constructor{
		"oidc":                 {build: func(s Settings) socialauth.Backend { return OpenIDConnect(s) }, requires: []string{"API_URL"}},
		"google-openidconnect": {build: func(s Settings) socialauth.Backend { return GoogleOpenIDConnect(s) }},
		"apple-id": {build: func(s Settings) socialauth.Backend { return AppleID(s) }, refuses: map[string]string{
			"CLIENT": "PSA's client id is our _KEY, its _KEY (the key id) our _KEY_ID, its _SECRET (the .p8 key) our _PRIVATE_KEY"}},
		"microsoft-graph":          {build: func(s Settings) socialauth.Backend { return MicrosoftGraph(s) }},
		"azuread-tenant-oauth2":    {build: func(s Settings) socialauth.Backend { return AzureADTenantOAuth2(s) }},
		"azuread-v2-tenant-oauth2": {build: func(s Settings) socialauth.Backend { return AzureADV2TenantOAuth2(s) }},
		"okta-openidconnect":       {build: func(s Settings) socialauth.Backend { return OktaOpenIDConnect(s) }, requires: []string{"API_URL"}},
		"auth0":                    {build: func(s Settings) socialauth.Backend { return Auth0(s) }, requires: []string{"DOMAIN"}},
		"keycloak":                 {build: func(s Settings) socialauth.Backend { return Keycloak(s) }, requires: []string{"API_URL"}},
		"linkedin-openidconnect":   {build: func(s Settings) socialauth.Backend { return LinkedInOpenIDConnect(s) }},
	}
}
