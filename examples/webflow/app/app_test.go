package app_test

import (
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth/examples/webflow/app"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// start serves the app and its two development providers on loopback.
func start(t *testing.T) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	providers, stop, err := app.DevProviders(base)
	require.NoError(t, err)
	t.Cleanup(stop)
	h, err := app.New(app.Config{BaseURL: base, Providers: providers, Storage: memory.New(), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	return base
}

// browser is an HTTP client with cookies that follows redirects, as a
// browser does, and remembers the callbacks it went through.
type browser struct {
	t    *testing.T
	base string
	hc   *http.Client

	mu        sync.Mutex
	callbacks []string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	b := &browser{t: t, base: base}
	b.hc = &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.Contains(req.URL.Path, "/auth/complete/") {
			b.mu.Lock()
			b.callbacks = append(b.callbacks, req.URL.String())
			b.mu.Unlock()
		}
		return nil
	}}
	return b
}

// page is where a request ended and what it showed.
type page struct {
	url  *url.URL
	body string
}

func (b *browser) read(resp *http.Response, err error) page {
	b.t.Helper()
	require.NoError(b.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	require.Equal(b.t, http.StatusOK, resp.StatusCode, string(body))
	return page{url: resp.Request.URL, body: string(body)}
}

func (b *browser) get(u string) page { b.t.Helper(); return b.read(b.hc.Get(u)) }
func (b *browser) post(u string, form url.Values) page {
	b.t.Helper()
	return b.read(b.hc.PostForm(u, form))
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// atProvider answers the provider's login page p as name, with action
// "allow" or "deny", and returns the page the browser ends on.
func (b *browser) atProvider(p page, name, action string) page {
	b.t.Helper()
	require.Contains(b.t, p.body, `<form method="post" action="authorize">`, "the provider's login page")
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(p.body, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	form.Set("name", name)
	form.Set("action", action)
	return b.post(p.url.ResolveReference(&url.URL{Path: "authorize"}).String(), form)
}

// signIn presses "Sign in with" (or "Connect") for backend and signs in as
// name at the provider.
func (b *browser) signIn(backend, name string) page {
	b.t.Helper()
	return b.atProvider(b.post(b.base+"/auth/login/"+backend+"/", nil), name, "allow")
}

// welcome answers the welcome form of a paused first login.
func (b *browser) welcome(p page, backend, displayName string, accept bool) page {
	b.t.Helper()
	require.Equal(b.t, "/welcome", p.url.Path, p.body)
	require.Contains(b.t, p.body, `action="/auth/resume/`+backend+`/"`)
	form := url.Values{"display_name": {displayName}}
	if accept {
		form.Set("accept_terms", "yes")
	}
	return b.post(b.base+"/auth/resume/"+backend+"/", form)
}

func (b *browser) sessionCookie() string {
	u, _ := url.Parse(b.base)
	for _, c := range b.hc.Jar.Cookies(u) {
		if c.Name == "__Host-webflow-session" {
			return c.Value
		}
	}
	return ""
}

// text is the text of the element with id in body, and whether it is there.
func text(body, id string) (string, bool) {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return html.UnescapeString(strings.TrimSpace(m[1])), true
}

func has(body, id string) bool { return strings.Contains(body, `id="`+id+`"`) }

// TestWebflow walks the whole app over HTTP: a first login paused for the
// welcome form, connect, disconnect (never the last account), a returning
// login, the provider's Deny, declined terms, an account of another user,
// and a replayed callback.
func TestWebflow(t *testing.T) {
	base := start(t)
	b := newBrowser(t, base)

	home := b.get(base + "/")
	assert.True(t, has(home.body, "login-dev") && has(home.body, "login-dev-work"), home.body)
	assert.False(t, has(home.body, "user"))

	// A first login pauses for the welcome form.
	p := b.signIn("dev", "ada")
	assert.Contains(t, p.body, "Development provider")
	assert.Empty(t, b.sessionCookie(), "not signed in while paused")
	p = b.welcome(p, "dev", "Ada Lovelace", true)
	assert.Equal(t, "/", p.url.Path)
	name, _ := text(p.body, "user-name")
	assert.Equal(t, "Ada Lovelace", name)
	email, _ := text(p.body, "user-email")
	assert.Equal(t, "ada@example.com", email)
	assert.True(t, has(p.body, "account-dev") && has(p.body, "connect-dev-work"), p.body)
	assert.False(t, has(p.body, "connect-dev"))
	first := b.sessionCookie()
	require.NotEmpty(t, first)

	// The callback's flow was single-use.
	b.mu.Lock()
	require.NotEmpty(t, b.callbacks)
	callback := b.callbacks[len(b.callbacks)-1]
	b.mu.Unlock()
	replay := b.get(callback)
	msg, _ := text(replay.body, "error")
	assert.Contains(t, msg, "not started in this browser")
	assert.True(t, has(replay.body, "user-name"), "still signed in")

	// Connect the second provider: two accounts, and a new session id.
	p = b.signIn("dev-work", "ada.at.work")
	assert.True(t, has(p.body, "account-dev") && has(p.body, "account-dev-work"), p.body)
	assert.False(t, has(p.body, "connect-dev-work"))
	assert.Equal(t, 2, strings.Count(p.body, `class="account"`))
	second := b.sessionCookie()
	assert.NotEqual(t, first, second, "the session id rotates at every login")
	old := newBrowser(t, base)
	u, _ := url.Parse(base)
	old.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "__Host-webflow-session", Value: first, Path: "/"}})
	assert.False(t, has(old.get(base+"/").body, "user-name"), "the old session id is dead")

	// Disconnect it: one account again.
	p = b.post(base+"/auth/disconnect/dev-work/", url.Values{"association_id": {assocID(t, p.body, "dev-work")}})
	assert.Equal(t, 1, strings.Count(p.body, `class="account"`))
	assert.True(t, has(p.body, "connect-dev-work"))

	// The last account cannot go.
	p = b.post(base+"/auth/disconnect/dev/", url.Values{"association_id": {assocID(t, p.body, "dev")}})
	msg, _ = text(p.body, "error")
	assert.Contains(t, msg, "only way to sign in")
	assert.Equal(t, 1, strings.Count(p.body, `class="account"`))

	// Sign out, and back in: a returning user is not asked again, and keeps
	// the display name.
	p = b.post(base+"/logout", nil)
	assert.True(t, has(p.body, "login-dev"))
	p = b.signIn("dev", "ada")
	assert.Equal(t, "/", p.url.Path)
	name, _ = text(p.body, "user-name")
	assert.Equal(t, "Ada Lovelace", name)
	b.post(base+"/logout", nil)

	// Deny at the provider.
	p = b.atProvider(b.post(base+"/auth/login/dev/", nil), "", "deny")
	msg, _ = text(p.body, "error")
	assert.Equal(t, "You declined to sign in at the provider.", msg)
	assert.True(t, has(p.body, "login-dev"))

	// Terms not accepted: no user.
	p = b.welcome(b.signIn("dev", "bob"), "dev", "", false)
	msg, _ = text(p.body, "error")
	assert.Contains(t, msg, "terms must be accepted")
	assert.False(t, has(p.body, "user-name"))

	// Carol signs up with dev-work; then Ada may not connect Carol's account.
	carol := newBrowser(t, base)
	p = carol.welcome(carol.signIn("dev-work", "carol"), "dev-work", "", true)
	name, _ = text(p.body, "user-name")
	assert.Equal(t, "carol Developer", name, "the provider's name when none is chosen")
	b.signIn("dev", "ada")
	p = b.signIn("dev-work", "carol")
	msg, _ = text(p.body, "error")
	assert.Contains(t, msg, "belongs to another user")
	assert.Equal(t, 1, strings.Count(p.body, `class="account"`))
}

