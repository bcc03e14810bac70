package backends

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-socialauth/socialauth"
)

// How long a provider document (a discovery document, a JWKS) is kept.
const (
	// maxCacheTTL caps its lifetime, whatever its Cache-Control says.
	maxCacheTTL = 24 * time.Hour
	// minCacheTTL is the floor of its lifetime: no-cache, no-store and
	// max-age=0 (Keycloak sends no-cache with its keys) still keep it this
	// long, or every login would fetch it.
	minCacheTTL = time.Minute
	// maxStale is how long past its lifetime it is still served while the
	// provider cannot be reached, or answers 429 or 5xx.
	maxStale = 24 * time.Hour
	// outageRetry is how long, once a revalidation failed and the stale
	// copy was served, the copy is served without asking the provider
	// again: a provider that times out must not cost every login a timeout.
	outageRetry = 30 * time.Second
)

// remote is a JSON document a provider publishes (its discovery document,
// its JWKS), fetched through the client of the call that needs it. Each
// OIDC backend has its own, so backends with different issuers never share
// keys. It is safe for concurrent use.
//
// The document is kept as long as the provider's Cache-Control says, within
// [minCacheTTL, maxCacheTTL] (defTTL without a max-age), then revalidated:
// with If-None-Match and If-Modified-Since when the provider sent an ETag
// or Last-Modified, so that its 304 renews the lifetime without a new
// parse. While the provider is down (no answer, a timeout, 429 or 5xx), a
// copy is served for up to maxStale past its lifetime. A caller whose
// accept refuses a fresh copy (a token's kid the JWKS lacks) makes it
// refetch at once, but at most once per minRefresh: only those refetches
// are rate-limited. Concurrent fetches of one document are one request:
// its callers share its outcome, each waiting as long as its own ctx allows.
type remote[T any] struct {
	parse  func(body []byte) (T, error)
	defTTL time.Duration // when the provider sends no max-age

	mu      sync.Mutex
	url     string
	val     T
	ok      bool          // val holds a document fetched from url
	checked time.Time     // when val was fetched or last confirmed (304)
	ttl     time.Duration // how long after checked val is fresh
	cc      string        // its Cache-Control, which a 304 may leave out
	etag    string        // its validators, for the conditional request
	lastMod string
	forced  time.Time  // the last refetch for a copy accept refused
	failed  time.Time  // the last revalidation that failed and served the stale copy
	flight  *flight[T] // the fetch under way, if any
}

// flight is one fetch of a document; done is closed once val and err are set.
type flight[T any] struct {
	url  string
	done chan struct{}
	val  T
	err  error
}

func newRemote[T any](parse func([]byte) (T, error), defTTL time.Duration) *remote[T] {
	return &remote[T]{parse: parse, defTTL: defTTL}
}

// get returns the document at url, as of now (see [remote]). accept (nil
// means any) says whether a fresh copy serves the caller; minRefresh bounds
// how often a copy it refuses is refetched, and that copy is returned in
// between (the caller then refuses what it was checking).
func (r *remote[T]) get(ctx context.Context, client *http.Client, url string, now time.Time, minRefresh time.Duration, accept func(T) bool) (T, error) {
	r.mu.Lock()
	if r.ok && r.url == url {
		fresh := now.Before(r.checked.Add(r.ttl))
		switch {
		case fresh && (accept == nil || accept(r.val)):
			defer r.mu.Unlock()
			return r.val, nil
		case fresh && r.flight == nil && now.Before(r.forced.Add(minRefresh)):
			defer r.mu.Unlock()
			return r.val, nil // refetched a moment ago for another unknown kid
		case fresh:
			r.forced = now
		case now.Before(r.failed.Add(outageRetry)) && now.Before(r.checked.Add(r.ttl+maxStale)):
			defer r.mu.Unlock()
			return r.val, nil // the provider was down a moment ago: stale
		}
	}
	f := r.flight
	if f == nil || f.url != url {
		f = &flight[T]{url: url, done: make(chan struct{})}
		r.flight = f
		// The fetch outlives a caller that gives up: others wait for it,
		// and its answer is kept. The client's timeout (documentTimeout
		// when it has none) bounds it.
		go r.fetch(context.WithoutCancel(ctx), client, f, now)
	}
	r.mu.Unlock()

	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("%w: %s: %w", socialauth.ErrProviderUnavailable, hostOf(url), ctx.Err())
	}
}

