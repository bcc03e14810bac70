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
// numeric "id" (never the login, which users can rename). The email is the
// primary address of GET /user/emails when GitHub lists it with "verified":
// true (needs the user:email scope); that is the only email marked
// verified. Otherwise the email is /user's public email, unverified: GitHub
// documents it as the address the user chose to show, not as verified.
//
// GitHub's documentation: https://docs.github.com/en/rest/users/users#get-the-authenticated-user,
// https://docs.github.com/en/rest/users/emails#list-email-addresses-for-the-authenticated-user,
// https://docs.github.com/en/rest/apps/oauth-applications#check-a-token.
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
			p, err := c.profile(ctx, client, mapJSON[githubUser])
			if err != nil {
				return nil, err
			}
			c.url = api + "/user/emails"
			email, err := githubVerifiedEmail(ctx, client, c)
			if err != nil {
				return nil, err
			}
			if email != "" {
				p.Details.Email, p.Details.EmailVerified = email, true
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
				var pe *ProviderError
				if errors.As(err, &pe) && (pe.StatusCode == http.StatusNotFound || pe.StatusCode == http.StatusUnprocessableEntity) {
					return "", fmt.Errorf("%w: github does not know this token for this app", socialauth.ErrInvalidToken)
				}
				return "", err
			}
			return idString(out.User.ID), nil
		},
		Doc: Doc{ChecksAudience: true, TokenCheck: "POST /applications/{client_id}/token with the app's credentials (404 → refused); its user id = /user id",
			UID: "id (numeric)", EmailVerified: "the primary address of /user/emails when listed verified: true (else /user's public email, unverified)"},
	})
}

type githubUser struct {
	ID        json.RawMessage `json:"id"`
	Login     string          `json:"login"`
	Name      string          `json:"name"`
	Email     string          `json:"email"`
	AvatarURL string          `json:"avatar_url"`
}

func (u githubUser) user() (string, socialauth.Details, error) {
	return idString(u.ID), socialauth.Details{
		Username: u.Login, Email: u.Email, FullName: u.Name, // the public email: not documented as verified
		AvatarURL: pictureURL(u.AvatarURL),
	}, nil
}

// githubVerifiedEmail is the primary address that c (GET /user/emails)
// lists as verified, or "" when there is none or the token may not read
// the list (no user:email scope: GitHub answers 404 or 403).
func githubVerifiedEmail(ctx context.Context, client *http.Client, c call) (string, error) {
	var emails []struct {
		Email    string `json:"email"`
		Primary  bool   `json:"primary"`
		Verified bool   `json:"verified"`
	}
	if _, err := c.getJSON(ctx, client, &emails); err != nil {
		var pe *ProviderError
		if errors.As(err, &pe) && (pe.StatusCode == http.StatusNotFound || pe.StatusCode == http.StatusForbidden) {
			return "", nil
		}
		return "", err
	}
	for _, e := range emails {
		if e.Primary && e.Verified && e.Email != "" {
			return e.Email, nil
		}
	}
	return "", nil
}
