package e2e_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// tokenCalls counts the requests to the OP's token endpoint.
func tokenCalls(r *recorder) int {
	n := 0
	for _, p := range r.paths() {
		if p == "POST /oauth/token" {
			n++
		}
	}
	return n
}

// withParam returns u with its query parameter k set to v.
func withParam(t *testing.T, u, k, v string) string {
	t.Helper()
	p, err := url.Parse(u)
	require.NoError(t, err)
	q := p.Query()
	q.Set(k, v)
	p.RawQuery = q.Encode()
	return p.String()
}

// TestOIDCCodeFlowAgainstZitadel runs the Service's browser login with the
// generic "oidc" backend at zitadel's OP: svc.AuthCodeURL, the OP's login
// form, svc.LoginCode with the parameters the OP sent back. The state is
// single-use and checked before the token endpoint is called, a foreign
// iss is refused, and the nonce and the PKCE verifier of the flow are the
// ones the OP's answer must match.
func TestOIDCCodeFlowAgainstZitadel(t *testing.T) {
	issuer := op(t)
	calls := &recorder{base: http.DefaultTransport}
	svc, err := socialauth.New(socialauth.Config{
		Backends:   []socialauth.Backend{backends.GenericOIDC(backends.Settings{Key: clientID, Secret: clientSecret, BaseURL: issuer})},
		Storage:    memory.New(),
		Pipeline:   pipeline.Default(),
		HTTPClient: &http.Client{Timeout: 10 * time.Second, Transport: calls},
	})
	require.NoError(t, err)
	ctx := t.Context()

	authURL, flow, err := svc.AuthCodeURL(ctx, "oidc", redirectURI, nil)
	require.NoError(t, err)
	asked, err := url.Parse(authURL)
	require.NoError(t, err)
	q := asked.Query()
	assert.Equal(t, clientID, q.Get("client_id"))
	assert.Equal(t, "S256", q.Get("code_challenge_method"))
	assert.NotEmpty(t, q.Get("nonce"))
	assert.Equal(t, redirectURI, q.Get("redirect_uri"))

	params := authorize(t, issuer, authURL, "test-user@127.0.0.1")
	require.Equal(t, q.Get("state"), params.Get("state"), "the OP sends the state back")
	res, err := svc.LoginCode(ctx, "oidc", flow, params)
	require.NoError(t, err)
	assert.True(t, res.IsNew)
	assert.Equal(t, "id1", res.Association.UID, "the OP's sub")
	assert.Equal(t, "test-user@zitadel.ch", res.User.Email)
	assert.True(t, res.User.EmailVerified)
	assert.Equal(t, 1, tokenCalls(calls), "the code was redeemed once")
	assocs, err := svc.Associations(ctx, res.User.ID)
	require.NoError(t, err)
	require.Len(t, assocs, 1)
	assert.NotEmpty(t, assocs[0].AccessToken(), "the OP's tokens are kept")

	t.Run("the same callback again", func(t *testing.T) {
		before := tokenCalls(calls)
		_, err := svc.LoginCode(ctx, "oidc", flow, params)
		require.ErrorIs(t, err, socialauth.ErrStateMismatch)
		assert.Equal(t, before, tokenCalls(calls), "refused before the token endpoint")
		noToken(t, err, params.Get("code"))
	})

	t.Run("another login's callback", func(t *testing.T) {
		_, otherFlow, err := svc.AuthCodeURL(ctx, "oidc", redirectURI, nil)
		require.NoError(t, err)
		authURL, _, err := svc.AuthCodeURL(ctx, "oidc", redirectURI, nil)
		require.NoError(t, err)
		before := tokenCalls(calls)
		_, err = svc.LoginCode(ctx, "oidc", otherFlow, authorize(t, issuer, authURL, "test-user@127.0.0.1"))
		require.ErrorIs(t, err, socialauth.ErrStateMismatch)
		assert.Equal(t, before, tokenCalls(calls), "refused before the token endpoint")
	})

	t.Run("a foreign iss", func(t *testing.T) {
		authURL, flow, err := svc.AuthCodeURL(ctx, "oidc", redirectURI, nil)
		require.NoError(t, err)
		params := authorize(t, issuer, authURL, "test-user@127.0.0.1")
		params.Set("iss", "http://127.0.0.1:1") // RFC 9207: zitadel sends none; a present one must be the issuer
		before := tokenCalls(calls)
		_, err = svc.LoginCode(ctx, "oidc", flow, params)
		require.ErrorIs(t, err, socialauth.ErrAuthFailed)
		assert.Equal(t, before, tokenCalls(calls), "refused before the token endpoint")
	})

	t.Run("an id_token with another nonce", func(t *testing.T) {
		// Someone swapped the nonce of the request the browser carries: the
		// OP's id_token holds it, not the flow's.
		authURL, flow, err := svc.AuthCodeURL(ctx, "oidc", redirectURI, nil)
		require.NoError(t, err)
		params := authorize(t, issuer, withParam(t, authURL, "nonce", "a-nonce-of-someone-else"), "test-user@127.0.0.1")
		_, err = svc.LoginCode(ctx, "oidc", flow, params)
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
		assert.Contains(t, err.Error(), "nonce")
	})

	t.Run("a code bound to another PKCE challenge", func(t *testing.T) {
		// The code was issued for another verifier's challenge: the flow's
		// verifier does not redeem it.
		authURL, flow, err := svc.AuthCodeURL(ctx, "oidc", redirectURI, nil)
		require.NoError(t, err)
		sum := sha256.Sum256([]byte(oauth2.GenerateVerifier()))
		params := authorize(t, issuer, withParam(t, authURL, "code_challenge", base64.RawURLEncoding.EncodeToString(sum[:])), "test-user@127.0.0.1")
		before := tokenCalls(calls)
		_, err = svc.LoginCode(ctx, "oidc", flow, params)
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
		assert.Contains(t, err.Error(), "invalid_grant")
		assert.Equal(t, before+1, tokenCalls(calls), "the OP refused the verifier")
		noToken(t, err, params.Get("code"))
	})

	t.Run("a returning user", func(t *testing.T) {
		authURL, flow, err := svc.AuthCodeURL(ctx, "oidc", redirectURI, nil)
		require.NoError(t, err)
		again, err := svc.LoginCode(ctx, "oidc", flow, authorize(t, issuer, authURL, "test-user@127.0.0.1"))
		require.NoError(t, err)
		assert.False(t, again.IsNew)
		assert.Equal(t, res.User.ID, again.User.ID)
	})
}
