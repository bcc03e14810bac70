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

// introspector asks one provider's introspection endpoint.
type introspector struct {
	backend  string // names the backend in error texts
	endpoint string
	// clientID and secret authenticate the app: HTTP Basic when basic
	// (client_secret_basic), else in the form (client_secret_post).
	clientID, secret string
	basic            bool
	// audiences are the client ids a token may have been issued to.
	audiences []string
}

// check asks about token: it must be active, not a refresh token, and
// issued to one of the audiences, which must not be empty (its client_id
// when the answer has one, else one of its aud values). It returns the answer's fields, for the
// caller to read the user from. A 401 or 403 refuses the app's client
// credentials, not the token: a configuration error (ErrAuthFailed).
func (in introspector) check(ctx context.Context, client *http.Client, token string) (map[string]json.RawMessage, error) {
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if in.basic {
		h.Set("Authorization", basicAuth(in.clientID, in.secret))
	} else {
		form.Set("client_id", in.clientID)
		form.Set("client_secret", in.secret)
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
		aud                 stringOrArray
		clientID, tokenType string
	)
	_ = active.UnmarshalJSON(fields["active"])
	_ = aud.UnmarshalJSON(fields["aud"])
	_ = json.Unmarshal(fields["client_id"], &clientID)
	_ = json.Unmarshal(fields["token_type"], &tokenType)
	switch {
	case !bool(active):
		return nil, fmt.Errorf("%w: %s says the token is not active", socialauth.ErrInvalidToken, in.backend)
	case strings.EqualFold(tokenType, "refresh_token"):
		return nil, fmt.Errorf("%w: a refresh token is not an access token", socialauth.ErrInvalidToken)
	}
	app, claim := clientID, "client_id"
	if app == "" {
		app, claim = issuedTo("", aud, in.audiences), "aud"
	}
	if app == "" || !slices.Contains(in.audiences, app) {
		return nil, fmt.Errorf("%w: the token was issued to another app (%s)", socialauth.ErrInvalidToken, claim)
	}
	return fields, nil
}

// introspectionCheck is a Provider.Verify that introspects the token at
// endpoint as the app s describes (Key and Secret; HTTP Basic when basic,
// else in the form), accepting tokens issued to Key or one of ClientIDs.
// It returns the token's sub for the backend to compare with the
// profile's uid.
func introspectionCheck(backend, endpoint string, s Settings, basic bool) func(context.Context, *http.Client, string) (string, error) {
	in := introspector{backend: backend, endpoint: endpoint, clientID: s.Key, secret: s.Secret, basic: basic, audiences: s.audiences()}
	return func(ctx context.Context, client *http.Client, token string) (string, error) {
		if s.Key == "" || s.Secret == "" {
			return "", fmt.Errorf("%w: %s needs its client id and secret to introspect tokens", socialauth.ErrAuthFailed, backend)
		}
		fields, err := in.check(ctx, client, token)
		if err != nil {
			return "", err
		}
		return idString(fields["sub"]), nil
	}
}

// introspect is an OIDC backend's access-token check (Provider.Verify of
// its userinfo path): introspection at the provider's endpoint with the
// app's client credentials (client_secret_basic), when Introspection says
// so and the endpoint and secret are known. It returns the introspection's
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
	in := introspector{backend: o.cfg.Name, endpoint: d.IntrospectionURL, clientID: o.cfg.ClientIDs[0], secret: secret,
		basic: true, audiences: o.cfg.ClientIDs}
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
