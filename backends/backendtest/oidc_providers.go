package backendtest

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"

	"github.com/go-socialauth/socialauth/backends"
)

// Where the fake OpenID provider of each OpenID Connect backend lives, and
// what it puts in tokens beside the standard claims.

// fakeTenant is the tid of the fake Entra tenant when Settings.Tenant does
// not name one by id.
const fakeTenant = "6f3b0c3e-2b1a-4f5e-9c8d-1a2b3c4d5e6f"

var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// oidcSpecFor says where backend name's fake OpenID provider lives for
// settings s, and what it puts in tokens.
func oidcSpecFor(name string, s backends.Settings) (issuerSpec, bool) {
	generic := func(issuer string) issuerSpec {
		base := strings.TrimRight(issuer, "/")
		return issuerSpec{issuer: issuer, discovery: base + "/.well-known/openid-configuration",
			jwks: base + "/jwks", userinfo: base + "/userinfo", token: base + "/token", authorize: base + "/authorize"}
	}
	switch name {
	case "oidc":
		return generic(s.BaseURL), true
	case "keycloak":
		realm := strings.TrimRight(s.BaseURL, "/")
		p := realm + "/protocol/openid-connect"
		return issuerSpec{issuer: realm, discovery: realm + "/.well-known/openid-configuration", jwks: p + "/certs",
			userinfo: p + "/userinfo", introspect: p + "/token/introspect", token: p + "/token", authorize: p + "/auth",
			introspection: true}, true
	case "okta-openidconnect":
		iss := strings.TrimSuffix(strings.TrimRight(s.BaseURL, "/"), "/oauth2")
		api := iss
		if !strings.Contains(iss, "/oauth2/") {
			api = iss + "/oauth2" // the org authorization server
		}
		return issuerSpec{issuer: iss, discovery: iss + "/.well-known/openid-configuration", jwks: api + "/v1/keys",
			userinfo: api + "/v1/userinfo", introspect: api + "/v1/introspect", token: api + "/v1/token", authorize: api + "/v1/authorize",
			introspection: true}, true
	case "auth0":
		d := s.Domain
		if u, err := url.Parse(d); err == nil && u.Host != "" {
			d = u.Host
		}
		base := "https://" + strings.Trim(d, "/")
		return issuerSpec{issuer: base + "/", discovery: base + "/.well-known/openid-configuration", jwks: base + "/.well-known/jwks.json",
			userinfo: base + "/userinfo", token: base + "/oauth/token", authorize: base + "/authorize",
			claims: func(c map[string]any, _ backends.Settings, id Identity) { c["nickname"] = id.Username }}, true
	case "linkedin-openidconnect":
		return issuerSpec{issuer: "https://www.linkedin.com/oauth", discovery: "https://www.linkedin.com/oauth/.well-known/openid-configuration",
			jwks: "https://www.linkedin.com/oauth/openid/jwks", userinfo: "https://api.linkedin.com/v2/userinfo",
			token: "https://www.linkedin.com/oauth/v2/accessToken", authorize: "https://www.linkedin.com/oauth/v2/authorization"}, true
	case "dropbox-oauth2":
		// The access tokens are the route fake's (userinfo.go); the issuer
		// signs id_tokens with Dropbox's documented claims.
		return issuerSpec{issuer: "https://www.dropbox.com", discovery: "https://www.dropbox.com/.well-known/openid-configuration",
			jwks: "https://www.dropbox.com/.well-known/jwks", token: "https://api.dropboxapi.com/oauth2/token",
			authorize: "https://www.dropbox.com/oauth2/authorize",
			claims: func(c map[string]any, _ backends.Settings, _ Identity) {
				delete(c, "name")
				delete(c, "preferred_username")
				delete(c, "picture")
			}}, true
	case "yahoo-oauth2":
		return issuerSpec{issuer: "https://api.login.yahoo.com", discovery: "https://api.login.yahoo.com/.well-known/openid-configuration",
			jwks: "https://api.login.yahoo.com/openid/v1/certs", token: "https://api.login.yahoo.com/oauth2/get_token",
			authorize: "https://api.login.yahoo.com/oauth2/request_auth",
			claims: func(c map[string]any, _ backends.Settings, id Identity) {
				delete(c, "preferred_username")
				c["nickname"] = id.Username
			}}, true
	case "apple-id":
		return issuerSpec{issuer: "https://appleid.apple.com", jwks: "https://appleid.apple.com/auth/keys", accessJWT: true,
			claims: func(c map[string]any, _ backends.Settings, id Identity) {
				delete(c, "name")
				delete(c, "given_name")
				delete(c, "family_name")
				delete(c, "preferred_username")
				delete(c, "picture") // Apple has no picture
				if id.Email != "" {
					// Apple sends these booleans as strings.
					c["email_verified"] = boolString(id.EmailVerified)
					c["is_private_email"] = boolString(strings.HasSuffix(id.Email, "@privaterelay.appleid.com"))
				}
				c["nonce_supported"] = true
			}}, true
	case "slack": // id_tokens only: access tokens go to fakeSlack's userinfo, a POST
		return issuerSpec{issuer: "https://slack.com", jwks: "https://slack.com/openid/connect/keys",
			claims: func(c map[string]any, _ backends.Settings, id Identity) {
				for k := range c {
					if k != "sub" {
						delete(c, k)
					}
				}
				for k, v := range slackClaims(id) {
					c[k] = v
				}
			}}, true
	case "google-oauth2":
		return issuerSpec{issuer: "https://accounts.google.com", jwks: "https://www.googleapis.com/oauth2/v3/certs",
			claims: func(c map[string]any, s backends.Settings, id Identity) {
				c["azp"] = s.Key
				if id.Email != "" && !strings.HasSuffix(id.Email, "@gmail.com") {
					c["hd"] = id.Email[strings.LastIndex(id.Email, "@")+1:]
				}
				delete(c, "preferred_username")
			}}, true
	case "microsoft-graph":
		return entraSpec(s, "/v2.0", "https://login.microsoftonline.com/{tenantid}/v2.0", "oid", false), true
	case "azuread-tenant-oauth2":
		return entraSpec(s, "", "https://sts.windows.net/{tenantid}/", "sub", true), true
	case "azuread-v2-tenant-oauth2":
		return entraSpec(s, "/v2.0", "https://login.microsoftonline.com/{tenantid}/v2.0", "oid", true), true
	}
	return issuerSpec{}, false
}

