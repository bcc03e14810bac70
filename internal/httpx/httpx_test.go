package httpx

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultClientHasTimeoutAndHonoursProxyEnv(t *testing.T) {
	c := DefaultClient()
	assert.Equal(t, DefaultTimeout, c.Timeout)
	tr, ok := c.Transport.(*http.Transport)
	require.True(t, ok)
	assert.NotSame(t, http.DefaultTransport, tr, "must be a clone, not the shared transport")
	require.NotNil(t, tr.Proxy, "the clone keeps ProxyFromEnvironment")
	t.Setenv("HTTPS_PROXY", "http://proxy.internal:3128")
	// ProxyFromEnvironment caches its first read, so only assert the function is the env one
	// by checking a request: with the cache possibly primed we accept either, but Proxy must not panic.
	req := &http.Request{URL: &url.URL{Scheme: "https", Host: "example.com"}}
	_, err := tr.Proxy(req)
	assert.NoError(t, err)
}
