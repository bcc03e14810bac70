// Package httpx holds the library's HTTP plumbing that is not public API.
package httpx

import (
	"net/http"
	"time"
)

// DefaultTimeout bounds every provider call made with DefaultClient.
const DefaultTimeout = 10 * time.Second

// DefaultClient returns the client used when Config.HTTPClient is nil: a clone
// of http.DefaultTransport (so HTTPS_PROXY/NO_PROXY, the system's CA roots
// and keep-alive behave as in any Go program) with a total timeout.
func DefaultClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16 // a handful of providers, many logins each
	return &http.Client{Transport: t, Timeout: DefaultTimeout}
}
