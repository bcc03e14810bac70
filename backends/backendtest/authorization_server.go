package backendtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/go-socialauth/socialauth/backends"
)

// AuthorizationServer is a fake OAuth 2.0 authorization server and OpenID
// Provider for the browser's authorization-code flow, served on a loopback
// socket (net/http/httptest): discovery, a JWKS, /authorize, /token (the
// authorization_code grant with PKCE S256 required, and refresh_token),
// /userinfo and /revoke (RFC 7009). It knows one client, whose credentials
// [AuthorizationServer.Settings] gives.
//
// A test plays the person at the provider with Approve (sign in and
// consent) or Deny, which visit the authorization URL the app built, and
// reads what the server saw with Calls and Revoked. Options change its
// behaviour (RFC 9207's iss, refresh answers). It is safe for concurrent
// use.
type AuthorizationServer struct {
	srv      *httptest.Server
	key      crypto.Signer
	kid      string
	clientID string
	secret   string

	mu      sync.Mutex
	opts    AuthorizationServerOptions
	people  map[string]Identity // sign-in handles of Approve
	codes   map[string]*codeGrant
	access  map[string]*tokenGrant
	refresh map[string]*tokenGrant
	calls   map[string]int
	revoked []string
	n       int
}

// AuthorizationServerOptions change what an [AuthorizationServer] does.
// The zero value is a plain provider.
type AuthorizationServerOptions struct {
	// IssuerParameter advertises
	// authorization_response_iss_parameter_supported and puts "iss" in
	// every authorization response (RFC 9207).
	IssuerParameter bool
	// ResponseIssuer, when set, is the "iss" of authorization responses in
	// place of the issuer: a mix-up, as if another server answered.
	ResponseIssuer string
	// AccessTokenTTL is the access tokens' expires_in; zero means an hour,
	// negative means the answer has no expires_in.
	AccessTokenTTL time.Duration
	// RefreshOmitsRefreshToken makes a refresh answer no refresh_token
	// (RFC 6749 §6 lets it: the old one stays valid).
	RefreshOmitsRefreshToken bool
	// RefreshIDToken makes a refresh of an openid grant answer an
	// id_token too, whose "sub" is RefreshSubject when set and whose "iss"
	// is RefreshIssuer when set.
	RefreshIDToken                bool
	RefreshSubject, RefreshIssuer string
	// IDTokenNonce, when set, replaces the nonce of the code's id_token.
	IDTokenNonce string
}

type codeGrant struct {
	id        Identity
	redirect  string
	challenge string
	nonce     string
	openid    bool
	used      bool
	issued    []string // the tokens the code gave, revoked if it is replayed
}

type tokenGrant struct {
	id     Identity
	openid bool
}

// fakeClientID is the client the fake knows.
const fakeClientID = "fake-client"

// NewAuthorizationServer starts a fake authorization server with opts; it
// is closed when the test ends.
func NewAuthorizationServer(t testing.TB, opts AuthorizationServerOptions) *AuthorizationServer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := &AuthorizationServer{
		key: key, kid: randomString(9), clientID: fakeClientID, secret: randomString(24), opts: opts,
		people: map[string]Identity{}, codes: map[string]*codeGrant{}, access: map[string]*tokenGrant{},
		refresh: map[string]*tokenGrant{}, calls: map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", s.count("discovery", s.discovery))
	mux.HandleFunc("GET /jwks", s.count("jwks", s.jwks))
	mux.HandleFunc("GET /authorize", s.count("authorize", s.authorize))
	mux.HandleFunc("POST /token", s.count("token", s.token))
	mux.HandleFunc("GET /userinfo", s.count("userinfo", s.userinfo))
	mux.HandleFunc("POST /revoke", s.count("revoke", s.revoke))
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// URL is the server's address and issuer.
func (s *AuthorizationServer) URL() string { return s.srv.URL }

// Client is an HTTP client for the server; give it to
// socialauth.Config.HTTPClient.
func (s *AuthorizationServer) Client() *http.Client { return s.srv.Client() }

// Settings are the client's: Key and Secret, and BaseURL the issuer.
func (s *AuthorizationServer) Settings() backends.Settings {
	return backends.Settings{Key: s.clientID, Secret: s.secret, BaseURL: s.srv.URL}
}

// SetOptions replaces the options.
func (s *AuthorizationServer) SetOptions(o AuthorizationServerOptions) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts = o
}

