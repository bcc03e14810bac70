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

// One fake serves both LinkedIn backends: LinkedIn's introspectToken, at
// one address, knows the tokens of each, whichever was asked for first.
func TestLinkedInIntrospectionServesBothBackends(t *testing.T) {
	ctx := context.Background()
	for _, order := range [][]string{{"linkedin-oauth2", "linkedin-openidconnect"}, {"linkedin-openidconnect", "linkedin-oauth2"}} {
		t.Run(order[0]+" first", func(t *testing.T) {
			fake := backendtest.New(t)
			s := backends.Settings{Key: "86wgw8vx3q6kli", Secret: "WPL_AP1.linkedin-secret"}
			id := backendtest.Identity{UID: "782bbtaQ", FirstName: "John", LastName: "Doe"}
			toks := make([]string, len(order))
			for i, name := range order {
				toks[i] = fake.Token(name, s, id)
			}
			for i, name := range order {
				b, err := backends.ByName(name, s)
				require.NoError(t, err)
				p, err := b.Authenticate(ctx, fake.Client(), toks[i])
				require.NoError(t, err, name)
				assert.Equal(t, id.UID, p.UID, name)
				_, err = b.Authenticate(ctx, fake.Client(), fake.ForeignToken(name, s, id))
				require.ErrorIs(t, err, socialauth.ErrInvalidToken, "%s: another app's token", name)
			}
		})
	}
}
