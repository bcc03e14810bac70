package backends_test

import "github.com/go-socialauth/socialauth/backends"

// kitExtrasOIDC are the kit-test settings of provider group OIDC.
func kitExtrasOIDC() map[string]func(*backends.Settings) {
	return map[string]func(*backends.Settings){
		"oidc":                     func(s *backends.Settings) { s.BaseURL = "https://idp.example.com" },
		"keycloak":                 func(s *backends.Settings) { s.BaseURL = "https://sso.example.com/realms/kit" },
		"okta-openidconnect":       func(s *backends.Settings) { s.BaseURL = "https://kit.okta.com/oauth2/default" },
		"auth0":                    func(s *backends.Settings) { s.Domain = "kit.eu.auth0.com" },
		"azuread-tenant-oauth2":    func(s *backends.Settings) { s.Tenant = "contoso.onmicrosoft.com" },
		"azuread-v2-tenant-oauth2": func(s *backends.Settings) { s.Tenant = "6f3b0c3e-2b1a-4f5e-9c8d-1a2b3c4d5e6f" },
	}
}
