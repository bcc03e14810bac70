package backends

import (
	"cmp"
	"net/url"
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
		User:                 entraUser(uidClaim, nil),
		Doc: Doc{TokenCheck: "the token is verified as the tenant's id_token (" + v + "): JWKS, iss = tenant issuer, aud ∈ Key+ClientIDs, exp, iat ≤ 10 min",
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

// entraUser maps Entra id_token claims with uid from the named claim
// ("oid" or "sub"), never the email or the UPN (nOAuth). The email counts
// as verified only with the optional claim xms_edov ("email domain owner
// verified").
func entraUser(uidClaim string, uid func(string) string) func([]byte) (string, socialauth.Details, error) {
	return func(body []byte) (string, socialauth.Details, error) {
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
