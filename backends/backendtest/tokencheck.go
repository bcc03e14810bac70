package backendtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-socialauth/socialauth/backends"
)

// Fakes of providers with an endpoint that names the app a token was issued
// to: for a foreign token it names another app.

func fakeGoogle(s backends.Settings) []route {
	return []route{
		{method: "GET", url: "https://openidconnect.googleapis.com/v1/userinfo", answer: func(c *call) (int, any) {
			id := c.id
			out := map[string]any{
				"sub": id.UID, "name": id.fullName(), "given_name": id.FirstName, "family_name": id.LastName,
				"picture": "https://lh3.googleusercontent.com/a/default-user", "email": id.Email,
				"email_verified": id.EmailVerified, "locale": "en",
			}
			if !strings.HasSuffix(id.Email, "@gmail.com") && id.Email != "" {
				out["hd"] = id.Email[strings.LastIndex(id.Email, "@")+1:]
			}
			return http.StatusOK, out
		}},
		{method: "GET", url: "https://oauth2.googleapis.com/tokeninfo", token: queryToken("access_token"), answer: func(c *call) (int, any) {
			aud := issuedTo(c)
			return http.StatusOK, map[string]any{
				"azp": aud, "aud": aud, "sub": c.id.UID, "scope": "openid email profile",
				"exp": "1924992000", "expires_in": "3599", "email": c.id.Email,
				"email_verified": strconv.FormatBool(c.id.EmailVerified), "access_type": "online",
			}
		}},
	}
}

// fakeFacebook is Graph with "Require App Secret" on: every call must carry
// the appsecret_proof of the access_token it is made with.
func fakeFacebook(s backends.Settings) []route {
	proofless := func(c *call) (int, any, bool) {
		q := c.req.URL.Query()
		m := hmac.New(sha256.New, []byte(s.Secret))
		m.Write([]byte(q.Get("access_token")))
		if q.Get("appsecret_proof") == "" {
			return http.StatusBadRequest, map[string]any{"error": map[string]any{
				"message": "API calls from the server require an appsecret_proof argument", "type": "GraphMethodException", "code": 100}}, true
		}
		if !hmac.Equal([]byte(q.Get("appsecret_proof")), []byte(hex.EncodeToString(m.Sum(nil)))) {
			return http.StatusBadRequest, map[string]any{"error": map[string]any{
				"message": "Invalid appsecret_proof provided in the API argument", "type": "GraphMethodException", "code": 100}}, true
		}
		return 0, nil, false
	}
	return []route{
		{method: "GET", url: "https://graph.facebook.com/v24.0/me", answer: func(c *call) (int, any) {
			if st, out, bad := proofless(c); bad {
				return st, out
			}
			id := c.id
			out := map[string]any{"id": id.UID, "name": id.fullName(), "email": id.Email,
				"first_name": id.FirstName, "last_name": id.LastName}
			if slices.Contains(strings.Split(c.req.URL.Query().Get("fields"), ","), "picture") {
				out["picture"] = map[string]any{"data": map[string]any{"height": 50, "width": 50, "is_silhouette": false,
					"url": "https://platform-lookaside.fbsbx.com/platform/profilepic/?asid=" + id.UID + "&height=50&width=50"}}
			}
			return http.StatusOK, out
		}},
		{method: "GET", url: "https://graph.facebook.com/v24.0/debug_token", token: queryToken("input_token"), answer: func(c *call) (int, any) {
			if st, out, bad := proofless(c); bad {
				return st, out
			}
			return http.StatusOK, map[string]any{"data": map[string]any{
				"app_id": issuedTo(c), "type": "USER", "application": "Fake App", "data_access_expires_at": 1924992000,
				"expires_at": 1924992000, "is_valid": true, "scopes": []string{"email", "public_profile"}, "user_id": c.id.UID,
			}}
		}},
	}
}

