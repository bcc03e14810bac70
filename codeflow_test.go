package socialauth_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

const redirectURI = "https://app.example.com/auth/complete/prov/"

// writeCounter is a Storage that counts the writes that changed something.
type writeCounter struct {
	*memory.Store
	n atomic.Int64
}

func (w *writeCounter) count(err error) error {
	if err == nil {
		w.n.Add(1)
	}
	return err
}

func (w *writeCounter) CreateUser(ctx context.Context, u *socialauth.User) (*socialauth.User, error) {
	r, err := w.Store.CreateUser(ctx, u)
	return r, w.count(err)
}
func (w *writeCounter) UpdateUser(ctx context.Context, u *socialauth.User) error {
	return w.count(w.Store.UpdateUser(ctx, u))
}
func (w *writeCounter) CreateAssociation(ctx context.Context, a *socialauth.Association) (*socialauth.Association, error) {
	r, err := w.Store.CreateAssociation(ctx, a)
	return r, w.count(err)
}
func (w *writeCounter) UpdateAssociation(ctx context.Context, a *socialauth.Association) error {
	return w.count(w.Store.UpdateAssociation(ctx, a))
}
func (w *writeCounter) DeleteAssociation(ctx context.Context, id string) error {
	return w.count(w.Store.DeleteAssociation(ctx, id))
}
func (w *writeCounter) CreateUserWithAssociation(ctx context.Context, u *socialauth.User, a *socialauth.Association, o socialauth.CreateOptions) (*socialauth.User, *socialauth.Association, error) {
	ru, ra, err := w.Store.CreateUserWithAssociation(ctx, u, a, o)
	return ru, ra, w.count(err)
}
func (w *writeCounter) SavePartial(ctx context.Context, p *socialauth.Partial) error {
	return w.count(w.Store.SavePartial(ctx, p))
}
func (w *writeCounter) DeletePartial(ctx context.Context, token string) error {
	return w.count(w.Store.DeletePartial(ctx, token))
}
func (w *writeCounter) UseNonce(ctx context.Context, scope, value string, exp time.Time) error {
	return w.count(w.Store.UseNonce(ctx, scope, value, exp))
}

// flowEnv is a Service with an "prov" OIDC backend and a "plain" OAuth2
// backend at one fake authorization server, and an "other" OIDC backend at
// a second one.
type flowEnv struct {
	as, other *backendtest.AuthorizationServer
	store     *writeCounter
	cfg       socialauth.Config
	now       time.Time
}

func newFlowEnv(t *testing.T, opts backendtest.AuthorizationServerOptions) *flowEnv {
	t.Helper()
	e := &flowEnv{
		as:    backendtest.NewAuthorizationServer(t, opts),
		other: backendtest.NewAuthorizationServer(t, backendtest.AuthorizationServerOptions{}),
		store: &writeCounter{Store: memory.New()},
		now:   time.Now(),
	}
	e.cfg = socialauth.Config{
		Backends:           []socialauth.Backend{e.as.OIDC("prov"), e.as.OAuth2("plain"), e.other.OIDC("other")},
		Storage:            e.store,
		Pipeline:           pipeline.Default(),
		DisconnectPipeline: pipeline.DefaultDisconnect(),
		HTTPClient:         e.as.Client(), // both servers are plain loopback HTTP
		Logger:             slog.New(slog.DiscardHandler),
		TokenKeys:          [][]byte{key32(t)},
	}
	return e
}

func key32(t testing.TB) []byte {
	k := make([]byte, 32)
	_, err := rand.Read(k)
	require.NoError(t, err)
	return k
}

func (e *flowEnv) svc(t *testing.T) *socialauth.Service {
	t.Helper()
	s, err := socialauth.New(e.cfg)
	require.NoError(t, err)
	return s
}

var ada = backendtest.Identity{UID: "ada-1", Username: "ada", Email: "ada@example.com", EmailVerified: true, FirstName: "Ada", LastName: "Lovelace"}

// begin makes a flow and has the fake provider approve it for id.
func begin(t *testing.T, svc *socialauth.Service, as *backendtest.AuthorizationServer, backend string, id backendtest.Identity) (flow string, resp *backendtest.AuthorizationResponse) {
	t.Helper()
	authURL, flow, err := svc.AuthCodeURL(context.Background(), backend, redirectURI, nil)
	require.NoError(t, err)
	resp, err = as.Approve(authURL, id)
	require.NoError(t, err)
	return flow, resp
}

