// Package backends holds the identity providers a login can go through: a
// data-driven OAuth 2.0 backend ([OAuth2]), an OpenID Connect backend
// ([OIDC]) that verifies id_tokens, and, built on them, one backend per
// provider (Google, Facebook, GitHub, Apple, Microsoft, ...).
//
// A backend checks a token WITH THE PROVIDER: that the provider accepts it,
// that it was issued to this app (the audience check of RFC 6749 §10.16,
// wherever the provider offers one; each backend's [Doc] says what it
// does), and who the user is: the provider's immutable user id and the
// person's [socialauth.Details]. A provider is data plus a small mapper:
// its endpoints, how the token is sent and checked, and a function from its
// user JSON to the id and details. A host adds its own the same way, with
// [NewOAuth2] or [NewOIDC].
//
// Every constructor takes the app's [Settings] (client id, secret, scopes
// and the provider's extras) and returns a concrete type. [ByName] builds a
// backend from its name, [FromEnv] every backend whose client id is set in
// the environment, and [Names] lists them all. The names are Python Social
// Auth's ("google-oauth2", "facebook", "github", "apple-id", ...), and so
// are the environment variables, so that a user base migrating from PSA
// keeps its associations and its configuration.
package backends

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"golang.org/x/oauth2"

	"github.com/go-socialauth/socialauth"
)

// TokenPlacement says how an access token is sent to the user-data endpoint.
type TokenPlacement int

const (
	// TokenBearer sends "Authorization: Bearer <token>" (RFC 6750; the default).
	TokenBearer TokenPlacement = iota
	// TokenQuery sends the token as a query parameter (Provider.TokenParam,
	// "access_token" by default). Error texts never contain the URL.
	TokenQuery
)

// Provider is the data an [OAuth2] backend is made of.
type Provider struct {
	// Name is the backend's name, stored with every association: it must
	// never change. (This package's backends use PSA's names.)
	Name string
	// AuthURL and TokenURL are the authorization-code flow's endpoints.
	AuthURL, TokenURL string
	// Scopes are the default scopes of the browser flow.
	Scopes []string
	// ClientID and ClientSecret are this app's credentials at the
	// provider, for the authorization-code flow (Settings.Key and Secret).
	ClientID, ClientSecret string
	// AuthStyle is how the client authenticates at TokenURL; zero means
	// x/oauth2's detection (HTTP Basic first, remembered once it works).
	AuthStyle oauth2.AuthStyle
	// RevocationURL is the provider's RFC 7009 revocation endpoint; empty
	// means its tokens are not revoked on disconnect.
	RevocationURL string

	// UserInfoURL is fetched with the access token to get the user's JSON.
	UserInfoURL string
	// TokenIn says how the token is sent there; TokenParam names the query
	// parameter for TokenQuery ("access_token" when empty).
	TokenIn    TokenPlacement
	TokenParam string
	// Header and Query are added to the user-info request.
	Header http.Header
	Query  url.Values

	// User maps the user-info JSON to the provider's user id and the
	// person's details. A missing id must be an error (or an empty uid,
	// which the backend turns into one).
	User func(body []byte) (uid string, d socialauth.Details, err error)

	// UserInfo, when set, replaces the default fetch-and-map (for providers
	// that need several calls or signed requests). It returns the profile
	// without Token, which the backend fills in.
	UserInfo func(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error)

	// Verify, when set, proves that the token was issued to this app and
	// returns the uid of the user it belongs to ("" if the provider does not
	// say). It runs concurrently with the user-info fetch; its refusal wins,
	// and a uid that differs from the user info's is refused too.
	Verify func(ctx context.Context, client *http.Client, token string) (uid string, err error)

	// Doc describes the backend for people: go doc and the README table.
	Doc Doc
}

// Doc describes, for people, how a backend checks tokens and reads the
// user: go doc, the README's backend table, a host's admin page.
type Doc struct {
	// Protocol: "OAuth2", "OIDC", ...
	Protocol string
	// ChecksAudience is true when the backend proves that an access token
	// was issued to this app; false when the provider offers no way (then
	// TokenCheck says so, and the token is only as good as the provider's
	// own refusal of unknown tokens).
	ChecksAudience bool
	// TokenCheck says, in one line, how the backend proves that a token was
	// issued to this app, or that the provider offers no way to.
	TokenCheck string
	// UID names the field the uid comes from ("sub", "id", "account_id"...).
	UID string
	// EmailVerified says where the email's verified flag comes from, or
	// that the backend never marks emails verified.
	EmailVerified string
}

