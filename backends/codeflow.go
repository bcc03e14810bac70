package backends

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"golang.org/x/oauth2"

	"github.com/go-socialauth/socialauth"
)

// The authorization-code flow (RFC 6749 §4.1) of the generic backends: the
// power socialauth.CodeFlowBackend, with which socialauth.Service runs a
// browser login (x/oauth2 does the code exchange with PKCE and the
// refresh), and token revocation (RFC 7009) on disconnect.

var (
	_ socialauth.CodeFlowBackend = (*OAuth2)(nil)
	_ socialauth.CodeFlowBackend = (*OIDC)(nil)
	_ socialauth.CodeFlowBackend = (*OAuth2IDToken)(nil)
)

// codeConfig keeps a backend's *oauth2.Config and hands out the same value
// while what it is made of is unchanged: x/oauth2 remembers, per Config,
// which client authentication a token endpoint took. It is rebuilt when
// something changes (Apple's client secret is renewed; a discovery
// document names new endpoints).
type codeConfig struct {
	mu  sync.Mutex
	cur *oauth2.Config
}

func (c *codeConfig) get(id, secret string, ep oauth2.Endpoint, scopes []string) *oauth2.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k := c.cur; k != nil && k.ClientID == id && k.ClientSecret == secret && k.Endpoint == ep && slices.Equal(k.Scopes, scopes) {
		return k
	}
	c.cur = &oauth2.Config{ClientID: id, ClientSecret: secret, Endpoint: ep, Scopes: slices.Clone(scopes)}
	return c.cur
}

// OAuth2Config returns the client of the authorization-code flow:
// Provider.AuthURL and TokenURL, ClientID and ClientSecret, AuthStyle and
// Scopes. A provider without those endpoints or without a client id has
// no such flow: that fails, wrapping socialauth.ErrAuthFailed.
func (o *OAuth2) OAuth2Config(context.Context, *http.Client) (*oauth2.Config, error) {
	switch {
	case o.p.AuthURL == "" || o.p.TokenURL == "":
		return nil, fmt.Errorf("%w: %s has no authorization-code flow endpoints", socialauth.ErrAuthFailed, o.p.Name)
	case o.p.ClientID == "":
		return nil, fmt.Errorf("%w: %s has no client id (Settings.Key) for the authorization-code flow", socialauth.ErrAuthFailed, o.p.Name)
	}
	return o.code.get(o.p.ClientID, o.p.ClientSecret, oauth2.Endpoint{AuthURL: o.p.AuthURL, TokenURL: o.p.TokenURL, AuthStyle: o.p.AuthStyle}, o.p.Scopes), nil
}

// CheckIssuer accepts any "iss": a plain OAuth 2.0 provider publishes no
// issuer identifier to compare it with (the OIDC backends check it).
func (o *OAuth2) CheckIssuer(context.Context, *http.Client, string) error { return nil }

// AuthenticateTokens checks the access token of a token-endpoint answer as
// Authenticate does (the audience check included) and returns the profile
// carrying t. An id_token in t is dropped unverified and nonce is ignored:
// the plain OAuth 2.0 path has no id_token check ([OAuth2IDToken] has).
func (o *OAuth2) AuthenticateTokens(ctx context.Context, client *http.Client, t socialauth.Token, _ string) (*socialauth.Profile, error) {
	p, err := o.Authenticate(ctx, client, t.AccessToken)
	if err != nil {
		return nil, err
	}
	t.IDToken = ""
	if t.TokenType == "" {
		t.TokenType = "Bearer"
	}
	p.Token = t
	return p, nil
}

// Revoke revokes t at Provider.RevocationURL (RFC 7009): its refresh token
// when it has one (which ends the grant), else its access token. Without a
// RevocationURL it returns an error wrapping errors.ErrUnsupported.
func (o *OAuth2) Revoke(ctx context.Context, client *http.Client, t socialauth.Token) error {
	return revoke(ctx, client, o.p.RevocationURL, o.p.ClientID, o.p.ClientSecret, o.p.AuthStyle, t)
}

