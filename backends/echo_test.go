package backends_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// The sentinel test of "no secret in any error or log, in any form": a
// provider that echoes the whole request it got (method, URL with its
// query, every header, the body) into its error answers, in every shape
// providers answer errors in and with 4xx, 5xx and 200, is put behind
// every backend of the catalog. Nothing a login returns or logs may then
// hold the token, the app's secret or key, or a form derived from them:
// URL-escaped, base64 (HTTP Basic), hex SHA-256, Graph's appsecret_proof.

// echoToken is in the bearer-token grammar with the characters that URL
// and path escaping change, so that each escaped form differs.
const echoToken = "ya29.Tok+en/Zx_81~q9R7w=="

// echoSettings are fakeSettings with a secret and a key whose escaped forms
// differ from them too.
func echoSettings(name string) backends.Settings {
	s := fakeSettings(name)
	s.Secret = "fake/client+secret=7f3a!"
	if s.APIKey != "" {
		s.APIKey = "fake/api+key=((9c"
	}
	return s
}

// secretForms are the secrets of a login with s and token, each under the
// name of the form it takes.
func secretForms(s backends.Settings, token string) map[string]string {
	b64 := func(v string) []string {
		return []string{base64.StdEncoding.EncodeToString([]byte(v)), base64.RawStdEncoding.EncodeToString([]byte(v)),
			base64.URLEncoding.EncodeToString([]byte(v)), base64.RawURLEncoding.EncodeToString([]byte(v))}
	}
	hmacHex := func(key, msg string) string {
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(msg))
		return hex.EncodeToString(m.Sum(nil))
	}
	sum := sha256.Sum256([]byte(token))
	forms := map[string]string{"sha256 hex of the token": hex.EncodeToString(sum[:])}
	for name, v := range map[string]string{"token": token, "secret": s.Secret, "api key": s.APIKey, "app token": s.Key + "|" + s.Secret} {
		if v == "" {
			continue
		}
		forms[name] = v
		forms[name+", query-escaped"] = url.QueryEscape(v)
		forms[name+", path-escaped"] = url.PathEscape(v)
		forms[name+", JSON-escaped"] = strings.Trim(jsonString(v), `"`)
		for i, e := range b64(v) {
			forms[fmt.Sprintf("%s, base64 #%d", name, i)] = e
		}
	}
	for i, e := range append(b64(s.Key+":"+s.Secret), b64(url.QueryEscape(s.Key)+":"+url.QueryEscape(s.Secret))...) {
		forms[fmt.Sprintf("Basic credentials, base64 #%d", i)] = e
	}
	forms["appsecret_proof of the token"] = hmacHex(s.Secret, token)
	forms["appsecret_proof of the app token"] = hmacHex(s.Secret, s.Key+"|"+s.Secret)
	return forms
}

func jsonString(v string) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// echoShape is how the echoing provider words an error around the echo.
type echoShape struct {
	name string
	body func(echo string) (contentType, body string)
}

func jsonShape(name string, f func(echo string) any) echoShape {
	return echoShape{name, func(echo string) (string, string) {
		b, _ := json.Marshal(f(echo))
		return "application/json", string(b)
	}}
}

var echoShapes = []echoShape{
	jsonShape("error_description", func(e string) any { return map[string]any{"error": "invalid_request", "error_description": e} }),
	jsonShape("error_description of invalid_token", func(e string) any { return map[string]any{"error": "invalid_token", "error_description": e} }),
	jsonShape("the error itself", func(e string) any { return map[string]any{"error": e} }),
	jsonShape("graph message", func(e string) any {
		return map[string]any{"error": map[string]any{"message": e, "type": "OAuthException", "code": 190}}
	}),
	jsonShape("message", func(e string) any { return map[string]any{"message": e, "documentation_url": e} }),
	jsonShape("the request's longest code-like value as the error", func(e string) any { return map[string]any{"error": longestCodeLike(e)} }),
	jsonShape("slack", func(e string) any { return map[string]any{"ok": false, "error": e} }),
	jsonShape("vk", func(e string) any {
		return map[string]any{"error": map[string]any{"error_code": 5, "error_msg": e, "request_params": []any{map[string]any{"key": "echo", "value": e}}}}
	}),
	jsonShape("stack exchange", func(e string) any { return map[string]any{"error_id": 400, "error_name": e, "error_message": e} }),
	jsonShape("naver", func(e string) any { return map[string]any{"resultcode": e, "message": e} }),
	{"plain text", func(e string) (string, string) { return "text/plain", e }},
	{"HTML", func(e string) (string, string) { return "text/html", "<html><body><pre>" + e + "</pre></body></html>" }},
}

// longestCodeLike is the longest run of [A-Za-z0-9_.-] of at most 64
// bytes in s: what a provider could send back as an error code that looks
// like one (Graph's appsecret_proof is such a run).
func longestCodeLike(s string) string {
	best := ""
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-')
	}) {
		if len(f) > len(best) && len(f) <= 64 {
			best = f
		}
	}
	return best
}

