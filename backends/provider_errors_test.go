package backends_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/socialhttp"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// Provider errors are classified the same way by every backend family: a
// refusal of the token by the provider's documented codes (or a 401) is
// ErrInvalidToken (401 invalid_token), anything else the provider answers
// is ErrProviderUnavailable (502), and a timeout is a 504. Each table runs
// its logins through a Service over memory storage and checks that a failed
// login writes nothing.

// reply is what a faked endpoint answers.
type reply func(*http.Request) (*http.Response, error)

// answerWith answers status with body (JSON unless it starts with '<').
func answerWith(status int, body string) reply {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		if strings.HasPrefix(body, "<") {
			resp.Header.Set("Content-Type", "text/html")
		}
		return resp, nil
	}
}

// hang answers nothing until the request is given up: a provider that
// does not answer in time.
func hang(r *http.Request) (*http.Response, error) {
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// connRefused fails as a dial to a closed port does.
func connRefused(*http.Request) (*http.Response, error) {
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
}

// overrideTransport sends requests for URLs ending in suffix to r, the
// others to base.
type overrideTransport struct {
	base   http.RoundTripper
	suffix string
	r      reply
}

func (o overrideTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	u := *req.URL
	u.RawQuery = ""
	if strings.HasSuffix(u.String(), o.suffix) {
		if req.Body != nil {
			_, _ = io.Copy(io.Discard, req.Body)
		}
		return o.r(req)
	}
	return o.base.RoundTrip(req)
}

// writeCounter is a memory store that counts every write.
type writeCounter struct {
	*memory.Store
	writes atomic.Int32
}

func (w *writeCounter) CreateUser(ctx context.Context, u *socialauth.User) (*socialauth.User, error) {
	w.writes.Add(1)
	return w.Store.CreateUser(ctx, u)
}

func (w *writeCounter) UpdateUser(ctx context.Context, u *socialauth.User) error {
	w.writes.Add(1)
	return w.Store.UpdateUser(ctx, u)
}

func (w *writeCounter) CreateAssociation(ctx context.Context, a *socialauth.Association) (*socialauth.Association, error) {
	w.writes.Add(1)
	return w.Store.CreateAssociation(ctx, a)
}

func (w *writeCounter) UpdateAssociation(ctx context.Context, a *socialauth.Association) error {
	w.writes.Add(1)
	return w.Store.UpdateAssociation(ctx, a)
}

func (w *writeCounter) DeleteAssociation(ctx context.Context, id string) error {
	w.writes.Add(1)
	return w.Store.DeleteAssociation(ctx, id)
}

func (w *writeCounter) CreateUserWithAssociation(ctx context.Context, u *socialauth.User, a *socialauth.Association, o socialauth.CreateOptions) (*socialauth.User, *socialauth.Association, error) {
	w.writes.Add(1)
	return w.Store.CreateUserWithAssociation(ctx, u, a, o)
}

func (w *writeCounter) SavePartial(ctx context.Context, p *socialauth.Partial) error {
	w.writes.Add(1)
	return w.Store.SavePartial(ctx, p)
}

func (w *writeCounter) DeletePartial(ctx context.Context, token string) error {
	w.writes.Add(1)
	return w.Store.DeletePartial(ctx, token)
}

func (w *writeCounter) UseNonce(ctx context.Context, scope, value string, expires time.Time) error {
	w.writes.Add(1)
	return w.Store.UseNonce(ctx, scope, value, expires)
}

// clientTimeout is the HTTP client's Timeout in these tests: what a
// hanging provider costs.
const clientTimeout = 150 * time.Millisecond

// loginOutcome runs one login through a Service over a fresh memory store
// with client, and returns the error and the number of storage writes.
func loginOutcome(t *testing.T, b socialauth.Backend, client *http.Client, login func(context.Context, *socialauth.Service) error) (writes int32, err error) {
	t.Helper()
	store := &writeCounter{Store: memory.New()}
	svc, err := socialauth.New(socialauth.Config{
		Backends: []socialauth.Backend{b}, Storage: store, Pipeline: pipeline.Default(), HTTPClient: client,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	err = login(context.Background(), svc)
	return store.writes.Load(), err
}

// wantClass is how a failure must come out: the sentinel, and the status
// (with its code) socialhttp answers with.
type wantClass struct {
	err    error // nil: the login succeeds
	status int
}

var (
	okLogin     = wantClass{nil, http.StatusOK}
	refused     = wantClass{socialauth.ErrInvalidToken, http.StatusUnauthorized}
	unavailable = wantClass{socialauth.ErrProviderUnavailable, http.StatusBadGateway}
	timedOut    = wantClass{socialauth.ErrProviderUnavailable, http.StatusGatewayTimeout}
)

// checkOutcome asserts err and the storage writes against want.
func checkOutcome(t *testing.T, want wantClass, err error, writes int32) {
	t.Helper()
	if want.err == nil {
		require.NoError(t, err)
		assert.Positive(t, writes, "a successful first login stores its user (the counter works)")
		return
	}
	require.ErrorIs(t, err, want.err)
	for _, other := range []error{socialauth.ErrInvalidToken, socialauth.ErrProviderUnavailable, socialauth.ErrAuthFailed} {
		if other != want.err {
			assert.NotErrorIs(t, err, other, "one sentinel only")
		}
	}
	code, status := socialhttp.ErrorCode(err)
	assert.Equal(t, want.status, status, "HTTP status of %v", err)
	wantCode := map[error]string{socialauth.ErrInvalidToken: socialhttp.CodeInvalidToken,
		socialauth.ErrProviderUnavailable: socialhttp.CodeProviderUnavailable, socialauth.ErrAuthFailed: socialhttp.CodeAuthFailed}[want.err]
	assert.Equal(t, wantCode, code)
	assert.Zero(t, writes, "a failed login writes nothing")
}

// TestGenericUserinfoErrors: the generic OAuth2 backend's user-info call.
func TestGenericUserinfoErrors(t *testing.T) {
	const me = "https://api.acme.example/me"
	b := backends.NewOAuth2(backends.Provider{Name: "acme", UserInfoURL: me, User: backends.Spotify(plainSettings).Provider().User})
	cases := []struct {
		name  string
		reply reply
		want  wantClass
	}{
		{"profile", answerWith(200, `{"id": "ada", "display_name": "Ada", "email": "ada@example.com"}`), okLogin},
		{"401 invalid_token", answerWith(401, `{"error": "invalid_token", "error_description": "expired"}`), refused},
		{"401 without a body", answerWith(401, ``), refused},
		{"401 with an HTML page", answerWith(401, `<html><body>Unauthorized</body></html>`), refused},
		{"400 invalid_token", answerWith(400, `{"error": "invalid_token"}`), refused},
		{"403 insufficient_scope", answerWith(403, `{"error": "insufficient_scope"}`), refused},
		{"Microsoft's InvalidAuthenticationToken", answerWith(401, `{"error": {"code": "InvalidAuthenticationToken", "message": "expired"}}`), refused},
		{"Dropbox's expired_access_token tag", answerWith(400, `{"error_summary": "expired_access_token/", "error": {".tag": "expired_access_token"}}`), refused},
		{"Stack Exchange's invalid_access_token", answerWith(400, `{"error_id": 402, "error_name": "invalid_access_token", "error_message": "x"}`), refused},
		{"200 carrying an error object", answerWith(200, `{"error": "invalid_token", "error_description": "revoked"}`), refused},
		{"Slack-style ok false", answerWith(200, `{"ok": false, "error": "token_revoked"}`), refused},
		{"400 invalid_request (ours, not the token)", answerWith(400, `{"error": "invalid_request"}`), unavailable},
		{"400 without a code", answerWith(400, `{"message": "Bad Request"}`), unavailable},
		{"403 without a code", answerWith(403, `{"message": "API rate limit exceeded"}`), unavailable},
		{"404", answerWith(404, `{"message": "Not Found"}`), unavailable},
		{"429 saying invalid_token", answerWith(429, `{"error": "invalid_token"}`), unavailable},
		{"500 saying invalid_token", answerWith(500, `{"error": "invalid_token"}`), unavailable},
		{"503 HTML", answerWith(503, `<html>down for maintenance</html>`), unavailable},
		{"200 with an unknown error code", answerWith(200, `{"error": "server_error"}`), unavailable},
		{"200 with an error object without code", answerWith(200, `{"error": {"status": 500, "message": "oops"}}`), unavailable},
		{"200 HTML instead of JSON", answerWith(200, `<html>captive portal</html>`), unavailable},
		{"200 truncated JSON", answerWith(200, `{"id": "ada", "displ`), unavailable},
		{"200 larger than a profile can be", answerWith(200, `{"id": "ada", "pad": "`+strings.Repeat("x", 2<<20)+`"}`), unavailable},
		{"connection refused", connRefused, unavailable},
		{"no answer before the client's timeout", hang, timedOut},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mock := httpmock.NewMockTransport()
			mock.RegisterResponder("GET", me, httpmock.Responder(tc.reply))
			client := &http.Client{Transport: mock, Timeout: clientTimeout}
			writes, err := loginOutcome(t, b, client, func(ctx context.Context, svc *socialauth.Service) error {
				_, err := svc.Login(ctx, "acme", "acme-token-1")
				return err
			})
			checkOutcome(t, tc.want, err, writes)
		})
	}
	t.Run("the caller's deadline passes", func(t *testing.T) {
		mock := httpmock.NewMockTransport()
		mock.RegisterResponder("GET", me, httpmock.Responder(hang))
		writes, err := loginOutcome(t, b, &http.Client{Transport: mock}, func(ctx context.Context, svc *socialauth.Service) error {
			ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			_, err := svc.Login(ctx, "acme", "acme-token-1")
			return err
		})
		checkOutcome(t, timedOut, err, writes)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// TestTokenCheckErrors: the token-check endpoints (Google's tokeninfo) and
// RFC 7662 introspection (Gitea's), the user-info call answering well.
func TestTokenCheckErrors(t *testing.T) {
	gitea := giteaSettings
	gitea.BaseURL = "https://git.example.org"
	const (
		googleInfo = "https://oauth2.googleapis.com/tokeninfo"
		introspect = "https://git.example.org/login/oauth/introspect"
	)
	type backendUnder struct {
		b        socialauth.Backend
		endpoint string
		profile  []answer
	}
	google := backendUnder{backends.GoogleOAuth2(googleSettings), googleInfo, []answer{{"GET", googleUserInfo, 0, "google-oauth2/userinfo.json"}}}
	introspection := backendUnder{backends.Gitea(gitea), introspect, []answer{{"GET", "https://git.example.org/api/v1/user", 0, "gitea/user.json"},
		{"GET", "https://git.example.org/api/v1/user/emails", 0, "gitea/emails.json"}}}
	goodInfo := `{"azp": "web-client-id.apps.googleusercontent.com", "aud": "web-client-id.apps.googleusercontent.com", "sub": "110169484474386276334", "expires_in": "3000"}`
	goodIntrospection := `{"active": true, "sub": "7", "aud": ["` + gitea.Key + `"]}`
	cases := []struct {
		name  string
		on    backendUnder
		reply reply
		want  wantClass
	}{
		{"tokeninfo: ours", google, answerWith(200, goodInfo), okLogin},
		{"tokeninfo: 400 invalid_token", google, answerWith(400, `{"error": "invalid_token", "error_description": "Invalid Value"}`), refused},
		{"tokeninfo: 400 without a code (Google documents 400 for a bad token)", google, answerWith(400, `{"error_description": "Invalid Value"}`), refused},
		{"tokeninfo: another client's azp", google, answerWith(200, strings.Replace(goodInfo, `"azp": "web-client-id`, `"azp": "other-client`, 1)), refused},
		{"tokeninfo: 500", google, answerWith(500, `{"error": "internal_failure"}`), unavailable},
		{"tokeninfo: 404", google, answerWith(404, `<html>Not Found</html>`), unavailable},
		{"tokeninfo: 200 malformed", google, answerWith(200, `{"aud": `), unavailable},
		{"tokeninfo: timeout", google, hang, timedOut},
		{"introspection: active", introspection, answerWith(200, goodIntrospection), okLogin},
		{"introspection: inactive", introspection, answerWith(200, `{"active": false}`), refused},
		{"introspection: 200 error object", introspection, answerWith(200, `{"error": "invalid_token"}`), refused},
		{"introspection: 401 refuses the app, not the token", introspection, answerWith(401, `{"error": "invalid_client"}`),
			wantClass{socialauth.ErrAuthFailed, http.StatusUnauthorized}},
		{"introspection: 400 invalid_request", introspection, answerWith(400, `{"error": "invalid_request"}`), unavailable},
		{"introspection: 404 (no introspection on this server)", introspection, answerWith(404, `Not Found`), unavailable},
		{"introspection: 503", introspection, answerWith(503, ``), unavailable},
		{"introspection: 200 not JSON", introspection, answerWith(200, `<html>sign in</html>`), unavailable},
		{"introspection: connection refused", introspection, connRefused, unavailable},
		{"introspection: timeout", introspection, hang, timedOut},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			client, _ := providerWith(t, tc.on.profile...)
			mock := client.Transport.(*httpmock.MockTransport)
			mock.RegisterResponder("POST", tc.on.endpoint, httpmock.Responder(tc.reply))
			mock.RegisterResponder("GET", tc.on.endpoint, httpmock.Responder(tc.reply))
			client.Timeout = clientTimeout
			writes, err := loginOutcome(t, tc.on.b, client, func(ctx context.Context, svc *socialauth.Service) error {
				_, err := svc.Login(ctx, tc.on.b.Name(), "checked-token-1")
				return err
			})
			checkOutcome(t, tc.want, err, writes)
		})
	}
}

// TestOIDCErrors: an OpenID Connect backend's discovery document, JWKS and
// userinfo, through the id_token and the access-token logins. No token is
// sent for the discovery document and the JWKS, so none of their answers
// refuses the token: they are the provider's failures.
func TestOIDCErrors(t *testing.T) {
	const issuer = "https://idp.example.com"
	s := backends.Settings{Key: "oidc-client", Secret: "oidc-secret-41d2", BaseURL: issuer}
	idToken := func(fake *backendtest.Provider, opts backendtest.IDTokenOptions) func(context.Context, *socialauth.Service) error {
		tok := fake.Issuer(issuer).IDToken(s, fakeIdentity, opts)
		return func(ctx context.Context, svc *socialauth.Service) error {
			_, err := svc.LoginIDToken(ctx, "oidc", tok, "")
			return err
		}
	}
	accessToken := func(fake *backendtest.Provider, _ backendtest.IDTokenOptions) func(context.Context, *socialauth.Service) error {
		tok := fake.Issuer(issuer).AccessToken(s, fakeIdentity)
		return func(ctx context.Context, svc *socialauth.Service) error {
			_, err := svc.Login(ctx, "oidc", tok)
			return err
		}
	}
	type entry func(*backendtest.Provider, backendtest.IDTokenOptions) func(context.Context, *socialauth.Service) error
	const discovery, jwks, userinfo = "/.well-known/openid-configuration", "/jwks", "/userinfo"
	cases := []struct {
		name     string
		login    entry
		endpoint string // "" leaves every endpoint to the fake
		reply    reply
		opts     backendtest.IDTokenOptions
		want     wantClass
	}{
		{"id_token", idToken, "", nil, backendtest.IDTokenOptions{}, okLogin},
		{"id_token: bad signature", idToken, "", nil, backendtest.IDTokenOptions{BadSignature: true}, refused},
		{"id_token: expired", idToken, "", nil, backendtest.IDTokenOptions{IssuedAt: time.Now().Add(-3 * time.Hour), ExpiresAt: time.Now().Add(-2 * time.Hour)}, refused},
		{"id_token: discovery 500", idToken, discovery, answerWith(500, ``), backendtest.IDTokenOptions{}, unavailable},
		{"id_token: discovery 404", idToken, discovery, answerWith(404, `Not Found`), backendtest.IDTokenOptions{}, unavailable},
		{"id_token: discovery 401", idToken, discovery, answerWith(401, `{"error": "invalid_token"}`), backendtest.IDTokenOptions{}, unavailable},
		{"id_token: discovery HTML", idToken, discovery, answerWith(200, `<html>login</html>`), backendtest.IDTokenOptions{}, unavailable},
		{"id_token: discovery timeout", idToken, discovery, hang, backendtest.IDTokenOptions{}, timedOut},
		{"id_token: JWKS 503", idToken, jwks, answerWith(503, ``), backendtest.IDTokenOptions{}, unavailable},
		{"id_token: JWKS 403", idToken, jwks, answerWith(403, `{"error": "access_denied"}`), backendtest.IDTokenOptions{}, unavailable},
		{"id_token: JWKS not a key set", idToken, jwks, answerWith(200, `{"keys": "none"}`), backendtest.IDTokenOptions{}, unavailable},
		{"id_token: JWKS connection refused", idToken, jwks, connRefused, backendtest.IDTokenOptions{}, unavailable},
		{"id_token: JWKS timeout", idToken, jwks, hang, backendtest.IDTokenOptions{}, timedOut},
		{"access token", accessToken, "", nil, backendtest.IDTokenOptions{}, okLogin},
		{"access token: userinfo 401", accessToken, userinfo, answerWith(401, `{"error": "invalid_token"}`), backendtest.IDTokenOptions{}, refused},
		{"access token: userinfo 200 error object", accessToken, userinfo, answerWith(200, `{"error": "invalid_token"}`), backendtest.IDTokenOptions{}, refused},
		{"access token: userinfo 400 invalid_request", accessToken, userinfo, answerWith(400, `{"error": "invalid_request"}`), backendtest.IDTokenOptions{}, unavailable},
		{"access token: userinfo 502", accessToken, userinfo, answerWith(502, `<html>Bad Gateway</html>`), backendtest.IDTokenOptions{}, unavailable},
		{"access token: userinfo not JSON", accessToken, userinfo, answerWith(200, `sub=4242`), backendtest.IDTokenOptions{}, unavailable},
		{"access token: discovery 500", accessToken, discovery, answerWith(500, ``), backendtest.IDTokenOptions{}, unavailable},
		{"access token: userinfo timeout", accessToken, userinfo, hang, backendtest.IDTokenOptions{}, timedOut},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := backendtest.New(t)
			login := tc.login(fake, tc.opts)
			var rt http.RoundTripper = fake.Transport()
			if tc.endpoint != "" {
				rt = overrideTransport{base: rt, suffix: issuer + tc.endpoint, r: tc.reply}
			}
			writes, err := loginOutcome(t, backends.GenericOIDC(s), &http.Client{Transport: rt, Timeout: clientTimeout}, login)
			checkOutcome(t, tc.want, err, writes)
		})
	}
}