// Documented is implemented by every backend of this package.
type Documented interface {
	Doc() Doc
}

// OAuth2 is the generic OAuth 2.0 backend: a [Provider] put to work.
type OAuth2 struct {
	p    Provider
	code codeConfig // the authorization-code flow's client (codeflow.go)
	from *builtFrom // the settings ByName or FromEnv built it from (check.go)
}

var _ socialauth.Backend = (*OAuth2)(nil)

// NewOAuth2 returns the backend that p describes. It panics when p has no
// Name, no UserInfoURL and no UserInfo, or no User mapper for its
// UserInfoURL: a provider definition is code, and those are programmer errors.
func NewOAuth2(p Provider) *OAuth2 {
	switch {
	case p.Name == "":
		panic("backends: Provider.Name is empty")
	case p.UserInfo == nil && p.UserInfoURL == "":
		panic("backends: provider " + p.Name + " has neither UserInfoURL nor UserInfo")
	case p.UserInfo == nil && p.User == nil:
		panic("backends: provider " + p.Name + " has no User mapper")
	}
	p.Scopes = slices.Clone(p.Scopes)
	return &OAuth2{p: p}
}

// Name is the backend's name, stored with every association.
func (o *OAuth2) Name() string { return o.p.Name }

// Doc describes the backend (see [Doc]).
func (o *OAuth2) Doc() Doc {
	d := o.p.Doc
	if d.Protocol == "" {
		d.Protocol = "OAuth2"
	}
	return d
}

// Provider returns a copy of the data the backend was made of.
func (o *OAuth2) Provider() Provider {
	p := o.p
	p.Scopes = slices.Clone(p.Scopes)
	return p
}

// Authenticate checks token with the provider: the audience check
// (Provider.Verify) and the user-info fetch run concurrently, and the login
// succeeds only if both do and agree on the user.
func (o *OAuth2) Authenticate(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: access token", socialauth.ErrInvalidRequest)
	}
	var (
		p    *socialauth.Profile
		perr error
	)
	if o.p.Verify == nil {
		p, perr = o.userInfo(ctx, client, token)
	} else {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		type verdict struct {
			uid string
			err error
		}
		ch := make(chan verdict, 1)
		go func() {
			uid, err := o.p.Verify(ctx, client, token)
			if err != nil {
				cancel() // no need to finish the user-info fetch
			}
			ch <- verdict{uid, err}
		}()
		p, perr = o.userInfo(ctx, client, token)
		v := <-ch
		if v.err != nil {
			return nil, v.err
		}
		if perr == nil && p.UID != "" && v.uid != "" && v.uid != p.UID {
			return nil, fmt.Errorf("%w: the token belongs to another user than the profile", socialauth.ErrInvalidToken)
		}
	}
	if perr != nil {
		return nil, perr
	}
	if p.UID == "" {
		return nil, fmt.Errorf("%w: the provider's answer has no user id", socialauth.ErrAuthFailed)
	}
	p.Details.SplitName()
	p.Token = socialauth.Token{AccessToken: token} // no token_type: the provider sent none
	return p, nil
}

func (o *OAuth2) userInfo(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error) {
	if o.p.UserInfo != nil {
		return o.p.UserInfo(ctx, client, token)
	}
	c := call{url: o.p.UserInfoURL, header: o.p.Header, query: o.p.Query, secrets: []string{token}}
	switch o.p.TokenIn {
	case TokenQuery:
		q := make(url.Values, len(o.p.Query)+1)
		for k, v := range o.p.Query {
			q[k] = v
		}
		param := o.p.TokenParam
		if param == "" {
			param = "access_token"
		}
		q.Set(param, token)
		c.query = q
	default:
		h := make(http.Header, len(o.p.Header)+1)
		for k, v := range o.p.Header {
			h[k] = v
		}
		h.Set("Authorization", "Bearer "+token)
		c.header = h
	}
	return c.profile(ctx, client, o.p.User)
}
