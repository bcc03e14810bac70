package backendtest

import (
	"net/http"
	"strings"

	"github.com/go-socialauth/socialauth/backends"
)

// otherAppNumber is the numeric app id foreign tokens of providers that
// name apps by number (Kakao) are issued to.
const otherAppNumber = 1000001

// fakesBChecks fakes the group B providers that can tell which app a token
// was issued to; for a foreign token their check names otherApp.
func fakesBChecks() map[string]func(backends.Settings) []route {
	return map[string]func(backends.Settings) []route{
		"line": func(s backends.Settings) []route {
			return []route{
				{method: "GET", url: "https://api.line.me/v2/profile", answer: func(c *Call) (int, any) {
					return http.StatusOK, map[string]any{"userId": c.Identity.UID, "displayName": c.Identity.FullName(),
						"pictureUrl": "https://profile.line-scdn.net/abcdefghijklmn"}
				}},
				{method: "GET", url: "https://api.line.me/oauth2/v2.1/verify", token: queryToken("access_token"), answer: func(c *Call) (int, any) {
					return http.StatusOK, map[string]any{"scope": "profile openid", "client_id": appOf(c), "expires_in": 2591659}
				}},
			}
		},
		"mailru": func(s backends.Settings) []route {
			return []route{{method: "GET", url: "https://oauth.mail.ru/userinfo", token: queryToken("access_token"), answer: func(c *Call) (int, any) {
				id := c.Identity
				return http.StatusOK, map[string]any{"id": id.UID, "client_id": appOf(c), "email": id.Email, "name": id.FullName(),
					"first_name": id.FirstName, "last_name": id.LastName, "nickname": id.Username, "locale": "ru_RU"}
			}}}
		},
		"kakao": func(s backends.Settings) []route {
			const api = "https://kapi.kakao.com"
			return []route{
				{method: "GET", url: api + "/v2/user/me", answer: func(c *Call) (int, any) {
					id := c.Identity
					return http.StatusOK, map[string]any{"id": number(id.UID), "connected_at": "2026-01-12T08:21:03Z",
						"properties": map[string]any{"nickname": id.Username},
						"kakao_account": map[string]any{"profile": map[string]any{"nickname": id.Username}, "name": id.FullName(),
							"email": id.Email, "is_email_valid": true, "is_email_verified": id.EmailVerified}}
				}},
				{method: "GET", url: api + "/v1/user/access_token_info", answer: func(c *Call) (int, any) {
					var app any = otherAppNumber
					if !c.Foreign {
						app = kakaoAppID(c.Settings)
					}
					return http.StatusOK, map[string]any{"id": number(c.Identity.UID), "expires_in": 21599, "app_id": app}
				}},
			}
		},
		"gitea": func(s backends.Settings) []route {
			site := strings.TrimRight(s.BaseURL, "/")
			if site == "" {
				site = "https://gitea.com"
			}
			return []route{
				{method: "GET", url: site + "/api/v1/user", answer: func(c *Call) (int, any) {
					id := c.Identity
					return http.StatusOK, map[string]any{"id": number(id.UID), "login": id.Username, "login_name": "",
						"full_name": id.FullName(), "email": id.Email, "is_admin": false, "active": true}
				}},
				{method: "GET", url: site + "/api/v1/user/emails", answer: func(c *Call) (int, any) {
					return http.StatusOK, []map[string]any{{"email": c.Identity.Email, "verified": c.Identity.EmailVerified,
						"primary": true, "user_id": number(c.Identity.UID), "username": c.Identity.Username}}
				}},
				{method: "POST", url: site + "/login/oauth/introspect",
					token: func(r *http.Request) string {
						if user, pass, ok := r.BasicAuth(); !ok || user != s.Key || pass != s.Secret {
							return "" // Gitea answers 401 to a client it does not know
						}
						return r.PostFormValue("token")
					},
					answer: func(c *Call) (int, any) {
						return http.StatusOK, map[string]any{"active": true, "scope": "read:user", "username": c.Identity.Username,
							"iss": site, "sub": c.Identity.UID, "aud": []string{appOf(c)}}
					}},
			}
		},
		"salesforce-oauth2": func(s backends.Settings) []route {
			site := strings.TrimRight(s.BaseURL, "/")
			if site == "" {
				site = "https://login.salesforce.com"
			}
			return []route{
				{method: "GET", url: site + "/services/oauth2/userinfo", answer: func(c *Call) (int, any) {
					id := c.Identity
					return http.StatusOK, map[string]any{"sub": id.UID, "user_id": "005xx000001Sv6eAAC", "organization_id": "00Dxx0000001gEREAY",
						"preferred_username": id.Username, "nickname": id.Username, "name": id.FullName(), "given_name": id.FirstName,
						"family_name": id.LastName, "email": id.Email, "email_verified": id.EmailVerified, "zoneinfo": "Europe/London"}
				}},
				{method: "POST", url: site + "/services/oauth2/introspect",
					token: func(r *http.Request) string {
						if r.PostFormValue("client_id") != s.Key || r.PostFormValue("client_secret") != s.Secret {
							return "" // Salesforce refuses a client it cannot authenticate
						}
						return r.PostFormValue("token")
					},
					answer: func(c *Call) (int, any) {
						return http.StatusOK, map[string]any{"active": true, "scope": "openid id", "client_id": appOf(c),
							"username": c.Identity.Username, "sub": c.Identity.UID, "token_type": "access_token",
							"exp": 1924992000, "iat": 1924984800, "nbf": 1924984800}
					}},
			}
		},
	}
}

// appOf is the client id the fake says a token was issued to.
func appOf(c *Call) string {
	if c.Foreign {
		return otherApp
	}
	return c.Settings.Key
}

// kakaoAppID is the app's numeric app id: the first all-digit entry of
// ClientIDs, as a number.
func kakaoAppID(s backends.Settings) any {
	for _, id := range s.ClientIDs {
		if n, ok := number(id).(int64); ok {
			return n
		}
	}
	return 0
}
