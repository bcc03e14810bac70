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
	"reflect"
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
	"github.com/go-socialauth/socialauth/socialhttp"
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

func (e *env) svc(t testing.TB) *socialauth.Service {
	t.Helper()
	svc, err := socialauth.New(e.cfg)
	require.NoError(t, err)
	return svc
}

func TestDoAuthFirstAndReturningLogin(t *testing.T) {
	e := newEnv(t, nil)
	svc, ctx := e.svc(t), context.Background()
	r1, err := svc.Login(ctx, "dev", "dev-alice")
	require.NoError(t, err)
	assert.True(t, r1.IsNew)
	assert.True(t, r1.NewAssociation)
	assert.Equal(t, "alice", r1.User.Username)
	assert.Equal(t, "alice@example.com", r1.User.Email)
	assert.Equal(t, "dev-alice", r1.Association.UID)
	assert.Equal(t, "dev", r1.Association.Provider)
	assert.Equal(t, "dev-alice", r1.Association.AccessToken(), "provider token kept")

	r2, err := svc.Login(ctx, "dev", "dev-alice")
	require.NoError(t, err)
	assert.Equal(t, r1.User.ID, r2.User.ID)
	assert.False(t, r2.IsNew)
	assert.False(t, r2.NewAssociation)

	r3, err := svc.Login(ctx, "dev", "dev-bob")
	require.NoError(t, err)
	assert.NotEqual(t, r1.User.ID, r3.User.ID)
}

