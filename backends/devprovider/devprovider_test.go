package devprovider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/go-socialauth/socialauth/backends/devprovider"
)

// redirectURI is registered for the test clients. Nothing listens there: the
// tests read the provider's redirect and follow it by hand.
const redirectURI = "http://127.0.0.1:9/callback"

// clock is the provider's injectable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is one provider on a loopback server, with a client for it.
type fixture struct {
	srv   *httptest.Server
	base  string // the provider's issuer
	clock *clock
	conf  *oauth2.Config // the registered confidential client "dev-client"
	ctx   context.Context
	web   *http.Client // a browser that does not follow redirects
}

func testClients() []devprovider.Client {
	return []devprovider.Client{
		{ID: "dev-client", Secret: "dev-secret", RedirectURIs: []string{redirectURI, "http://127.0.0.1:9/other"}},
		{ID: "other-client", Secret: "other-secret", RedirectURIs: []string{redirectURI}},
		{ID: "public-client", RedirectURIs: []string{redirectURI}},
	}
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clk := &clock{t: time.Now().Truncate(time.Second)}
	srv := httptest.NewServer(devprovider.New(devprovider.Config{Clients: testClients(), Now: clk.Now}))
	t.Cleanup(srv.Close)
	return fixtureFor(t, srv, srv.URL, clk)
}

// fixtureFor is a fixture for a provider whose issuer is base.
func fixtureFor(t *testing.T, srv *httptest.Server, base string, clk *clock) *fixture {
	web := srv.Client()
	noRedirect := *web
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &fixture{
		srv:   srv,
		base:  base,
		clock: clk,
		conf:  clientConfig(base, nil),
		ctx:   context.WithValue(oidc.ClientContext(t.Context(), web), oauth2.HTTPClient, web),
		web:   &noRedirect,
	}
}

// clientConfig is the client "dev-client" of the provider at base, changed by edit.
func clientConfig(base string, edit func(*oauth2.Config)) *oauth2.Config {
	c := &oauth2.Config{
		ClientID: "dev-client", ClientSecret: "dev-secret", RedirectURL: redirectURI,
		// One style, not x/oauth2's detection, whose retry would be a
		// second try of the same code.
		Endpoint: oauth2.Endpoint{AuthURL: base + "/authorize", TokenURL: base + "/token", AuthStyle: oauth2.AuthStyleInHeader},
		Scopes:   []string{"openid", "profile", "email"},
	}
	if edit != nil {
		edit(c)
	}
	return c
}

