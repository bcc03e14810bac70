package backends

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/go-socialauth/socialauth"
)

const discordAPI = "https://discord.com/api"

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
// default for that reason).
func Discord(s Settings) *OAuth2 {
	aud := s.audiences()
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "discord",
		AuthURL:     discordAPI + "/oauth2/authorize",
		TokenURL:    discordAPI + "/oauth2/token",
		Scopes:      append([]string{"identify", "email"}, s.Scope...),
		UserInfoURL: discordAPI + "/users/@me",
		User:        discordUser,
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

func discordUser(body []byte) (string, socialauth.Details, error) {
	var u struct {
		ID       json.RawMessage `json:"id"`
		Username string          `json:"username"`
		Email    string          `json:"email"`
		Verified bool            `json:"verified"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	return idString(u.ID), socialauth.Details{Username: u.Username, Email: u.Email, EmailVerified: u.Verified && u.Email != ""}, nil
}