func TestCodeFlowLogin(t *testing.T) {
	e := newFlowEnv(t, backendtest.AuthorizationServerOptions{})
	svc, ctx := e.svc(t), context.Background()

	authURL, flow, err := svc.AuthCodeURL(ctx, "prov", redirectURI, []byte("host data"),
		oauth2.SetAuthURLParam("prompt", "login"), oauth2.SetAuthURLParam("state", "attacker-chosen"), oauth2.SetAuthURLParam("redirect_uri", "https://evil.example/"))
	require.NoError(t, err)
	u, err := url.Parse(authURL)
	require.NoError(t, err)
	q := u.Query()
	assert.Equal(t, e.as.URL()+"/authorize", u.Scheme+"://"+u.Host+u.Path)
	assert.Equal(t, "code", q.Get("response_type"))
	assert.Equal(t, redirectURI, q.Get("redirect_uri"), "the caller's options cannot replace redirect_uri")
	assert.Equal(t, "S256", q.Get("code_challenge_method"))
	assert.Len(t, q.Get("code_challenge"), 43)
	assert.Len(t, q.Get("state"), 43)
	assert.NotEqual(t, "attacker-chosen", q.Get("state"), "nor the state")
	assert.Len(t, q.Get("nonce"), 43)
	assert.Equal(t, "login", q.Get("prompt"), "other options pass")
	assert.Equal(t, "openid profile email", q.Get("scope"))
	for _, secret := range []string{q.Get("state"), q.Get("nonce"), q.Get("code_challenge")} {
		assert.NotContains(t, flow, secret, "the flow is sealed")
	}
	data, err := svc.FlowData("prov", flow)
	require.NoError(t, err)
	assert.Equal(t, "host data", string(data))

	resp, err := e.as.Approve(authURL, ada)
	require.NoError(t, err)
	assert.Equal(t, redirectURI, resp.RedirectURI)
	res, err := svc.LoginCode(ctx, "prov", flow, resp.Params)
	require.NoError(t, err)
	assert.True(t, res.IsNew)
	assert.Equal(t, "ada-1", res.Association.UID)
	assert.Equal(t, "ada@example.com", res.User.Email)
	assert.True(t, res.User.EmailVerified)
	assert.Equal(t, "Lovelace", res.User.LastName)
	assert.NotEmpty(t, res.Association.RefreshToken(), "the refresh token is kept")
	assert.Equal(t, 1, e.as.Calls("token"))

	t.Run("returning user through the plain OAuth 2.0 backend is another identity", func(t *testing.T) {
		flow, resp := begin(t, svc, e.as, "plain", ada)
		res, err := svc.LoginCode(ctx, "plain", flow, resp.Params)
		require.NoError(t, err)
		assert.Equal(t, "plain", res.Association.Provider)
		assert.Equal(t, "ada-1", res.Association.UID)
	})
}

