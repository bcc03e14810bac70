package socialauth_test

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
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// env is one configured service over a real loopback provider.
type env struct {
	srv   *httptest.Server
	store *memory.Store
	cfg   socialauth.Config
	logs  *bytes.Buffer
}

func newEnv(t testing.TB, p socialauth.Pipeline) *env {
	t.Helper()
	srv := httptest.NewServer(devprovider.Handler())
	t.Cleanup(srv.Close)
	logs := &bytes.Buffer{}
	e := &env{srv: srv, store: memory.New(), logs: logs}
	if p == nil {
		p = pipeline.Default()
	}
	e.cfg = socialauth.Config{
		Backends:   []socialauth.Backend{devprovider.Backend(srv.URL)},
		Storage:    e.store,
		Pipeline:   p,
		HTTPClient: srv.Client(),
		Logger:     slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	return e
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (e *env) ctx(t testing.TB) context.Context {
	t.Helper()
	svc, err := socialauth.New(e.cfg)
	require.NoError(t, err)
	ctx, err := svc.WithBackend(context.Background(), "dev")
	require.NoError(t, err)
	return ctx
}

func TestDoAuthFirstAndReturningLogin(t *testing.T) {
	e := newEnv(t, nil)
	ctx := e.ctx(t)
	r1, err := socialauth.DoAuth(ctx, "dev:alice")
	require.NoError(t, err)
	assert.True(t, r1.IsNew)
	assert.True(t, r1.NewAssociation)
	assert.Equal(t, "alice", r1.User.Username)
	assert.Equal(t, "alice@example.com", r1.User.Email)
	assert.Equal(t, "dev-alice", r1.Association.UID)
	assert.Equal(t, "dev", r1.Association.Provider)
	assert.Equal(t, "dev:alice", r1.Association.AccessToken(), "provider token kept")

	r2, err := socialauth.DoAuth(ctx, "dev:alice")
	require.NoError(t, err)
	assert.Equal(t, r1.User.ID, r2.User.ID)
	assert.False(t, r2.IsNew)
	assert.False(t, r2.NewAssociation)

	r3, err := socialauth.DoAuth(ctx, "dev:bob")
	require.NoError(t, err)
	assert.NotEqual(t, r1.User.ID, r3.User.ID)
}

func TestDoAuthFailures(t *testing.T) {
	e := newEnv(t, nil)
	ctx := e.ctx(t)
	cases := []struct {
		name  string
		ctx   context.Context
		token string
		want  error
		code  string
	}{
		{"refused token", ctx, "github:alice", socialauth.ErrInvalidToken, "invalid_token"},
		{"empty token", ctx, "", socialauth.ErrMissingParameter, "invalid_request"},
		{"no backend in context", context.Background(), "dev:alice", socialauth.ErrNoBackend, "internal_error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := socialauth.DoAuth(tc.ctx, tc.token)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, res)
			code, _ := socialauth.ErrorCode(err)
			assert.Equal(t, tc.code, code)
		})
	}
	t.Run("typed error names backend", func(t *testing.T) {
		_, err := socialauth.DoAuth(ctx, "nope")
		var se *socialauth.Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "dev", se.Backend)
		var pe *socialauth.ProviderError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, http.StatusUnauthorized, pe.StatusCode)
		assert.Equal(t, "invalid_token", pe.Code)
	})
	t.Run("provider down", func(t *testing.T) {
		e.srv.Close()
		_, err := socialauth.DoAuth(ctx, "dev:alice")
		require.ErrorIs(t, err, socialauth.ErrProviderUnavailable)
		_, status := socialauth.ErrorCode(err)
		assert.Equal(t, http.StatusBadGateway, status)
	})
	t.Run("nothing written by failures", func(t *testing.T) {
		n, err := e.store.UsersByEmail(context.Background(), "alice@example.com")
		require.NoError(t, err)
		assert.Empty(t, n)
	})
}

