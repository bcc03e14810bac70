package backends_test

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

// clock is a settable clock for NewOIDC.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}
func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// clockedOIDC is the fixture's provider under a backend with a settable clock.
func clockedOIDC(f *oidcFixture, c *clock) *backends.OIDC {
	return backends.NewOIDC(backends.OIDCConfig{Name: "oidc", Issuer: f.issuer.URL(), ClientIDs: []string{f.s.Key}, Now: c.now})
}

// TestKeyRotation: a kid the cached JWKS lacks makes the backend refetch
// it, once, and at most once per KeyRefresh, however many such tokens
// arrive; a retired key stops verifying.
func TestKeyRotation(t *testing.T) {
	f := newOIDCFixture(t, "https://idp.example.com")
	f.issuer.SetCacheControl("public, max-age=3600")
	c := newClock()
	b := clockedOIDC(f, c)
	client := f.fake.Client()
	old := f.issuer.IDToken(f.s, ada, backendtest.IDTokenOptions{})

	_, err := verifyIDToken(t, b, client, old, "")
	require.NoError(t, err)
	_, err = verifyIDToken(t, b, client, f.issuer.IDToken(f.s, ada, backendtest.IDTokenOptions{}), "")
	require.NoError(t, err)
	require.Equal(t, 1, f.issuer.JWKSFetches(), "keys are cached as Cache-Control allows")

	f.issuer.RotateKeys()
	rotated := f.issuer.IDToken(f.s, ada, backendtest.IDTokenOptions{})
	_, err = verifyIDToken(t, b, client, rotated, "")
	require.ErrorIs(t, err, socialauth.ErrInvalidToken, "the JWKS was fetched a moment ago: no refetch yet")
	assert.Contains(t, err.Error(), "key the provider does not publish")
	assert.Equal(t, 1, f.issuer.JWKSFetches())

	c.advance(backends.DefaultKeyRefresh + time.Second)
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() { _, errs[i] = b.AuthenticateIDToken(t.Context(), client, rotated, "") })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 2, f.issuer.JWKSFetches(), "twenty logins with the new kid, one refetch")

	for _, kid := range []string{"random-kid-1", "random-kid-2", "random-kid-3"} {
		_, err = verifyIDToken(t, b, client, f.issuer.IDToken(f.s, ada, backendtest.IDTokenOptions{KeyID: kid}), "")
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	}
	assert.Equal(t, 2, f.issuer.JWKSFetches(), "unknown kids do not turn logins into fetches")

	_, err = verifyIDToken(t, b, client, old, "")
	require.ErrorIs(t, err, socialauth.ErrInvalidToken, "the retired key no longer verifies")
}

// TestProviderDocumentsCaching: discovery and JWKS are kept as long as
// Cache-Control says, served stale (up to twice that) while the provider is
// down, and refetched on every use under no-store.
func TestProviderDocumentsCaching(t *testing.T) {
	f := newOIDCFixture(t, "https://idp.example.com")
	c := newClock()
	b := clockedOIDC(f, c)
	client := f.fake.Client()
	login := func() error {
		_, err := b.AuthenticateIDToken(t.Context(), client, f.issuer.IDToken(f.s, ada, backendtest.IDTokenOptions{}), "")
		return err
	}

	require.NoError(t, login())
	require.NoError(t, login())
	assert.Equal(t, 2, f.issuer.JWKSFetches(), "no-store: fetched on each use")
	assert.Equal(t, 2, f.issuer.DiscoveryFetches())

	f.issuer.SetCacheControl("max-age=60")
	require.NoError(t, login())
	require.NoError(t, login())
	assert.Equal(t, 3, f.issuer.JWKSFetches(), "max-age=60: kept")
	assert.Equal(t, 3, f.issuer.DiscoveryFetches())

	c.advance(90 * time.Second)
	f.issuer.Outage(http.StatusServiceUnavailable)
	require.NoError(t, login(), "stale for 30 s, the provider down: the cached documents still serve")

	c.advance(60 * time.Second)
	err := login()
	require.ErrorIs(t, err, socialauth.ErrProviderUnavailable, "past twice their lifetime they do not")

	f.issuer.Outage(0)
	require.NoError(t, login())
}

