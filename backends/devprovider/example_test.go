package devprovider_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"golang.org/x/oauth2"

	"github.com/go-socialauth/socialauth/backends/devprovider"
)

// A provider on loopback with one registered client, and the "dev" backend
// that logs in with it. Its Provider carries the endpoints of the browser
// flow; the static token "dev-alice" is Alice, for the token exchange.
func ExampleNew() {
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	const callback = "http://127.0.0.1:8080/complete/dev/"
	srv.Config.Handler = devprovider.New(devprovider.Config{
		Issuer:  issuer,
		Clients: []devprovider.Client{{ID: "dev-client", Secret: "dev-secret", RedirectURIs: []string{callback}}},
	})
	srv.Start()
	defer srv.Close()

	dev := devprovider.Backend(issuer)
	p := dev.Provider()
	conf := &oauth2.Config{
		ClientID: "dev-client", ClientSecret: "dev-secret", RedirectURL: callback, Scopes: p.Scopes,
		Endpoint: oauth2.Endpoint{AuthURL: p.AuthURL, TokenURL: p.TokenURL},
	}
	_ = conf // a browser goes to conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))

	profile, err := dev.Authenticate(context.Background(), srv.Client(), "dev-alice")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(dev.Name(), profile.UID, profile.Details.Email, profile.Details.EmailVerified)
	// Output: dev dev-alice alice@example.com true
}
