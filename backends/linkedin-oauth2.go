package backends

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-socialauth/socialauth"
)

const linkedinIntrospect = "https://www.linkedin.com/oauth/v2/introspectToken"

// LinkedInOAuth2 is the "linkedin-oauth2" backend (LinkedIn's v2 /me API
// with the r_liteprofile scope; LinkedIn has since moved new apps to OpenID
// Connect, PSA's "linkedin-openidconnect").
//
// Settings: Key (the client id), Secret (required), Scope, ClientIDs
// (further client ids whose tokens are accepted).
//
// Token check: POST /oauth/v2/introspectToken with the app's credentials
// must say the token is active, a member (3-legged) token, and issued to one
// of Key and ClientIDs; it runs concurrently with /v2/me. It names no member,
// so there is no user cross-check. The uid is the member "id". The username
// is first and last name joined, as PSA builds it. The email needs another
// scope and call, which this backend does not make: no email.
func LinkedInOAuth2(s Settings) *OAuth2 {
	aud := s.audiences()
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "linkedin-oauth2",
		AuthURL:     "https://www.linkedin.com/oauth/v2/authorization",
		TokenURL:    "https://www.linkedin.com/oauth/v2/accessToken",
		Scopes:      append([]string{"r_liteprofile"}, s.Scope...),
		UserInfoURL: "https://api.linkedin.com/v2/me?projection=(firstName,id,lastName)",
		User:        linkedinUser,
		Verify: func(ctx context.Context, client *http.Client, token string) (string, error) {
			if s.Key == "" || s.Secret == "" {
				return "", fmt.Errorf("%w: linkedin-oauth2 needs its client id and secret to check tokens", socialauth.ErrAuthFailed)
			}
			form := url.Values{"client_id": {s.Key}, "client_secret": {s.Secret}, "token": {token}}
			var ti struct {
				Active   bool   `json:"active"`
				Status   string `json:"status"`
				ClientID string `json:"client_id"`
				AuthType string `json:"auth_type"`
			}
			c := call{method: http.MethodPost, url: linkedinIntrospect, body: strings.NewReader(form.Encode()),
				header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, secrets: []string{token, s.Secret}}
			if _, err := c.getJSON(ctx, client, &ti); err != nil {
				return "", err
			}
			switch {
			case !ti.Active || (ti.Status != "" && ti.Status != "active"):
				return "", fmt.Errorf("%w: linkedin says the token is not active", socialauth.ErrInvalidToken)
			case ti.AuthType == "2L":
				return "", fmt.Errorf("%w: the token belongs to no member", socialauth.ErrInvalidToken)
			}
			return "", checkApp("linkedin-oauth2", ti.ClientID, aud)
		},
		Doc: Doc{ChecksAudience: true,
			TokenCheck:    "POST /oauth/v2/introspectToken with the app's credentials: active, 3-legged, client_id ∈ Key+ClientIDs",
			UID:           "id",
			EmailVerified: "never (no email is fetched)"},
	})
}

// linkedinName is a multi-locale name of LinkedIn's v2 API.
type linkedinName struct {
	Localized       map[string]string `json:"localized"`
	PreferredLocale struct {
		Country  string `json:"country"`
		Language string `json:"language"`
	} `json:"preferredLocale"`
}

// preferred is the name in the member's preferred locale, or fallback.
func (n linkedinName) preferred(fallback string) string {
	if v := n.Localized[n.PreferredLocale.Language+"_"+n.PreferredLocale.Country]; v != "" {
		return v
	}
	return fallback
}

func linkedinUser(body []byte) (string, socialauth.Details, error) {
	var u struct {
		ID                 string       `json:"id"`
		FirstName          linkedinName `json:"firstName"`
		LastName           linkedinName `json:"lastName"`
		LocalizedFirstName string       `json:"localizedFirstName"`
		LocalizedLastName  string       `json:"localizedLastName"`
	}
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	first, last := u.FirstName.preferred(u.LocalizedFirstName), u.LastName.preferred(u.LocalizedLastName)
	return u.ID, socialauth.Details{Username: first + last, FirstName: first, LastName: last}, nil
}
