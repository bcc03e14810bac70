package backends

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/go-socialauth/socialauth"
)

const (
	twitchValidate = "https://id.twitch.tv/oauth2/validate"
	twitchUsers    = "https://api.twitch.tv/helix/users"
)

// Twitch is the "twitch" backend (OAuth2; PSA's OIDC class of the same name
// keys users by the same Twitch user id).
//
// Settings: Key (the client id), Scope, ClientIDs (further client ids whose
// tokens are accepted).
//
// Token check: GET https://id.twitch.tv/oauth2/validate must name one of
// Key and ClientIDs as the token's client_id and report a user_id; then
// Helix /users is asked with that client id (Helix refuses a Client-Id that
// is not the token's) and must answer for the same user. The uid is the
// Twitch user "id". Helix returns an email only with the user:read:email
// scope (requested by default), and only a verified one ("the user's
// verified email address", in Twitch's API reference), so a returned email
// counts as verified.
func Twitch(s Settings) *OAuth2 {
	aud := s.audiences()
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:     "twitch",
		AuthURL:  "https://id.twitch.tv/oauth2/authorize",
		TokenURL: "https://id.twitch.tv/oauth2/token",
		Scopes:   append([]string{"user:read:email"}, s.Scope...),
		UserInfo: func(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error) {
			var v struct {
				ClientID string `json:"client_id"`
				UserID   string `json:"user_id"`
			}
			c := call{url: twitchValidate, header: http.Header{"Authorization": {"OAuth " + token}}, secrets: []string{token}}
			if _, err := c.getJSON(ctx, client, &v); err != nil {
				return nil, err
			}
			if err := checkApp("twitch", v.ClientID, aud); err != nil {
				return nil, err
			}
			uid, err := tokenUser(v.UserID)
			if err != nil {
				return nil, err
			}
			c.url, c.header = twitchUsers, bearer(token)
			c.header.Set("Client-Id", v.ClientID)
			var users struct {
				Data []json.RawMessage `json:"data"`
			}
			if _, err := c.getJSON(ctx, client, &users); err != nil {
				return nil, err
			}
			p, err := mapFirst(mapJSON[twitchUser], users.Data)
			if err == nil && p.UID != "" && p.UID != uid {
				return nil, fmt.Errorf("%w: the token belongs to another user than the profile", socialauth.ErrInvalidToken)
			}
			return p, err
		},
		Doc: Doc{ChecksAudience: true,
			TokenCheck:    "GET id.twitch.tv/oauth2/validate: client_id ∈ Key+ClientIDs, user_id = Helix /users id",
			UID:           "id",
			EmailVerified: "email present (Helix returns only a verified email)"},
	})
}

type twitchUser struct {
	ID              string `json:"id"`
	Login           string `json:"login"`
	Email           string `json:"email"`
	ProfileImageURL string `json:"profile_image_url"`
}

func (u twitchUser) user() (string, socialauth.Details, error) {
	return u.ID, socialauth.Details{Username: u.Login, Email: u.Email, EmailVerified: u.Email != "",
		AvatarURL: pictureURL(u.ProfileImageURL)}, nil
}
