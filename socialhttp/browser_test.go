package socialhttp_test

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/socialhttp"
	"github.com/go-socialauth/socialauth/storage/memory"
)

const appURL = "https://app.example.com"

// counted is a Storage that counts the writes that changed something.
type counted struct {
	*memory.Store
	n atomic.Int64
}

func (c *counted) add(err error) error {
	if err == nil {
		c.n.Add(1)
	}
	return err
}

func (c *counted) CreateUser(ctx context.Context, u *socialauth.User) (*socialauth.User, error) {
	r, err := c.Store.CreateUser(ctx, u)
	return r, c.add(err)
}
func (c *counted) UpdateUser(ctx context.Context, u *socialauth.User) error {
	return c.add(c.Store.UpdateUser(ctx, u))
}
func (c *counted) CreateAssociation(ctx context.Context, a *socialauth.Association) (*socialauth.Association, error) {
	r, err := c.Store.CreateAssociation(ctx, a)
	return r, c.add(err)
}
func (c *counted) UpdateAssociation(ctx context.Context, a *socialauth.Association) error {
	return c.add(c.Store.UpdateAssociation(ctx, a))
}
func (c *counted) DeleteAssociation(ctx context.Context, id string) error {
	return c.add(c.Store.DeleteAssociation(ctx, id))
}
func (c *counted) CreateUserWithAssociation(ctx context.Context, u *socialauth.User, a *socialauth.Association, o socialauth.CreateOptions) (*socialauth.User, *socialauth.Association, error) {
	ru, ra, err := c.Store.CreateUserWithAssociation(ctx, u, a, o)
	return ru, ra, c.add(err)
}
func (c *counted) SavePartial(ctx context.Context, p *socialauth.Partial) error {
	return c.add(c.Store.SavePartial(ctx, p))
}
func (c *counted) DeletePartial(ctx context.Context, token string) error {
	return c.add(c.Store.DeletePartial(ctx, token))
}
func (c *counted) UseNonce(ctx context.Context, scope, value string, exp time.Time) error {
	return c.add(c.Store.UseNonce(ctx, scope, value, exp))
}

// site is a web app with the browser handlers, two fake providers ("prov"
// OIDC, "plain" OAuth2 and "formpost" OIDC with response_mode=form_post at
// one; "other" OIDC at the second) and a session of its own.
type site struct {
	t     *testing.T
	as    *backendtest.AuthorizationServer
	other *backendtest.AuthorizationServer
	store *counted
	cfg   socialauth.Config
	b     socialhttp.Browser
	mux   *http.ServeMux

	mu       sync.Mutex
	sessions map[string]string // session id → user id
	users    map[string]*socialauth.User
	results  []*socialauth.Result
	errs     []error
	pauses   []string
}

func newSite(t *testing.T, opts backendtest.AuthorizationServerOptions) *site {
	t.Helper()
	s := &site{t: t, as: backendtest.NewAuthorizationServer(t, opts),
		other: backendtest.NewAuthorizationServer(t, backendtest.AuthorizationServerOptions{}),
		store: &counted{Store: memory.New()}, sessions: map[string]string{}, users: map[string]*socialauth.User{}}
	set := s.as.Settings()
	formPost := backends.NewOIDC(backends.OIDCConfig{Name: "formpost", Issuer: s.as.URL(),
		AuthURL: s.as.URL() + "/authorize?response_mode=form_post", ClientIDs: []string{set.Key}, ClientSecret: set.Secret,
		Scopes: []string{"openid", "email"}})
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	s.cfg = socialauth.Config{
		Backends:           []socialauth.Backend{s.as.OIDC("prov"), s.as.OAuth2("plain"), formPost, s.other.OIDC("other")},
		Storage:            s.store,
		Pipeline:           pipeline.Default(),
		DisconnectPipeline: pipeline.DefaultDisconnect(),
		HTTPClient:         s.as.Client(),
		Logger:             slog.New(slog.DiscardHandler),
		TokenKeys:          [][]byte{key},
	}
	s.b = socialhttp.Browser{
		RedirectURL: func(backend string) string { return appURL + "/auth/complete/" + backend + "/" },
		CurrentUser: s.currentUser,
		Success:     s.success,
		Error: func(w http.ResponseWriter, _ *http.Request, err error) {
			s.mu.Lock()
			s.errs = append(s.errs, err)
			s.mu.Unlock()
			code, status := socialhttp.ErrorCode(err)
			http.Error(w, code, status)
		},
		Paused: func(w http.ResponseWriter, _ *http.Request, backend, reason string) {
			s.mu.Lock()
			s.pauses = append(s.pauses, backend+":"+reason)
			s.mu.Unlock()
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`<form method="post" action="/auth/resume/` + backend + `/"><input name="agree"></form>`))
		},
		ResumeForm: func(r *http.Request, st *socialauth.State) error {
			if r.PostForm.Get("agree") == "yes" {
				agreed.Set(st, true)
			}
			return nil
		},
		AllowedHosts: []string{"app.example.com", "docs.example.com"},
	}
	s.mount()
	return s
}