func TestInactiveUser(t *testing.T) {
	e := newEnv(t, nil)
	ctx := e.ctx(t)
	r, err := socialauth.DoAuth(ctx, "dev:alice")
	require.NoError(t, err)
	u := *r.User
	u.IsActive = false
	require.NoError(t, e.store.UpdateUser(context.Background(), &u))
	_, err = socialauth.DoAuth(ctx, "dev:alice")
	require.ErrorIs(t, err, socialauth.ErrAuthForbidden)

	e.cfg.AllowInactiveUsers = true
	_, err = socialauth.DoAuth(e.ctx(t), "dev:alice")
	require.NoError(t, err)
}

var errNotInvited = errors.New("not on the guest list")

// TestHostStep shows what a host's own step can do: read and change the
// state, keep its own typed data, and stop the login with its own error.
func TestHostStep(t *testing.T) {
	plan := socialauth.NewKey[string]("myapp.plan")
	var sawNew []bool
	inviteOnly := socialauth.StepFunc(func(ctx context.Context, s *socialauth.State) error {
		sawNew = append(sawNew, s.User == nil)
		if s.User == nil && !strings.HasSuffix(s.Details.Email, "@example.com") {
			return errNotInvited
		}
		s.Details.FirstName = strings.ToUpper(s.Details.FirstName) // change the state
		plan.Set(s, "pro")
		return nil
	})
	p := pipeline.Default().InsertBefore("create_user", socialauth.PipelineStep{Name: "myapp.invite_only", Step: inviteOnly})
	e := newEnv(t, p)
	ctx := e.ctx(t)

	r, err := socialauth.DoAuth(ctx, "dev:alice")
	require.NoError(t, err)
	assert.Equal(t, "ALICE", r.User.FirstName, "the step's change reached create_user")
	got, ok := plan.Get(r.State)
	assert.True(t, ok)
	assert.Equal(t, "pro", got)
	assert.Equal(t, []bool{true}, sawNew)

	t.Run("vetoes with its own error", func(t *testing.T) {
		p := pipeline.Default().InsertAfter("social_uid", socialauth.PipelineStep{Name: "myapp.deny", Step: socialauth.StepFunc(func(context.Context, *socialauth.State) error {
			return fmt.Errorf("%w: %w", socialauth.ErrAuthForbidden, errNotInvited)
		})})
		e := newEnv(t, p)
		_, err := socialauth.DoAuth(e.ctx(t), "dev:carol")
		require.ErrorIs(t, err, errNotInvited)
		require.ErrorIs(t, err, socialauth.ErrAuthForbidden)
		var se *socialauth.Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "myapp.deny", se.Step)
		users, _ := e.store.UsersByEmail(context.Background(), "carol@example.com")
		assert.Empty(t, users, "a vetoed login writes nothing")
	})
}

func TestPauseAndResume(t *testing.T) {
	answer := socialauth.NewKey[string]("myapp.terms")
	askTerms := socialauth.StepFunc(func(ctx context.Context, s *socialauth.State) error {
		if !s.IsNew {
			return nil
		}
		v, ok := answer.Get(s)
		if !ok {
			return socialauth.Pause("accept_terms")
		}
		if v != "yes" {
			return socialauth.ErrAuthCanceled
		}
		return nil
	})
	p := pipeline.Default().InsertBefore("create_user", socialauth.PipelineStep{Name: "myapp.terms", Step: askTerms})
	e := newEnv(t, p)
	ctx := e.ctx(t)

	_, err := socialauth.DoAuth(ctx, "dev:dora")
	var paused *socialauth.PausedError
	require.ErrorAs(t, err, &paused)
	require.ErrorIs(t, err, socialauth.ErrPipelinePaused)
	assert.Equal(t, "accept_terms", paused.Reason)
	assert.Equal(t, "myapp.terms", paused.Step)
	assert.Len(t, paused.Token, 43, "256 random bits")
	users, _ := e.store.UsersByEmail(context.Background(), "dora@example.com")
	assert.Empty(t, users, "nothing created while paused")

	res, err := socialauth.Resume(ctx, paused.Token, func(s *socialauth.State) error {
		answer.Set(s, "yes")
		return nil
	})
	require.NoError(t, err)
	assert.True(t, res.IsNew)
	assert.Equal(t, "dora", res.User.Username)

	_, err = socialauth.Resume(ctx, paused.Token, nil)
	require.ErrorIs(t, err, socialauth.ErrNotFound, "a partial token is single-use")

	t.Run("expired", func(t *testing.T) {
		now := time.Now()
		e.cfg.Now = func() time.Time { return now }
		e.store.Now = e.cfg.Now
		ctx := e.ctx(t)
		_, err := socialauth.DoAuth(ctx, "dev:erin")
		require.ErrorAs(t, err, &paused)
		now = now.Add(31 * time.Minute)
		_, err = socialauth.Resume(ctx, paused.Token, nil)
		require.ErrorIs(t, err, socialauth.ErrNotFound)
	})
	t.Run("concurrent resumes: exactly one wins", func(t *testing.T) {
		e.cfg.Now, e.store.Now = nil, nil
		ctx := e.ctx(t)
		_, err := socialauth.DoAuth(ctx, "dev:finn")
		require.ErrorAs(t, err, &paused)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := socialauth.Resume(ctx, paused.Token, func(s *socialauth.State) error { answer.Set(s, "yes"); return nil })
				if err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, 1, wins)
	})
}

