package backends

// SalesforceOAuth2 is the "salesforce-oauth2" backend. With Settings.BaseURL
// it speaks to a sandbox (https://test.salesforce.com) or a My Domain
// (https://acme.my.salesforce.com) instead of https://login.salesforce.com.
//
// Settings: Key (the connected app's consumer key), Secret (required: the
// token check authenticates with it), Scope, ClientIDs (further connected
// apps whose tokens are accepted), BaseURL.
//
// Token check: POST /services/oauth2/introspect (RFC 7662) with the app's
// consumer key and secret must say the token is active and that its
// client_id is Key or one of ClientIDs; its sub must equal the userinfo's.
// Both run concurrently. The profile comes from /services/oauth2/userinfo,
// which takes a bare access token: PSA instead follows the "id" URL of the
// token-endpoint answer, which a token posted by an app does not come with.
// The uid is the userinfo "sub", the identity URL
// https://login.salesforce.com/id/<org id>/<user id> (test.salesforce.com for
// sandboxes): the same string PSA stores from "id". The email counts as
// verified only when Salesforce says email_verified.
func SalesforceOAuth2(s Settings) *OAuth2 {
	site := siteURL(s, "https://login.salesforce.com")
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "salesforce-oauth2",
		AuthURL:     site + "/services/oauth2/authorize",
		TokenURL:    site + "/services/oauth2/token",
		Scopes:      append([]string{"openid", "id"}, s.Scope...),
		UserInfoURL: site + "/services/oauth2/userinfo",
		User:        userinfoUser,
		Verify:      introspector{backend: "salesforce-oauth2", endpoint: site + "/services/oauth2/introspect", auth: clientSecretPost}.verify(s),
		Doc: Doc{ChecksAudience: true, TokenCheck: "POST /services/oauth2/introspect with the app's credentials: active, client_id ∈ Key+ClientIDs, sub = userinfo sub",
			UID: "sub (the identity URL …/id/<org>/<user>)", EmailVerified: "email_verified"},
	})
}
