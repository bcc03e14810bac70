package backends

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/go-socialauth/socialauth"
)

// Defaults of [OIDCConfig].
const (
	// DefaultIDTokenMaxAge is how old an id_token may be (its iat), as
	// PSA's ID_TOKEN_MAX_AGE.
	DefaultIDTokenMaxAge = 600 * time.Second
	// DefaultLeeway is the clock skew allowed on exp, nbf and iat.
	DefaultLeeway = 60 * time.Second
	// DefaultKeyRefresh is how often, at most, a token signed with a key
	// the cached JWKS does not hold makes the backend fetch the JWKS again.
	// The first such token after a key rotation is accepted at once; only
	// these refetches count toward the limit.
	DefaultKeyRefresh = 10 * time.Second
)

// defaultAlgorithms are the id_token signature algorithms accepted when
// OIDCConfig.Algorithms is empty: asymmetric ones only. "none" and the HMAC
// algorithms (HS256, ...) are never accepted, whatever the configuration.
var defaultAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// DefaultAlgorithms returns the algorithms accepted when
// OIDCConfig.Algorithms is empty.
func DefaultAlgorithms() []string { return slices.Clone(defaultAlgorithms) }

// Introspection says when an [OIDC] backend proves, with RFC 7662 token
// introspection, that an access token was issued to this app.
type Introspection int

const (
	// IntrospectIfAdvertised introspects when the provider's endpoint is
	// known (OIDCConfig.IntrospectionURL or the discovery document's
	// introspection_endpoint) and a client secret is configured; otherwise
	// the access token's audience is not proven. An endpoint whose
	// introspection_endpoint_auth_methods_supported lists neither
	// client_secret_basic nor client_secret_post fails the login: the
	// configured secret cannot be used, and the backend does not quietly
	// go without the check it was given a secret for.
	IntrospectIfAdvertised Introspection = iota
	// IntrospectRequired introspects every access token; an unknown
	// endpoint or a missing secret fails the login.
	IntrospectRequired
	// IntrospectNever never introspects.
	IntrospectNever
)

