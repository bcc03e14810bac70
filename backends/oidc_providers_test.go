package backends_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

func TestOktaAuth0KeycloakLinkedIn(t *testing.T) {
	t.Run("okta org authorization server", func(t *testing.T) {
		s := backends.Settings{Key: "0oa1b2c3d4", Secret: "okta-secret-1f2e", BaseURL: "https://acme.okta.com/oauth2/"}
		b := backends.OktaOIDC(s)
		fake := backendtest.New(t)
		assert.Equal(t, "https://acme.okta.com", fake.IssuerOf("okta-openidconnect", s).URL())
		p, err := authenticate(t, b, fake.Client(), fake.Token("okta-openidconnect", s, ada))
		require.NoError(t, err)
		assert.Equal(t, ada.UID, p.UID, "sub, not preferred_username")
		_, err = authenticate(t, b, fake.Client(), fake.ForeignToken("okta-openidconnect", s, ada))
		require.ErrorIs(t, err, socialauth.ErrInvalidToken, "introspection: another app's token")
		_, err = verifyIDToken(t, b, fake.Client(), fake.IDToken("okta-openidconnect", s, ada, idOpts{Nonce: "n"}), "n")
		require.NoError(t, err)
		s.Secret = ""
		assert.False(t, backends.OktaOIDC(s).Doc().ChecksAudience, "no secret, no introspection")
	})
	t.Run("auth0 domain written as a URL; nickname", func(t *testing.T) {
		s := backends.Settings{Key: "auth0-client", Domain: "https://acme.eu.auth0.com/"}
		b := backends.Auth0(s)
		fake := backendtest.New(t)
		p, err := verifyIDToken(t, b, fake.Client(), fake.IDToken("auth0", s, ada, idOpts{Claims: map[string]any{"sub": "auth0|5f7c8ec7c33c6c004bbafe82"}}), "")
		require.NoError(t, err)
		assert.Equal(t, "auth0|5f7c8ec7c33c6c004bbafe82", p.UID)
		assert.Equal(t, "ada", p.Details.Username)
		_, err = verifyIDToken(t, b, fake.Client(), fake.IDToken("auth0", s, ada, idOpts{Issuer: "https://acme.eu.auth0.com"}), "")
		require.ErrorIs(t, err, socialauth.ErrInvalidToken, "Auth0's iss ends with a slash, exactly")
	})
	t.Run("keycloak", func(t *testing.T) {
		s := backends.Settings{Key: "app", Secret: "kc-secret-77aa", BaseURL: "https://sso.example.com/realms/acme"}
		b := backends.Keycloak(s)
		fake := backendtest.New(t)
		p, err := authenticate(t, b, fake.Client(), fake.Token("keycloak", s, ada))
		require.NoError(t, err)
		assert.Equal(t, ada.UID, p.UID)
		assert.True(t, b.Doc().ChecksAudience)
	})
	t.Run("linkedin: nonce checked when given, absent otherwise", func(t *testing.T) {
		s := backends.Settings{Key: "78abcdef"}
		b := backends.LinkedInOIDC(s)
		fake := backendtest.New(t)
		_, err := verifyIDToken(t, b, fake.Client(), fake.IDToken("linkedin-openidconnect", s, ada, idOpts{}), "")
		require.NoError(t, err)
		_, err = verifyIDToken(t, b, fake.Client(), fake.IDToken("linkedin-openidconnect", s, ada, idOpts{Nonce: "a"}), "b")
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	})
}

// TestLinkedInOIDCAccessToken: an access token goes to LinkedIn's userinfo
// and to its token introspection (documented answers), which must name this
// app, a member's token, and be asked with the app's credentials in the form.
func TestLinkedInOIDCAccessToken(t *testing.T) {
	const (
		discovery  = "https://www.linkedin.com/oauth/.well-known/openid-configuration"
		userinfo   = "https://api.linkedin.com/v2/userinfo"
		introspect = "https://www.linkedin.com/oauth/v2/introspectToken"
		tok        = "AQV8linkedin-oidc-access-token"
	)
	s := backends.Settings{Key: "78abcdef", Secret: "WPL_AP1.linkedin-oidc-secret"}
	answers := func(check answer) []answer {
		return []answer{{"GET", discovery, 0, "linkedin-openidconnect/discovery.json"},
			{"GET", userinfo, 0, "linkedin-openidconnect/userinfo.json"}, check}
	}
	t.Run("a member's token of this app", func(t *testing.T) {
		p, rec, err := login(t, backends.LinkedInOIDC(s), tok, answers(answer{"POST", introspect, 0, "linkedin-openidconnect/check.json"})...)
		require.NoError(t, err)
		checkGolden(t, "linkedin-openidconnect/userinfo", p)
		r := requestTo(t, rec, "POST", introspect)
		require.NoError(t, r.ParseForm())
		assert.Equal(t, url.Values{"client_id": {s.Key}, "client_secret": {s.Secret}, "token": {tok}}, r.PostForm)
		assert.Equal(t, "Bearer "+tok, requestTo(t, rec, "GET", userinfo).Header.Get("Authorization"))
	})
	for _, file := range []string{"linkedin-oauth2/check-other-app.json", "linkedin-oauth2/check-app-token.json",
		"linkedin-oauth2/check-enterprise.json", "linkedin-oauth2/check-revoked.json"} {
		t.Run("refused: "+file, func(t *testing.T) {
			_, _, err := login(t, backends.LinkedInOIDC(s), tok, answers(answer{"POST", introspect, 0, file})...)
			require.ErrorIs(t, err, socialauth.ErrInvalidToken)
		})
	}
	t.Run("without the secret an access token proves nothing", func(t *testing.T) {
		_, _, err := login(t, backends.LinkedInOIDC(backends.Settings{Key: s.Key}), tok, answers(answer{"POST", introspect, 0, "linkedin-openidconnect/check.json"})...)
		require.ErrorIs(t, err, socialauth.ErrAuthFailed)
		assert.Contains(t, err.Error(), "client id and secret")
	})
}