func TestDoAuthFailures(t *testing.T) {
	e := newEnv(t, nil)
	svc, ctx := e.svc(t), context.Background()
	cases := []struct {
		name, backend, token string
		want                 error
		code                 string
	}{
		{"refused token", "dev", "github-alice", socialauth.ErrInvalidToken, "invalid_token"},
		{"empty token", "dev", "", socialauth.ErrInvalidRequest, "invalid_request"},
		{"blank token", "dev", "  ", socialauth.ErrInvalidRequest, "invalid_request"},
		{"token with a control character", "dev", "dev-alice\x7f", socialauth.ErrInvalidRequest, "invalid_request"},
		{"token with a space", "dev", "dev-al ice", socialauth.ErrInvalidRequest, "invalid_request"},
		{"token over 8 KiB", "dev", "dev-" + strings.Repeat("a", 8<<10), socialauth.ErrInvalidRequest, "invalid_request"},
		{"unknown backend", "nosuch", "dev-alice", socialauth.ErrUnknownBackend, "unknown_backend"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := svc.Login(ctx, tc.backend, tc.token)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, res)
			code, _ := socialhttp.ErrorCode(err)
			assert.Equal(t, tc.code, code)
			if tc.token != "" {
				assert.NotContains(t, err.Error(), tc.token)
			}
		})
	}
	t.Run("DoAuth without the middleware", func(t *testing.T) {
		_, err := socialauth.DoAuth(context.Background(), "dev-alice")
		require.ErrorIs(t, err, socialauth.ErrUnknownBackend)
	})
	t.Run("typed error names backend", func(t *testing.T) {
		_, err := svc.Login(ctx, "dev", "nope")
		var se *socialauth.Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "dev", se.Backend)
		var pe *backends.ProviderError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, http.StatusUnauthorized, pe.StatusCode)
		assert.Equal(t, "invalid_token", pe.Code)
	})
	t.Run("provider down", func(t *testing.T) {
		e.srv.Close()
		_, err := svc.Login(ctx, "dev", "dev-alice")
		require.ErrorIs(t, err, socialauth.ErrProviderUnavailable)
		_, status := socialhttp.ErrorCode(err)
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
	svc, ctx := e.svc(t), context.Background()
	r, err := svc.Login(ctx, "dev", "dev-alice")
	require.NoError(t, err)
	u := *r.User
	u.IsActive = false
	require.NoError(t, e.store.UpdateUser(context.Background(), &u))
	_, err = svc.Login(ctx, "dev", "dev-alice")
	require.ErrorIs(t, err, socialauth.ErrAuthForbidden)

	e.cfg.AllowInactiveUsers = true
	_, err = e.svc(t).Login(context.Background(), "dev", "dev-alice")
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
	svc, ctx := e.svc(t), context.Background()

	r, err := svc.Login(ctx, "dev", "dev-alice")
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
		_, err := e.svc(t).Login(context.Background(), "dev", "dev-carol")
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
			return fmt.Errorf("%w: terms declined", socialauth.ErrAuthForbidden)
		}
		return nil
	})
	p := pipeline.Default().InsertBefore("create_user", socialauth.PipelineStep{Name: "myapp.terms", Step: askTerms})
	e := newEnv(t, p)
	svc, ctx := e.svc(t), context.Background()

	_, err := svc.Login(ctx, "dev", "dev-dora")
	var paused *socialauth.PausedError
	require.ErrorAs(t, err, &paused)
	assert.Equal(t, "accept_terms", paused.Reason)
	assert.Equal(t, "myapp.terms", paused.Step)
	assert.Len(t, paused.Token, 43, "256 random bits")
	users, _ := e.store.UsersByEmail(context.Background(), "dora@example.com")
	assert.Empty(t, users, "nothing created while paused")

	res, err := svc.Resume(ctx, "dev", paused.Token, func(s *socialauth.State) error {
		answer.Set(s, "yes")
		return nil
	})
	require.NoError(t, err)
	assert.True(t, res.IsNew)
	assert.Equal(t, "dora", res.User.Username)

	_, err = svc.Resume(ctx, "dev", paused.Token, nil)
	require.ErrorIs(t, err, socialauth.ErrPartialNotFound, "a partial token is single-use")

	t.Run("expired", func(t *testing.T) {
		now := time.Now()
		e.cfg.Now = func() time.Time { return now }
		e.store.Now = e.cfg.Now
		svc, ctx := e.svc(t), context.Background()
		_, err := svc.Login(ctx, "dev", "dev-erin")
		require.ErrorAs(t, err, &paused)
		now = now.Add(31 * time.Minute)
		_, err = svc.Resume(ctx, "dev", paused.Token, nil)
		require.ErrorIs(t, err, socialauth.ErrPartialNotFound)
	})
	t.Run("concurrent resumes: exactly one wins", func(t *testing.T) {
		e.cfg.Now, e.store.Now = nil, nil
		svc, ctx := e.svc(t), context.Background()
		_, err := svc.Login(ctx, "dev", "dev-finn")
		require.ErrorAs(t, err, &paused)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := svc.Resume(ctx, "dev", paused.Token, func(s *socialauth.State) error { answer.Set(s, "yes"); return nil })
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
	svc, ctx := e.svc(t), context.Background()
	alice, err := svc.Login(ctx, "dev", "dev-alice")
	require.NoError(t, err)
	bob, err := svc.Login(ctx, "dev", "dev-bob")
	require.NoError(t, err)

	_, err = svc.Connect(ctx, "dev", alice.User, "dev-bob")
	require.ErrorIs(t, err, socialauth.ErrAlreadyAssociated, "bob's identity is bob's")
	code, status := socialhttp.ErrorCode(err)
	assert.Equal(t, "already_associated", code)
	assert.Equal(t, http.StatusConflict, status)

	r, err := svc.Connect(ctx, "dev", alice.User, "dev-alice2")
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
	_, err = svc.Login(context.Background(), "dev", "dev-alice")
	require.NoError(t, err)
}

func TestHandlerResolvesBackend(t *testing.T) {
	e := newEnv(t, nil)
	mux := http.NewServeMux()
	mux.Handle("POST /login/{backend}/", socialauth.Handler(e.cfg)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, b, ok := socialauth.FromContext(r.Context())
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

	_, _, ok := socialauth.FromContext(context.Background())
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

// TestLogsHoldNoSecrets: a failed and a successful login through the whole
// stack leave no token in the log.
func TestLogsHoldNoSecrets(t *testing.T) {
	e := newEnv(t, nil)
	svc, ctx := e.svc(t), context.Background()
	_, _ = svc.Login(ctx, "dev", "dev-alice")
	_, err := svc.Login(ctx, "dev", "secret-token-value-123")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secret-token-value-123")
	e.srv.Close()
	_, err = svc.Login(ctx, "dev", "dev-alice")
	require.Error(t, err)
	logs := e.logs.String()
	assert.Contains(t, logs, "login failed", "failures are logged")
	assert.NotContains(t, logs, "secret-token-value-123")
	assert.NotContains(t, logs, "dev-alice")
}

// TestRedaction: Token, Association, Partial, State and Result show no
// secret through slog, fmt (%v, %+v, %#v, %s) or json.Marshal, as values and
// as pointers.
func TestRedaction(t *testing.T) {
	secrets := []string{"at-secret", "rt-secret", "id-secret", "partial-secret", "state-secret", "oauth-secret"}
	tok := socialauth.Token{AccessToken: "at-secret", RefreshToken: "rt-secret", IDToken: "id-secret", TokenType: "Bearer"}
	assoc := socialauth.Association{ID: "7", UserID: "1", Provider: "dev", UID: "u1", ExtraData: map[string]any{
		"access_token": "at-secret", "refresh_token": "rt-secret", "id_token": "id-secret", "oauth_token_secret": "oauth-secret", "login": "octo"}}
	partial := socialauth.Partial{Token: "partial-secret", Backend: "dev", Step: 3, Data: []byte(`{"state-secret":1}`)}
	e := newEnv(t, nil)
	svc := e.svc(t)
	st, err := svc.NewState("dev", &socialauth.Profile{UID: "u1", Token: tok, Raw: []byte(`{"x":"state-secret"}`)})
	require.NoError(t, err)
	socialauth.NewKey[string]("host.secret").Set(st, "state-secret")
	st.Association = &assoc
	res := socialauth.Result{User: &socialauth.User{ID: "1"}, Association: &assoc, State: st}

	values := map[string]any{"token": tok, "association": assoc, "partial": partial, "state": *st, "result": res}
	for name, v := range values {
		ptr := reflect.New(reflect.TypeOf(v))
		ptr.Elem().Set(reflect.ValueOf(v))
		for form, x := range map[string]any{"value": v, "pointer": ptr.Interface()} {
			t.Run(name+"/"+form, func(t *testing.T) {
				var buf bytes.Buffer
				slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", x)
				slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "v", x)
				j, err := json.Marshal(x)
				require.NoError(t, err)
				out := buf.String() + string(j) + fmt.Sprintf("%v %+v %#v %s", x, x, x, x)
				for _, s := range secrets {
					assert.NotContains(t, out, s)
				}
			})
		}
	}
	j, _ := json.Marshal(tok)
	assert.JSONEq(t, `{"access_token":true,"refresh_token":true,"id_token":true,"token_type":"Bearer"}`, string(j))
	j, _ = json.Marshal(assoc)
	assert.Contains(t, string(j), `"login":"octo"`, "what is not a secret stays")
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
	ctx := context.Background()
	ada := backendtest.Identity{UID: "1101", Email: "ada@gmail.com", EmailVerified: true}
	tok := fake.IDToken("google-oauth2", google, ada, backendtest.IDTokenOptions{Nonce: "nonce-1"})

	_, err = svc.LoginIDToken(ctx, "google-oauth2", tok, "nonce-1")
	require.NoError(t, err)
	_, err = svc.LoginIDToken(ctx, "google-oauth2", tok, "nonce-1")
	require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	assert.NotContains(t, err.Error(), "nonce-1")
	assert.NotContains(t, err.Error(), tok)

	other := fake.IDToken("google-oauth2", google, ada, backendtest.IDTokenOptions{Nonce: "nonce-2"})
	_, err = svc.LoginIDToken(ctx, "google-oauth2", other, "nonce-2")
	require.NoError(t, err, "a fresh sign-in is fine")
}

func TestWithDetails(t *testing.T) {
	e := newEnv(t, nil)
	svc, ctx := e.svc(t), context.Background()
	r, err := svc.Login(socialauth.WithDetails(ctx, socialauth.Details{FirstName: "Alicia", Email: "alice@example.com", EmailVerified: true}), "dev", "dev-alice")
	require.NoError(t, err)
	assert.Equal(t, "Alicia", r.User.FirstName, "the client's name wins")
	assert.True(t, r.User.EmailVerified, "the same email as the provider's: the provider's verification stands")

	r, err = svc.Login(socialauth.WithDetails(ctx, socialauth.Details{Email: "boss@example.com", EmailVerified: true}), "dev", "dev-carol")
	require.NoError(t, err)
	assert.Equal(t, "boss@example.com", r.User.Email)
	assert.False(t, r.User.EmailVerified, "the client's own email is never verified")
}

// The middleware works wherever a router places it: before routing (the
// name is read when the handler calls DoAuth) and on a request copy whose
// context carries the router's values (gorilla/mux does that).
func TestMiddlewareBeforeRouting(t *testing.T) {
	e := newEnv(t, nil)
	login := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := socialauth.DoAuth(r.Context(), "dev-alice")
		if err != nil {
			code, status := socialhttp.ErrorCode(err)
			http.Error(w, code, status)
			return
		}
		_, _ = w.Write([]byte(res.User.Username))
	})
	t.Run("around a ServeMux", func(t *testing.T) {
		mux := http.NewServeMux()
		mux.Handle("POST /login/{backend}/", login)
		h := socialauth.Handler(e.cfg)(mux)
		for path, want := range map[string]int{"/login/dev/": 200, "/login/nosuch/": 404} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", path, nil))
			assert.Equal(t, want, rec.Code, path)
		}
	})
	t.Run("a router that hands on a copy with its values", func(t *testing.T) {
		type paramKey struct{}
		cfg := e.cfg
		cfg.BackendName = func(r *http.Request) string { s, _ := r.Context().Value(paramKey{}).(string); return s }
		router := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			name, _ := strings.CutPrefix(r.URL.Path, "/login/")
			login.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), paramKey{}, strings.Trim(name, "/"))))
		})
		h := socialauth.Handler(cfg)(router)
		for path, want := range map[string]int{"/login/dev/": 200, "/login/nosuch/": 404} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", path, nil))
			assert.Equal(t, want, rec.Code, path)
			if want == 200 {
				assert.Equal(t, "alice", rec.Body.String())
			}
		}
	})
}