// OIDCConfig describes an OpenID Connect provider for [NewOIDC]. The zero
// value of each field is documented; only Name and one of Issuer or
// DiscoveryURL are required.
type OIDCConfig struct {
	// Name is the backend's name, stored with every association: it must
	// never change. (This package's backends use PSA's names.)
	Name string

	// Issuer is the provider's issuer: id_tokens must carry exactly the
	// "iss" that its discovery document names (the document's issuer must
	// equal Issuer, a trailing slash aside). Without JWKSURL, discovery is
	// fetched from {Issuer}/.well-known/openid-configuration (PSA's
	// OIDC_ENDPOINT). Empty means the discovery document's issuer is
	// trusted as it is (DiscoveryURL is then required). The text
	// "{tenantid}" in it stands for the token's "tid" claim (Microsoft's
	// multi-tenant endpoints).
	Issuer string
	// Issuers are further exact "iss" values accepted (Google's
	// "accounts.google.com"); "{tenantid}" works as in Issuer.
	Issuers []string
	// DiscoveryURL is where the discovery document is fetched. Empty means
	// {Issuer}/.well-known/openid-configuration, or no discovery at all
	// when JWKSURL is set.
	DiscoveryURL string

	// Static endpoints: each one set takes precedence over the discovery
	// document's. With JWKSURL set and DiscoveryURL empty the provider is
	// fully static and discovery is never fetched.
	AuthURL, TokenURL, UserInfoURL, JWKSURL, IntrospectionURL string
	// RevocationURL is the RFC 7009 revocation endpoint. Empty means the
	// discovery document's revocation_endpoint, if any.
	RevocationURL string
	// AuthStyle is how the client authenticates at the token endpoint.
	// Zero means what the discovery document's
	// token_endpoint_auth_methods_supported allows (client_secret_basic
	// first; OIDC's default when it says nothing), and for a public client
	// (no secret) the client id in the form.
	AuthStyle oauth2.AuthStyle

	// ClientIDs are this app's client ids: an id_token's "aud" must hold
	// one of them, and its "azp", when present, must be one of them. The
	// first is the id this backend authenticates to the provider with.
	// Settings-based constructors use Key followed by Settings.ClientIDs.
	ClientIDs []string
	// TrustedAudiences are further audiences an id_token may carry beside
	// one of ClientIDs (an audience alone is never enough). Empty means an
	// id_token listing any audience that is not one of ClientIDs is refused
	// (OIDC Core §3.1.3.7 step 3).
	TrustedAudiences []string
	// ClientSecret is the client secret, used for token introspection.
	// Empty (and no ClientSecretFunc) means a public client: no introspection.
	ClientSecret string
	// ClientSecretFunc, when set, makes the client secret for each use in
	// place of ClientSecret (Apple's is a short-lived ES256 JWT).
	ClientSecretFunc func() (string, error)
	// Scopes are the default scopes of the browser flow.
	Scopes []string

	// Algorithms are the accepted id_token signature algorithms. Empty
	// means DefaultAlgorithms(), narrowed to the discovery document's
	// id_token_signing_alg_values_supported. "none" and HS* are refused
	// even when listed.
	Algorithms []string
	// MaxAge bounds how old an id_token may be (now - iat). Zero means
	// DefaultIDTokenMaxAge; negative means no bound (exp still applies).
	MaxAge time.Duration
	// Leeway is the clock skew allowed on exp, nbf and iat. Zero means
	// DefaultLeeway.
	Leeway time.Duration
	// KeyRefresh is how often, at most, an unknown "kid" makes the backend
	// refetch the JWKS (PSA refetches once per unknown kid; an attacker's
	// tokens with random kids must not turn every login into a fetch).
	// Only those refetches count: the first token signed with a rotated key
	// refetches at once, however recently the JWKS was fetched. Zero means
	// DefaultKeyRefresh.
	KeyRefresh time.Duration
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// InsecureAllowHTTPIssuer lets the issuer, and the endpoints its
	// discovery document names, be plain http at any host, as on a
	// docker-compose network ("http://keycloak:8080/realms/x"): the keys,
	// tokens and user data then travel unprotected. False (the default)
	// allows http only to a loopback address.
	InsecureAllowHTTPIssuer bool

	// Claims name the claims a profile is read from (ignored when User is set).
	Claims ClaimKeys
	// User, when set, maps a verified id_token's claims, or the userinfo
	// JSON, to the uid and details, in place of Claims.
	User func(claims []byte) (uid string, d socialauth.Details, err error)
	// NonceSHA256 also accepts an id_token whose nonce is the hex SHA-256
	// of the nonce the client sends (Apple's native SDKs hash it).
	NonceSHA256 bool

	// AccessTokenIsIDToken makes Authenticate verify the token it is given
	// as an id_token, with no nonce (PSA's Apple and Azure AD backends do
	// this; their providers have no userinfo that proves anything).
	AccessTokenIsIDToken bool
	// Introspection says when an access token's audience is proven with
	// RFC 7662 introspection: the answer's client_id must be one of
	// ClientIDs; the app authenticates with client_secret_basic, or
	// client_secret_post when the discovery document's
	// introspection_endpoint_auth_methods_supported lists only that. The
	// zero value is IntrospectIfAdvertised.
	Introspection Introspection
	// AccessTokenCheck, when set, proves that an access token was issued to
	// this app in place of RFC 7662 introspection (Introspection is then
	// ignored): a provider's own check, as LinkedIn's introspectToken. It
	// runs concurrently with the userinfo fetch, as Provider.Verify does,
	// and returns the token's user id ("" when the provider does not say),
	// which must then equal the userinfo's.
	AccessTokenCheck func(ctx context.Context, client *http.Client, token string) (uid string, err error)

	// Doc describes the backend. Protocol defaults to "OIDC";
	// ChecksAudience is always computed from the configuration; empty
	// TokenCheck, UID and EmailVerified are filled in from it.
	Doc Doc
}

