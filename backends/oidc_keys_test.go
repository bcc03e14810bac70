package backends_test

import (
	"net/http"
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
