package backends

import (
	"net/http"

	"github.com/go-socialauth/socialauth"
)

// Heroku is the "heroku" backend. PSA has no Heroku backend, so the name is
// this library's own (there are no PSA associations to carry over).
//
// Settings: Key (the OAuth client id), Scope.
//
// Token check: none: Heroku's Platform API offers no introspection that
// names the OAuth client of the token in hand, so a token another client
// obtained for the same user is accepted; the token is only as good as
// Heroku's own refusal of unknown tokens. The uid is the account "id" (a
// UUID), never the email. Heroku's "verified" flag is about billing
// details, not the email, so EmailVerified is false.
func Heroku(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		Name:        "heroku",
		AuthURL:     "https://id.heroku.com/oauth/authorize",
		TokenURL:    "https://id.heroku.com/oauth/token",
		Scopes:      append([]string{"identity"}, s.Scope...),
		UserInfoURL: "https://api.heroku.com/account",
		Header:      http.Header{"Accept": {"application/vnd.heroku+json; version=3"}},
		User:        herokuUser,
		Doc: Doc{ChecksAudience: false,
			TokenCheck:    "none: Heroku offers no introspection naming a token's client",
			UID:           "id (UUID)",
			EmailVerified: "never (Heroku's verified flag is about billing)"},
	})
}

func herokuUser(body []byte) (string, socialauth.Details, error) {
	var u struct {
		ID    string `json:"id"`
		Email string `json:"email"`
		Name  string `json:"name"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	return u.ID, socialauth.Details{Username: localPart(u.Email), Email: u.Email, FullName: u.Name}, nil
}
