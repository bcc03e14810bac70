package socialauth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

// loginFor logs id in through backend at as and returns the association.
func loginFor(t *testing.T, svc *socialauth.Service, as *backendtest.AuthorizationServer, backend string, id backendtest.Identity) *socialauth.Result {
	t.Helper()
	flow, resp := begin(t, svc, as, backend, id)
	res, err := svc.LoginCode(context.Background(), backend, flow, resp.Params)
	require.NoError(t, err)
	return res
}

func TestAccessTokenRefresh(t *testing.T) {
	e := newFlowEnv(t, backendtest.AuthorizationServerOptions{AccessTokenTTL: time.Minute, RefreshIDToken: true})
	now := time.Now()
	e.cfg.Now = func() time.Time { return now }
	svc, ctx := e.svc(t), context.Background()
	res := loginFor(t, svc, e.as, "prov", ada)
	first := res.Association.AccessToken()
	firstRefresh := res.Association.RefreshToken()

	tok, err := svc.AccessToken(ctx, res.Association)
	require.NoError(t, err)
	assert.Equal(t, first, tok.AccessToken, "still valid: no refresh")
	assert.Equal(t, 1, e.as.Calls("token"))

	now = now.Add(45 * time.Second) // within 30 s of expiry
	tok, err = svc.AccessToken(ctx, res.Association)
	require.NoError(t, err)
	assert.NotEqual(t, first, tok.AccessToken)
	assert.True(t, e.as.AccessTokenValid(tok.AccessToken))
	assert.NotEqual(t, firstRefresh, tok.RefreshToken, "the provider rotated it")
	assert.Equal(t, 2, e.as.Calls("token"))
	stored, err := svc.Associations(ctx, res.User.ID)
	require.NoError(t, err)
	require.Len(t, stored, 1)
	assert.Equal(t, tok.AccessToken, stored[0].AccessToken())
	assert.Equal(t, tok.RefreshToken, stored[0].RefreshToken())
	raw, err := e.store.GetAssociation(ctx, "prov", "ada-1")
	require.NoError(t, err)
	assert.NotContains(t, raw.ExtraData["access_token"], tok.AccessToken, "stored sealed (Config.TokenKeys)")

	t.Run("a refresh answer without a refresh token keeps the old one", func(t *testing.T) {
		e.as.SetOptions(backendtest.AuthorizationServerOptions{AccessTokenTTL: time.Minute, RefreshOmitsRefreshToken: true})
		before := tok.RefreshToken
		now = now.Add(time.Hour)
		again, err := svc.AccessToken(ctx, stored[0])
		require.NoError(t, err)
		assert.NotEqual(t, tok.AccessToken, again.AccessToken)
		assert.Equal(t, before, again.RefreshToken)
		got, err := svc.Associations(ctx, res.User.ID)
		require.NoError(t, err)
		assert.Equal(t, before, got[0].RefreshToken())
		assert.Equal(t, again.AccessToken, got[0].AccessToken())
		tok = again
	})

	for name, opts := range map[string]backendtest.AuthorizationServerOptions{
		"a refresh whose id_token changes sub": {AccessTokenTTL: time.Minute, RefreshIDToken: true, RefreshSubject: "mallory"},
		"a refresh whose id_token changes iss": {AccessTokenTTL: time.Minute, RefreshIDToken: true, RefreshIssuer: e.other.URL()},
	} {
		t.Run(name, func(t *testing.T) {
			e.as.SetOptions(opts)
			now = now.Add(time.Hour)
			writes := e.store.n.Load()
			current, err := svc.Associations(ctx, res.User.ID)
			require.NoError(t, err)
			_, err = svc.AccessToken(ctx, current[0])
			require.ErrorIs(t, err, socialauth.ErrInvalidToken)
			assert.Equal(t, writes, e.store.n.Load(), "nothing stored")
			after, err := svc.Associations(ctx, res.User.ID)
			require.NoError(t, err)
			assert.Equal(t, current[0].ExtraData, after[0].ExtraData)
		})
	}
}