// client is the fixture's client, changed by edit.
func (f *fixture) client(edit func(*oauth2.Config)) *oauth2.Config { return clientConfig(f.base, edit) }

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// hiddenFields reads the hidden inputs of a page the provider rendered.
func hiddenFields(page string) url.Values {
	v := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// get fetches u without following redirects.
func (f *fixture) get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := f.web.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

func (f *fixture) post(t *testing.T, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := f.web.PostForm(u, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

// submit opens the login page at authURL and posts its form with name and
// action, returning the provider's answer.
func (f *fixture) submit(t *testing.T, authURL, name, action string) (*http.Response, string) {
	t.Helper()
	resp, page := f.get(t, authURL)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Contains(t, page, `<form method="post" action="authorize">`)
	form := hiddenFields(page)
	form.Set("name", name)
	form.Set("action", action)
	return f.post(t, f.base+"/authorize", form)
}

// redirected asserts that resp redirects to the registered redirect URI and
// returns the response parameters.
func redirected(t *testing.T, resp *http.Response, body string) url.Values {
	t.Helper()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, redirectURI, loc.Scheme+"://"+loc.Host+loc.Path)
	return loc.Query()
}

// signIn runs the browser's part as name and returns the code, checking the
// state and iss that come back with it.
func (f *fixture) signIn(t *testing.T, conf *oauth2.Config, name, verifier string, opts ...oauth2.AuthCodeOption) string {
	t.Helper()
	opts = append(opts, oauth2.S256ChallengeOption(verifier))
	resp, body := f.submit(t, conf.AuthCodeURL("state-"+name, opts...), name, "allow")
	q := redirected(t, resp, body)
	require.Equal(t, "state-"+name, q.Get("state"))
	require.Equal(t, f.base, q.Get("iss"))
	require.NotEmpty(t, q.Get("code"))
	return q.Get("code")
}

// login is a whole code flow as name, up to the tokens.
func (f *fixture) login(t *testing.T, name string) *oauth2.Token {
	t.Helper()
	v := oauth2.GenerateVerifier()
	tok, err := f.conf.Exchange(f.ctx, f.signIn(t, f.conf, name, v), oauth2.VerifierOption(v))
	require.NoError(t, err)
	return tok
}

// userinfo calls the userinfo endpoint with token.
func (f *fixture) userinfo(t *testing.T, token string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.base+"/userinfo", nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := f.web.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var m map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	return resp.StatusCode, m
}

func (f *fixture) refresh(conf *oauth2.Config, refreshToken string) (*oauth2.Token, error) {
	return conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
}

// revoke posts to /revoke as clientID (client_secret_basic).
func (f *fixture) revoke(t *testing.T, clientID, secret, token string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.base+"/revoke", strings.NewReader(url.Values{"token": {token}}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	resp, err := f.web.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func oauthErrorCode(t *testing.T, err error) string {
	t.Helper()
	var re *oauth2.RetrieveError
	require.ErrorAs(t, err, &re)
	return re.ErrorCode
}

// TestCodeFlow walks the whole flow as a client does: authorization request
// with PKCE, the login form, the redirect, the exchange, the id_token,
// userinfo, a refresh, and revocation.
func TestCodeFlow(t *testing.T) {
	f := newFixture(t)
	verifier := oauth2.GenerateVerifier()
	code := f.signIn(t, f.conf, "alice", verifier, oauth2.SetAuthURLParam("nonce", "n-0S6_WzA2Mj"))

	tok, err := f.conf.Exchange(f.ctx, code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	assert.Equal(t, "Bearer", tok.TokenType)
	assert.NotEmpty(t, tok.RefreshToken)
	assert.Equal(t, "openid profile email", tok.Extra("scope"))
	assert.WithinDuration(t, time.Now().Add(devprovider.DefaultAccessTokenLifetime), tok.Expiry, time.Minute)

	// The id_token verifies against the discovery document.
	provider, err := oidc.NewProvider(f.ctx, f.base)
	require.NoError(t, err)
	rawID, _ := tok.Extra("id_token").(string)
	require.NotEmpty(t, rawID)
	idt, err := provider.Verifier(&oidc.Config{ClientID: "dev-client", Now: f.clock.Now}).Verify(f.ctx, rawID)
	require.NoError(t, err)
	assert.Equal(t, f.base, idt.Issuer)
	assert.Equal(t, []string{"dev-client"}, idt.Audience)
	assert.Equal(t, "dev-alice", idt.Subject)
	assert.Equal(t, "n-0S6_WzA2Mj", idt.Nonce)
	require.NoError(t, idt.VerifyAccessToken(tok.AccessToken), "at_hash")
	require.Error(t, idt.VerifyAccessToken(tok.AccessToken+"x"), "at_hash binds this access token")
	var c struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		Username      string `json:"preferred_username"`
	}
	require.NoError(t, idt.Claims(&c))
	assert.Equal(t, "alice@example.com", c.Email)
	assert.True(t, c.EmailVerified)
	assert.Equal(t, "alice", c.Username)
	// Another client's verifier refuses it: aud is the client id.
	_, err = provider.Verifier(&oidc.Config{ClientID: "other-client", Now: f.clock.Now}).Verify(f.ctx, rawID)
	require.Error(t, err)

	status, info := f.userinfo(t, tok.AccessToken)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "dev-alice", info["sub"])
	assert.Equal(t, "alice", info["preferred_username"])
	assert.Equal(t, "alice@example.com", info["email"])

	// Refresh rotates both tokens; the id_token keeps iss and sub, no nonce.
	next, err := f.refresh(f.conf, tok.RefreshToken)
	require.NoError(t, err)
	assert.NotEqual(t, tok.AccessToken, next.AccessToken)
	assert.NotEqual(t, tok.RefreshToken, next.RefreshToken)
	idt2, err := provider.Verifier(&oidc.Config{ClientID: "dev-client", Now: f.clock.Now}).Verify(f.ctx, next.Extra("id_token").(string))
	require.NoError(t, err)
	assert.Equal(t, idt.Issuer, idt2.Issuer)
	assert.Equal(t, idt.Subject, idt2.Subject)
	assert.Empty(t, idt2.Nonce)
	require.NoError(t, idt2.VerifyAccessToken(next.AccessToken))
	status, _ = f.userinfo(t, next.AccessToken)
	require.Equal(t, http.StatusOK, status)

	// Revoking the access token kills it at userinfo.
	require.Equal(t, http.StatusOK, f.revoke(t, "dev-client", "dev-secret", next.AccessToken))
	status, info = f.userinfo(t, next.AccessToken)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "invalid_token", info["error"])
}

// TestCodeRefused: every misuse of a code at the token endpoint fails, and
// spends the code unless the client failed to authenticate.
func TestCodeRefused(t *testing.T) {
	other := oauth2.GenerateVerifier()
	cases := []struct {
		name string
		// exchange tries the code wrongly.
		exchange func(f *fixture, code, verifier string) error
		wantErr  string
		// spent says whether the right exchange afterwards fails too.
		spent bool
	}{
		{"wrong verifier", func(f *fixture, code, _ string) error {
			_, err := f.conf.Exchange(f.ctx, code, oauth2.VerifierOption(other))
			return err
		}, "invalid_grant", true},
		{"missing verifier", func(f *fixture, code, _ string) error {
			_, err := f.conf.Exchange(f.ctx, code)
			return err
		}, "invalid_request", true},
		{"malformed verifier", func(f *fixture, code, _ string) error {
			_, err := f.conf.Exchange(f.ctx, code, oauth2.VerifierOption("short"))
			return err
		}, "invalid_grant", true},
		{"the challenge as verifier", func(f *fixture, code, v string) error {
			_, err := f.conf.Exchange(f.ctx, code, oauth2.VerifierOption(oauth2.S256ChallengeFromVerifier(v)))
			return err
		}, "invalid_grant", true},
		{"wrong redirect_uri", func(f *fixture, code, v string) error {
			c := f.client(func(c *oauth2.Config) { c.RedirectURL = "http://127.0.0.1:9/other" })
			_, err := c.Exchange(f.ctx, code, oauth2.VerifierOption(v))
			return err
		}, "invalid_grant", true},
		{"missing redirect_uri", func(f *fixture, code, v string) error {
			c := f.client(func(c *oauth2.Config) { c.RedirectURL = "" })
			_, err := c.Exchange(f.ctx, code, oauth2.VerifierOption(v))
			return err
		}, "invalid_grant", true},
		{"another client", func(f *fixture, code, v string) error {
			c := f.client(func(c *oauth2.Config) { c.ClientID, c.ClientSecret = "other-client", "other-secret" })
			_, err := c.Exchange(f.ctx, code, oauth2.VerifierOption(v))
			return err
		}, "invalid_grant", true},
		{"expired code", func(f *fixture, code, v string) error {
			f.clock.Add(devprovider.DefaultCodeLifetime)
			_, err := f.conf.Exchange(f.ctx, code, oauth2.VerifierOption(v))
			f.clock.Add(-devprovider.DefaultCodeLifetime) // the right try afterwards is in time
			return err
		}, "invalid_grant", true},
		{"unknown code", func(f *fixture, code, v string) error {
			_, err := f.conf.Exchange(f.ctx, code+"x", oauth2.VerifierOption(v))
			return err
		}, "invalid_grant", false},
		{"wrong client secret", func(f *fixture, code, v string) error {
			c := f.client(func(c *oauth2.Config) { c.ClientSecret = "dev-secreT" })
			_, err := c.Exchange(f.ctx, code, oauth2.VerifierOption(v))
			return err
		}, "invalid_client", false},
		{"no client secret", func(f *fixture, code, v string) error {
			c := f.client(func(c *oauth2.Config) { c.ClientSecret = "" })
			_, err := c.Exchange(f.ctx, code, oauth2.VerifierOption(v))
			return err
		}, "invalid_client", false},
		{"unknown client", func(f *fixture, code, v string) error {
			c := f.client(func(c *oauth2.Config) { c.ClientID = "nobody" })
			_, err := c.Exchange(f.ctx, code, oauth2.VerifierOption(v))
			return err
		}, "invalid_client", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			v := oauth2.GenerateVerifier()
			code := f.signIn(t, f.conf, "bob", v)
			err := tc.exchange(f, code, v)
			require.Error(t, err)
			assert.Equal(t, tc.wantErr, oauthErrorCode(t, err))
			assert.NotContains(t, err.Error(), code, "no code in error text")

			tok, err := f.conf.Exchange(f.ctx, code, oauth2.VerifierOption(v))
			if tc.spent {
				require.Error(t, err, "the misused code is spent")
				assert.Equal(t, "invalid_grant", oauthErrorCode(t, err))
				return
			}
			require.NoError(t, err, "a refusal before the code was looked at leaves it good")
			assert.NotEmpty(t, tok.AccessToken)
		})
	}
}

// TestCodeReuseRevokes: a code redeemed twice revokes what the first
// redemption got (RFC 6749 §4.1.2).
func TestCodeReuseRevokes(t *testing.T) {
	f := newFixture(t)
	v := oauth2.GenerateVerifier()
	code := f.signIn(t, f.conf, "carol", v)
	tok, err := f.conf.Exchange(f.ctx, code, oauth2.VerifierOption(v))
	require.NoError(t, err)
	status, _ := f.userinfo(t, tok.AccessToken)
	require.Equal(t, http.StatusOK, status)

	_, err = f.conf.Exchange(f.ctx, code, oauth2.VerifierOption(v))
	require.Error(t, err)
	assert.Equal(t, "invalid_grant", oauthErrorCode(t, err))

	status, _ = f.userinfo(t, tok.AccessToken)
	assert.Equal(t, http.StatusUnauthorized, status, "access token of a reused code")
	_, err = f.refresh(f.conf, tok.RefreshToken)
	require.Error(t, err, "refresh token of a reused code")
	assert.Equal(t, "invalid_grant", oauthErrorCode(t, err))
}

func TestPublicClient(t *testing.T) {
	f := newFixture(t)
	pub := f.client(func(c *oauth2.Config) {
		c.ClientID, c.ClientSecret = "public-client", ""
		c.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	})
	v := oauth2.GenerateVerifier()
	tok, err := pub.Exchange(f.ctx, f.signIn(t, pub, "dora", v), oauth2.VerifierOption(v))
	require.NoError(t, err)
	status, info := f.userinfo(t, tok.AccessToken)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "dev-dora", info["sub"])

	// A confidential client may send its secret in the form instead.
	post := f.client(func(c *oauth2.Config) { c.Endpoint.AuthStyle = oauth2.AuthStyleInParams })
	v = oauth2.GenerateVerifier()
	_, err = post.Exchange(f.ctx, f.signIn(t, post, "dora", v), oauth2.VerifierOption(v))
	require.NoError(t, err, "client_secret_post")

	// A public client that sends a secret is not who it says.
	withSecret := f.client(func(c *oauth2.Config) { c.ClientID, c.ClientSecret = "public-client", "guess" })
	v = oauth2.GenerateVerifier()
	_, err = withSecret.Exchange(f.ctx, f.signIn(t, pub, "dora", v), oauth2.VerifierOption(v))
	require.Error(t, err)
	assert.Equal(t, "invalid_client", oauthErrorCode(t, err))
}

