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

// introspect is the access-token path's audience check (Provider.Verify of
// the userinfo path): RFC 7662 token introspection with the app's client
// credentials (client_secret_basic). The token must be active and issued
// to one of this app's client ids (client_id, or aud when the provider
// gives no client_id). It returns the introspection's value of the uid
// claim, which must equal the userinfo's ("" when it does not say).
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
	id := o.cfg.ClientIDs[0]
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	c := call{method: http.MethodPost, url: d.IntrospectionURL,
		header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": {basicAuth(id, secret)}},
		body:   strings.NewReader(form.Encode()), secrets: []string{token, secret}}
	var out map[string]json.RawMessage
	if _, err := c.getJSON(ctx, client, &out); err != nil {
		var pe *socialauth.ProviderError
		if errors.As(err, &pe) && (pe.StatusCode == http.StatusUnauthorized || pe.StatusCode == http.StatusForbidden) {
			// The endpoint refused this app, not the user's token.
			return "", fmt.Errorf("%w: %s: the introspection endpoint refused this app's client credentials (%d)", socialauth.ErrAuthFailed, hostOf(d.IntrospectionURL), pe.StatusCode)
		}
		return "", err
	}
	var active flexBool
	if raw, ok := out["active"]; ok {
		_ = active.UnmarshalJSON(raw)
	}
	if !active {
		return "", fmt.Errorf("%w: the provider says the access token is not active", socialauth.ErrInvalidToken)
	}
	var tokenType, clientID string
	_ = json.Unmarshal(out["token_type"], &tokenType)
	_ = json.Unmarshal(out["client_id"], &clientID)
	if strings.EqualFold(tokenType, "refresh_token") {
		return "", fmt.Errorf("%w: a refresh token is not an access token", socialauth.ErrInvalidToken)
	}
	switch aud := audienceOf(out["aud"]); {
	case clientID != "":
		if !slices.Contains(o.cfg.ClientIDs, clientID) {
			return "", fmt.Errorf("%w: the access token was issued to another app (client_id)", socialauth.ErrInvalidToken)
		}
	case slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(o.cfg.ClientIDs, a) }):
	default:
		return "", fmt.Errorf("%w: the introspection does not say the access token was issued to this app", socialauth.ErrInvalidToken)
	}
	return idString(out[o.keys.UID]), nil
}

// audienceOf reads a JWT-style audience: a string or an array of strings.
func audienceOf(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if one == "" {
			return nil
		}
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}
