package backends

import (
	"fmt"
	"slices"

	"github.com/go-socialauth/socialauth"
)

// The audience check of RFC 6749 §10.16: a token proves nothing unless the
// provider says it was issued to this app. Every token check ends here.

// checkApp refuses a token whose client (app) is not one of audiences.
func checkApp(backend, app string, audiences []string) error {
	if len(audiences) == 0 {
		return fmt.Errorf("%w: %s has no client id configured to check tokens against", socialauth.ErrAuthFailed, backend)
	}
	if app == "" || !slices.Contains(audiences, app) {
		return fmt.Errorf("%w: the token was issued to another app", socialauth.ErrInvalidToken)
	}
	return nil
}

// issuedTo is the app a checked token names: its client_id when it has
// one, else the first of its audiences that is one of ours ("" when none
// is). checkApp then decides.
func issuedTo(clientID string, audiences, ours []string) string {
	if clientID != "" {
		return clientID
	}
	for _, a := range audiences {
		if slices.Contains(ours, a) {
			return a
		}
	}
	return ""
}

// tokenUser is the user id a token check reported: a token that belongs to
// no user (an app or client-credentials token) is not a login.
func tokenUser(uid string) (string, error) {
	if uid == "" {
		return "", fmt.Errorf("%w: the token belongs to no user", socialauth.ErrInvalidToken)
	}
	return uid, nil
}
