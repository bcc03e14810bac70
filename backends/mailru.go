package backends

import (
	"encoding/json"
	"fmt"

	"github.com/go-socialauth/socialauth"
)

// MailRu is the "mailru" backend: Mail.ru's OAuth (oauth.mail.ru). Since July
// 2025 Mail.ru admits no new sign-in apps (new ones go through VK ID);
// existing apps keep working.
//
// Settings: Key (the app's client id), Secret, Scope, ClientIDs (further apps
// whose tokens are accepted).
//
// Token check: the userinfo answer names the app the token was issued to in
// its "client_id", which must be Key or one of ClientIDs. The uid is the
// numeric "id" (PSA's "mailru" backend keys users by their email, which can
// change hands: a deliberate difference). Mail.ru does not say whether the
// email is verified, so it never is.
func MailRu(s Settings) *OAuth2 {
	aud := s.audiences()
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "mailru",
		AuthURL:     "https://oauth.mail.ru/login",
		TokenURL:    "https://oauth.mail.ru/token",
		Scopes:      append([]string{"userinfo"}, s.Scope...),
		UserInfoURL: "https://oauth.mail.ru/userinfo",
		TokenIn:     TokenQuery,
		User: func(body []byte) (string, socialauth.Details, error) {
			return mailruUser(body, aud)
		},
		Doc: Doc{ChecksAudience: true, TokenCheck: "userinfo's client_id ∈ Key+ClientIDs",
			UID: "id (not the email PSA uses)", EmailVerified: "never (Mail.ru does not say)"},
	})
}

func mailruUser(body []byte, aud []string) (string, socialauth.Details, error) {
	var u struct {
		ID        json.RawMessage `json:"id"`
		ClientID  string          `json:"client_id"`
		Email     string          `json:"email"`
		Name      string          `json:"name"`
		FirstName string          `json:"first_name"`
		LastName  string          `json:"last_name"`
		Error     json.RawMessage `json:"error"`
		Image     string          `json:"image"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	if len(u.Error) > 0 && string(u.Error) != "null" {
		return "", socialauth.Details{}, fmt.Errorf("%w: mailru refused the token", socialauth.ErrInvalidToken)
	}
	if err := checkApp("mailru", u.ClientID, aud); err != nil {
		return "", socialauth.Details{}, err
	}
	return idString(u.ID), socialauth.Details{
		Username: localPart(u.Email), Email: u.Email, FullName: u.Name, FirstName: u.FirstName, LastName: u.LastName,
		AvatarURL: pictureURL(u.Image),
	}, nil
}
