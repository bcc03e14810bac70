package backendtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/jarcoal/httpmock"

	"github.com/go-socialauth/socialauth/backends"
)

// IDTokenOptions shape an id_token made by [Provider.IDToken] or
// [Issuer.IDToken]. The zero value is a valid token for the app the
// Settings describe, issued now, valid for an hour, signed RS256.
type IDTokenOptions struct {
	// Nonce is the "nonce" claim; empty leaves it out.
	Nonce string
	// Audience replaces "aud" (nil means the Settings' Key; a non-nil
	// empty slice gives "aud": []).
	Audience []string
	// AuthorizedParty is the "azp" claim; empty leaves it out.
	AuthorizedParty string
	// Issuer replaces "iss".
	Issuer string
	// IssuedAt is "iat"; zero means now.
	IssuedAt time.Time
	// ExpiresAt is "exp"; zero means IssuedAt plus an hour.
	ExpiresAt time.Time
	// NotBefore is "nbf"; zero leaves it out.
	NotBefore time.Time
	// Alg is the signature algorithm: "RS256" (the default), "PS256" and
	// "ES256" sign with the provider's published keys; "none" leaves the
	// token unsigned; "HS256" signs it with HMAC keyed by the provider's
	// RSA public key in PEM (the algorithm-confusion attack).
	Alg string
	// KeyID replaces the "kid" header.
	KeyID string
	// BadSignature corrupts the signature.
	BadSignature bool
	// UnpublishedKey signs with a key of the right kid that the provider
	// does not publish (a forgery).
	UnpublishedKey bool
	// Claims are added last: they replace the defaults, and a nil value
	// removes a claim.
	Claims map[string]any
}

// Issuer is a fake OpenID provider served through the Provider's client:
// its discovery document, its JWKS (an RSA and an EC P-256 key, made for
// it alone), userinfo, and RFC 7662 introspection when enabled. It signs
// id_tokens and issues opaque access tokens. Discovery and JWKS are served
// with "Cache-Control: no-store" unless SetCacheControl says otherwise (a
// backend still keeps them for its minimum lifetime, a minute, and serves
// them while the issuer is down). It is safe for concurrent use.
type Issuer struct {
	p    *Provider
	spec issuerSpec

	mu            sync.Mutex
	keys          []*signingKey // published
	tokens        map[string]grant
	names         []string // backends served, whose Provider.Outage applies
	introspection bool
	authMethods   []string // introspection_endpoint_auth_methods_supported
	cacheControl  string
	outage        int
	fetches       map[string]int
	n             int
}

// signingKey is one published key.
type signingKey struct {
	kid  string
	alg  string // RS256 (also PS256) or ES256
	priv crypto.Signer
}

// issuerSpec is where a fake provider lives and what it puts in tokens.
type issuerSpec struct {
	issuer     string // "iss"; "{tenantid}" stands for tenant
	docIssuer  string // the discovery document's issuer; empty means issuer
	tenant     string // "tid"
	discovery  string // discovery URL; empty serves none
	jwks       string
	userinfo   string
	introspect string
	token      string
	authorize  string
	// claims adds the provider's own claims to a token or userinfo answer.
	claims func(c map[string]any, s backends.Settings, id Identity)
	// accessJWT: the backend's access token is an id_token (Apple, Entra).
	accessJWT bool
	// introspection: the introspection endpoint is on from the start.
	introspection bool
}

// oidcFakes is the Provider's set of Issuers, by JWKS URL.
type oidcFakes struct {
	mu      sync.Mutex
	issuers map[string]*Issuer
}

