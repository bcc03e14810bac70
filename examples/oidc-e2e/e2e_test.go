package e2e_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"golang.org/x/oauth2"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

const (
	clientID, clientSecret = "socialauth-e2e-web", "e2e-web-secret"
	otherID, otherSecret   = "socialauth-e2e-other", "e2e-other-secret"
	redirectURI            = "http://127.0.0.1/auth/callback" // never dialled: the browser stops at it
)

// op starts zitadel's example OpenID Provider on a loopback port; its
// issuer is its own URL. The example's users are test-user@127.0.0.1 (id1)
// and test-user2 (id2), password "verysecure".
func op(t *testing.T) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	storage.RegisterClients(
		storage.WebClient(clientID, clientSecret, redirectURI),
		storage.WebClient(otherID, otherSecret, redirectURI),
	)
	srv.Config.Handler = exampleop.SetupServer(issuer, storage.NewStorage(storage.NewUserStore(issuer)), nil, false)
	srv.Start()
	t.Cleanup(srv.Close)
	return issuer
}

// login drives the authorization-code flow as a browser and the app's
// back end would: authorize (state, nonce, PKCE S256), the OP's login
// form, the redirect back with the code, and the token request.
func login(t *testing.T, issuer, id, secret, username, nonce string) *oauth2.Token {
	t.Helper()
	ctx := t.Context()
	var meta struct {
		Auth  string `json:"authorization_endpoint"`
		Token string `json:"token_endpoint"`
	}
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&meta))
	resp.Body.Close()

	conf := &oauth2.Config{ClientID: id, ClientSecret: secret, RedirectURL: redirectURI,
		Endpoint: oauth2.Endpoint{AuthURL: meta.Auth, TokenURL: meta.Token, AuthStyle: oauth2.AuthStyleInHeader},
		Scopes:   []string{"openid", "profile", "email"}}
	state, verifier := rand.Text(), oauth2.GenerateVerifier()
	back := authorize(t, issuer, conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", nonce)), username)
	require.Equal(t, state, back.Get("state"))

	tok, err := conf.Exchange(ctx, back.Get("code"), oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	return tok
}

// authorize is the browser's part of a code flow: it opens authURL, signs
// in at the OP's login form as username, and returns the parameters of
// the OP's redirect back to redirectURI.
func authorize(t *testing.T, issuer, authURL, username string) url.Values {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), redirectURI) {
			return http.ErrUseLastResponse // back at the app, with the code
		}
		return nil
	}}
	resp, err := browser.Get(authURL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "the OP's login form")
	authRequest := resp.Request.URL.Query().Get("authRequestID")
	require.NotEmpty(t, authRequest)

	resp, err = browser.PostForm(issuer+"/login/username", url.Values{"id": {authRequest}, "username": {username}, "password": {"verysecure"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode, "redirected back to the app")
	back, err := resp.Location()
	require.NoError(t, err)
	return back.Query()
}

func TestOIDCBackendAgainstZitadel(t *testing.T) {
	issuer := op(t)
	settings := backends.Settings{Key: clientID, Secret: clientSecret, BaseURL: issuer}
	calls := &recorder{base: http.DefaultTransport}
	svc, err := socialauth.New(socialauth.Config{
		Backends:   []socialauth.Backend{backends.GenericOIDC(settings)},
		Storage:    memory.New(),
		Pipeline:   pipeline.Default().InsertAfter("get_username", pipeline.AssociateByEmail()),
		HTTPClient: &http.Client{Timeout: 10 * time.Second, Transport: calls},
	})
	require.NoError(t, err)
	ctx := context.Background()

	nonce := rand.Text()
	tok := login(t, issuer, clientID, clientSecret, "test-user@127.0.0.1", nonce)
	idToken, _ := tok.Extra("id_token").(string)
	require.NotEmpty(t, idToken)

	// The access token: userinfo, and introspection, which the OP advertises.
	first, err := svc.Login(ctx, "oidc", tok.AccessToken)
	require.NoError(t, err)
	assert.True(t, first.IsNew)
	assert.Equal(t, "id1", first.Association.UID, "the OP's sub")
	assert.Equal(t, "test-user@zitadel.ch", first.User.Email)
	assert.True(t, first.User.EmailVerified)
	assert.Equal(t, "Test", first.User.FirstName)
	assert.Subset(t, calls.paths(), []string{"GET /.well-known/openid-configuration", "GET /userinfo", "POST /oauth/introspect"})

	// The id_token, with the nonce of this login: the same user.
	again, err := svc.LoginIDToken(ctx, "oidc", idToken, nonce)
	require.NoError(t, err)
	assert.False(t, again.IsNew)
	assert.Equal(t, first.User.ID, again.User.ID)

	// Both at once, as the code flow will hand them over.
	b, _ := svc.Backend("oidc")
	p, err := b.(*backends.OIDC).AuthenticateTokens(t.Context(), http.DefaultClient,
		socialauth.Token{AccessToken: tok.AccessToken, IDToken: idToken}, nonce)
	require.NoError(t, err)
	assert.Equal(t, "id1", p.UID)

	t.Run("refusals", func(t *testing.T) {
		_, err := svc.LoginIDToken(ctx, "oidc", idToken, "a-nonce-of-another-login")
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
		assert.Contains(t, err.Error(), "nonce")
		_, err = svc.LoginIDToken(ctx, "oidc", idToken, nonce)
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
		assert.Contains(t, err.Error(), "already used", "an id_token logs in once")

		// A second app of the same OP: its tokens are real, but not ours.
		nonce := rand.Text()
		theirs := login(t, issuer, otherID, otherSecret, "test-user2", nonce)
		_, err = svc.LoginIDToken(ctx, "oidc", theirs.Extra("id_token").(string), nonce)
		require.ErrorIs(t, err, socialauth.ErrInvalidToken, "aud is the other app")
		_, err = svc.Login(ctx, "oidc", theirs.AccessToken)
		require.ErrorIs(t, err, socialauth.ErrInvalidToken, "introspection: not issued to this app")
		assert.Contains(t, err.Error(), "not active", "the OP tells this app nothing of another app's token")
		noToken(t, err, theirs.AccessToken)

		_, err = svc.Login(ctx, "oidc", "not-a-token-of-this-op")
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	})
	t.Run("without a secret the access token's audience is not proven", func(t *testing.T) {
		s := settings
		s.Secret = ""
		public := backends.GenericOIDC(s)
		nonce := rand.Text()
		theirs := login(t, issuer, otherID, otherSecret, "test-user2", nonce)
		p, err := public.Authenticate(t.Context(), http.DefaultClient, theirs.AccessToken)
		require.NoError(t, err, "userinfo alone accepts any app's token, as Doc says")
		assert.Equal(t, "id2", p.UID)
		assert.False(t, public.Doc().ChecksAudience)
	})
}

// recorder notes the requests the backend sends to the OP.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	seen []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.seen = append(r.seen, req.Method+" "+req.URL.Path)
	r.mu.Unlock()
	return r.base.RoundTrip(req)
}

func (r *recorder) paths() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen)
}

func noToken(t *testing.T, err error, tok string) {
	t.Helper()
	assert.NotContains(t, err.Error(), tok)
}
