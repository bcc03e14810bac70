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
// Token check: LinkedIn's token introspection (see linkedinTokenCheck): the
// token must be active, a member's three-legged token (auth_type "3L"), and
// issued to one of Key and ClientIDs; it runs concurrently with /v2/me. It
// names no member, so there is no user cross-check. The uid is the member
// "id". The username is first and last name joined, as PSA builds it. The
// email needs another scope and call, which this backend does not make: no
// email.
//
// LinkedIn's documentation: https://learn.microsoft.com/en-us/linkedin/shared/authentication/token-introspection,
// https://learn.microsoft.com/en-us/linkedin/shared/integrations/people/profile-api.
func LinkedInOAuth2(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "linkedin-oauth2",
		AuthURL:     "https://www.linkedin.com/oauth/v2/authorization",
		TokenURL:    "https://www.linkedin.com/oauth/v2/accessToken",
		Scopes:      append([]string{"r_liteprofile"}, s.Scope...),
		UserInfoURL: "https://api.linkedin.com/v2/me?projection=(firstName,id,lastName,profilePicture(displayImage~:playableStreams))",
		User:        mapJSON[linkedinUser],
		Verify:      linkedinTokenCheck("linkedin-oauth2", s),
		Doc: Doc{ChecksAudience: true,
			TokenCheck:    linkedinTokenCheckDoc,
			UID:           "id",
			EmailVerified: "never (no email is fetched)"},
	})
}

// linkedinTokenCheckDoc is what Doc says of linkedinTokenCheck.
const linkedinTokenCheckDoc = "POST /oauth/v2/introspectToken with the app's credentials: active, auth_type 3L (a member's), client_id ∈ Key+ClientIDs"

// linkedinTokenCheck is the access-token check of both LinkedIn backends,
// as a Provider.Verify: LinkedIn's token introspection (POST
// /oauth/v2/introspectToken, the app's client id and secret in the form)
// must say the token is active, that it is a member's three-legged token
// (auth_type "3L": not an app's two-legged token, nor an enterprise one),
// and that its client_id is Key or one of ClientIDs. LinkedIn's answer
// names no member, so the check returns no uid.
func linkedinTokenCheck(backend string, s Settings) func(context.Context, *http.Client, string) (string, error) {
	aud := s.audiences()
	return func(ctx context.Context, client *http.Client, token string) (string, error) {
		if s.Key == "" || s.Secret == "" {
			return "", fmt.Errorf("%w: %s needs its client id and secret to check tokens", socialauth.ErrAuthFailed, backend)
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
		case ti.AuthType != "3L":
			return "", fmt.Errorf("%w: the token is not a member's three-legged token", socialauth.ErrInvalidToken)
		}
		return "", checkApp(backend, ti.ClientID, aud)
	}
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

type linkedinUser struct {
	ID                 string       `json:"id"`
	FirstName          linkedinName `json:"firstName"`
	LastName           linkedinName `json:"lastName"`
	LocalizedFirstName string       `json:"localizedFirstName"`
	LocalizedLastName  string       `json:"localizedLastName"`
	ProfilePicture     struct {
		// DisplayImage holds the picture's sizes, smallest first.
		DisplayImage struct {
			Elements []struct {
				Identifiers []struct {
					Identifier string `json:"identifier"`
				} `json:"identifiers"`
			} `json:"elements"`
		} `json:"displayImage~"`
	} `json:"profilePicture"`
}

func (u linkedinUser) user() (string, socialauth.Details, error) {
	first, last := u.FirstName.preferred(u.LocalizedFirstName), u.LastName.preferred(u.LocalizedLastName)
	var picture string
	if els := u.ProfilePicture.DisplayImage.Elements; len(els) > 0 && len(els[len(els)-1].Identifiers) > 0 {
		picture = els[len(els)-1].Identifiers[0].Identifier // the largest
	}
	return u.ID, socialauth.Details{Username: first + last, FirstName: first, LastName: last, AvatarURL: pictureURL(picture)}, nil
}
