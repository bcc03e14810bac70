package backendtest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

// A host that builds its own client (its timeout, its middleware) gets the
// fakes through Transport.
func TestTransportInTheHostsOwnClient(t *testing.T) {
	fake := backendtest.New(t)
	s := backends.Settings{Key: "Iv1.host-app", Secret: "host-secret-0c4d"}
	client := &http.Client{Transport: fake.Transport(), Timeout: 5 * time.Second}
	tok := fake.Token("github", s, backendtest.Identity{UID: "583231", Username: "octocat", Email: "octocat@github.com", EmailVerified: true})

	p, err := backends.GitHub(s).Authenticate(context.Background(), client, tok)
	require.NoError(t, err)
	assert.Equal(t, "583231", p.UID)
	assert.Equal(t, "octocat", p.Details.Username)
}

// A request no fake answers fails; nothing goes to the network.
func TestUnknownRequestFails(t *testing.T) {
	fake := backendtest.New(t)
	req, err := http.NewRequest(http.MethodGet, "https://api.github.com/user", nil)
	require.NoError(t, err)
	resp, err := fake.Client().Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	require.Error(t, err, "no token was asked of github's fake, so it serves nothing")

	_, err = backends.GitHub(backends.Settings{Key: "k", Secret: "s"}).Authenticate(context.Background(), fake.Client(), "a-token-nobody-issued")
	require.ErrorIs(t, err, socialauth.ErrProviderUnavailable)
}

// Every backend of package backends has a fake.
func TestNamesCoverEveryBackend(t *testing.T) {
	assert.Equal(t, backends.Names(), backendtest.Names())
}
