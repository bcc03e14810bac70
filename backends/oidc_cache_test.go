package backends_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

// documentCount counts the requests for one provider document.
type documentCount struct {
	Requests    int // every request
	Conditional int // with If-None-Match or If-Modified-Since
	NotModified int // answered 304
}

// providerDocuments stands between OIDC backends and a fake issuer, as a
// provider's own HTTP front would: it counts the requests for the
// discovery document and the JWKS, labels each answer with an ETag or a
// Last-Modified (a new one whenever the body changes), answers 304 to a
// request whose validator matches, and fails as a provider that is down
// fails (connection refused, timeout) when told to.
type providerDocuments struct {
	base http.RoundTripper

	mu         sync.Mutex
	validators string // "etag", "last-modified" or "" (none sent)
	down       error  // returned for every document request when set
	rewrite    func(kind string, body []byte) []byte
	counts     map[string]*documentCount
	versions   map[string]documentVersion // by URL
	changes    int
}

// documentVersion is what the front knows of a document's current body.
type documentVersion struct {
	hash         string
	lastModified string
}

func newProviderDocuments(base http.RoundTripper) *providerDocuments {
	return &providerDocuments{base: base, counts: map[string]*documentCount{"discovery": {}, "jwks": {}}, versions: map[string]documentVersion{}}
}

// kindOf names the document a request is for, "" for any other request.
func kindOf(r *http.Request) string {
	switch {
	case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
		return "discovery"
	case strings.HasSuffix(r.URL.Path, "/jwks"), strings.HasSuffix(r.URL.Path, "/certs"): // Keycloak's
		return "jwks"
	}
	return ""
}

func (p *providerDocuments) RoundTrip(r *http.Request) (*http.Response, error) {
	kind := kindOf(r)
	if kind == "" {
		return p.base.RoundTrip(r)
	}
	inm, ims := r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
	p.mu.Lock()
	c := p.counts[kind]
	c.Requests++
	if inm != "" || ims != "" {
		c.Conditional++
	}
	down, mode, rewrite := p.down, p.validators, p.rewrite
	p.mu.Unlock()
	if down != nil {
		return nil, down
	}
	resp, err := p.base.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if rewrite != nil {
		body = rewrite(kind, body)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:8])
	p.mu.Lock()
	v, known := p.versions[r.URL.String()]
	if !known || v.hash != hash {
		p.changes++
		v = documentVersion{hash: hash, lastModified: time.Date(2025, 1, 1, 0, 0, p.changes, 0, time.UTC).Format(http.TimeFormat)}
		p.versions[r.URL.String()] = v
	}
	etag := `"` + hash + `"`
	matched := mode == "etag" && inm == etag || mode == "last-modified" && ims == v.lastModified
	if matched {
		c.NotModified++
	}
	p.mu.Unlock()
	switch mode {
	case "etag":
		resp.Header.Set("ETag", etag)
	case "last-modified":
		resp.Header.Set("Last-Modified", v.lastModified)
	}
	if matched {
		resp.StatusCode, resp.Status = http.StatusNotModified, "304 Not Modified"
		resp.Header.Del("Content-Type")
		body = nil
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return resp, nil
}

// count returns the counts of one document ("discovery" or "jwks").
func (p *providerDocuments) count(kind string) documentCount {
	p.mu.Lock()
	defer p.mu.Unlock()
	return *p.counts[kind]
}

func (p *providerDocuments) setValidators(mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.validators = mode
}

// setRewrite makes the front change the documents' bodies with f.
func (p *providerDocuments) setRewrite(f func(kind string, body []byte) []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rewrite = f
}

func (p *providerDocuments) setDown(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = err
}

// timeoutError is a network timeout, as a provider that does not answer gives.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

var errConnRefused = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}

// cacheFixture is an OIDC backend with a settable clock behind a
// providerDocuments front of its fake issuer.
type cacheFixture struct {
	*oidcFixture
	docs   *providerDocuments
	clock  *clock
	b      *backends.OIDC
	client *http.Client
}

func newCacheFixture(t *testing.T, cacheControl string) *cacheFixture {
	t.Helper()
	f := newOIDCFixture(t, "https://idp.example.com")
	f.issuer.SetCacheControl(cacheControl)
	docs := newProviderDocuments(f.fake.Transport())
	c := newClock()
	return &cacheFixture{oidcFixture: f, docs: docs, clock: c, b: clockedOIDC(f, c), client: &http.Client{Transport: docs, Timeout: 10 * time.Second}}
}