// OIDC is an OpenID Connect backend, made by [NewOIDC] from an
// [OIDCConfig] (or by [GenericOIDC] and the provider constructors): it
// verifies id_tokens against the provider's keys, and checks access tokens
// with its userinfo endpoint and, where one is usable, its introspection
// endpoint.
//
// Discovery documents and JWKS are cached per OIDC value (never per type),
// as the provider's Cache-Control says, but never for less than a minute
// (no-cache included) nor more than a day, then revalidated with the
// provider's ETag or Last-Modified when it sends them. While the provider
// is down, the last copy serves for up to a day past its lifetime. A token
// signed with a key the cache does not hold makes it refetch the JWKS at
// once, at most once per KeyRefresh. Concurrent fetches are one request.
// An OIDC is safe for concurrent use.
type OIDC struct {
	cfg     OIDCConfig
	keys    ClaimKeys
	user    func([]byte) (string, socialauth.Details, error)
	access  *OAuth2 // the userinfo path; nil when AccessTokenIsIDToken
	discURL string  // DiscoveryURL, or the one Issuer implies
	disc    *remote[*discovery]
	jwks    *remote[[]jose.JSONWebKey]
	meta    atomic.Pointer[metadata] // derived from the last discovery document seen
	// standardClaims: the profile is the standard claims (no User, default
	// Claims), read from the claims verification decodes.
	standardClaims bool
	code           codeConfig // the authorization-code flow's client (codeflow.go)
	from           *builtFrom // the settings ByName or FromEnv built it from (check.go)
	// ownSettings, when set, reports the provider's own settings that are
	// missing or unusable (apple-id's client-secret key), for Check.
	ownSettings func() []error
}

var (
	_ socialauth.Backend              = (*OIDC)(nil)
	_ socialauth.IDTokenAuthenticator = (*OIDC)(nil)
	_ Documented                      = (*OIDC)(nil)
)

// GenericOIDC returns the "oidc" backend: any OpenID Provider, found by
// discovery at the issuer in Settings.BaseURL (PSA's OpenIdConnectAuth).
// [NewOIDC] builds one from a full [OIDCConfig] instead.
//
// Settings: BaseURL (required: the issuer, PSA's OIDC_ENDPOINT; discovery
// is read from {BaseURL}/.well-known/openid-configuration), Key (the
// client id), ClientIDs (further client ids whose tokens are accepted, as
// for mobile apps), Secret (used for token introspection), Scope.
//
// Token check: an id_token (AuthenticateIDToken) is verified: signature against
// the provider's JWKS, algorithm, iss, aud and azp against Key+ClientIDs,
// exp, iat within 10 minutes, nbf, and the nonce when one is given. An
// access token (Authenticate) is sent to the userinfo endpoint; its audience is
// proven only when the discovery document advertises an
// introspection_endpoint and Secret is set (RFC 7662: the token must be
// active and its client_id Key or one of ClientIDs, for the same sub; the
// app authenticates as introspection_endpoint_auth_methods_supported
// allows, client_secret_basic or client_secret_post, and an endpoint that
// takes neither fails the login with an error that says so). Without
// that, the userinfo answer is all there is: any token the provider
// accepts, whichever app it was issued to, logs its user in, so prefer the
// id_token. The uid is "sub"; the email counts as verified when the
// email_verified claim says so.
func GenericOIDC(s Settings) *OIDC {
	return NewOIDC(settingsConfig("oidc", s.BaseURL, s))
}

// settingsConfig is the configuration of the provider at issuer for an app
// that s describes: Key and ClientIDs as its client ids, Secret, and the
// OIDC scopes plus Scope.
func settingsConfig(name, issuer string, s Settings) OIDCConfig {
	return OIDCConfig{
		Name:                    name,
		Issuer:                  issuer,
		ClientIDs:               s.audiences(),
		ClientSecret:            s.Secret,
		Scopes:                  append([]string{"openid", "profile", "email"}, s.Scope...),
		InsecureAllowHTTPIssuer: s.InsecureAllowHTTPIssuer,
	}
}

