package backends

// YahooOAuth2 is the "yahoo-oauth2" backend: Yahoo's OpenID Connect userinfo
// read with an access token. The browser flow authenticates at the token
// endpoint with HTTP Basic.
//
// Settings: Key (the client id), Secret, Scope.
//
// Token check: none. Yahoo offers no introspection for access tokens, so a
// token issued to another app that this user authorized is accepted; only
// Yahoo's own refusal of unknown or expired tokens protects the exchange.
// The uid is the userinfo "sub". The email counts as verified only when
// Yahoo says email_verified.
func YahooOAuth2(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "yahoo-oauth2",
		AuthURL:     "https://api.login.yahoo.com/oauth2/request_auth",
		TokenURL:    "https://api.login.yahoo.com/oauth2/get_token",
		Scopes:      append([]string{"openid", "email", "profile"}, s.Scope...),
		UserInfoURL: "https://api.login.yahoo.com/openid/v1/userinfo",
		User:        oidcUser,
		Doc: Doc{TokenCheck: "none: Yahoo offers no introspection for access tokens; another app's token for the same user is accepted",
			UID: "sub", EmailVerified: "email_verified"},
	})
}