// TestTokenEndpointRefused covers requests x/oauth2 never makes.
func TestTokenEndpointRefused(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name    string
		form    url.Values
		basic   bool
		status  int
		wantErr string
	}{
		{"unsupported grant", url.Values{"grant_type": {"password"}, "username": {"a"}}, true, 400, "unsupported_grant_type"},
		{"no grant type", url.Values{}, true, 400, "invalid_request"},
		{"repeated parameter", url.Values{"grant_type": {"authorization_code", "refresh_token"}}, true, 400, "invalid_request"},
		{"two authentication methods", url.Values{"grant_type": {"refresh_token"}, "client_secret": {"dev-secret"}}, true, 400, "invalid_request"},
		{"no client", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}, false, 401, "invalid_client"},
		{"no code", url.Values{"grant_type": {"authorization_code"}}, true, 400, "invalid_request"},
		{"no refresh token", url.Values{"grant_type": {"refresh_token"}}, true, 400, "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, f.base+"/token", strings.NewReader(tc.form.Encode()))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.basic {
				req.SetBasicAuth("dev-client", "dev-secret")
			}
			resp, err := f.web.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			var body map[string]string
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.wantErr, body["error"])
			assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
		})
	}
}

// TestAuthorizeRefused: a bad client or redirect_uri is refused on the page,
// never redirected (RFC 6749 §4.1.2.1); anything else wrong is redirected
// back as an error, with the state and the issuer.
func TestAuthorizeRefused(t *testing.T) {
	f := newFixture(t)
	challenge := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	good := func() url.Values {
		return url.Values{
			"response_type": {"code"}, "client_id": {"dev-client"}, "redirect_uri": {redirectURI},
			"scope": {"openid"}, "state": {"st"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"},
		}
	}
	cases := []struct {
		name     string
		edit     func(url.Values)
		redirect bool
		wantErr  string
	}{
		{"unknown client", func(v url.Values) { v.Set("client_id", "nobody") }, false, "invalid_client"},
		{"no client", func(v url.Values) { v.Del("client_id") }, false, "invalid_client"},
		{"no redirect_uri", func(v url.Values) { v.Del("redirect_uri") }, false, "invalid_request"},
		{"redirect_uri of no client", func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:9/evil") }, false, "invalid_request"},
		{"redirect_uri with a trailing slash", func(v url.Values) { v.Set("redirect_uri", redirectURI+"/") }, false, "invalid_request"},
		{"redirect_uri with a query", func(v url.Values) { v.Set("redirect_uri", redirectURI+"?x=1") }, false, "invalid_request"},
		{"redirect_uri on another port", func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:99/callback") }, false, "invalid_request"},
		{"redirect_uri upper-cased", func(v url.Values) { v.Set("redirect_uri", "HTTP://127.0.0.1:9/callback") }, false, "invalid_request"},
		{"repeated parameter", func(v url.Values) { v.Add("state", "two") }, false, "invalid_request"},
		{"no code_challenge", func(v url.Values) { v.Del("code_challenge") }, true, "invalid_request"},
		{"no code_challenge_method", func(v url.Values) { v.Del("code_challenge_method") }, true, "invalid_request"},
		{"plain PKCE", func(v url.Values) { v.Set("code_challenge_method", "plain") }, true, "invalid_request"},
		{"malformed code_challenge", func(v url.Values) { v.Set("code_challenge", "abc") }, true, "invalid_request"},
		{"implicit grant", func(v url.Values) { v.Set("response_type", "token") }, true, "unsupported_response_type"},
		{"no response_type", func(v url.Values) { v.Del("response_type") }, true, "unsupported_response_type"},
		{"unknown scope", func(v url.Values) { v.Set("scope", "openid admin") }, true, "invalid_scope"},
		{"unknown response_mode", func(v url.Values) { v.Set("response_mode", "fragment") }, true, "invalid_request"},
	}
	for _, tc := range cases {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				v := good()
				tc.edit(v)
				var resp *http.Response
				var body string
				if method == http.MethodGet {
					resp, body = f.get(t, f.base+"/authorize?"+v.Encode())
				} else { // the login form posted back with its fields tampered
					v.Set("name", "eve")
					v.Set("action", "allow")
					resp, body = f.post(t, f.base+"/authorize", v)
				}
				if !tc.redirect {
					assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
					assert.Empty(t, resp.Header.Get("Location"))
					assert.Contains(t, body, tc.wantErr)
					return
				}
				q := redirected(t, resp, body)
				assert.Equal(t, tc.wantErr, q.Get("error"))
				assert.NotEmpty(t, q.Get("error_description"))
				assert.Equal(t, "st", q.Get("state"))
				assert.Equal(t, f.base, q.Get("iss"))
				assert.Empty(t, q.Get("code"))
			})
		}
	}
}

