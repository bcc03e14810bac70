package backends

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/go-socialauth/socialauth"
)

// LINE's endpoints.
const (
	lineAPI    = "https://api.line.me"
	lineVerify = lineAPI + "/oauth2/v2.1/verify"
)

// Line is the "line" backend (LINE Login v2.1).
//
// Settings: Key (the LINE Login channel id), Secret (the channel secret, for
// the browser flow), Scope, ClientIDs (further channel ids whose tokens are
// accepted).
//
// Token check: GET /oauth2/v2.1/verify must say the token's client_id is Key
// or one of ClientIDs and that it has not expired (expires_in > 0), as LINE's
// guide for tokens received from an app asks; it runs concurrently with the
// profile fetch. The uid is the profile's "userId" (unique per provider,
// stable across the channels of one provider). The profile carries no email
// (LINE gives it only in the ID token), so none is ever marked verified.
func Line(s Settings) *OAuth2 {
	aud := s.audiences()
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "line",
		AuthURL:     "https://access.line.me/oauth2/v2.1/authorize",
		TokenURL:    lineAPI + "/oauth2/v2.1/token",
		Scopes:      append([]string{"profile", "openid"}, s.Scope...),
		UserInfoURL: lineAPI + "/v2/profile",
		User:        mapJSON[lineUser],
		Verify: func(ctx context.Context, client *http.Client, token string) (string, error) {
			var v struct {
				ClientID  string          `json:"client_id"`
				ExpiresIn json.RawMessage `json:"expires_in"`
			}
			// LINE answers 400 {"error": "invalid_request"} about an expired or invalid token.
			c := call{url: lineVerify, query: url.Values{"access_token": {token}}, secrets: []string{token},
				refusedWith: []int{http.StatusBadRequest}}
			if _, err := c.getJSON(ctx, client, &v); err != nil {
				return "", err
			}
			if err := checkApp("line", v.ClientID, aud); err != nil {
				return "", err
			}
			if exp := idString(v.ExpiresIn); exp == "" || exp == "0" || exp[0] == '-' {
				return "", fmt.Errorf("%w: line says the token has expired", socialauth.ErrInvalidToken)
			}
			return "", nil // verify does not name the user
		},
		Doc: Doc{ChecksAudience: true, TokenCheck: "GET /oauth2/v2.1/verify: client_id ∈ Key+ClientIDs, expires_in > 0",
			UID: "userId", EmailVerified: "never (the profile has no email)"},
	})
}

type lineUser struct {
	UserID      string `json:"userId"`
	DisplayName string `json:"displayName"`
	PictureURL  string `json:"pictureUrl"`
}

func (u lineUser) user() (string, socialauth.Details, error) {
	return u.UserID, socialauth.Details{Username: u.UserID, FullName: u.DisplayName, AvatarURL: pictureURL(u.PictureURL)}, nil
}
