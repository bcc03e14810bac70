package backends

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-socialauth/socialauth"
)

// groupBConstructors is the constructor table of provider group B.
func groupBConstructors() map[string]constructor {
	return map[string]constructor{
		"atlassian":         {build: func(s Settings) socialauth.Backend { return Atlassian(s) }},
		"box":               {build: func(s Settings) socialauth.Backend { return Box(s) }},
		"coinbase":          {build: func(s Settings) socialauth.Backend { return Coinbase(s) }},
		"digitalocean":      {build: func(s Settings) socialauth.Backend { return DigitalOcean(s) }},
		"gitea":             {build: func(s Settings) socialauth.Backend { return Gitea(s) }, requires: []string{"SECRET"}},
		"kakao":             {build: func(s Settings) socialauth.Backend { return Kakao(s) }, requires: []string{"AUDIENCE"}},
		"line":              {build: func(s Settings) socialauth.Backend { return Line(s) }},
		"mailru":            {build: func(s Settings) socialauth.Backend { return Mailru(s) }},
		"naver":             {build: func(s Settings) socialauth.Backend { return Naver(s) }},
		"patreon":           {build: func(s Settings) socialauth.Backend { return Patreon(s) }},
		"paypal-oauth2":     {build: func(s Settings) socialauth.Backend { return PayPalOAuth2(s) }},
		"salesforce-oauth2": {build: func(s Settings) socialauth.Backend { return SalesforceOAuth2(s) }, requires: []string{"SECRET"}},
		"strava":            {build: func(s Settings) socialauth.Backend { return Strava(s) }},
		"twitter-oauth2":    {build: func(s Settings) socialauth.Backend { return TwitterOAuth2(s) }},
		"yahoo-oauth2":      {build: func(s Settings) socialauth.Backend { return YahooOAuth2(s) }},
		"zoom-oauth2":       {build: func(s Settings) socialauth.Backend { return ZoomOAuth2(s) }},
	}
}

// siteURL is s.BaseURL without its trailing slashes, or def when it is empty:
// the address of a self-hosted or regional provider.
func siteURL(s Settings, def string) string {
	if s.BaseURL == "" {
		return def
	}
	return strings.TrimRight(s.BaseURL, "/")
}

// introspection is an RFC 7662 token introspection answer.
type introspection struct {
	Active   bool          `json:"active"`
	ClientID string        `json:"client_id"`
	Aud      stringOrArray `json:"aud"`
	Sub      string        `json:"sub"`
}

// stringOrArray reads a JWT-style claim that is a string or an array of strings.
type stringOrArray []string

func (a *stringOrArray) UnmarshalJSON(data []byte) error {
	var one string
	if json.Unmarshal(data, &one) == nil {
		*a = stringOrArray{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		*a = nil // neither: no audience, which is refused
		return nil
	}
	*a = many
	return nil
}

// introspectionCheck is a Provider.Verify that asks an RFC 7662 endpoint
// about the token, authenticating as the app with its client id and secret
// (HTTP Basic when basic, else in the form). The token must be active and
// issued to one of s's audiences: its client_id when the answer has one,
// else one of its aud values. It returns the token's sub for the backend to
// compare with the profile's uid.
func introspectionCheck(backend, endpoint string, s Settings, basic bool) func(context.Context, *http.Client, string) (string, error) {
	aud := s.audiences()
	return func(ctx context.Context, client *http.Client, token string) (string, error) {
		if s.Key == "" || s.Secret == "" {
			return "", fmt.Errorf("%w: %s needs its client id and secret to introspect tokens", socialauth.ErrAuthFailed, backend)
		}
		form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
		h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		if basic {
			h.Set("Authorization", basicAuth(s.Key, s.Secret))
		} else {
			form.Set("client_id", s.Key)
			form.Set("client_secret", s.Secret)
		}
		c := call{method: http.MethodPost, url: endpoint, header: h, body: strings.NewReader(form.Encode()),
			secrets: []string{token, s.Secret}}
		var in introspection
		if _, err := c.getJSON(ctx, client, &in); err != nil {
			return "", err
		}
		if !in.Active {
			return "", fmt.Errorf("%w: %s says the token is not active", socialauth.ErrInvalidToken, backend)
		}
		if err := checkApp(backend, issuedTo(in.ClientID, in.Aud, aud), aud); err != nil {
			return "", err
		}
		return in.Sub, nil
	}
}

// oidcUser maps the standard claims of an OpenID Connect userinfo answer
// (OIDC Core §5.1): the uid is "sub", the username preferred_username (else
// nickname), and the email is verified only when email_verified says so.
func oidcUser(body []byte) (string, socialauth.Details, error) {
	var u struct {
		Sub               string   `json:"sub"`
		PreferredUsername string   `json:"preferred_username"`
		Nickname          string   `json:"nickname"`
		Email             string   `json:"email"`
		EmailVerified     flexBool `json:"email_verified"`
		Name              string   `json:"name"`
		GivenName         string   `json:"given_name"`
		FamilyName        string   `json:"family_name"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	username := u.PreferredUsername
	if username == "" {
		username = u.Nickname
	}
	return u.Sub, socialauth.Details{
		Username: username, Email: u.Email, EmailVerified: u.Email != "" && bool(u.EmailVerified),
		FullName: u.Name, FirstName: u.GivenName, LastName: u.FamilyName,
	}, nil
}

// lastSegment is what follows the last '/' of s (all of s when there is none).
func lastSegment(s string) string {
	return s[strings.LastIndexByte(s, '/')+1:]
}