// entraSpec fakes an Entra tenant: version is "" (v1.0) or "/v2.0"; the
// identity's UID goes in uidClaim, and the other of sub and oid gets a
// value of its own, as in Entra's tokens.
func entraSpec(s backends.Settings, version, issuer, uidClaim string, accessJWT bool) issuerSpec {
	authority := strings.TrimRight(s.BaseURL, "/")
	if authority == "" {
		authority = "https://login.microsoftonline.com"
	}
	tenant, tid := s.Tenant, fakeTenant
	if tenant == "" {
		tenant = "common"
	}
	if guid.MatchString(tenant) {
		tid = strings.ToLower(tenant)
	}
	docIssuer := issuer // multi-tenant endpoints publish the template
	if tenant != "common" && tenant != "organizations" && tenant != "consumers" {
		docIssuer = strings.ReplaceAll(issuer, "{tenantid}", tid)
	}
	base := authority + "/" + tenant
	return issuerSpec{
		issuer: issuer, docIssuer: docIssuer, tenant: tid,
		discovery: base + version + "/.well-known/openid-configuration",
		jwks:      base + "/discovery" + version + "/keys",
		token:     base + "/oauth2" + version + "/token", authorize: base + "/oauth2" + version + "/authorize",
		accessJWT: accessJWT,
		claims: func(c map[string]any, s backends.Settings, id Identity) {
			pairwise := sha256.Sum256([]byte(id.UID + "|" + s.Key))
			other := hex.EncodeToString(pairwise[:16])
			if uidClaim == "oid" {
				c["oid"], c["sub"] = id.UID, other
			} else {
				c["sub"], c["oid"] = id.UID, other
			}
			login := id.Username + "@contoso.onmicrosoft.com"
			if version == "" {
				c["upn"], c["unique_name"], c["ver"] = login, login, "1.0"
			} else {
				c["preferred_username"], c["ver"] = login, "2.0"
			}
			delete(c, "email_verified") // Entra never says
			delete(c, "picture")        // nor gives a picture in its tokens
		},
	}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
