package backends

import (
	"html"
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
// gives no email, so there is none to verify. The browser flow uses
// www.reddit.com (the legacy ssl.reddit.com hosts are gone from Reddit's
// documentation) and the API oauth.reddit.com.
//
// Reddit's documentation: https://github.com/reddit-archive/reddit/wiki/OAuth2,
// https://www.reddit.com/dev/api#GET_api_v1_me.
func Reddit(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "reddit",
		AuthURL:     "https://www.reddit.com/api/v1/authorize",
		TokenURL:    "https://www.reddit.com/api/v1/access_token",
		Scopes:      append([]string{"identity"}, s.Scope...),
		UserInfoURL: "https://oauth.reddit.com/api/v1/me.json",
		Header:      http.Header{"User-Agent": {redditUserAgent}},
		User:        mapJSON[redditUser],
		Doc: Doc{ChecksAudience: false,
			TokenCheck:    "none: Reddit offers no token introspection",
			UID:           "id (base 36)",
			EmailVerified: "never (Reddit gives no email)"},
	})
}

type redditUser struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// IconImg is the avatar, HTML-escaped as Reddit escapes its legacy
	// JSON ("&amp;" in the query) unless asked for raw_json.
	IconImg string `json:"icon_img"`
}

func (u redditUser) user() (string, socialauth.Details, error) {
	return u.ID, socialauth.Details{Username: u.Name, AvatarURL: pictureURL(html.UnescapeString(u.IconImg))}, nil
}