// Issuer returns the fake OpenID provider whose issuer is issuerURL,
// making it on first use: discovery at
// {issuerURL}/.well-known/openid-configuration, and /jwks, /userinfo,
// /introspect (advertised once EnableIntrospection is called), /token and
// /authorize under issuerURL. Use it for a backend made with
// backends.NewOIDC; the backends this module ships have theirs behind
// [Provider.IDToken] and [Provider.Token].
func (p *Provider) Issuer(issuerURL string) *Issuer {
	base := strings.TrimRight(issuerURL, "/")
	return p.issuer(issuerSpec{
		issuer: issuerURL, discovery: base + "/.well-known/openid-configuration",
		jwks: base + "/jwks", userinfo: base + "/userinfo", introspect: base + "/introspect",
		token: base + "/token", authorize: base + "/authorize",
	}, "")
}

// IDToken returns an id_token for id, signed by backend name's fake
// provider for the app s describes and shaped by opts. With it a host app
// tests its id_token login in a few lines.
func (p *Provider) IDToken(name string, s backends.Settings, id Identity, opts IDTokenOptions) string {
	p.t.Helper()
	spec, ok := oidcSpecFor(fakeAlias(name), s)
	if !ok {
		p.t.Fatalf("backendtest: backend %q has no fake OpenID provider", name)
	}
	return p.issuer(spec, fakeAlias(name)).IDToken(s, id, opts)
}

// IssuerOf returns the fake OpenID provider of backend name for settings
// s, to rotate its keys, enable introspection or count its fetches.
func (p *Provider) IssuerOf(name string, s backends.Settings) *Issuer {
	p.t.Helper()
	spec, ok := oidcSpecFor(fakeAlias(name), s)
	if !ok {
		p.t.Fatalf("backendtest: backend %q has no fake OpenID provider", name)
	}
	return p.issuer(spec, fakeAlias(name))
}

// mintOIDC issues the token Provider.Token and Provider.ForeignToken give for a
// backend whose fake is an Issuer; ok is false for the others.
func (p *Provider) mintOIDC(name string, s backends.Settings, id Identity, foreign bool) (string, bool) {
	spec, ok := oidcSpecFor(name, s)
	if !ok || spec.userinfo == "" && !spec.accessJWT {
		return "", false
	}
	i := p.issuer(spec, name)
	if spec.accessJWT {
		var opts IDTokenOptions
		if foreign {
			opts.Audience = []string{otherApp}
		}
		return i.IDToken(s, id, opts), true
	}
	return i.accessToken(s, id, foreign), true
}

func (p *Provider) issuer(spec issuerSpec, name string) *Issuer {
	p.oidc.mu.Lock()
	defer p.oidc.mu.Unlock()
	if p.oidc.issuers == nil {
		p.oidc.issuers = map[string]*Issuer{}
	}
	i, ok := p.oidc.issuers[spec.jwks]
	if !ok {
		i = &Issuer{p: p, spec: spec, tokens: map[string]grant{}, cacheControl: "no-store", fetches: map[string]int{}, introspection: spec.introspection,
			authMethods: []string{"client_secret_basic", "client_secret_post"}}
		i.keys = []*signingKey{newKey("RS256"), newKey("ES256")}
		i.install()
		p.oidc.issuers[spec.jwks] = i
	}
	if name != "" {
		i.mu.Lock()
		if !slices.Contains(i.names, name) {
			i.names = append(i.names, name)
		}
		i.mu.Unlock()
	}
	return i
}

func newKey(alg string) *signingKey {
	var (
		priv crypto.Signer
		err  error
	)
	if alg == "ES256" {
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return &signingKey{kid: base64.RawURLEncoding.EncodeToString(b), alg: alg, priv: priv}
}

// URL is the issuer (the "iss" of its tokens, "{tenantid}" resolved).
func (i *Issuer) URL() string { return i.iss() }

func (i *Issuer) iss() string { return strings.ReplaceAll(i.spec.issuer, "{tenantid}", i.spec.tenant) }

// RotateKeys replaces the signing keys with new ones under new kids; the
// old ones leave the JWKS, as when a provider retires a key.
func (i *Issuer) RotateKeys() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.keys = []*signingKey{newKey("RS256"), newKey("ES256")}
}

