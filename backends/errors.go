package backends

import (
	"fmt"
	"regexp"
)

// ProviderError is a provider's refusal of a request: the HTTP status it
// answered (200 when it refused with an error object in a 200 answer) and
// its short error code. It unwraps to the sentinel they map to, the same
// way for every backend: socialauth.ErrInvalidToken when the provider
// refused the token (a 401, or an error code the provider documents for an
// invalid, expired, revoked or under-scoped token, in a 4xx or a 200), else
// socialauth.ErrProviderUnavailable (any other answer, 429 and 5xx
// included).
//
// It keeps nothing else of the answer: no error_description, no message,
// no body. A provider may echo the request in them, and with it the token,
// the app's credentials (HTTP Basic) or values derived from them (Graph's
// appsecret_proof), which must reach no error text and no log.
type ProviderError struct {
	StatusCode int
	// Code is the provider's error code: RFC 6749's "error"
	// ("invalid_token"), Graph's type and code ("OAuthException.190"),
	// Dropbox's ".tag", Stack Exchange's "error_name"... Empty when the
	// answer had none, or one that is not a short code: 1 to 64 of
	// A-Z a-z 0-9 _ . - (free text may echo the request).
	Code string
	// Kind is the sentinel: socialauth.ErrInvalidToken,
	// socialauth.ErrProviderUnavailable, ...
	Kind error
}

func (e *ProviderError) Error() string {
	msg := fmt.Sprintf("%v: provider answered %d", e.Kind, e.StatusCode)
	if isCode(e.Code) {
		msg += " " + e.Code
	}
	return msg
}

func (e *ProviderError) Unwrap() error { return e.Kind }

var codeSyntax = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// isCode reports whether s reads as a provider's error code rather than
// free text: only such a code is kept in a [ProviderError] and shown in its
// text.
func isCode(s string) bool { return codeSyntax.MatchString(s) }
