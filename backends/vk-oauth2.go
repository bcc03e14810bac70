package backends

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-socialauth/socialauth"
)

const (
	vkAPI     = "https://api.vk.ru/method/"
	vkVersion = "5.131" // PSA's API_VERSION default
)

// VKOAuth2 is the "vk-oauth2" backend (VK API, api.vk.ru), for access
// tokens of VK ID (id.vk.com, OAuth 2.1 with PKCE, which new VK apps use:
// https://id.vk.com/about/business/go/docs/ru/vkid/latest/vk-id/intro/plan)
// and of the legacy VK OAuth (oauth.vk.com) that PSA's backend of this
// name speaks. Both are VK API user tokens of the app
// (https://id.vk.com/about/business/go/docs/ru/vkid/latest/vk-id/connection/tokens/access-token),
// and both carry the same numeric VK user id, so one backend serves both
// and associations made by PSA carry over.
//
// Settings: Key (the app id), Scope, APIKey (the app's service access key,
// which every VK ID app is issued, SOCIAL_AUTH_VK_OAUTH2_API_KEY; required).
// The browser flow's endpoints are VK ID's (id.vk.com/authorize,
// id.vk.com/oauth2/auth), whose token request also takes the device_id
// of the callback and a PKCE code_verifier.
//
// Token check: VK's secure.checkToken
// (https://dev.vk.com/en/method/secure.checkToken), asked with the app's
// service access key, must accept the token and name the user that
// users.get returns; both calls run concurrently. VK answers HTTP 200 with
// {"error": ...} when it refuses a call; that is an error here (error 5,
// an invalid token, is [socialauth.ErrInvalidToken]), never an empty
// profile: PSA swallows it, gets the uid "None" and logs the caller in as
// whoever had it before. The uid is the numeric "id".
//
// VK ID's other checks are not used, for want of a documented audience
// check: its id_token is signed with a key VK does not publish, and
// id.vk.com/oauth2/public_info, which takes it, returns masked data
// (https://id.vk.com/about/business/go/docs/ru/vkid/latest/vk-id/connection/tokens/id-token);
// id.vk.com/oauth2/user_info takes the client id beside the access token
// but does not document refusing another app's token. So there is no
// id_token login, and no email: VK ID gives it in user_info with the email
// scope, and legacy VK OAuth only in the token-endpoint answer, neither
// said to be verified.
func VKOAuth2(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:     "vk-oauth2",
		AuthURL:  "https://id.vk.com/authorize",
		TokenURL: "https://id.vk.com/oauth2/auth",
		Scopes:   append([]string(nil), s.Scope...),
		UserInfo: func(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error) {
			var users []json.RawMessage
			params := url.Values{"access_token": {token}, "fields": {"screen_name,nickname,photo_200"}}
			if err := vkCall(ctx, client, "users.get", params, []string{token}, socialauth.ErrAuthFailed, &users); err != nil {
				return nil, err
			}
			return mapFirst(mapJSON[vkUser], users)
		},
		Verify: func(ctx context.Context, client *http.Client, token string) (string, error) {
			if s.APIKey == "" {
				return "", fmt.Errorf("%w: vk-oauth2 needs the app's service access key (API_KEY) to check tokens", socialauth.ErrAuthFailed)
			}
			var r struct {
				Success int             `json:"success"`
				UserID  json.RawMessage `json:"user_id"`
			}
			params := url.Values{"token": {token}, "access_token": {s.APIKey}}
			if err := vkCall(ctx, client, "secure.checkToken", params, []string{token, s.APIKey}, socialauth.ErrInvalidToken, &r); err != nil {
				return "", err
			}
			if r.Success != 1 {
				return "", fmt.Errorf("%w: vk did not confirm the token", socialauth.ErrInvalidToken)
			}
			return tokenUser(idString(r.UserID))
		},
		Doc: Doc{ChecksAudience: true,
			TokenCheck:    "secure.checkToken with the app's service key (API_KEY), for VK ID and legacy VK tokens: success, user_id = users.get id; {\"error\"} is refused",
			UID:           "id (numeric)",
			EmailVerified: "never (no email: VK says of none that it is verified)"},
	})
}

type vkUser struct {
	ID         json.RawMessage `json:"id"`
	FirstName  string          `json:"first_name"`
	LastName   string          `json:"last_name"`
	ScreenName string          `json:"screen_name"`
	Photo200   string          `json:"photo_200"`
}

func (u vkUser) user() (string, socialauth.Details, error) {
	return idString(u.ID), socialauth.Details{Username: u.ScreenName, FirstName: u.FirstName, LastName: u.LastName,
		AvatarURL: pictureURL(u.Photo200)}, nil
}

// vkCall calls VK API method with params and decodes the answer's
// "response" into out. VK answers HTTP 200 with {"error": {...}} when it
// refuses a call: that becomes a [ProviderError] whose kind is
// refused unless the error code says otherwise.
func vkCall(ctx context.Context, client *http.Client, method string, params url.Values, secrets []string, refused error, out any) error {
	params.Set("v", vkVersion)
	var env struct {
		Response json.RawMessage `json:"response"`
		Error    *struct {
			Code int    `json:"error_code"`
			Msg  string `json:"error_msg"`
		} `json:"error"`
	}
	c := call{url: vkAPI + method, query: params, secrets: secrets}
	if _, err := c.getJSON(ctx, client, &env); err != nil {
		return err
	}
	if env.Error != nil {
		kind := refused
		switch env.Error.Code {
		case 5: // user authorization failed: the token is invalid, expired or revoked
			kind = socialauth.ErrInvalidToken
		case 6, 9, 10, 29: // too many requests, flood control, internal error, rate limit
			kind = socialauth.ErrProviderUnavailable
		case 28: // application authorization failed: our service key
			kind = socialauth.ErrAuthFailed
		}
		return &ProviderError{StatusCode: http.StatusOK, Kind: kind,
			Code: strconv.Itoa(env.Error.Code)}
	}
	if len(env.Response) == 0 || string(env.Response) == "null" {
		return fmt.Errorf("%w: vk answered neither a response nor an error", socialauth.ErrProviderUnavailable)
	}
	return decode(env.Response, out)
}