// TestCodeFlowRefusals: every refused callback is refused before the
// provider's token endpoint is called, and writes nothing.
func TestCodeFlowRefusals(t *testing.T) {
	e := newFlowEnv(t, backendtest.AuthorizationServerOptions{})
	svc, ctx := e.svc(t), context.Background()

	used, usedResp := begin(t, svc, e.as, "prov", ada)
	_, err := svc.LoginCode(ctx, "prov", used, usedResp.Params)
	require.NoError(t, err)

	keyless := e.cfg
	keyless.TokenKeys = [][]byte{key32(t)}
	otherKeys, err := socialauth.New(keyless)
	require.NoError(t, err)

	type callback struct {
		backend, flow string
		params        url.Values
	}
	cases := []struct {
		name string
		make func(t *testing.T) callback
		want error
	}{
		{"replayed state and code", func(t *testing.T) callback { return callback{"prov", used, usedResp.Params} }, socialauth.ErrStateMismatch},
		{"a flow minted for prov at other's callback", func(t *testing.T) callback {
			flow, resp := begin(t, svc, e.as, "prov", ada)
			return callback{"other", flow, resp.Params}
		}, socialauth.ErrStateMismatch},
		{"stripped state", func(t *testing.T) callback {
			flow, resp := begin(t, svc, e.as, "prov", ada)
			resp.Params.Del("state")
			return callback{"prov", flow, resp.Params}
		}, socialauth.ErrStateMismatch},
		{"two states", func(t *testing.T) callback {
			flow, resp := begin(t, svc, e.as, "prov", ada)
			resp.Params.Add("state", resp.Params.Get("state"))
			return callback{"prov", flow, resp.Params}
		}, socialauth.ErrStateMismatch},
		{"another login's state", func(t *testing.T) callback {
			flow, _ := begin(t, svc, e.as, "prov", ada)
			_, resp := begin(t, svc, e.as, "prov", ada)
			return callback{"prov", flow, resp.Params}
		}, socialauth.ErrStateMismatch},
		{"no flow (no cookie: no verifier, no nonce)", func(t *testing.T) callback {
			_, resp := begin(t, svc, e.as, "prov", ada)
			return callback{"prov", "", resp.Params}
		}, socialauth.ErrStateMismatch},
		{"an unsealed flow", func(t *testing.T) callback {
			_, resp := begin(t, svc, e.as, "prov", ada)
			return callback{"prov", "state=" + resp.Params.Get("state"), resp.Params}
		}, socialauth.ErrStateMismatch},
		{"an altered flow", func(t *testing.T) callback {
			flow, resp := begin(t, svc, e.as, "prov", ada)
			b := []byte(flow)
			b[len(b)-5] ^= 1
			return callback{"prov", string(b), resp.Params}
		}, socialauth.ErrStateMismatch},
		{"a flow sealed with another key", func(t *testing.T) callback {
			flow, resp := begin(t, otherKeys, e.as, "prov", ada)
			return callback{"prov", flow, resp.Params}
		}, socialauth.ErrStateMismatch},
		{"error=access_denied", func(t *testing.T) callback {
			authURL, flow, err := svc.AuthCodeURL(ctx, "prov", redirectURI, nil)
			require.NoError(t, err)
			resp, err := e.as.Deny(authURL, "The user said no")
			require.NoError(t, err)
			return callback{"prov", flow, resp.Params}
		}, socialauth.ErrAuthCanceled},
		{"no code", func(t *testing.T) callback {
			flow, resp := begin(t, svc, e.as, "prov", ada)
			resp.Params.Del("code")
			return callback{"prov", flow, resp.Params}
		}, socialauth.ErrInvalidRequest},
		{"a code with a control character", func(t *testing.T) callback {
			flow, resp := begin(t, svc, e.as, "prov", ada)
			resp.Params.Set("code", resp.Params.Get("code")+"\n")
			return callback{"prov", flow, resp.Params}
		}, socialauth.ErrInvalidRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cb := tc.make(t)
			tokenCalls, writes := e.as.Calls("token")+e.other.Calls("token"), e.store.n.Load()
			res, err := svc.LoginCode(ctx, cb.backend, cb.flow, cb.params)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, res)
			assert.Equal(t, tokenCalls, e.as.Calls("token")+e.other.Calls("token"), "the token endpoint was not called")
			if tc.want == socialauth.ErrStateMismatch {
				assert.Equal(t, writes, e.store.n.Load(), "nothing was written")
			} else {
				assert.Equal(t, writes+1, e.store.n.Load(), "only the state was spent")
			}
			for _, k := range []string{"state", "code"} {
				if secret := cb.params.Get(k); len(secret) > 8 {
					assert.NotContains(t, err.Error(), secret, "no %s in the error", k)
				}
			}
			if len(cb.flow) > 40 {
				assert.NotContains(t, err.Error(), cb.flow[20:], "no flow in the error")
			}
		})
	}
}

