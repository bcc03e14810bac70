package browsertest_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth/examples/browsertest"
	webflow "github.com/go-socialauth/socialauth/examples/webflow/app"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// startWebflow serves examples/webflow's app, as go run ./examples/webflow
// does, with its two development providers, on loopback.
func startWebflow(t *testing.T) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	providers, stop, err := webflow.DevProviders(base)
	require.NoError(t, err)
	t.Cleanup(stop)
	h, err := webflow.New(webflow.Config{BaseURL: base, Providers: providers, Storage: memory.New(), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	return base
}

// accounts counts the connected accounts the page lists.
func accounts(t *testing.T, ctx context.Context) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#accounts li.account").length`))
	require.NoError(t, err)
	return n
}

// TestWebflowInChromium drives examples/webflow in Chromium through the
// whole redirect flow: "Sign in with" the first provider, sign in at its
// login page, the welcome step of a first login (a paused pipeline,
// resumed by the form), signed in; connect the second provider and see two
// accounts; disconnect it and see one; the last one refused; sign out and
// back in (no welcome for a returning user); "Deny" at the provider.
func TestWebflowInChromium(t *testing.T) {
	browser := browsertest.Start(t)
	base := startWebflow(t)
	ctx, cancel := context.WithTimeout(browser, 2*time.Minute)
	defer cancel()

	// Sign in with dev: its login page, then the welcome form.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.Click(chromedp.ID("login-dev")),
		chromedp.WaitVisible(chromedp.ID("name")),
	))
	assert.Equal(t, "Development provider", text(t, ctx, "heading"))
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("name"), "ada"),
		chromedp.Click(chromedp.ID("allow")),
		chromedp.WaitVisible(chromedp.ID("welcome")),
	))
	location, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(location, base+"/welcome"), location)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("display-name"), "Ada Lovelace"),
		chromedp.Click(chromedp.ID("accept-terms")),
		chromedp.Click(chromedp.ID("continue")),
		chromedp.WaitVisible(chromedp.ID("user-name")),
	))
	assert.Equal(t, "Ada Lovelace", text(t, ctx, "user-name"))
	assert.Equal(t, "ada", text(t, ctx, "user-username"))
	assert.Equal(t, "ada@example.com", text(t, ctx, "user-email"))
	assert.Equal(t, 1, accounts(t, ctx))

	// Connect the second provider: two accounts.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("connect-dev-work")),
		chromedp.WaitVisible(chromedp.ID("name")),
	))
	assert.Equal(t, "Work development provider", text(t, ctx, "heading"))
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("name"), "ada.at.work"),
		chromedp.Click(chromedp.ID("allow")),
		chromedp.WaitVisible(chromedp.ID("account-dev-work")),
	))
	assert.Equal(t, 2, accounts(t, ctx))
	assert.Contains(t, text(t, ctx, "account-dev-work"), "dev-ada.at.work")
	assert.Equal(t, "Ada Lovelace", text(t, ctx, "user-name"), "the same user")

	// Disconnect it: one account.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("disconnect-dev-work")),
		chromedp.WaitVisible(chromedp.ID("connect-dev-work")),
	))
	assert.Equal(t, 1, accounts(t, ctx))

	// The last one cannot go: the page says why.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("disconnect-dev")),
		chromedp.WaitVisible(chromedp.ID("error")),
	))
	assert.Contains(t, text(t, ctx, "error"), "only way to sign in")
	assert.Equal(t, 1, accounts(t, ctx))

	// Sign out and back in: a returning user goes straight in.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("logout")),
		chromedp.WaitVisible(chromedp.ID("login-dev")),
		chromedp.Click(chromedp.ID("login-dev")),
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), "ada"),
		chromedp.Click(chromedp.ID("allow")),
		chromedp.WaitVisible(chromedp.ID("user-name")),
	))
	assert.Equal(t, "Ada Lovelace", text(t, ctx, "user-name"))
	location, err = chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.Equal(t, base+"/", location)

	// Deny at the provider: the page shows the cancel.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("logout")),
		chromedp.WaitVisible(chromedp.ID("login-dev")),
		chromedp.Click(chromedp.ID("login-dev")),
		chromedp.WaitVisible(chromedp.ID("deny")),
		chromedp.Click(chromedp.ID("deny")),
		chromedp.WaitVisible(chromedp.ID("error")),
	))
	assert.Equal(t, "You declined to sign in at the provider.", text(t, ctx, "error"))
	location, err = chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.Equal(t, base+"/?error=auth_canceled", location)
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#user-name").length`))
	require.NoError(t, err)
	assert.Zero(t, n, "signed out")
}
