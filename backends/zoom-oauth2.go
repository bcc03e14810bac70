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
// uid is the "id" of GET /v2/users/me. The email counts as verified only when
// Zoom's "verified" field is 1 (Zoom's "the user's email is verified").
func ZoomOAuth2(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "zoom-oauth2",
		AuthURL:     "https://zoom.us/oauth/authorize",
		TokenURL:    "https://zoom.us/oauth/token",
		Scopes:      append([]string{"user:read:user"}, s.Scope...),
		UserInfoURL: "https://api.zoom.us/v2/users/me",
		User:        zoomUser,
		Doc: Doc{TokenCheck: "none: Zoom offers no introspection for user OAuth tokens; another app's token for the same user is accepted",
			UID: "id", EmailVerified: "verified = 1"},
	})
}

func zoomUser(body []byte) (string, socialauth.Details, error) {
	var u struct {
		ID          json.RawMessage `json:"id"`
		Email       string          `json:"email"`
		FirstName   string          `json:"first_name"`
		LastName    string          `json:"last_name"`
		DisplayName string          `json:"display_name"`
		Verified    json.RawMessage `json:"verified"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	verified := string(u.Verified) == "1" || string(u.Verified) == "true"
	return idString(u.ID), socialauth.Details{
		Username: localPart(u.Email), Email: u.Email, EmailVerified: u.Email != "" && verified,
		FullName: u.DisplayName, FirstName: u.FirstName, LastName: u.LastName,
	}, nil
}
