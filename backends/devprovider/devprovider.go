// Package devprovider is a local identity provider for development and tests
// only, never for production: it checks no password, and whoever types a
// name is that person.
//
// A [Server] is a small OAuth 2.0 authorization server and OpenID Provider:
//
//   - GET /authorize shows a login page where a person types a name (or
//     presses "Deny", which answers error=access_denied); POST /authorize
//     signs in and redirects back with a code, the state and the issuer
//     (RFC 9207's "iss"). Query and form_post response modes.
//   - POST /token redeems a code (PKCE S256 required; codes are
//     single-use, short-lived, bound to the client and the redirect_uri)
//     and rotates refresh tokens (a rotated-out refresh token that comes
//     back revokes every token of its sign-in, RFC 9700 §4.14.2).
//   - GET /userinfo answers for the access tokens it issued and for the
//     static tokens "dev-<name>" (the verified identity <name>, email
//     <name>@example.com), which the token exchange examples send.
//   - POST /revoke is RFC 7009 token revocation.
//   - GET /.well-known/openid-configuration and GET /jwks publish the
//     discovery document and the ES256 key that signs id_tokens (with
//     "nonce", "at_hash", "aud" = the client id, and "iss").
//
// Every Server holds its own codes, tokens and signing key, in memory, and
// is safe for concurrent use; nothing is shared between two Servers, so two
// of them make two distinct providers ([NamedBackend] gives the second one
// its own backend name). [Backend] is the "dev" backend that logs in with
// its tokens (the token exchange); [ClientBackend] also runs the browser
// login (socialhttp.Browser) as a client registered in [Config].
package devprovider

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/go-socialauth/socialauth/backends"
)

// BackendName is the name of the backend [Backend] returns.
const BackendName = "dev"

// Default lifetimes, used where Config leaves them zero.
const (
	DefaultCodeLifetime         = time.Minute
	DefaultAccessTokenLifetime  = time.Hour
	DefaultRefreshTokenLifetime = 30 * 24 * time.Hour
)

// defaultScope is granted when an authorization request names no scope.
const defaultScope = "openid profile email"

// validName keeps names to what makes a sensible username and email local part.
var validName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Config configures a [Server]. The zero value is a provider with no
// registered client: only its static dev-<name> tokens are of use.
type Config struct {
	// Issuer is the provider's address as its clients reach it, with the
	// path it is mounted at and no trailing slash ("http://127.0.0.1:8081").
	// It is the "iss" of id_tokens and of authorization responses, and the
	// base of the discovery document's endpoints. Empty means each request's
	// own "http://" + Host ("https://" over TLS): handy with httptest, but
	// then the browser and the server must name the provider alike.
	Issuer string
	// Title heads the login page. Empty means "Development provider"; give
	// a second provider another title so that people can tell them apart.
	Title string
	// Clients are the registered OAuth clients. New panics on an empty or
	// repeated ID, or on a redirect URI that is not an absolute URL without
	// a fragment.
	Clients []Client
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// CodeLifetime, AccessTokenLifetime and RefreshTokenLifetime are how
	// long authorization codes, access tokens and refresh tokens are good
	// for. Zero means the Default* constant of the same name.
	CodeLifetime, AccessTokenLifetime, RefreshTokenLifetime time.Duration
}

// Client is a registered OAuth client.
type Client struct {
	// ID is the client_id.
	ID string
	// Secret is the client secret (client_secret_basic or
	// client_secret_post). Empty means a public client, which names itself
	// with client_id alone; PKCE is required of every client.
	Secret string
	// RedirectURIs are the only redirect_uri values accepted, compared
	// byte for byte (RFC 9700 §4.1.3). An authorization request must name one.
	RedirectURIs []string
}

// Server is a development OAuth 2.0 / OpenID Connect provider. Make one with
// [New]; it is an http.Handler, safe for concurrent use.
type Server struct {
	issuer     string
	title      string
	clients    map[string]Client
	now        func() time.Time
	codeTTL    time.Duration
	accessTTL  time.Duration
	refreshTTL time.Duration
	signer     jose.Signer
	jwks       []byte
	mux        *http.ServeMux

	mu        sync.Mutex
	codes     map[digest]*authCode
	access    map[digest]*accessToken
	refresh   map[digest]*refreshToken
	lastSweep time.Time
}

// digest is the SHA-256 of a code or token: the maps are keyed by it, so a
// lookup's timing says nothing of the secret, and no secret is kept.
type digest [sha256.Size]byte

