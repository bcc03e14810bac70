package backends_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

// TestOIDCAccessToken: DoAuth's path, userinfo with a Bearer header, and
// introspection where the provider offers it.
func TestOIDCAccessToken(t *testing.T) {
	t.Run("userinfo only: the audience is not proven, and Doc says so", func(t *testing.T) {
		f := newOIDCFixture(t, "https://idp.example.com")
		p, err := authenticate(t, f.b, f.fake.Client(), f.issuer.AccessToken(f.s, ada))
		require.NoError(t, err)
		assert.Equal(t, ada.UID, p.UID)
		assert.Equal(t, socialauth.Details{Username: "ada", Email: "ada@example.com", EmailVerified: true,
			FullName: "Ada Lovelace", FirstName: "Ada", LastName: "Lovelace",
			AvatarURL: "https://idp.example.com/pictures/" + ada.UID + ".png"}, p.Details, "the userinfo's standard claims, picture included")
		assert.Empty(t, p.Token.TokenType, "the provider sent no token_type: none is made up")

		_, err = authenticate(t, f.b, f.fake.Client(), f.issuer.ForeignAccessToken(f.s, ada))
		require.NoError(t, err, "nothing tells another app's token apart")
		assert.False(t, f.b.Doc().ChecksAudience)
		assert.Contains(t, f.b.Doc().TokenCheck, "NOT proven")

		_, err = authenticate(t, f.b, f.fake.Client(), "fake-token-the-provider-never-issued")
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	})
	t.Run("introspection when advertised", func(t *testing.T) {
		f := newOIDCFixture(t, "https://idp.example.com")
		f.issuer.EnableIntrospection()
		_, err := authenticate(t, f.b, f.fake.Client(), f.issuer.AccessToken(f.s, ada))
		require.NoError(t, err)
		_, err = authenticate(t, f.b, f.fake.Client(), f.issuer.ForeignAccessToken(f.s, ada))
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
		assert.Contains(t, err.Error(), "another app (client_id)")
		_, err = authenticate(t, f.b, f.fake.Client(), "fake-token-the-provider-never-issued")
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	})
	t.Run("introspection refusing this app's credentials is not the user's fault", func(t *testing.T) {
		f := newOIDCFixture(t, "https://idp.example.com")
		f.issuer.EnableIntrospection()
		s := f.s
		s.Secret = "a-wrong-secret"
		tok := f.issuer.AccessToken(f.s, ada)
		_, err := authenticate(t, backends.GenericOIDC(s), f.fake.Client(), tok)
		require.ErrorIs(t, err, socialauth.ErrAuthFailed)
		assert.Contains(t, err.Error(), "refused this app's client credentials")
		noSecretIn(t, err.Error(), s.Secret, tok)
	})
	t.Run("a public client cannot introspect", func(t *testing.T) {
		f := newOIDCFixture(t, "https://idp.example.com")
		f.issuer.EnableIntrospection()
		s := f.s
		s.Secret = ""
		_, err := authenticate(t, backends.GenericOIDC(s), f.fake.Client(), f.issuer.ForeignAccessToken(f.s, ada))
		require.NoError(t, err, "IntrospectIfAdvertised without a secret: userinfo only")
	})
	t.Run("introspection required but not offered", func(t *testing.T) {
		f := newOIDCFixture(t, "https://idp.example.com")
		b := backends.NewOIDC(backends.OIDCConfig{Name: "x", Issuer: f.issuer.URL(), ClientIDs: []string{f.s.Key}, ClientSecret: f.s.Secret,
			Introspection: backends.IntrospectRequired})
		assert.True(t, b.Doc().ChecksAudience)
		_, err := authenticate(t, b, f.fake.Client(), f.issuer.AccessToken(f.s, ada))
		require.ErrorIs(t, err, socialauth.ErrAuthFailed)
		assert.Contains(t, err.Error(), "needs an introspection endpoint")
	})
	t.Run("introspection never", func(t *testing.T) {
		f := newOIDCFixture(t, "https://idp.example.com")
		f.issuer.EnableIntrospection()
		b := backends.NewOIDC(backends.OIDCConfig{Name: "x", Issuer: f.issuer.URL(), ClientIDs: []string{f.s.Key}, ClientSecret: f.s.Secret,
			Introspection: backends.IntrospectNever})
		_, err := authenticate(t, b, f.fake.Client(), f.issuer.ForeignAccessToken(f.s, ada))
		require.NoError(t, err)
	})
	t.Run("claim names are configurable", func(t *testing.T) {
		f := newOIDCFixture(t, "https://idp.example.com")
		b := backends.NewOIDC(backends.OIDCConfig{Name: "x", Issuer: f.issuer.URL(), ClientIDs: []string{f.s.Key},
			Claims: backends.ClaimKeys{Username: "email", FullName: "family_name"}})
		p, err := authenticate(t, b, f.fake.Client(), f.issuer.AccessToken(f.s, ada))
		require.NoError(t, err)
		assert.Equal(t, "ada@example.com", p.Details.Username)
		assert.Equal(t, "Lovelace", p.Details.FullName)
	})
	t.Run("email_verified as a string", func(t *testing.T) {
		f := newOIDCFixture(t, "https://idp.example.com")
		for claim, want := range map[any]bool{"true": true, "false": false, true: true, nil: false, "yes": false} {
			tok := f.issuer.IDToken(f.s, ada, backendtest.IDTokenOptions{Claims: map[string]any{"email_verified": claim}})
			p, err := verifyIDToken(t, f.b, f.fake.Client(), tok, "")
			require.NoError(t, err)
			assert.Equal(t, want, p.Details.EmailVerified, "email_verified %v", claim)
		}
	})
}