// mount (re)builds the routes from s.cfg and s.b.
func (s *site) mount() {
	login := socialauth.Handler(s.cfg)
	s.mux = http.NewServeMux()
	s.mux.Handle("/auth/login/{backend}/", login(s.b.Begin()))
	s.mux.Handle("/auth/complete/{backend}/", login(s.b.Callback()))
	s.mux.Handle("/auth/resume/{backend}/", login(s.b.Resume()))
	s.mux.Handle("/auth/disconnect/{backend}/", login(s.b.Disconnect()))
}

func (s *site) currentUser(r *http.Request) (*socialauth.User, error) {
	c, err := r.Cookie("app-session")
	if err != nil {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[s.sessions[c.Value]], nil
}

// success starts a new session (a new id: never the one the request had).
func (s *site) success(w http.ResponseWriter, _ *http.Request, res *socialauth.Result, _ string) (string, error) {
	id := rand.Text()
	s.mu.Lock()
	s.sessions[id] = res.User.ID
	s.users[res.User.ID] = res.User
	s.results = append(s.results, res)
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "app-session", Value: id, Path: "/", Secure: true, HttpOnly: true})
	return "", nil
}

func (s *site) lastErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errs) == 0 {
		return nil
	}
	return s.errs[len(s.errs)-1]
}

// agreed is what the terms step of pausingPipeline waits for.
var agreed = socialauth.NewKey[bool]("test.agreed")

func pausingPipeline() socialauth.Pipeline {
	return pipeline.Default().InsertBefore("associate_user", socialauth.PipelineStep{Name: "test.terms", Step: socialauth.StepFunc(func(_ context.Context, st *socialauth.State) error {
		if ok, _ := agreed.Get(st); !ok && st.IsNew {
			return socialauth.Pause("accept_terms")
		}
		return nil
	})})
}

// browser keeps cookies as a browser would (the app's and, separately, none
// of the provider's: the fake provider needs none).
type browser struct {
	jar map[string]*http.Cookie
	// set are the Set-Cookie headers of the last answer, by name.
	set map[string]*http.Cookie
}

func newBrowser() *browser { return &browser{jar: map[string]*http.Cookie{}} }

