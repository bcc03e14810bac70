package backends

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/go-socialauth/socialauth"
)

const facebookGraph = "https://graph.facebook.com/v24.0"

// Facebook is the "facebook" backend (Graph API v24.0).
//
// Settings: Key (the app id), Secret (the app secret; required), Scope.
//
// Token check: Graph's debug_token, asked with the app's own token
// (Key|Secret), must say is_valid, our app_id, and the user_id that /me
// answers. Every Graph call carries appsecret_proof, the HMAC-SHA256 with
// the app secret of the access_token that call sends (Meta's "Securing
// Graph API Requests", developers.facebook.com/docs/graph-api/securing-requests):
// the user's token for /me, the app token for debug_token. So an app that
// turns on "Require App Secret" works, and a token stolen from another app is
// useless here. The uid is the app-scoped
// numeric "id". Facebook does not say whether the email is verified, so
// EmailVerified is false.
func Facebook(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:     "facebook",
		AuthURL:  "https://www.facebook.com/v24.0/dialog/oauth",
		TokenURL: facebookGraph + "/oauth/access_token",
		Scopes:   append([]string{"email"}, s.Scope...),
		UserInfo: func(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error) {
			if s.Secret == "" {
				return nil, fmt.Errorf("%w: facebook needs its app secret", socialauth.ErrAuthFailed)
			}
			c := call{url: facebookGraph + "/me", secrets: []string{token, s.Secret},
				query: url.Values{
					"fields":          {"id,name,email,first_name,last_name,picture"},
					"access_token":    {token},
					"appsecret_proof": {appSecretProof(s.Secret, token)},
				}}
			return c.profile(ctx, client, mapJSON[facebookUser])
		},
		Verify: func(ctx context.Context, client *http.Client, token string) (string, error) {
			return facebookDebugToken(ctx, client, token, s)
		},
		Doc: Doc{ChecksAudience: true, TokenCheck: "debug_token: is_valid, app_id = Key, user_id = /me id; appsecret_proof on every call",
			UID: "id (app-scoped)", EmailVerified: "never (Facebook does not say)"},
	})
}

type facebookUser struct {
	ID        json.RawMessage `json:"id"`
	Username  string          `json:"username"`
	Name      string          `json:"name"`
	Email     string          `json:"email"`
	FirstName string          `json:"first_name"`
	LastName  string          `json:"last_name"`
	Picture   struct {
		Data struct {
			URL string `json:"url"`
		} `json:"data"`
	} `json:"picture"`
}

func (u facebookUser) user() (string, socialauth.Details, error) {
	username := u.Username
	if username == "" {
		username = u.Name
	}
	return idString(u.ID), socialauth.Details{
		Username: username, Email: u.Email,
		FullName: u.Name, FirstName: u.FirstName, LastName: u.LastName,
		AvatarURL: pictureURL(u.Picture.Data.URL),
	}, nil
}

// appSecretProof is Graph's appsecret_proof: hex(HMAC-SHA256(secret, token)).
func appSecretProof(secret, token string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

func facebookDebugToken(ctx context.Context, client *http.Client, token string, s Settings) (string, error) {
	uid, err := askDebugToken(ctx, client, facebookGraph, "facebook", token, s)
	if err == nil && uid == "" {
		return "", fmt.Errorf("%w: the token is not a user token", socialauth.ErrInvalidToken)
	}
	return uid, err
}

// askDebugToken asks Graph's debug_token about token, with the app's own
// token: it must be valid and issued to Key or one of ClientIDs. It
// returns the user id Graph reports ("" if none). The call is signed with
// appsecret_proof over the token it is made with, the app token, as Graph
// documents for every call.
func askDebugToken(ctx context.Context, client *http.Client, graph, backend, token string, s Settings) (string, error) {
	if s.Key == "" || s.Secret == "" {
		return "", fmt.Errorf("%w: %s needs its app id and secret to check tokens", socialauth.ErrAuthFailed, backend)
	}
	appToken := s.Key + "|" + s.Secret
	var dt struct {
		Data struct {
			AppID   json.RawMessage `json:"app_id"`
			IsValid bool            `json:"is_valid"`
			UserID  json.RawMessage `json:"user_id"`
		} `json:"data"`
	}
	q := url.Values{"input_token": {token}, "access_token": {appToken}, "appsecret_proof": {appSecretProof(s.Secret, appToken)}}
	c := call{url: graph + "/debug_token", secrets: []string{token, s.Secret, appToken}, query: q}
	if _, err := c.getJSON(ctx, client, &dt); err != nil {
		return "", err
	}
	if !dt.Data.IsValid {
		return "", fmt.Errorf("%w: %s says the token is not valid", socialauth.ErrInvalidToken, backend)
	}
	if err := checkApp(backend, idString(dt.Data.AppID), s.audiences()); err != nil {
		return "", err
	}
	return idString(dt.Data.UserID), nil
}
