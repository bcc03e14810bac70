package backends

import (
	"github.com/go-socialauth/socialauth"
)

// Atlassian is the "atlassian" backend (Atlassian Cloud OAuth 2.0 "3LO"
// apps). The browser flow must add audience=api.atlassian.com and
// prompt=consent to the authorization request.
//
// Settings: Key (the client id), Secret, Scope.
//
// Token check: none. Atlassian offers no introspection for 3LO tokens, so a
// token issued to another app that this user authorized is accepted; only
// Atlassian's own refusal of unknown or expired tokens protects the exchange.
// The uid is "account_id" of GET https://api.atlassian.com/me (the same
// accountId PSA reads from Jira's /myself, without needing a Jira site). The
// email is never marked verified: Atlassian's documented /me has no
// email_verified (nor any other statement about the email).
//
// Atlassian's documentation: https://developer.atlassian.com/cloud/oauth/getting-started/faq
// (the User Identity API), https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/.
func Atlassian(s Settings) *OAuth2 {
	return NewOAuth2(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "atlassian",
		AuthURL:     "https://auth.atlassian.com/authorize",
		TokenURL:    "https://auth.atlassian.com/oauth/token",
		Scopes:      append([]string{"read:me"}, s.Scope...),
		UserInfoURL: "https://api.atlassian.com/me",
		User:        mapJSON[atlassianUser],
		Doc: Doc{TokenCheck: "none: Atlassian offers no introspection for 3LO tokens; another app's token for the same user is accepted",
			UID: "account_id", EmailVerified: "never (Atlassian's /me documents no email verification)"},
	})
}

type atlassianUser struct {
	AccountID string `json:"account_id"`
	Email     string `json:"email"`
	Name      string `json:"name"`
	Nickname  string `json:"nickname"`
	Picture   string `json:"picture"`
}

func (u atlassianUser) user() (string, socialauth.Details, error) {
	username := u.Nickname
	if username == "" {
		username = localPart(u.Email)
	}
	return u.AccountID, socialauth.Details{
		Username: username, Email: u.Email, FullName: u.Name,
		AvatarURL: pictureURL(u.Picture),
	}, nil
}