func (c *browser) do(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	for _, ck := range c.jar {
		r.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	c.set = map[string]*http.Cookie{}
	for _, ck := range rec.Result().Cookies() {
		c.set[ck.Name] = ck
		if ck.MaxAge < 0 {
			delete(c.jar, ck.Name)
		} else {
			c.jar[ck.Name] = ck
		}
	}
	return rec
}

func form(path string, v url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, appURL+path, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// begin POSTs the login form and returns the authorization URL.
func (s *site) begin(c *browser, backend string, v url.Values) string {
	s.t.Helper()
	rec := c.do(s.mux, form("/auth/login/"+backend+"/", v))
	require.Equal(s.t, http.StatusSeeOther, rec.Code, rec.Body.String())
	return rec.Header().Get("Location")
}

// login runs a whole round: begin, sign in as id at the provider, callback.
func (s *site) login(c *browser, backend string, id backendtest.Identity, v url.Values) *httptest.ResponseRecorder {
	s.t.Helper()
	as := s.as
	if backend == "other" {
		as = s.other
	}
	resp, err := as.Approve(s.begin(c, backend, v), id)
	require.NoError(s.t, err)
	return c.do(s.mux, resp.Request())
}

var ada = backendtest.Identity{UID: "ada-1", Username: "ada", Email: "ada@example.com", EmailVerified: true, FirstName: "Ada", LastName: "Lovelace"}

func TestBrowserLogin(t *testing.T) {
	s := newSite(t, backendtest.AuthorizationServerOptions{})
	c := newBrowser()

	rec := c.do(s.mux, form("/auth/login/prov/", url.Values{"next": {"/account?tab=2#keys"}}))
	require.Equal(t, http.StatusSeeOther, rec.Code)
	authURL := rec.Header().Get("Location")
	assert.True(t, strings.HasPrefix(authURL, s.as.URL()+"/authorize?"), authURL)
	u, err := url.Parse(authURL)
	require.NoError(t, err)
	assert.Equal(t, appURL+"/auth/complete/prov/", u.Query().Get("redirect_uri"))
	assert.Equal(t, "S256", u.Query().Get("code_challenge_method"))
	assert.NotEmpty(t, u.Query().Get("nonce"))
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))

	ck := c.set["__Host-socialauth-flow-prov"]
	require.NotNil(t, ck, "the flow travels in this backend's cookie")
	assert.True(t, ck.Secure)
	assert.True(t, ck.HttpOnly)
	assert.Equal(t, "/", ck.Path)
	assert.Empty(t, ck.Domain, "__Host-: this host alone")
	assert.Equal(t, http.SameSiteLaxMode, ck.SameSite)
	assert.Equal(t, 900, ck.MaxAge)
	for _, secret := range []string{u.Query().Get("state"), u.Query().Get("nonce")} {
		assert.NotContains(t, ck.Value, secret, "sealed")
	}

	resp, err := s.as.Approve(authURL, ada)
	require.NoError(t, err)
	rec = c.do(s.mux, resp.Request())
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, "/account?tab=2#keys", rec.Header().Get("Location"), "next, with its query and fragment")
	assert.Contains(t, c.set, "__Host-socialauth-flow-prov")
	assert.Negative(t, c.set["__Host-socialauth-flow-prov"].MaxAge, "the flow cookie is deleted")
	require.Contains(t, c.jar, "app-session", "Success started the app's session")
	require.Len(t, s.results, 1)
	assert.True(t, s.results[0].IsNew)
	assert.Equal(t, "ada@example.com", s.results[0].User.Email)
	assert.Equal(t, 1, s.as.Calls("token"))

	t.Run("returning user without next goes to LoginRedirect", func(t *testing.T) {
		rec := s.login(newBrowser(), "prov", ada, nil)
		require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
		assert.Equal(t, "/", rec.Header().Get("Location"))
		assert.False(t, s.results[len(s.results)-1].IsNew)
	})
}

