package backends_test

import "github.com/go-socialauth/socialauth/backends"

// kitExtrasB are the kit-test settings of provider group B.
func kitExtrasB() map[string]func(*backends.Settings) {
	return map[string]func(*backends.Settings){
		// Kakao names apps by their numeric app id.
		"kakao": func(s *backends.Settings) { s.ClientIDs = append(s.ClientIDs, "1234567") },
		// A self-hosted Gitea.
		"gitea": func(s *backends.Settings) { s.BaseURL = "https://git.example.org/" },
	}
}
