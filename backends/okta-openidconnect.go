package backends

import "strings"

// OktaOIDC is the "okta-openidconnect" backend.
//
// Settings: BaseURL (required, PSA's API_URL: the authorization server,
// https://{org}.okta.com/oauth2/default for a custom one, or
// https://{org}.okta.com/oauth2/ for the org server, whose issuer is
// https://{org}.okta.com), Key (the client id), ClientIDs (further client
// ids whose tokens are accepted), Secret, Scope.
//
// Token check: an id_token (AuthenticateIDToken) is verified against the
// issuer's JWKS: iss, aud/azp ∈ Key+ClientIDs, exp, iat within 10
// minutes, nonce when given. An access token (Authenticate) goes to the userinfo
// endpoint and, with Secret set, to Okta's introspection endpoint (RFC
// 7662, client_secret_basic): it must be active and its client_id one of
// Key and ClientIDs, for the userinfo's sub. Without a Secret the access
// token's audience is not proven (Doc says so); send the id_token.
//
// The uid is "sub", never preferred_username, which Okta lets admins
// change (PSA's okta-oauth2 uses it; allauth's CVE-2025-65431). The email
// counts as verified when email_verified says so.
func OktaOIDC(s Settings) *OIDC {
	c := settingsConfig("okta-openidconnect", oktaIssuer(s.BaseURL), s)
	c.Introspection = introspectWithSecret(s.Secret)
	c.Doc.UID = "sub (never preferred_username)"
	return NewOIDC(c)
}

// oktaIssuer is the issuer of an Okta API_URL: the org authorization
// server's ".../oauth2/" is the org itself.
func oktaIssuer(api string) string {
	u := strings.TrimRight(api, "/")
	return strings.TrimSuffix(u, "/oauth2")
}

// introspectWithSecret: a provider that always offers introspection is
// asked to whenever the app has a secret to ask with.
func introspectWithSecret(secret string) Introspection {
	if secret != "" {
		return IntrospectRequired
	}
	return IntrospectNever
}
