package backends

import (
	"encoding/json"

	"github.com/go-socialauth/socialauth"
)

// ZoomOAuth2 is the "zoom-oauth2" backend (Zoom API v2, user-managed OAuth
// apps). The browser flow authenticates at the token endpoint with HTTP Basic.
//
// Settings: Key (the client id), Secret, Scope.
//
// Token check: none. Zoom offers no introspection for user OAuth tokens, so
// a token issued to another app that this user authorized is accepted; only
// Zoom's own refusal of unknown or expired tokens protects the exchange. The
// uid is the "id" of GET /v2/users/me. The email is never marked verified:
// Zoom documents "verified" as whether the account is verified (1 or 0),
// and no field of the user as the email's verification.
//
// Zoom's documentation: https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}
// (formerly https://marketplace.zoom.us/docs/api-reference/zoom-api/users/user).
func ZoomOAuth2(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "zoom-oauth2",
		AuthURL:     "https://zoom.us/oauth/authorize",
		TokenURL:    "https://zoom.us/oauth/token",
		Scopes:      append([]string{"user:read:user"}, s.Scope...),
		UserInfoURL: "https://api.zoom.us/v2/users/me",
		User:        mapJSON[zoomUser],
		Doc: Doc{TokenCheck: "none: Zoom offers no introspection for user OAuth tokens; another app's token for the same user is accepted",
			UID: "id", EmailVerified: "never (Zoom's \"verified\" is the account's, not the email's)"},
	})
}

type zoomUser struct {
	ID          json.RawMessage `json:"id"`
	Email       string          `json:"email"`
	FirstName   string          `json:"first_name"`
	LastName    string          `json:"last_name"`
	DisplayName string          `json:"display_name"`
	PicURL      string          `json:"pic_url"`
}

func (u zoomUser) user() (string, socialauth.Details, error) {
	return idString(u.ID), socialauth.Details{
		Username: localPart(u.Email), Email: u.Email,
		FullName: u.DisplayName, FirstName: u.FirstName, LastName: u.LastName,
		AvatarURL: pictureURL(u.PicURL),
	}, nil
}