// echoOf renders everything r carries.
func echoOf(r *http.Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL.String())
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(r.Header[k], ", "))
	}
	if r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		b.Write(body)
	}
	return b.String()
}

// echoTransport answers a request that carries a credential with the
// echo, and passes the others (discovery documents, JWKS) to the fake
// providers so that OpenID Connect backends get as far as their token calls.
type echoTransport struct {
	fake    http.RoundTripper
	status  int
	shape   echoShape
	carries func(r *http.Request, body []byte) bool
	mu      sync.Mutex
	echoed  int
}

func (e *echoTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	if !e.carries(r, body) {
		return e.fake.RoundTrip(r)
	}
	e.mu.Lock()
	e.echoed++
	e.mu.Unlock()
	if e.status == 0 {
		// A transport (a proxy, a host's middleware) that fails with the
		// request in its error's text.
		return nil, errors.New("cannot send " + echoOf(r))
	}
	ct, out := e.shape.body(echoOf(r))
	resp := httpmock.NewStringResponse(e.status, out)
	resp.Header.Set("Content-Type", ct)
	resp.Request = r
	return resp, nil
}

// teeHandler sends each record to every handler.
type teeHandler []slog.Handler

func (t teeHandler) Enabled(context.Context, slog.Level) bool { return true }

func (t teeHandler) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range t {
		if err := h.Handle(ctx, r.Clone()); err != nil {
			return err
		}
	}
	return nil
}

func (t teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithAttrs(as)
	}
	return out
}

func (t teeHandler) WithGroup(g string) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithGroup(g)
	}
	return out
}

// verifiesLocally are the backends that take the access token as an
// id_token and verify it against the provider's keys: no request carries it.
var verifiesLocally = map[string]bool{"apple-id": true, "azuread-tenant-oauth2": true, "azuread-v2-tenant-oauth2": true}

// TestNoSecretInErrorsOrLogs runs access-token logins (and id_token logins
// where the backend takes them) through every backend of the catalog
// against the echoing provider, and looks for every form of every secret
// in err.Error(), in fmt's %v and %+v of the error, and in what a JSON and a
// text slog handler attached to the Service wrote.
func TestNoSecretInErrorsOrLogs(t *testing.T) {
	// 0: the transport fails, its error holding the echo.
	statuses := []int{0, http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusInternalServerError}
	for _, name := range backends.Names() {
		echoes := 0
		t.Run(name, func(t *testing.T) {
			s := echoSettings(name)
			forms := secretForms(s, echoToken)
			fake := backendtest.New(t)
			_ = fake.Token(name, s, fakeIdentity) // installs the fake's discovery document and JWKS
			// carries: the request holds the token or an app credential in any form.
			carries := func(r *http.Request, body []byte) bool {
				all := r.URL.String() + "\n" + string(body)
				for _, vs := range r.Header {
					all += "\n" + strings.Join(vs, "\n")
				}
				for _, v := range forms {
					if len(v) >= 4 && strings.Contains(all, v) {
						return true
					}
				}
				return false
			}
			for _, status := range statuses {
				for i, shape := range echoShapes {
					if status == 0 && i > 0 {
						break // a failing transport answers nothing: one shape is enough
					}
					rt := &echoTransport{fake: fake.Transport(), status: status, shape: shape, carries: carries}
					var jsonLog, textLog bytes.Buffer
					logger := slog.New(teeHandler{
						slog.NewJSONHandler(&jsonLog, &slog.HandlerOptions{Level: slog.LevelDebug}),
						slog.NewTextHandler(&textLog, &slog.HandlerOptions{Level: slog.LevelDebug}),
					})
					b, err := backends.ByName(name, s)
					require.NoError(t, err)
					svc, err := socialauth.New(socialauth.Config{Backends: []socialauth.Backend{b}, Storage: memory.New(),
						Pipeline: pipeline.Default(), HTTPClient: &http.Client{Transport: rt}, Logger: logger})
					require.NoError(t, err)
					var outputs []string
					record := func(err error) {
						if err != nil {
							outputs = append(outputs, err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err))
						}
					}
					_, err = svc.Login(context.Background(), name, echoToken)
					record(err)
					if _, ok := b.(socialauth.IDTokenAuthenticator); ok {
						_, err = svc.LoginIDToken(context.Background(), name, echoToken, "")
						record(err)
					}
					outputs = append(outputs, jsonLog.String(), textLog.String())
					for _, out := range outputs {
						for form, v := range forms {
							if len(v) >= 4 && strings.Contains(out, v) {
								t.Errorf("%d, %s: the %s leaks into %q", status, shape.name, form, out)
							}
						}
					}
					echoes += rt.echoed
				}
			}
			if !verifiesLocally[name] {
				require.Positive(t, echoes, "%s sends the token or its credentials somewhere: the echo must reach it", name)
			}
		})
	}
}
