package backends

import (
	"context"
	"errors"
	"net/http"

	"github.com/go-socialauth/socialauth"
)

const bitbucketAPI = "https://api.bitbucket.org/2.0"

// BitbucketOAuth2 is the "bitbucket-oauth2" backend (Bitbucket Cloud).
//
// Settings: Key (the OAuth consumer key), Scope.
//
// Token check: none: Bitbucket Cloud offers no token introspection, so a
// token another consumer obtained for the same user is accepted; the token
// is only as good as Bitbucket's own refusal of unknown tokens. The uid is
// the account's "uuid" (with its braces, as PSA stores it), never the
// username. The email is the primary address from /user/emails, verified
// when Bitbucket says is_confirmed; a consumer without the email permission
// (403 there) logs in without an email.
func BitbucketOAuth2(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:     "bitbucket-oauth2",
		AuthURL:  "https://bitbucket.org/site/oauth2/authorize",
		TokenURL: "https://bitbucket.org/site/oauth2/access_token",
		Scopes:   append([]string{"account", "email"}, s.Scope...),
		UserInfo: func(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error) {
			c := call{url: bitbucketAPI + "/user", header: bearer(token), secrets: []string{token}}
			p, err := c.profile(ctx, client, mapJSON[bitbucketUser])
			if err != nil {
				return nil, err
			}
			var emails struct {
				Values []struct {
					Email       string `json:"email"`
					IsPrimary   bool   `json:"is_primary"`
					IsConfirmed bool   `json:"is_confirmed"`
				} `json:"values"`
			}
			c.url = bitbucketAPI + "/user/emails"
			if _, err := c.getJSON(ctx, client, &emails); err != nil {
				var pe *ProviderError
				if errors.As(err, &pe) && pe.StatusCode == http.StatusForbidden {
					return p, nil // the consumer may not read emails: no email, still a login
				}
				return nil, err
			}
			for _, e := range emails.Values {
				if e.IsPrimary {
					p.Details.Email, p.Details.EmailVerified = e.Email, e.IsConfirmed && e.Email != ""
				}
			}
			return p, nil
		},
		Doc: Doc{ChecksAudience: false,
			TokenCheck:    "none: Bitbucket Cloud offers no token introspection",
			UID:           "uuid",
			EmailVerified: "is_confirmed of the primary address in /user/emails"},
	})
}

type bitbucketUser struct {
	UUID        string `json:"uuid"`
	Username    string `json:"username"`
	Nickname    string `json:"nickname"`
	DisplayName string `json:"display_name"`
	Links       struct {
		Avatar struct {
			Href string `json:"href"`
		} `json:"avatar"`
	} `json:"links"`
}

func (u bitbucketUser) user() (string, socialauth.Details, error) {
	username := u.Username
	if username == "" {
		username = u.Nickname
	}
	return u.UUID, socialauth.Details{Username: username, FullName: u.DisplayName, AvatarURL: pictureURL(u.Links.Avatar.Href)}, nil
}
