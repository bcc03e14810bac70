// Package backendtest fakes identity providers at the HTTP level, so that a
// host app tests its exchange endpoint (and the library tests its backends)
// with no network and no provider account.
//
// A [Provider] is an *http.Client whose transport is a
// github.com/jarcoal/httpmock MockTransport speaking each backend's own
// protocol: userinfo, the audience checks (Google's tokeninfo, Facebook's
// debug_token, GitHub's check-token endpoint, ...). Give its Client to
// socialauth.Config.HTTPClient, then mint tokens for fake identities:
//
//	fake := backendtest.New(t)
//	cfg.HTTPClient = fake.Client()
//	token := fake.Token("github", settings, backendtest.Identity{UID: "42", Username: "octocat"})
//	// POST {"access_token": token} to the exchange endpoint ...
//
// A token minted with [Provider.ForeignToken] is one the provider accepts but
// that was issued to another app: a backend's audience check must refuse it.
//
// The OpenID Connect backends' fakes are OpenID providers ([Issuer]):
// discovery, a JWKS of keys made for each, userinfo, introspection.
// [Provider.IDToken] signs id_tokens for the id_token exchange
// (socialauth.DoAuthIDToken), shaped by [IDTokenOptions] (nonce, audience,
// times, algorithm, key) to test refusals too; [Provider.Issuer] fakes the
// provider of a backend made with backends.NewOIDC.
package backendtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/go-socialauth/socialauth/backends"
)

// Identity is a fake person at a provider.
type Identity struct {
	// UID is the provider's user id. For providers whose ids are numbers, use digits.
	UID           string
	Username      string
	Email         string
	EmailVerified bool
	FirstName     string
	LastName      string
	// Name is the full name; empty means FirstName + " " + LastName.
	Name string
}

// FullName is Name, or FirstName and LastName joined.
func (id Identity) FullName() string {
	if id.Name != "" {
		return id.Name
	}
	return strings.TrimSpace(id.FirstName + " " + id.LastName)
}

// Provider is a set of fake providers behind one HTTP client. It is safe
// for concurrent use.
type Provider struct {
	t      testing.TB
	mock   *httpmock.MockTransport
	client *http.Client

	mu        sync.Mutex
	tokens    map[string]grant
	installed map[string]bool
	outage    map[string]int
	n         int

	oidc oidcFakes // the fake OpenID providers (oidc.go)
}

// grant is what the fake knows of a token it issued.
type grant struct {
	backend  string
	id       Identity
	settings backends.Settings
	foreign  bool // issued to another app
}

// New returns a Provider whose client answers only the routes of the
// backends it was given tokens for; any other request fails the test's
// request with httpmock's "no responder" error (no network is touched).
func New(t testing.TB) *Provider {
	mock := httpmock.NewMockTransport()
	return &Provider{
		t: t, mock: mock, client: &http.Client{Transport: mock, Timeout: 30 * time.Second}, // as bounded as any client a host should hand over
		tokens: map[string]grant{}, installed: map[string]bool{}, outage: map[string]int{},
	}
}

// Client is the client to put in socialauth.Config.HTTPClient.
func (p *Provider) Client() *http.Client { return p.client }

// Transport is the underlying mock, to add responders or count calls.
func (p *Provider) Transport() *httpmock.MockTransport { return p.mock }

// Token returns a fresh access token that backend name's fake accepts as id's,
// issued to the app that s describes (its Key).
func (p *Provider) Token(name string, s backends.Settings, id Identity) string {
	return p.issue(name, s, id, false)
}

// ForeignToken returns a token the provider accepts for id, but issued to
// another app: the backend must refuse it with socialauth.ErrInvalidToken.
func (p *Provider) ForeignToken(name string, s backends.Settings, id Identity) string {
	return p.issue(name, s, id, true)
}

// Outage makes every endpoint of backend name answer status (0 ends it),
// for testing how a failing provider is reported.
func (p *Provider) Outage(name string, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.outage[fakeAlias(name)] = status
}

func (p *Provider) issue(name string, s backends.Settings, id Identity, foreign bool) string {
	p.t.Helper()
	name = fakeAlias(name)
	f, ok := fakeFor(name)
	if !ok {
		p.t.Fatalf("backendtest: no fake for backend %q", name)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if tok, ok := p.mintOIDC(name, s, id, foreign); ok {
		return tok // an OpenID provider's token (oidc.go)
	}
	p.n++
	tok := fmt.Sprintf("fake-%s-token-%d", strings.ReplaceAll(name, "-", ""), p.n)
	p.tokens[tok] = grant{backend: name, id: id, settings: s, foreign: foreign}
	if !p.installed[name] {
		p.installed[name] = true
		for _, r := range f(s) {
			p.mock.RegisterResponder(r.method, r.url, p.responder(name, r))
		}
	}
	return tok
}

// route is one endpoint of a fake provider.
type route struct {
	method, url string
	// token reads the user's token from the request; nil means the bearer
	// token, else the access_token or oauth_token query parameter.
	token func(r *http.Request) string
	// answer gives the status and JSON body for the token's grant.
	answer func(c *Call) (int, any)
}

// Call is what a fake endpoint knows while answering.
type Call struct {
	Request  *http.Request
	Body     []byte
	Identity Identity
	Settings backends.Settings
	// Foreign: the token was issued to another app.
	Foreign bool
}

func (p *Provider) responder(name string, r route) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			body, _ = io.ReadAll(req.Body)
			req.Body = io.NopCloser(strings.NewReader(string(body)))
		}
		p.mu.Lock()
		status := p.outage[name]
		extract := r.token
		if extract == nil {
			extract = defaultToken
		}
		g, ok := p.tokens[extract(req)]
		p.mu.Unlock()
		if status != 0 {
			return jsonResponse(status, map[string]string{"error": "server_error", "error_description": "fake outage"})
		}
		if !ok || g.backend != name {
			return jsonResponse(http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "unknown token"})
		}
		st, out := r.answer(&Call{Request: req, Body: body, Identity: g.id, Settings: g.settings, Foreign: g.foreign})
		return jsonResponse(st, out)
	}
}

func jsonResponse(status int, v any) (*http.Response, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	resp := httpmock.NewBytesResponse(status, b)
	resp.Header.Set("Content-Type", "application/json")
	return resp, nil
}

func defaultToken(r *http.Request) string {
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return tok
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "token "); ok {
		return tok
	}
	q := r.URL.Query()
	for _, k := range []string{"access_token", "oauth_token"} {
		if v := q.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// queryToken reads the token from query parameter k.
func queryToken(k string) func(*http.Request) string {
	return func(r *http.Request) string { return r.URL.Query().Get(k) }
}

// Names lists the backends this package can fake.
func Names() []string {
	var out []string
	for _, group := range fakeGroups() {
		for n := range group {
			out = append(out, n)
		}
	}
	return out
}

// fakeGroups are the per-file tables of fakes; each file of this package
// that fakes providers contributes one.
func fakeGroups() []map[string]func(backends.Settings) []route {
	return []map[string]func(backends.Settings) []route{
		coreFakes(),
		fakesA(),
		fakesB(),
		fakesOIDC(),
	}
}

func fakeFor(name string) (func(backends.Settings) []route, bool) {
	for _, group := range fakeGroups() {
		if f, ok := group[name]; ok {
			return f, true
		}
	}
	return nil, false
}

// otherApp is the client id foreign tokens are issued to.
const otherApp = "another-app-client-id"
