package backendtest

import (
	"net/http"
	"strconv"

	"github.com/go-socialauth/socialauth/backends"
)

// fakesB fakes the backends of provider group B. The providers that can
// tell which app a token was issued to (line, gitea, salesforce-oauth2,
// mailru, kakao) are in fakes_b_checks.go.
func fakesB() map[string]func(backends.Settings) []route {
	m := map[string]func(backends.Settings) []route{
		"twitter-oauth2": one("GET", "https://api.x.com/2/users/me", func(id Identity) any {
			return map[string]any{"data": map[string]any{"id": id.UID, "name": id.FullName(), "username": id.Username,
				"created_at": "2013-12-14T04:35:55.000Z", "verified": false}}
		}),
		"strava": one("GET", "https://www.strava.com/api/v3/athlete", func(id Identity) any {
			return map[string]any{"id": number(id.UID), "username": id.Username, "resource_state": 3,
				"firstname": id.FirstName, "lastname": id.LastName, "city": "London", "country": "United Kingdom", "premium": false}
		}),
		"patreon": one("GET", "https://www.patreon.com/api/oauth2/v2/identity", func(id Identity) any {
			return map[string]any{"data": map[string]any{"id": id.UID, "type": "user", "attributes": map[string]any{
				"email": id.Email, "is_email_verified": id.EmailVerified, "full_name": id.FullName(),
				"first_name": id.FirstName, "last_name": id.LastName, "vanity": id.Username}},
				"links": map[string]any{"self": "https://www.patreon.com/api/oauth2/v2/user/" + id.UID}}
		}),
		"zoom-oauth2": one("GET", "https://api.zoom.us/v2/users/me", func(id Identity) any {
			verified := 0
			if id.EmailVerified {
				verified = 1
			}
			return map[string]any{"id": id.UID, "first_name": id.FirstName, "last_name": id.LastName,
				"display_name": id.FullName(), "email": id.Email, "type": 1, "verified": verified, "status": "active"}
		}),
		"yahoo-oauth2": one("GET", "https://api.login.yahoo.com/openid/v1/userinfo", func(id Identity) any {
			return map[string]any{"sub": id.UID, "name": id.FullName(), "given_name": id.FirstName, "family_name": id.LastName,
				"nickname": id.Username, "email": id.Email, "email_verified": id.EmailVerified, "locale": "en-US"}
		}),
		"paypal-oauth2": one("GET", "https://api-m.paypal.com/v1/identity/oauth2/userinfo", func(id Identity) any {
			// Real PayPal sends a URL as user_id; the backend takes it
			// verbatim, so the fake sends the identity's UID itself.
			return map[string]any{"user_id": id.UID, "name": id.FullName(), "given_name": id.FirstName, "family_name": id.LastName,
				"emails":           []map[string]any{{"value": id.Email, "primary": true, "confirmed": id.EmailVerified}},
				"verified_account": true}
		}),
		"digitalocean": one("GET", "https://api.digitalocean.com/v2/account", func(id Identity) any {
			return map[string]any{"account": map[string]any{"uuid": id.UID, "email": id.Email, "email_verified": id.EmailVerified,
				"name": id.FullName(), "status": "active", "droplet_limit": 25}}
		}),
		"atlassian": one("GET", "https://api.atlassian.com/me", func(id Identity) any {
			return map[string]any{"account_type": "atlassian", "account_id": id.UID, "email": id.Email,
				"email_verified": id.EmailVerified, "name": id.FullName(), "nickname": id.Username, "account_status": "active"}
		}),
		"naver": one("GET", "https://openapi.naver.com/v1/nid/me", func(id Identity) any {
			return map[string]any{"resultcode": "00", "message": "success", "response": map[string]any{
				"id": id.UID, "nickname": id.Username, "name": id.FullName(), "email": id.Email}}
		}),
		"coinbase": one("GET", "https://api.coinbase.com/v2/user", func(id Identity) any {
			return map[string]any{"data": map[string]any{"id": id.UID, "name": id.FullName(), "username": id.Username,
				"email": id.Email, "resource": "user", "resource_path": "/v2/user"}}
		}),
		"box": one("GET", "https://api.box.com/2.0/users/me", func(id Identity) any {
			return map[string]any{"type": "user", "id": id.UID, "name": id.FullName(), "login": id.Email, "status": "active"}
		}),
	}
	for name, f := range fakesBChecks() {
		m[name] = f
	}
	return m
}

// one fakes a provider whose only endpoint is a user-info endpoint reached
// with a bearer token or an access_token query parameter.
func one(method, url string, user func(Identity) any) func(backends.Settings) []route {
	return func(backends.Settings) []route {
		return []route{{method: method, url: url, answer: func(c *Call) (int, any) { return http.StatusOK, user(c.Identity) }}}
	}
}

// number renders a numeric UID as a JSON number, as providers with numeric
// ids send it; anything else stays a string.
func number(uid string) any {
	if n, err := strconv.ParseInt(uid, 10, 64); err == nil {
		return n
	}
	return uid
}