// OIDC returns an OpenID Connect backend named name for this server
// (discovery, the openid, profile and email scopes, the client's secret).
func (s *AuthorizationServer) OIDC(name string) *backends.OIDC {
	return backends.NewOIDC(backends.OIDCConfig{
		Name: name, Issuer: s.srv.URL, ClientIDs: []string{s.clientID}, ClientSecret: s.secret,
		Scopes: []string{"openid", "profile", "email"},
	})
}

// OAuth2 returns a plain OAuth 2.0 backend named name for this server: its
// authorize, token, userinfo and revocation endpoints, the "profile"
// scope, the userinfo's standard claims mapped to the profile.
func (s *AuthorizationServer) OAuth2(name string) *backends.OAuth2 {
	return backends.NewOAuth2(backends.Provider{
		Name: name, AuthURL: s.srv.URL + "/authorize", TokenURL: s.srv.URL + "/token",
		UserInfoURL: s.srv.URL + "/userinfo", RevocationURL: s.srv.URL + "/revoke",
		ClientID: s.clientID, ClientSecret: s.secret, Scopes: []string{"profile"},
		User: backends.ClaimKeys{}.Map,
	})
}

// Calls counts the requests an endpoint received: "authorize", "token",
// "userinfo", "revoke", "discovery" or "jwks".
func (s *AuthorizationServer) Calls(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[endpoint]
}

// Revoked lists the tokens revoked at /revoke, in order.
func (s *AuthorizationServer) Revoked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.revoked...)
}

// AccessTokenValid reports whether the server still accepts tok.
func (s *AuthorizationServer) AccessTokenValid(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.access[tok]
	return ok
}

func (s *AuthorizationServer) count(name string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[name]++
		s.mu.Unlock()
		h(w, r)
	}
}

// AuthorizationResponse is where the provider sends the browser back.
type AuthorizationResponse struct {
	// RedirectURI is the request's redirect_uri.
	RedirectURI string
	// Params are code and state (and iss), or error, error_description
	// and state.
	Params url.Values
	// FormPost: the request asked response_mode=form_post, so the browser
	// POSTs Params to RedirectURI; otherwise they are RedirectURI's query.
	FormPost bool
}

// URL is RedirectURI with Params in its query.
func (a *AuthorizationResponse) URL() string {
	sep := "?"
	if strings.Contains(a.RedirectURI, "?") {
		sep = "&"
	}
	return a.RedirectURI + sep + a.Params.Encode()
}

