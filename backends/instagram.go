package backends

import (
	"encoding/json"
	"net/url"

	"github.com/go-socialauth/socialauth"
)

const instagramGraph = "https://graph.instagram.com"

// Instagram is the "instagram" backend (Instagram API with Instagram Login,
// graph.instagram.com).
//
// Settings: Key (the Instagram app id), Secret (the Instagram app secret,
// for the browser flow's token exchange), Scope.
//
// Token check: none. Meta documents no way to inspect an Instagram Login
// token: GET /me with fields is all its Instagram API with Instagram Login
// reference offers, and graph.instagram.com/debug_token, which this backend
// used to ask, is not documented (debug_token is documented on
// graph.facebook.com, for Facebook tokens). So a token another app obtained
// for the same user is accepted; only Instagram's own refusal of unknown or
// expired tokens protects the exchange. The uid is /me's app-scoped "id", as
// PSA stores it (the professional account's "user_id" is requested too and
// kept in Raw). Instagram gives no email, so there is none to verify.
//
// Meta's documentation: https://developers.facebook.com/docs/instagram-platform/reference/me,
// https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/get-started.
func Instagram(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "instagram",
		AuthURL:     "https://api.instagram.com/oauth/authorize",
		TokenURL:    "https://api.instagram.com/oauth/access_token",
		Scopes:      append([]string{"instagram_business_basic"}, s.Scope...),
		UserInfoURL: instagramGraph + "/me",
		TokenIn:     TokenQuery,
		Query:       url.Values{"fields": {"id,user_id,username,name,profile_picture_url"}},
		User:        mapJSON[instagramUser],
		Doc: Doc{ChecksAudience: false,
			TokenCheck:    "none: Meta documents no inspection of Instagram Login tokens (no debug_token on graph.instagram.com); another app's token for the same user is accepted",
			UID:           "id (app-scoped)",
			EmailVerified: "never (Instagram gives no email)"},
	})
}

type instagramUser struct {
	ID                json.RawMessage `json:"id"`
	Username          string          `json:"username"`
	Name              string          `json:"name"`
	ProfilePictureURL string          `json:"profile_picture_url"`
}

func (u instagramUser) user() (string, socialauth.Details, error) {
	return idString(u.ID), socialauth.Details{Username: u.Username, FullName: u.Name, AvatarURL: pictureURL(u.ProfilePictureURL)}, nil
}