// EnableIntrospection advertises and serves the RFC 7662 introspection
// endpoint: the caller authenticates with the Settings' Key and Secret, by
// one of the methods the discovery document lists in
// introspection_endpoint_auth_methods_supported (client_secret_basic and
// client_secret_post unless SetIntrospectionAuthMethods says otherwise).
func (i *Issuer) EnableIntrospection() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.introspection = true
}

// SetIntrospectionAuthMethods sets the client authentication methods the
// introspection endpoint advertises (RFC 8414 §2) and accepts: of them,
// the fake checks "client_secret_basic" (HTTP Basic) and
// "client_secret_post" (client_id and client_secret in the form); any
// other method it lists ("private_key_jwt", ...) is advertised only, so a
// caller with a client secret is refused. No methods leaves the field out
// of the document, and the endpoint takes client_secret_basic.
func (i *Issuer) SetIntrospectionAuthMethods(methods ...string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.authMethods = append([]string(nil), methods...)
}

// SetCacheControl sets the Cache-Control header of the discovery document
// and the JWKS ("no-store" by default).
func (i *Issuer) SetCacheControl(v string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.cacheControl = v
}

// Outage makes every endpoint of the issuer answer status (0 ends it).
func (i *Issuer) Outage(status int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.outage = status
}

// JWKSFetches counts the requests for the JWKS.
func (i *Issuer) JWKSFetches() int { return i.count("jwks") }

// DiscoveryFetches counts the requests for the discovery document.
func (i *Issuer) DiscoveryFetches() int { return i.count("discovery") }

func (i *Issuer) count(k string) int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.fetches[k]
}

// AccessToken returns an opaque access token that the issuer's userinfo
// and introspection endpoints accept as id's, issued to the app s describes.
func (i *Issuer) AccessToken(s backends.Settings, id Identity) string {
	return i.accessToken(s, id, false)
}

// ForeignAccessToken is AccessToken for another app: introspection says so.
func (i *Issuer) ForeignAccessToken(s backends.Settings, id Identity) string {
	return i.accessToken(s, id, true)
}

func (i *Issuer) accessToken(s backends.Settings, id Identity, foreign bool) string {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.n++
	host := strings.NewReplacer(".", "", ":", "").Replace(hostOf(i.spec.jwks))
	tok := fmt.Sprintf("fake-oidc-%s-at-%d", host, i.n)
	i.tokens[tok] = grant{id: id, settings: s, foreign: foreign}
	return tok
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "issuer"
	}
	return u.Host
}

// claims are the identity's claims as the issuer states them.
func (i *Issuer) claims(s backends.Settings, id Identity) map[string]any {
	c := map[string]any{"sub": id.UID}
	set := func(k, v string) {
		if v != "" {
			c[k] = v
		}
	}
	set("preferred_username", id.Username)
	set("name", id.fullName())
	set("given_name", id.FirstName)
	set("family_name", id.LastName)
	if id.Email != "" {
		c["email"], c["email_verified"] = id.Email, id.EmailVerified
	}
	if id.UID != "" {
		c["picture"] = "https://" + hostOf(i.spec.jwks) + "/pictures/" + url.PathEscape(id.UID) + ".png"
	}
	if i.spec.claims != nil {
		i.spec.claims(c, s, id)
	}
	return c
}