// NewOIDC returns the backend c describes. It panics when c has neither
// Name nor Issuer or DiscoveryURL, when its Algorithms are all symmetric
// or "none", or when it is fully static without a UserInfoURL while access
// tokens take the userinfo path: a provider definition is code, and those
// are programmer errors. A missing client id is not: it fails each login
// with a clear error, as a configuration read from the environment may
// lack it.
func NewOIDC(c OIDCConfig) *OIDC {
	switch {
	case c.Name == "":
		panic("backends: OIDCConfig.Name is empty")
	case c.Issuer == "" && c.DiscoveryURL == "":
		panic("backends: OIDC backend " + c.Name + " has neither Issuer nor DiscoveryURL")
	}
	c.Issuers = slices.Clone(c.Issuers)
	c.ClientIDs = slices.DeleteFunc(slices.Clone(c.ClientIDs), func(s string) bool { return s == "" })
	c.TrustedAudiences = slices.Clone(c.TrustedAudiences)
	c.Scopes = slices.Clone(c.Scopes)
	c.Algorithms = allowedAlgorithms(c.Algorithms)
	if len(c.Algorithms) == 0 {
		panic("backends: OIDC backend " + c.Name + " allows no asymmetric signature algorithm")
	}
	if c.MaxAge == 0 {
		c.MaxAge = DefaultIDTokenMaxAge
	}
	if c.Leeway <= 0 {
		c.Leeway = DefaultLeeway
	}
	if c.KeyRefresh <= 0 {
		c.KeyRefresh = DefaultKeyRefresh
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	o := &OIDC{cfg: c, keys: c.Claims.withDefaults(), user: c.User, discURL: c.DiscoveryURL}
	if o.discURL == "" {
		o.discURL = strings.TrimRight(c.Issuer, "/") + "/.well-known/openid-configuration"
	}
	if o.user == nil {
		o.user = o.keys.user
		o.standardClaims = o.keys == ClaimKeys{}.withDefaults()
	}
	o.disc = newRemote(o.parseDiscovery, maxCacheTTL)
	o.jwks = newRemote(parseJWKS, time.Hour)
	if !c.AccessTokenIsIDToken {
		if o.static() && c.UserInfoURL == "" {
			panic("backends: OIDC backend " + c.Name + " is static and has no UserInfoURL for access tokens")
		}
		verify := o.introspect
		if c.AccessTokenCheck != nil {
			verify = c.AccessTokenCheck
		}
		o.access = NewOAuth2(Provider{Name: c.Name, UserInfo: o.userInfo, Verify: verify})
	}
	return o
}

// allowedAlgorithms is algs (or the defaults) less anything symmetric or unsigned.
func allowedAlgorithms(algs []string) []string {
	if len(algs) == 0 {
		return slices.Clone(defaultAlgorithms)
	}
	return slices.DeleteFunc(slices.Clone(algs), func(a string) bool {
		return !slices.Contains(defaultAlgorithms, a)
	})
}

// Name is the backend's name, stored with every association.
func (o *OIDC) Name() string { return o.cfg.Name }

// Config returns a copy of the configuration the backend was made of, with
// its defaults filled in.
func (o *OIDC) Config() OIDCConfig {
	c := o.cfg
	c.Issuers, c.ClientIDs, c.TrustedAudiences = slices.Clone(c.Issuers), slices.Clone(c.ClientIDs), slices.Clone(c.TrustedAudiences)
	c.Scopes, c.Algorithms = slices.Clone(c.Scopes), slices.Clone(c.Algorithms)
	return c
}

// ClientSecret returns the secret this backend authenticates to the
// provider with: ClientSecretFunc's (apple-id: an ES256 JWT, cached until
// shortly before it expires), else ClientSecret. An empty secret means a
// public client.
func (o *OIDC) ClientSecret() (string, error) {
	if o.cfg.ClientSecretFunc != nil {
		return o.cfg.ClientSecretFunc()
	}
	return o.cfg.ClientSecret, nil
}

// checksAudience reports whether every access token Authenticate accepts
// is proven to have been issued to this app: when access tokens are
// verified as id_tokens, introspection is required, or the provider's own
// check replaces it.
func (o *OIDC) checksAudience() bool {
	return o.cfg.AccessTokenIsIDToken || o.cfg.Introspection == IntrospectRequired || o.cfg.AccessTokenCheck != nil
}

// Doc describes the backend (see [Doc]).
func (o *OIDC) Doc() Doc {
	d := o.cfg.Doc
	d.ChecksAudience = o.checksAudience()
	if d.Protocol == "" {
		d.Protocol = "OIDC"
	}
	if d.TokenCheck == "" {
		idt := idTokenCheck
		switch { // what Authenticate does with an access token
		case o.cfg.AccessTokenIsIDToken:
			d.TokenCheck = "the token is verified as an " + idt
		case o.cfg.AccessTokenCheck != nil:
			d.TokenCheck = "access token: the provider's own check of the app it was issued to; " + idt
		case o.cfg.Introspection == IntrospectRequired:
			d.TokenCheck = "introspection (RFC 7662): active, client_id ∈ Key+ClientIDs, sub = userinfo sub; " + idt
		case o.cfg.Introspection == IntrospectNever:
			d.TokenCheck = "access token: userinfo only, audience NOT proven; " + idt
		default:
			d.TokenCheck = "access token: introspection when advertised and Secret set, else userinfo only (audience NOT proven); " + idt
		}
	}
	if d.UID == "" {
		d.UID = o.keys.UID
	}
	if d.EmailVerified == "" {
		d.EmailVerified = o.keys.EmailVerified + " claim"
	}
	return d
}

// idTokenCheck is what Doc says of the id_token path.
const idTokenCheck = "id_token: JWKS signature, iss, aud/azp ∈ Key+ClientIDs, exp, iat ≤ max age, nonce"

// Authenticate checks an access token. When the backend verifies access
// tokens as id_tokens (AccessTokenIsIDToken), this is AuthenticateIDToken
// with no nonce. Otherwise the token is sent to the userinfo endpoint (a
// Bearer header) and, where introspection is used, to the introspection
// endpoint at the same time; both must accept it and agree on the user.
func (o *OIDC) Authenticate(ctx context.Context, client *http.Client, accessToken string) (*socialauth.Profile, error) {
	if o.access == nil {
		return o.AuthenticateIDToken(ctx, client, accessToken, "")
	}
	return o.access.Authenticate(ctx, client, accessToken)
}

// AuthenticateIDToken verifies an id_token and returns the profile its
// claims describe: the signature against the provider's JWKS with an
// allowed algorithm, "iss" exactly, "aud" holding one of this app's client
// ids and no untrusted audience, "azp" (required with several audiences)
// one of them, "exp", "nbf", "iat" within the maximum age, and, when nonce
// is not empty, "nonce". Every refusal wraps socialauth.ErrInvalidToken;
// a provider that cannot be reached for its keys wraps
// socialauth.ErrProviderUnavailable. No error text holds the token or the nonce.
func (o *OIDC) AuthenticateIDToken(ctx context.Context, client *http.Client, idToken, nonce string) (*socialauth.Profile, error) {
	v, err := o.verify(ctx, client, idToken, nonce)
	if err != nil {
		return nil, err
	}
	return o.idTokenProfile(v, socialauth.Token{IDToken: idToken, Expiry: v.claims.Expiry.t})
}

// AuthenticateTokens checks the tokens a provider's token endpoint answers
// (the authorization-code flow), or a client that sends both: the id_token
// is verified as by AuthenticateIDToken (its at_hash, when present, must
// match the access token), then the userinfo endpoint is asked with the
// access token, and its "sub" must equal the id_token's (OIDC Core
// §5.3.4). The uid comes from the id_token; each detail comes from the
// userinfo answer, or from the id_token where the answer lacks it. With no
// id_token this is Authenticate; with no access token, AuthenticateIDToken.
func (o *OIDC) AuthenticateTokens(ctx context.Context, client *http.Client, t socialauth.Token, nonce string) (*socialauth.Profile, error) {
	switch {
	case t.IDToken == "" && t.AccessToken == "":
		return nil, fmt.Errorf("%w: access token or id_token", socialauth.ErrInvalidRequest)
	case t.IDToken == "":
		return o.Authenticate(ctx, client, t.AccessToken)
	}
	v, err := o.verify(ctx, client, t.IDToken, nonce)
	if err != nil {
		return nil, err
	}
	if t.Expiry.IsZero() {
		t.Expiry = v.claims.Expiry.t
	}
	if t.AccessToken != "" && v.claims.AtHash != "" && !accessTokenHashMatches(v.alg, t.AccessToken, v.claims.AtHash) {
		return nil, fmt.Errorf("%w: the id_token's at_hash does not match the access token", socialauth.ErrInvalidToken)
	}
	if t.AccessToken == "" || o.access == nil {
		return o.idTokenProfile(v, t)
	}
	info, err := o.userInfoJSON(ctx, client, t.AccessToken)
	if err != nil {
		return nil, err
	}
	var sub struct {
		Sub json.RawMessage `json:"sub"`
	}
	if err := decode(info, &sub); err != nil {
		return nil, err
	}
	if s := idString(sub.Sub); s == "" || s != v.claims.Subject {
		return nil, fmt.Errorf("%w: the userinfo sub differs from the id_token's", socialauth.ErrInvalidToken)
	}
	merged, err := mergeClaims(v.payload, info)
	if err != nil {
		return nil, err
	}
	p, err := o.profile(merged, t)
	if err != nil {
		return nil, err
	}
	uid, _, err := o.user(v.payload)
	if err != nil {
		return nil, err
	}
	p.UID = uid // the id_token's, whatever the userinfo says under that key
	return p, nil
}

// idTokenProfile is the Profile a verified id_token describes, carrying
// tok: with the standard claims, made from the claims verification
// decoded; otherwise mapped from the payload.
func (o *OIDC) idTokenProfile(v *verified, tok socialauth.Token) (*socialauth.Profile, error) {
	if !o.standardClaims {
		return o.profile(v.payload, tok)
	}
	c := &v.claims
	p := &socialauth.Profile{UID: c.Subject, Raw: v.payload, Details: socialauth.Details{
		Username: c.Username, Email: c.Email, EmailVerified: bool(c.EmailVerified) && c.Email != "",
		FullName: c.FullName, FirstName: c.GivenName, LastName: c.FamilyName, AvatarURL: pictureURL(c.Picture),
	}}
	return o.finish(p, tok)
}

// profile maps verified claims to a Profile carrying tok.
func (o *OIDC) profile(claims []byte, tok socialauth.Token) (*socialauth.Profile, error) {
	p, err := mapUser(o.user, claims)
	if err != nil {
		return nil, err
	}
	return o.finish(p, tok)
}

// finish checks p has a uid, completes its names and gives it tok.
func (o *OIDC) finish(p *socialauth.Profile, tok socialauth.Token) (*socialauth.Profile, error) {
	if p.UID == "" {
		return nil, fmt.Errorf("%w: the token has no %s", socialauth.ErrAuthFailed, o.keys.UID)
	}
	p.Details.SplitName()
	p.Token = tok // its TokenType only as the provider sent it
	return p, nil
}

// mergeClaims overlays the userinfo answer on the id_token's claims.
func mergeClaims(claims, info []byte) ([]byte, error) {
	var a, b map[string]json.RawMessage
	if err := decode(claims, &a); err != nil {
		return nil, err
	}
	if err := decode(info, &b); err != nil {
		return nil, err
	}
	for k, v := range b {
		if s := strings.TrimSpace(string(v)); s != "null" && s != `""` {
			a[k] = v
		}
	}
	return json.Marshal(a)
}

// discovery is the part of an OpenID Provider's metadata this package uses.
type discovery struct {
	Issuer           string   `json:"issuer"`
	AuthURL          string   `json:"authorization_endpoint"`
	TokenURL         string   `json:"token_endpoint"`
	UserInfoURL      string   `json:"userinfo_endpoint"`
	JWKSURL          string   `json:"jwks_uri"`
	IntrospectionURL string   `json:"introspection_endpoint"`
	Algorithms       []string `json:"id_token_signing_alg_values_supported"`

	// IntrospectionAuthMethods is RFC 8414's
	// introspection_endpoint_auth_methods_supported.
	IntrospectionAuthMethods []string `json:"introspection_endpoint_auth_methods_supported"`

	// Read by the authorization-code flow (codeflow.go).
	RevocationURL    string   `json:"revocation_endpoint"`
	TokenAuthMethods []string `json:"token_endpoint_auth_methods_supported"`
	ResponseIssuer   bool     `json:"authorization_response_iss_parameter_supported"`
}

// static reports whether the provider is configured without discovery.
func (o *OIDC) static() bool { return o.cfg.JWKSURL != "" && o.cfg.DiscoveryURL == "" }

// discoveryURL is where the discovery document is fetched.
func (o *OIDC) discoveryURL() string { return o.discURL }

// metadata is what a backend uses of its provider's metadata, derived once
// per discovery document.
type metadata struct {
	doc  *discovery                // the document it was derived from; nil for a static provider
	d    discovery                 // the endpoints, the configured ones taking precedence
	algs []jose.SignatureAlgorithm // the id_token algorithms accepted
}

// endpoints returns the provider's metadata: the static configuration, or
// the discovery document with the configured endpoints taking precedence.
// It is shared: callers must not modify it.
func (o *OIDC) endpoints(ctx context.Context, client *http.Client) (*discovery, error) {
	m, err := o.metadata(ctx, client)
	if err != nil {
		return nil, err
	}
	return &m.d, nil
}

// metadata returns the metadata derived from the current discovery
// document (or the static configuration), deriving it when the document
// changed.
func (o *OIDC) metadata(ctx context.Context, client *http.Client) (*metadata, error) {
	var doc *discovery
	if !o.static() {
		var err error
		if doc, err = o.disc.get(ctx, client, o.discoveryURL(), o.cfg.Now(), 0, nil); err != nil {
			return nil, err
		}
	}
	if m := o.meta.Load(); m != nil && m.doc == doc {
		return m, nil
	}
	m := o.derive(doc)
	o.meta.Store(m)
	return m, nil
}

// derive merges doc (nil for a static provider) with the configuration.
func (o *OIDC) derive(doc *discovery) *metadata {
	m := &metadata{doc: doc}
	d := &m.d
	if doc != nil {
		*d = *doc
	} else {
		d.Issuer = o.cfg.Issuer
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&d.AuthURL, o.cfg.AuthURL)
	set(&d.TokenURL, o.cfg.TokenURL)
	set(&d.UserInfoURL, o.cfg.UserInfoURL)
	set(&d.JWKSURL, o.cfg.JWKSURL)
	set(&d.IntrospectionURL, o.cfg.IntrospectionURL)
	algs := o.cfg.Algorithms
	if len(d.Algorithms) > 0 { // narrowed to what the provider says it signs with
		narrowed := slices.DeleteFunc(slices.Clone(algs), func(a string) bool { return !slices.Contains(d.Algorithms, a) })
		if len(narrowed) > 0 {
			algs = narrowed
		}
	}
	for _, a := range algs {
		m.algs = append(m.algs, jose.SignatureAlgorithm(a))
	}
	return m
}

// parseDiscovery reads a discovery document and checks it names the
// configured issuer (OpenID Connect Discovery §4.3) and only secure endpoints.
func (o *OIDC) parseDiscovery(body []byte) (*discovery, error) {
	var d discovery
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("%w: %s: malformed discovery document", socialauth.ErrProviderUnavailable, hostOf(o.discoveryURL()))
	}
	if d.Issuer == "" || d.JWKSURL == "" {
		return nil, fmt.Errorf("%w: %s: the discovery document lacks issuer or jwks_uri", socialauth.ErrProviderUnavailable, hostOf(o.discoveryURL()))
	}
	if o.cfg.Issuer != "" && strings.TrimRight(d.Issuer, "/") != strings.TrimRight(o.cfg.Issuer, "/") {
		return nil, fmt.Errorf("%w: %s: the discovery document names another issuer than the configured one (%q, not %q)",
			socialauth.ErrAuthFailed, hostOf(o.discoveryURL()), clip(d.Issuer, 200), o.cfg.Issuer)
	}
	for _, u := range []string{d.Issuer, d.AuthURL, d.TokenURL, d.UserInfoURL, d.JWKSURL, d.IntrospectionURL} {
		if u != "" && !o.allowedURL(strings.ReplaceAll(u, "{tenantid}", "t")) {
			return nil, fmt.Errorf("%w: %s: the discovery document has an endpoint that is not https (only InsecureAllowHTTPIssuer allows http beyond loopback)",
				socialauth.ErrAuthFailed, hostOf(o.discoveryURL()))
		}
	}
	return &d, nil
}