func fakeGitHub(s backends.Settings) []route {
	api := "https://api.github.com"
	if s.BaseURL != "" {
		api = siteURL(s, "") + "/api/v3"
	}
	user := func(c *call) map[string]any {
		out := map[string]any{"login": c.id.Username, "id": numericID(c.id.UID), "node_id": "MDQ6VXNlcjE=", "type": "User",
			"site_admin": false, "name": c.id.fullName(), "email": nilIfEmpty(c.id.Email),
			"avatar_url": "https://avatars.githubusercontent.com/u/" + c.id.UID + "?v=4"}
		return out // "email" is the public email: whether it is verified, only /user/emails says
	}
	return []route{
		{method: "GET", url: api + "/user", answer: func(c *call) (int, any) { return http.StatusOK, user(c) }},
		{method: "GET", url: api + "/user/emails", answer: func(c *call) (int, any) {
			return http.StatusOK, []map[string]any{
				{"email": c.id.Email, "primary": true, "verified": c.id.EmailVerified, "visibility": "private"},
				{"email": c.id.UID + "+" + c.id.Username + "@users.noreply.github.com", "primary": false, "verified": true, "visibility": nil},
			}
		}},
		{method: "POST", url: api + "/applications/" + s.Key + "/token",
			token: func(r *http.Request) string {
				var b struct {
					AccessToken string `json:"access_token"`
				}
				_ = json.NewDecoder(r.Body).Decode(&b)
				if user, pass, ok := r.BasicAuth(); !ok || user != s.Key || pass != s.Secret {
					return "" // wrong app credentials: GitHub answers 404 too
				}
				return b.AccessToken
			},
			answer: func(c *call) (int, any) {
				if c.foreign {
					return http.StatusNotFound, map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest/apps/oauth-applications#check-a-token"}
				}
				return http.StatusOK, map[string]any{"id": 1, "token": "redacted-by-fake", "app": map[string]any{"client_id": s.Key, "name": "Fake App"},
					"scopes": []string{"user:email"}, "user": user(c)}
			}},
	}
}

func fakeGitLab(s backends.Settings) []route {
	site := siteURL(s, "https://gitlab.com")
	return []route{
		{method: "GET", url: site + "/api/v4/user", answer: func(c *call) (int, any) {
			id := c.id
			// confirmed_at is the account's, set even where an instance skips
			// email confirmation: only /oauth/userinfo says whether the email is verified.
			return http.StatusOK, map[string]any{"id": numericID(id.UID), "username": id.Username, "name": id.fullName(),
				"state": "active", "web_url": site + "/" + id.Username, "email": id.Email, "confirmed_at": "2024-11-02T09:21:10.000Z",
				"two_factor_enabled": false, "external": false, "avatar_url": site + "/uploads/-/system/user/avatar/" + id.UID + "/avatar.png"}
		}},
		{method: "GET", url: site + "/oauth/userinfo", answer: func(c *call) (int, any) {
			id := c.id
			return http.StatusOK, map[string]any{"sub": id.UID, "name": id.fullName(), "nickname": id.Username,
				"preferred_username": id.Username, "email": id.Email, "email_verified": id.EmailVerified,
				"profile": site + "/" + id.Username, "picture": site + "/uploads/-/system/user/avatar/" + id.UID + "/avatar.png",
				"groups": []string{}}
		}},
		{method: "GET", url: site + "/oauth/token/info", answer: func(c *call) (int, any) {
			return http.StatusOK, map[string]any{"resource_owner_id": numericID(c.id.UID), "scope": []string{"read_user"},
				"expires_in": 7200, "application": map[string]any{"uid": issuedTo(c)}, "created_at": 1790500000}
		}},
	}
}

