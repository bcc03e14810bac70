package backends

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/go-socialauth/socialauth"
)

const instagramGraph = "https://graph.instagram.com"

// Instagram is the "instagram" backend (Instagram API with Instagram Login,
// graph.instagram.com).
//
// Settings: Key (the Instagram app id), Secret (the Instagram app secret;
// required), Scope, ClientIDs (further Instagram app ids whose tokens are
// accepted).
//
// Token check: graph.instagram.com/debug_token, asked with the app token
// (Key|Secret), must say is_valid and name one of Key and ClientIDs as the
// app_id; it runs concurrently with /me. Its user_id is not compared with
// /me's id: Instagram has two ids per user (the app-scoped "id" and the
// professional account's "user_id") and Meta does not document which one
// debug_token reports. The uid is /me's "id", as PSA stores it. Instagram
// gives no email, so there is none to verify.
func Instagram(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "instagram",
		AuthURL:     "https://api.instagram.com/oauth/authorize",
		TokenURL:    "https://api.instagram.com/oauth/access_token",
		Scopes:      append([]string{"instagram_business_basic"}, s.Scope...),
		UserInfoURL: instagramGraph + "/me",
		TokenIn:     TokenQuery,
		Query:       url.Values{"fields": {"id,user_id,username,name"}},
		User:        instagramUser,
		Verify: func(ctx context.Context, client *http.Client, token string) (string, error) {
			// Graph's user_id here may be either of Instagram's two ids: not compared.
			_, err := graphDebugToken(ctx, client, instagramGraph, "instagram", token, s)
			return "", err
		},
		Doc: Doc{ChecksAudience: true,
			TokenCheck:    "graph.instagram.com/debug_token with the app token: is_valid, app_id ∈ Key+ClientIDs",
			UID:           "id (app-scoped)",
			EmailVerified: "never (Instagram gives no email)"},
	})
}

func instagramUser(body []byte) (string, socialauth.Details, error) {
	var u struct {
		ID       json.RawMessage `json:"id"`
		Username string          `json:"username"`
		Name     string          `json:"name"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	return idString(u.ID), socialauth.Details{Username: u.Username, FullName: u.Name}, nil
}