// TestBrowserRefusals: point 9's refused callbacks. None reaches the
// provider's token endpoint or writes anything; each reaches the error
// hook with a code.
func TestBrowserRefusals(t *testing.T) {
	s := newSite(t, backendtest.AuthorizationServerOptions{IssuerParameter: true})
	// A login that succeeded, whose callback is replayed below.
	done := newBrowser()
	doneResp, err := s.as.Approve(s.begin(done, "prov", nil), ada)
	require.NoError(t, err)
	doneCookie := done.jar["__Host-socialauth-flow-prov"].Value
	require.Equal(t, http.StatusSeeOther, done.do(s.mux, doneResp.Request()).Code)

	withCookie := func(r *http.Request, name, value string) *http.Request {
		r.AddCookie(&http.Cookie{Name: name, Value: value})
		return r
	}
	cases := []struct {
		name string
		req  func(t *testing.T) (*http.Request, *browser)
		code string
	}{
		{"replayed state", func(t *testing.T) (*http.Request, *browser) {
			return withCookie(doneResp.Request(), "__Host-socialauth-flow-prov", doneCookie), newBrowser()
		}, socialhttp.CodeStateMismatch},
		{"a state minted for prov at other's callback", func(t *testing.T) (*http.Request, *browser) {
			c := newBrowser()
			resp, err := s.as.Approve(s.begin(c, "prov", nil), ada)
			require.NoError(t, err)
			r := httptest.NewRequest(http.MethodGet, appURL+"/auth/complete/other/?"+resp.Params.Encode(), nil)
			return withCookie(r, "__Host-socialauth-flow-other", c.jar["__Host-socialauth-flow-prov"].Value), newBrowser()
		}, socialhttp.CodeStateMismatch},
		{"stripped state", func(t *testing.T) (*http.Request, *browser) {
			c := newBrowser()
			resp, err := s.as.Approve(s.begin(c, "prov", nil), ada)
			require.NoError(t, err)
			resp.Params.Del("state")
			return resp.Request(), c
		}, socialhttp.CodeStateMismatch},
		{"no cookies: neither verifier nor nonce", func(t *testing.T) (*http.Request, *browser) {
			resp, err := s.as.Approve(s.begin(newBrowser(), "prov", nil), ada)
			require.NoError(t, err)
			return resp.Request(), newBrowser()
		}, socialhttp.CodeStateMismatch},
		{"another browser's login (login CSRF)", func(t *testing.T) (*http.Request, *browser) {
			attacker, victim := newBrowser(), newBrowser()
			resp, err := s.as.Approve(s.begin(attacker, "prov", nil), backendtest.Identity{UID: "mallory"})
			require.NoError(t, err)
			s.begin(victim, "prov", nil) // the victim has a login of their own in progress
			return resp.Request(), victim
		}, socialhttp.CodeStateMismatch},
		{"a forged cookie", func(t *testing.T) (*http.Request, *browser) {
			resp, err := s.as.Approve(s.begin(newBrowser(), "prov", nil), ada)
			require.NoError(t, err)
			return withCookie(resp.Request(), "__Host-socialauth-flow-prov", "sealed:v1:00000000:AAAA"), newBrowser()
		}, socialhttp.CodeStateMismatch},
		{"a mismatched iss", func(t *testing.T) (*http.Request, *browser) {
			c := newBrowser()
			resp, err := s.as.Approve(s.begin(c, "prov", nil), ada)
			require.NoError(t, err)
			resp.Params.Set("iss", s.other.URL())
			return resp.Request(), c
		}, socialhttp.CodeAuthFailed},
		{"a missing iss the provider promised", func(t *testing.T) (*http.Request, *browser) {
			c := newBrowser()
			resp, err := s.as.Approve(s.begin(c, "prov", nil), ada)
			require.NoError(t, err)
			resp.Params.Del("iss")
			return resp.Request(), c
		}, socialhttp.CodeAuthFailed},
		{"the person declined (cancel)", func(t *testing.T) (*http.Request, *browser) {
			c := newBrowser()
			resp, err := s.as.Deny(s.begin(c, "prov", nil), "<b>nope</b>")
			require.NoError(t, err)
			return resp.Request(), c
		}, socialhttp.CodeAuthCanceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, c := tc.req(t)
			tokenCalls := s.as.Calls("token") + s.other.Calls("token")
			writes := s.store.n.Load()
			results := len(s.results)
			rec := c.do(s.mux, r)
			require.NotEqual(t, http.StatusSeeOther, rec.Code, rec.Header().Get("Location"))
			assert.Equal(t, tc.code+"\n", rec.Body.String())
			assert.Equal(t, tokenCalls, s.as.Calls("token")+s.other.Calls("token"), "the token endpoint was not called")
			if tc.code == socialhttp.CodeStateMismatch {
				assert.Equal(t, writes, s.store.n.Load(), "nothing was written")
			} else {
				assert.Equal(t, writes+1, s.store.n.Load(), "only the state was spent")
			}
			assert.Len(t, s.results, results, "no session started")
			assert.NotContains(t, c.jar, "app-session")
		})
	}

	t.Run("the cancel reaches the hook with the provider's text escaped", func(t *testing.T) {
		err := s.lastErr()
		require.ErrorIs(t, err, socialauth.ErrAuthCanceled)
		assert.Contains(t, err.Error(), "access_denied: &lt;b&gt;nope&lt;/b&gt;")
	})
}