func TestDeny(t *testing.T) {
	f := newFixture(t)
	authURL := f.conf.AuthCodeURL("st-deny", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	resp, body := f.submit(t, authURL, "", "deny")
	q := redirected(t, resp, body)
	assert.Equal(t, "access_denied", q.Get("error"))
	assert.NotEmpty(t, q.Get("error_description"))
	assert.Equal(t, "st-deny", q.Get("state"))
	assert.Equal(t, f.base, q.Get("iss"))
	assert.Empty(t, q.Get("code"))
}

// TestLoginPage: the page carries the request, and a bad name shows the
// page again, escaped, with no redirect.
func TestLoginPage(t *testing.T) {
	f := newFixture(t)
	authURL := f.conf.AuthCodeURL(`st"<x>`, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	resp, page := f.get(t, authURL)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, "Development provider")
	assert.Contains(t, page, "dev-client")
	assert.Equal(t, `st"<x>`, hiddenFields(page).Get("state"))
	assert.NotContains(t, page, `st"<x>`, "escaped")
	csp := resp.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'none'")
	assert.Contains(t, csp, "frame-ancestors 'none'")

	resp, page = f.submit(t, authURL, "<script>alert(1)</script>", "allow")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("Location"))
	assert.Contains(t, page, `id="problem"`)
	assert.NotContains(t, page, "<script>alert(1)")
	assert.Contains(t, page, "&lt;script&gt;alert(1)")

	resp, _ = f.submit(t, authURL, "x", "maybe")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("Location"))

	// Title tells two providers apart.
	second := httptest.NewServer(devprovider.New(devprovider.Config{Title: "Second provider", Clients: testClients()}))
	defer second.Close()
	g := fixtureFor(t, second, second.URL, &clock{t: time.Now()})
	_, page = g.get(t, g.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	assert.Contains(t, page, `<h1 id="heading">Second provider</h1>`)
}

