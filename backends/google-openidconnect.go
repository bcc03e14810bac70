package backends

// GoogleOIDC is the "google-openidconnect" backend: PSA's Google
// OpenID Connect backend, which is Google's OAuth2 backend under another
// name. It is [GoogleOAuth2] in every respect but its name, which
// associations are stored under.
//
// Settings, token check, uid and email: as [GoogleOAuth2]. The uid is
// "sub" (PSA's default is the email unless USE_UNIQUE_USER_ID).
func GoogleOIDC(s Settings) *OAuth2IDToken { return google("google-openidconnect", s) }
