package backends

import (
	"github.com/go-socialauth/socialauth"
)

// DigitalOcean is the "digitalocean" backend (DigitalOcean API v2).
//
// Settings: Key (the client id), Secret, Scope.
//
// Token check: none. DigitalOcean's OAuth API has no introspection endpoint
// (and /v2/account also accepts personal access tokens), so a token issued
// to another app, or a personal token, of this user is accepted; only
// DigitalOcean's own refusal of unknown or expired tokens protects the
// exchange. The uid is account.uuid of GET /v2/account. The email counts as
// verified only when DigitalOcean says account.email_verified.
func DigitalOcean(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "digitalocean",
		AuthURL:     "https://cloud.digitalocean.com/v1/oauth/authorize",
		TokenURL:    "https://cloud.digitalocean.com/v1/oauth/token",
		Scopes:      append([]string{"read"}, s.Scope...),
		UserInfoURL: "https://api.digitalocean.com/v2/account",
		User:        mapJSON[digitalOceanUser],
		Doc: Doc{TokenCheck: "none: DigitalOcean offers no token introspection; another app's (or a personal) token of the same user is accepted",
			UID: "account.uuid", EmailVerified: "account.email_verified"},
	})
}

type digitalOceanUser struct {
	Account struct {
		UUID          string   `json:"uuid"`
		Email         string   `json:"email"`
		EmailVerified flexBool `json:"email_verified"`
		Name          string   `json:"name"`
	} `json:"account"`
}

func (u digitalOceanUser) user() (string, socialauth.Details, error) {
	a := u.Account
	return a.UUID, socialauth.Details{
		Username: localPart(a.Email), Email: a.Email, EmailVerified: a.Email != "" && bool(a.EmailVerified), FullName: a.Name,
	}, nil
}
