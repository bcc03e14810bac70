package backends

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/go-socialauth/socialauth"
)

// GitLab is the "gitlab" backend: gitlab.com, or the self-managed GitLab at
// Settings.BaseURL.
//
// Settings: Key (the application id), Scope, ClientIDs (further application
// ids whose tokens are accepted), BaseURL (PSA's API_URL; default
// https://gitlab.com).
//
// Token check: GET /oauth/token/info with the token must name one of Key and
// ClientIDs as its application.uid, and its resource_owner_id must equal the
// id of /api/v4/user; both calls run concurrently. The uid is the numeric
// "id" (never the username, which users can rename). The email is the
// account's primary email; it counts as verified when the account has a
// confirmed_at, because GitLab confirms an address before it becomes primary.
func GitLab(s Settings) *OAuth2 {
	site := "https://gitlab.com"
	if s.BaseURL != "" {
		site = strings.TrimRight(s.BaseURL, "/")
	}
	aud := s.audiences()
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "gitlab",
		AuthURL:     site + "/oauth/authorize",
		TokenURL:    site + "/oauth/token",
		Scopes:      append([]string{"read_user"}, s.Scope...),
		UserInfoURL: site + "/api/v4/user",
		User:        gitlabUser,
		Verify: func(ctx context.Context, client *http.Client, token string) (string, error) {
			var ti struct {
				ResourceOwnerID json.RawMessage `json:"resource_owner_id"`
				Application     struct {
					UID string `json:"uid"`
				} `json:"application"`
			}
			c := call{url: site + "/oauth/token/info", header: bearer(token), secrets: []string{token}}
			if _, err := c.getJSON(ctx, client, &ti); err != nil {
				return "", err
			}
			if err := checkApp("gitlab", ti.Application.UID, aud); err != nil {
				return "", err
			}
			return tokenUser(idString(ti.ResourceOwnerID))
		},
		Doc: Doc{ChecksAudience: true,
			TokenCheck:    "GET /oauth/token/info: application.uid ∈ Key+ClientIDs, resource_owner_id = /api/v4/user id",
			UID:           "id (numeric)",
			EmailVerified: "primary email of an account with confirmed_at (GitLab confirms an address before it becomes primary)"},
	})
}

func gitlabUser(body []byte) (string, socialauth.Details, error) {
	var u struct {
		ID          json.RawMessage `json:"id"`
		Username    string          `json:"username"`
		Name        string          `json:"name"`
		Email       string          `json:"email"`
		ConfirmedAt *string         `json:"confirmed_at"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	return idString(u.ID), socialauth.Details{
		Username: u.Username, Email: u.Email,
		EmailVerified: u.Email != "" && u.ConfirmedAt != nil && *u.ConfirmedAt != "",
		FullName:      u.Name,
	}, nil
}
