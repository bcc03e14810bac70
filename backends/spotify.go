package backends

import "github.com/go-socialauth/socialauth"

// Spotify is the "spotify" backend.
//
// Settings: Key (the client id), Scope (add "user-read-email" to receive
// the email).
//
// Token check: none: Spotify offers no token introspection, so a token
// another app obtained for the same user is accepted; the token is only as
// good as Spotify's own refusal of unknown tokens. The uid is the Spotify
// user "id". Spotify documents the email as unverified ("there is no proof
// that it actually belongs to the user"), so EmailVerified is false.
func Spotify(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "spotify",
		AuthURL:     "https://accounts.spotify.com/authorize",
		TokenURL:    "https://accounts.spotify.com/api/token",
		Scopes:      append([]string(nil), s.Scope...),
		UserInfoURL: "https://api.spotify.com/v1/me",
		User:        spotifyUser,
		Doc: Doc{ChecksAudience: false,
			TokenCheck:    "none: Spotify offers no token introspection",
			UID:           "id",
			EmailVerified: "never (Spotify documents the email as unverified)"},
	})
}

func spotifyUser(body []byte) (string, socialauth.Details, error) {
	var u struct {
		ID          string `json:"id"`
		DisplayName string `json:"display_name"`
		Email       string `json:"email"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	return u.ID, socialauth.Details{Username: u.ID, Email: u.Email, FullName: u.DisplayName}, nil
}