// atHash is OIDC Core §3.1.3.6's at_hash for an RS256 id_token.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// TestOIDCTokens: the token endpoint's pair (code flow, or a client that
// sends both): the userinfo must be the id_token's subject.
func TestOIDCTokens(t *testing.T) {
	f := newOIDCFixture(t, "https://idp.example.com")
	ctx := context.Background()
	at := f.issuer.AccessToken(f.s, ada)
	idt := f.issuer.IDToken(f.s, ada, backendtest.IDTokenOptions{Nonce: "n-42", Claims: map[string]any{"at_hash": atHash(at), "email": nil}})

	p, err := f.b.AuthenticateTokens(ctx, f.fake.Client(), socialauth.Token{AccessToken: at, IDToken: idt}, "n-42")
	require.NoError(t, err)
	assert.Equal(t, ada.UID, p.UID)
	assert.Equal(t, "ada@example.com", p.Details.Email, "from userinfo, the id_token has none")
	assert.Equal(t, at, p.Token.AccessToken)
	assert.Equal(t, idt, p.Token.IDToken)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(p.Raw, &raw))
	assert.Equal(t, "n-42", raw["nonce"], "Raw holds the id_token's claims and the userinfo's")

	mallory := backendtest.Identity{UID: "666", Username: "mallory", Email: "mallory@example.com", EmailVerified: true}
	cases := []struct {
		name   string
		tokens socialauth.Token
		reason string
	}{
		{"userinfo sub differs from the id_token's", socialauth.Token{AccessToken: f.issuer.AccessToken(f.s, mallory),
			IDToken: f.issuer.IDToken(f.s, ada, backendtest.IDTokenOptions{Nonce: "n-42"})}, "userinfo sub differs"},
		{"at_hash of another access token", socialauth.Token{AccessToken: at,
			IDToken: f.issuer.IDToken(f.s, ada, backendtest.IDTokenOptions{Nonce: "n-42", Claims: map[string]any{"at_hash": atHash("other")}})}, "at_hash"},
		{"id_token refused first", socialauth.Token{AccessToken: at,
			IDToken: f.issuer.IDToken(f.s, ada, backendtest.IDTokenOptions{Nonce: "n-41"})}, "nonce does not match"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.b.AuthenticateTokens(ctx, f.fake.Client(), tc.tokens, "n-42")
			require.ErrorIs(t, err, socialauth.ErrInvalidToken)
			assert.Contains(t, err.Error(), tc.reason)
			noSecretIn(t, err.Error(), tc.tokens.AccessToken, tc.tokens.IDToken)
		})
	}
	t.Run("one token alone", func(t *testing.T) {
		p, err := f.b.AuthenticateTokens(ctx, f.fake.Client(), socialauth.Token{AccessToken: at}, "")
		require.NoError(t, err)
		assert.Equal(t, ada.UID, p.UID)
		p, err = f.b.AuthenticateTokens(ctx, f.fake.Client(), socialauth.Token{IDToken: idt}, "n-42")
		require.NoError(t, err)
		assert.Equal(t, ada.UID, p.UID)
		_, err = f.b.AuthenticateTokens(ctx, f.fake.Client(), socialauth.Token{}, "")
		require.ErrorIs(t, err, socialauth.ErrInvalidRequest)
	})
}

// TestOIDCConfigPanics: definitions that cannot work are refused at start-up.
func TestOIDCConfigPanics(t *testing.T) {
	for name, c := range map[string]backends.OIDCConfig{
		"no name":                 {Issuer: "https://idp.example.com"},
		"no issuer nor discovery": {Name: "x"},
		"static without userinfo": {Name: "x", Issuer: "https://idp.example.com", JWKSURL: "https://idp.example.com/jwks"},
		"only symmetric algs":     {Name: "x", Issuer: "https://idp.example.com", Algorithms: []string{"HS256"}},
	} {
		assert.Panics(t, func() { backends.NewOIDC(c) }, name)
	}
	assert.NotPanics(t, func() {
		backends.NewOIDC(backends.OIDCConfig{Name: "x", Issuer: "https://idp.example.com", JWKSURL: "https://idp.example.com/jwks", AccessTokenIsIDToken: true})
	}, "static, id_tokens only")
	user := func([]byte) (string, socialauth.Details, error) { return "", socialauth.Details{}, nil }
	assert.Panics(t, func() {
		backends.NewOAuth2IDToken(backends.Provider{Name: "a", UserInfoURL: "https://api.example.com/me", User: user},
			backends.OIDCConfig{Name: "b", Issuer: "https://idp.example.com"})
	}, "an OAuth2 provider and its id_tokens under two names")
}