func TestBrowserSpoofedHost(t *testing.T) {
	s := newSite(t, backendtest.AuthorizationServerOptions{})
	c := newBrowser()
	r := form("/auth/login/prov/", nil)
	r.Host = "evil.example"
	r.Header.Set("X-Forwarded-Host", "evil.example")
	r.Header.Set("Forwarded", "host=evil.example")
	rec := c.do(s.mux, r)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	u, err := url.Parse(rec.Header().Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, appURL+"/auth/complete/prov/", u.Query().Get("redirect_uri"), "from configuration only")

	resp, err := s.as.Approve(u.String(), ada)
	require.NoError(t, err)
	cb := resp.Request()
	cb.Host = "evil.example"
	cb.Header.Set("X-Forwarded-Host", "evil.example")
	rec = c.do(s.mux, cb)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, "/", rec.Header().Get("Location"))
	assert.Equal(t, 1, s.as.Calls("token"), "the exchange sent the configured redirect_uri (the fake refuses any other)")
}

// TestBrowserNextRedirects: the whole table of point 2, through a real
// round each: what is kept, and what falls back to the default.
func TestBrowserNextRedirects(t *testing.T) {
	s := newSite(t, backendtest.AuthorizationServerOptions{})
	s.login(newBrowser(), "prov", ada, nil) // later rounds are a returning user
	cases := []struct{ next, want string }{
		{"/dashboard", "/dashboard"},
		{"/account?tab=2&x=%2F%2Fevil.com#keys", "/account?tab=2&x=%2F%2Fevil.com#keys"},
		{"/search?q=a+b#top", "/search?q=a+b#top"},
		{"https://app.example.com/welcome?x=1", "https://app.example.com/welcome?x=1"},
		{"https://DOCS.example.com/guide", "https://DOCS.example.com/guide"},
		{"//evil.com", "/"},
		{"///evil.com", "/"},
		{"////evil.com", "/"},
		{`/\evil.com`, "/"},
		{`\\evil.com`, "/"},
		{`\/evil.com`, "/"},
		{"https:evil.com", "/"},
		{"https:/evil.com", "/"},
		{"http://app.example.com/", "/"},
		{"https://evil.com/", "/"},
		{"https://app.example.com.evil.com/", "/"},
		{"https://app.example.com@evil.com/", "/"},
		{"https://evil.com\\@app.example.com/", "/"},
		{"javascript:alert(1)", "/"},
		{"JavaScript:alert(1)", "/"},
		{"data:text/html,<script>alert(1)</script>", "/"},
		{"evil.com", "/"},
		{"/%2F%2Fevil.com", "/"},
		{"/%2f%2fevil.com", "/"},
		{"/%5Cevil.com", "/"},
		{"/%252F%252Fevil.com", "/"},
		{"%2F%2Fevil.com", "/"},
		{"/\t/evil.com", "/"},
		{"/%09/evil.com", "/"},
		{"/\n/evil.com", "/"},
		{"/\r\nLocation: https://evil.com", "/"},
		{"/%0d%0aSet-Cookie:x=1", "/"},
		{"/\x00", "/"},
		{" /dashboard", "/"},
		{"/dash board", "/"},
		{"/café", "/"},
		{"/" + strings.Repeat("a", 2000), "/"},
		{"", "/"},
	}
	for _, tc := range cases {
		t.Run(tc.next, func(t *testing.T) {
			rec := s.login(newBrowser(), "prov", ada, url.Values{"next": {tc.next}})
			require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
			assert.Equal(t, tc.want, rec.Header().Get("Location"))
		})
	}
}