// IDToken returns an id_token for id, issued to the app s describes and
// shaped by opts.
func (i *Issuer) IDToken(s backends.Settings, id Identity, opts IDTokenOptions) string {
	now := time.Now()
	iat := opts.IssuedAt
	if iat.IsZero() {
		iat = now
	}
	exp := opts.ExpiresAt
	if exp.IsZero() {
		exp = iat.Add(time.Hour)
	}
	c := i.claims(s, id)
	c["iss"], c["iat"], c["exp"] = i.iss(), iat.Unix(), exp.Unix()
	// Every sign-in's token is distinct, as a provider's are: an id_token is
	// single-use, so two logins must never present the same bytes.
	c["jti"] = rand.Text()
	c["aud"] = s.Key
	if opts.Audience != nil {
		c["aud"] = opts.Audience
	}
	if i.spec.tenant != "" {
		c["tid"] = i.spec.tenant
	}
	if opts.Issuer != "" {
		c["iss"] = opts.Issuer
	}
	if opts.Nonce != "" {
		c["nonce"] = opts.Nonce
	}
	if opts.AuthorizedParty != "" {
		c["azp"] = opts.AuthorizedParty
	}
	if !opts.NotBefore.IsZero() {
		c["nbf"] = opts.NotBefore.Unix()
	}
	for k, v := range opts.Claims {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	payload, err := json.Marshal(c)
	if err != nil {
		panic(err) // the claims are the caller's test values
	}
	return i.sign(payload, opts)
}

// sign makes a compact JWS of payload as opts say.
func (i *Issuer) sign(payload []byte, opts IDTokenOptions) string {
	alg := opts.Alg
	if alg == "" {
		alg = "RS256"
	}
	i.mu.Lock()
	key := i.keys[0]
	for _, k := range i.keys {
		if k.alg == "ES256" && alg == "ES256" {
			key = k
		}
	}
	i.mu.Unlock()
	kid := key.kid
	if opts.KeyID != "" {
		kid = opts.KeyID
	}
	enc := base64.RawURLEncoding
	switch alg {
	case "none", "HS256":
		h, _ := json.Marshal(map[string]string{"alg": alg, "typ": "JWT", "kid": kid})
		input := enc.EncodeToString(h) + "." + enc.EncodeToString(payload)
		if alg == "none" {
			return input + "."
		}
		der, err := x509.MarshalPKIXPublicKey(key.priv.Public())
		if err != nil {
			panic(err)
		}
		mac := hmac.New(sha256.New, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
		mac.Write([]byte(input))
		return input + "." + enc.EncodeToString(mac.Sum(nil))
	}
	priv := key.priv
	if opts.UnpublishedKey {
		priv = newKey(key.alg).priv
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic(fmt.Sprintf("backendtest: cannot sign %s: %v", alg, err))
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		panic(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	if opts.BadSignature {
		parts := strings.Split(tok, ".")
		sig, _ := enc.DecodeString(parts[2])
		sig[len(sig)/2] ^= 0x01
		parts[2] = enc.EncodeToString(sig)
		tok = strings.Join(parts, ".")
	}
	return tok
}

// install registers the issuer's endpoints on the Provider's transport.
func (i *Issuer) install() {
	m := i.p.mock
	if i.spec.discovery != "" {
		m.RegisterResponder(http.MethodGet, i.spec.discovery, i.serve("discovery", nil, i.discoveryDoc))
	}
	m.RegisterResponder(http.MethodGet, i.spec.jwks, i.serve("jwks", nil, i.jwksDoc))
	if i.spec.userinfo != "" {
		m.RegisterResponder(http.MethodGet, i.spec.userinfo, i.serve("userinfo", i.bearer, func(g *grant) (int, any) {
			return http.StatusOK, i.claims(g.settings, g.id)
		}))
	}
	if i.spec.introspect != "" {
		m.RegisterResponder(http.MethodPost, i.spec.introspect, i.serve("introspect", nil, nil))
	}
}

// serve answers one endpoint: the outage status if any; else, for token
// endpoints (auth not nil), 401 for an unknown token; else answer's body.
func (i *Issuer) serve(kind string, auth func(*http.Request) (*grant, bool), answer func(*grant) (int, any)) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		i.mu.Lock()
		i.fetches[kind]++
		status, names, cc, introspection := i.outage, append([]string(nil), i.names...), i.cacheControl, i.introspection
		i.mu.Unlock()
		if status == 0 {
			i.p.mu.Lock()
			for _, n := range names {
				if st := i.p.outage[n]; st != 0 {
					status = st
				}
			}
			i.p.mu.Unlock()
		}
		if status != 0 {
			return jsonResponse(status, map[string]string{"error": "server_error", "error_description": "fake outage"})
		}
		if kind == "introspect" {
			if !introspection {
				return jsonResponse(http.StatusNotFound, map[string]string{"error": "not_found"})
			}
			return i.introspectAnswer(r)
		}
		var g *grant
		if auth != nil {
			var ok bool
			if g, ok = auth(r); !ok {
				resp, err := jsonResponse(http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "unknown token"})
				if resp != nil {
					resp.Header.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
				}
				return resp, err
			}
		}
		st, body := answer(g)
		resp, err := jsonResponse(st, body)
		if resp != nil && auth == nil {
			resp.Header.Set("Cache-Control", cc)
		}
		return resp, err
	}
}

func (i *Issuer) bearer(r *http.Request) (*grant, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil, false
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	g, ok := i.tokens[tok]
	return &g, ok
}

func (i *Issuer) discoveryDoc(*grant) (int, any) {
	i.mu.Lock()
	defer i.mu.Unlock()
	iss := i.spec.docIssuer
	if iss == "" {
		iss = i.iss()
	}
	doc := map[string]any{
		"issuer": iss, "jwks_uri": i.spec.jwks,
		"authorization_endpoint": i.spec.authorize, "token_endpoint": i.spec.token,
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256", "PS256", "ES256"},
		"scopes_supported":                      []string{"openid", "profile", "email"},
	}
	if i.spec.userinfo != "" {
		doc["userinfo_endpoint"] = i.spec.userinfo
	}
	if i.introspection {
		doc["introspection_endpoint"] = i.spec.introspect
		if len(i.authMethods) > 0 {
			doc["introspection_endpoint_auth_methods_supported"] = i.authMethods
		}
	}
	return http.StatusOK, doc
}

func (i *Issuer) jwksDoc(*grant) (int, any) {
	i.mu.Lock()
	defer i.mu.Unlock()
	keys := make([]jose.JSONWebKey, 0, len(i.keys))
	for _, k := range i.keys {
		keys = append(keys, jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Use: "sig"})
	}
	return http.StatusOK, jose.JSONWebKeySet{Keys: keys}
}

