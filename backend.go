package socialauth

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Backend is one identity provider. Its methods may be called concurrently.
//
// The package backends holds the implementations; a host can write its own.
type Backend interface {
	// Name is the backend's persisted name ("google-oauth2", "facebook",
	// "github", ...; the names Python Social Auth uses, so that its users can
	// move over). It is stored in every association, so it
	// must never change once users have logged in with it.
	Name() string

	// Authenticate checks accessToken with the provider and returns the
	// profile it belongs to. It must refuse, with an error wrapping
	// [ErrInvalidToken], a token the provider does not accept and, where the
	// provider offers a way to tell, a token that was issued to another
	// application (RFC 6749 §10.16). It sends every request through client.
	//
	// A profile without the provider's user id is an error wrapping
	// [ErrAuthFailed], never a Profile with an empty UID.
	Authenticate(ctx context.Context, client *http.Client, accessToken string) (*Profile, error)
}

// IDTokenAuthenticator is the optional power of backends that accept an
// OpenID Connect id_token in place of an access token, the way mobile sign-in
// SDKs (Google, Apple, Microsoft) hand one to a back end. [Service.LoginIDToken] uses it.
type IDTokenAuthenticator interface {
	// AuthenticateIDToken verifies the id_token's signature against the
	// provider's keys, its issuer, audience (one of this app's client ids),
	// expiry and, when nonce is not empty, its nonce; then returns the profile.
	AuthenticateIDToken(ctx context.Context, client *http.Client, idToken, nonce string) (*Profile, error)
}

// CodeFlowBackend is the optional power of backends whose provider runs the
// OAuth 2.0 authorization-code flow (RFC 6749 §4.1) for a browser: the
// server-side login of [Service.AuthCodeURL], [Service.LoginCode] and
// [Service.ConnectCode], and the refresh of stored tokens
// ([Service.AccessToken]). The Service does the protocol with
// golang.org/x/oauth2 (PKCE S256, the code exchange, the refresh); the
// backend says where its provider is and checks what it answers.
//
// A backend whose provider revokes tokens (RFC 7009) may also have the
// method
//
//	Revoke(ctx context.Context, client *http.Client, t Token) error
//
// which [Service.Disconnect] calls for each association it removes (it
// returns an error wrapping [errors.ErrUnsupported] when the provider has
// no revocation endpoint).
type CodeFlowBackend interface {
	// OAuth2Config returns the flow's client at this provider: its
	// authorization and token endpoints (the authorization URL may carry
	// fixed parameters in its query, such as Apple's
	// response_mode=form_post), how the client authenticates there, this
	// app's client id and secret, and the default scopes. RedirectURL is
	// left empty: the Service sends its own. The Service never modifies
	// the returned value, so a backend may return the same one each time.
	OAuth2Config(ctx context.Context, client *http.Client) (*oauth2.Config, error)

	// CheckIssuer checks the "iss" parameter of an authorization response
	// (RFC 9207), "" when the response has none, before the code is
	// redeemed: a present iss must be the provider's issuer, and a missing
	// one is refused when the provider advertises
	// authorization_response_iss_parameter_supported. A provider whose
	// issuer is unknown accepts any. A refusal wraps [ErrAuthFailed].
	CheckIssuer(ctx context.Context, client *http.Client, iss string) error

	// AuthenticateTokens checks the tokens the token endpoint answered and
	// returns the profile they belong to, carrying them: an id_token is
	// verified (signature, iss, aud, exp, at_hash against the access
	// token and, when nonce is not empty, nonce), the access token is
	// checked as Backend.Authenticate does. Refusals wrap [ErrInvalidToken].
	AuthenticateTokens(ctx context.Context, client *http.Client, t Token, nonce string) (*Profile, error)
}

// Details is what a provider says about the person.
// Every field may be empty; only what the provider asserts is filled in.
type Details struct {
	Username string `json:"username,omitempty"`
	Email    string `json:"email,omitempty"`
	// EmailVerified is true only when the provider states that it verified
	// Email. associate_by_email matches on nothing else.
	EmailVerified bool   `json:"email_verified,omitempty"`
	FullName      string `json:"fullname,omitempty"`
	FirstName     string `json:"first_name,omitempty"`
	LastName      string `json:"last_name,omitempty"`
	// AvatarURL is the address of the person's picture, as the provider gives it.
	AvatarURL string `json:"avatar_url,omitempty"`
}

// SplitName fills FirstName and LastName from FullName (split on the first
// space) where they are empty, and FullName from them where it is empty.
func (d *Details) SplitName() {
	d.FullName = strings.TrimSpace(d.FullName)
	if d.FullName == "" {
		d.FullName = strings.TrimSpace(d.FirstName + " " + d.LastName)
		return
	}
	if d.FirstName == "" && d.LastName == "" {
		first, last, _ := strings.Cut(d.FullName, " ")
		d.FirstName, d.LastName = first, strings.TrimSpace(last)
	}
}

// Profile is the result of a successful [Backend.Authenticate].
type Profile struct {
	// UID is the provider's immutable user id (OIDC "sub", a numeric "id",
	// Entra's "oid"), compared byte-exactly. Never an email.
	UID     string
	Details Details
	// Raw is the provider's user JSON as it was received (an object).
	// load_extra_data reads configured keys from it.
	Raw json.RawMessage
	// Token holds the provider tokens this login came with; at least the
	// access token that was checked.
	Token Token
}

// Token is a set of provider tokens. It redacts itself: logged through slog,
// printed with fmt or marshalled to JSON, it shows which tokens are present,
// never their values.
type Token struct {
	AccessToken  string    `json:"access_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	IDToken      string    `json:"id_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
}

// LogValue implements [slog.LogValuer]: it shows which tokens are present,
// never their values.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Bool("access_token", t.AccessToken != ""),
		slog.Bool("refresh_token", t.RefreshToken != ""),
		slog.Bool("id_token", t.IDToken != ""),
		slog.String("token_type", t.TokenType),
		slog.Time("expiry", t.Expiry),
	)
}

// String redacts, so that fmt.Print of a Token leaks nothing either.
func (t Token) String() string { return "socialauth.Token{REDACTED}" }

// MarshalJSON writes which tokens are present, never their values.
func (t Token) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		AccessToken  bool      `json:"access_token"`
		RefreshToken bool      `json:"refresh_token"`
		IDToken      bool      `json:"id_token"`
		TokenType    string    `json:"token_type,omitempty"`
		Expiry       time.Time `json:"expiry,omitzero"`
	}{t.AccessToken != "", t.RefreshToken != "", t.IDToken != "", t.TokenType, t.Expiry})
}

// GoString redacts for %#v.
func (t Token) GoString() string { return t.String() }

// LogValue implements [slog.LogValuer]: the uid and username, never the
// tokens or the raw provider JSON.
func (p Profile) LogValue() slog.Value {
	return slog.GroupValue(slog.String("uid", p.UID), slog.String("username", p.Details.Username), slog.Any("token", p.Token))
}
