package backends

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/go-socialauth/socialauth"
)

// Kakao's API host.
const kakaoAPI = "https://kapi.kakao.com"

// Kakao is the "kakao" backend (Kakao Login).
//
// Settings: Key (the REST API key, the client id of the browser flow),
// Secret, Scope, ClientIDs (required: the app's numeric app id, and those of
// further apps whose tokens are accepted; SOCIAL_AUTH_KAKAO_AUDIENCE).
//
// Token check: GET /v1/user/access_token_info names the app a token was
// issued to by its numeric app id (not the REST API key); it must be one of
// Key and ClientIDs, and its user id must equal /v2/user/me's. Both run
// concurrently. Without a numeric app id in the settings every login fails
// with a configuration error. The uid is the numeric "id". The email counts
// as verified only when kakao_account says both is_email_valid and
// is_email_verified.
func Kakao(s Settings) *OAuth2 {
	aud := s.audiences()
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "kakao",
		AuthURL:     "https://kauth.kakao.com/oauth/authorize",
		TokenURL:    "https://kauth.kakao.com/oauth/token",
		Scopes:      append([]string{"profile_nickname", "account_email"}, s.Scope...),
		UserInfoURL: kakaoAPI + "/v2/user/me",
		User:        mapJSON[kakaoUser],
		Verify: func(ctx context.Context, client *http.Client, token string) (string, error) {
			if !slices.ContainsFunc(aud, isDigits) {
				return "", fmt.Errorf("%w: kakao needs the app's numeric app id in ClientIDs to check tokens", socialauth.ErrAuthFailed)
			}
			var info struct {
				ID    json.RawMessage `json:"id"`
				AppID json.RawMessage `json:"app_id"`
			}
			c := call{url: kakaoAPI + "/v1/user/access_token_info", header: bearer(token), secrets: []string{token}}
			if _, err := c.getJSON(ctx, client, &info); err != nil {
				return "", err
			}
			if err := checkApp("kakao", idString(info.AppID), aud); err != nil {
				return "", err
			}
			return idString(info.ID), nil
		},
		Doc: Doc{ChecksAudience: true, TokenCheck: "GET /v1/user/access_token_info: app_id ∈ ClientIDs (the numeric app id), id = /v2/user/me id",
			UID: "id (numeric)", EmailVerified: "kakao_account.is_email_valid and is_email_verified"},
	})
}

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

type kakaoUser struct {
	ID         json.RawMessage `json:"id"`
	Properties struct {
		Nickname     string `json:"nickname"`
		ProfileImage string `json:"profile_image"`
	} `json:"properties"`
	Account struct {
		Profile struct {
			Nickname        string `json:"nickname"`
			ProfileImageURL string `json:"profile_image_url"`
		} `json:"profile"`
		Name            string   `json:"name"`
		Email           string   `json:"email"`
		IsEmailValid    flexBool `json:"is_email_valid"`
		IsEmailVerified flexBool `json:"is_email_verified"`
	} `json:"kakao_account"`
}

func (u kakaoUser) user() (string, socialauth.Details, error) {
	a := u.Account
	nickname := a.Profile.Nickname
	if nickname == "" {
		nickname = u.Properties.Nickname
	}
	return idString(u.ID), socialauth.Details{
		Username: nickname, Email: a.Email, EmailVerified: a.Email != "" && bool(a.IsEmailValid) && bool(a.IsEmailVerified),
		FullName:  a.Name,
		AvatarURL: pictureURL(cmp.Or(a.Profile.ProfileImageURL, u.Properties.ProfileImage)),
	}, nil
}