// assocID reads the association id in the disconnect form of backend.
func assocID(t *testing.T, body, backend string) string {
	t.Helper()
	m := regexp.MustCompile(`action="/auth/disconnect/` + regexp.QuoteMeta(backend) + `/"><input type="hidden" name="association_id" value="([^"]+)">`).FindStringSubmatch(body)
	require.NotNil(t, m, body)
	return m[1]
}

// TestSessionCookie: the session cookie is HttpOnly, SameSite=Lax and
// __Host- (Secure, Path=/, no Domain), and a forged one is nobody.
func TestSessionCookie(t *testing.T) {
	base := start(t)
	b := newBrowser(t, base)
	var setCookie string
	b.hc.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		for _, c := range req.Response.Header.Values("Set-Cookie") { // the redirect's
			if strings.HasPrefix(c, "__Host-webflow-session=") {
				setCookie = c
			}
		}
		return nil
	}
	b.welcome(b.signIn("dev", "dora"), "dev", "", true)
	require.NotEmpty(t, setCookie)
	for _, attr := range []string{"HttpOnly", "Secure", "SameSite=Lax", "Path=/"} {
		assert.Contains(t, setCookie, attr)
	}
	assert.NotContains(t, setCookie, "Domain")

	id, _, ok := strings.Cut(b.sessionCookie(), ".")
	require.True(t, ok)
	forged := newBrowser(t, base)
	u, _ := url.Parse(base)
	forged.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "__Host-webflow-session", Value: id + ".AAAA", Path: "/"}})
	assert.False(t, has(forged.get(base+"/").body, "user-name"), "a cookie we did not sign")
}