func TestAccessTokenRefreshesOnce(t *testing.T) {
	e := newFlowEnv(t, backendtest.AuthorizationServerOptions{AccessTokenTTL: time.Minute})
	now := time.Now()
	var mu sync.Mutex
	e.cfg.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	svc, ctx := e.svc(t), context.Background()
	res := loginFor(t, svc, e.as, "plain", ada)
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()

	var wg sync.WaitGroup
	toks := make([]string, 16)
	for i := range toks {
		wg.Go(func() {
			tok, err := svc.AccessToken(ctx, res.Association)
			if assert.NoError(t, err) {
				toks[i] = tok.AccessToken
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 2, e.as.Calls("token"), "the login's exchange and one refresh")
	for _, tok := range toks {
		assert.Equal(t, toks[0], tok)
	}
}

func TestAccessTokenFailures(t *testing.T) {
	e := newFlowEnv(t, backendtest.AuthorizationServerOptions{AccessTokenTTL: time.Minute})
	now := time.Now()
	e.cfg.Now = func() time.Time { return now }
	svc, ctx := e.svc(t), context.Background()
	res := loginFor(t, svc, e.as, "plain", ada)

	_, err := svc.AccessToken(ctx, nil)
	require.ErrorIs(t, err, socialauth.ErrInvalidRequest)

	now = now.Add(time.Hour)
	e.as.Revoked() // nothing yet
	noRefresh := *res.Association
	noRefresh.ExtraData = map[string]any{"access_token": "old", "expires": float64(now.Add(-time.Hour).Unix())}
	require.NoError(t, e.store.UpdateAssociation(ctx, &noRefresh))
	_, err = svc.AccessToken(ctx, &noRefresh)
	require.ErrorIs(t, err, socialauth.ErrInvalidToken, "expired, no refresh token")

	refused := *res.Association
	refused.ExtraData = map[string]any{"access_token": "old", "refresh_token": "unknown-to-the-provider", "expires": "1"}
	require.NoError(t, e.store.UpdateAssociation(ctx, &refused))
	_, err = svc.AccessToken(ctx, &refused)
	require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	assert.Contains(t, err.Error(), "invalid_grant")
	assert.NotContains(t, err.Error(), "unknown-to-the-provider")
}

func TestDisconnectRevokes(t *testing.T) {
	e := newFlowEnv(t, backendtest.AuthorizationServerOptions{})
	svc, ctx := e.svc(t), context.Background()
	res := loginFor(t, svc, e.as, "prov", ada)
	second := loginFor(t, svc, e.other, "other", ada)
	_, err := svc.ConnectCode(ctx, "other", res.User, "", nil)
	require.ErrorIs(t, err, socialauth.ErrStateMismatch)
	// Link the second provider to Ada's user for real.
	flow, resp := begin(t, svc, e.other, "other", backendtest.Identity{UID: "ada-other"})
	linked, err := svc.ConnectCode(ctx, "other", res.User, flow, resp.Params)
	require.NoError(t, err)
	_ = second

	require.NoError(t, svc.Disconnect(ctx, "other", res.User, linked.Association.ID))
	assert.Equal(t, []string{linked.Association.RefreshToken()}, e.other.Revoked(), "the refresh token, which ends the grant")
	links, err := svc.Associations(ctx, res.User.ID)
	require.NoError(t, err)
	require.Len(t, links, 1)
	assert.Equal(t, "prov", links[0].Provider)

	err = svc.Disconnect(ctx, "prov", res.User, links[0].ID)
	require.ErrorIs(t, err, socialauth.ErrNotAllowedToDisconnect, "never the last way in")
	assert.Empty(t, e.as.Revoked(), "nothing revoked when nothing is removed")
}

// TestAccessTokenRefreshPlainWithIDToken: a plain OAuth 2.0 backend asking
// for "openid" (Yahoo, Salesforce) gets an id_token with its refresh, which
// it cannot verify; the user info of the new access token must then be the
// association's user.
func TestAccessTokenRefreshPlainWithIDToken(t *testing.T) {
	e := newFlowEnv(t, backendtest.AuthorizationServerOptions{AccessTokenTTL: time.Minute, RefreshIDToken: true})
	p := e.as.OAuth2("plainopenid").Provider()
	p.Scopes = []string{"openid", "profile"}
	e.cfg.Backends = append(e.cfg.Backends, backends.NewOAuth2(p))
	now := time.Now()
	e.cfg.Now = func() time.Time { return now }
	svc, ctx := e.svc(t), context.Background()
	res := loginFor(t, svc, e.as, "plainopenid", ada)
	now = now.Add(time.Hour)
	userinfo := e.as.Calls("userinfo")
	tok, err := svc.AccessToken(ctx, res.Association)
	require.NoError(t, err)
	assert.True(t, e.as.AccessTokenValid(tok.AccessToken))
	assert.Equal(t, userinfo+1, e.as.Calls("userinfo"), "the user info of the new token was checked")
}
