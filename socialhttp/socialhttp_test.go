package socialhttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/socialhttp"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// env is a service over the development provider on loopback, counting the
// calls that reach the provider.
type env struct {
	cfg   socialauth.Config
	store *memory.Store
	calls *atomic.Int64
}

func newEnv(t testing.TB, p socialauth.Pipeline) *env {
	t.Helper()
	calls := new(atomic.Int64)
	dev := devprovider.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		dev.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	if p == nil {
		p = pipeline.Default()
	}
	store := memory.New()
	return &env{store: store, calls: calls, cfg: socialauth.Config{
		Backends:   []socialauth.Backend{devprovider.Backend(srv.URL)},
		Storage:    store,
		Pipeline:   p,
		HTTPClient: srv.Client(),
		Logger:     slog.New(slog.DiscardHandler),
	}}
}

func mintToken(_ context.Context, r *socialauth.Result) (any, error) {
	return map[string]any{"token": "tok-" + r.User.ID, "is_new": r.IsNew}, nil
}

// server serves Exchange and Resume behind socialauth.Handler.
func server(t testing.TB, e *env, o socialhttp.Options) *httptest.Server {
	t.Helper()
	if o.Mint == nil {
		o.Mint = mintToken
	}
	mux := http.NewServeMux()
	login := socialauth.Handler(e.cfg)
	mux.Handle("/api/login/social/{backend}/", login(socialhttp.Exchange(o)))
	mux.Handle("/api/login/social/{backend}/resume/", login(socialhttp.Resume(o)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	status int
	header http.Header
	body   string
	errors map[string]string
}

func do(t testing.TB, srv *httptest.Server, method, path, ctype, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	require.NoError(t, err)
	a := answer{status: resp.StatusCode, header: resp.Header, body: strings.TrimSpace(b.String())}
	var out struct {
		Errors map[string]string `json:"errors"`
	}
	if json.Unmarshal(b.Bytes(), &out) == nil {
		a.errors = out.Errors
	}
	return a
}

func TestExchange(t *testing.T) {
	e := newEnv(t, nil)
	srv := server(t, e, socialhttp.Options{})
	big := strings.Repeat("a", 8<<10+1)
	cases := []struct {
		name, method, backend, ctype, body string
		status                             int
		code                               string
		reachesProvider                    bool
	}{
		{"ok", "POST", "dev", "application/json", `{"access_token":"dev-alice"}`, 200, "", true},
		{"ok, charset", "POST", "dev", "application/json; charset=utf-8", `{"access_token":"dev-alice"}`, 200, "", true},
		{"unknown backend", "POST", "nosuch", "application/json", `{"access_token":"dev-alice"}`, 404, "unknown_backend", false},
		{"refused token", "POST", "dev", "application/json", `{"access_token":"xyz"}`, 401, "invalid_token", true},
		{"no token", "POST", "dev", "application/json", `{}`, 400, "invalid_request", false},
		{"empty token", "POST", "dev", "application/json", `{"access_token":""}`, 400, "invalid_request", false},
		{"blank token", "POST", "dev", "application/json", `{"access_token":"  \t "}`, 400, "invalid_request", false},
		{"token with a space", "POST", "dev", "application/json", `{"access_token":"dev-a b"}`, 400, "invalid_request", false},
		{"token with a control character", "POST", "dev", "application/json", `{"access_token":"\u007f"}`, 400, "invalid_request", false},
		{"token with a newline", "POST", "dev", "application/json", `{"access_token":"dev-a\nX-Evil: 1"}`, 400, "invalid_request", false},
		{"token over 8 KiB", "POST", "dev", "application/json", `{"access_token":"` + big + `"}`, 400, "invalid_request", false},
		{"both tokens", "POST", "dev", "application/json", `{"access_token":"dev-a","id_token":"x"}`, 400, "invalid_request", false},
		{"token not a string", "POST", "dev", "application/json", `{"access_token":42}`, 400, "invalid_request", false},
		{"member name in another case", "POST", "dev", "application/json", `{"ACCess_token":"dev-alice"}`, 400, "invalid_request", false},
		{"repeated member", "POST", "dev", "application/json", `{"access_token":"dev-alice","access_token":"dev-bob"}`, 400, "invalid_request", false},
		{"unknown member", "POST", "dev", "application/json", `{"access_token":"dev-alice","admin":true}`, 400, "invalid_request", false},
		{"trailing data", "POST", "dev", "application/json", `{"access_token":"dev-alice"}{}`, 400, "invalid_request", false},
		{"not JSON", "POST", "dev", "application/json", `access_token=dev-alice`, 400, "invalid_request", false},
		{"form content type", "POST", "dev", "application/x-www-form-urlencoded", `{"access_token":"dev-alice"}`, 400, "invalid_request", false},
		{"no content type", "POST", "dev", "", `{"access_token":"dev-alice"}`, 400, "invalid_request", false},
		{"array", "POST", "dev", "application/json", `[]`, 400, "invalid_request", false},
		{"GET", "GET", "dev", "", ``, 405, "method_not_allowed", false},
		{"PUT", "PUT", "dev", "application/json", `{"access_token":"dev-alice"}`, 405, "method_not_allowed", false},
		{"id_token on a backend without id_token support", "POST", "dev", "application/json", `{"id_token":"eyJ.x.y"}`, 401, "invalid_token", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.calls.Load()
			users, _ := e.store.UsersByEmail(context.Background(), "bob@example.com")
			a := do(t, srv, tc.method, "/api/login/social/"+tc.backend+"/", tc.ctype, tc.body)
			assert.Equal(t, tc.status, a.status, a.body)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			assert.Equal(t, "no-store", a.header.Get("Cache-Control"))
			assert.Equal(t, tc.reachesProvider, e.calls.Load() > before, "provider called")
			if tc.code == "" {
				assert.Contains(t, a.body, `"token":"tok-`)
				return
			}
			assert.Equal(t, tc.code, a.errors["code"], a.body)
			assert.NotEmpty(t, a.errors["message"])
			assert.NotContains(t, a.body, "dev-alice", "never echoes the token")
			assert.NotContains(t, a.body, "xyz")
			after, _ := e.store.UsersByEmail(context.Background(), "bob@example.com")
			assert.Len(t, after, len(users), "a refused request writes nothing")
			if tc.status == http.StatusMethodNotAllowed {
				assert.Equal(t, "POST", a.header.Get("Allow"))
			}
		})
	}
	t.Run("body over MaxBodyBytes is 413", func(t *testing.T) {
		srv := server(t, e, socialhttp.Options{MaxBodyBytes: 64})
		a := do(t, srv, "POST", "/api/login/social/dev/", "application/json", `{"access_token":"dev-`+strings.Repeat("a", 70)+`"}`)
		assert.Equal(t, http.StatusRequestEntityTooLarge, a.status)
		assert.Equal(t, "invalid_request", a.errors["code"])
	})
	t.Run("mint failure is an opaque 500", func(t *testing.T) {
		srv := server(t, e, socialhttp.Options{Mint: func(context.Context, *socialauth.Result) (any, error) {
			return nil, errors.New("signing key missing at /etc/keys")
		}})
		a := do(t, srv, "POST", "/api/login/social/dev/", "application/json", `{"access_token":"dev-alice"}`)
		assert.Equal(t, 500, a.status)
		assert.Equal(t, "internal_error", a.errors["code"])
		assert.NotContains(t, a.body, "/etc/keys")
	})
}

// A step that panics is a 500 in the JSON shape, and the login writes nothing.
func TestStepPanicIsA500(t *testing.T) {
	boom := socialauth.StepFunc(func(context.Context, *socialauth.State) error { panic("boom with dev-alice inside") })
	e := newEnv(t, pipeline.Default().InsertAfter("create_user", socialauth.PipelineStep{Name: "host.boom", Step: boom}))
	srv := server(t, e, socialhttp.Options{})
	a := do(t, srv, "POST", "/api/login/social/dev/", "application/json", `{"access_token":"dev-alice"}`)
	assert.Equal(t, http.StatusInternalServerError, a.status)
	assert.Equal(t, "internal_error", a.errors["code"])
	assert.NotContains(t, a.body, "boom")
	users, err := e.store.UsersByEmail(context.Background(), "alice@example.com")
	require.NoError(t, err)
	assert.Empty(t, users, "nothing half-written")
}

func TestPauseAndResumeOverHTTP(t *testing.T) {
	email := socialauth.NewKey[string]("host.email")
	askEmail := socialauth.StepFunc(func(_ context.Context, s *socialauth.State) error {
		if !s.IsNew {
			return nil
		}
		v, ok := email.Get(s)
		if !ok {
			return socialauth.Pause("need_email")
		}
		s.Details.Email, s.Details.EmailVerified = v, false
		return nil
	})
	e := newEnv(t, pipeline.Default().InsertBefore("create_user", socialauth.PipelineStep{Name: "host.ask_email", Step: askEmail}))
	srv := server(t, e, socialhttp.Options{ResumeData: func(_ context.Context, st *socialauth.State, data json.RawMessage) error {
		var in struct {
			Email string `json:"email"`
		}
		if err := json.Unmarshal(data, &in); err != nil || in.Email == "" {
			return fmt.Errorf("%w: data.email is required", socialauth.ErrInvalidRequest)
		}
		email.Set(st, in.Email)
		return nil
	}})

	a := do(t, srv, "POST", "/api/login/social/dev/", "application/json", `{"access_token":"dev-gus"}`)
	require.Equal(t, http.StatusAccepted, a.status, a.body)
	assert.Equal(t, "pipeline_paused", a.errors["code"])
	assert.Equal(t, "need_email", a.errors["reason"])
	tok := a.errors["partial_token"]
	require.Len(t, tok, 43)

	bad := do(t, srv, "POST", "/api/login/social/dev/resume/", "application/json", `{"partial_token":"`+tok+`","data":{}}`)
	assert.Equal(t, http.StatusBadRequest, bad.status, "the host's own check")

	// Input the host refuses does not spend the token.
	ok := do(t, srv, "POST", "/api/login/social/dev/resume/", "application/json", `{"partial_token":"`+tok+`","data":{"email":"gus@host.example"}}`)
	assert.Equal(t, http.StatusOK, ok.status, ok.body)
	assert.Contains(t, ok.body, `"is_new":true`)
	again := do(t, srv, "POST", "/api/login/social/dev/resume/", "application/json", `{"partial_token":"`+tok+`","data":{"email":"gus@host.example"}}`)
	assert.Equal(t, http.StatusNotFound, again.status, "a paused login is resumed once")
	assert.Equal(t, "partial_not_found", again.errors["code"])
	users, err := e.store.UsersByEmail(context.Background(), "gus@host.example")
	require.NoError(t, err)
	assert.Len(t, users, 1)

	for name, body := range map[string]string{
		"unknown token": `{"partial_token":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`,
		"used token":    `{"partial_token":"` + tok + `"}`,
	} {
		r := do(t, srv, "POST", "/api/login/social/dev/resume/", "application/json", body)
		assert.Equal(t, http.StatusNotFound, r.status, name)
		assert.Equal(t, "partial_not_found", r.errors["code"], name)
	}
	r := do(t, srv, "POST", "/api/login/social/dev/resume/", "application/json", `{}`)
	assert.Equal(t, http.StatusBadRequest, r.status)
}

func TestErrorCode(t *testing.T) {
	cases := []struct {
		err    error
		code   string
		status int
	}{
		{socialauth.ErrInvalidToken, "invalid_token", 401},
		{socialauth.ErrProviderUnavailable, "provider_unavailable", 502},
		{fmt.Errorf("%w: %w", socialauth.ErrProviderUnavailable, context.DeadlineExceeded), "provider_unavailable", 504},
		{socialauth.ErrInvalidRequest, "invalid_request", 400},
		{socialauth.ErrAuthForbidden, "forbidden", 403},
		{socialauth.ErrAlreadyAssociated, "already_associated", 409},
		{socialauth.ErrUnknownBackend, "unknown_backend", 404},
		{socialauth.ErrNotAllowedToDisconnect, "not_allowed_to_disconnect", 409},
		{&socialauth.Error{Backend: "x", Err: socialauth.ErrPartialNotFound}, "partial_not_found", 404},
		{&socialauth.Error{Backend: "x", Step: "y", Err: &socialauth.PausedError{Token: "t"}}, "pipeline_paused", 202},
		{&socialauth.Error{Backend: "x", Step: "y", Err: fmt.Errorf("wrapped: %w", socialauth.ErrAuthFailed)}, "auth_failed", 401},
		{errors.New("database is locked"), "internal_error", 500},
	}
	for _, tc := range cases {
		code, status := socialhttp.ErrorCode(tc.err)
		assert.Equal(t, tc.code, code, "%v", tc.err)
		assert.Equal(t, tc.status, status, "%v", tc.err)
	}
}
