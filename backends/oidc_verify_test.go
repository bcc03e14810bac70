package backends_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

// oidcFixture is a generic "oidc" backend and its fake provider.
type oidcFixture struct {
	fake   *backendtest.Provider
	issuer *backendtest.Issuer
	s      backends.Settings
	b      *backends.OIDC
}

func newOIDCFixture(t testing.TB, issuerURL string) *oidcFixture {
	t.Helper()
	fake := backendtest.New(t)
	iss := fake.Issuer(issuerURL)
	s := backends.Settings{Key: "web-app", Secret: "web-app-secret-9c2e", ClientIDs: []string{"ios-app"}, BaseURL: iss.URL()}
	return &oidcFixture{fake: fake, issuer: iss, s: s, b: backends.GenericOIDC(s)}
}

type idOpts = backendtest.IDTokenOptions

var ada = backendtest.Identity{UID: "248289761001", Username: "ada", Email: "ada@example.com", EmailVerified: true, FirstName: "Ada", LastName: "Lovelace"}

// verifyIDToken calls AuthenticateIDToken and checks that a failure's text
// holds neither the token nor the nonce.
func verifyIDToken(t *testing.T, b socialauth.IDTokenAuthenticator, client *http.Client, tok, nonce string) (*socialauth.Profile, error) {
	t.Helper()
	p, err := b.AuthenticateIDToken(context.Background(), client, tok, nonce)
	if err != nil {
		noSecretIn(t, err.Error(), tok, nonce)
		if len(tok) > 40 {
			assert.NotContains(t, err.Error(), tok[len(tok)-40:], "no part of the token either")
		}
	}
	return p, err
}