func digestOf(s string) digest { return sha256.Sum256([]byte(s)) }

// grant is one sign-in: every token redeemed from one code shares it, and
// revoking it revokes them all.
type grant struct {
	clientID string
	name     string
	authTime time.Time
	revoked  bool
}

type authCode struct {
	clientID, redirectURI, challenge, nonce, scope, name string
	authTime, expires                                    time.Time
	spent                                                bool
	// issued is the grant the code was redeemed for, revoked if the code
	// comes back (RFC 6749 §4.1.2).
	issued *grant
}

type accessToken struct {
	g       *grant
	scope   string
	expires time.Time
}

type refreshToken struct {
	g       *grant
	scope   string
	expires time.Time
	rotated bool
}

// New returns a provider configured by c (copied). It generates the
// provider's own ES256 signing key.
func New(c Config) *Server {
	s := &Server{
		issuer:     strings.TrimRight(c.Issuer, "/"),
		title:      c.Title,
		clients:    make(map[string]Client, len(c.Clients)),
		now:        c.Now,
		codeTTL:    orDefault(c.CodeLifetime, DefaultCodeLifetime),
		accessTTL:  orDefault(c.AccessTokenLifetime, DefaultAccessTokenLifetime),
		refreshTTL: orDefault(c.RefreshTokenLifetime, DefaultRefreshTokenLifetime),
		codes:      make(map[digest]*authCode),
		access:     make(map[digest]*accessToken),
		refresh:    make(map[digest]*refreshToken),
	}
	if s.title == "" {
		s.title = "Development provider"
	}
	if s.now == nil {
		s.now = time.Now
	}
	for _, cl := range c.Clients {
		if cl.ID == "" {
			panic("devprovider: a client has an empty ID")
		}
		if _, dup := s.clients[cl.ID]; dup {
			panic("devprovider: client " + cl.ID + " is registered twice")
		}
		for _, u := range cl.RedirectURIs {
			p, err := url.Parse(u)
			web := err == nil && (p.Scheme == "http" || p.Scheme == "https")
			if err != nil || !p.IsAbs() || web && p.Host == "" || strings.Contains(u, "#") {
				panic("devprovider: client " + cl.ID + " has a redirect URI that is not an absolute URL without a fragment")
			}
		}
		cl.RedirectURIs = append([]string(nil), cl.RedirectURIs...)
		s.clients[cl.ID] = cl
	}
	s.initKeys()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", s.authorizePage)
	mux.HandleFunc("POST /authorize", s.authorizeSubmit)
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("GET /userinfo", s.userinfo)
	mux.HandleFunc("POST /userinfo", s.userinfo)
	mux.HandleFunc("POST /revoke", s.revoke)
	mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	mux.HandleFunc("GET /jwks", s.keys)
	s.mux = mux
	return s
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// initKeys makes the instance's ES256 key, its signer and its JWKS.
func (s *Server) initKeys() {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("devprovider: generating the signing key: " + err.Error())
	}
	pub := jose.JSONWebKey{Key: &key.PublicKey, Algorithm: string(jose.ES256), Use: "sig"}
	thumb, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		panic("devprovider: key thumbprint: " + err.Error())
	}
	pub.KeyID = base64.RawURLEncoding.EncodeToString(thumb)
	s.signer, err = jose.NewSigner(
		jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: pub.KeyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic("devprovider: signer: " + err.Error())
	}
	s.jwks, err = json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}})
	if err != nil {
		panic("devprovider: JWKS: " + err.Error())
	}
}

// Handler returns a new provider with no registered client (New(Config{})):
// its userinfo endpoint answers the static dev-<name> tokens.
func Handler() http.Handler { return New(Config{}) }

// ServeHTTP serves the provider's endpoints (see the package doc).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

// issuerFor is the configured issuer, or the request's own address.
func (s *Server) issuerFor(r *http.Request) string {
	if s.issuer != "" {
		return s.issuer
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	iss := s.issuerFor(r)
	auth := []string{"client_secret_basic", "client_secret_post", "none"}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"userinfo_endpoint":                     iss + "/userinfo",
		"revocation_endpoint":                   iss + "/revoke",
		"jwks_uri":                              iss + "/jwks",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query", "form_post"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{string(jose.ES256)},
		"scopes_supported":                      []string{"openid", "profile", "email"},
		"claims_supported": []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
			"name", "given_name", "family_name", "preferred_username", "email", "email_verified"},
		"code_challenge_methods_supported":               []string{"S256"},
		"token_endpoint_auth_methods_supported":          auth,
		"revocation_endpoint_auth_methods_supported":     auth,
		"authorization_response_iss_parameter_supported": true,
	})
}

