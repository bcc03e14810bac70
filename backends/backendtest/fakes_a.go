package backendtest

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-socialauth/socialauth/backends"
)

// fakesA fakes the backends of provider group A.
func fakesA() map[string]func(backends.Settings) []route {
	return map[string]func(backends.Settings) []route{
		"gitlab":           fakeGitLab,
		"discord":          fakeDiscord,
		"slack":            fakeSlack,
		"bitbucket-oauth2": fakeBitbucket,
		"amazon":           fakeAmazon,
		"spotify":          fakeSpotify,
		"twitch":           fakeTwitch,
		"reddit":           fakeReddit,
		"dropbox-oauth2":   fakeDropbox,
		"yandex-oauth2":    fakeYandex,
		"vk-oauth2":        fakeVK,
		"instagram":        fakeInstagram,
		"stackoverflow":    fakeStackoverflow,
		"linkedin-oauth2":  fakeLinkedIn,
	}
}

// issuedTo is the client id the fake says a token was issued to: the
// app's Key, or another app's for a foreign token.
func issuedTo(c *Call) string {
	if c.Foreign {
		return otherApp
	}
	return c.Settings.Key
}

// numericID renders a numeric uid as a JSON number, as providers with
// numeric ids send it; any other uid stays a string.
func numericID(uid string) any {
	if n, err := strconv.ParseInt(uid, 10, 64); err == nil {
		return n
	}
	return uid
}

// authToken reads the token of an "Authorization: <scheme> <token>" header
// (Twitch's validate and Yandex use the scheme "OAuth").
func authToken(scheme string) func(*http.Request) string {
	return func(r *http.Request) string {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), scheme+" ")
		return tok
	}
}

func fakeGitLab(s backends.Settings) []route {
	site := "https://gitlab.com"
	if s.BaseURL != "" {
		site = strings.TrimRight(s.BaseURL, "/")
	}
	return []route{
		{method: "GET", url: site + "/api/v4/user", answer: func(c *Call) (int, any) {
			id := c.Identity
			var confirmed any
			if id.EmailVerified {
				confirmed = "2024-11-02T09:21:10.000Z"
			}
			return http.StatusOK, map[string]any{"id": numericID(id.UID), "username": id.Username, "name": id.FullName(),
				"state": "active", "web_url": site + "/" + id.Username, "email": id.Email, "confirmed_at": confirmed,
				"two_factor_enabled": false, "external": false}
		}},
		{method: "GET", url: site + "/oauth/token/info", answer: func(c *Call) (int, any) {
			return http.StatusOK, map[string]any{"resource_owner_id": numericID(c.Identity.UID), "scope": []string{"read_user"},
				"expires_in": 7200, "application": map[string]any{"uid": issuedTo(c)}, "created_at": 1790500000}
		}},
	}
}

func fakeDiscord(backends.Settings) []route {
	api := "https://discord.com/api"
	user := func(id Identity) map[string]any {
		return map[string]any{"id": id.UID, "username": id.Username, "discriminator": "0", "global_name": id.FullName(),
			"avatar": nil, "public_flags": 0}
	}
	return []route{
		{method: "GET", url: api + "/users/@me", answer: func(c *Call) (int, any) {
			u := user(c.Identity)
			u["email"], u["verified"], u["mfa_enabled"], u["locale"] = c.Identity.Email, c.Identity.EmailVerified, false, "en-US"
			return http.StatusOK, u
		}},
		{method: "GET", url: api + "/oauth2/@me", answer: func(c *Call) (int, any) {
			return http.StatusOK, map[string]any{"application": map[string]any{"id": issuedTo(c), "name": "Fake App", "bot_public": true},
				"scopes": []string{"identify", "email"}, "expires": "2030-01-01T00:00:00+00:00", "user": user(c.Identity)}
		}},
	}
}

// fakeSlack answers users.identity; Slack cannot tell a token's client, so a
// foreign token is answered like any other.
func fakeSlack(backends.Settings) []route {
	return []route{
		{method: "GET", url: "https://slack.com/api/users.identity", answer: func(c *Call) (int, any) {
			id := c.Identity
			return http.StatusOK, map[string]any{"ok": true,
				"user": map[string]any{"id": id.UID, "name": id.FullName(), "email": id.Email},
				"team": map[string]any{"id": "T0FAKE0001", "name": "Fake Team", "domain": "fake-team"}}
		}},
	}
}

