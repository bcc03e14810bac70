package backends

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-socialauth/socialauth"
)

// RFC 7662 token introspection: the app asks the provider, with its own
// client credentials, whether a token is active and which client it was
// issued to.

// clientAuth is how the app authenticates to an introspection endpoint,
// under the names of RFC 7591 §2 (token_endpoint_auth_method) that RFC 8414
// §2 uses for introspection_endpoint_auth_methods_supported.
type clientAuth string

const (
	// clientSecretBasic: HTTP Basic with the client id and secret (RFC 6749 §2.3.1).
	clientSecretBasic clientAuth = "client_secret_basic"
	// clientSecretPost: client_id and client_secret in the form body.
	clientSecretPost clientAuth = "client_secret_post"
)

// introspector asks one provider's introspection endpoint.
type introspector struct {
	backend  string // names the backend in error texts
	endpoint string
	// auth is how clientID and secret are sent (client_secret_basic when empty).
	auth             clientAuth
	clientID, secret string
	// audiences are the client ids a token may have been issued to.
	audiences []string
	// clientInAud: the provider documents no client_id in its answer and
	// names the token's client in "aud" instead (Gitea). Everywhere else
	// "aud" is not read: RFC 7662 §2.2 makes it the token's audience, the
	// resource servers it is meant for, not the client that obtained it.
	clientInAud bool
}

// check asks about token: it must be active, not a refresh token, and
// issued to one of the audiences, which must not be empty: the answer's
// client_id (RFC 7662 §2.2), or, for a provider that documents "aud" as
// the client (clientInAud), one of its aud values. An answer that names
// no client proves nothing and is refused. It returns the answer's
// fields, for the caller to read the user from. A 401 or 403 refuses the
// app's client credentials, not the token: a configuration error
// (ErrAuthFailed).
func (in introspector) check(ctx context.Context, client *http.Client, token string) (map[string]json.RawMessage, error) {
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if in.auth == clientSecretPost {
		form.Set("client_id", in.clientID)
		form.Set("client_secret", in.secret)
	} else {
		h.Set("Authorization", basicAuth(in.clientID, in.secret))
	}
	c := call{method: http.MethodPost, url: in.endpoint, header: h, body: strings.NewReader(form.Encode()),
		secrets: []string{token, in.secret}}
	var fields map[string]json.RawMessage
	if _, err := c.getJSON(ctx, client, &fields); err != nil {
		var pe *ProviderError
		if errors.As(err, &pe) && (pe.StatusCode == http.StatusUnauthorized || pe.StatusCode == http.StatusForbidden) {
			// RFC 7662 §2.3: the endpoint refused this app's credentials; an
			// unknown token is {"active": false}.
			return nil, fmt.Errorf("%w: %s: the introspection endpoint refused this app's client credentials (%d)", socialauth.ErrAuthFailed, hostOf(in.endpoint), pe.StatusCode)
		}
		return nil, err
	}
	var (
		active              flexBool
		clientID, tokenType string
	)
	_ = active.UnmarshalJSON(fields["active"])
	_ = json.Unmarshal(fields["client_id"], &clientID)
	_ = json.Unmarshal(fields["token_type"], &tokenType)
	switch {
	case !bool(active):
		return nil, fmt.Errorf("%w: %s says the token is not active", socialauth.ErrInvalidToken, in.backend)
	case strings.EqualFold(tokenType, "refresh_token"):
		return nil, fmt.Errorf("%w: a refresh token is not an access token", socialauth.ErrInvalidToken)
	}
	app, claim := clientID, "client_id"
	if in.clientInAud {
		var aud stringOrArray
		_ = aud.UnmarshalJSON(fields["aud"])
		app, claim = issuedTo("", aud, in.audiences), "aud"
	}
	if app == "" {
		return nil, fmt.Errorf("%w: %s's introspection answer does not name the client the token was issued to (%s)", socialauth.ErrInvalidToken, in.backend, claim)
	}
	if !slices.Contains(in.audiences, app) {
		return nil, fmt.Errorf("%w: the token was issued to another app (%s)", socialauth.ErrInvalidToken, claim)
	}
	return fields, nil
}

