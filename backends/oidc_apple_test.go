package backends_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

var appleSettings = backends.Settings{Key: "com.example.web", ClientIDs: []string{"com.example.ios"}}

func TestAppleID(t *testing.T) {
	b := backends.AppleID(appleSettings)
	require.Equal(t, "apple-id", b.Name())
	fake := backendtest.New(t)
	apple := backendtest.Identity{UID: "001234.5f2b9c0e8d7a4b1c9e3f2a1b0c9d8e7f.1234", Email: "x7kq2@privaterelay.appleid.com", EmailVerified: true}
	const raw = "5b8a0f1c-nonce-from-the-app"
	sum := sha256.Sum256([]byte(raw))
	hashed := hex.EncodeToString(sum[:])

	t.Run("native app: the token holds the nonce's SHA-256, the app sends the raw one", func(t *testing.T) {
		p, err := verifyIDToken(t, b, fake.Client(), fake.IDToken("apple-id", appleSettings, apple, idOpts{Nonce: hashed, Audience: []string{"com.example.ios"}}), raw)
		require.NoError(t, err)
		assert.Equal(t, apple.UID, p.UID)
		assert.Equal(t, socialauth.Details{Username: apple.UID, Email: apple.Email, EmailVerified: true}, p.Details)
		var claims map[string]any
		require.NoError(t, json.Unmarshal(p.Raw, &claims))
		assert.Equal(t, "true", claims["is_private_email"], "kept as Apple sent it")
	})
	t.Run("the hashed nonce itself also matches", func(t *testing.T) {
		_, err := verifyIDToken(t, b, fake.Client(), fake.IDToken("apple-id", appleSettings, apple, idOpts{Nonce: hashed}), hashed)
		require.NoError(t, err)
	})
	t.Run("access token path: the token is the id_token", func(t *testing.T) {
		p, err := authenticate(t, b, fake.Client(), fake.IDToken("apple-id", appleSettings, apple, idOpts{}))
		require.NoError(t, err)
		assert.Equal(t, apple.UID, p.UID)
		assert.True(t, b.Doc().ChecksAudience)
	})
	t.Run("email_verified false as a string", func(t *testing.T) {
		p, err := verifyIDToken(t, b, fake.Client(), fake.IDToken("apple-id", appleSettings, apple, idOpts{Claims: map[string]any{"email_verified": "false"}}), "")
		require.NoError(t, err)
		assert.False(t, p.Details.EmailVerified)
	})
	for name, tc := range map[string]struct {
		opts   idOpts
		nonce  string
		reason string
	}{
		"another app's token":          {idOpts{Audience: []string{"com.attacker.app"}}, "", "another app (aud)"},
		"another issuer":               {idOpts{Issuer: "https://appleid.example.com"}, "", "another issuer"},
		"nonce of another login":       {idOpts{Nonce: hashed}, "another-raw-nonce", "nonce does not match"},
		"ES256 is not Apple's":         {idOpts{Alg: "ES256"}, "", "algorithm that is not allowed"},
		"token older than ten minutes": {idOpts{IssuedAt: time.Now().Add(-15 * time.Minute)}, "", "too long ago"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := verifyIDToken(t, b, fake.Client(), fake.IDToken("apple-id", appleSettings, apple, tc.opts), tc.nonce)
			require.ErrorIs(t, err, socialauth.ErrInvalidToken)
			assert.Contains(t, err.Error(), tc.reason)
		})
	}
}

// p8 is a fresh Apple-style private key: PEM PKCS#8, P-256.
func p8(t *testing.T) (string, *ecdsa.PrivateKey) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), k
}

