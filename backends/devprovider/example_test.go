package devprovider_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"

	"golang.org/x/oauth2"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
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

// The browser login: the backend logs in as a client registered with the
// provider, so the Service begins a code flow with it (socialhttp.Browser
// does this for a web app).
func ExampleClientBackend() {
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	app := devprovider.Client{ID: "my-app", Secret: "dev-secret", RedirectURIs: []string{"http://127.0.0.1:8080/auth/complete/dev/"}}
	srv.Config.Handler = devprovider.New(devprovider.Config{Issuer: issuer, Clients: []devprovider.Client{app}})
	srv.Start()
	defer srv.Close()

	svc, err := socialauth.New(socialauth.Config{
		Backends: []socialauth.Backend{devprovider.ClientBackend("dev", issuer, app)},
		Storage:  memory.New(),
		Pipeline: pipeline.Default(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	authURL, _, err := svc.AuthCodeURL(context.Background(), "dev", app.RedirectURIs[0], nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	fmt.Println(u.Path, q.Get("client_id"), q.Get("code_challenge_method"), q.Get("redirect_uri"))
	// Output: /authorize my-app S256 http://127.0.0.1:8080/auth/complete/dev/
}
