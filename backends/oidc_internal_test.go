package backends

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCacheTTL(t *testing.T) {
	def := time.Hour
	for header, want := range map[string]time.Duration{
		"": def,
		"public, max-age=19755, must-revalidate, no-transform": 19755 * time.Second,
		"max-age=0":         0,
		"no-store":          0,
		"private, no-cache": 0,
		"max-age=31536000":  maxCacheTTL,
		"max-age=-5":        0,
		"max-age=abc":       0,
		`max-age="60"`:      time.Minute,
	} {
		assert.Equal(t, want, cacheTTL(header, def), header)
	}
}

// TestDocumentClientHasTimeout: a discovery document or JWKS fetch is
// bounded in time whatever client it is given, none included, and a
// client's own timeout and transport are kept.
func TestDocumentClientHasTimeout(t *testing.T) {
	c, _ := documentClient(nil)
	assert.Equal(t, documentTimeout, c.Timeout)
	c, _ = documentClient(&http.Client{})
	assert.Equal(t, documentTimeout, c.Timeout)
	own := &http.Client{Timeout: 3 * time.Second, Transport: http.DefaultTransport}
	c, rec := documentClient(own)
	assert.Equal(t, 3*time.Second, c.Timeout)
	assert.Equal(t, http.DefaultTransport, rec.base)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		_, _ = w.Write([]byte(`{"keys":[]}`))
	}))
	defer srv.Close()
	body, cc, err := fetchDocument(context.Background(), nil, srv.URL)
	require.NoError(t, err, "no client: Go's default transport, with a timeout")
	assert.Equal(t, `{"keys":[]}`, string(body))
	assert.Equal(t, "max-age=60", cc)
}
