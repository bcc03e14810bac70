package backends

// Keycloak is the "keycloak" backend.
//
// Settings: BaseURL (required: the realm's URL, which is its issuer,
// "https://sso.example.com/realms/myrealm"; environment _API_URL), Key (the
// client id), ClientIDs (further client ids whose tokens are accepted),
// Secret (the confidential client's secret), Scope.
//
// Token check: an id_token (AuthenticateIDToken) is verified against the realm's
// JWKS (from discovery): iss, aud/azp ∈ Key+ClientIDs, exp, iat within 10
// minutes, nonce when given. An access token (Authenticate) goes to the
// realm's userinfo endpoint and, with Secret set, to its introspection
// endpoint (RFC 7662): it must be active and its client_id (azp) one of Key
// and ClientIDs, for the userinfo's sub. PSA decodes the access token with
// a configured PUBLIC_KEY instead; introspection needs no key and also
// sees revoked sessions. Without a Secret the access token's audience is
// not proven (Doc says so); send the id_token.
//
// The uid is "sub" (PSA's ID_KEY is the username, which Keycloak lets
// users and admins change). The email counts as verified when
// email_verified says so.
func Keycloak(s Settings) *OIDC {
	c := settingsConfig("keycloak", s.BaseURL, s)
	c.Introspection = introspectWithSecret(s.Secret)
	return NewOIDC(c)
}
