package backends

import (
	"encoding/json"
	"net/url"

	"github.com/go-socialauth/socialauth"
)

// TwitterOAuth2 is the "twitter-oauth2" backend: X (Twitter) API v2 with
// OAuth 2.0 user tokens. The browser flow uses PKCE (S256), which X requires,
// and authenticates at the token endpoint with HTTP Basic.
//
// Settings: Key (the OAuth 2.0 client id), Secret, Scope.
//
// Token check: none. X offers no token introspection for OAuth 2.0 user
// tokens, so a token issued to another app that this user authorized is
// accepted; only X's own refusal of unknown or expired tokens protects the
// exchange. The uid is the numeric "id" of GET /2/users/me (a string in X's
// JSON), never the @username, which users can change. X does not give the
// email to this endpoint, so no email is ever marked verified.
func TwitterOAuth2(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "twitter-oauth2",
		AuthURL:     "https://x.com/i/oauth2/authorize",
		TokenURL:    "https://api.x.com/2/oauth2/token",
		Scopes:      append([]string{"users.read", "tweet.read"}, s.Scope...),
		UserInfoURL: "https://api.x.com/2/users/me",
		Query:       url.Values{"user.fields": {"id,name,username,created_at,profile_image_url,verified"}},
		User:        twitterUser,
		Doc: Doc{TokenCheck: "none: X offers no token introspection for OAuth 2.0 user tokens; another app's token for the same user is accepted",
			UID: "data.id (numeric string)", EmailVerified: "never (X gives no email here)"},
	})
}

func twitterUser(body []byte) (string, socialauth.Details, error) {
	var u struct {
		Data struct {
			ID       json.RawMessage `json:"id"`
			Name     string          `json:"name"`
			Username string          `json:"username"`
		} `json:"data"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	return idString(u.Data.ID), socialauth.Details{Username: u.Data.Username, FullName: u.Data.Name}, nil
}
