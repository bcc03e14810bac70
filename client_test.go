package socialauth

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultClient(t *testing.T) {
	c := defaultClient()
	assert.Equal(t, defaultTimeout, c.Timeout, "every provider call is bounded")
	tr, ok := c.Transport.(*http.Transport)
	require.True(t, ok)
	assert.NotSame(t, http.DefaultTransport, tr, "a clone: our settings never leak into the process-wide transport")
	require.NotNil(t, tr.Proxy)
	assert.Equal(t, reflect.ValueOf(http.ProxyFromEnvironment).Pointer(), reflect.ValueOf(tr.Proxy).Pointer(),
		"HTTPS_PROXY/NO_PROXY are honoured, as by Go's default transport")
	if tr.TLSClientConfig != nil {
		assert.Nil(t, tr.TLSClientConfig.RootCAs, "the system's CA roots (SSL_CERT_FILE) are used")
		assert.False(t, tr.TLSClientConfig.InsecureSkipVerify)
	}
	assert.False(t, tr.DisableKeepAlives)
	assert.Equal(t, 16, tr.MaxIdleConnsPerHost, "connections to each provider are kept alive")
	assert.NotSame(t, defaultClient().Transport, c.Transport, "each Service gets its own pool")
}
