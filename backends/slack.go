package backends

import (
	"fmt"

	"github.com/go-socialauth/socialauth"
)

// Slack is the "slack" backend ("Sign in with Slack", users.identity).
//
// Settings: Key (the client id), Scope.
//
// Token check: none: Slack offers no introspection that names the client a
// user token was issued to (auth.test reports at most an app id, which is
// not the client id), so a token another Slack app obtained for the same
// user is accepted; the token is only as good as Slack's own refusal of
// unknown tokens. Slack answers HTTP 200 with {"ok": false} for a refused
// token, which is an error here, never a profile. The uid is user.id. The
// username is the email's local part (or the name) followed by
// "@<team name>", as PSA builds it. Slack does not say whether the email is
// verified, so EmailVerified is false.
func Slack(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "slack",
		AuthURL:     "https://slack.com/oauth/authorize",
		TokenURL:    "https://slack.com/api/oauth.access",
		Scopes:      append([]string{"identity.basic", "identity.email"}, s.Scope...),
		UserInfoURL: "https://slack.com/api/users.identity",
		User:        slackUser,
		Doc: Doc{ChecksAudience: false,
			TokenCheck:    "none: Slack offers no introspection naming a user token's client; {\"ok\": false} is refused",
			UID:           "user.id",
			EmailVerified: "never (Slack does not say)"},
	})
}

func slackUser(body []byte) (string, socialauth.Details, error) {
	var r struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
		User  struct {
			ID    string `json:"id"`
			Name  string `json:"name"`
			Email string `json:"email"`
		} `json:"user"`
		Team struct {
			Name string `json:"name"`
		} `json:"team"`
	}
	if err := decode(body, &r); err != nil {
		return "", socialauth.Details{}, err
	}
	if !r.OK {
		return "", socialauth.Details{}, slackError(r.Error)
	}
	username := localPart(r.User.Email)
	if username == "" {
		username = r.User.Name
	}
	if r.Team.Name != "" {
		username += "@" + r.Team.Name
	}
	return r.User.ID, socialauth.Details{Username: username, Email: r.User.Email, FullName: r.User.Name}, nil
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