func TestAppleClientSecret(t *testing.T) {
	key, priv := p8(t)
	s := appleSettings
	s.TeamID, s.KeyID, s.PrivateKey = "TEAM123456", "KEY1234567", key
	secret, err := backends.AppleID(s).ClientSecret()
	require.NoError(t, err)

	jws, err := jose.ParseSignedCompact(secret, []jose.SignatureAlgorithm{jose.ES256})
	require.NoError(t, err)
	assert.Equal(t, "KEY1234567", jws.Signatures[0].Header.KeyID)
	payload, err := jws.Verify(&priv.PublicKey)
	require.NoError(t, err)
	var c struct {
		Iss, Sub, Aud string
		Iat, Exp      int64
	}
	require.NoError(t, json.Unmarshal(payload, &c))
	assert.Equal(t, "TEAM123456", c.Iss)
	assert.Equal(t, "com.example.web", c.Sub)
	assert.Equal(t, "https://appleid.apple.com", c.Aud)
	assert.Greater(t, c.Exp, c.Iat)
	assert.LessOrEqual(t, c.Exp-c.Iat, int64(15777000), "Apple's limit")
	assert.InDelta(t, time.Now().Unix(), c.Iat, 5)

	b := backends.AppleID(s)
	first, err := b.ClientSecret()
	require.NoError(t, err)
	again, err := b.ClientSecret()
	require.NoError(t, err)
	assert.Equal(t, first, again, "cached until shortly before it expires")

	t.Run("PSA layout: the key in Secret, newlines escaped", func(t *testing.T) {
		s := appleSettings
		s.TeamID, s.KeyID, s.Secret = "TEAM123456", "KEY1234567", strings.ReplaceAll(key, "\n", `\n`)
		_, err := backends.AppleID(s).ClientSecret()
		require.NoError(t, err)
	})
	t.Run("missing or wrong key", func(t *testing.T) {
		for name, s := range map[string]backends.Settings{
			"no team": {Key: "com.example.web", KeyID: "K", PrivateKey: key},
			"garbage": {Key: "com.example.web", KeyID: "K", TeamID: "T", PrivateKey: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"},
		} {
			_, err := backends.AppleID(s).ClientSecret()
			require.ErrorIs(t, err, socialauth.ErrAuthFailed, name)
			assert.NotContains(t, err.Error(), "AAAA")
		}
	})
}

// TestAppleFirstLoginName: the name Apple sends once, posted as "user" beside
// the id_token, reaches the new user; later logins keep it.
func TestAppleFirstLoginName(t *testing.T) {
	fake := backendtest.New(t)
	mux := http.NewServeMux()
	mux.Handle("POST /login/{backend}/", socialauth.Handler(socialauth.Config{
		Backends: []socialauth.Backend{backends.AppleID(appleSettings)}, Storage: memory.New(), HTTPClient: fake.Client(),
		Pipeline: pipeline.Default(),
	})(socialauth.ExchangeHandler(socialauth.Exchange{Mint: func(_ context.Context, r *socialauth.Result) (any, error) {
		return map[string]any{"first": r.User.FirstName, "last": r.User.LastName, "email": r.User.Email, "new": r.IsNew}, nil
	}})))
	apple := backendtest.Identity{UID: "001234.abcdef", Email: "ada@privaterelay.appleid.com", EmailVerified: true}
	post := func(body string) string {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/login/apple-id/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		mux.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		return strings.TrimSpace(rec.Body.String())
	}
	first := post(`{"id_token":"` + fake.IDToken("apple-id", appleSettings, apple, idOpts{}) +
		`","user":{"name":{"firstName":" Ada ","lastName":"Lovelace"},"email":"attacker@example.com"}}`)
	assert.JSONEq(t, `{"first":"Ada","last":"Lovelace","email":"ada@privaterelay.appleid.com","new":true}`, first,
		"the name is kept; the client's email is not: the id_token's is")
	later := post(`{"id_token":"` + fake.IDToken("apple-id", appleSettings, apple, idOpts{}) + `"}`)
	assert.JSONEq(t, `{"first":"Ada","last":"Lovelace","email":"ada@privaterelay.appleid.com","new":false}`, later)
}