func TestBrowserNewUserAndAssociationRedirects(t *testing.T) {
	s := newSite(t, backendtest.AuthorizationServerOptions{})
	s.b.NewUserRedirect, s.b.NewAssociationRedirect, s.b.LoginRedirect = "/welcome", "/linked", "/home"
	s.mount()
	c := newBrowser()
	rec := s.login(c, "prov", ada, url.Values{"next": {"/wanted"}})
	assert.Equal(t, "/welcome", rec.Header().Get("Location"), "a new user goes to NewUserRedirect whatever next says")
	rec = s.login(newBrowser(), "prov", ada, url.Values{"next": {"/wanted"}})
	assert.Equal(t, "/wanted", rec.Header().Get("Location"), "a returning user goes to next")
	rec = s.login(newBrowser(), "prov", ada, nil)
	assert.Equal(t, "/home", rec.Header().Get("Location"))
	rec = s.login(c, "other", backendtest.Identity{UID: "ada-other"}, url.Values{"next": {"/wanted"}})
	assert.Equal(t, "/linked", rec.Header().Get("Location"), "a connect that linked a new account")

	t.Run("the hook chooses", func(t *testing.T) {
		s.b.Success = func(w http.ResponseWriter, r *http.Request, res *socialauth.Result, to string) (string, error) {
			assert.Equal(t, "/home", to)
			return "/chosen", nil
		}
		s.mount()
		rec := s.login(newBrowser(), "prov", ada, nil)
		assert.Equal(t, "/chosen", rec.Header().Get("Location"))
	})
	t.Run("the hook fails", func(t *testing.T) {
		s.b.Success = func(http.ResponseWriter, *http.Request, *socialauth.Result, string) (string, error) {
			return "", errors.New("session store down")
		}
		s.mount()
		rec := s.login(newBrowser(), "prov", ada, nil)
		assert.Equal(t, http.StatusInternalServerError, rec.Code)
	})
}