// AuthenticateTokens checks a token-endpoint answer. With an id_token, it
// is verified as [OIDC.AuthenticateTokens] does (signature, iss, aud, exp,
// nonce, and at_hash against the access token), then the access token's
// user info is fetched and must be the id_token's user; the profile is the
// user info's, as with an access token alone. Without an id_token this is
// [OAuth2.AuthenticateTokens].
func (b *OAuth2IDToken) AuthenticateTokens(ctx context.Context, client *http.Client, t socialauth.Token, nonce string) (*socialauth.Profile, error) {
	if t.IDToken == "" {
		return b.OAuth2.AuthenticateTokens(ctx, client, t, nonce)
	}
	idp, err := b.idt.AuthenticateTokens(ctx, client, socialauth.Token{IDToken: t.IDToken, AccessToken: t.AccessToken}, nonce)
	if err != nil {
		return nil, err
	}
	if t.TokenType == "" && t.AccessToken != "" {
		t.TokenType = "Bearer"
	}
	if t.AccessToken == "" {
		idp.Token = t
		return idp, nil
	}
	p, err := b.userInfo(ctx, client, t.AccessToken)
	if err != nil {
		return nil, err
	}
	if p.UID == "" {
		return nil, fmt.Errorf("%w: the provider's answer has no user id", socialauth.ErrAuthFailed)
	}
	if p.UID != idp.UID {
		return nil, fmt.Errorf("%w: the user info belongs to another user than the id_token", socialauth.ErrInvalidToken)
	}
	p.Details.SplitName()
	p.Token = t
	return p, nil
}

// OAuth2Config returns the client of the authorization-code flow: the
// authorization and token endpoints (configured, else discovered), the
// first of ClientIDs with the client secret (ClientSecretFunc's when set),
// the client authentication that AuthStyle or the discovery document's
// token_endpoint_auth_methods_supported says, and Scopes.
func (o *OIDC) OAuth2Config(ctx context.Context, client *http.Client) (*oauth2.Config, error) {
	d, err := o.endpoints(ctx, client)
	if err != nil {
		return nil, err
	}
	if d.AuthURL == "" || d.TokenURL == "" {
		return nil, fmt.Errorf("%w: %s has no authorization or token endpoint", socialauth.ErrAuthFailed, o.cfg.Name)
	}
	if len(o.cfg.ClientIDs) == 0 {
		return nil, fmt.Errorf("%w: %s has no client id configured", socialauth.ErrAuthFailed, o.cfg.Name)
	}
	secret, err := o.ClientSecret()
	if err != nil {
		return nil, err
	}
	ep := oauth2.Endpoint{AuthURL: d.AuthURL, TokenURL: d.TokenURL, AuthStyle: o.authStyle(d, secret)}
	return o.code.get(o.cfg.ClientIDs[0], secret, ep, o.cfg.Scopes), nil
}

