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
		"oidc": served,
	}
}

// fakeAlias is the fake a backend shares with another (none yet).
func fakeAlias(name string) string { return name }

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
	}
	return issuerSpec{}, false
}
