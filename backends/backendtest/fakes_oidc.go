package backendtest

import "github.com/go-socialauth/socialauth/backends"

// fakesOIDC fakes the backends of provider group OIDC.
func fakesOIDC() map[string]func(backends.Settings) []route {
	return map[string]func(backends.Settings) []route{}
}

// fakeAlias is the fake a backend shares with another (none yet).
func fakeAlias(name string) string { return name }

// oidcFakes will hold the fake OpenID providers.
type oidcFakes struct{}

// mintOIDC will issue the tokens of backends whose fake is an OpenID
// provider; none yet.
func (p *Provider) mintOIDC(string, backends.Settings, Identity, bool) (string, bool) {
	return "", false
}
