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
// token is not refused. The uid is "user_id" taken verbatim, as PayPal sends
// it and as PSA stores it: a URL such as
// https://www.paypal.com/webapps/auth/identity/user/<PPID>; it is never
// parsed, so an odd value cannot crash the backend, and the username is its
// last path segment. The email is the primary one of "emails" (else the
// first); it counts as verified only when that entry says "confirmed".
// verified_account (a verified PayPal account) says nothing of the email and
// is not used.
func PayPalOAuth2(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "paypal-oauth2",
		AuthURL:     "https://www.paypal.com/signin/authorize",
		TokenURL:    "https://api-m.paypal.com/v1/oauth2/token",
		Scopes:      append([]string{"openid", "profile", "email"}, s.Scope...),
		UserInfoURL: "https://api-m.paypal.com/v1/identity/oauth2/userinfo",
		Query:       url.Values{"schema": {"paypalv1.1"}},
		User:        paypalUser,
		Doc: Doc{TokenCheck: "none: PayPal offers no token introspection; its user_id is pairwise per app, so another app's token gives another uid",
			UID: "user_id (verbatim, a URL)", EmailVerified: "the primary email's confirmed flag"},
	})
}

func paypalUser(body []byte) (string, socialauth.Details, error) {
	var u struct {
		UserID     string `json:"user_id"`
		Name       string `json:"name"`
		GivenName  string `json:"given_name"`
		FamilyName string `json:"family_name"`
		Emails     []struct {
			Value     string   `json:"value"`
			Primary   flexBool `json:"primary"`
			Confirmed flexBool `json:"confirmed"`
		} `json:"emails"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	d := socialauth.Details{Username: lastSegment(u.UserID), FullName: u.Name, FirstName: u.GivenName, LastName: u.FamilyName}
	for i, e := range u.Emails {
		if i == 0 || e.Primary {
			d.Email, d.EmailVerified = e.Value, e.Value != "" && bool(e.Confirmed)
		}
		if e.Primary {
			break
		}
	}
	return u.UserID, d, nil
}
