package backends

// GoogleOIDC is the "google-openidconnect" backend: [GoogleOAuth2] in
// every respect but its name, which associations are stored under (PSA
// has both names for Google).
//
// Settings, token check, uid and email: as [GoogleOAuth2]. The uid is
// "sub" (PSA's default is the email unless USE_UNIQUE_USER_ID).
func GoogleOIDC(s Settings) *OAuth2IDToken { return google("google-openidconnect", s) }