// token is an id_token issued now by the fixture's clock.
func (c *cacheFixture) token(opts backendtest.IDTokenOptions) string {
	opts.IssuedAt = c.clock.now()
	return c.issuer.IDToken(c.s, ada, opts)
}

// login verifies a fresh id_token (kid replaces its kid when not empty).
func (c *cacheFixture) login(t *testing.T, kid string) error {
	t.Helper()
	_, err := verifyIDToken(t, c.b, c.client, c.token(backendtest.IDTokenOptions{KeyID: kid}), "")
	return err
}

// TestRotatedKeyAcceptedAtOnce: the first token signed with a key the
// provider has just rotated in is accepted, at the cost of one JWKS fetch,
// however recently the JWKS was fetched (the refetch limit counts only
// refetches for unknown kids); a retired key stops verifying.
func TestRotatedKeyAcceptedAtOnce(t *testing.T) {
	c := newCacheFixture(t, "public, max-age=3600")
	old := c.token(backendtest.IDTokenOptions{})
	_, err := verifyIDToken(t, c.b, c.client, old, "")
	require.NoError(t, err)
	require.NoError(t, c.login(t, ""))
	require.Equal(t, 1, c.docs.count("jwks").Requests, "keys are kept as Cache-Control says")

	c.issuer.RotateKeys()
	require.NoError(t, c.login(t, ""), "the JWKS was fetched a moment ago, yet the rotated key is accepted at once")
	assert.Equal(t, 2, c.docs.count("jwks").Requests, "exactly one extra fetch")

	var wg sync.WaitGroup
	errs := make([]error, 20)
	toks := make([]string, len(errs))
	for i := range toks {
		toks[i] = c.token(backendtest.IDTokenOptions{})
	}
	for i := range errs {
		wg.Go(func() { _, errs[i] = c.b.AuthenticateIDToken(t.Context(), c.client, toks[i], "") })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 2, c.docs.count("jwks").Requests, "twenty logins with the new kid: no further fetch")

	_, err = verifyIDToken(t, c.b, c.client, old, "")
	require.ErrorIs(t, err, socialauth.ErrInvalidToken, "the retired key no longer verifies")
	assert.Contains(t, err.Error(), "key the provider does not publish")
	assert.Equal(t, 2, c.docs.count("jwks").Requests, "its kid was refetched for less than KeyRefresh ago")

	c.clock.advance(backends.DefaultKeyRefresh)
	c.issuer.RotateKeys()
	require.NoError(t, c.login(t, ""), "a second rotation, KeyRefresh later")
	assert.Equal(t, 3, c.docs.count("jwks").Requests)
	assert.Equal(t, 1, c.docs.count("discovery").Requests, "a rotation does not refetch discovery")
	t.Logf("rotation: JWKS fetches %+v, discovery %+v", c.docs.count("jwks"), c.docs.count("discovery"))
}

// TestUnknownKidSpam: forged tokens with random kids, one every 100 ms for
// a minute, cost at most one JWKS refetch per KeyRefresh, and a key the
// provider rotates in meanwhile is accepted within KeyRefresh.
func TestUnknownKidSpam(t *testing.T) {
	c := newCacheFixture(t, "max-age=3600")
	require.NoError(t, c.login(t, ""))
	const (
		step  = 100 * time.Millisecond
		spell = time.Minute
	)
	for range int(spell / step) {
		err := c.login(t, rand.Text())
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
		c.clock.advance(step)
	}
	refetches := c.docs.count("jwks").Requests - 1
	assert.Equal(t, int(spell/backends.DefaultKeyRefresh), refetches, "one refetch per KeyRefresh (%v), not one per token", backends.DefaultKeyRefresh)
	assert.Equal(t, 1, c.docs.count("discovery").Requests)

	c.issuer.RotateKeys()
	for range int(backends.DefaultKeyRefresh / step) {
		if c.login(t, "") == nil {
			break
		}
		c.login(t, rand.Text()) //nolint:errcheck // the spam goes on
		c.clock.advance(step)
	}
	require.NoError(t, c.login(t, ""), "the rotated key is accepted within KeyRefresh, spam or not")
	t.Logf("600 forged kids over %v: %d JWKS refetches; JWKS %+v", spell, refetches, c.docs.count("jwks"))
}