// TestFormPost: response_mode=form_post answers with a page that posts the
// response to the redirect_uri.
func TestFormPost(t *testing.T) {
	f := newFixture(t)
	v := oauth2.GenerateVerifier()
	authURL := f.conf.AuthCodeURL("st-fp", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("response_mode", "form_post"))
	resp, page := f.submit(t, authURL, "erin", "allow")
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	assert.Empty(t, resp.Header.Get("Location"))
	assert.Contains(t, page, `<form id="response" method="post" action="`+redirectURI+`">`)
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "script-src 'nonce-")
	got := hiddenFields(page)
	assert.Equal(t, "st-fp", got.Get("state"))
	assert.Equal(t, f.base, got.Get("iss"))
	tok, err := f.conf.Exchange(f.ctx, got.Get("code"), oauth2.VerifierOption(v))
	require.NoError(t, err)
	status, info := f.userinfo(t, tok.AccessToken)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "dev-erin", info["sub"])
}

func TestUserinfo(t *testing.T) {
	f := newFixture(t)
	tok := f.login(t, "frank")

	status, info := f.userinfo(t, "dev-grace")
	require.Equal(t, http.StatusOK, status, "static tokens still work")
	assert.Equal(t, "dev-grace", info["sub"])
	assert.Equal(t, true, info["email_verified"])

	for name, token := range map[string]string{
		"no token": "", "unknown token": "not-a-token", "static token, bad name": "dev-a b",
		"static prefix alone": "dev-", "refresh token": tok.RefreshToken,
	} {
		status, info := f.userinfo(t, token)
		assert.Equal(t, http.StatusUnauthorized, status, name)
		assert.Equal(t, "invalid_token", info["error"], name)
	}

	status, _ = f.userinfo(t, tok.AccessToken)
	require.Equal(t, http.StatusOK, status)
	f.clock.Add(devprovider.DefaultAccessTokenLifetime)
	status, _ = f.userinfo(t, tok.AccessToken)
	assert.Equal(t, http.StatusUnauthorized, status, "expired access token")
}

