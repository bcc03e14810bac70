package devprovider_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// TestClientBackendCodeFlow: ClientBackend runs the Service's browser login
// at two development providers (log in at one, connect the other), keeps
// the static dev-<name> tokens working, refreshes and, on disconnect,
// revokes at the provider.
func TestClientBackendCodeFlow(t *testing.T) {
	f := newFixture(t)
	work := newFixture(t)
	cl := testClients()[0]
	dev := devprovider.ClientBackend("dev", f.base+"/", cl)
	devWork := devprovider.ClientBackend("dev-work", work.base, cl)

	p := dev.Provider()
	assert.Equal(t, "dev", dev.Name())
	assert.Equal(t, []string{cl.ID, cl.Secret, f.base + "/revoke", f.base + "/authorize"},
		[]string{p.ClientID, p.ClientSecret, p.RevocationURL, p.AuthURL})

	// Both providers listen on loopback; one client reaches both.
	seen := &pathRecorder{}
	client := &http.Client{Timeout: 10 * time.Second, Transport: seen}
	store := memory.New()
	cfg := socialauth.Config{
		Backends:           []socialauth.Backend{dev, devWork},
		Storage:            store,
		Pipeline:           pipeline.Default(),
		DisconnectPipeline: pipeline.DefaultDisconnect(),
		HTTPClient:         client,
		Logger:             slog.New(slog.DiscardHandler),
	}
	svc, err := socialauth.New(cfg)
	require.NoError(t, err)
	ctx := t.Context()

	authURL, flow, err := svc.AuthCodeURL(ctx, "dev", redirectURI, nil)
	require.NoError(t, err)
	resp, body := f.submit(t, authURL, "uma", "allow")
	params := redirected(t, resp, body)
	assert.Equal(t, f.base, params.Get("iss"))
	res, err := svc.LoginCode(ctx, "dev", flow, params)
	require.NoError(t, err)
	assert.True(t, res.IsNew)
	assert.Equal(t, "dev-uma", res.Association.UID)
	assert.Equal(t, "uma@example.com", res.User.Email)
	assert.Equal(t, "uma Developer", res.User.FullName)
	user := res.User
	assert.Subset(t, seen.list(), []string{"POST /token", "GET /.well-known/openid-configuration", "GET /jwks", "GET /userinfo"},
		"the id_token was verified with the provider's keys")

	_, err = svc.LoginCode(ctx, "dev", flow, params)
	require.ErrorIs(t, err, socialauth.ErrStateMismatch, "a flow is spent once")

	// A response from the other provider's issuer is refused before the code
	// is redeemed (RFC 9207).
	authURL, flow, err = svc.AuthCodeURL(ctx, "dev", redirectURI, nil)
	require.NoError(t, err)
	resp, body = f.submit(t, authURL, "uma", "allow")
	params = redirected(t, resp, body)
	params.Set("iss", work.base)
	_, err = svc.LoginCode(ctx, "dev", flow, params)
	require.ErrorIs(t, err, socialauth.ErrAuthFailed)

	// The Deny button is a canceled login.
	authURL, flow, err = svc.AuthCodeURL(ctx, "dev", redirectURI, nil)
	require.NoError(t, err)
	resp, body = f.submit(t, authURL, "", "deny")
	_, err = svc.LoginCode(ctx, "dev", flow, redirected(t, resp, body))
	require.ErrorIs(t, err, socialauth.ErrAuthCanceled)

	// The token exchange's static token is the same person.
	again, err := svc.Login(ctx, "dev", "dev-uma")
	require.NoError(t, err)
	assert.False(t, again.IsNew)
	assert.Equal(t, user.ID, again.User.ID)

	// Connect the second provider.
	authURL, flow, err = svc.AuthCodeURL(ctx, "dev-work", redirectURI, nil)
	require.NoError(t, err)
	resp, body = work.submit(t, authURL, "uma.at.work", "allow")
	conn, err := svc.ConnectCode(ctx, "dev-work", user, flow, redirected(t, resp, body))
	require.NoError(t, err)
	assert.Equal(t, user.ID, conn.User.ID)
	assert.True(t, conn.NewAssociation)
	assocs, err := svc.Associations(ctx, user.ID)
	require.NoError(t, err)
	require.Len(t, assocs, 2)
	workToken := assocs[1].AccessToken()
	status, _ := work.userinfo(t, workToken)
	require.Equal(t, http.StatusOK, status)

	// An hour and a bit later, as the Service sees it: the stored access
	// token has expired and is refreshed at the provider.
	later := cfg
	later.Now = func() time.Time { return time.Now().Add(pastAccessTokenLifetime) }
	svcLater, err := socialauth.New(later)
	require.NoError(t, err)
	fresh, err := svcLater.AccessToken(ctx, assocs[1])
	require.NoError(t, err)
	assert.NotEqual(t, workToken, fresh.AccessToken)
	status, _ = work.userinfo(t, fresh.AccessToken)
	assert.Equal(t, http.StatusOK, status)

	// Disconnecting it revokes its sign-in at the provider.
	require.NoError(t, svc.Disconnect(ctx, "dev-work", user, ""))
	status, _ = work.userinfo(t, fresh.AccessToken)
	assert.Equal(t, http.StatusUnauthorized, status, "revoked on disconnect")
	assocs, err = svc.Associations(ctx, user.ID)
	require.NoError(t, err)
	require.Len(t, assocs, 1)
	err = svc.Disconnect(ctx, "dev", user, "")
	require.ErrorIs(t, err, socialauth.ErrNotAllowedToDisconnect, "never the last way to log in")
}

// pastAccessTokenLifetime is past the provider's access token lifetime.
const pastAccessTokenLifetime = devprovider.DefaultAccessTokenLifetime + time.Minute

// TestBackendHasNoBrowserLogin: the token exchange's Backend names no client,
// so the Service refuses to begin a browser login with it.
func TestBackendHasNoBrowserLogin(t *testing.T) {
	srv := httptest.NewServer(devprovider.Handler())
	defer srv.Close()
	svc, err := socialauth.New(socialauth.Config{
		Backends: []socialauth.Backend{devprovider.Backend(srv.URL)},
		Storage:  memory.New(), Pipeline: pipeline.Default(), Logger: slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	_, _, err = svc.AuthCodeURL(t.Context(), "dev", redirectURI, nil)
	require.ErrorIs(t, err, socialauth.ErrAuthFailed)
	assert.Empty(t, devprovider.Backend(srv.URL).Provider().RevocationURL, "nothing to revoke with")
}

// pathRecorder notes the requests sent through it.
type pathRecorder struct {
	mu   sync.Mutex
	seen []string
}

func (p *pathRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	p.mu.Lock()
	p.seen = append(p.seen, r.Method+" "+r.URL.Path)
	p.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func (p *pathRecorder) list() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.seen)
}