// TestNoCacheKeepsAFloor: with "Cache-Control: no-cache" on both documents
// (Keycloak sends it with its keys), logins every 3 s for five minutes
// fetch each document once a minute, not once a login.
func TestNoCacheKeepsAFloor(t *testing.T) {
	for _, cc := range []string{"no-cache", "no-store", "max-age=0"} {
		t.Run(cc, func(t *testing.T) {
			c := newCacheFixture(t, cc)
			const (
				logins = 100
				step   = 3 * time.Second
			)
			for range logins {
				require.NoError(t, c.login(t, ""))
				c.clock.advance(step)
			}
			want := int(logins * step / time.Minute) // one per minute's floor
			assert.Equal(t, want, c.docs.count("jwks").Requests)
			assert.Equal(t, want, c.docs.count("discovery").Requests)
			assert.Zero(t, c.docs.count("jwks").Conditional, "the provider sent no validators")
			t.Logf("%s, %d logins over %v: JWKS %+v, discovery %+v", cc, logins, logins*step, c.docs.count("jwks"), c.docs.count("discovery"))
		})
	}
}

// TestRevalidation: once a document's lifetime is over it is revalidated
// with the provider's validator (ETag → If-None-Match, Last-Modified →
// If-Modified-Since); a 304 renews its lifetime, and a changed document
// comes back whole.
func TestRevalidation(t *testing.T) {
	for _, mode := range []string{"etag", "last-modified"} {
		t.Run(mode, func(t *testing.T) {
			c := newCacheFixture(t, "max-age=60")
			c.docs.setValidators(mode)
			require.NoError(t, c.login(t, ""))
			assert.Equal(t, documentCount{Requests: 1}, c.docs.count("jwks"))

			c.clock.advance(61 * time.Second)
			require.NoError(t, c.login(t, ""))
			assert.Equal(t, documentCount{Requests: 2, Conditional: 1, NotModified: 1}, c.docs.count("jwks"))
			assert.Equal(t, documentCount{Requests: 2, Conditional: 1, NotModified: 1}, c.docs.count("discovery"))

			c.clock.advance(30 * time.Second)
			require.NoError(t, c.login(t, ""))
			assert.Equal(t, 2, c.docs.count("jwks").Requests, "the 304 renewed the lifetime")

			c.issuer.RotateKeys()
			c.clock.advance(31 * time.Second)
			require.NoError(t, c.login(t, ""), "the changed JWKS comes back whole")
			assert.Equal(t, documentCount{Requests: 3, Conditional: 2, NotModified: 1}, c.docs.count("jwks"))
			t.Logf("%s: JWKS %+v, discovery %+v", mode, c.docs.count("jwks"), c.docs.count("discovery"))
		})
	}
}