// fakeBitbucket answers /user and /user/emails; Bitbucket cannot tell a
// token's consumer, so a foreign token is answered like any other.
func fakeBitbucket(backends.Settings) []route {
	api := "https://api.bitbucket.org/2.0"
	return []route{
		{method: "GET", url: api + "/user", answer: func(c *Call) (int, any) {
			id := c.Identity
			return http.StatusOK, map[string]any{"type": "user", "uuid": id.UID, "username": id.Username, "nickname": id.Username,
				"display_name": id.FullName(), "account_id": "557058:" + id.UID, "account_status": "active"}
		}},
		{method: "GET", url: api + "/user/emails", answer: func(c *Call) (int, any) {
			return http.StatusOK, map[string]any{"pagelen": 10, "page": 1, "size": 1, "values": []map[string]any{
				{"type": "email", "email": c.Identity.Email, "is_primary": true, "is_confirmed": c.Identity.EmailVerified}}}
		}},
	}
}

func fakeAmazon(backends.Settings) []route {
	return []route{
		{method: "GET", url: "https://api.amazon.com/user/profile", answer: func(c *Call) (int, any) {
			return http.StatusOK, map[string]any{"user_id": c.Identity.UID, "name": c.Identity.FullName(), "email": c.Identity.Email,
				"postal_code": "98101"}
		}},
		{method: "GET", url: "https://api.amazon.com/auth/o2/tokeninfo", answer: func(c *Call) (int, any) {
			return http.StatusOK, map[string]any{"iss": "https://www.amazon.com", "user_id": c.Identity.UID, "aud": issuedTo(c),
				"app_id": "amzn1.application.fake", "exp": 3600, "iat": 1790500000}
		}},
	}
}

// fakeSpotify answers /v1/me; Spotify cannot tell a token's client, so a
// foreign token is answered like any other.
func fakeSpotify(backends.Settings) []route {
	return []route{
		{method: "GET", url: "https://api.spotify.com/v1/me", answer: func(c *Call) (int, any) {
			id := c.Identity
			return http.StatusOK, map[string]any{"id": id.UID, "display_name": id.FullName(), "email": id.Email, "type": "user",
				"uri": "spotify:user:" + id.UID, "product": "free", "country": "GB"}
		}},
	}
}

func fakeTwitch(backends.Settings) []route {
	return []route{
		{method: "GET", url: "https://id.twitch.tv/oauth2/validate", token: authToken("OAuth"), answer: func(c *Call) (int, any) {
			return http.StatusOK, map[string]any{"client_id": issuedTo(c), "login": c.Identity.Username,
				"scopes": []string{"user:read:email"}, "user_id": c.Identity.UID, "expires_in": 14400}
		}},
		{method: "GET", url: "https://api.twitch.tv/helix/users", answer: func(c *Call) (int, any) {
			if c.Request.Header.Get("Client-Id") != issuedTo(c) {
				return http.StatusUnauthorized, map[string]any{"error": "Unauthorized", "status": 401,
					"message": "Client ID and OAuth token do not match"}
			}
			id := c.Identity
			u := map[string]any{"id": id.UID, "login": id.Username, "display_name": id.Username, "type": "",
				"broadcaster_type": "", "created_at": "2016-12-14T20:32:28Z"}
			if id.EmailVerified {
				u["email"] = id.Email // Helix returns only a verified email
			}
			return http.StatusOK, map[string]any{"data": []any{u}}
		}},
	}
}

// fakeReddit answers /api/v1/me.json; Reddit cannot tell a token's client,
// so a foreign token is answered like any other.
func fakeReddit(backends.Settings) []route {
	return []route{
		{method: "GET", url: "https://oauth.reddit.com/api/v1/me.json", answer: func(c *Call) (int, any) {
			return http.StatusOK, map[string]any{"id": c.Identity.UID, "name": c.Identity.Username, "verified": true,
				"has_verified_email": c.Identity.EmailVerified, "is_suspended": false, "link_karma": 1, "comment_karma": 1}
		}},
	}
}

// fakeDropbox answers users/get_current_account; Dropbox cannot tell a
// token's app, so a foreign token is answered like any other.
func fakeDropbox(backends.Settings) []route {
	return []route{
		{method: "POST", url: "https://api.dropboxapi.com/2/users/get_current_account", answer: func(c *Call) (int, any) {
			id := c.Identity
			return http.StatusOK, map[string]any{"account_id": id.UID, "email": id.Email, "email_verified": id.EmailVerified,
				"disabled": false, "locale": "en", "account_type": map[string]any{".tag": "basic"},
				"name": map[string]any{"display_name": id.FullName(), "given_name": id.FirstName, "surname": id.LastName,
					"familiar_name": id.FirstName, "abbreviated_name": ""}}
		}},
	}
}

