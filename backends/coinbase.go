package backends

import (
	"net/http"

	"github.com/go-socialauth/socialauth"
)

// Coinbase is the "coinbase" backend (Coinbase App API v2, Sign in with
// Coinbase).
//
// Settings: Key (the client id), Secret, Scope.
//
// Token check: none. Coinbase offers apps no token introspection, so a token
// issued to another app that this user authorized is accepted; only
// Coinbase's own refusal of unknown or expired tokens protects the exchange.
// The uid is data.id of GET /v2/user. Coinbase does not say whether the email
// is verified, so it never is.
func Coinbase(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "coinbase",
		AuthURL:     "https://login.coinbase.com/oauth2/auth",
		TokenURL:    "https://login.coinbase.com/oauth2/token",
		Scopes:      append([]string{"wallet:user:read", "wallet:user:email"}, s.Scope...),
		UserInfoURL: "https://api.coinbase.com/v2/user",
		Header:      http.Header{"Cb-Version": {"2022-01-06"}},
		User:        mapJSON[coinbaseUser],
		Doc: Doc{TokenCheck: "none: Coinbase offers no token introspection; another app's token for the same user is accepted",
			UID: "data.id", EmailVerified: "never (Coinbase does not say)"},
	})
}

type coinbaseUser struct {
	Data struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Username  string `json:"username"`
		Email     string `json:"email"`
		AvatarURL string `json:"avatar_url"`
	} `json:"data"`
}

func (u coinbaseUser) user() (string, socialauth.Details, error) {
	d := u.Data
	username := d.Username
	if username == "" {
		username = localPart(d.Email)
	}
	return d.ID, socialauth.Details{Username: username, Email: d.Email, FullName: d.Name, AvatarURL: pictureURL(d.AvatarURL)}, nil
}