func fakeDiscord(backends.Settings) []route {
	api := "https://discord.com/api/v10"
	user := func(id Identity) map[string]any {
		return map[string]any{"id": id.UID, "username": id.Username, "discriminator": "0", "global_name": id.fullName(),
			"avatar": pictureHash(id.UID), "public_flags": 0}
	}
	return []route{
		{method: "GET", url: api + "/users/@me", answer: func(c *call) (int, any) {
			u := user(c.id)
			u["email"], u["verified"], u["mfa_enabled"], u["locale"] = c.id.Email, c.id.EmailVerified, false, "en-US"
			return http.StatusOK, u
		}},
		{method: "GET", url: api + "/oauth2/@me", answer: func(c *call) (int, any) {
			return http.StatusOK, map[string]any{"application": map[string]any{"id": issuedTo(c), "name": "Fake App", "bot_public": true},
				"scopes": []string{"identify", "email"}, "expires": "2030-01-01T00:00:00+00:00", "user": user(c.id)}
		}},
	}
}

func fakeAmazon(backends.Settings) []route {
	return []route{
		{method: "GET", url: "https://api.amazon.com/user/profile", answer: func(c *call) (int, any) {
			return http.StatusOK, map[string]any{"user_id": c.id.UID, "name": c.id.fullName(), "email": c.id.Email,
				"postal_code": "98101"}
		}},
		{method: "GET", url: "https://api.amazon.com/auth/o2/tokeninfo", answer: func(c *call) (int, any) {
			return http.StatusOK, map[string]any{"iss": "https://www.amazon.com", "user_id": c.id.UID, "aud": issuedTo(c),
				"app_id": "amzn1.application.fake", "exp": 3600, "iat": 1790500000}
		}},
	}
}

func fakeTwitch(backends.Settings) []route {
	return []route{
		{method: "GET", url: "https://id.twitch.tv/oauth2/validate", token: authToken("OAuth"), answer: func(c *call) (int, any) {
			return http.StatusOK, map[string]any{"client_id": issuedTo(c), "login": c.id.Username,
				"scopes": []string{"user:read:email"}, "user_id": c.id.UID, "expires_in": 14400}
		}},
		{method: "GET", url: "https://api.twitch.tv/helix/users", answer: func(c *call) (int, any) {
			if c.req.Header.Get("Client-Id") != issuedTo(c) {
				return http.StatusUnauthorized, map[string]any{"error": "Unauthorized", "status": 401,
					"message": "Client ID and OAuth token do not match"}
			}
			id := c.id
			u := map[string]any{"id": id.UID, "login": id.Username, "display_name": id.Username, "type": "",
				"profile_image_url": "https://static-cdn.jtvnw.net/jtv_user_pictures/" + pictureHash(id.UID) + "-profile_image-300x300.png",
				"broadcaster_type":  "", "created_at": "2016-12-14T20:32:28Z"}
			if id.EmailVerified {
				u["email"] = id.Email // Helix returns only a verified email
			}
			return http.StatusOK, map[string]any{"data": []any{u}}
		}},
	}
}

func fakeYandex(backends.Settings) []route {
	return []route{
		{method: "GET", url: "https://login.yandex.ru/info", token: authToken("OAuth"), answer: func(c *call) (int, any) {
			id := c.id
			return http.StatusOK, map[string]any{"id": id.UID, "login": id.Username, "client_id": issuedTo(c),
				"display_name": id.Username, "real_name": id.fullName(), "first_name": id.FirstName, "last_name": id.LastName,
				"default_email": id.Email, "emails": []string{id.Email}, "psuid": "1.fake." + id.UID,
				"default_avatar_id": id.UID, "is_avatar_empty": false}
		}},
	}
}