func TestBrowserBeginMethods(t *testing.T) {
	s := newSite(t, backendtest.AuthorizationServerOptions{})
	rec := newBrowser().do(s.mux, httptest.NewRequest(http.MethodGet, appURL+"/auth/login/prov/", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code, "a GET begins no login")
	assert.Equal(t, "POST", rec.Header().Get("Allow"))

	r := form("/auth/login/prov/", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	c := newBrowser()
	rec = c.do(s.mux, r)
	assert.Equal(t, socialhttp.CodeForbidden+"\n", rec.Body.String(), "a cross-site POST begins none either")
	assert.Empty(t, c.jar)

	r = form("/auth/login/prov/", nil)
	r.Header.Set("Origin", "https://evil.example")
	rec = newBrowser().do(s.mux, r)
	assert.Equal(t, http.StatusForbidden, rec.Code)

	rec = newBrowser().do(s.mux, form("/auth/login/nosuch/", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)

	s.b.LoginOnGET = true
	s.mount()
	rec = newBrowser().do(s.mux, httptest.NewRequest(http.MethodGet, appURL+"/auth/login/prov/?next=/x", nil))
	assert.Equal(t, http.StatusSeeOther, rec.Code, "LoginOnGET")
	assert.Equal(t, 0, s.as.Calls("token"))
}

func TestBrowserFormPost(t *testing.T) {
	s := newSite(t, backendtest.AuthorizationServerOptions{})
	c := newBrowser()
	authURL := s.begin(c, "formpost", nil)
	ck := c.set["__Host-socialauth-flow-formpost"]
	require.NotNil(t, ck)
	assert.Equal(t, http.SameSiteNoneMode, ck.SameSite, "the cross-site POST must carry it")
	assert.True(t, ck.Secure)

	resp, err := s.as.Approve(authURL, backendtest.Identity{UID: "apple-1", Email: "x@privaterelay.appleid.com", EmailVerified: true})
	require.NoError(t, err)
	require.True(t, resp.FormPost)
	resp.Params.Set("user", `{"name":{"firstName":"Grace","lastName":"Hopper"},"email":"attacker@example.com"}`)
	r := resp.Request()
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	r.Header.Set("Origin", "https://appleid.apple.com")
	rec := c.do(s.mux, r)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	res := s.results[len(s.results)-1]
	assert.Equal(t, "Grace", res.User.FirstName, "Apple's first-login name")
	assert.Equal(t, "x@privaterelay.appleid.com", res.User.Email, "never the posted email")
	assert.Equal(t, http.SameSiteNoneMode, c.set["__Host-socialauth-flow-formpost"].SameSite)
}

func TestBrowserConnectAndDisconnect(t *testing.T) {
	s := newSite(t, backendtest.AuthorizationServerOptions{})
	c := newBrowser()
	s.login(c, "prov", ada, nil)
	adaUser := s.results[0].User

	rec := s.login(c, "other", backendtest.Identity{UID: "ada-other"}, nil)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	links, err := s.store.AssociationsForUser(context.Background(), adaUser.ID)
	require.NoError(t, err)
	require.Len(t, links, 2, "a logged-in user connects")

	t.Run("an identity of another user: a clean already-associated error", func(t *testing.T) {
		bob := newBrowser()
		s.login(bob, "prov", backendtest.Identity{UID: "bob"}, nil)
		rec := s.login(bob, "other", backendtest.Identity{UID: "ada-other"}, nil)
		assert.Equal(t, http.StatusConflict, rec.Code)
		assert.Equal(t, socialhttp.CodeAlreadyAssociated+"\n", rec.Body.String())
		require.ErrorIs(t, s.lastErr(), socialauth.ErrAlreadyAssociated)
	})

	t.Run("a connect completes only for the user who began it", func(t *testing.T) {
		other := newBrowser()
		s.login(other, "prov", backendtest.Identity{UID: "carol"}, nil)
		authURL := s.begin(other, "other", nil)
		resp, err := s.other.Approve(authURL, backendtest.Identity{UID: "carol-other"})
		require.NoError(t, err)
		other.jar["app-session"] = c.jar["app-session"] // now logged in as Ada
		calls := s.other.Calls("token")
		rec := other.do(s.mux, resp.Request())
		assert.Equal(t, socialhttp.CodeStateMismatch+"\n", rec.Body.String())
		assert.Equal(t, calls, s.other.Calls("token"))
	})

	disconnect := func(c *browser, backend string, v url.Values) *httptest.ResponseRecorder {
		return c.do(s.mux, form("/auth/disconnect/"+backend+"/", v))
	}
	var otherLink *socialauth.Association
	for _, a := range links {
		if a.Provider == "other" {
			otherLink = a
		}
	}
	require.NotNil(t, otherLink)

	rec = disconnect(newBrowser(), "other", nil)
	assert.Equal(t, http.StatusForbidden, rec.Code, "nobody logged in")
	r := form("/auth/disconnect/other/", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	rec = c.do(s.mux, r)
	assert.Equal(t, http.StatusForbidden, rec.Code, "a cross-site POST disconnects nothing")

	rec = disconnect(c, "other", url.Values{"association_id": {otherLink.ID}, "next": {"/settings/accounts"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, "/settings/accounts", rec.Header().Get("Location"))
	assert.Len(t, s.other.Revoked(), 1, "the provider's token is revoked")
	links, err = s.store.AssociationsForUser(context.Background(), adaUser.ID)
	require.NoError(t, err)
	require.Len(t, links, 1)

	rec = disconnect(c, "prov", nil)
	assert.Equal(t, http.StatusConflict, rec.Code, "never the last way to log in")
	assert.Equal(t, socialhttp.CodeNotAllowed+"\n", rec.Body.String())
	assert.Empty(t, s.as.Revoked())
}

func TestBrowserPausedLogin(t *testing.T) {
	s := newSite(t, backendtest.AuthorizationServerOptions{})
	s.cfg.Pipeline = pausingPipeline()
	s.mount()
	c := newBrowser()
	rec := s.login(c, "prov", ada, url.Values{"next": {"/after-terms"}})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, []string{"prov:accept_terms"}, s.pauses)
	pc := c.set["__Host-socialauth-partial"]
	require.NotNil(t, pc, "the paused login is this browser's")
	assert.True(t, pc.Secure)
	assert.True(t, pc.HttpOnly)
	token, _ := url.ParseQuery(pc.Value)
	require.NotEmpty(t, token.Get("t"))
	assert.NotContains(t, rec.Body.String(), token.Get("t"), "never in the page")
	assert.NotContains(t, rec.Header().Get("Location"), token.Get("t"))

	t.Run("another browser cannot resume it (login CSRF)", func(t *testing.T) {
		writes := s.store.n.Load()
		rec := newBrowser().do(s.mux, form("/auth/resume/prov/", url.Values{"agree": {"yes"}, "partial_token": {token.Get("t")}}))
		assert.Equal(t, socialhttp.CodePartialNotFound+"\n", rec.Body.String())
		assert.Equal(t, writes, s.store.n.Load())
	})
	t.Run("nor can it be resumed at another backend", func(t *testing.T) {
		rec := c.do(s.mux, form("/auth/resume/other/", url.Values{"agree": {"yes"}}))
		assert.Equal(t, socialhttp.CodePartialNotFound+"\n", rec.Body.String())
		c.jar["__Host-socialauth-partial"] = pc // the refusal deleted nothing of prov's; put it back as it was
	})

	rec = c.do(s.mux, form("/auth/resume/prov/", url.Values{"agree": {"no"}}))
	require.Equal(t, http.StatusOK, rec.Code, "still paused: the step asks again")
	assert.Len(t, s.pauses, 2)
	rec = c.do(s.mux, form("/auth/resume/prov/", url.Values{"agree": {"yes"}}))
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, "/after-terms", rec.Header().Get("Location"))
	assert.True(t, s.results[len(s.results)-1].IsNew)
	assert.NotContains(t, c.jar, "__Host-socialauth-partial")

	rec = c.do(s.mux, form("/auth/resume/prov/", url.Values{"agree": {"yes"}}))
	assert.Equal(t, socialhttp.CodePartialNotFound+"\n", rec.Body.String(), "single use")
}

func TestBrowserDefaultErrorAnswers(t *testing.T) {
	s := newSite(t, backendtest.AuthorizationServerOptions{})
	s.b.Error = nil
	s.mount()
	c := newBrowser()
	resp, err := s.as.Deny(s.begin(c, "prov", nil), "<script>alert(1)</script>")
	require.NoError(t, err)
	rec := c.do(s.mux, resp.Request())
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.NotContains(t, rec.Body.String(), "<script>")
	assert.Contains(t, rec.Body.String(), "canceled")

	s.b.ErrorURL = "/login?failed=1"
	s.mount()
	rec = newBrowser().do(s.mux, httptest.NewRequest(http.MethodGet, appURL+"/auth/complete/prov/?code=x&state=y", nil))
	assert.Equal(t, http.StatusSeeOther, rec.Code)
	assert.Equal(t, "/login?failed=1&error=state_mismatch", rec.Header().Get("Location"))
}

func TestBrowserConfigPanics(t *testing.T) {
	assert.Panics(t, func() {
		socialhttp.Browser{Success: func(http.ResponseWriter, *http.Request, *socialauth.Result, string) (string, error) { return "", nil }}.Begin()
	})
	assert.Panics(t, func() { socialhttp.Browser{RedirectURL: func(string) string { return "" }}.Callback() })
}