func TestCodeFlowCanceled(t *testing.T) {
	e := newFlowEnv(t, backendtest.AuthorizationServerOptions{})
	svc, ctx := e.svc(t), context.Background()
	authURL, flow, err := svc.AuthCodeURL(ctx, "prov", redirectURI, nil)
	require.NoError(t, err)
	resp, err := e.as.Deny(authURL, `<script>alert("x")</script> & "quotes"`+"\r\nInjected: header")
	require.NoError(t, err)
	_, err = svc.LoginCode(ctx, "prov", flow, resp.Params)
	require.ErrorIs(t, err, socialauth.ErrAuthCanceled)
	assert.Contains(t, err.Error(), "access_denied: &lt;script&gt;alert(x)&lt;/script&gt; &amp; quotesInjected: header",
		"the provider's text restricted to RFC 6749's characters, then HTML-escaped")
	assert.NotContains(t, err.Error(), "<")

	// The state is spent: the approval that an attacker might race in
	// afterwards with the same state is refused before the token endpoint.
	resp.Params.Del("error")
	resp.Params.Del("error_description")
	resp.Params.Set("code", "anything")
	_, err = svc.LoginCode(ctx, "prov", flow, resp.Params)
	require.ErrorIs(t, err, socialauth.ErrStateMismatch)
	assert.Equal(t, 0, e.as.Calls("token"))
}

func TestCodeFlowIssuerParameter(t *testing.T) {
	e := newFlowEnv(t, backendtest.AuthorizationServerOptions{IssuerParameter: true})
	svc, ctx := e.svc(t), context.Background()

	flow, resp := begin(t, svc, e.as, "prov", ada)
	require.Equal(t, e.as.URL(), resp.Params.Get("iss"))
	_, err := svc.LoginCode(ctx, "prov", flow, resp.Params)
	require.NoError(t, err, "the provider's own iss")

	for name, iss := range map[string]string{"mismatched iss": e.other.URL(), "missing iss": "", "iss with a trailing slash": e.as.URL() + "/"} {
		t.Run(name, func(t *testing.T) {
			flow, resp := begin(t, svc, e.as, "prov", ada)
			if iss == "" {
				resp.Params.Del("iss")
			} else {
				resp.Params.Set("iss", iss)
			}
			calls, writes := e.as.Calls("token"), e.store.n.Load()
			_, err := svc.LoginCode(ctx, "prov", flow, resp.Params)
			require.ErrorIs(t, err, socialauth.ErrAuthFailed)
			assert.Equal(t, calls, e.as.Calls("token"), "the token endpoint was not called")
			assert.Equal(t, writes+1, e.store.n.Load(), "only the state was spent")
		})
	}

	t.Run("a provider that does not advertise it: a present iss is still checked", func(t *testing.T) {
		flow, resp := begin(t, svc, e.other, "other", ada)
		resp.Params.Set("iss", e.as.URL())
		_, err := svc.LoginCode(ctx, "other", flow, resp.Params)
		require.ErrorIs(t, err, socialauth.ErrAuthFailed)
		assert.Equal(t, 0, e.other.Calls("token"))
	})
}

func TestCodeFlowNonceAndExpiry(t *testing.T) {
	e := newFlowEnv(t, backendtest.AuthorizationServerOptions{IDTokenNonce: "not-the-login-nonce"})
	now := time.Now()
	e.cfg.Now = func() time.Time { return now }
	svc, ctx := e.svc(t), context.Background()

	flow, resp := begin(t, svc, e.as, "prov", ada)
	_, err := svc.LoginCode(ctx, "prov", flow, resp.Params)
	require.ErrorIs(t, err, socialauth.ErrInvalidToken, "an id_token with another nonce is refused")
	assert.Equal(t, 1, e.as.Calls("token"))

	e.as.SetOptions(backendtest.AuthorizationServerOptions{})
	flow, resp = begin(t, svc, e.as, "prov", ada)
	now = now.Add(16 * time.Minute)
	_, err = svc.LoginCode(ctx, "prov", flow, resp.Params)
	require.ErrorIs(t, err, socialauth.ErrStateMismatch, "a login older than 15 minutes")
	assert.Equal(t, 1, e.as.Calls("token"))
}

func TestCodeFlowKeyRotation(t *testing.T) {
	e := newFlowEnv(t, backendtest.AuthorizationServerOptions{})
	old := e.svc(t)
	flow, resp := begin(t, old, e.as, "prov", ada)

	e.cfg.TokenKeys = [][]byte{key32(t), e.cfg.TokenKeys[0]}
	rotated := e.svc(t)
	_, err := rotated.LoginCode(context.Background(), "prov", flow, resp.Params)
	require.NoError(t, err, "a flow sealed with the old key opens after rotation")

	newFlow, _ := begin(t, rotated, e.as, "prov", ada)
	_, err = old.FlowData("prov", newFlow)
	require.ErrorIs(t, err, socialauth.ErrStateMismatch, "the new key seals")

	t.Run("without keys, one process's random key", func(t *testing.T) {
		e.cfg.TokenKeys = nil
		a, b := e.svc(t), e.svc(t)
		flow, _ := begin(t, a, e.as, "prov", ada)
		_, err := a.FlowData("prov", flow)
		require.NoError(t, err)
		_, err = b.FlowData("prov", flow)
		require.ErrorIs(t, err, socialauth.ErrStateMismatch)
	})
}

