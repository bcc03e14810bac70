package backends

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/go-socialauth/socialauth"
)

// maxBody bounds what is read from a provider: a user profile is a few KiB.
const maxBody = 1 << 20

// call is one request to a provider. secrets are redacted from anything the
// provider says back that ends up in an error.
type call struct {
	method  string
	url     string
	query   url.Values
	header  http.Header
	body    io.Reader
	secrets []string
}

// do sends c through client and returns the body of a 2xx answer. Anything
// else becomes an error wrapping a socialauth sentinel:
//
//	transport failure, timeout, 429, 5xx, oversize body  → ErrProviderUnavailable
//	400, 401, 403                                        → ErrInvalidToken
//	other 4xx                                            → ErrAuthFailed
//
// Error texts name the provider's host, never the URL (it may carry a token
// in its query) and never a secret.
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
	req, err := http.NewRequestWithContext(ctx, method, u, c.body)
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
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%w: %s: %w", socialauth.ErrProviderUnavailable, host, ctxErr)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error's text holds the URL, and so perhaps a token
		}
		return nil, fmt.Errorf("%w: %s: %s", socialauth.ErrProviderUnavailable, host, redact(err.Error(), c.secrets))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: reading the answer: %s", socialauth.ErrProviderUnavailable, host, redact(err.Error(), c.secrets))
	}
	if len(body) > maxBody {
		return nil, fmt.Errorf("%w: %s: answer larger than %d bytes", socialauth.ErrProviderUnavailable, host, maxBody)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return body, nil
	}
	return nil, providerError(resp.StatusCode, body, c.secrets)
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

func statusKind(status int) error {
	switch {
	case status == http.StatusBadRequest || status == http.StatusUnauthorized || status == http.StatusForbidden:
		return socialauth.ErrInvalidToken
	case status == http.StatusTooManyRequests || status >= 500:
		return socialauth.ErrProviderUnavailable
	}
	return socialauth.ErrAuthFailed
}

// providerError reads the error fields providers use: RFC 6749's
// {"error","error_description"}, Graph's {"error":{"message","type","code"}},
// and {"message"} (GitHub, GitLab, ...).
func providerError(status int, body []byte, secrets []string) *ProviderError {
	pe := &ProviderError{StatusCode: status, Kind: statusKind(status)}
	var e struct {
		Error            json.RawMessage `json:"error"`
		ErrorDescription string          `json:"error_description"`
		Message          string          `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil {
		var code string
		var nested struct {
			Message string          `json:"message"`
			Type    string          `json:"type"`
			Code    json.RawMessage `json:"code"`
		}
		switch {
		case json.Unmarshal(e.Error, &code) == nil:
			pe.Code = code
		case json.Unmarshal(e.Error, &nested) == nil:
			pe.Code = strings.Trim(nested.Type+" "+string(nested.Code), " ")
			e.Message = nested.Message
		}
		pe.Description = e.ErrorDescription
		if pe.Description == "" {
			pe.Description = e.Message
		}
	}
	pe.Code = clip(redact(pe.Code, secrets), 64)
	pe.Description = clip(redact(pe.Description, secrets), 200)
	return pe
}

// redact replaces every secret (of 4 bytes or more) in s.
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
		}
	}
	return s
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
