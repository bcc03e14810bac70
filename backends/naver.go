package backends

import (
	"fmt"

	"github.com/go-socialauth/socialauth"
)

// Naver is the "naver" backend (Naver Login).
//
// Settings: Key (the client id), Secret, Scope.
//
// Token check: none. Naver offers no way to learn which app a token was
// issued to. Its "id" is unique per app, so another app's token for the same
// person maps to a different uid, but the token is not refused. The uid is
// response.id of GET /v1/nid/me; an answer whose resultcode is not "00" is a
// refusal. Naver does not say whether the email is verified, so it never is.
func Naver(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "naver",
		AuthURL:     "https://nid.naver.com/oauth2.0/authorize",
		TokenURL:    "https://nid.naver.com/oauth2.0/token",
		Scopes:      s.Scope, // Naver grants what the app registered, not what is asked
		UserInfoURL: "https://openapi.naver.com/v1/nid/me",
		User:        mapJSON[naverUser],
		Doc: Doc{TokenCheck: "none: Naver offers no token introspection; its id is per app, so another app's token gives another uid",
			UID: "response.id (per app)", EmailVerified: "never (Naver does not say)"},
	})
}

type naverUser struct {
	ResultCode string `json:"resultcode"`
	Response   struct {
		ID           string `json:"id"`
		Nickname     string `json:"nickname"`
		Name         string `json:"name"`
		Email        string `json:"email"`
		ProfileImage string `json:"profile_image"`
	} `json:"response"`
}

func (u naverUser) user() (string, socialauth.Details, error) {
	if u.ResultCode != "00" {
		return "", socialauth.Details{}, fmt.Errorf("%w: naver answered resultcode %q", socialauth.ErrInvalidToken, clip(u.ResultCode, 16))
	}
	r := u.Response
	return r.ID, socialauth.Details{Username: r.Nickname, Email: r.Email, FullName: r.Name, AvatarURL: pictureURL(r.ProfileImage)}, nil
}