// TestRefreshRotation: a rotated-out refresh token that comes back revokes
// the whole sign-in (RFC 9700 §4.14.2).
func TestRefreshRotation(t *testing.T) {
	f := newFixture(t)
	tok := f.login(t, "heidi")
	next, err := f.refresh(f.conf, tok.RefreshToken)
	require.NoError(t, err)

	_, err = f.refresh(f.conf, tok.RefreshToken)
	require.Error(t, err)
	assert.Equal(t, "invalid_grant", oauthErrorCode(t, err))

	status, _ := f.userinfo(t, next.AccessToken)
	assert.Equal(t, http.StatusUnauthorized, status, "the family is revoked")
	_, err = f.refresh(f.conf, next.RefreshToken)
	require.Error(t, err, "the family is revoked")

	// Other sign-ins are untouched.
	other := f.login(t, "heidi")
	status, _ = f.userinfo(t, other.AccessToken)
	assert.Equal(t, http.StatusOK, status)
}

func TestRefreshRefused(t *testing.T) {
	f := newFixture(t)
	tok := f.login(t, "ivan")

	otherClient := f.client(func(c *oauth2.Config) { c.ClientID, c.ClientSecret = "other-client", "other-secret" })
	_, err := f.refresh(otherClient, tok.RefreshToken)
	require.Error(t, err)
	assert.Equal(t, "invalid_grant", oauthErrorCode(t, err))

	_, err = f.refresh(f.conf, "unknown")
	require.Error(t, err)
	assert.Equal(t, "invalid_grant", oauthErrorCode(t, err))

	_, err = f.refresh(f.conf, tok.RefreshToken)
	require.NoError(t, err, "the refusals spent nothing")

	f.clock.Add(devprovider.DefaultRefreshTokenLifetime)
	late := f.login(t, "ivan")
	f.clock.Add(devprovider.DefaultRefreshTokenLifetime)
	_, err = f.refresh(f.conf, late.RefreshToken)
	require.Error(t, err, "expired refresh token")
	assert.Equal(t, "invalid_grant", oauthErrorCode(t, err))
}

