package backends

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/go-socialauth/socialauth"
)

// Gitea is the "gitea" backend, for gitea.com or, with Settings.BaseURL, a
// self-hosted Gitea (or Forgejo) at that address.
//
// Settings: Key (the OAuth2 application's client id), Secret (required: the
// token check authenticates with it), Scope, ClientIDs (further applications
// whose tokens are accepted), BaseURL (default https://gitea.com).
//
// Token check: POST /login/oauth/introspect (RFC 7662) with the app's
// credentials (HTTP Basic) must say the token is active and that its aud is
// Key or one of ClientIDs (Gitea's answer names the application in "aud" and
// has no client_id: https://docs.gitea.com/development/oauth2-provider and
// its IntrospectOAuth handler); its sub must equal /api/v1/user's id. Both run concurrently.
// Servers without that endpoint (Gitea before it added introspection) answer
// 404, which fails the login. The uid is the numeric "id". The name is read
// from "full_name" (PSA reads "fullname", which the API does not have). The
// email is /api/v1/user's; it counts as verified only when /api/v1/user/emails
// lists it as verified.
func Gitea(s Settings) *OAuth2 {
	site := siteURL(s, "https://gitea.com")
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:     "gitea",
		AuthURL:  site + "/login/oauth/authorize",
		TokenURL: site + "/login/oauth/access_token",
		Scopes:   append([]string{"read:user"}, s.Scope...),
		UserInfo: func(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error) {
			c := call{url: site + "/api/v1/user", header: bearer(token), secrets: []string{token}}
			p, err := c.profile(ctx, client, mapJSON[giteaUser])
			if err != nil || p.Details.Email == "" {
				return p, err
			}
			var emails []giteaEmail
			c.url = site + "/api/v1/user/emails"
			if _, err := c.getJSON(ctx, client, &emails); err != nil {
				return nil, err
			}
			p.Details.EmailVerified = slices.ContainsFunc(emails, func(e giteaEmail) bool {
				return e.Verified && strings.EqualFold(e.Email, p.Details.Email)
			})
			return p, nil
		},
		// Gitea's answer has no client_id: it names the application in
		// "aud" (IntrospectOAuth in routers/web/auth/oauth2_provider.go).
		Verify: introspector{backend: "gitea", endpoint: site + "/login/oauth/introspect", clientInAud: true}.verify(s),
		Doc: Doc{ChecksAudience: true, TokenCheck: "POST /login/oauth/introspect with the app's credentials: active, aud ∈ Key+ClientIDs, sub = /api/v1/user id",
			UID: "id (numeric)", EmailVerified: "/api/v1/user/emails lists the email as verified"},
	})
}

// giteaEmail is one entry of /api/v1/user/emails.
type giteaEmail struct {
	Email    string `json:"email"`
	Verified bool   `json:"verified"`
}

type giteaUser struct {
	ID        json.RawMessage `json:"id"`
	Login     string          `json:"login"`
	FullName  string          `json:"full_name"`
	Email     string          `json:"email"`
	AvatarURL string          `json:"avatar_url"`
}

func (u giteaUser) user() (string, socialauth.Details, error) {
	return idString(u.ID), socialauth.Details{Username: u.Login, Email: u.Email, FullName: u.FullName,
		AvatarURL: pictureURL(u.AvatarURL)}, nil
}
