package backendtest

import (
	"strings"

	"github.com/go-socialauth/socialauth/backends"
)

// fakesOIDC fakes the backends of provider group OIDC. Most are an
// [Issuer] (oidc.go), which serves their routes itself; their entries here
// have none and only make them known to Names.
func fakesOIDC() map[string]func(backends.Settings) []route {
	served := func(backends.Settings) []route { return nil }
	return map[string]func(backends.Settings) []route{
		"oidc":                 served,
		"apple-id":             served,
		"google-openidconnect": func(s backends.Settings) []route { return coreFakes()["google-oauth2"](s) },
	}
}

// fakeAlias is the fake a backend shares with another: google-openidconnect
// is google-oauth2 under another name, and its tokens are that fake's.
func fakeAlias(name string) string {
	if name == "google-openidconnect" {
		return "google-oauth2"
	}
	return name
}

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
	case "apple-id":
		return issuerSpec{issuer: "https://appleid.apple.com", jwks: "https://appleid.apple.com/auth/keys", accessJWT: true,
			claims: func(c map[string]any, _ backends.Settings, id Identity) {
				delete(c, "name")
				delete(c, "given_name")
				delete(c, "family_name")
				delete(c, "preferred_username")
				if id.Email != "" {
					// Apple sends these booleans as strings.
					c["email_verified"] = boolString(id.EmailVerified)
					c["is_private_email"] = boolString(strings.HasSuffix(id.Email, "@privaterelay.appleid.com"))
				}
				c["nonce_supported"] = true
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
	}
	return issuerSpec{}, false
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
