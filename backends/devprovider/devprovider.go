// Package devprovider is a local development identity provider, for development
// and tests only (never in production): a real HTTP
// server on loopback whose userinfo endpoint accepts the access token
// "dev-<name>" as the verified identity <name> (email <name>@example.com)
// and refuses every other token. The exchange example and the tests use it
// so that they run with no provider account and no network.
package devprovider

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
)

// validName keeps names to what makes a sensible username and email local part.
var validName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Handler serves GET /userinfo.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /userinfo", func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		name, isDev := strings.CutPrefix(tok, "dev-")
		w.Header().Set("Content-Type", "application/json")
		if !ok || !isDev || !validName.MatchString(name) {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_token","error_description":"tokens look like dev-<name>"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"sub": "dev-" + name, "preferred_username": name,
			"email": name + "@example.com", "email_verified": true,
			"name": name + " Developer", "given_name": name, "family_name": "Developer",
		})
	})
	return mux
}

// Backend returns the "dev" backend for a devprovider served at baseURL.
// Its token check is the provider itself: it only knows its own tokens.
func Backend(baseURL string) *backends.OAuth2 {
	return backends.NewOAuth2(backends.Provider{
		Name:        "dev",
		UserInfoURL: strings.TrimRight(baseURL, "/") + "/userinfo",
		User: func(body []byte) (string, socialauth.Details, error) {
			var u struct {
				Sub               string `json:"sub"`
				PreferredUsername string `json:"preferred_username"`
				Email             string `json:"email"`
				EmailVerified     bool   `json:"email_verified"`
				Name              string `json:"name"`
				GivenName         string `json:"given_name"`
				FamilyName        string `json:"family_name"`
			}
			if err := json.Unmarshal(body, &u); err != nil {
				return "", socialauth.Details{}, socialauth.ErrProviderUnavailable
			}
			return u.Sub, socialauth.Details{
				Username: u.PreferredUsername, Email: u.Email, EmailVerified: u.EmailVerified,
				FullName: u.Name, FirstName: u.GivenName, LastName: u.FamilyName,
			}, nil
		},
		Doc: backends.Doc{TokenCheck: "the local development provider only knows its own dev-<name> tokens", UID: "sub", EmailVerified: "email_verified"},
	})
}
