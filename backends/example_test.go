package backends_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/jarcoal/httpmock"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
)

// Acme is the backend of Acme's OAuth 2.0 provider, written in a host's
// own package: the provider's data and a mapper from its user JSON.
func Acme(s backends.Settings) *backends.OAuth2 {
	return backends.NewOAuth2(backends.Provider{
		Name:        "acme", // stored with every association: never change it
		AuthURL:     "https://acme.example/oauth/authorize",
		TokenURL:    "https://acme.example/oauth/token",
		Scopes:      append([]string{"profile", "email"}, s.Scope...),
		UserInfoURL: "https://api.acme.example/me", // asked with "Authorization: Bearer <token>"
		User:        acmeUser,
		// Verify proves that a token was issued to this app, where Acme
		// offers a way (introspection, a token-info endpoint).
		Verify: nil,
		Doc: backends.Doc{TokenCheck: "none: Acme offers no token introspection",
			UID: "id", EmailVerified: "email_verified"},
	})
}

// acmeUser maps Acme's /me answer to the user's immutable id and details.
func acmeUser(body []byte) (string, socialauth.Details, error) {
	var u struct {
		ID            json.Number `json:"id"` // a number, kept exactly as sent
		Login         string      `json:"login"`
		Email         string      `json:"email"`
		EmailVerified bool        `json:"email_verified"`
		Picture       string      `json:"picture"`
	}
	if err := json.Unmarshal(body, &u); err != nil {
		return "", socialauth.Details{}, fmt.Errorf("%w: malformed user JSON", socialauth.ErrProviderUnavailable)
	}
	return u.ID.String(), socialauth.Details{
		Username: u.Login, Email: u.Email, EmailVerified: u.EmailVerified, AvatarURL: u.Picture,
	}, nil
}

// A backend of the host's own: Acme, built on NewOAuth2, logs a user in
// with an access token; its provider is faked at the HTTP level.
func ExampleNewOAuth2() {
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder(http.MethodGet, "https://api.acme.example/me", httpmock.NewStringResponder(http.StatusOK,
		`{"id": 4242, "login": "ada", "email": "ada@acme.example", "email_verified": true, "picture": "https://acme.example/ada.png"}`))
	client := &http.Client{Transport: mock}

	acme := Acme(backends.Settings{Key: "acme-client-id"})
	p, err := acme.Authenticate(context.Background(), client, "an-acme-access-token")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.UID, p.Details.Username, p.Details.Email, p.Details.EmailVerified, p.Details.AvatarURL)
	fmt.Println(acme.Doc().Protocol, acme.Doc().ChecksAudience)
	// Output:
	// 4242 ada ada@acme.example true https://acme.example/ada.png
	// OAuth2 false
}
