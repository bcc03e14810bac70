package backends_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

// TestSlackIDToken: Sign in with Slack's id_token is verified against
// Slack's keys, with iss https://slack.com and aud the client id, as
// Slack's openid.connect.token page documents.
func TestSlackIDToken(t *testing.T) {
	s := backends.Settings{Key: "25259531569.11152291"}
	b := backends.Slack(s)
	fake := backendtest.New(t)
	ada := backendtest.Identity{UID: "U0R7MFMJM", Email: "ada@example.com", EmailVerified: true, FirstName: "Ada", LastName: "Lovelace"}

	p, err := verifyIDToken(t, b, fake.Client(), fake.IDToken("slack", s, ada, backendtest.IDTokenOptions{Nonce: "n-1"}), "n-1")
	require.NoError(t, err)
	assert.Equal(t, "U0R7MFMJM", p.UID)
	assert.Equal(t, "ada@Fake Team", p.Details.Username)
	assert.True(t, p.Details.EmailVerified)

	for name, opts := range map[string]backendtest.IDTokenOptions{
		"another app's (aud)": {Audience: []string{"another.app"}},
		"another issuer":      {Issuer: "https://slack.example"},
	} {
		_, err = verifyIDToken(t, b, fake.Client(), fake.IDToken("slack", s, ada, opts), "")
		require.ErrorIs(t, err, socialauth.ErrInvalidToken, name)
	}
	assert.Equal(t, "https://slack.com/openid/connect/authorize", b.Provider().AuthURL)
	assert.Equal(t, []string{"openid", "email", "profile"}, b.Provider().Scopes)
}
