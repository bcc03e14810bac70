package backends

import (
	"context"
	"net/http"
	"net/url"

	"github.com/go-socialauth/socialauth"
)

const (
	yandexInfo    = "https://login.yandex.ru/info"
	yandexAvatars = "https://avatars.yandex.net/get-yapic/" // {default_avatar_id}/{size}
)

// YandexOAuth2 is the "yandex-oauth2" backend (Yandex ID).
//
// Settings: Key (the app's ClientID), Scope, ClientIDs (further client ids
// whose tokens are accepted).
//
// Token check: Yandex ID's /info answer names the client_id the token was
// issued to; it must be one of Key and ClientIDs. The check and the profile
// come from the same call, sent with "Authorization: OAuth <token>". The uid
// is "id". The email is default_email (else the first of emails); Yandex
// does not say it is verified, so EmailVerified is false. The picture
// (AvatarURL) comes with the login:avatar permission.
func YandexOAuth2(s Settings) *OAuth2 {
	aud := s.audiences()
	user := func(body []byte) (string, socialauth.Details, error) {
		return yandexUser(body, aud)
	}
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:     "yandex-oauth2",
		AuthURL:  "https://oauth.yandex.com/authorize",
		TokenURL: "https://oauth.yandex.com/token",
		Scopes:   append([]string(nil), s.Scope...),
		User:     user,
		UserInfo: func(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error) {
			c := call{url: yandexInfo, query: url.Values{"format": {"json"}},
				header: http.Header{"Authorization": {"OAuth " + token}}, secrets: []string{token}}
			return c.profile(ctx, client, user)
		},
		Doc: Doc{ChecksAudience: true,
			TokenCheck:    "login.yandex.ru/info names the token's client_id, which must be ∈ Key+ClientIDs",
			UID:           "id",
			EmailVerified: "never (Yandex does not say)"},
	})
}

func yandexUser(body []byte, audiences []string) (string, socialauth.Details, error) {
	var u struct {
		ID           string   `json:"id"`
		Login        string   `json:"login"`
		ClientID     string   `json:"client_id"`
		DisplayName  string   `json:"display_name"`
		RealName     string   `json:"real_name"`
		FirstName    string   `json:"first_name"`
		LastName     string   `json:"last_name"`
		DefaultEmail string   `json:"default_email"`
		Emails       []string `json:"emails"`
		// DefaultAvatarID names the portrait (login:avatar scope).
		DefaultAvatarID string `json:"default_avatar_id"`
		IsAvatarEmpty   bool   `json:"is_avatar_empty"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	if err := checkApp("yandex-oauth2", u.ClientID, audiences); err != nil {
		return "", socialauth.Details{}, err
	}
	d := socialauth.Details{Username: u.DisplayName, Email: u.DefaultEmail,
		FullName: u.RealName, FirstName: u.FirstName, LastName: u.LastName}
	if d.Username == "" {
		d.Username = u.Login
	}
	if d.Email == "" && len(u.Emails) > 0 {
		d.Email = u.Emails[0]
	}
	if d.FullName == "" && d.FirstName == "" && d.LastName == "" {
		d.FullName = u.DisplayName
	}
	if u.DefaultAvatarID != "" && !u.IsAvatarEmpty {
		d.AvatarURL = pictureURL(yandexAvatars + url.PathEscape(u.DefaultAvatarID) + "/islands-200")
	}
	return u.ID, d, nil
}
