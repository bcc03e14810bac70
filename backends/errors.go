package backends

import "fmt"

// ProviderError keeps what a provider said when it refused a request: the
// HTTP status and, when the provider speaks RFC 6749, its error code and
// description. It unwraps to the sentinel the status maps to. It never holds
// the token that was sent.
type ProviderError struct {
	StatusCode  int
	Code        string // RFC 6749 "error", or the provider's own code
	Description string // RFC 6749 "error_description", truncated
	Kind        error  // the sentinel: socialauth.ErrInvalidToken, socialauth.ErrProviderUnavailable, ...
}

func (e *ProviderError) Error() string {
	msg := fmt.Sprintf("%v: provider answered %d", e.Kind, e.StatusCode)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

func (e *ProviderError) Unwrap() error { return e.Kind }
