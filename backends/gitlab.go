package backends

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
// "id" (never the username, which users can rename). The email is
// /api/v4/user's; it counts as verified only when GitLab's OpenID Connect
// userinfo (GET /oauth/userinfo, which needs the openid scope) says
// email_verified for the same user and address. The account's confirmed_at
// is not an email verification (a self-managed instance may skip
// confirmation). A token without the openid scope logs in with the email
// unverified.
//
// GitLab's documentation: https://docs.gitlab.com/integration/openid_connect_provider/,
// https://docs.gitlab.com/api/oauth2/, https://docs.gitlab.com/api/users/.
func GitLab(s Settings) *OAuth2 {
	site := "https://gitlab.com"
	if s.BaseURL != "" {
		site = strings.TrimRight(s.BaseURL, "/")
	}
	aud := s.audiences()
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:     "gitlab",
		AuthURL:  site + "/oauth/authorize",
		TokenURL: site + "/oauth/token",
		Scopes:   append([]string{"read_user", "openid", "email"}, s.Scope...),
		User:     mapJSON[gitlabUser], // /api/v4/user's JSON, which UserInfo reads first
		UserInfo: func(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error) {
			c := call{url: site + "/api/v4/user", header: bearer(token), secrets: []string{token}}
			p, err := c.profile(ctx, client, mapJSON[gitlabUser])
			if err != nil || p.Details.Email == "" || p.UID == "" {
				return p, err
			}
			c.url = site + "/oauth/userinfo"
			if p.Details.EmailVerified, err = gitlabEmailVerified(ctx, client, c, p); err != nil {
				return nil, err
			}
			return p, nil
		},
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
			EmailVerified: "email_verified of GET /oauth/userinfo (openid scope) for the same user and address; never from confirmed_at"},
	})
}

type gitlabUser struct {
	ID        json.RawMessage `json:"id"`
	Username  string          `json:"username"`
	Name      string          `json:"name"`
	Email     string          `json:"email"`
	AvatarURL string          `json:"avatar_url"`
}

func (u gitlabUser) user() (string, socialauth.Details, error) {
	return idString(u.ID), socialauth.Details{
		Username: u.Username, Email: u.Email, FullName: u.Name,
		AvatarURL: pictureURL(u.AvatarURL),
	}, nil
}

// gitlabEmailVerified asks GitLab's OpenID Connect userinfo (c) whether
// p's email is verified: its sub must be p's user, its email p's email,
// and its email_verified true. A token without the openid scope (403)
// gets false; a userinfo about another user is refused.
func gitlabEmailVerified(ctx context.Context, client *http.Client, c call, p *socialauth.Profile) (bool, error) {
	var info struct {
		Sub           json.RawMessage `json:"sub"`
		Email         string          `json:"email"`
		EmailVerified flexBool        `json:"email_verified"`
	}
	if _, err := c.getJSON(ctx, client, &info); err != nil {
		var pe *ProviderError
		if errors.As(err, &pe) && pe.StatusCode == http.StatusForbidden {
			return false, nil // insufficient_scope: no openid
		}
		return false, err
	}
	if sub := idString(info.Sub); sub != p.UID {
		return false, fmt.Errorf("%w: gitlab's userinfo names another user than /api/v4/user", socialauth.ErrInvalidToken)
	}
	return bool(info.EmailVerified) && strings.EqualFold(info.Email, p.Details.Email), nil
}
