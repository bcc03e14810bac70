package backends

import (
	"net/url"
	"strings"
)

// Auth0 is the "auth0" backend.
//
// Settings: Domain (required: the tenant's domain, "example.eu.auth0.com",
// with or without https://), Key (the client id), ClientIDs (further
// client ids whose tokens are accepted), Secret, Scope.
//
// Token check: an id_token (AuthenticateIDToken) is verified against
// https://{Domain}/.well-known/jwks.json (from discovery): iss
// "https://{Domain}/", aud/azp ∈ Key+ClientIDs, exp, iat within 10
// minutes, nonce when given. An access token (Authenticate) goes to
// https://{Domain}/userinfo; Auth0 offers no introspection, so its
// audience is NOT proven: prefer the id_token. The uid is "sub" (PSA's too,
// "auth0|…", "google-oauth2|…"); the username is "nickname", as in PSA.
// The email counts as verified when email_verified says so.
func Auth0(s Settings) *OIDC {
	c := settingsConfig("auth0", "https://"+auth0Domain(s.Domain)+"/", s)
	c.Claims.Username = "nickname"
	c.Introspection = IntrospectNever // Auth0 has none
	return NewOIDC(c)
}

// auth0Domain is the bare host of a DOMAIN setting, as PSA normalizes it.
func auth0Domain(d string) string {
	d = strings.TrimSpace(d)
	if u, err := url.Parse(d); err == nil && u.Host != "" {
		d = u.Host
	}
	return strings.Trim(d, "/")
}
