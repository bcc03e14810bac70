package backends

import "github.com/go-socialauth/socialauth"

// Box is the "box" backend.
//
// Settings: Key (the client id), Scope.
//
// Token check: none: Box offers no token introspection, so a token another
// Box app obtained for the same user is accepted; the token is only as good
// as Box's own refusal of unknown tokens. The uid is the user "id". The
// email (and username) is the account's "login"; Box does not say it is
// verified, so EmailVerified is false.
func Box(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		Name:        "box",
		AuthURL:     "https://www.box.com/api/oauth2/authorize",
		TokenURL:    "https://www.box.com/api/oauth2/token",
		Scopes:      append([]string(nil), s.Scope...),
		UserInfoURL: "https://api.box.com/2.0/users/me",
		User:        boxUser,
		Doc: Doc{ChecksAudience: false,
			TokenCheck:    "none: Box offers no token introspection",
			UID:           "id",
			EmailVerified: "never (Box does not say the login address is verified)"},
	})
}

func boxUser(body []byte) (string, socialauth.Details, error) {
	var u struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Login string `json:"login"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	return u.ID, socialauth.Details{Username: u.Login, Email: u.Login, FullName: u.Name}, nil
}