// TestIDTokenValidation: each forged or unfit id_token is refused, with
// ErrInvalidToken, for its own reason (OIDC Core §3.1.3.7; security.md A2).
func TestIDTokenValidation(t *testing.T) {
	f := newOIDCFixture(t, "https://idp.example.com")
	now := time.Now()
	type opts = backendtest.IDTokenOptions
	cases := []struct {
		name   string
		opts   opts
		nonce  string
		token  func(string) string // rewrites the signed token
		reason string              // "" means accepted
	}{
		{name: "valid", opts: opts{}},
		{name: "valid for the iOS client", opts: opts{Audience: []string{"ios-app"}}},
		{name: "valid ES256", opts: opts{Alg: "ES256"}},
		{name: "valid PS256", opts: opts{Alg: "PS256"}},
		{name: "valid with nonce", opts: opts{Nonce: "n-0S6_WzA2Mj"}, nonce: "n-0S6_WzA2Mj"},
		{name: "valid: nonce in token, none expected", opts: opts{Nonce: "n-0S6_WzA2Mj"}},
		{name: "valid: both our audiences with azp", opts: opts{Audience: []string{"web-app", "ios-app"}, AuthorizedParty: "ios-app"}},

		{name: "bad signature", opts: opts{BadSignature: true}, reason: "signature is invalid"},
		{name: "forged with an unpublished key under a published kid", opts: opts{UnpublishedKey: true}, reason: "signature is invalid"},
		{name: "unknown kid", opts: opts{KeyID: "kid-nobody-published"}, reason: "key the provider does not publish"},
		{name: "alg none", opts: opts{Alg: "none"}, reason: "algorithm that is not allowed"},
		{name: "HS256 keyed with the public key", opts: opts{Alg: "HS256"}, reason: "algorithm that is not allowed"},
		{name: "wrong iss", opts: opts{Issuer: "https://evil.example.com"}, reason: "another issuer"},
		{name: "iss with a trailing slash", opts: opts{Issuer: "https://idp.example.com/"}, reason: "another issuer"},
		{name: "aud of another app", opts: opts{Audience: []string{"another-app"}}, reason: "issued to another app (aud)"},
		{name: "extra untrusted audience", opts: opts{Audience: []string{"web-app", "another-app"}, AuthorizedParty: "web-app"}, reason: "audience this app does not trust"},
		{name: "several audiences, no azp", opts: opts{Audience: []string{"web-app", "ios-app"}}, reason: "several audiences and no azp"},
		{name: "azp of another app", opts: opts{AuthorizedParty: "another-app"}, reason: "issued to another app (azp)"},
		{name: "aud: []", opts: opts{Audience: []string{}}, reason: "has no audience"},
		{name: "no aud", opts: opts{Claims: map[string]any{"aud": nil}}, reason: "has no audience"},
		{name: "aud not a string", opts: opts{Claims: map[string]any{"aud": 42}}, reason: "malformed claims"},
		{name: "expired", opts: opts{IssuedAt: now.Add(-5 * time.Minute), ExpiresAt: now.Add(-2 * time.Minute)}, reason: "has expired"},
		{name: "no exp", opts: opts{Claims: map[string]any{"exp": nil}}, reason: "has no exp"},
		{name: "iat too old", opts: opts{IssuedAt: now.Add(-20 * time.Minute), ExpiresAt: now.Add(40 * time.Minute)}, reason: "too long ago (iat)"},
		{name: "iat in the future", opts: opts{IssuedAt: now.Add(10 * time.Minute)}, reason: "in the future (iat)"},
		{name: "no iat", opts: opts{Claims: map[string]any{"iat": nil}}, reason: "has no iat"},
		{name: "nbf in the future", opts: opts{NotBefore: now.Add(3 * time.Minute)}, reason: "not valid yet (nbf)"},
		{name: "nonce mismatch", opts: opts{Nonce: "n-0S6_WzA2Mj"}, nonce: "n-attacker-nonce", reason: "nonce does not match"},
		{name: "nonce missing when expected", opts: opts{}, nonce: "n-0S6_WzA2Mj", reason: "has no nonce"},
		{name: "no sub", opts: opts{Claims: map[string]any{"sub": nil}}, reason: "has no sub"},
		{name: "sub only under another case", opts: opts{Claims: map[string]any{"sub": nil, "Sub": ada.UID}}, reason: "has no sub"},
		{name: "valid: sub beside a claim of another case", opts: opts{Claims: map[string]any{"SUB": "666"}}},
		{name: "sub not a string", opts: opts{Claims: map[string]any{"sub": 248289761001}}, reason: "malformed claims"},
		{name: "iss not a string", opts: opts{Claims: map[string]any{"iss": []string{"https://idp.example.com"}}}, reason: "malformed claims"},
		{name: "nonce not a string", opts: opts{Claims: map[string]any{"nonce": 42}}, nonce: "42", reason: "malformed claims"},
		{name: "exp not a number", opts: opts{Claims: map[string]any{"exp": "4102444800"}}, reason: "malformed claims"},
		{name: "iat out of any range", opts: opts{Claims: map[string]any{"iat": 1e300}}, reason: "malformed claims"},
		{name: "nbf not a number", opts: opts{Claims: map[string]any{"nbf": "soon"}}, reason: "malformed nbf"},
		{name: "valid: nbf in the past", opts: opts{NotBefore: now.Add(-time.Minute)}},
		{name: "valid: nbf within the leeway", opts: opts{NotBefore: now.Add(30 * time.Second)}},
		{name: "valid: aud a one-element array", opts: opts{Audience: []string{"web-app"}}},
		{name: "not a JWT", token: func(string) string { return "definitely-not-a-jwt" }, reason: "not a compact JWS"},
		{name: "full of dots", token: func(string) string { return strings.Repeat(".", 20000) }, reason: "not a compact JWS"},
		{name: "four parts", token: func(s string) string { return s + ".e30" }, reason: "not a compact JWS"},
		{name: "garbage in three parts", token: func(string) string { return "%%%.e30.e30" }, reason: "is malformed"},
		{name: "header without alg", token: func(string) string { return "e30.e30.e30" }, reason: "algorithm that is not allowed"},
		{name: "oversize", token: func(s string) string {
			return s[:strings.IndexByte(s, '.')] + "." + strings.Repeat("A", 40<<10) + ".sig"
		}, reason: "larger than any id_token"},
		{name: "a megabyte of dots", token: func(string) string { return strings.Repeat(".", 1<<20) }, reason: "larger than any id_token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := f.issuer.IDToken(f.s, ada, tc.opts)
			if tc.token != nil {
				tok = tc.token(tok)
			}
			p, err := verifyIDToken(t, f.b, f.fake.Client(), tok, tc.nonce)
			if tc.reason == "" {
				require.NoError(t, err)
				assert.Equal(t, ada.UID, p.UID)
				assert.Equal(t, tok, p.Token.IDToken)
				return
			}
			require.ErrorIs(t, err, socialauth.ErrInvalidToken)
			assert.Contains(t, err.Error(), tc.reason)
		})
	}
	t.Run("empty", func(t *testing.T) {
		_, err := verifyIDToken(t, f.b, f.fake.Client(), "", "")
		require.ErrorIs(t, err, socialauth.ErrInvalidRequest)
	})
	t.Run("malformed tokens cost no fetch", func(t *testing.T) {
		before := f.issuer.JWKSFetches() + f.issuer.DiscoveryFetches()
		for _, tok := range []string{strings.Repeat(".", 1<<20), "a.b.c.d", strings.Repeat("x", 1<<20)} {
			_, err := verifyIDToken(t, f.b, f.fake.Client(), tok, "")
			require.ErrorIs(t, err, socialauth.ErrInvalidToken)
		}
		assert.Equal(t, before, f.issuer.JWKSFetches()+f.issuer.DiscoveryFetches())
	})
}

