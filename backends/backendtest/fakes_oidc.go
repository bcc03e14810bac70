package backendtest

import "github.com/go-socialauth/socialauth/backends"

// fakesOIDC fakes the backends of provider group OIDC.
func fakesOIDC() map[string]func(backends.Settings) []route {
	return map[string]func(backends.Settings) []route{}
}
