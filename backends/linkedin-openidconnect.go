package backends

// LinkedInOIDC is the "linkedin-openidconnect" backend (Sign In
// with LinkedIn using OpenID Connect).
//
// Settings: Key (the client id), ClientIDs, Secret (needed for access
// tokens), Scope.
//
// Token check: an id_token (AuthenticateIDToken) is verified against LinkedIn's
// JWKS (from https://www.linkedin.com/oauth/.well-known/openid-configuration):
// iss "https://www.linkedin.com/oauth", aud/azp ∈ Key+ClientIDs, exp, iat
// within 10 minutes, and the nonce when one is given (PSA never checks it,
// since LinkedIn's tokens may lack one; here a nonce is checked when the
// caller passes one). An access token (Authenticate) goes to LinkedIn's
// userinfo endpoint and, at the same time, to LinkedIn's token
// introspection with the app's client id and secret, which must say it is
// active, a member's (auth_type "3L") and issued to Key or one of
// ClientIDs (the check linkedin-oauth2 makes); without Secret an access
// token is refused. The uid is "sub"; the email counts as verified when
// email_verified says so.
//
// LinkedIn's documentation: https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2,
// https://learn.microsoft.com/en-us/linkedin/shared/authentication/token-introspection.
func LinkedInOIDC(s Settings) *OIDC {
	c := settingsConfig("linkedin-openidconnect", "https://www.linkedin.com/oauth", s)
	// LinkedIn advertises no RFC 7662 endpoint, but documents its own.
	c.Introspection = IntrospectNever
	c.AccessTokenCheck = linkedinTokenCheck("linkedin-openidconnect", s)
	c.Doc.TokenCheck = "access token: " + linkedinTokenCheckDoc + "; " + idTokenCheck
	return NewOIDC(c)
}
