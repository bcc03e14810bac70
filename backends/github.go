package backends

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-socialauth/socialauth"
)

// GitHub is the "github" backend. With Settings.BaseURL it speaks to a
// GitHub Enterprise Server at that address ({BaseURL}/api/v3).
//
// Settings: Key (the OAuth app's client id), Secret (required), Scope, BaseURL.
//
// Token check: POST /applications/{client_id}/token with the app's
// credentials; GitHub answers 404 for a token that is not this app's, which
// is refused. The check's user id must equal /user's. The uid is the
// numeric "id" (never the login, which users can rename). The email is
// /user's public email, which GitHub only lets users pick among their
// verified addresses; when there is none, the primary verified address from
// /user/emails (needs the user:email scope).
func GitHub(s Settings) *OAuth2 {
	site, api := "https://github.com", "https://api.github.com"
	if s.BaseURL != "" {
		site = strings.TrimRight(s.BaseURL, "/")
		api = site + "/api/v3"
	}
	hdr := func(token string) http.Header {
		return http.Header{
			"Authorization":        {"Bearer " + token},
			"Accept":               {"application/vnd.github+json"},
			"X-Github-Api-Version": {"2022-11-28"},
		}
	}
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:     "github",
		AuthURL:  site + "/login/oauth/authorize",
		TokenURL: site + "/login/oauth/access_token",
		Scopes:   append([]string{"user:email"}, s.Scope...),
		UserInfo: func(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error) {
			c := call{url: api + "/user", header: hdr(token), secrets: []string{token}}
			body, err := c.do(ctx, client)
			if err != nil {
				return nil, err
			}
			p, err := mapUser(githubUser, body)
			if err != nil || p.Details.Email != "" {
				return p, err
			}
			var emails []struct {
				Email    string `json:"email"`
				Primary  bool   `json:"primary"`
				Verified bool   `json:"verified"`
			}
			c.url = api + "/user/emails"
			if _, err := c.getJSON(ctx, client, &emails); err != nil {
				return nil, err
			}
			for _, e := range emails {
				if e.Primary && e.Verified {
					p.Details.Email, p.Details.EmailVerified = e.Email, true
				}
			}
			return p, nil
		},
		Verify: func(ctx context.Context, client *http.Client, token string) (string, error) {
			if s.Key == "" || s.Secret == "" {
				return "", fmt.Errorf("%w: github needs its client id and secret to check tokens", socialauth.ErrAuthFailed)
			}
			h := http.Header{"Accept": {"application/vnd.github+json"}, "Content-Type": {"application/json"}}
			req := call{method: http.MethodPost, url: api + "/applications/" + url.PathEscape(s.Key) + "/token",
				header: h, body: jsonBody(map[string]string{"access_token": token}), secrets: []string{token, s.Secret}}
			req.header.Set("Authorization", basicAuth(s.Key, s.Secret))
			var out struct {
				User struct {
					ID json.RawMessage `json:"id"`
				} `json:"user"`
			}
			if _, err := req.getJSON(ctx, client, &out); err != nil {
				var pe *socialauth.ProviderError
				if errors.As(err, &pe) && (pe.StatusCode == http.StatusNotFound || pe.StatusCode == http.StatusUnprocessableEntity) {
					return "", fmt.Errorf("%w: github does not know this token for this app", socialauth.ErrInvalidToken)
				}
				return "", err
			}
			return idString(out.User.ID), nil
		},
		Doc: Doc{ChecksAudience: true, TokenCheck: "POST /applications/{client_id}/token with the app's credentials (404 → refused); its user id = /user id",
			UID: "id (numeric)", EmailVerified: "public email (GitHub only publishes verified ones) or primary+verified from /user/emails"},
	})
}

func githubUser(body []byte) (string, socialauth.Details, error) {
	var u struct {
		ID    json.RawMessage `json:"id"`
		Login string          `json:"login"`
		Name  string          `json:"name"`
		Email string          `json:"email"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	return idString(u.ID), socialauth.Details{
		Username: u.Login, Email: u.Email, EmailVerified: u.Email != "", FullName: u.Name,
	}, nil
}
