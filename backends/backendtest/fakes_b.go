package backendtest

import "github.com/go-socialauth/socialauth/backends"

// fakesB fakes the backends of provider group B.
func fakesB() map[string]func(backends.Settings) []route {
	return map[string]func(backends.Settings) []route{}
}
