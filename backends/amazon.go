package backends

import (
	"context"
	"net/http"
	"net/url"

	"github.com/go-socialauth/socialauth"
)

// Amazon is the "amazon" backend (Login with Amazon).
//
// Settings: Key (the security profile's client id), Scope, ClientIDs
// (further client ids whose tokens are accepted).
//
// Token check: GET https://api.amazon.com/auth/o2/tokeninfo must say the
// token's aud is one of Key and ClientIDs (Amazon's own guidance), and its
// user_id must equal the profile's; both calls run concurrently. The uid is
// "user_id" (amzn1.account.…). Amazon does not say whether the email is
// verified, so EmailVerified is false.
func Amazon(s Settings) *OAuth2 {
	aud := s.audiences()
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "amazon",
		AuthURL:     "https://www.amazon.com/ap/oa",
		TokenURL:    "https://api.amazon.com/auth/o2/token",
		Scopes:      append([]string{"profile"}, s.Scope...),
		UserInfoURL: "https://api.amazon.com/user/profile",
		User:        mapJSON[amazonUser],
		Verify: func(ctx context.Context, client *http.Client, token string) (string, error) {
			var ti struct {
				Aud    string `json:"aud"`
				UserID string `json:"user_id"`
			}
			c := call{url: "https://api.amazon.com/auth/o2/tokeninfo", query: url.Values{"access_token": {token}}, secrets: []string{token}}
			if _, err := c.getJSON(ctx, client, &ti); err != nil {
				return "", err
			}
			if err := checkApp("amazon", ti.Aud, aud); err != nil {
				return "", err
			}
			return tokenUser(ti.UserID)
		},
		Doc: Doc{ChecksAudience: true,
			TokenCheck:    "GET /auth/o2/tokeninfo: aud ∈ Key+ClientIDs, user_id = profile user_id",
			UID:           "user_id",
			EmailVerified: "never (Amazon does not say)"},
	})
}

type amazonUser struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
}

func (u amazonUser) user() (string, socialauth.Details, error) {
	return u.UserID, socialauth.Details{Username: u.Name, Email: u.Email, FullName: u.Name}, nil
}
