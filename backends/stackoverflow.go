package backends

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"path"

	"github.com/go-socialauth/socialauth"
)

const stackExchangeMe = "https://api.stackexchange.com/2.3/me"

// StackOverflow is the "stackoverflow" backend (Stack Exchange API 2.3,
// site stackoverflow).
//
// Settings: Key (the app's client id), Scope. APIKey (PSA's
// SOCIAL_AUTH_STACKOVERFLOW_API_KEY) is not sent: since June 2026 Stack
// Exchange takes no key or token in the query, and a request authenticated
// with an access token needs no key.
//
// The access token travels as "Authorization: Bearer", as Stack Exchange
// requires from June 2026 (never in the URL). Token check: none: Stack
// Exchange offers no introspection that names the app a token was issued
// to (/access-tokens reports only the account and scope), so the backend
// cannot refuse another app's token for the same user; the token is only as
// good as Stack Exchange's own refusal of unknown tokens. The uid is the
// numeric "user_id" on Stack Overflow. The username is the last segment of
// the profile link, as PSA builds it. The API gives no email.
//
// Stack Exchange's documentation: https://api.stackexchange.com/docs/me,
// https://api.stackexchange.com/docs/authentication, and the change of
// scheme: https://meta.stackexchange.com/questions/417382.
func StackOverflow(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:     "stackoverflow",
		AuthURL:  "https://stackexchange.com/oauth",
		TokenURL: "https://stackexchange.com/oauth/access_token",
		Scopes:   append([]string(nil), s.Scope...),
		UserInfo: func(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error) {
			var me struct {
				Items []json.RawMessage `json:"items"`
			}
			c := call{url: stackExchangeMe, header: bearer(token), secrets: []string{token},
				query: url.Values{"site": {"stackoverflow"}}}
			if _, err := c.getJSON(ctx, client, &me); err != nil {
				return nil, err
			}
			return mapFirst(mapJSON[stackoverflowUser], me.Items)
		},
		Doc: Doc{ChecksAudience: false,
			TokenCheck:    "none: Stack Exchange offers no introspection naming a token's app",
			UID:           "user_id (numeric)",
			EmailVerified: "never (Stack Exchange gives no email)"},
	})
}

type stackoverflowUser struct {
	UserID       json.RawMessage `json:"user_id"`
	DisplayName  string          `json:"display_name"`
	Link         string          `json:"link"`
	ProfileImage string          `json:"profile_image"`
}

func (u stackoverflowUser) user() (string, socialauth.Details, error) {
	var username string
	if l, err := url.Parse(u.Link); err == nil && l.Path != "" && l.Path != "/" {
		username = path.Base(l.Path)
	}
	// Stack Exchange sends display names with HTML entities ("Sk&#233;et").
	return idString(u.UserID), socialauth.Details{Username: username, FullName: html.UnescapeString(u.DisplayName),
		AvatarURL: pictureURL(u.ProfileImage)}, nil
}
