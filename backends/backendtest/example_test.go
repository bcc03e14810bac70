package backendtest_test

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/socialhttp"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// A host app tests its id_token exchange endpoint, as a mobile app calls it
// after Google Sign-In: the fake Google signs id_tokens, and the app's own
// handler (socialauth.Handler + socialhttp.Exchange, memory storage, the
// default pipeline) verifies them through the fake's client, with no
// network and no Google account.
func Example_idTokenExchange() {
	fake := backendtest.New(exampleT{}) // in a test: backendtest.New(t)
	google := backends.Settings{Key: "web-client-id.apps.googleusercontent.com"}

	mux := http.NewServeMux()
	mux.Handle("/api/login/social/{backend}/", socialauth.Handler(socialauth.Config{
		Backends:   []socialauth.Backend{backends.GoogleOAuth2(google)},
		Storage:    memory.New(),
		Pipeline:   pipeline.Default(),
		HTTPClient: fake.Client(),
		Logger:     slog.New(slog.DiscardHandler),
	})(socialhttp.Exchange(socialhttp.Options{
		Mint: func(_ context.Context, res *socialauth.Result) (any, error) {
			return map[string]any{"user": res.User.Username, "new": res.IsNew}, nil
		},
	})))
	post := func(body string) {
		req := httptest.NewRequest(http.MethodPost, "/api/login/social/google-oauth2/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}

	ada := backendtest.Identity{UID: "110169484474386276334", Email: "ada@gmail.com", EmailVerified: true, FirstName: "Ada", LastName: "Lovelace"}
	var first string
	for _, nonce := range []string{"n-0S6_WzA2Mj", "n-second-sign-in"} { // each sign-in has its own nonce
		idToken := fake.IDToken("google-oauth2", google, ada, backendtest.IDTokenOptions{Nonce: nonce})
		post(`{"id_token": "` + idToken + `", "nonce": "` + nonce + `"}`)
		first = cmp.Or(first, idToken)
	}
	post(`{"id_token": "` + first + `", "nonce": "n-0S6_WzA2Mj"}`) // a replay: the nonce is spent
	otherApp := fake.IDToken("google-oauth2", google, ada, backendtest.IDTokenOptions{Audience: []string{"another-app.apps.googleusercontent.com"}})
	post(`{"id_token": "` + otherApp + `"}`)
	otherLogin := fake.IDToken("google-oauth2", google, ada, backendtest.IDTokenOptions{Nonce: "n-of-another-login"})
	post(`{"id_token": "` + otherLogin + `", "nonce": "n-0S6_WzA2Mj"}`)
	// Output:
	// 200 {"new":true,"user":"ada"}
	// 200 {"new":false,"user":"ada"}
	// 401 {"errors":{"code":"invalid_token","message":"The provider did not accept the token."}}
	// 401 {"errors":{"code":"invalid_token","message":"The provider did not accept the token."}}
	// 401 {"errors":{"code":"invalid_token","message":"The provider did not accept the token."}}
}

// exampleT stands in for the *testing.T an example does not have.
type exampleT struct{ testing.TB }

func (exampleT) Helper()                        {}
func (exampleT) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }
