package backendtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-socialauth/socialauth/backends"
)

// coreFakes fakes google-oauth2, facebook and github.
func coreFakes() map[string]func(backends.Settings) []route {
	return map[string]func(backends.Settings) []route{
		"google-oauth2": func(s backends.Settings) []route {
			return []route{
				{method: "GET", url: "https://openidconnect.googleapis.com/v1/userinfo", answer: func(c *Call) (int, any) {
					id := c.Identity
					out := map[string]any{
						"sub": id.UID, "name": id.FullName(), "given_name": id.FirstName, "family_name": id.LastName,
						"picture": "https://lh3.googleusercontent.com/a/default-user", "email": id.Email,
						"email_verified": id.EmailVerified, "locale": "en",
					}
					if !strings.HasSuffix(id.Email, "@gmail.com") && id.Email != "" {
						out["hd"] = id.Email[strings.LastIndex(id.Email, "@")+1:]
					}
					return http.StatusOK, out
				}},
				{method: "GET", url: "https://oauth2.googleapis.com/tokeninfo", token: queryToken("access_token"), answer: func(c *Call) (int, any) {
					aud := c.Settings.Key
					if c.Foreign {
						aud = otherApp
					}
					return http.StatusOK, map[string]any{
						"azp": aud, "aud": aud, "sub": c.Identity.UID, "scope": "openid email profile",
						"exp": "1924992000", "expires_in": "3599", "email": c.Identity.Email,
						"email_verified": strconv.FormatBool(c.Identity.EmailVerified), "access_type": "online",
					}
				}},
			}
		},
		"facebook": func(s backends.Settings) []route {
			return []route{
				{method: "GET", url: "https://graph.facebook.com/v24.0/me", answer: func(c *Call) (int, any) {
					if c.Request.URL.Query().Get("appsecret_proof") == "" {
						return http.StatusBadRequest, map[string]any{"error": map[string]any{
							"message": "API calls from the server require an appsecret_proof argument", "type": "GraphMethodException", "code": 100}}
					}
					id := c.Identity
					return http.StatusOK, map[string]any{"id": id.UID, "name": id.FullName(), "email": id.Email,
						"first_name": id.FirstName, "last_name": id.LastName}
				}},
				{method: "GET", url: "https://graph.facebook.com/v24.0/debug_token", token: queryToken("input_token"), answer: func(c *Call) (int, any) {
					app := c.Settings.Key
					if c.Foreign {
						app = otherApp
					}
					return http.StatusOK, map[string]any{"data": map[string]any{
						"app_id": app, "type": "USER", "application": "Fake App", "data_access_expires_at": 1924992000,
						"expires_at": 1924992000, "is_valid": true, "scopes": []string{"email", "public_profile"}, "user_id": c.Identity.UID,
					}}
				}},
			}
		},
		"github": func(s backends.Settings) []route {
			api := "https://api.github.com"
			if s.BaseURL != "" {
				api = strings.TrimRight(s.BaseURL, "/") + "/api/v3"
			}
			user := func(c *Call) map[string]any {
				id, _ := strconv.ParseInt(c.Identity.UID, 10, 64)
				out := map[string]any{"login": c.Identity.Username, "id": id, "node_id": "MDQ6VXNlcjE=", "type": "User",
					"site_admin": false, "name": c.Identity.FullName(), "email": nil}
				if c.Identity.EmailVerified {
					out["email"] = c.Identity.Email // GitHub's public email is always a verified one
				}
				return out
			}
			return []route{
				{method: "GET", url: api + "/user", answer: func(c *Call) (int, any) { return http.StatusOK, user(c) }},
				{method: "GET", url: api + "/user/emails", answer: func(c *Call) (int, any) {
					return http.StatusOK, []map[string]any{
						{"email": c.Identity.Email, "primary": true, "verified": c.Identity.EmailVerified, "visibility": "private"},
						{"email": c.Identity.UID + "+" + c.Identity.Username + "@users.noreply.github.com", "primary": false, "verified": true, "visibility": nil},
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
					answer: func(c *Call) (int, any) {
						if c.Foreign {
							return http.StatusNotFound, map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest/apps/oauth-applications#check-a-token"}
						}
						return http.StatusOK, map[string]any{"id": 1, "token": "redacted-by-fake", "app": map[string]any{"client_id": s.Key, "name": "Fake App"},
							"scopes": []string{"user:email"}, "user": user(c)}
					}},
			}
		},
	}
}