// allowedURL reports whether raw may be an endpoint of this provider:
// https, http to a loopback address, or, with InsecureAllowHTTPIssuer,
// any http URL.
func (o *OIDC) allowedURL(raw string) bool {
	if secureURL(raw) {
		return true
	}
	u, err := url.Parse(raw)
	return o.cfg.InsecureAllowHTTPIssuer && err == nil && u.Scheme == "http" && u.Host != ""
}

// secureURL: https, or http to a loopback address (a provider under test).
func secureURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	if u.Scheme != "http" {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// userInfo is the access-token path's fetch: the userinfo answer, mapped.
func (o *OIDC) userInfo(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error) {
	body, err := o.userInfoJSON(ctx, client, token)
	if err != nil {
		return nil, err
	}
	return mapUser(o.user, body)
}

func (o *OIDC) userInfoJSON(ctx context.Context, client *http.Client, token string) ([]byte, error) {
	d, err := o.endpoints(ctx, client)
	if err != nil {
		return nil, err
	}
	if d.UserInfoURL == "" {
		return nil, fmt.Errorf("%w: %s has no userinfo endpoint; send the id_token", socialauth.ErrAuthFailed, o.cfg.Name)
	}
	body, err := call{url: d.UserInfoURL, header: bearer(token), secrets: []string{token}}.do(ctx, client)
	if err != nil {
		return nil, err
	}
	var obj map[string]json.RawMessage
	if err := decode(body, &obj); err != nil {
		return nil, err
	}
	return body, nil
}
