package backends

import (
	"context"
	"net/http"

	"github.com/go-socialauth/socialauth"
)

const dropboxCurrentAccount = "https://api.dropboxapi.com/2/users/get_current_account"

// DropboxOAuth2 is the "dropbox-oauth2" backend (Dropbox API v2).
//
// Settings: Key (the app key), Scope.
//
// Token check: none: Dropbox offers no token introspection that names the
// app a token was issued to, so a token another app obtained for the same
// user is accepted; the token is only as good as Dropbox's own refusal of
// unknown tokens. The uid is "account_id" ("dbid:…") from
// users/get_current_account, never the token response. PSA reads the token
// response's legacy numeric "uid" instead: a bare token exchange has none,
// so every PSA user gets the uid "None", and associations PSA made in the
// browser flow hold the numeric id, which must be re-keyed to account_id
// when migrating. The email counts as verified when Dropbox's
// email_verified says so.
func DropboxOAuth2(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:     "dropbox-oauth2",
		AuthURL:  "https://www.dropbox.com/oauth2/authorize",
		TokenURL: "https://api.dropboxapi.com/oauth2/token",
		Scopes:   append([]string(nil), s.Scope...),
		UserInfo: func(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error) {
			// An RPC endpoint without arguments: POST with no body and no Content-Type.
			c := call{method: http.MethodPost, url: dropboxCurrentAccount, header: bearer(token), secrets: []string{token}}
			body, err := c.do(ctx, client)
			if err != nil {
				return nil, err
			}
			return mapUser(dropboxUser, body)
		},
		Doc: Doc{ChecksAudience: false,
			TokenCheck:    "none: Dropbox offers no token introspection naming the app",
			UID:           "account_id (from users/get_current_account, never the token response)",
			EmailVerified: "email_verified"},
	})
}

func dropboxUser(body []byte) (string, socialauth.Details, error) {
	var u struct {
		AccountID     string `json:"account_id"`
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		Name          struct {
			DisplayName string `json:"display_name"`
			GivenName   string `json:"given_name"`
			Surname     string `json:"surname"`
		} `json:"name"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	return u.AccountID, socialauth.Details{
		Username: u.AccountID, Email: u.Email, EmailVerified: u.EmailVerified && u.Email != "",
		FullName: u.Name.DisplayName, FirstName: u.Name.GivenName, LastName: u.Name.Surname,
	}, nil
}