// authStyle: the configured one; for a public client, its id in the form
// (RFC 6749 §2.3.1 has no Basic without a secret); else the first the
// provider supports of client_secret_basic and client_secret_post, Basic
// when it says nothing (OIDC Discovery's default).
func (o *OIDC) authStyle(d *discovery, secret string) oauth2.AuthStyle {
	switch {
	case o.cfg.AuthStyle != oauth2.AuthStyleAutoDetect:
		return o.cfg.AuthStyle
	case secret == "":
		return oauth2.AuthStyleInParams
	case len(d.TokenAuthMethods) == 0 || slices.Contains(d.TokenAuthMethods, "client_secret_basic"):
		return oauth2.AuthStyleInHeader
	case slices.Contains(d.TokenAuthMethods, "client_secret_post"):
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleAutoDetect
}

// CheckIssuer checks an authorization response's "iss" (RFC 9207): when
// present it must be exactly the provider's issuer (Issuer, or the
// discovery document's; "{tenantid}" stands for a tenant id); when absent,
// the provider must not advertise
// authorization_response_iss_parameter_supported.
func (o *OIDC) CheckIssuer(ctx context.Context, client *http.Client, iss string) error {
	d, err := o.endpoints(ctx, client)
	if err != nil {
		return err
	}
	if iss == "" {
		if d.ResponseIssuer {
			return fmt.Errorf("%w: the authorization response has no iss, which %s promises (RFC 9207)", socialauth.ErrAuthFailed, o.cfg.Name)
		}
		return nil
	}
	for _, want := range []string{d.Issuer, o.cfg.Issuer} {
		if want != "" && issuerMatches(want, iss) {
			return nil
		}
	}
	return fmt.Errorf("%w: the authorization response comes from another issuer than %s (RFC 9207)", socialauth.ErrAuthFailed, o.cfg.Name)
}

// issuerMatches: got is want, with "{tenantid}" in want standing for a
// tenant id (a GUID).
func issuerMatches(want, got string) bool {
	before, after, templated := strings.Cut(want, "{tenantid}")
	if !templated {
		return got == want
	}
	mid, ok := strings.CutPrefix(got, before)
	if !ok {
		return false
	}
	mid, ok = strings.CutSuffix(mid, after)
	return ok && tenantID.MatchString(mid)
}

// Revoke revokes t at the revocation endpoint (RevocationURL, else the
// discovery document's revocation_endpoint) as RFC 7009 says: its refresh
// token when it has one, else its access token. Without an endpoint it
// returns an error wrapping errors.ErrUnsupported.
func (o *OIDC) Revoke(ctx context.Context, client *http.Client, t socialauth.Token) error {
	d, err := o.endpoints(ctx, client)
	if err != nil {
		return err
	}
	endpoint := cmp.Or(o.cfg.RevocationURL, d.RevocationURL)
	if endpoint != "" && endpoint != o.cfg.RevocationURL && !o.allowedURL(endpoint) {
		return fmt.Errorf("%w: %s: the revocation endpoint is not https", socialauth.ErrAuthFailed, o.cfg.Name)
	}
	if len(o.cfg.ClientIDs) == 0 {
		return fmt.Errorf("%w: %s has no client id configured", socialauth.ErrAuthFailed, o.cfg.Name)
	}
	secret, err := o.ClientSecret()
	if err != nil {
		return err
	}
	return revoke(ctx, client, endpoint, o.cfg.ClientIDs[0], secret, o.authStyle(d, secret), t)
}

// revoke is RFC 7009's request, authenticated as the token endpoint is
// (HTTP Basic unless style says the form).
func revoke(ctx context.Context, client *http.Client, endpoint, id, secret string, style oauth2.AuthStyle, t socialauth.Token) error {
	if endpoint == "" {
		return fmt.Errorf("backends: no revocation endpoint: %w", errors.ErrUnsupported)
	}
	form := url.Values{}
	switch {
	case t.RefreshToken != "":
		form.Set("token", t.RefreshToken)
		form.Set("token_type_hint", "refresh_token")
	case t.AccessToken != "":
		form.Set("token", t.AccessToken)
		form.Set("token_type_hint", "access_token")
	default:
		return fmt.Errorf("%w: no token to revoke", socialauth.ErrInvalidRequest)
	}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if style == oauth2.AuthStyleInParams || secret == "" {
		form.Set("client_id", id)
		if secret != "" {
			form.Set("client_secret", secret)
		}
	} else {
		h.Set("Authorization", basicAuth(id, secret))
	}
	c := call{method: http.MethodPost, url: endpoint, header: h, body: strings.NewReader(form.Encode()),
		secrets: []string{t.RefreshToken, t.AccessToken, secret}}
	_, err := c.do(ctx, client)
	return err
}

// CheckIssuer checks an authorization response's "iss" as the id_token
// half of the backend does ([OIDC.CheckIssuer]): the provider's issuer is
// known from its id_tokens.
func (b *OAuth2IDToken) CheckIssuer(ctx context.Context, client *http.Client, iss string) error {
	return b.idt.CheckIssuer(ctx, client, iss)
}
