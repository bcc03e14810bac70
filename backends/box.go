package backends

import (
	"encoding/json"

	"github.com/go-socialauth/socialauth"
)

// Box is the "box" backend (Box Platform API 2.0).
//
// Settings: Key (the client id), Secret, Scope.
//
// Token check: none. Box offers no token introspection, so a token issued to
// another app that this user authorized is accepted; only Box's own refusal
// of unknown or expired tokens protects the exchange. The uid is the "id" of
// GET /2.0/users/me (a numeric string). The email is the account's "login";
// Box does not say it is verified, so it never is.
func Box(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "box",
		AuthURL:     "https://account.box.com/api/oauth2/authorize",
		TokenURL:    "https://api.box.com/oauth2/token",
		Scopes:      s.Scope, // Box grants the scopes configured for the app
		UserInfoURL: "https://api.box.com/2.0/users/me",
		User:        mapJSON[boxUser],
		Doc: Doc{TokenCheck: "none: Box offers no token introspection; another app's token for the same user is accepted",
			UID: "id", EmailVerified: "never (Box does not say)"},
	})
}

type boxUser struct {
	ID        json.RawMessage `json:"id"`
	Name      string          `json:"name"`
	Login     string          `json:"login"`
	AvatarURL string          `json:"avatar_url"`
}

func (u boxUser) user() (string, socialauth.Details, error) {
	return idString(u.ID), socialauth.Details{Username: localPart(u.Login), Email: u.Login, FullName: u.Name,
		AvatarURL: pictureURL(u.AvatarURL)}, nil
}
