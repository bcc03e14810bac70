package backends

import (
	"context"
	"net/http"

	"github.com/go-socialauth/socialauth"
)

const dropboxCurrentAccount = "https://api.dropboxapi.com/2/users/get_current_account"

// DropboxOAuth2 is the "dropbox-oauth2" backend (Dropbox API v2), which
// also accepts Dropbox's OpenID Connect id_tokens.
//
// Settings: Key (the app key), ClientIDs (further app keys whose id_tokens
// are accepted), Scope.
//
// Token check. An access token (Authenticate) proves no audience: Dropbox
// offers no token introspection that names the app a token was issued to,
// so a token another app obtained for the same user is accepted; the token
// is only as good as Dropbox's own refusal of unknown tokens. Prefer the
// id_token (AuthenticateIDToken), which Dropbox issues with the openid
// scope: verified against the keys of Dropbox's discovery document
// (https://www.dropbox.com/.well-known/openid-configuration), iss
// "https://www.dropbox.com", aud one of Key and ClientIDs, exp, iat within
// 10 minutes, and the nonce when one is given.
//
// The uid is the account_id ("dbid:…"): users/get_current_account's
// "account_id", or the id_token's "sub", which Dropbox documents as the same
// value; never the token response. PSA reads the token response's legacy
// numeric "uid" instead: a bare token exchange has none, so every PSA user
// gets the uid "None", and associations PSA made in the browser flow hold
// the numeric id, which must be re-keyed to account_id when migrating. The
// email counts as verified when Dropbox's email_verified says so.
//
// Dropbox's documentation: https://www.dropbox.com/developers/documentation/http/documentation#users-get_current_account,
// https://developers.dropbox.com/oidc-guide.
func DropboxOAuth2(s Settings) *OAuth2IDToken {
	return NewOAuth2IDToken(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:     "dropbox-oauth2",
		AuthURL:  "https://www.dropbox.com/oauth2/authorize",
		TokenURL: "https://api.dropboxapi.com/oauth2/token",
		Scopes:   append([]string(nil), s.Scope...),
		UserInfo: func(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error) {
			// An RPC endpoint without arguments: POST with no body and no Content-Type.
			c := call{method: http.MethodPost, url: dropboxCurrentAccount, header: bearer(token), secrets: []string{token}}
			return c.profile(ctx, client, mapJSON[dropboxUser])
		},
		Doc: Doc{ChecksAudience: false,
			TokenCheck:    "none for access tokens: Dropbox offers no token introspection naming the app (send the id_token)",
			UID:           "account_id (users/get_current_account) = sub (id_token), never the token response",
			EmailVerified: "email_verified"},
	}, OIDCConfig{
		Issuer:    "https://www.dropbox.com",
		ClientIDs: s.audiences(),
		User:      mapJSON[dropboxClaims],
	})
}

type dropboxUser struct {
	AccountID     string `json:"account_id"`
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
	// ProfilePhotoURL is present when the account has a photo.
	ProfilePhotoURL string `json:"profile_photo_url"`
	Name            struct {
		DisplayName string `json:"display_name"`
		GivenName   string `json:"given_name"`
		Surname     string `json:"surname"`
	} `json:"name"`
}

func (u dropboxUser) user() (string, socialauth.Details, error) {
	return u.AccountID, socialauth.Details{
		Username: u.AccountID, Email: u.Email, EmailVerified: u.EmailVerified && u.Email != "",
		FullName: u.Name.DisplayName, FirstName: u.Name.GivenName, LastName: u.Name.Surname,
		AvatarURL: pictureURL(u.ProfilePhotoURL),
	}, nil
}

// dropboxClaims are the claims of a Dropbox id_token: sub is the
// account_id, which is also the username, as on the access-token path.
type dropboxClaims struct {
	Sub           string   `json:"sub"`
	Email         string   `json:"email"`
	EmailVerified flexBool `json:"email_verified"`
	GivenName     string   `json:"given_name"`
	FamilyName    string   `json:"family_name"`
}

func (c dropboxClaims) user() (string, socialauth.Details, error) {
	return c.Sub, socialauth.Details{
		Username: c.Sub, Email: c.Email, EmailVerified: bool(c.EmailVerified) && c.Email != "",
		FirstName: c.GivenName, LastName: c.FamilyName,
	}, nil
}