func fakeYandex(backends.Settings) []route {
	return []route{
		{method: "GET", url: "https://login.yandex.ru/info", token: authToken("OAuth"), answer: func(c *Call) (int, any) {
			id := c.Identity
			return http.StatusOK, map[string]any{"id": id.UID, "login": id.Username, "client_id": issuedTo(c),
				"display_name": id.Username, "real_name": id.FullName(), "first_name": id.FirstName, "last_name": id.LastName,
				"default_email": id.Email, "emails": []string{id.Email}, "psuid": "1.fake." + id.UID}
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
		{method: "GET", url: api + "users.get", answer: func(c *Call) (int, any) {
			id := c.Identity
			return http.StatusOK, map[string]any{"response": []any{map[string]any{"id": numericID(id.UID),
				"first_name": id.FirstName, "last_name": id.LastName, "screen_name": id.Username, "nickname": "",
				"can_access_closed": true, "is_closed": false}}}
		}},
		{method: "GET", url: api + "secure.checkToken", token: queryToken("token"), answer: func(c *Call) (int, any) {
			switch {
			case s.APIKey == "" || c.Request.URL.Query().Get("access_token") != s.APIKey:
				return http.StatusOK, vkErr(28, "Application authorization failed: invalid service token")
			case c.Foreign:
				return http.StatusOK, vkErr(15, "Access denied: token does not belong to this application")
			}
			return http.StatusOK, map[string]any{"response": map[string]any{"success": 1, "user_id": numericID(c.Identity.UID),
				"date": 1790500000, "expire": 1790586400}}
		}},
	}
}

func fakeInstagram(s backends.Settings) []route {
	graph := "https://graph.instagram.com"
	return []route{
		{method: "GET", url: graph + "/me", answer: func(c *Call) (int, any) {
			id := c.Identity
			return http.StatusOK, map[string]any{"id": id.UID, "user_id": "1784140" + id.UID, "username": id.Username, "name": id.FullName()}
		}},
		{method: "GET", url: graph + "/debug_token", token: queryToken("input_token"), answer: func(c *Call) (int, any) {
			if c.Request.URL.Query().Get("access_token") != s.Key+"|"+s.Secret {
				return http.StatusBadRequest, map[string]any{"error": map[string]any{"message": "Invalid OAuth access token",
					"type": "OAuthException", "code": 190}}
			}
			return http.StatusOK, map[string]any{"data": map[string]any{"app_id": issuedTo(c), "type": "USER",
				"application": "Fake App", "is_valid": true, "expires_at": 1924992000, "scopes": []string{"instagram_business_basic"},
				"user_id": "1784140" + c.Identity.UID}}
		}},
	}
}

// fakeStackoverflow answers /2.3/me; Stack Exchange cannot tell a token's
// app, so a foreign token is answered like any other.
func fakeStackoverflow(s backends.Settings) []route {
	return []route{
		{method: "GET", url: "https://api.stackexchange.com/2.3/me", answer: func(c *Call) (int, any) {
			if q := c.Request.URL.Query(); s.APIKey == "" || q.Get("key") != s.APIKey || q.Get("site") != "stackoverflow" {
				return http.StatusBadRequest, map[string]any{"error_id": 405, "error_name": "key_required",
					"error_message": "`key` is required when `access_token` is passed"}
			}
			id := c.Identity
			return http.StatusOK, map[string]any{"items": []any{map[string]any{"user_id": numericID(id.UID),
				"account_id": numericID(id.UID), "user_type": "registered", "display_name": id.FullName(),
				"link": "https://stackoverflow.com/users/" + id.UID + "/" + id.Username}},
				"has_more": false, "quota_max": 10000, "quota_remaining": 9999}
		}},
	}
}

func fakeLinkedIn(s backends.Settings) []route {
	name := func(v string) map[string]any {
		return map[string]any{"localized": map[string]string{"en_US": v},
			"preferredLocale": map[string]string{"country": "US", "language": "en"}}
	}
	return []route{
		{method: "GET", url: "https://api.linkedin.com/v2/me", answer: func(c *Call) (int, any) {
			id := c.Identity
			return http.StatusOK, map[string]any{"id": id.UID, "firstName": name(id.FirstName), "lastName": name(id.LastName),
				"localizedFirstName": id.FirstName, "localizedLastName": id.LastName}
		}},
		{method: "POST", url: "https://www.linkedin.com/oauth/v2/introspectToken",
			token: func(r *http.Request) string {
				if r.ParseForm() != nil || r.PostForm.Get("client_id") != s.Key || r.PostForm.Get("client_secret") != s.Secret {
					return "" // wrong app credentials: refused like an unknown token
				}
				return r.PostForm.Get("token")
			},
			answer: func(c *Call) (int, any) {
				return http.StatusOK, map[string]any{"active": true, "client_id": issuedTo(c), "authorized_at": 1790499000,
					"created_at": 1790499000, "status": "active", "expires_at": 1795683000, "scope": "r_liteprofile", "auth_type": "3L"}
			}},
	}
}