func TestConnect(t *testing.T) {
	e := newEnv(t, nil)
	ctx := e.ctx(t)
	alice, err := socialauth.DoAuth(ctx, "dev:alice")
	require.NoError(t, err)
	bob, err := socialauth.DoAuth(ctx, "dev:bob")
	require.NoError(t, err)

	_, err = socialauth.Connect(ctx, alice.User, "dev:bob")
	require.ErrorIs(t, err, socialauth.ErrAlreadyAssociated, "bob's identity is bob's")
	code, status := socialauth.ErrorCode(err)
	assert.Equal(t, "already_associated", code)
	assert.Equal(t, http.StatusConflict, status)

	r, err := socialauth.Connect(ctx, alice.User, "dev:alice2")
	require.NoError(t, err)
	assert.Equal(t, alice.User.ID, r.User.ID)
	assert.True(t, r.NewAssociation)
	assert.False(t, r.IsNew)
	links, err := e.store.AssociationsForUser(context.Background(), alice.User.ID)
	require.NoError(t, err)
	assert.Len(t, links, 2)
	_ = bob
}

func TestNewRejectsBadConfig(t *testing.T) {
	store := memory.New()
	dev := devprovider.Backend("http://127.0.0.1:1")
	cases := map[string]socialauth.Config{
		"no storage":        {Pipeline: pipeline.Default()},
		"no pipeline":       {Storage: store},
		"duplicate backend": {Storage: store, Pipeline: pipeline.Default(), Backends: []socialauth.Backend{dev, dev}},
		"nil backend":       {Storage: store, Pipeline: pipeline.Default(), Backends: []socialauth.Backend{nil}},
		"duplicate step":    {Storage: store, Pipeline: append(pipeline.Default(), pipeline.SocialUID())},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := socialauth.New(cfg)
			require.Error(t, err)
			assert.Panics(t, func() { socialauth.Handler(cfg) })
		})
	}
}

func TestConfigIsCopied(t *testing.T) {
	e := newEnv(t, nil)
	svc, err := socialauth.New(e.cfg)
	require.NoError(t, err)
	e.cfg.Pipeline[0] = socialauth.PipelineStep{Name: "social_details", Step: socialauth.StepFunc(func(context.Context, *socialauth.State) error {
		return errors.New("mutated after New")
	})}
	e.cfg.Backends[0] = nil
	ctx, err := svc.WithBackend(context.Background(), "dev")
	require.NoError(t, err)
	_, err = socialauth.DoAuth(ctx, "dev:alice")
	require.NoError(t, err)
}

