package backends

import (
	"encoding/json"

	"github.com/go-socialauth/socialauth"
)

// Strava is the "strava" backend (Strava API v3).
//
// Settings: Key (the client id), Secret, Scope.
//
// Token check: none. Strava offers no token introspection, so a token issued
// to another app that this athlete authorized is accepted; only Strava's own
// refusal of unknown or expired tokens protects the exchange. The uid is the
// numeric "id" of GET /api/v3/athlete, read from the athlete endpoint for
// every token: PSA reads it from the token-endpoint answer's "athlete",
// which a bare access token does not come with. Strava gives no email, so
// none is ever marked verified.
func Strava(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "strava",
		AuthURL:     "https://www.strava.com/oauth/authorize",
		TokenURL:    "https://www.strava.com/oauth/token",
		Scopes:      append([]string{"read"}, s.Scope...),
		UserInfoURL: "https://www.strava.com/api/v3/athlete",
		User:        mapJSON[stravaUser],
		Doc: Doc{TokenCheck: "none: Strava offers no token introspection; another app's token for the same athlete is accepted",
			UID: "id (numeric, from /api/v3/athlete)", EmailVerified: "never (Strava gives no email)"},
	})
}

type stravaUser struct {
	ID        json.RawMessage `json:"id"`
	Username  string          `json:"username"`
	FirstName string          `json:"firstname"`
	LastName  string          `json:"lastname"`
	// Profile is the athlete's 124x124 picture (a relative placeholder
	// path when they have none, which pictureURL drops).
	Profile string `json:"profile"`
}

func (u stravaUser) user() (string, socialauth.Details, error) {
	return idString(u.ID), socialauth.Details{Username: u.Username, FirstName: u.FirstName, LastName: u.LastName,
		AvatarURL: pictureURL(u.Profile)}, nil
}
