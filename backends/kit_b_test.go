package backends_test

import "github.com/go-socialauth/socialauth/backends"

// kitExtrasB are the kit-test settings of provider group B.
func kitExtrasB() map[string]func(*backends.Settings) {
	return map[string]func(*backends.Settings){}
}
