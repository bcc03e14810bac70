package backends

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
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
		"max-age=0":         minCacheTTL,
		"max-age=5":         minCacheTTL,
		"no-store":          minCacheTTL,
		"private, no-cache": minCacheTTL,
		"max-age=31536000":  maxCacheTTL,
		"max-age=-5":        minCacheTTL,
		"max-age=abc":       minCacheTTL,
		`max-age="90"`:      90 * time.Second,
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
	d, err := fetchDocument(context.Background(), nil, srv.URL, nil)
	require.NoError(t, err, "no client: Go's default transport, with a timeout")
	assert.Equal(t, `{"keys":[]}`, string(d.body))
	assert.Equal(t, "max-age=60", d.cacheControl)
}

// TestRemoteRevalidatesWithoutParsing: a 304 to the conditional request
// renews the cached document's lifetime and keeps the parsed value as it
// is; a changed document is parsed anew.
func TestRemoteRevalidatesWithoutParsing(t *testing.T) {
	var mu sync.Mutex
	body, etag := `"one"`, `"v1"`
	var seen []string // the If-None-Match of each request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.Header.Get("If-None-Match"))
		w.Header().Set("Cache-Control", "max-age=120")
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	parses := 0
	r := newRemote(func(b []byte) (*string, error) {
		parses++
		s := string(b)
		return &s, nil
	}, time.Hour)
	now := time.Now()
	get := func() *string {
		t.Helper()
		v, err := r.get(context.Background(), srv.Client(), srv.URL, now, 0, nil)
		require.NoError(t, err)
		return v
	}

	first := get()
	assert.Equal(t, `"one"`, *first)
	now = now.Add(121 * time.Second)
	assert.Same(t, first, get(), "304: the value parsed before")
	assert.Equal(t, 1, parses)
	now = now.Add(119 * time.Second)
	assert.Same(t, first, get(), "the 304 renewed the lifetime: no request")

	mu.Lock()
	body, etag = `"two"`, `"v2"`
	mu.Unlock()
	now = now.Add(2 * time.Second)
	assert.Equal(t, `"two"`, *get())
	assert.Equal(t, 2, parses)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"", `"v1"`, `"v1"`}, seen)
}