// TestIssuersDoNotShareKeys: two OIDC backends with different issuers in
// one process keep their own discovery and keys; a token signed by one
// provider's key never verifies at the other, whatever its iss says.
func TestIssuersDoNotShareKeys(t *testing.T) {
	fake := backendtest.New(t)
	a, z := fake.Issuer("https://a.example.com"), fake.Issuer("https://z.example.com")
	s := backends.Settings{Key: "web-app"}
	ba := backends.NewOIDC(backends.OIDCConfig{Name: "idp-a", Issuer: a.URL(), ClientIDs: []string{"web-app"}})
	bz := backends.NewOIDC(backends.OIDCConfig{Name: "idp-z", Issuer: z.URL(), ClientIDs: []string{"web-app"}})
	client := fake.Client()
	a.SetCacheControl("max-age=3600")
	z.SetCacheControl("max-age=3600")

	_, err := verifyIDToken(t, ba, client, a.IDToken(s, ada, backendtest.IDTokenOptions{}), "")
	require.NoError(t, err)
	_, err = verifyIDToken(t, bz, client, z.IDToken(s, ada, backendtest.IDTokenOptions{}), "")
	require.NoError(t, err)

	_, err = verifyIDToken(t, bz, client, a.IDToken(s, ada, backendtest.IDTokenOptions{}), "")
	require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	assert.Contains(t, err.Error(), "key the provider does not publish", "a's kid is unknown to z, though a's keys are cached next door")

	forged := a.IDToken(s, ada, backendtest.IDTokenOptions{Issuer: z.URL()})
	_, err = verifyIDToken(t, bz, client, forged, "")
	require.ErrorIs(t, err, socialauth.ErrInvalidToken, "signed by a, claiming to be z")
	_, err = verifyIDToken(t, ba, client, forged, "")
	require.ErrorIs(t, err, socialauth.ErrInvalidToken, "a's key, but z's iss")
	assert.Contains(t, err.Error(), "another issuer")
	assert.Equal(t, 1, a.DiscoveryFetches())
	assert.Equal(t, 1, z.DiscoveryFetches())
}

// TestDiscoveryIsChecked: the discovery document must name the configured
// issuer and only secure endpoints.
func TestDiscoveryIsChecked(t *testing.T) {
	fake := backendtest.New(t)
	other := fake.Issuer("https://other.example.com")
	b := backends.NewOIDC(backends.OIDCConfig{Name: "x", Issuer: "https://idp.example.com", ClientIDs: []string{"web-app"},
		DiscoveryURL: "https://other.example.com/.well-known/openid-configuration"})
	_, err := verifyIDToken(t, b, fake.Client(), other.IDToken(backends.Settings{Key: "web-app"}, ada, backendtest.IDTokenOptions{}), "")
	require.ErrorIs(t, err, socialauth.ErrAuthFailed)
	assert.Contains(t, err.Error(), "another issuer than the configured one")

	plain := fake.Issuer("http://idp.example.net")
	b = backends.NewOIDC(backends.OIDCConfig{Name: "x", Issuer: plain.URL(), ClientIDs: []string{"web-app"}})
	_, err = verifyIDToken(t, b, fake.Client(), plain.IDToken(backends.Settings{Key: "web-app"}, ada, backendtest.IDTokenOptions{}), "")
	require.ErrorIs(t, err, socialauth.ErrAuthFailed)
	assert.Contains(t, err.Error(), "not https")

	down := fake.Issuer("https://down.example.com")
	down.Outage(http.StatusBadGateway)
	b = backends.NewOIDC(backends.OIDCConfig{Name: "x", Issuer: down.URL(), ClientIDs: []string{"web-app"}})
	_, err = verifyIDToken(t, b, fake.Client(), down.IDToken(backends.Settings{Key: "web-app"}, ada, backendtest.IDTokenOptions{}), "")
	require.ErrorIs(t, err, socialauth.ErrProviderUnavailable)

	b = backends.NewOIDC(backends.OIDCConfig{Name: "x", Issuer: other.URL()})
	_, err = verifyIDToken(t, b, fake.Client(), other.IDToken(backends.Settings{Key: "web-app"}, ada, backendtest.IDTokenOptions{}), "")
	require.ErrorIs(t, err, socialauth.ErrAuthFailed, "no client id configured")
}

// slowJWKS delays the answers for a JWKS, as a distant provider would.
type slowJWKS struct{ base http.RoundTripper }

func (s slowJWKS) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == "/jwks" {
		time.Sleep(200 * time.Millisecond)
	}
	return s.base.RoundTrip(r)
}

// TestConcurrentLoginsShareAFetch: under no-store every login needs the
// JWKS afresh, yet the logins waiting for a fetch take its answer rather
// than queue up fetches of their own behind it.
func TestConcurrentLoginsShareAFetch(t *testing.T) {
	f := newOIDCFixture(t, "https://idp.example.com")
	client := &http.Client{Transport: slowJWKS{f.fake.Client().Transport}}
	tok := f.issuer.IDToken(f.s, ada, backendtest.IDTokenOptions{})
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			_, err := f.b.AuthenticateIDToken(t.Context(), client, tok, "")
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Less(t, f.issuer.JWKSFetches(), 10, "one fetch served those who waited for it")
	t.Logf("10 logins, %d JWKS fetches", f.issuer.JWKSFetches())
}
