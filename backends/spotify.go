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
		User:        mapJSON[spotifyUser],
		Doc: Doc{ChecksAudience: false,
			TokenCheck:    "none: Spotify offers no token introspection",
			UID:           "id",
			EmailVerified: "never (Spotify documents the email as unverified)"},
	})
}

type spotifyUser struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
	Images      []struct {
		URL   string `json:"url"`
		Width int    `json:"width"`
	} `json:"images"`
}

func (u spotifyUser) user() (string, socialauth.Details, error) {
	var picture string
	widest := -1
	for _, im := range u.Images {
		if im.Width > widest {
			picture, widest = im.URL, im.Width
		}
	}
	return u.ID, socialauth.Details{Username: u.ID, Email: u.Email, FullName: u.DisplayName, AvatarURL: pictureURL(picture)}, nil
}