// TestRefreshScope: a refresh may narrow the access token's scope, and the
// new refresh token keeps the old one's.
func TestRefreshScope(t *testing.T) {
	f := newFixture(t)
	tok := f.login(t, "judy")
	form := func(rt, scope string) (int, map[string]any) {
		req, err := http.NewRequest(http.MethodPost, f.base+"/token", strings.NewReader(url.Values{
			"grant_type": {"refresh_token"}, "refresh_token": {rt}, "scope": {scope}}.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("dev-client", "dev-secret")
		resp, err := f.web.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
		return resp.StatusCode, m
	}
	status, body := form(tok.RefreshToken, "openid profile email admin")
	require.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_scope", body["error"])

	status, body = form(tok.RefreshToken, "openid")
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "openid", body["scope"])
	_, info := f.userinfo(t, body["access_token"].(string))
	assert.Equal(t, "dev-judy", info["sub"])
	assert.NotContains(t, info, "email", "the narrowed token has no email scope")

	next, err := f.refresh(f.conf, body["refresh_token"].(string))
	require.NoError(t, err)
	assert.Equal(t, "openid profile email", next.Extra("scope"))
}

func TestRevoke(t *testing.T) {
	f := newFixture(t)
	tok := f.login(t, "mallory")

	assert.Equal(t, http.StatusUnauthorized, f.revoke(t, "dev-client", "wrong", tok.AccessToken))
	assert.Equal(t, http.StatusBadRequest, f.revoke(t, "other-client", "other-secret", tok.AccessToken), "another client's token")
	assert.Equal(t, http.StatusBadRequest, f.revoke(t, "dev-client", "dev-secret", ""))
	assert.Equal(t, http.StatusOK, f.revoke(t, "dev-client", "dev-secret", "unknown-token"), "RFC 7009 §2.2")
	assert.Equal(t, http.StatusOK, f.revoke(t, "dev-client", "dev-secret", "dev-mallory"))
	status, _ := f.userinfo(t, "dev-mallory")
	assert.Equal(t, http.StatusOK, status, "static tokens are not revocable")
	status, _ = f.userinfo(t, tok.AccessToken)
	require.Equal(t, http.StatusOK, status, "refused revocations changed nothing")

	// Revoking the refresh token revokes the sign-in, access token included.
	require.Equal(t, http.StatusOK, f.revoke(t, "dev-client", "dev-secret", tok.RefreshToken))
	status, _ = f.userinfo(t, tok.AccessToken)
	assert.Equal(t, http.StatusUnauthorized, status)
	_, err := f.refresh(f.conf, tok.RefreshToken)
	require.Error(t, err)
	assert.Equal(t, "invalid_grant", oauthErrorCode(t, err))

	// Revoking an access token leaves its refresh token good.
	tok = f.login(t, "mallory")
	require.Equal(t, http.StatusOK, f.revoke(t, "dev-client", "dev-secret", tok.AccessToken))
	status, _ = f.userinfo(t, tok.AccessToken)
	assert.Equal(t, http.StatusUnauthorized, status)
	_, err = f.refresh(f.conf, tok.RefreshToken)
	require.NoError(t, err)
}

func TestDiscovery(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, f.base+"/.well-known/openid-configuration")
	var d map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &d))
	assert.Equal(t, f.base, d["issuer"])
	for key, path := range map[string]string{
		"authorization_endpoint": "/authorize", "token_endpoint": "/token", "userinfo_endpoint": "/userinfo",
		"revocation_endpoint": "/revoke", "jwks_uri": "/jwks",
	} {
		assert.Equal(t, f.base+path, d[key], key)
	}
	assert.Equal(t, true, d["authorization_response_iss_parameter_supported"])
	assert.Equal(t, []any{"S256"}, d["code_challenge_methods_supported"])
	assert.Equal(t, []any{"ES256"}, d["id_token_signing_alg_values_supported"])

	_, body = f.get(t, f.base+"/jwks")
	var ks struct {
		Keys []struct {
			Kty, Alg, Use, Kid, Crv string
			D                       string `json:"d"`
		} `json:"keys"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &ks))
	require.Len(t, ks.Keys, 1)
	k := ks.Keys[0]
	assert.Equal(t, []string{"EC", "ES256", "sig", "P-256"}, []string{k.Kty, k.Alg, k.Use, k.Crv})
	assert.NotEmpty(t, k.Kid)
	assert.Empty(t, k.D, "no private part")
}

// TestIssuerConfigured: a configured issuer, with the provider mounted
// under a path, is what discovery, the redirect and the id_token say.
func TestIssuerConfigured(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String() + "/dev"
	clk := &clock{t: time.Now()}
	mux := http.NewServeMux()
	mux.Handle("/dev/", http.StripPrefix("/dev", devprovider.New(devprovider.Config{
		Issuer: issuer + "/", Clients: testClients(), Now: clk.Now,
	})))
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	f := fixtureFor(t, srv, issuer, clk)

	v := oauth2.GenerateVerifier()
	resp, body := f.submit(t, f.conf.AuthCodeURL("st", oauth2.S256ChallengeOption(v)), "oscar", "allow")
	q := redirected(t, resp, body)
	assert.Equal(t, issuer, q.Get("iss"))
	tok, err := f.conf.Exchange(f.ctx, q.Get("code"), oauth2.VerifierOption(v))
	require.NoError(t, err)
	provider, err := oidc.NewProvider(f.ctx, issuer)
	require.NoError(t, err)
	idt, err := provider.Verifier(&oidc.Config{ClientID: "dev-client", Now: clk.Now}).Verify(f.ctx, tok.Extra("id_token").(string))
	require.NoError(t, err)
	assert.Equal(t, issuer, idt.Issuer)
	assert.Equal(t, issuer+"/userinfo", provider.UserInfoEndpoint())
}

// TestInstancesIsolated: two providers share nothing.
func TestInstancesIsolated(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	tok := a.login(t, "peggy")
	status, _ := b.userinfo(t, tok.AccessToken)
	assert.Equal(t, http.StatusUnauthorized, status)

	v := oauth2.GenerateVerifier()
	code := a.signIn(t, a.conf, "peggy", v)
	_, err := b.conf.Exchange(b.ctx, code, oauth2.VerifierOption(v))
	require.Error(t, err)
	assert.Equal(t, "invalid_grant", oauthErrorCode(t, err))
	_, err = a.conf.Exchange(a.ctx, code, oauth2.VerifierOption(v))
	require.NoError(t, err, "B's refusal did not touch A's code")

	// Keys differ too: A's id_token does not verify against B.
	provider, err := oidc.NewProvider(b.ctx, b.base)
	require.NoError(t, err)
	_, err = provider.Verifier(&oidc.Config{ClientID: "dev-client", SkipIssuerCheck: true}).Verify(b.ctx, tok.Extra("id_token").(string))
	require.Error(t, err)
}

// TestConcurrentFlows runs many code flows at once on one provider (with
// -race), each ending with its own identity.
func TestConcurrentFlows(t *testing.T) {
	f := newFixture(t)
	const n = 16
	var wg sync.WaitGroup
	subs := make([]string, n)
	for i := range n {
		wg.Go(func() {
			name := fmt.Sprintf("user%d", i)
			v := oauth2.GenerateVerifier()
			resp, err := f.web.Get(f.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(v)))
			if err != nil {
				return
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			form := hiddenFields(string(page))
			form.Set("name", name)
			form.Set("action", "allow")
			resp, err = f.web.PostForm(f.base+"/authorize", form)
			if err != nil {
				return
			}
			resp.Body.Close()
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil {
				return
			}
			tok, err := f.conf.Exchange(f.ctx, loc.Query().Get("code"), oauth2.VerifierOption(v))
			if err != nil {
				return
			}
			tok, err = f.refresh(f.conf, tok.RefreshToken)
			if err != nil {
				return
			}
			req, _ := http.NewRequest(http.MethodGet, f.base+"/userinfo", nil)
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			resp, err = f.web.Do(req)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			var info struct{ Sub string }
			if json.NewDecoder(resp.Body).Decode(&info) == nil {
				subs[i] = info.Sub
			}
		})
	}
	wg.Wait()
	for i, sub := range subs {
		assert.Equal(t, fmt.Sprintf("dev-user%d", i), sub)
	}
}

func TestBackend(t *testing.T) {
	f := newFixture(t)
	dev := devprovider.Backend(f.base + "/")
	p := dev.Provider()
	assert.Equal(t, devprovider.BackendName, dev.Name())
	assert.Equal(t, f.base+"/authorize", p.AuthURL)
	assert.Equal(t, f.base+"/token", p.TokenURL)
	assert.Equal(t, f.base+"/userinfo", p.UserInfoURL)
	assert.Equal(t, []string{"openid", "profile", "email"}, p.Scopes)

	second := devprovider.NamedBackend("dev2", "http://127.0.0.1:2")
	assert.Equal(t, "dev2", second.Name())
	assert.Equal(t, "http://127.0.0.1:2/authorize", second.Provider().AuthURL)

	// The backend logs in with an issued access token and with a static one.
	tok := f.login(t, "trent")
	for _, token := range []string{tok.AccessToken, "dev-trent"} {
		prof, err := dev.Authenticate(f.ctx, f.srv.Client(), token)
		require.NoError(t, err)
		assert.Equal(t, "dev-trent", prof.UID)
		assert.Equal(t, "trent@example.com", prof.Details.Email)
		assert.True(t, prof.Details.EmailVerified)
		assert.Equal(t, "trent", prof.Details.Username)
	}
	_, err := dev.Authenticate(f.ctx, f.srv.Client(), "forged")
	require.Error(t, err)

	// Handler, the zero-config provider, still answers static tokens.
	old := httptest.NewServer(devprovider.Handler())
	defer old.Close()
	prof, err := devprovider.Backend(old.URL).Authenticate(f.ctx, old.Client(), "dev-walter")
	require.NoError(t, err)
	assert.Equal(t, "dev-walter", prof.UID)
}

func TestNewPanics(t *testing.T) {
	cases := map[string][]devprovider.Client{
		"empty id":          {{Secret: "s"}},
		"repeated id":       {{ID: "a"}, {ID: "a"}},
		"relative redirect": {{ID: "a", RedirectURIs: []string{"/callback"}}},
		"fragment":          {{ID: "a", RedirectURIs: []string{"http://127.0.0.1/cb#x"}}},
		"empty fragment":    {{ID: "a", RedirectURIs: []string{"http://127.0.0.1/cb#"}}},
		"no host":           {{ID: "a", RedirectURIs: []string{"http:///cb"}}},
	}
	for name, clients := range cases {
		assert.Panics(t, func() { devprovider.New(devprovider.Config{Clients: clients}) }, name)
	}
	assert.NotPanics(t, func() {
		devprovider.New(devprovider.Config{Clients: []devprovider.Client{{ID: "a", RedirectURIs: []string{"com.example.app:/cb", "http://127.0.0.1/cb?x=1"}}}})
	})
}

// TestRegisteredQueryKept: a redirect URI's own query survives the response.
func TestRegisteredQueryKept(t *testing.T) {
	const withQuery = "http://127.0.0.1:9/cb?tenant=a"
	srv := httptest.NewServer(devprovider.New(devprovider.Config{Clients: []devprovider.Client{
		{ID: "dev-client", Secret: "dev-secret", RedirectURIs: []string{withQuery}},
	}}))
	defer srv.Close()
	f := fixtureFor(t, srv, srv.URL, &clock{t: time.Now()})
	f.conf = f.client(func(c *oauth2.Config) { c.RedirectURL = withQuery })
	resp, _ := f.submit(t, f.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "zed", "allow")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "a", loc.Query().Get("tenant"))
	assert.NotEmpty(t, loc.Query().Get("code"))
}
