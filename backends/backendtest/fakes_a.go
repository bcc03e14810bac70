package backendtest

import "github.com/go-socialauth/socialauth/backends"

// fakesA fakes the backends of provider group A.
func fakesA() map[string]func(backends.Settings) []route {
	return map[string]func(backends.Settings) []route{}
}