func TestCodeFlowConcurrentCallbacks(t *testing.T) {
	e := newFlowEnv(t, backendtest.AuthorizationServerOptions{})
	svc := e.svc(t)
	flow, resp := begin(t, svc, e.as, "prov", ada)
	var wg sync.WaitGroup
	var wins atomic.Int32
	for range 8 {
		wg.Go(func() {
			if _, err := svc.LoginCode(context.Background(), "prov", flow, resp.Params); err == nil {
				wins.Add(1)
			} else {
				assert.ErrorIs(t, err, socialauth.ErrStateMismatch)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), wins.Load())
	assert.Equal(t, 1, e.as.Calls("token"), "one state, one redemption")
}

func TestCodeFlowConnect(t *testing.T) {
	e := newFlowEnv(t, backendtest.AuthorizationServerOptions{})
	svc, ctx := e.svc(t), context.Background()
	flow, resp := begin(t, svc, e.as, "prov", ada)
	first, err := svc.LoginCode(ctx, "prov", flow, resp.Params)
	require.NoError(t, err)

	flow, resp = begin(t, svc, e.other, "other", backendtest.Identity{UID: "ada-at-other"})
	res, err := svc.ConnectCode(ctx, "other", first.User, flow, resp.Params)
	require.NoError(t, err)
	assert.Equal(t, first.User.ID, res.User.ID)
	assert.True(t, res.NewAssociation)

	flow, resp = begin(t, svc, e.as, "prov", backendtest.Identity{UID: "bob"})
	bob, err := svc.LoginCode(ctx, "prov", flow, resp.Params)
	require.NoError(t, err)
	flow, resp = begin(t, svc, e.other, "other", backendtest.Identity{UID: "ada-at-other"})
	_, err = svc.ConnectCode(ctx, "other", bob.User, flow, resp.Params)
	require.ErrorIs(t, err, socialauth.ErrAlreadyAssociated, "Ada's account is not Bob's to connect")

	_, err = svc.ConnectCode(ctx, "other", nil, flow, resp.Params)
	require.ErrorIs(t, err, socialauth.ErrInvalidRequest)
}

func TestCodeFlowBadInput(t *testing.T) {
	e := newFlowEnv(t, backendtest.AuthorizationServerOptions{})
	e.cfg.Backends = append(e.cfg.Backends, noCodeFlow{})
	svc, ctx := e.svc(t), context.Background()
	_, _, err := svc.AuthCodeURL(ctx, "nocode", redirectURI, nil)
	require.ErrorIs(t, err, socialauth.ErrUnknownBackend)
	_, _, err = svc.AuthCodeURL(ctx, "nosuch", redirectURI, nil)
	require.ErrorIs(t, err, socialauth.ErrUnknownBackend)
	for _, bad := range []string{"", "/relative", "javascript:alert(1)", "https://app.example.com/cb#frag", "https://user@app.example.com/", "http://app.example.com/cb"} {
		_, _, err = svc.AuthCodeURL(ctx, "prov", bad, nil)
		require.ErrorIs(t, err, socialauth.ErrInvalidRequest, bad)
	}
	for _, dev := range []string{"http://localhost:8080/cb", "http://127.0.0.1:8080/cb", "http://[::1]:8080/cb"} {
		_, _, err = svc.AuthCodeURL(ctx, "prov", dev, nil)
		require.NoError(t, err, dev)
	}
	_, _, err = svc.AuthCodeURL(ctx, "prov", redirectURI, []byte(strings.Repeat("x", 3000)))
	require.ErrorIs(t, err, socialauth.ErrInvalidRequest)
}

type noCodeFlow struct{}

func (noCodeFlow) Name() string { return "nocode" }
func (noCodeFlow) Authenticate(context.Context, *http.Client, string) (*socialauth.Profile, error) {
	return nil, socialauth.ErrInvalidToken
}