// TestGraphErrors: Graph (Facebook) answers its errors as
// {"error": {"type", "code", ...}}, with an error status or with 200; its
// code 190 (and 102) is the token refused, anything else Graph's failure.
func TestGraphErrors(t *testing.T) {
	const (
		me    = "https://graph.facebook.com/v24.0/me"
		debug = "https://graph.facebook.com/v24.0/debug_token"
	)
	graphErr := func(typ string, code, sub int) string {
		return `{"error": {"message": "Error validating access token: Session has expired", "type": "` + typ +
			`", "code": ` + strconv.Itoa(code) + `, "error_subcode": ` + strconv.Itoa(sub) + `, "fbtrace_id": "AbCd"}}`
	}
	cases := []struct {
		name     string
		endpoint string
		reply    reply
		want     wantClass
	}{
		{"profile", me, nil, okLogin},
		{"/me 400 code 190 (expired)", me, answerWith(400, graphErr("OAuthException", 190, 463)), refused},
		{"/me 200 carrying code 190", me, answerWith(200, graphErr("OAuthException", 190, 460)), refused},
		{"/me 400 code 102 (session)", me, answerWith(400, graphErr("OAuthException", 102, 0)), refused},
		{"/me 400 code 100 (a bad parameter: ours)", me, answerWith(400, graphErr("GraphMethodException", 100, 0)), unavailable},
		{"/me 403 code 4 (app rate limit)", me, answerWith(403, graphErr("OAuthException", 4, 0)), unavailable},
		{"/me 200 carrying code 2 (service)", me, answerWith(200, graphErr("OAuthException", 2, 0)), unavailable},
		{"/me 500 code 190", me, answerWith(500, graphErr("OAuthException", 190, 0)), unavailable},
		{"/me 200 not JSON", me, answerWith(200, `<html></html>`), unavailable},
		{"/me timeout", me, hang, timedOut},
		{"debug_token: not valid", debug, answerWith(200, `{"data": {"app_id": "138483919580948", "is_valid": false, "error": {"code": 190, "message": "expired"}}}`), refused},
		{"debug_token: another app", debug, answerWith(200, `{"data": {"app_id": "999", "is_valid": true, "user_id": "10158843762836245"}}`), refused},
		{"debug_token: 200 carrying code 190", debug, answerWith(200, graphErr("OAuthException", 190, 0)), refused},
		{"debug_token: 400 code 100", debug, answerWith(400, graphErr("GraphMethodException", 100, 0)), unavailable},
		{"debug_token: 503", debug, answerWith(503, ``), unavailable},
		{"debug_token: 200 without data", debug, answerWith(200, `{}`), refused},
		{"debug_token: connection refused", debug, connRefused, unavailable},
		{"debug_token: timeout", debug, hang, timedOut},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			client, _ := providerWith(t, answer{"GET", me, 0, "facebook/me.json"}, answer{"GET", debug, 0, "facebook/debug_token.json"})
			if tc.reply != nil {
				client.Transport.(*httpmock.MockTransport).RegisterResponder("GET", tc.endpoint, httpmock.Responder(tc.reply))
			}
			client.Timeout = clientTimeout
			writes, err := loginOutcome(t, backends.Facebook(facebookSettings), client, func(ctx context.Context, svc *socialauth.Service) error {
				_, err := svc.Login(ctx, "facebook", "EAAB-facebook-user-token")
				return err
			})
			checkOutcome(t, tc.want, err, writes)
		})
	}
}

// TestTimeoutKeepsItsCause: a timeout's error is ErrProviderUnavailable and
// still a timeout (socialhttp answers 504), but its text is not the
// transport's, which names the URL and so a token sent in the query.
func TestTimeoutKeepsItsCause(t *testing.T) {
	const tok = "query-token-Zx81"
	mock := httpmock.NewMockTransport()
	mock.RegisterNoResponder(httpmock.Responder(hang))
	b := backends.NewOAuth2(backends.Provider{Name: "q", UserInfoURL: "https://q.example/me", TokenIn: backends.TokenQuery,
		User: backends.Spotify(plainSettings).Provider().User})
	_, err := b.Authenticate(context.Background(), &http.Client{Transport: mock, Timeout: 30 * time.Millisecond}, tok)
	require.ErrorIs(t, err, socialauth.ErrProviderUnavailable)
	var ne net.Error
	require.True(t, errors.As(err, &ne) && ne.Timeout(), "the cause is still a timeout: %v", err)
	_, status := socialhttp.ErrorCode(err)
	assert.Equal(t, http.StatusGatewayTimeout, status)
	assert.Equal(t, "socialauth: provider unavailable: q.example: timed out", err.Error())
}