func TestHandlerResolvesBackend(t *testing.T) {
	e := newEnv(t, nil)
	mux := http.NewServeMux()
	mux.Handle("POST /login/{backend}/", socialauth.Handler(e.cfg)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := socialauth.BackendFromContext(r.Context())
		require.True(t, ok)
		_, _ = w.Write([]byte(b.Name()))
	})))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := srv.Client().Post(srv.URL+"/login/dev/", "application/json", nil)
	require.NoError(t, err)
	body := readAll(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "dev", body)

	resp, err = srv.Client().Post(srv.URL+"/login/nosuch/", "application/json", nil)
	require.NoError(t, err)
	body = readAll(t, resp)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.JSONEq(t, `{"errors":{"code":"unknown_backend","message":"This backend is not configured."}}`, body)

	_, ok := socialauth.BackendFromContext(context.Background())
	assert.False(t, ok)
}

func TestBackendNameOverride(t *testing.T) {
	e := newEnv(t, nil)
	e.cfg.BackendName = func(r *http.Request) string { return r.URL.Query().Get("provider") }
	h := socialauth.Handler(e.cfg)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x?provider=dev", nil))
	assert.Equal(t, http.StatusTeapot, rec.Code)
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err := b.ReadFrom(resp.Body)
	require.NoError(t, err)
	return strings.TrimSpace(b.String())
}

