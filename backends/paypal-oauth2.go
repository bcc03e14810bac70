package backends

import (
	"net/url"

	"github.com/go-socialauth/socialauth"
)

// PayPalOAuth2 is the "paypal-oauth2" backend: Log in with PayPal, live
// environment. The browser flow authenticates at the token endpoint with
// HTTP Basic.
//
// Settings: Key (the REST app's client id), Secret, Scope.
//
// Token check: none. PayPal offers no introspection for Log in with PayPal
// tokens. Its user_id is a pairwise identifier (unique per user and app), so
// another app's token for the same person maps to a different uid, but the
// token is not refused. The user is read from the Identity API's OpenID
// Connect userinfo (GET /v1/identity/openidconnect/userinfo?schema=openid).
// The uid is "user_id" taken verbatim, as PayPal sends it and as PSA stores
// it: a URL such as https://www.paypal.com/webapps/auth/identity/user/<PPID>;
// it is never parsed, so an odd value cannot crash the backend, and the
// username is its last path segment. The email counts as verified only when
// email_verified says so; verified_account (a verified PayPal account) says
// nothing of the email and is not used.
//
// PayPal's documentation: https://developer.paypal.com/api/identity/v1/,
// https://developer.paypal.com/docs/log-in-with-paypal/reference.
func PayPalOAuth2(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "paypal-oauth2",
		AuthURL:     "https://www.paypal.com/signin/authorize",
		TokenURL:    "https://api-m.paypal.com/v1/oauth2/token",
		Scopes:      append([]string{"openid", "profile", "email"}, s.Scope...),
		UserInfoURL: "https://api-m.paypal.com/v1/identity/openidconnect/userinfo",
		Query:       url.Values{"schema": {"openid"}},
		User:        mapJSON[paypalUser],
		Doc: Doc{TokenCheck: "none: PayPal offers no token introspection; its user_id is pairwise per app, so another app's token gives another uid",
			UID: "user_id (verbatim, a URL)", EmailVerified: "email_verified of the OpenID Connect userinfo"},
	})
}

type paypalUser struct {
	UserID        string   `json:"user_id"`
	Name          string   `json:"name"`
	GivenName     string   `json:"given_name"`
	FamilyName    string   `json:"family_name"`
	Email         string   `json:"email"`
	EmailVerified flexBool `json:"email_verified"`
}

func (u paypalUser) user() (string, socialauth.Details, error) {
	return u.UserID, socialauth.Details{Username: lastSegment(u.UserID), FullName: u.Name, FirstName: u.GivenName, LastName: u.FamilyName,
		Email: u.Email, EmailVerified: u.Email != "" && bool(u.EmailVerified)}, nil
}
