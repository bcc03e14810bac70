package backends

import (
	"encoding/json"
	"strings"

	"github.com/go-socialauth/socialauth"
)

const graphMe = "https://graph.microsoft.com/v1.0/me"

// MicrosoftGraph is the "microsoft-graph" backend (Microsoft accounts and
// Entra ID work or school accounts through Microsoft Graph).
//
// Settings: Key (the app's client id), ClientIDs (further client ids whose
// id_tokens are accepted), Tenant ("common" when empty; "organizations",
// "consumers", or one tenant's id or domain), BaseURL (the authority,
// https://login.microsoftonline.com by default), Scope.
//
// Token check. An access token (Authenticate) is sent to Graph's /me, as PSA
// does; but a Graph access token is issued for Graph's audience, not this
// app's, and Graph offers no way to tell which app holds it, so the
// audience is NOT proven: any Graph token of the user, obtained by any app,
// logs them in. Prefer the id_token (AuthenticateIDToken), which is verified:
// Entra's JWKS from the tenant's v2.0 discovery document (RS256), iss the
// tenant's issuer ("{tenantid}" replaced by the token's tid for the
// multi-tenant endpoints), aud one of Key and ClientIDs, azp (when present)
// too, exp, iat within 10 minutes, and the nonce when one is given; an
// access token of the same issuer and audience (an API's token, with scp,
// idtyp=app, appidacr/azpacr or another app's appid) is refused
// (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
//
// The uid is Graph's "id", which is the id_token's "oid" (for personal
// accounts, whose oid reads 00000000-0000-0000-XXXX-XXXXXXXXXXXX, the
// sixteen hex digits Graph shows as the id), never the email or the UPN:
// Entra lets users and admins change them (nOAuth). The email is never
// marked verified, except in an id_token with the optional claim xms_edov.
func MicrosoftGraph(s Settings) *OAuth2IDToken {
	base := entraBase(s)
	return NewOAuth2IDToken(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        "microsoft-graph",
		AuthURL:     base + "/oauth2/v2.0/authorize",
		TokenURL:    base + "/oauth2/v2.0/token",
		Scopes:      append([]string{"openid", "profile", "email", "User.Read"}, s.Scope...),
		UserInfoURL: graphMe,
		User:        mapJSON[graphUser],
		Doc: Doc{ChecksAudience: false,
			TokenCheck:    "access token: Graph /me only, audience NOT provable (Graph tokens are Graph's); send the id_token",
			UID:           "id (Graph) = oid (id_token)",
			EmailVerified: "never from Graph; id_token: " + entraEmailVerified},
	}, OIDCConfig{
		DiscoveryURL: base + "/v2.0/.well-known/openid-configuration",
		ClientIDs:    s.audiences(),
		Algorithms:   []string{"RS256"},
		User:         entraUser("oid", graphID, s.audiences()),
	})
}

type graphUser struct {
	ID                json.RawMessage `json:"id"`
	UserPrincipalName string          `json:"userPrincipalName"`
	Mail              string          `json:"mail"`
	DisplayName       string          `json:"displayName"`
	GivenName         string          `json:"givenName"`
	Surname           string          `json:"surname"`
}

func (u graphUser) user() (string, socialauth.Details, error) {
	email := u.Mail
	if email == "" && strings.Contains(u.UserPrincipalName, "@") {
		email = u.UserPrincipalName // PSA's fallback; unverified either way
	}
	return idString(u.ID), socialauth.Details{
		Username: localPart(u.UserPrincipalName), Email: email,
		FullName: u.DisplayName, FirstName: u.GivenName, LastName: u.Surname,
	}, nil
}

// msaOIDPrefix starts the oid of a personal Microsoft account, whose last
// sixteen hex digits are the id Graph shows.
const msaOIDPrefix = "00000000-0000-0000-"

// graphID turns an id_token's oid into the id Graph's /me answers.
func graphID(oid string) string {
	rest, ok := strings.CutPrefix(strings.ToLower(oid), msaOIDPrefix)
	if !ok || len(rest) != 17 || rest[4] != '-' {
		return oid
	}
	return rest[:4] + rest[5:]
}
