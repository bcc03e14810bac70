package backends

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/go-socialauth/socialauth"
)

// maxBody bounds what is read from a provider: a user profile is a few KiB.
const maxBody = 1 << 20

// call is one request to a provider.
type call struct {
	method string
	url    string
	query  url.Values
	header http.Header
	body   io.Reader
	// secrets are the credentials the request carries: the user's token
	// first, then the app's secret or key. A call with none carries no
	// token (a discovery document, a JWKS), so no answer of it is a refusal
	// of the user's token.
	secrets []string
	// refusedWith are further statuses by which this endpoint says that
	// the token it was asked about is no good, as its provider documents
	// (Google's tokeninfo and LINE's verify answer 400).
	refusedWith []int
}

// do sends c through client and returns the body of a 2xx answer that is
// not an error object. Anything else becomes an error wrapping a
// socialauth sentinel, the same way for every provider:
//
//   - 429 or 5xx → a [ProviderError] wrapping ErrProviderUnavailable,
//     whatever the body says;
//   - the provider refused the token: an error code it documents for an
//     invalid, expired, revoked or under-scoped token (tokenRefusals), in
//     a 4xx or in a 200 (RFC 6749's {"error": "invalid_token"},
//     Graph's {"error": {"type": "OAuthException", "code": 190}}, Slack's
//     {"ok": false, "error": "invalid_auth"}), a 401 whatever its body
//     (RFC 6750 §3.1), or a status of c.refusedWith → a [ProviderError]
//     wrapping ErrInvalidToken;
//   - anything else the provider answered (any other 4xx or code: 400,
//     403, 404, an error object with an unknown code) → a
//     [ProviderError] wrapping ErrProviderUnavailable: the provider failed,
//     or refused the app rather than the token;
//   - no answer (transport failure), an answer over maxBody →
//     ErrProviderUnavailable; a timeout (the context's deadline, the
//     client's Timeout) wraps the timeout error too, which
//     socialhttp.ErrorCode answers with 504.
//
// A 2xx body that is not the JSON the caller expects is the caller's to
// refuse, as ErrProviderUnavailable ([call.getJSON], [decode]). Error texts
// name the provider's host, never the URL (it may carry a token in its
// query), and hold nothing the provider wrote but a short error code: no
// description, no message, no body (a provider may echo the request).
func (c call) do(ctx context.Context, client *http.Client) ([]byte, error) {
	u := c.url
	if len(c.query) > 0 {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + c.query.Encode()
	}
	method := c.method
	if method == "" {
		method = http.MethodGet
	}
	var (
		sent []byte // the request body, to recognise an echo of it
		rb   io.Reader
	)
	if c.body != nil {
		b, err := io.ReadAll(c.body)
		if err != nil {
			return nil, fmt.Errorf("%w: reading the request body", socialauth.ErrAuthFailed)
		}
		sent, rb = b, bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rb)
	if err != nil {
		return nil, fmt.Errorf("%w: bad provider URL", socialauth.ErrAuthFailed)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	host := req.URL.Host
	resp, err := client.Do(req)
	if err != nil {
		return nil, unreachable(ctx, host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, unreachable(ctx, host, err)
	}
	if len(body) > maxBody {
		return nil, fmt.Errorf("%w: %s: answer larger than %d bytes", socialauth.ErrProviderUnavailable, host, maxBody)
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if ok && !bytes.Contains(body, []byte(`"error"`)) {
		return body, nil // the common case: no error object to look for
	}
	code, isError := errorCode(body)
	if ok && !isError {
		return body, nil
	}
	pe := &ProviderError{StatusCode: resp.StatusCode, Kind: c.refusalKind(resp.StatusCode, code)}
	if !echoed(code, c.secrets, req, sent) {
		pe.Code = code
	}
	return nil, pe
}

// getJSON does c and decodes the answer into out.
func (c call) getJSON(ctx context.Context, client *http.Client, out any) ([]byte, error) {
	body, err := c.do(ctx, client)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return nil, fmt.Errorf("%w: %s answered malformed JSON", socialauth.ErrProviderUnavailable, hostOf(c.url))
	}
	return body, nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "provider"
	}
	return u.Host
}

// refusalKind is the sentinel of an answer with status and error code
// (see [call.do]).
func (c call) refusalKind(status int, code string) error {
	switch {
	case len(c.secrets) == 0:
		return socialauth.ErrProviderUnavailable // no token was sent, so none was refused
	case status == http.StatusTooManyRequests || status >= 500:
		return socialauth.ErrProviderUnavailable // whatever the body says
	case tokenRefusals[code], status == http.StatusUnauthorized, slices.Contains(c.refusedWith, status):
		return socialauth.ErrInvalidToken
	}
	return socialauth.ErrProviderUnavailable
}

// tokenRefusals are the error codes by which the providers of this package
// say that the token they were sent is invalid, expired, revoked, or lacks
// the scope the call needs: a token the client must replace. Every other
// code is a failure of the provider, or its refusal of the app.
var tokenRefusals = map[string]bool{
	// RFC 6750 §3.1 (Google, GitLab, Yandex, Amazon, Mail.ru, ...) and
	// RFC 6749 §5.2 (a code or refresh token that is no longer good).
	"invalid_token": true, "insufficient_scope": true, "invalid_grant": true,
	// Graph (Facebook, Instagram): 190 invalid OAuth access token (expired,
	// revoked, password changed...), 102 session expired.
	"OAuthException.190": true, "OAuthException.102": true,
	// Microsoft Graph.
	"InvalidAuthenticationToken": true,
	// Dropbox ("error": {".tag": ...}).
	"invalid_access_token": true, "expired_access_token": true,
	// Stack Exchange ("error_name"; HTTP 400 for all of them).
	"access_token_compromised": true, "access_denied": true,
	// Slack Web API ({"ok": false, "error": ...}, HTTP 200).
	"not_authed": true, "invalid_auth": true, "account_inactive": true, "token_revoked": true,
	"token_expired": true, "missing_scope": true, "no_permission": true,
}

// errorCode reads the error code of a provider's answer, and whether the
// answer is an error object at all. The shapes read:
//
//	{"error": "invalid_token", "error_description": ...}            RFC 6749/6750, Slack
//	{"error": {"type": "OAuthException", "code": 190, ...}}         Graph → "OAuthException.190"
//	{"error": {"code": "InvalidAuthenticationToken", ...}}          Microsoft Graph
//	{"error": {".tag": "invalid_access_token"}, ...}                Dropbox
//	{"error": {"message": ...}}                                      Spotify, Bitbucket: no code
//	{"error_name": "access_denied", "error_id": 403, ...}           Stack Exchange
//
// An "error" that is null, false, empty, or an object with none of those
// members (VK's {"error": {"error_code": ...}}, which vkCall reads) is not
// an error object. Anything else (HTML, text, other JSON) has no code.
func errorCode(body []byte) (code string, isError bool) {
	var e struct {
		Error     json.RawMessage `json:"error"`
		ErrorName string          `json:"error_name"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", false
	}
	var str string
	var num json.Number
	var obj struct {
		Type    string          `json:"type"`
		Code    json.RawMessage `json:"code"`
		Tag     string          `json:".tag"`
		Message json.RawMessage `json:"message"`
	}
	switch {
	case json.Unmarshal(e.Error, &str) == nil:
		return str, str != ""
	case json.Unmarshal(e.Error, &num) == nil:
		return num.String(), num != "0"
	case e.ErrorName != "":
		return e.ErrorName, true
	case json.Unmarshal(e.Error, &obj) == nil:
		code := idString(obj.Code)
		switch {
		case obj.Type != "" && code != "":
			return obj.Type + "." + code, true
		case code != "":
			return code, true
		case obj.Tag != "":
			return obj.Tag, true
		case obj.Type != "":
			return obj.Type, true
		}
		return "", len(obj.Message) > 0
	}
	return "", false
}

// echoed reports whether code must not be kept: it is not a short code, or
// it repeats part of the request (a provider that echoes what it was sent
// could name as its "code" the token, the Basic credentials, a proof).
func echoed(code string, secrets []string, req *http.Request, sent []byte) bool {
	if !isCode(code) {
		return true
	}
	for _, sec := range secrets {
		if len(sec) >= 4 && strings.Contains(code, sec) {
			return true
		}
	}
	if len(code) < 8 {
		return false // too short to carry a credential; "190" may well be in a URL
	}
	if strings.Contains(req.URL.RawQuery, code) || bytes.Contains(sent, []byte(code)) {
		return true
	}
	for _, vs := range req.Header {
		for _, v := range vs {
			if strings.Contains(v, code) {
				return true
			}
		}
	}
	return false
}

// unreachable is the error of an exchange with host that got no answer,
// or lost it: ErrProviderUnavailable, wrapping the cause so that a timeout
// is still one (errors.Is context.DeadlineExceeded, net.Error's Timeout),
// with a text that says what failed in a few words and nothing of the
// cause's own text, which may hold the request's URL and its token.
func unreachable(ctx context.Context, host string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text holds the URL
	}
	return fmt.Errorf("%w: %s: %w", socialauth.ErrProviderUnavailable, host, &transportError{err: err})
}

// transportError is a failed exchange with a provider: [transportError.Error]
// names the kind of failure only; Unwrap gives the cause.
type transportError struct{ err error }

func (e *transportError) Unwrap() error { return e.err }

func (e *transportError) Error() string {
	var (
		ne  net.Error
		dns *net.DNSError
		op  *net.OpError
		crt *tls.CertificateVerificationError
		ua  x509.UnknownAuthorityError
		hn  x509.HostnameError
		ci  x509.CertificateInvalidError
	)
	switch {
	case errors.Is(e.err, context.DeadlineExceeded), errors.As(e.err, &ne) && ne.Timeout():
		return "timed out"
	case errors.Is(e.err, context.Canceled):
		return "request canceled"
	case errors.As(e.err, &dns):
		return "DNS lookup failed"
	case errors.As(e.err, &crt), errors.As(e.err, &ua), errors.As(e.err, &hn), errors.As(e.err, &ci):
		return "TLS certificate refused"
	case errors.Is(e.err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(e.err, io.ErrUnexpectedEOF), errors.Is(e.err, io.EOF), errors.Is(e.err, syscall.ECONNRESET):
		return "connection closed"
	case errors.As(e.err, &op):
		return op.Op + " failed"
	}
	return "request failed"
}

// clip shortens s to at most n bytes on a rune boundary and drops control characters.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// bearer returns the header map for an Authorization: Bearer token.
func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// jsonBody encodes v as a request body.
func jsonBody(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}

// basicAuth is the value of an Authorization header with HTTP Basic
// credentials, client id and secret form-encoded first (RFC 6749 §2.3.1).
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}
