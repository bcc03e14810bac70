package backends

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-socialauth/socialauth"
)

// maxCacheTTL caps how long a provider document is kept, whatever its
// Cache-Control says.
const maxCacheTTL = 24 * time.Hour

// remote is a JSON document a provider publishes (its discovery document,
// its JWKS), fetched through the client of the call that needs it and kept
// as long as the provider's Cache-Control allows (no-store, no-cache and
// max-age=0 mean every use fetches). Each OIDC backend has its own, so
// backends with different issuers never share keys. It is safe for
// concurrent use: one fetch runs at a time, and waiting for it respects ctx.
type remote[T any] struct {
	parse  func(body []byte) (T, error)
	defTTL time.Duration // when the provider sends no max-age

	sem chan struct{} // held while fetching

	mu      sync.Mutex
	url     string
	val     T
	ok      bool          // val holds a document fetched from url
	fetched time.Time     // when val was fetched
	ttl     time.Duration // how long val is fresh
	tried   time.Time     // the last fetch attempt, successful or not
	gen     uint64        // counts fetch attempts
	last    struct {      // the outcome of the last attempt, for those who waited for it
		url string
		val T
		err error
	}
}

func newRemote[T any](parse func([]byte) (T, error), defTTL time.Duration) *remote[T] {
	return &remote[T]{parse: parse, defTTL: defTTL, sem: make(chan struct{}, 1)}
}

// get returns the document at url. A cached one is used while it is fresh
// and accept (nil means any) takes it. Otherwise it is refetched, but while
// the cached one is still fresh at most once per minRefresh: a token with
// an unknown kid must not make every login fetch the JWKS. Callers that
// wait for a fetch share its outcome rather than fetch again. When a fetch
// fails, a document fetched less than twice its lifetime ago that accept
// takes is still served (the provider may be down; its keys did not
// change for that).
func (r *remote[T]) get(ctx context.Context, client *http.Client, url string, now time.Time, minRefresh time.Duration, accept func(T) bool) (T, error) {
	r.mu.Lock()
	if v, ok := r.cached(url, now, minRefresh, accept); ok {
		r.mu.Unlock()
		return v, nil
	}
	gen := r.gen
	r.mu.Unlock()

	var zero T
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return zero, fmt.Errorf("%w: %s: %w", socialauth.ErrProviderUnavailable, hostOf(url), ctx.Err())
	}
	defer func() { <-r.sem }()
	r.mu.Lock()
	if r.gen != gen && r.last.url == url {
		v, err := r.last.val, r.last.err // fetched while this caller waited
		r.mu.Unlock()
		return v, err
	}
	r.mu.Unlock()

	body, cacheControl, err := fetchDocument(ctx, client, url)
	var v T
	if err == nil {
		v, err = r.parse(body)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gen++
	r.tried = now
	switch {
	case err == nil:
		r.url, r.val, r.ok, r.fetched = url, v, true, now
		r.ttl = cacheTTL(cacheControl, r.defTTL)
	case r.ok && r.url == url && now.Before(r.fetched.Add(2*r.ttl)) && (accept == nil || accept(r.val)):
		v, err = r.val, nil
	default:
		v = zero
	}
	r.last.url, r.last.val, r.last.err = url, v, err
	return v, err
}

// cached returns the cached document when get may use it without
// fetching. r.mu is held.
func (r *remote[T]) cached(url string, now time.Time, minRefresh time.Duration, accept func(T) bool) (T, bool) {
	var zero T
	if !r.ok || r.url != url || !now.Before(r.fetched.Add(r.ttl)) {
		return zero, false
	}
	if accept == nil || accept(r.val) || now.Before(r.tried.Add(minRefresh)) {
		return r.val, true
	}
	return zero, false
}

// documentTimeout bounds a document fetch made with a client that has no
// timeout of its own (or with no client at all).
const documentTimeout = 10 * time.Second

// fetchDocument GETs url through client (with the bounds and error mapping
// of call) and returns the body and the answer's Cache-Control header.
func fetchDocument(ctx context.Context, client *http.Client, url string) ([]byte, string, error) {
	c, rec := documentClient(client)
	body, err := call{url: url}.do(ctx, c)
	return body, rec.cacheControl(), err
}

// documentClient is the client a document is fetched with: a copy of
// client (nil means Go's default transport, which honours the proxy
// environment and the system's roots) whose transport records the
// answer's headers, with documentTimeout when client sets no timeout.
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

// headerRecorder keeps the Cache-Control header of the answer it passes on.
type headerRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	cc   string
}

func (h *headerRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	base := h.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err == nil {
		h.mu.Lock()
		h.cc = resp.Header.Get("Cache-Control")
		h.mu.Unlock()
	}
	return resp, err
}

func (h *headerRecorder) cacheControl() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cc
}

// cacheTTL reads how long an answer may be kept from its Cache-Control
// header: no-store and no-cache mean not at all, max-age=N means N seconds
// (at most maxCacheTTL); without either, def.
func cacheTTL(header string, def time.Duration) time.Duration {
	ttl := def
	for _, d := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.ToLower(strings.TrimSpace(d)), "=")
		switch k {
		case "no-store", "no-cache":
			return 0
		case "max-age":
			n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
			if err != nil || n < 0 {
				return 0
			}
			ttl = time.Duration(min(n, int64(maxCacheTTL/time.Second))) * time.Second
		}
	}
	return min(ttl, maxCacheTTL)
}