// TestAlgorithmsNeverSymmetric: a configuration cannot let in "none" or HMAC.
func TestAlgorithmsNeverSymmetric(t *testing.T) {
	b := backends.NewOIDC(backends.OIDCConfig{Name: "x", Issuer: "https://idp.example.com", Algorithms: []string{"none", "HS256", "RS256", "HS512"}})
	assert.Equal(t, []string{"RS256"}, b.Config().Algorithms)
	assert.Panics(t, func() {
		backends.NewOIDC(backends.OIDCConfig{Name: "x", Issuer: "https://idp.example.com", Algorithms: []string{"HS256", "none"}})
	}, "a configuration that allows only symmetric algorithms is a programmer error")

	f := newOIDCFixture(t, "https://idp.example.com")
	b = backends.NewOIDC(backends.OIDCConfig{Name: "x", Issuer: f.issuer.URL(), ClientIDs: []string{"web-app"},
		Algorithms: []string{"HS256", "none", "ES256"}})
	for _, alg := range []string{"HS256", "none", "RS256"} {
		_, err := verifyIDToken(t, b, f.fake.Client(), f.issuer.IDToken(f.s, ada, backendtest.IDTokenOptions{Alg: alg}), "")
		require.ErrorIs(t, err, socialauth.ErrInvalidToken, alg)
		assert.Contains(t, err.Error(), "algorithm that is not allowed", alg)
	}
	_, err := verifyIDToken(t, b, f.fake.Client(), f.issuer.IDToken(f.s, ada, backendtest.IDTokenOptions{Alg: "ES256"}), "")
	require.NoError(t, err)
}

// TestAlgorithmsFromDiscovery: with no Algorithms configured, a provider's
// id_tokens are accepted with the algorithms its discovery document lists;
// a static provider's, with the defaults.
func TestAlgorithmsFromDiscovery(t *testing.T) {
	f := newOIDCFixture(t, "https://idp.example.com") // its discovery lists RS256, PS256, ES256
	_, err := verifyIDToken(t, f.b, f.fake.Client(), f.issuer.IDToken(f.s, ada, idOpts{Alg: "RS384"}), "")
	require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	assert.Contains(t, err.Error(), "algorithm that is not allowed")
	for _, alg := range []string{"RS256", "PS256", "ES256"} {
		_, err := verifyIDToken(t, f.b, f.fake.Client(), f.issuer.IDToken(f.s, ada, idOpts{Alg: alg}), "")
		require.NoError(t, err, alg)
	}

	static := backends.NewOIDC(backends.OIDCConfig{Name: "x", Issuer: f.issuer.URL(), JWKSURL: f.issuer.URL() + "/jwks",
		ClientIDs: []string{f.s.Key}, AccessTokenIsIDToken: true})
	before := f.issuer.DiscoveryFetches()
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS512", "ES256"} {
		p, err := verifyIDToken(t, static, f.fake.Client(), f.issuer.IDToken(f.s, ada, idOpts{Alg: alg}), "")
		require.NoError(t, err, alg)
		assert.Equal(t, ada.UID, p.UID)
	}
	assert.Equal(t, before, f.issuer.DiscoveryFetches(), "a static provider never reads discovery")
}

// TestIDTokenClaimNamesAreExact: claim names are case-sensitive (RFC 7519
// §4): a claim whose name differs from a standard one in case only stands
// in for none (encoding/json would take it for the standard one).
func TestIDTokenClaimNamesAreExact(t *testing.T) {
	f := newOIDCFixture(t, "https://idp.example.com")
	tok := f.issuer.IDToken(f.s, ada, idOpts{Claims: map[string]any{
		"email": nil, "EMAIL": "mallory@evil.example",
		"email_verified": nil, "Email_Verified": true,
		"name": nil, "Name": "Mallory", "given_name": nil, "family_name": nil,
		"preferred_username": nil, "Preferred_Username": "mallory",
		"picture": nil, "Picture": "https://evil.example/mallory.png",
	}})
	p, err := verifyIDToken(t, f.b, f.fake.Client(), tok, "")
	require.NoError(t, err)
	assert.Equal(t, ada.UID, p.UID)
	assert.Equal(t, socialauth.Details{}, p.Details)
	assert.Contains(t, string(p.Raw), `"EMAIL":"mallory@evil.example"`, "Raw keeps every claim as signed")

	for name, claims := range map[string]map[string]any{
		"iss": {"iss": nil, "ISS": f.issuer.URL()},
		"aud": {"aud": nil, "Aud": f.s.Key},
		"exp": {"exp": nil, "EXP": 4102444800},
		"iat": {"iat": nil, "Iat": time.Now().Unix()},
	} {
		_, err := verifyIDToken(t, f.b, f.fake.Client(), f.issuer.IDToken(f.s, ada, idOpts{Claims: claims}), "")
		require.ErrorIs(t, err, socialauth.ErrInvalidToken, name)
	}
	_, err = verifyIDToken(t, f.b, f.fake.Client(), f.issuer.IDToken(f.s, ada, idOpts{Claims: map[string]any{"Nonce": "n-1"}}), "n-1")
	require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	assert.Contains(t, err.Error(), "has no nonce")
}
