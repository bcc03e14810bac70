package browsertest_test

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/examples/browsertest"
)

// resultPage is what the app's callback shows: the signed-in name, or why not.
var resultPage = template.Must(template.New("result").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Callback</title></head>
<body><p id="result" data-ok="{{.OK}}">{{.Text}}</p></body></html>
`))

// app is a tiny client of the development provider: its /callback checks
// the state and the issuer, redeems the code with the PKCE verifier, and
// shows the name that userinfo gives for the access token.
type app struct {
	conf     *oauth2.Config
	issuer   string
	userinfo string
	client   *http.Client

	mu       sync.Mutex
	pending  map[string]string // state -> PKCE verifier, each used once
	redeemed int
}

// begin returns the provider's authorization URL for a new login.
func (a *app) begin() string {
	state, verifier := rand.Text(), oauth2.GenerateVerifier()
	a.mu.Lock()
	a.pending[state] = verifier
	a.mu.Unlock()
	return a.conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
}

func (a *app) callback(w http.ResponseWriter, r *http.Request) {
	show := func(ok bool, format string, args ...any) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = resultPage.Execute(w, struct {
			OK   bool
			Text string
		}{ok, fmt.Sprintf(format, args...)})
	}
	q := r.URL.Query()
	verifier, found := a.takeVerifier(q.Get("state"))
	switch {
	case !found:
		show(false, "unknown or replayed state")
		return
	case subtle.ConstantTimeCompare([]byte(q.Get("iss")), []byte(a.issuer)) != 1:
		show(false, "the response is not from the expected issuer")
		return
	case q.Get("error") != "":
		show(false, "provider error: %s", q.Get("error"))
		return
	}
	ctx := context.WithValue(r.Context(), oauth2.HTTPClient, a.client)
	tok, err := a.conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		show(false, "code exchange failed")
		return
	}
	resp, err := a.conf.Client(ctx, tok).Get(a.userinfo)
	if err != nil {
		show(false, "userinfo unreachable")
		return
	}
	defer resp.Body.Close()
	var info struct {
		Username string `json:"preferred_username"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&info) != nil {
		show(false, "userinfo refused the token")
		return
	}
	a.mu.Lock()
	a.redeemed++
	a.mu.Unlock()
	show(true, "%s", info.Username)
}

func (a *app) takeVerifier(state string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for s, v := range a.pending {
		if subtle.ConstantTimeCompare([]byte(s), []byte(state)) == 1 {
			delete(a.pending, s)
			return v, true
		}
	}
	return "", false
}

// startApp starts the development provider and the app on loopback, the
// app registered with the provider as a confidential client.
func startApp(t *testing.T) *app {
	t.Helper()
	providerSrv, appSrv := httptest.NewUnstartedServer(nil), httptest.NewUnstartedServer(nil)
	issuer := "http://" + providerSrv.Listener.Addr().String()
	callbackURL := "http://" + appSrv.Listener.Addr().String() + "/callback"
	secret := rand.Text()
	providerSrv.Config.Handler = devprovider.New(devprovider.Config{
		Issuer:  issuer,
		Clients: []devprovider.Client{{ID: "browser-app", Secret: secret, RedirectURIs: []string{callbackURL}}},
	})
	dev := devprovider.Backend(issuer).Provider()
	a := &app{
		conf: &oauth2.Config{
			ClientID: "browser-app", ClientSecret: secret, RedirectURL: callbackURL, Scopes: dev.Scopes,
			Endpoint: oauth2.Endpoint{AuthURL: dev.AuthURL, TokenURL: dev.TokenURL, AuthStyle: oauth2.AuthStyleInHeader},
		},
		issuer:   issuer,
		userinfo: dev.UserInfoURL,
		client:   &http.Client{Timeout: 10 * time.Second},
		pending:  map[string]string{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /callback", a.callback)
	appSrv.Config.Handler = mux
	providerSrv.Start()
	appSrv.Start()
	t.Cleanup(providerSrv.Close)
	t.Cleanup(appSrv.Close)
	return a
}

// text reads the text of the element with id.
func text(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
	require.NoError(t, err, "text of #%s", id)
	return v
}

// TestDevproviderLoginInChromium: Chromium opens the provider's login page,
// a name is typed and submitted, and the app's callback page, reached by
// the provider's redirect, shows that name.
func TestDevproviderLoginInChromium(t *testing.T) {
	browser := browsertest.Start(t)
	a := startApp(t)

	t.Run("sign in", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(browser, 30*time.Second)
		defer cancel()
		const name = "ada.lovelace"
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(a.begin()),
			chromedp.WaitVisible(chromedp.ID("name")),
		))
		assert.Equal(t, "Development provider", text(t, ctx, "heading"))
		require.NoError(t, chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.ID("name"), name),
			chromedp.Click(chromedp.ID("allow")),
			chromedp.WaitVisible(chromedp.ID("result")),
		))
		shown := text(t, ctx, "result")
		ok, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("result"), "data-ok"))
		require.NoError(t, err)
		assert.Equal(t, "true", ok.Value, shown)
		assert.Equal(t, name, shown)
		location, err := chromedp.Run(ctx, chromedp.Location())
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(location, a.conf.RedirectURL+"?"), location)
		a.mu.Lock()
		assert.Equal(t, 1, a.redeemed)
		a.mu.Unlock()

		// Back to the same callback URL: the state was single-use.
		require.NoError(t, chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("result"))))
		assert.Equal(t, "unknown or replayed state", text(t, ctx, "result"))
	})

	t.Run("a bad name stays on the provider", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(browser, 30*time.Second)
		defer cancel()
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(a.begin()),
			chromedp.SendKeys(chromedp.ID("name"), "no spaces allowed"),
			// The form's pattern would stop the browser; the provider must too.
			chromedp.RemoveAttribute(chromedp.ID("name"), "pattern"),
			chromedp.Click(chromedp.ID("allow")),
			chromedp.WaitVisible(chromedp.ID("problem")),
		))
		assert.Contains(t, text(t, ctx, "problem"), "A name is")
		// Corrected, the same page signs in.
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Clear(chromedp.ID("name")),
			chromedp.SendKeys(chromedp.ID("name"), "grace"),
			chromedp.Click(chromedp.ID("allow")),
			chromedp.WaitVisible(chromedp.ID("result")),
		))
		assert.Equal(t, "grace", text(t, ctx, "result"))
	})

	t.Run("deny", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(browser, 30*time.Second)
		defer cancel()
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(a.begin()),
			chromedp.Click(chromedp.ID("deny")),
			chromedp.WaitVisible(chromedp.ID("result")),
		))
		ok, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("result"), "data-ok"))
		require.NoError(t, err)
		assert.Equal(t, "false", ok.Value)
		assert.Equal(t, "provider error: access_denied", text(t, ctx, "result"))
	})
}
