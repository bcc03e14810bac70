package backends

import (
	"net/http"

	"github.com/go-socialauth/socialauth"
)

// redditUserAgent identifies this library: Reddit refuses or throttles
// requests with a generic User-Agent.
const redditUserAgent = "socialauth/1 (Go; +https://github.com/go-socialauth/socialauth)"

// Reddit is the "reddit" backend.
//
// Settings: Key (the client id), Scope.
//
// Token check: none: Reddit offers no token introspection, so a token
// another app obtained for the same user is accepted; the token is only as
// good as Reddit's own refusal of unknown tokens. The uid is the account's
// base-36 "id" (without the t2_ prefix, as PSA stores it). Reddit's API
// gives no email, so there is none to verify.
func Reddit(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "reddit",
		AuthURL:     "https://ssl.reddit.com/api/v1/authorize",
		TokenURL:    "https://ssl.reddit.com/api/v1/access_token",
		Scopes:      append([]string{"identity"}, s.Scope...),
		UserInfoURL: "https://oauth.reddit.com/api/v1/me.json",
		Header:      http.Header{"User-Agent": {redditUserAgent}},
		User:        redditUser,
		Doc: Doc{ChecksAudience: false,
			TokenCheck:    "none: Reddit offers no token introspection",
			UID:           "id (base 36)",
			EmailVerified: "never (Reddit gives no email)"},
	})
}

func redditUser(body []byte) (string, socialauth.Details, error) {
	var u struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	return u.ID, socialauth.Details{Username: u.Name}, nil
}