// exchangeServer serves ExchangeHandler behind Handler, minting "tok-<id>".
func exchangeServer(t testing.TB, e *env, x socialauth.Exchange) *httptest.Server {
	t.Helper()
	if x.Mint == nil {
		x.Mint = func(_ context.Context, r *socialauth.Result) (any, error) {
			return map[string]any{"token": "tok-" + r.User.ID, "is_new": r.IsNew}, nil
		}
	}
	mux := http.NewServeMux()
	mux.Handle("POST /api/login/social/{backend}/", socialauth.Handler(e.cfg)(socialauth.ExchangeHandler(x)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestExchangeHandler(t *testing.T) {
	e := newEnv(t, nil)
	srv := exchangeServer(t, e, socialauth.Exchange{MaxBodyBytes: 256})
	post := func(backend, ctype, body string) (int, string) {
		req, err := http.NewRequest("POST", srv.URL+"/api/login/social/"+backend+"/", strings.NewReader(body))
		require.NoError(t, err)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
		return resp.StatusCode, readAll(t, resp)
	}
	cases := []struct {
		name, backend, ctype, body string
		status                     int
		code                       string
	}{
		{"ok", "dev", "application/json", `{"access_token":"dev:alice"}`, 200, ""},
		{"ok, charset", "dev", "application/json; charset=utf-8", `{"access_token":"dev:alice"}`, 200, ""},
		{"unknown backend", "nosuch", "application/json", `{"access_token":"dev:alice"}`, 404, "unknown_backend"},
		{"refused token", "dev", "application/json", `{"access_token":"xyz"}`, 401, "invalid_token"},
		{"no token", "dev", "application/json", `{}`, 400, "invalid_request"},
		{"both tokens", "dev", "application/json", `{"access_token":"dev:a","id_token":"x"}`, 400, "invalid_request"},
		{"unknown field", "dev", "application/json", `{"access_token":"dev:alice","admin":true}`, 400, "invalid_request"},
		{"trailing data", "dev", "application/json", `{"access_token":"dev:alice"}{}`, 400, "invalid_request"},
		{"not JSON", "dev", "application/json", `access_token=dev:alice`, 400, "invalid_request"},
		{"form content type", "dev", "application/x-www-form-urlencoded", `{"access_token":"dev:alice"}`, 400, "invalid_request"},
		{"array", "dev", "application/json", `[]`, 400, "invalid_request"},
		{"too big", "dev", "application/json", `{"access_token":"` + strings.Repeat("a", 300) + `"}`, 400, "invalid_request"},
		{"id_token on a backend without id_token support", "dev", "application/json", `{"id_token":"eyJ.x.y"}`, 401, "invalid_token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(tc.backend, tc.ctype, tc.body)
			assert.Equal(t, tc.status, status, body)
			if tc.code == "" {
				assert.Contains(t, body, `"token":"tok-`)
				return
			}
			var out struct {
				Errors map[string]string `json:"errors"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &out))
			assert.Equal(t, tc.code, out.Errors["code"])
			assert.NotEmpty(t, out.Errors["message"])
			assert.NotContains(t, body, "dev:alice", "never echoes the token")
			assert.NotContains(t, body, "xyz")
		})
	}
	t.Run("mint failure is an opaque 500", func(t *testing.T) {
		srv := exchangeServer(t, e, socialauth.Exchange{Mint: func(context.Context, *socialauth.Result) (any, error) {
			return nil, errors.New("signing key missing at /etc/keys")
		}})
		resp, err := srv.Client().Post(srv.URL+"/api/login/social/dev/", "application/json", strings.NewReader(`{"access_token":"dev:alice"}`))
		require.NoError(t, err)
		body := readAll(t, resp)
		assert.Equal(t, 500, resp.StatusCode)
		assert.NotContains(t, body, "/etc/keys")
	})
	t.Run("paused pipeline hands back the resume handle", func(t *testing.T) {
		p := pipeline.Default().InsertBefore("create_user", socialauth.PipelineStep{Name: "ask", Step: socialauth.StepFunc(func(context.Context, *socialauth.State) error {
			return socialauth.Pause("need_email")
		})})
		srv := exchangeServer(t, newEnv(t, p), socialauth.Exchange{})
		resp, err := srv.Client().Post(srv.URL+"/api/login/social/dev/", "application/json", strings.NewReader(`{"access_token":"dev:gus"}`))
		require.NoError(t, err)
		body := readAll(t, resp)
		assert.Equal(t, http.StatusAccepted, resp.StatusCode)
		var out struct {
			Errors map[string]string `json:"errors"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &out))
		assert.Equal(t, "need_email", out.Errors["reason"])
		assert.Len(t, out.Errors["partial_token"], 43)
	})
}

// TestLogsHoldNoSecrets: a failed and a successful login through the whole
// stack leave no token in the log.
func TestLogsHoldNoSecrets(t *testing.T) {
	e := newEnv(t, nil)
	ctx := e.ctx(t)
	_, _ = socialauth.DoAuth(ctx, "dev:alice")
	_, err := socialauth.DoAuth(ctx, "secret-token-value-123")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secret-token-value-123")
	e.srv.Close()
	_, err = socialauth.DoAuth(ctx, "dev:alice")
	require.Error(t, err)
	logs := e.logs.String()
	assert.Contains(t, logs, "login failed", "failures are logged")
	assert.NotContains(t, logs, "secret-token-value-123")
	assert.NotContains(t, logs, "dev:alice")
}

func TestTokenRedactsItself(t *testing.T) {
	tok := socialauth.Token{AccessToken: "at-secret", RefreshToken: "rt-secret", IDToken: "id-secret", TokenType: "Bearer"}
	var buf bytes.Buffer
	st := socialauth.NewState(nil, nil, &socialauth.Profile{UID: "1", Token: tok})
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "token", tok, "profile", socialauth.Profile{UID: "1", Token: tok},
		"association", &socialauth.Association{ID: "1", ExtraData: map[string]any{"access_token": "at-secret", "refresh_token": "rt-secret"}},
		"partial", &socialauth.Partial{Token: "id-secret", Data: []byte(`{"at-secret":1}`)}, "state", st)
	out := buf.String() + fmt.Sprint(tok) + fmt.Sprintf("%+v %#v", tok, tok) + fmt.Sprintf("%v", socialauth.Profile{Token: tok})
	for _, s := range []string{"at-secret", "rt-secret", "id-secret"} {
		assert.NotContains(t, out, s)
	}
	assert.Contains(t, buf.String(), `"access_token":true`)
}

func TestErrorCodes(t *testing.T) {
	cases := []struct {
		err    error
		code   string
		status int
	}{
		{socialauth.ErrInvalidToken, "invalid_token", 401},
		{socialauth.ErrProviderUnavailable, "provider_unavailable", 502},
		{socialauth.ErrMissingParameter, "invalid_request", 400},
		{socialauth.ErrAuthForbidden, "forbidden", 403},
		{socialauth.ErrAuthCanceled, "canceled", 400},
		{socialauth.ErrAlreadyAssociated, "already_associated", 409},
		{socialauth.ErrUnknownBackend, "unknown_backend", 404},
		{&socialauth.Error{Backend: "x", Step: "y", Err: fmt.Errorf("wrapped: %w", socialauth.ErrStateMismatch)}, "state_mismatch", 400},
		{errors.New("database is locked"), "internal_error", 500},
	}
	for _, tc := range cases {
		code, status := socialauth.ErrorCode(tc.err)
		assert.Equal(t, tc.code, code, "%v", tc.err)
		assert.Equal(t, tc.status, status, "%v", tc.err)
	}
	e := &socialauth.Error{Backend: "github", Step: "social_uid", Err: socialauth.ErrAuthFailed}
	assert.Equal(t, "socialauth: backend github: step social_uid: authentication failed", e.Error())
}

func TestPipelineEditing(t *testing.T) {
	p := pipeline.Default()
	q := p.InsertAfter("get_username", pipeline.AssociateByEmail())
	assert.Equal(t, p.Index("get_username")+1, q.Index("associate_by_email"))
	assert.Equal(t, -1, p.Index("associate_by_email"), "the receiver is unchanged")
	assert.Equal(t, -1, q.Without("associate_by_email").Index("associate_by_email"))
	r := q.Replace("auth_allowed", pipeline.AuthAllowed(pipeline.AllowedOptions{Domains: []string{"x.example"}}))
	assert.Equal(t, len(q), len(r))
	assert.Panics(t, func() { p.InsertBefore("no_such_step") })
}

// An id_token's nonce is single-use: the same id_token and nonce posted
// twice is a replay, refused even though the token itself is still valid.
func TestIDTokenNonceIsSpent(t *testing.T) {
	fake := backendtest.New(t)
	google := backends.Settings{Key: "web.apps.googleusercontent.com"}
	svc, err := socialauth.New(socialauth.Config{Backends: []socialauth.Backend{backends.GoogleOAuth2(google)}, Storage: memory.New(),
		Pipeline: pipeline.Default(), HTTPClient: fake.Client(), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	ctx, err := svc.WithBackend(context.Background(), "google-oauth2")
	require.NoError(t, err)
	ada := backendtest.Identity{UID: "1101", Email: "ada@gmail.com", EmailVerified: true}
	tok := fake.IDToken("google-oauth2", google, ada, backendtest.IDTokenOptions{Nonce: "nonce-1"})

	_, err = socialauth.DoAuthIDToken(ctx, tok, "nonce-1")
	require.NoError(t, err)
	_, err = socialauth.DoAuthIDToken(ctx, tok, "nonce-1")
	require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	assert.NotContains(t, err.Error(), "nonce-1")
	assert.NotContains(t, err.Error(), tok)

	other := fake.IDToken("google-oauth2", google, ada, backendtest.IDTokenOptions{Nonce: "nonce-2"})
	_, err = socialauth.DoAuthIDToken(ctx, other, "nonce-2")
	require.NoError(t, err, "a fresh sign-in is fine")
}

func TestWithDetails(t *testing.T) {
	e := newEnv(t, nil)
	ctx := e.ctx(t)
	r, err := socialauth.DoAuth(socialauth.WithDetails(ctx, socialauth.Details{FirstName: "Alicia", Email: "alice@example.com", EmailVerified: true}), "dev:alice")
	require.NoError(t, err)
	assert.Equal(t, "Alicia", r.User.FirstName, "the client's name wins")
	assert.True(t, r.User.EmailVerified, "the same email as the provider's: the provider's verification stands")

	r, err = socialauth.DoAuth(socialauth.WithDetails(ctx, socialauth.Details{Email: "boss@example.com", EmailVerified: true}), "dev:carol")
	require.NoError(t, err)
	assert.Equal(t, "boss@example.com", r.User.Email)
	assert.False(t, r.User.EmailVerified, "the client's own email is never verified")
}