// introspectAnswer is RFC 7662: the caller authenticates with its client
// credentials; an unknown token is {"active": false}.
func (i *Issuer) introspectAnswer(r *http.Request) (*http.Response, error) {
	if err := r.ParseForm(); err != nil {
		return jsonResponse(http.StatusBadRequest, map[string]string{"error": "invalid_request"})
	}
	i.mu.Lock()
	g, known := i.tokens[r.PostForm.Get("token")]
	methods := i.authMethods
	i.mu.Unlock()
	if len(methods) == 0 {
		methods = []string{"client_secret_basic"}
	}
	// One method per request (RFC 6749 §2.3), and only an advertised one.
	var user, pass string
	authed := false
	if u, p, ok := r.BasicAuth(); ok && slices.Contains(methods, "client_secret_basic") {
		user, pass, authed = u, p, true
	} else if !ok && r.PostForm.Has("client_secret") && slices.Contains(methods, "client_secret_post") {
		user, pass, authed = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"), true
	}
	if !authed || known && (user != g.settings.Key || pass != g.settings.Secret) {
		return jsonResponse(http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
	}
	if !known {
		return jsonResponse(http.StatusOK, map[string]any{"active": false})
	}
	client := g.settings.Key
	if g.foreign {
		client = otherApp
	}
	out := i.claims(g.settings, g.id)
	out["active"], out["client_id"], out["aud"], out["token_type"] = true, client, client, "Bearer"
	out["scope"], out["iss"], out["exp"] = "openid profile email", i.iss(), time.Now().Add(time.Hour).Unix()
	return jsonResponse(http.StatusOK, out)
}