// Request is the request the browser sends with the response: a GET of
// URL, or a POST of Params as a form for form_post. Add the app's cookies
// to it.
func (a *AuthorizationResponse) Request() *http.Request {
	if a.FormPost {
		r := httptest.NewRequest(http.MethodPost, a.RedirectURI, strings.NewReader(a.Params.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	return httptest.NewRequest(http.MethodGet, a.URL(), nil)
}

// Approve visits authURL as the browser would, signs id in and consents,
// and returns where the server sends the browser back. A request the
// server refuses without redirecting is an error.
func (s *AuthorizationServer) Approve(authURL string, id Identity) (*AuthorizationResponse, error) {
	s.mu.Lock()
	h := randomString(12)
	s.people[h] = id
	s.mu.Unlock()
	return s.visit(authURL, url.Values{"fake_login": {h}})
}

// Deny visits authURL as the browser would and declines: the response
// carries error=access_denied and description.
func (s *AuthorizationServer) Deny(authURL, description string) (*AuthorizationResponse, error) {
	return s.visit(authURL, url.Values{"fake_deny": {description}})
}

func (s *AuthorizationServer) visit(authURL string, extra url.Values) (*AuthorizationResponse, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	for k, v := range extra {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	c := *s.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(u.String())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	switch resp.StatusCode {
	case http.StatusFound:
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			return nil, err
		}
		params := loc.Query()
		loc.RawQuery = ""
		return &AuthorizationResponse{RedirectURI: loc.String(), Params: params}, nil
	case http.StatusOK: // form_post: an auto-submitting form
		return parseFormPost(body)
	}
	return nil, fmt.Errorf("backendtest: the authorization server answered %d: %s", resp.StatusCode, body)
}

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	formInput  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

func parseFormPost(body []byte) (*AuthorizationResponse, error) {
	m := formAction.FindSubmatch(body)
	if m == nil {
		return nil, fmt.Errorf("backendtest: the authorization server answered no form")
	}
	a := &AuthorizationResponse{RedirectURI: html.UnescapeString(string(m[1])), Params: url.Values{}, FormPost: true}
	for _, in := range formInput.FindAllSubmatch(body, -1) {
		a.Params.Add(html.UnescapeString(string(in[1])), html.UnescapeString(string(in[2])))
	}
	return a, nil
}

// authorize is the authorization endpoint: it checks the request, then
// answers as the person chose (fake_login or fake_deny).
func (s *AuthorizationServer) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect := q.Get("redirect_uri")
	if q.Get("client_id") != s.clientID || redirect == "" {
		http.Error(w, "unknown client or no redirect_uri", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	opts := s.opts
	s.mu.Unlock()
	resp := url.Values{}
	if st := q.Get("state"); st != "" {
		resp.Set("state", st)
	}
	if opts.IssuerParameter || opts.ResponseIssuer != "" {
		resp.Set("iss", s.srv.URL)
		if opts.ResponseIssuer != "" {
			resp.Set("iss", opts.ResponseIssuer)
		}
	}
	fail := func(code, desc string) {
		resp.Set("error", code)
		resp.Set("error_description", desc)
		s.respond(w, redirect, q.Get("response_mode") == "form_post", resp)
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only code")
		return
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		fail("invalid_request", "PKCE S256 is required")
		return
	case q.Has("fake_deny"):
		fail("access_denied", q.Get("fake_deny"))
		return
	}
	s.mu.Lock()
	id, ok := s.people[q.Get("fake_login")]
	delete(s.people, q.Get("fake_login"))
	code := "code-" + randomString(18)
	if ok {
		s.codes[code] = &codeGrant{id: id, redirect: redirect, challenge: q.Get("code_challenge"), nonce: q.Get("nonce"),
			openid: slices.Contains(strings.Fields(q.Get("scope")), "openid")}
	}
	s.mu.Unlock()
	if !ok {
		fail("login_required", "nobody signed in")
		return
	}
	resp.Set("code", code)
	s.respond(w, redirect, q.Get("response_mode") == "form_post", resp)
}

func (s *AuthorizationServer) respond(w http.ResponseWriter, redirect string, formPost bool, params url.Values) {
	if !formPost {
		sep := "?"
		if strings.Contains(redirect, "?") {
			sep = "&"
		}
		w.Header().Set("Location", redirect+sep+params.Encode())
		w.WriteHeader(http.StatusFound)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<form method="post" action="%s">`, html.EscapeString(redirect))
	for k, vs := range params {
		for _, v := range vs {
			fmt.Fprintf(&b, `<input type="hidden" name="%s" value="%s">`, html.EscapeString(k), html.EscapeString(v))
		}
	}
	b.WriteString(`</form>`)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, b.String())
}

// clientOK checks the client's credentials, HTTP Basic or in the form.
func (s *AuthorizationServer) clientOK(r *http.Request) bool {
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	return id == s.clientID && subtle.ConstantTimeCompare([]byte(secret), []byte(s.secret)) == 1
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// token is the token endpoint.
func (s *AuthorizationServer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form")
		return
	}
	if !s.clientOK(r) {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client")
		return
	}
	f := r.PostForm
	switch f.Get("grant_type") {
	case "authorization_code":
		s.redeem(w, f)
	case "refresh_token":
		s.refreshGrant(w, f)
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "")
	}
}

func (s *AuthorizationServer) redeem(w http.ResponseWriter, f url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.codes[f.Get("code")]
	switch {
	case !ok:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown code")
		return
	case g.used: // RFC 6749 §4.1.2: revoke what the code gave
		for _, t := range g.issued {
			delete(s.access, t)
			delete(s.refresh, t)
		}
		oauthError(w, http.StatusBadRequest, "invalid_grant", "code already used")
		return
	case f.Get("redirect_uri") != g.redirect:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request's")
		return
	}
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if f.Get("code_verifier") == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
		return
	}
	g.used = true
	nonce := g.nonce
	if s.opts.IDTokenNonce != "" {
		nonce = s.opts.IDTokenNonce
	}
	body, at, rt := s.issueLocked(&tokenGrant{id: g.id, openid: g.openid}, true, nonce, "", "")
	g.issued = append(g.issued, at, rt)
	writeJSON(w, http.StatusOK, body)
}

func (s *AuthorizationServer) refreshGrant(w http.ResponseWriter, f url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := f.Get("refresh_token")
	g, ok := s.refresh[old]
	if !ok {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown refresh token")
		return
	}
	rotate := !s.opts.RefreshOmitsRefreshToken
	if rotate {
		delete(s.refresh, old)
	}
	idToken := g.openid && s.opts.RefreshIDToken
	body, _, _ := s.issueLocked(g, rotate, "", s.opts.RefreshSubject, s.opts.RefreshIssuer)
	if !idToken {
		delete(body, "id_token")
	}
	writeJSON(w, http.StatusOK, body)
}

// issueLocked makes an access token (and a refresh token when withRefresh,
// and an id_token for an openid grant). s.mu is held.
func (s *AuthorizationServer) issueLocked(g *tokenGrant, withRefresh bool, nonce, sub, iss string) (map[string]any, string, string) {
	s.n++
	at := fmt.Sprintf("fake-at-%d-%s", s.n, randomString(9))
	s.access[at] = g
	body := map[string]any{"access_token": at, "token_type": "Bearer"}
	switch ttl := s.opts.AccessTokenTTL; {
	case ttl == 0:
		body["expires_in"] = 3600
	case ttl > 0:
		body["expires_in"] = int(ttl / time.Second)
	}
	rt := ""
	if withRefresh {
		rt = fmt.Sprintf("fake-rt-%d-%s", s.n, randomString(9))
		s.refresh[rt] = g
		body["refresh_token"] = rt
	}
	if g.openid {
		c := s.claims(g.id)
		now := time.Now()
		c["iss"], c["aud"], c["iat"], c["exp"] = s.srv.URL, s.clientID, now.Unix(), now.Add(time.Hour).Unix()
		if nonce != "" {
			c["nonce"] = nonce
		}
		if sub != "" {
			c["sub"] = sub
		}
		if iss != "" {
			c["iss"] = iss
		}
		h := sha256.Sum256([]byte(at))
		c["at_hash"] = base64.RawURLEncoding.EncodeToString(h[:16])
		body["id_token"] = s.sign(c)
	}
	return body, at, rt
}

func (s *AuthorizationServer) sign(claims map[string]any) string {
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: s.key, KeyID: s.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		panic(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return tok
}

func (s *AuthorizationServer) claims(id Identity) map[string]any {
	c := map[string]any{"sub": id.UID}
	set := func(k, v string) {
		if v != "" {
			c[k] = v
		}
	}
	set("preferred_username", id.Username)
	name := id.Name
	if name == "" {
		name = strings.TrimSpace(id.FirstName + " " + id.LastName)
	}
	set("name", name)
	set("given_name", id.FirstName)
	set("family_name", id.LastName)
	if id.Email != "" {
		c["email"], c["email_verified"] = id.Email, id.EmailVerified
	}
	return c
}

func (s *AuthorizationServer) userinfo(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	g, known := s.access[tok]
	s.mu.Unlock()
	if !ok || !known {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "unknown token")
		return
	}
	writeJSON(w, http.StatusOK, s.claims(g.id))
}

// revoke is RFC 7009: the client authenticates; the token (and, for a
// refresh token, the grant's access tokens are left alone here) is
// forgotten; unknown tokens are answered 200 too.
func (s *AuthorizationServer) revoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form")
		return
	}
	if !s.clientOK(r) {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client")
		return
	}
	tok := r.PostForm.Get("token")
	s.mu.Lock()
	s.revoked = append(s.revoked, tok)
	delete(s.access, tok)
	delete(s.refresh, tok)
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (s *AuthorizationServer) discovery(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	opts := s.opts
	s.mu.Unlock()
	u := s.srv.URL
	doc := map[string]any{
		"issuer": u, "authorization_endpoint": u + "/authorize", "token_endpoint": u + "/token",
		"userinfo_endpoint": u + "/userinfo", "jwks_uri": u + "/jwks", "revocation_endpoint": u + "/revoke",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	}
	if opts.IssuerParameter {
		doc["authorization_response_iss_parameter_supported"] = true
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}

func (s *AuthorizationServer) jwks(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: s.key.Public(), KeyID: s.kid, Use: "sig", Algorithm: "RS256"}}})
}
