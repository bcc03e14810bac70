package backends

import (
	"cmp"
	"context"
	"fmt"
	"net/http"

	"github.com/go-socialauth/socialauth"
)

// Sign in with Slack, as Slack documents it: OpenID Connect with the issuer
// https://slack.com (https://docs.slack.dev/authentication/sign-in-with-slack/).
const (
	slackIssuer   = "https://slack.com"
	slackUserInfo = "https://slack.com/api/openid.connect.userInfo"
)

// Slack is the "slack" backend: Sign in with Slack, which is OpenID Connect
// (https://docs.slack.dev/authentication/sign-in-with-slack/). The older
// "Sign in with Slack" that PSA's backend speaks (identity.* scopes and
// users.identity) is retired: new Slack apps cannot use it.
//
// Settings: Key (the app's client id), ClientIDs (further client ids whose
// id_tokens are accepted), Scope (added to openid, email and profile).
//
// Token check. An id_token (AuthenticateIDToken) is verified against
// Slack's JWKS (https://slack.com/openid/connect/keys, RS256): iss
// https://slack.com, aud one of Key and ClientIDs (Slack documents aud as
// the client id: https://docs.slack.dev/reference/methods/openid.connect.token),
// exp, iat within 10 minutes, and the nonce when one is given. An access
// token (Authenticate) is sent, as a Bearer header, to
// openid.connect.userInfo (POST, as that method's page documents:
// https://docs.slack.dev/reference/methods/openid.connect.userInfo); Slack
// offers no introspection that names the app an access token was issued
// to, so another Slack app's token for the same user is accepted: prefer
// the id_token. Slack answers HTTP 200 with {"ok": false} for a refused
// token, which is an error here, never a profile.
//
// The uid is "sub", the Slack user id (its userinfo example shows sub equal
// to https://slack.com/user_id), the same id PSA's backend stores from
// users.identity, so associations carry over. The username is the email's
// local part (or the name) followed by "@<team name>"
// (https://slack.com/team_name), as PSA builds it. The email counts as
// verified when email_verified says so. The picture is "picture", or the
// largest https://slack.com/user_image_*.
func Slack(s Settings) *OAuth2IDToken {
	return NewOAuth2IDToken(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:     "slack",
		AuthURL:  "https://slack.com/openid/connect/authorize",
		TokenURL: "https://slack.com/api/openid.connect.token",
		Scopes:   append([]string{"openid", "email", "profile"}, s.Scope...),
		UserInfo: func(ctx context.Context, client *http.Client, token string) (*socialauth.Profile, error) {
			c := call{method: http.MethodPost, url: slackUserInfo, header: bearer(token), secrets: []string{token}}
			return c.profile(ctx, client, mapJSON[slackClaims])
		},
		Doc: Doc{ChecksAudience: false,
			TokenCheck:    "none: Slack offers no introspection naming an access token's app (openid.connect.userInfo; {\"ok\": false} is refused); send the id_token",
			UID:           "sub (the Slack user id)",
			EmailVerified: "email_verified"},
	}, OIDCConfig{
		Issuer:     slackIssuer,
		JWKSURL:    "https://slack.com/openid/connect/keys",
		ClientIDs:  s.audiences(),
		Algorithms: []string{"RS256"},
		User:       mapJSON[slackClaims],
	})
}

// slackClaims are Sign in with Slack's claims: an id_token's, or the
// openid.connect.userInfo answer (which adds "ok" and, when refused, "error").
type slackClaims struct {
	OK            *bool    `json:"ok"`
	Error         string   `json:"error"`
	Sub           string   `json:"sub"`
	Email         string   `json:"email"`
	EmailVerified flexBool `json:"email_verified"`
	Name          string   `json:"name"`
	GivenName     string   `json:"given_name"`
	FamilyName    string   `json:"family_name"`
	Picture       string   `json:"picture"`
	TeamName      string   `json:"https://slack.com/team_name"`
	Image512      string   `json:"https://slack.com/user_image_512"`
	Image192      string   `json:"https://slack.com/user_image_192"`
	Image72       string   `json:"https://slack.com/user_image_72"`
}

func (c slackClaims) user() (string, socialauth.Details, error) {
	if c.OK != nil && !*c.OK {
		return "", socialauth.Details{}, slackError(c.Error)
	}
	username := localPart(c.Email)
	if username == "" {
		username = c.Name
	}
	if c.TeamName != "" {
		username += "@" + c.TeamName
	}
	return c.Sub, socialauth.Details{Username: username, Email: c.Email, EmailVerified: c.Email != "" && bool(c.EmailVerified),
		FullName: c.Name, FirstName: c.GivenName, LastName: c.FamilyName,
		AvatarURL: pictureURL(cmp.Or(c.Picture, c.Image512, c.Image192, c.Image72))}, nil
}

// slackError maps the error code of a Slack Web API answer with "ok": false.
func slackError(code string) error {
	var kind error
	switch code {
	case "not_authed", "invalid_auth", "account_inactive", "token_revoked", "token_expired", "missing_scope", "no_permission":
		kind = socialauth.ErrInvalidToken
	case "ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout":
		kind = socialauth.ErrProviderUnavailable
	default:
		kind = socialauth.ErrAuthFailed
	}
	return fmt.Errorf("%w: slack answered %q", kind, clip(code, 64))
}
