// Package backendtest fakes identity providers at the HTTP level, so that a
// program using package backends tests its login endpoint, and the library
// tests its backends, with no network and no provider account.
//
// A [Provider] hands out an *http.Client whose transport answers as each
// provider does: its user-info endpoint and the check that proves a token
// was issued to the app (Google's tokeninfo, Facebook's debug_token,
// GitHub's check-token endpoint, RFC 7662 introspection, ...). Put the
// client where the backends' HTTP client goes (socialauth.Config.HTTPClient),
// then mint tokens for fake people:
//
//	fake := backendtest.New(t)
//	cfg.HTTPClient = fake.Client()
//	token := fake.Token("github", settings, backendtest.Identity{UID: "42", Username: "octocat"})
//	// POST {"access_token": token} to the login endpoint ...
//
// A token from [Provider.ForeignToken] is one the provider accepts but that
// was issued to another app: a backend's audience check must refuse it.
// [Provider.Outage] makes a provider fail.
//
// The OpenID Connect backends' providers are fake OpenID Providers
// ([Issuer]): a discovery document, a JWKS of keys made for each,
// userinfo and introspection. [Provider.IDToken] signs id_tokens for the
// id_token login, shaped by [IDTokenOptions] (nonce, audience, times,
// algorithm, key) to test refusals too; [Provider.Issuer] fakes the
// provider of a backend made with backends.NewOIDC.
//
// Nothing touches the network: a request the fakes do not know fails.
package backendtest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/go-socialauth/socialauth/backends"
)

// Identity is a fake person at a provider. Where the provider has
// pictures, its fake gives the person one at the provider's address, so
// the backend's profile has an AvatarURL.
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

// fullName is Name, or FirstName and LastName joined.
func (id Identity) fullName() string {
	if id.Name != "" {
		return id.Name
	}
	return strings.TrimSpace(id.FirstName + " " + id.LastName)
}

// Provider is every fake provider behind one HTTP client. It is safe for
// concurrent use.
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
// backends it was asked for tokens of (and the issuers it made); any
// other request fails with an error, and no network is touched. t fails
// the test when a token is asked of a backend that has no fake.
func New(t testing.TB) *Provider {
	mock := httpmock.NewMockTransport()
	return &Provider{
		t: t, mock: mock, client: &http.Client{Transport: mock, Timeout: 30 * time.Second}, // as bounded as any client a host should hand over
		tokens: map[string]grant{}, installed: map[string]bool{}, outage: map[string]int{},
	}
}

// Client is the HTTP client that reaches the fake providers: the one to
// hand to the backends (socialauth.Config.HTTPClient).
func (p *Provider) Client() *http.Client { return p.client }

// Transport is the round tripper behind Client, for a host that builds its
// own *http.Client (its own timeout, or middleware around the transport).
func (p *Provider) Transport() http.RoundTripper { return p.mock }

// Token returns a fresh access token that backend name's fake provider
// accepts as id's, issued to the app s describes (its Key).
func (p *Provider) Token(name string, s backends.Settings, id Identity) string {
	return p.issue(name, s, id, false)
}

// ForeignToken returns a token backend name's fake provider accepts for
// id, but issued to another app: the backend must refuse it with
// socialauth.ErrInvalidToken wherever the provider lets it tell (the
// backend's Doc().ChecksAudience).
func (p *Provider) ForeignToken(name string, s backends.Settings, id Identity) string {
	return p.issue(name, s, id, true)
}

// Outage makes every endpoint of backend name's fake provider answer
// status (0 ends it), to test how a failing provider is reported.
func (p *Provider) Outage(name string, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.outage[fakeAlias(name)] = status
}

func (p *Provider) issue(name string, s backends.Settings, id Identity, foreign bool) string {
	p.t.Helper()
	name = fakeAlias(name)
	f, ok := fakes()[name]
	if !ok {
		p.t.Fatalf("backendtest: no fake for backend %q", name)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.installed[name] {
		p.installed[name] = true
		for _, r := range f(s) {
			if r.shared != nil {
				p.mock.RegisterResponder(r.method, r.url, r.shared(p))
				continue
			}
			p.mock.RegisterResponder(r.method, r.url, p.responder(name, r))
		}
	}
	if tok, ok := p.mintOIDC(name, s, id, foreign); ok {
		return tok // an OpenID provider's token (oidc.go)
	}
	p.n++
	tok := fmt.Sprintf("fake-%s-token-%d", strings.ReplaceAll(name, "-", ""), p.n)
	p.tokens[tok] = grant{backend: name, id: id, settings: s, foreign: foreign}
	return tok
}

// route is one endpoint of a fake provider.
type route struct {
	method, url string
	// token reads the user's token from the request; nil means
	// defaultToken.
	token func(r *http.Request) string
	// answer gives the status and JSON body for the token's grant.
	answer func(c *call) (int, any)
	// shared, when set, answers in place of token and answer: an endpoint
	// that serves the tokens of several backends' fakes at one address
	// (LinkedIn's introspectToken serves both LinkedIn backends), so that
	// whichever fake installs it answers for all of them.
	shared func(p *Provider) httpmock.Responder
	// unknown answers a token the fake did not issue (RFC 7662's
	// {"active": false}, Slack's {"ok": false}); nil means 401 with an RFC
	// 6750 invalid_token error. A request that carries no token at all
	// still gets the 401.
	unknown func() (int, any)
}

// call is what a fake endpoint knows while answering.
type call struct {
	req      *http.Request
	body     []byte
	id       Identity
	settings backends.Settings
	foreign  bool // the token was issued to another app
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
		tok := extract(req)
		g, ok := p.tokens[tok]
		p.mu.Unlock()
		if status != 0 {
			return jsonResponse(status, map[string]string{"error": "server_error", "error_description": "fake outage"})
		}
		if !ok || g.backend != name {
			if r.unknown != nil && tok != "" {
				return jsonResponse(r.unknown())
			}
			return jsonResponse(http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "unknown token"})
		}
		st, out := r.answer(&call{req: req, body: body, id: g.id, settings: g.settings, foreign: g.foreign})
		return jsonResponse(st, out)
	}
}

// grantOf finds what the fake knows of tok, a token issued for one of the
// backends names: by their route fakes or by their Issuers.
func (p *Provider) grantOf(tok string, names ...string) (grant, bool) {
	p.mu.Lock()
	g, ok := p.tokens[tok]
	p.mu.Unlock()
	if ok {
		return g, slices.Contains(names, g.backend)
	}
	p.oidc.mu.Lock()
	issuers := slices.Collect(maps.Values(p.oidc.issuers))
	p.oidc.mu.Unlock()
	for _, i := range issuers {
		i.mu.Lock()
		g, ok := i.tokens[tok]
		served := slices.ContainsFunc(i.names, func(n string) bool { return slices.Contains(names, n) })
		i.mu.Unlock()
		if ok && served {
			return g, true
		}
	}
	return grant{}, false
}

// outageOf is the status Provider.Outage set for one of the backends
// names (0 when none is down).
func (p *Provider) outageOf(names ...string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range names {
		if st := p.outage[n]; st != 0 {
			return st
		}
	}
	return 0
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