func (s *Server) keys(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/jwk-set+json")
	_, _ = w.Write(s.jwks)
}

// userinfo answers for an access token this provider issued, or a static
// dev-<name> token.
func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok && tok != "" {
		if name, scope, found := s.lookupAccess(tok); found {
			writeJSON(w, http.StatusOK, claims(name, scope))
			return
		}
		if name, isStatic := strings.CutPrefix(tok, "dev-"); isStatic && validName.MatchString(name) {
			writeJSON(w, http.StatusOK, claims(name, defaultScope))
			return
		}
	}
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	writeJSON(w, http.StatusUnauthorized, map[string]string{
		"error":             "invalid_token",
		"error_description": "unknown, expired or revoked access token (static tokens look like dev-<name>)",
	})
}

// lookupAccess returns whom a live issued access token belongs to.
func (s *Server) lookupAccess(tok string) (name, scope string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.access[digestOf(tok)]
	if at == nil || at.g.revoked || !s.now().Before(at.expires) {
		return "", "", false
	}
	return at.g.name, at.scope, true
}

// claims are the person's claims that scope grants: "sub" always, the
// names with "profile", the (always verified) email with "email".
func claims(name, scope string) map[string]any {
	c := map[string]any{"sub": "dev-" + name}
	for _, sc := range strings.Fields(scope) {
		switch sc {
		case "profile":
			c["preferred_username"] = name
			c["name"] = name + " Developer"
			c["given_name"] = name
			c["family_name"] = "Developer"
		case "email":
			c["email"] = name + "@example.com"
			c["email_verified"] = true
		}
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Backend returns the "dev" backend for a provider served at baseURL (the
// Server's issuer), for the token exchange: its token check is the
// provider itself, which only knows its own tokens, and its Provider
// carries the authorization and token endpoints but no client, so it has no
// browser login; [ClientBackend] has.
func Backend(baseURL string) *backends.OAuth2 { return NamedBackend(BackendName, baseURL) }

// NamedBackend is [Backend] under another backend name: a second [Server]
// at another address, with its own name, is a second, distinct provider
// (to show connecting a second account).
func NamedBackend(name, baseURL string) *backends.OAuth2 {
	return backends.NewOAuth2(provider(name, baseURL))
}

// ClientBackend is [NamedBackend] with a browser login: the backend named
// name logs in through the Server at baseURL (its Config.Issuer) as cl, a
// client registered in the Server's Config.Clients. Its Provider carries
// cl's id and secret and the revocation endpoint, so that
// socialauth.Service runs the authorization-code flow with it
// (socialhttp.Browser) and revokes the tokens of a disconnected account; the
// id_token of the code flow is verified (signature, iss, aud, nonce,
// at_hash) against the Server's discovery document and keys. Access tokens,
// the static dev-<name> ones included, are checked as [Backend] checks them.
func ClientBackend(name, baseURL string, cl Client) *backends.OAuth2IDToken {
	p := provider(name, baseURL)
	p.ClientID, p.ClientSecret = cl.ID, cl.Secret
	p.RevocationURL = strings.TrimRight(baseURL, "/") + "/revoke"
	return backends.NewOAuth2IDToken(p, backends.OIDCConfig{
		Issuer:       strings.TrimRight(baseURL, "/"),
		ClientIDs:    []string{cl.ID},
		ClientSecret: cl.Secret,
		Scopes:       p.Scopes,
		User:         backends.ClaimKeys{}.Map,
	})
}

// provider is the development provider at baseURL, with no client.
func provider(name, baseURL string) backends.Provider {
	base := strings.TrimRight(baseURL, "/")
	return backends.Provider{
		Name:        name,
		AuthURL:     base + "/authorize",
		TokenURL:    base + "/token",
		Scopes:      strings.Fields(defaultScope),
		UserInfoURL: base + "/userinfo",
		User:        backends.ClaimKeys{}.Map,
		Doc: backends.Doc{
			TokenCheck:    "the local development provider only knows the tokens it issued and its static dev-<name> tokens",
			UID:           "sub",
			EmailVerified: "email_verified",
		},
	}
}
