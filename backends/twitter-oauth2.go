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
// JSON), never the @username, which users can change. The email is the
// user field confirmed_email, which X documents as "the confirmed email of
// the authenticated user" and gives to tokens with the users.email scope
// (requested by default): it counts as verified. A token without that scope
// logs in without an email.
//
// X's documentation: https://docs.x.com/x-api/users/get-my-user,
// https://docs.x.com/x-api/fundamentals/data-dictionary#user,
// https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code#scopes.
func TwitterOAuth2(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "twitter-oauth2",
		AuthURL:     "https://x.com/i/oauth2/authorize",
		TokenURL:    "https://api.x.com/2/oauth2/token",
		Scopes:      append([]string{"users.read", "tweet.read", "users.email"}, s.Scope...),
		UserInfoURL: "https://api.x.com/2/users/me",
		Query:       url.Values{"user.fields": {"id,name,username,created_at,profile_image_url,verified,confirmed_email"}},
		User:        mapJSON[twitterUser],
		Doc: Doc{TokenCheck: "none: X offers no token introspection for OAuth 2.0 user tokens; another app's token for the same user is accepted",
			UID: "data.id (numeric string)", EmailVerified: "confirmed_email (X: the user's confirmed email; users.email scope)"},
	})
}

type twitterUser struct {
	Data struct {
		ID       json.RawMessage `json:"id"`
		Name     string          `json:"name"`
		Username string          `json:"username"`
		// ProfileImageURL is the avatar (requested in user.fields).
		ProfileImageURL string `json:"profile_image_url"`
		// ConfirmedEmail is present with the users.email scope.
		ConfirmedEmail string `json:"confirmed_email"`
	} `json:"data"`
}

func (u twitterUser) user() (string, socialauth.Details, error) {
	return idString(u.Data.ID), socialauth.Details{Username: u.Data.Username, FullName: u.Data.Name,
		Email: u.Data.ConfirmedEmail, EmailVerified: u.Data.ConfirmedEmail != "",
		AvatarURL: pictureURL(u.Data.ProfileImageURL)}, nil
}