// fakeVK answers users.get and secure.checkToken. Like VK, it reports
// refusals as HTTP 200 with {"error": ...}: a wrong service key (error 28),
// a token of another app (error 15).
func fakeVK(s backends.Settings) []route {
	api := "https://api.vk.ru/method/"
	vkErr := func(code int, msg string) map[string]any {
		return map[string]any{"error": map[string]any{"error_code": code, "error_msg": msg}}
	}
	return []route{
		{method: "GET", url: api + "users.get", answer: func(c *call) (int, any) {
			id := c.id
			return http.StatusOK, map[string]any{"response": []any{map[string]any{"id": numericID(id.UID),
				"first_name": id.FirstName, "last_name": id.LastName, "screen_name": id.Username, "nickname": "",
				"photo_200":         "https://sun1-00.userapi.com/s/v1/ig2/" + pictureHash(id.UID) + ".jpg?size=200x200",
				"can_access_closed": true, "is_closed": false}}}
		}},
		{method: "GET", url: api + "secure.checkToken", token: queryToken("token"), answer: func(c *call) (int, any) {
			switch {
			case s.APIKey == "" || c.req.URL.Query().Get("access_token") != s.APIKey:
				return http.StatusOK, vkErr(28, "Application authorization failed: invalid service token")
			case c.foreign:
				return http.StatusOK, vkErr(15, "Access denied: token does not belong to this application")
			}
			return http.StatusOK, map[string]any{"response": map[string]any{"success": 1, "user_id": numericID(c.id.UID),
				"date": 1790500000, "expire": 1790586400}}
		}},
	}
}

func fakeLine(s backends.Settings) []route {
	return []route{
		{method: "GET", url: "https://api.line.me/v2/profile", answer: func(c *call) (int, any) {
			return http.StatusOK, map[string]any{"userId": c.id.UID, "displayName": c.id.fullName(),
				"pictureUrl": "https://profile.line-scdn.net/abcdefghijklmn"}
		}},
		{method: "GET", url: "https://api.line.me/oauth2/v2.1/verify", token: queryToken("access_token"), answer: func(c *call) (int, any) {
			return http.StatusOK, map[string]any{"scope": "profile openid", "client_id": issuedTo(c), "expires_in": 2591659}
		}},
	}
}

func fakeMailRu(s backends.Settings) []route {
	return []route{{method: "GET", url: "https://oauth.mail.ru/userinfo", token: queryToken("access_token"), answer: func(c *call) (int, any) {
		id := c.id
		return http.StatusOK, map[string]any{"id": id.UID, "client_id": issuedTo(c), "email": id.Email, "name": id.fullName(),
			"first_name": id.FirstName, "last_name": id.LastName, "nickname": id.Username, "locale": "ru_RU",
			"image": "https://filin.mail.ru/pic?d=" + pictureHash(id.UID) + "&width=180&height=180"}
	}}}
}

// otherAppNumber is the numeric app id foreign tokens of providers that
// name apps by number (Kakao) are issued to.
const otherAppNumber = 1000001

func fakeKakao(s backends.Settings) []route {
	const api = "https://kapi.kakao.com"
	return []route{
		{method: "GET", url: api + "/v2/user/me", answer: func(c *call) (int, any) {
			id := c.id
			return http.StatusOK, map[string]any{"id": numericID(id.UID), "connected_at": "2026-01-12T08:21:03Z",
				"properties": map[string]any{"nickname": id.Username},
				"kakao_account": map[string]any{"profile": map[string]any{"nickname": id.Username, "is_default_image": false,
					"profile_image_url": "http://k.kakaocdn.net/dn/" + pictureHash(id.UID) + "/img_640x640.jpg"}, "name": id.fullName(),
					"email": id.Email, "is_email_valid": true, "is_email_verified": id.EmailVerified}}
		}},
		{method: "GET", url: api + "/v1/user/access_token_info", answer: func(c *call) (int, any) {
			var app any = otherAppNumber
			if !c.foreign {
				app = kakaoAppID(c.settings)
			}
			return http.StatusOK, map[string]any{"id": numericID(c.id.UID), "expires_in": 21599, "app_id": app}
		}},
	}
}

// kakaoAppID is the app's numeric app id: the first all-digit entry of
// ClientIDs, as a number.
func kakaoAppID(s backends.Settings) any {
	for _, id := range s.ClientIDs {
		if n, ok := numericID(id).(int64); ok {
			return n
		}
	}
	return 0
}
