package backends

// YahooOAuth2 is the "yahoo-oauth2" backend: Yahoo's OpenID Connect userinfo
// read with an access token, or Yahoo's id_token. The browser flow
// authenticates at the token endpoint with HTTP Basic.
//
// Settings: Key (the client id), ClientIDs (further client ids whose
// id_tokens are accepted), Secret, Scope.
//
// Token check. An access token (Authenticate) proves no audience: Yahoo
// offers no introspection for access tokens, so a token issued to another
// app that this user authorized is accepted; only Yahoo's own refusal of
// unknown or expired tokens protects the exchange. Prefer the id_token
// (AuthenticateIDToken): verified against the keys of Yahoo's discovery
// document (https://api.login.yahoo.com/.well-known/openid-configuration),
// iss "https://api.login.yahoo.com", aud one of Key and ClientIDs, exp, iat
// within 10 minutes, and the nonce when one is given. The uid is "sub" on
// both paths. The email counts as verified only when Yahoo says
// email_verified.
//
// Yahoo's documentation: https://developer.yahoo.com/oauth2/guide/openid_connect/,
// https://developer.yahoo.com/oauth2/guide/openid_connect/decode_id_token.html.
func YahooOAuth2(s Settings) *OAuth2IDToken {
	return NewOAuth2IDToken(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "yahoo-oauth2",
		AuthURL:     "https://api.login.yahoo.com/oauth2/request_auth",
		TokenURL:    "https://api.login.yahoo.com/oauth2/get_token",
		Scopes:      append([]string{"openid", "email", "profile"}, s.Scope...),
		UserInfoURL: "https://api.login.yahoo.com/openid/v1/userinfo",
		User:        userinfoUser,
		Doc: Doc{TokenCheck: "none for access tokens: Yahoo offers no introspection for them; another app's token for the same user is accepted (send the id_token)",
			UID: "sub", EmailVerified: "email_verified"},
	}, OIDCConfig{
		Issuer:    "https://api.login.yahoo.com",
		ClientIDs: s.audiences(),
		User:      userinfoUser,
	})
}