// An id_token logs in once, whatever the entry point, the backend and
// whether or not a nonce is sent.
func TestIDTokenLogsInOnce(t *testing.T) {
	fake := backendtest.New(t)
	google := backends.Settings{Key: "web.apps.googleusercontent.com"}
	svc, err := socialauth.New(socialauth.Config{
		Backends: []socialauth.Backend{backends.GoogleOAuth2(google), backends.GoogleOIDC(google)},
		Storage:  memory.New(), Pipeline: pipeline.Default(), HTTPClient: fake.Client(), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	ctx := context.Background()
	ada := backendtest.Identity{UID: "1101", Email: "ada@gmail.com", EmailVerified: true}

	tok := fake.IDToken("google-oauth2", google, ada, backendtest.IDTokenOptions{})
	_, err = svc.LoginIDToken(ctx, "google-oauth2", tok, "")
	require.NoError(t, err)
	for _, backend := range []string{"google-oauth2", "google-openidconnect"} {
		_, err = svc.LoginIDToken(ctx, backend, tok, "")
		require.ErrorIs(t, err, socialauth.ErrInvalidToken, "a replay through %s", backend)
		assert.NotContains(t, err.Error(), tok)
	}
	withNonce := fake.IDToken("google-oauth2", google, ada, backendtest.IDTokenOptions{Nonce: "n-1"})
	_, err = svc.LoginIDToken(ctx, "google-openidconnect", withNonce, "n-1")
	require.NoError(t, err)
	_, err = svc.LoginIDToken(ctx, "google-oauth2", withNonce, "")
	require.ErrorIs(t, err, socialauth.ErrInvalidToken, "the nonce left out of the replay")
}
