package backends_test

import "github.com/go-socialauth/socialauth/backends"

// kitExtrasOIDC are the kit-test settings of provider group OIDC.
func kitExtrasOIDC() map[string]func(*backends.Settings) {
	return map[string]func(*backends.Settings){
		"oidc": func(s *backends.Settings) { s.BaseURL = "https://idp.example.com" },
	}
}
