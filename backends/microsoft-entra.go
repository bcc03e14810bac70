package backends

import (
	"cmp"
	"net/url"
	"slices"
	"strings"

	"github.com/go-socialauth/socialauth"
)

// Microsoft Entra ID (Azure AD) plumbing shared by microsoft-graph and the
// azuread-* backends.

const entraAuthority = "https://login.microsoftonline.com"

// entraBase is {authority}/{tenant}: Settings.BaseURL is the authority
// (PSA's AUTHORITY_HOST, for national clouds), Settings.Tenant the tenant
// id or domain ("common" when empty, as in PSA).
func entraBase(s Settings) string {
	authority := strings.TrimRight(s.BaseURL, "/")
	if authority == "" {
		authority = entraAuthority
	}
	tenant := s.Tenant
	if tenant == "" {
		tenant = "common"
	}
	return authority + "/" + url.PathEscape(tenant)
}

// entraTenant is an azuread-*-tenant backend: version is "" (v1.0
// endpoints) or "/v2.0"; the token given to Authenticate is verified as
// the tenant's id_token, as PSA does, and the uid read from uidClaim.
func entraTenant(name, version, uidClaim string, s Settings) *OIDC {
	base := entraBase(s)
	v := "v1.0"
	if version != "" {
		v = strings.TrimPrefix(version, "/")
	}
	return NewOIDC(OIDCConfig{
		Name:                 name,
		DiscoveryURL:         base + version + "/.well-known/openid-configuration" + entraAppID(s),
		AuthURL:              base + "/oauth2" + version + "/authorize",
		TokenURL:             base + "/oauth2" + version + "/token",
		ClientIDs:            s.audiences(),
		Scopes:               append([]string{"openid", "profile", "email"}, s.Scope...),
		Algorithms:           []string{"RS256"},
		AccessTokenIsIDToken: true,
		User:                 entraUser(uidClaim, nil, s.audiences()),
		Doc: Doc{TokenCheck: "the token is verified as the tenant's id_token (" + v + "): JWKS, iss = tenant issuer, aud ∈ Key+ClientIDs, exp, iat ≤ 10 min; " + entraNotAccessToken,
			UID: uidClaim, EmailVerified: entraEmailVerified},
	})
}

// entraAppID is PSA's "?appid=" on the discovery URL: with it the JWKS
// also lists the keys of an app with its own signing key.
func entraAppID(s Settings) string {
	if s.Key == "" {
		return ""
	}
	return "?appid=" + url.QueryEscape(s.Key)
}

// entraEmailVerified says where an Entra email's verified flag comes from.
const entraEmailVerified = "only with the optional xms_edov claim true (Entra's email is mutable and unverified: nOAuth)"

// entraNotAccessToken is what Doc says of entraIDToken's check.
const entraNotAccessToken = "an access token (scp, idtyp=app, appidacr/azpacr, appid ∉ Key+ClientIDs) is refused"

// entraAccessClaims are the claims that only Entra's access tokens carry,
// never its id_tokens (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
// and .../id-token-claims-reference).
type entraAccessClaims struct {
	// SCP is the delegated scopes of a user's access token.
	SCP *string `json:"scp"`
	// IDTyp is the optional claim "app" (app-only token) or "user".
	IDTyp string `json:"idtyp"`
	// AppID (v1.0) names the client the access token was issued to; in
	// v2.0 it is azp, which every OIDC backend already requires to be one
	// of this app's client ids.
	AppID string `json:"appid"`
	// AppIDACR (v1.0) and AzpACR (v2.0) say how that client authenticated.
	AppIDACR *string `json:"appidacr"`
	AzpACR   *string `json:"azpacr"`
}

// entraIDToken refuses an Entra access token presented as an id_token. A
// v1.0 access token for an app exposed as an API has that app's client id
// as aud ("In v1.0 tokens, it can be the client ID or the resource URI")
// and the tenant's issuer, so it passes every id_token check; the client
// that obtained it, possibly another app, is named in appid, not azp. It
// is told apart by the claims only access tokens have: scp (a user's
// delegated scopes), idtyp "app", appidacr or azpacr, and appid. "roles"
// is not among them: Microsoft documents it in id_tokens too, as the app
// roles assigned to the user signing in.
func entraIDToken(body []byte, clientIDs []string) error {
	var c entraAccessClaims
	if err := decode(body, &c); err != nil {
		return err
	}
	switch {
	case c.SCP != nil:
		return invalid("is an access token (scp), not an id_token")
	case c.IDTyp == "app":
		return invalid("is an app-only access token (idtyp), not an id_token")
	case c.AppID != "" && !slices.Contains(clientIDs, c.AppID):
		return invalid("is an access token obtained by another app (appid)")
	case c.AppIDACR != nil || c.AzpACR != nil:
		return invalid("is an access token (appidacr/azpacr), not an id_token")
	}
	return nil
}

// entraUser maps Entra id_token claims with uid from the named claim
// ("oid" or "sub"), never the email or the UPN (nOAuth), after refusing
// an access token (entraIDToken) against clientIDs. The email counts
// as verified only with the optional claim xms_edov ("email domain owner
// verified").
func entraUser(uidClaim string, uid func(string) string, clientIDs []string) func([]byte) (string, socialauth.Details, error) {
	return func(body []byte) (string, socialauth.Details, error) {
		if err := entraIDToken(body, clientIDs); err != nil {
			return "", socialauth.Details{}, err
		}
		var c struct {
			Sub               string   `json:"sub"`
			OID               string   `json:"oid"`
			Name              string   `json:"name"`
			GivenName         string   `json:"given_name"`
			FamilyName        string   `json:"family_name"`
			PreferredUsername string   `json:"preferred_username"`
			UPN               string   `json:"upn"`
			UniqueName        string   `json:"unique_name"`
			Email             string   `json:"email"`
			EDOV              flexBool `json:"xms_edov"`
		}
		if err := decode(body, &c); err != nil {
			return "", socialauth.Details{}, err
		}
		id := c.Sub
		if uidClaim == "oid" {
			id = c.OID
		}
		if uid != nil {
			id = uid(id)
		}
		login := cmp.Or(c.PreferredUsername, c.UPN, c.UniqueName)
		return id, socialauth.Details{
			Username:      localPart(login),
			Email:         c.Email,
			EmailVerified: c.Email != "" && bool(c.EDOV),
			FullName:      c.Name, FirstName: c.GivenName, LastName: c.FamilyName,
		}, nil
	}
}
