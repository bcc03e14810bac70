package backends_test

import "github.com/go-socialauth/socialauth/backends"

// kitExtrasA are the kit-test settings of provider group A.
func kitExtrasA() map[string]func(*backends.Settings) {
	return map[string]func(*backends.Settings){
		// VK checks tokens with the app's service access key.
		"vk-oauth2": func(s *backends.Settings) { s.APIKey = "kit-vk-service-key" },
		// Stack Exchange wants the app's key with every access token.
		"stackoverflow": func(s *backends.Settings) { s.APIKey = "kit-stackapps-key((" },
	}
}
