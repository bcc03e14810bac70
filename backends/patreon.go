package backends

import (
	"encoding/json"
	"net/url"

	"github.com/go-socialauth/socialauth"
)

// Patreon is the "patreon" backend (Patreon API v2).
//
// Settings: Key (the client id), Secret, Scope.
//
// Token check: none. Patreon offers no token introspection, so a token
// issued to another app that this user authorized is accepted; only
// Patreon's own refusal of unknown or expired tokens protects the exchange.
// The uid is data.id of GET /api/oauth2/v2/identity. The email (scope
// identity[email]) counts as verified only when Patreon says
// is_email_verified.
func Patreon(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "patreon",
		AuthURL:     "https://www.patreon.com/oauth2/authorize",
		TokenURL:    "https://www.patreon.com/api/oauth2/token",
		Scopes:      append([]string{"identity", "identity[email]"}, s.Scope...),
		UserInfoURL: "https://www.patreon.com/api/oauth2/v2/identity",
		Query:       url.Values{"fields[user]": {"email,first_name,full_name,image_url,is_email_verified,last_name,vanity"}},
		User:        mapJSON[patreonUser],
		Doc: Doc{TokenCheck: "none: Patreon offers no token introspection; another app's token for the same user is accepted",
			UID: "data.id", EmailVerified: "attributes.is_email_verified"},
	})
}

type patreonUser struct {
	Data struct {
		ID         json.RawMessage `json:"id"`
		Attributes struct {
			Email           string   `json:"email"`
			IsEmailVerified flexBool `json:"is_email_verified"`
			FullName        string   `json:"full_name"`
			FirstName       string   `json:"first_name"`
			LastName        string   `json:"last_name"`
			Vanity          string   `json:"vanity"`
			ImageURL        string   `json:"image_url"`
		} `json:"attributes"`
	} `json:"data"`
}

func (u patreonUser) user() (string, socialauth.Details, error) {
	a := u.Data.Attributes
	username := a.Vanity
	if username == "" {
		username = a.FullName
	}
	return idString(u.Data.ID), socialauth.Details{
		Username: username, Email: a.Email, EmailVerified: a.Email != "" && bool(a.IsEmailVerified),
		FullName: a.FullName, FirstName: a.FirstName, LastName: a.LastName,
		AvatarURL: pictureURL(a.ImageURL),
	}, nil
}