// fetch runs f: a conditional GET when the cached copy of f.url has
// validators, then the cache updated with what it got, as of now.
func (r *remote[T]) fetch(ctx context.Context, client *http.Client, f *flight[T], now time.Time) {
	var validators http.Header
	r.mu.Lock()
	if r.ok && r.url == f.url {
		validators = http.Header{}
		if r.etag != "" {
			validators.Set("If-None-Match", r.etag)
		}
		if r.lastMod != "" {
			validators.Set("If-Modified-Since", r.lastMod)
		}
	}
	r.mu.Unlock()

	ans, err := fetchDocument(ctx, client, f.url, validators)
	var v T
	if err == nil && !ans.notModified {
		v, err = r.parse(ans.body)
	}

	r.mu.Lock()
	defer close(f.done)
	defer r.mu.Unlock()
	if r.flight == f {
		r.flight = nil
	}
	cached := r.ok && r.url == f.url
	switch {
	case err == nil && ans.notModified && cached:
		v = r.val // unchanged: no parse
		r.checked, r.failed = now, time.Time{}
		if ans.cacheControl != "" {
			r.cc = ans.cacheControl
		}
		if ans.etag != "" {
			r.etag = ans.etag
		}
		if ans.lastModified != "" {
			r.lastMod = ans.lastModified
		}
		r.ttl = cacheTTL(r.cc, r.defTTL)
	case err == nil && ans.notModified:
		err = fmt.Errorf("%w: %s answered 304 to a request it cannot have matched", socialauth.ErrProviderUnavailable, hostOf(f.url))
	case err == nil:
		r.url, r.val, r.ok, r.checked, r.failed = f.url, v, true, now, time.Time{}
		r.cc, r.etag, r.lastMod = ans.cacheControl, ans.etag, ans.lastModified
		r.ttl = cacheTTL(r.cc, r.defTTL)
	case cached && errors.Is(err, socialauth.ErrProviderUnavailable) && now.Before(r.checked.Add(r.ttl+maxStale)):
		v, err = r.val, nil // the provider is down; its document did not change for that
		r.failed = now
	}
	f.val, f.err = v, err
}

// documentTimeout bounds a document fetch made with a client that has no
// timeout of its own (or with no client at all).
const documentTimeout = 10 * time.Second

// document is a provider's answer to a document fetch.
type document struct {
	body                             []byte
	cacheControl, etag, lastModified string
	notModified                      bool // a 304 to a conditional request
}

// fetchDocument GETs url through client (with the bounds and error mapping
// of call), sending header (the validators of a conditional request).
func fetchDocument(ctx context.Context, client *http.Client, url string, header http.Header) (document, error) {
	c, rec := documentClient(client)
	body, err := call{url: url, header: header}.do(ctx, c)
	rec.mu.Lock()
	d := document{body: body, cacheControl: rec.h.Get("Cache-Control"), etag: rec.h.Get("ETag"), lastModified: rec.h.Get("Last-Modified")}
	status := rec.status
	rec.mu.Unlock()
	var pe *ProviderError
	if status == http.StatusNotModified && len(header) > 0 && errors.As(err, &pe) && pe.StatusCode == http.StatusNotModified {
		d.notModified, err = true, nil
	}
	return d, err
}

// documentClient is the client a document is fetched with: a copy of
// client (nil means Go's default transport, which honours the proxy
// environment and the system's roots) whose transport records the
// answer's status and headers, with documentTimeout when client sets no
// timeout.
func documentClient(client *http.Client) (*http.Client, *headerRecorder) {
	var c http.Client
	if client != nil {
		c = *client
	}
	rec := &headerRecorder{base: c.Transport}
	c.Transport = rec
	if c.Timeout <= 0 {
		c.Timeout = documentTimeout
	}
	return &c, rec
}

// headerRecorder keeps the status and headers of the answer it passes on.
type headerRecorder struct {
	base   http.RoundTripper
	mu     sync.Mutex
	status int
	h      http.Header
}

func (h *headerRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	base := h.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err == nil {
		h.mu.Lock()
		h.status, h.h = resp.StatusCode, resp.Header.Clone()
		h.mu.Unlock()
	}
	return resp, err
}

// cacheTTL reads how long an answer may be kept from its Cache-Control
// header: max-age=N means N seconds, without one def; no-store, no-cache
// and max-age=0 mean as short as allowed. The result is within
// [minCacheTTL, maxCacheTTL]: this cache is the backend's own, and a
// provider's keys do not change from one login to the next (an unknown
// kid refetches them at once).
func cacheTTL(header string, def time.Duration) time.Duration {
	ttl := def
	for _, d := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.ToLower(strings.TrimSpace(d)), "=")
		switch k {
		case "no-store", "no-cache":
			return minCacheTTL
		case "max-age":
			n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
			if err != nil || n < 0 {
				return minCacheTTL
			}
			ttl = time.Duration(min(n, int64(maxCacheTTL/time.Second))) * time.Second
		}
	}
	return min(max(ttl, minCacheTTL), maxCacheTTL)
}
