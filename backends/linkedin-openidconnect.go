package backends

// LinkedInOIDC is the "linkedin-openidconnect" backend (Sign In
// with LinkedIn using OpenID Connect).
//
// Settings: Key (the client id), ClientIDs, Secret, Scope.
//
// Token check: an id_token (AuthenticateIDToken) is verified against LinkedIn's
// JWKS (from https://www.linkedin.com/oauth/.well-known/openid-configuration):
// iss "https://www.linkedin.com/oauth", aud/azp ∈ Key+ClientIDs, exp, iat
// within 10 minutes, and the nonce when one is given (PSA never checks it,
// since LinkedIn's tokens may lack one; here a nonce is checked when the
// caller passes one). An access token (Authenticate) goes to LinkedIn's userinfo
// endpoint, and its audience is NOT proven: prefer the id_token. The uid
// is "sub"; the email counts as verified when email_verified says so.
func LinkedInOIDC(s Settings) *OIDC {
	c := settingsConfig("linkedin-openidconnect", "https://www.linkedin.com/oauth", s)
	c.Introspection = IntrospectNever // LinkedIn advertises none
	return NewOIDC(c)
}