// TestDropboxYahooIDTokens: Dropbox and Yahoo issue OpenID Connect
// id_tokens, whose audience a login can check although their access tokens
// prove none.
func TestDropboxYahooIDTokens(t *testing.T) {
	for _, name := range []string{"dropbox-oauth2", "yahoo-oauth2"} {
		t.Run(name, func(t *testing.T) {
			s := backends.Settings{Key: "web-app-key", ClientIDs: []string{"ios-app-key"}}
			be, err := backends.ByName(name, s)
			require.NoError(t, err)
			b, ok := be.(socialauth.IDTokenAuthenticator)
			require.True(t, ok, "%s accepts id_tokens", name)
			fake := backendtest.New(t)

			p, err := verifyIDToken(t, b, fake.Client(), fake.IDToken(name, s, ada, idOpts{Nonce: "n-1"}), "n-1")
			require.NoError(t, err)
			assert.Equal(t, ada.UID, p.UID)
			assert.Equal(t, ada.Email, p.Details.Email)
			assert.True(t, p.Details.EmailVerified)
			_, err = verifyIDToken(t, b, fake.Client(), fake.IDToken(name, s, ada, idOpts{Audience: []string{"ios-app-key"}}), "")
			require.NoError(t, err, "the app's other client id")

			for what, opts := range map[string]idOpts{
				"another app's id_token": {Audience: []string{"another-app"}},
				"another issuer":         {Issuer: "https://idp.example.com"},
				"another nonce":          {Nonce: "n-0"},
			} {
				_, err = verifyIDToken(t, b, fake.Client(), fake.IDToken(name, s, ada, opts), "n-1")
				require.ErrorIs(t, err, socialauth.ErrInvalidToken, what)
			}

			_, err = authenticate(t, be, fake.Client(), fake.Token(name, s, ada))
			require.NoError(t, err, "access tokens still log in, through the user endpoint")
			d := be.(backends.Documented).Doc()
			assert.False(t, d.ChecksAudience, "the access-token path proves no audience")
			assert.True(t, strings.HasPrefix(d.TokenCheck, "none"), d.TokenCheck)
			assert.Contains(t, d.TokenCheck, "id_token:")
		})
	}
}

// TestOIDCBackendsDocumented: every OpenID Connect backend says how it
// checks tokens, and only those that prove an access token's audience claim to.
func TestOIDCBackendsDocumented(t *testing.T) {
	want := map[string]bool{
		"oidc": false, "google-openidconnect": true, "apple-id": true, "microsoft-graph": false,
		"azuread-tenant-oauth2": true, "azuread-v2-tenant-oauth2": true, "okta-openidconnect": true,
		"auth0": false, "keycloak": true, "linkedin-openidconnect": true,
	}
	for name, checks := range want {
		b, err := backends.ByName(name, fakeSettings(name))
		require.NoError(t, err)
		_, ok := b.(socialauth.IDTokenAuthenticator)
		assert.True(t, ok, "%s accepts id_tokens", name)
		d := b.(backends.Documented).Doc()
		assert.Equal(t, checks, d.ChecksAudience, name)
		assert.NotEmpty(t, d.Protocol)
		assert.NotEmpty(t, d.EmailVerified, name)
		assert.NotContains(t, strings.ToLower(d.UID), "email", name)
		if !checks {
			assert.Contains(t, d.TokenCheck, "NOT", "%s must say the audience is not proven", name)
		}
		t.Logf("| %s | %s | %s | %s | %s |", name, d.Protocol, d.TokenCheck, d.UID, d.EmailVerified)
	}
}