// TestOutageServesStale: while the provider is down, logins go on with the
// documents last fetched, for up to a day past their lifetime, asking the
// provider again at most every 30 s; past that they fail with
// ErrProviderUnavailable; with the provider back, they work again.
func TestOutageServesStale(t *testing.T) {
	for _, tc := range []struct {
		name string
		down func(c *cacheFixture)
		up   func(c *cacheFixture)
	}{
		{"503", func(c *cacheFixture) { c.issuer.Outage(http.StatusServiceUnavailable) }, func(c *cacheFixture) { c.issuer.Outage(0) }},
		{"429", func(c *cacheFixture) { c.issuer.Outage(http.StatusTooManyRequests) }, func(c *cacheFixture) { c.issuer.Outage(0) }},
		{"connection refused", func(c *cacheFixture) { c.docs.setDown(errConnRefused) }, func(c *cacheFixture) { c.docs.setDown(nil) }},
		{"timeout", func(c *cacheFixture) { c.docs.setDown(timeoutError{}) }, func(c *cacheFixture) { c.docs.setDown(nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCacheFixture(t, "max-age=60")
			require.NoError(t, c.login(t, ""))
			tc.down(c)

			c.clock.advance(2 * time.Minute)
			require.NoError(t, c.login(t, ""), "stale for a minute, the provider down: the kept documents serve")
			assert.Equal(t, 2, c.docs.count("jwks").Requests, "one attempt to revalidate")
			for range 10 {
				c.clock.advance(2 * time.Second)
				require.NoError(t, c.login(t, ""))
			}
			assert.Equal(t, 2, c.docs.count("jwks").Requests, "no new attempt within 30 s of a failed one")
			c.clock.advance(30 * time.Second)
			require.NoError(t, c.login(t, ""))
			assert.Equal(t, 3, c.docs.count("jwks").Requests, "then one more")

			c.clock.advance(24 * time.Hour)
			err := c.login(t, "")
			require.ErrorIs(t, err, socialauth.ErrProviderUnavailable, "a day past their lifetime they do not serve")

			tc.up(c)
			require.NoError(t, c.login(t, ""))
			t.Logf("%s: JWKS %+v, discovery %+v", tc.name, c.docs.count("jwks"), c.docs.count("discovery"))
		})
	}

	t.Run("no copy: the login fails", func(t *testing.T) {
		c := newCacheFixture(t, "max-age=60")
		c.docs.setDown(errConnRefused)
		err := c.login(t, "")
		require.ErrorIs(t, err, socialauth.ErrProviderUnavailable)
		assert.Contains(t, err.Error(), "connection refused")
	})

	t.Run("a document naming another issuer is no outage", func(t *testing.T) {
		c := newCacheFixture(t, "max-age=60")
		require.NoError(t, c.login(t, ""))
		c.docs.setRewrite(func(kind string, body []byte) []byte {
			if kind != "discovery" {
				return body
			}
			return bytes.ReplaceAll(body, []byte(`"issuer":"https://idp.example.com"`), []byte(`"issuer":"https://evil.example.com"`))
		})
		c.clock.advance(2 * time.Minute)
		err := c.login(t, "")
		require.ErrorIs(t, err, socialauth.ErrAuthFailed, "refused, not a reason to keep serving the old document")
		assert.Contains(t, err.Error(), "another issuer")
		assert.Equal(t, 2, c.docs.count("discovery").Requests)
	})
}

// slowJWKS delays the answers for a JWKS, as a distant provider would,
// and tells arrived of each request.
type slowJWKS struct {
	base    http.RoundTripper
	arrived chan struct{}
}

func (s slowJWKS) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == "/jwks" {
		select {
		case s.arrived <- struct{}{}:
		default:
		}
		time.Sleep(200 * time.Millisecond)
	}
	return s.base.RoundTrip(r)
}

// TestConcurrentLoginsShareAFetch: logins that need a document while it is
// being fetched wait for that fetch rather than make their own, and the
// caller whose login started the fetch may give up without failing the
// others.
func TestConcurrentLoginsShareAFetch(t *testing.T) {
	c := newCacheFixture(t, "max-age=60")
	slow := slowJWKS{base: c.docs, arrived: make(chan struct{}, 1)}
	client := &http.Client{Transport: slow}
	run := func(n int) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		first := make(chan error, 1)
		go func() {
			_, err := c.b.AuthenticateIDToken(ctx, client, c.token(backendtest.IDTokenOptions{}), "")
			first <- err
		}()
		<-slow.arrived // the first login's JWKS fetch is under way
		cancel()       // and its client goes away
		toks := make([]string, n)
		for i := range toks {
			toks[i] = c.token(backendtest.IDTokenOptions{})
		}
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, err := c.b.AuthenticateIDToken(t.Context(), client, toks[i], "")
				assert.NoError(t, err, "the fetch goes on for those who wait")
			})
		}
		assert.ErrorIs(t, <-first, socialauth.ErrProviderUnavailable, "the first caller gave up on the fetch")
		wg.Wait()
	}
	run(10)
	assert.Equal(t, 1, c.docs.count("jwks").Requests, "one fetch served all who waited for it")
	assert.Equal(t, 1, c.docs.count("discovery").Requests)

	c.clock.advance(2 * time.Minute)
	run(10)
	assert.Equal(t, 2, c.docs.count("jwks").Requests, "one revalidation for all")
	t.Logf("2×11 concurrent logins: JWKS %+v, discovery %+v", c.docs.count("jwks"), c.docs.count("discovery"))
}
