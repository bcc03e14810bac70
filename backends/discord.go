package backends

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/go-socialauth/socialauth"
)

const (
	// discordAPI is the pinned version of Discord's API: an unversioned
	// URL gets Discord's default version, which is deprecated.
	discordAPI = "https://discord.com/api/v10"
	discordCDN = "https://cdn.discordapp.com" // where avatar hashes are images
)

// Discord is the "discord" backend.
//
// Settings: Key (the application's client id), Scope, ClientIDs (further
// application ids whose tokens are accepted).
//
// Token check: GET /oauth2/@me (Discord's current authorization) must name
// one of Key and ClientIDs as its application.id, and its user (present with
// the identify scope) must be the one /users/@me returns; both calls run
// concurrently. The uid is the snowflake "id". The email counts as verified
// when Discord's "verified" flag says so (the email scope is requested by
// default for that reason). Every URL names API version 10.
//
// Discord's documentation: https://discord.com/developers/docs/reference#api-versioning,
// https://discord.com/developers/docs/topics/oauth2#get-current-authorization-information,
// https://discord.com/developers/docs/resources/user#get-current-user.
func Discord(s Settings) *OAuth2 {
	aud := s.audiences()
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "discord",
		AuthURL:     discordAPI + "/oauth2/authorize",
		TokenURL:    discordAPI + "/oauth2/token",
		Scopes:      append([]string{"identify", "email"}, s.Scope...),
		UserInfoURL: discordAPI + "/users/@me",
		User:        mapJSON[discordUser],
		Verify: func(ctx context.Context, client *http.Client, token string) (string, error) {
			var auth struct {
				Application struct {
					ID json.RawMessage `json:"id"`
				} `json:"application"`
				User *struct {
					ID json.RawMessage `json:"id"`
				} `json:"user"`
			}
			c := call{url: discordAPI + "/oauth2/@me", header: bearer(token), secrets: []string{token}}
			if _, err := c.getJSON(ctx, client, &auth); err != nil {
				return "", err
			}
			if err := checkApp("discord", idString(auth.Application.ID), aud); err != nil {
				return "", err
			}
			if auth.User == nil {
				return "", nil // no identify scope: /users/@me fails on its own
			}
			return idString(auth.User.ID), nil
		},
		Doc: Doc{ChecksAudience: true,
			TokenCheck:    "GET /oauth2/@me: application.id ∈ Key+ClientIDs, user.id = /users/@me id",
			UID:           "id (snowflake)",
			EmailVerified: "the user's verified flag"},
	})
}

type discordUser struct {
	ID       json.RawMessage `json:"id"`
	Username string          `json:"username"`
	Email    string          `json:"email"`
	Verified bool            `json:"verified"`
	Avatar   string          `json:"avatar"` // an image hash, or null
}

func (u discordUser) user() (string, socialauth.Details, error) {
	id := idString(u.ID)
	d := socialauth.Details{Username: u.Username, Email: u.Email, EmailVerified: u.Verified && u.Email != ""}
	if u.Avatar != "" && id != "" {
		d.AvatarURL = pictureURL(discordCDN + "/avatars/" + url.PathEscape(id) + "/" + url.PathEscape(u.Avatar) + ".png")
	}
	return id, d, nil
}