// verify is a Provider.Verify that introspects the token as the app s
// describes (Key and Secret), accepting tokens issued to Key or one of
// ClientIDs. It returns the token's sub for the backend to compare with
// the profile's uid.
func (in introspector) verify(s Settings) func(context.Context, *http.Client, string) (string, error) {
	in.clientID, in.secret, in.audiences = s.Key, s.Secret, s.audiences()
	return func(ctx context.Context, client *http.Client, token string) (string, error) {
		if s.Key == "" || s.Secret == "" {
			return "", fmt.Errorf("%w: %s needs its client id and secret to introspect tokens", socialauth.ErrAuthFailed, in.backend)
		}
		fields, err := in.check(ctx, client, token)
		if err != nil {
			return "", err
		}
		return idString(fields["sub"]), nil
	}
}

// introspectionAuth picks how to authenticate to an introspection endpoint
// that advertises methods (RFC 8414 §2,
// introspection_endpoint_auth_methods_supported): client_secret_basic when
// listed or when nothing is (RFC 6749 §2.3.1 makes servers support it for
// clients with a secret), else client_secret_post. An endpoint that takes
// neither (only private_key_jwt, tls_client_auth, ...) cannot be asked
// with a client secret: that is a configuration error, which names what
// the endpoint takes.
func introspectionAuth(backend string, methods []string) (clientAuth, error) {
	switch {
	case len(methods) == 0 || slices.Contains(methods, string(clientSecretBasic)):
		return clientSecretBasic, nil
	case slices.Contains(methods, string(clientSecretPost)):
		return clientSecretPost, nil
	}
	return "", fmt.Errorf("%w: %s: the introspection endpoint takes only %s, and this backend authenticates with client_secret_basic or client_secret_post; set Introspection to IntrospectNever to go without it",
		socialauth.ErrAuthFailed, backend, clip(strings.Join(methods, ", "), 120))
}

// introspect is an OIDC backend's access-token check (Provider.Verify of
// its userinfo path): introspection at the provider's endpoint with the
// app's client credentials, sent as the discovery document's
// introspection_endpoint_auth_methods_supported allows (introspectionAuth),
// when Introspection says so and the endpoint and secret are known. The
// answer must name one of ClientIDs as its client_id. It returns the introspection's
// value of the uid claim, which must equal the userinfo's ("" when it does
// not say).
func (o *OIDC) introspect(ctx context.Context, client *http.Client, token string) (string, error) {
	if o.cfg.Introspection == IntrospectNever {
		return "", nil
	}
	d, err := o.endpoints(ctx, client)
	if err != nil {
		return "", err
	}
	secret, err := o.ClientSecret()
	if err != nil {
		return "", err
	}
	if d.IntrospectionURL == "" || secret == "" || len(o.cfg.ClientIDs) == 0 {
		if o.cfg.Introspection == IntrospectRequired {
			return "", fmt.Errorf("%w: %s needs an introspection endpoint, its client id and secret to check access tokens", socialauth.ErrAuthFailed, o.cfg.Name)
		}
		return "", nil // audience not proven: see Doc
	}
	auth, err := introspectionAuth(o.cfg.Name, d.IntrospectionAuthMethods)
	if err != nil {
		return "", err
	}
	in := introspector{backend: o.cfg.Name, endpoint: d.IntrospectionURL, auth: auth, clientID: o.cfg.ClientIDs[0], secret: secret,
		audiences: o.cfg.ClientIDs}
	fields, err := in.check(ctx, client, token)
	if err != nil {
		return "", err
	}
	return idString(fields[o.keys.UID]), nil
}

// stringOrArray reads a JWT-style claim that is a string or an array of
// strings; anything else reads as no value.
type stringOrArray []string

func (a *stringOrArray) UnmarshalJSON(data []byte) error {
	var one string
	if json.Unmarshal(data, &one) == nil {
		*a = nil
		if one != "" {
			*a = stringOrArray{one}
		}
		return nil
	}
	var many []string
	if json.Unmarshal(data, &many) != nil {
		many = nil // neither: no audience, which is refused
	}
	*a = many
	return nil
}
