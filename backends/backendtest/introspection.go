package backendtest

import (
	"net/http"

	"github.com/jarcoal/httpmock"

	"github.com/go-socialauth/socialauth/backends"
)

// Fakes of providers that introspect tokens for the app (RFC 7662, or
// LinkedIn's variant): the app's credentials must be right, and for a
// foreign token the answer names another app.

// inactive is RFC 7662's answer about a token the server does not know.
var inactive = map[string]any{"active": false}

func fakeGitea(s backends.Settings) []route {
	site := siteURL(s, "https://gitea.com")
	return []route{
		{method: "GET", url: site + "/api/v1/user", answer: func(c *call) (int, any) {
			id := c.id
			return http.StatusOK, map[string]any{"id": numericID(id.UID), "login": id.Username, "login_name": "",
				"full_name": id.fullName(), "email": id.Email, "is_admin": false, "active": true,
				"avatar_url": site + "/avatars/" + pictureHash(id.UID)}
		}},
		{method: "GET", url: site + "/api/v1/user/emails", answer: func(c *call) (int, any) {
			return http.StatusOK, []map[string]any{{"email": c.id.Email, "verified": c.id.EmailVerified,
				"primary": true, "user_id": numericID(c.id.UID), "username": c.id.Username}}
		}},
		{method: "POST", url: site + "/login/oauth/introspect",
			token: func(r *http.Request) string {
				if user, pass, ok := r.BasicAuth(); !ok || user != s.Key || pass != s.Secret {
					return "" // Gitea answers 401 to a client it does not know
				}
				return r.PostFormValue("token")
			},
			unknown: func() (int, any) { return http.StatusOK, inactive },
			answer: func(c *call) (int, any) {
				return http.StatusOK, map[string]any{"active": true, "scope": "read:user", "username": c.id.Username,
					"iss": site, "sub": c.id.UID, "aud": []string{issuedTo(c)}}
			}},
	}
}

func fakeSalesforce(s backends.Settings) []route {
	site := siteURL(s, "https://login.salesforce.com")
	return []route{
		{method: "GET", url: site + "/services/oauth2/userinfo", answer: func(c *call) (int, any) {
			id := c.id
			return http.StatusOK, map[string]any{"sub": id.UID, "user_id": "005xx000001Sv6eAAC", "organization_id": "00Dxx0000001gEREAY",
				"preferred_username": id.Username, "nickname": id.Username, "name": id.fullName(), "given_name": id.FirstName,
				"family_name": id.LastName, "email": id.Email, "email_verified": id.EmailVerified, "zoneinfo": "Europe/London",
				"picture": site + "/profilephoto/005/F/" + id.UID}
		}},
		{method: "POST", url: site + "/services/oauth2/introspect",
			token: func(r *http.Request) string {
				if r.PostFormValue("client_id") != s.Key || r.PostFormValue("client_secret") != s.Secret {
					return "" // Salesforce refuses a client it cannot authenticate
				}
				return r.PostFormValue("token")
			},
			unknown: func() (int, any) { return http.StatusOK, inactive },
			answer: func(c *call) (int, any) {
				return http.StatusOK, map[string]any{"active": true, "scope": "openid id", "client_id": issuedTo(c),
					"username": c.id.Username, "sub": c.id.UID, "token_type": "access_token",
					"exp": 1924992000, "iat": 1924984800, "nbf": 1924984800}
			}},
	}
}

func fakeLinkedIn(backends.Settings) []route {
	name := func(v string) map[string]any {
		return map[string]any{"localized": map[string]string{"en_US": v},
			"preferredLocale": map[string]string{"country": "US", "language": "en"}}
	}
	return []route{
		{method: "GET", url: "https://api.linkedin.com/v2/me", answer: func(c *call) (int, any) {
			id := c.id
			return http.StatusOK, map[string]any{"id": id.UID, "firstName": name(id.FirstName), "lastName": name(id.LastName),
				"localizedFirstName": id.FirstName, "localizedLastName": id.LastName,
				"profilePicture": map[string]any{"displayImage~": map[string]any{"elements": []any{
					map[string]any{"identifiers": []any{map[string]any{"identifierType": "EXTERNAL_URL",
						"identifier": "https://media.licdn.com/dms/image/" + pictureHash(id.UID) + "/profile-displayphoto-shrink_800_800/0"}}}}}}}
		}},
		{method: "POST", url: linkedinIntrospectURL, shared: linkedinIntrospection},
	}
}

// fakeLinkedInOIDC is linkedin-openidconnect's fake beside its Issuer (the
// discovery, keys, id_tokens and userinfo): LinkedIn's introspectToken,
// which checks the Issuer's access tokens too.
func fakeLinkedInOIDC(backends.Settings) []route {
	return []route{{method: "POST", url: linkedinIntrospectURL, shared: linkedinIntrospection}}
}

const linkedinIntrospectURL = "https://www.linkedin.com/oauth/v2/introspectToken"

// linkedinIntrospection answers LinkedIn's POST /oauth/v2/introspectToken
// for the tokens of both LinkedIn backends, as LinkedIn documents it: the
// app's client_id and client_secret in the form beside the token; the
// answer says active, client_id, status and auth_type ("3L" for a member's
// token). Wrong app credentials are refused like an unknown token.
func linkedinIntrospection(p *Provider) httpmock.Responder {
	names := []string{"linkedin-oauth2", "linkedin-openidconnect"}
	return func(r *http.Request) (*http.Response, error) {
		if st := p.outageOf(names...); st != 0 {
			return jsonResponse(st, map[string]string{"error": "server_error", "error_description": "fake outage"})
		}
		if r.ParseForm() != nil {
			return jsonResponse(http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		}
		g, ok := p.grantOf(r.PostForm.Get("token"), names...)
		if !ok || r.PostForm.Get("client_id") != g.settings.Key || r.PostForm.Get("client_secret") != g.settings.Secret {
			return jsonResponse(http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "unknown token"})
		}
		client := g.settings.Key
		if g.foreign {
			client = otherApp
		}
		return jsonResponse(http.StatusOK, map[string]any{"active": true, "client_id": client, "authorized_at": 1790499000,
			"created_at": 1790499000, "status": "active", "expires_at": 1795683000, "scope": "openid,profile,email", "auth_type": "3L"})
	}
}
