package backends_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

func TestGoogleIDToken(t *testing.T) {
	for _, name := range []string{"google-oauth2", "google-openidconnect"} {
		t.Run(name, func(t *testing.T) {
			b, err := backends.ByName(name, googleSettings)
			require.NoError(t, err)
			v := b.(socialauth.IDTokenAuthenticator)
			fake := backendtest.New(t)
			gmail := backendtest.Identity{UID: "110169484474386276334", Email: "ada@gmail.com", EmailVerified: true, FirstName: "Ada", LastName: "Lovelace"}
			p, err := verifyIDToken(t, v, fake.Client(), fake.IDToken(name, googleSettings, gmail, idOpts{}), "")
			require.NoError(t, err)
			assert.Equal(t, gmail.UID, p.UID, "sub, never the email")
			assert.True(t, p.Details.EmailVerified)

			android := idOpts{Audience: []string{googleSettings.Key}, AuthorizedParty: googleSettings.ClientIDs[0]}
			_, err = verifyIDToken(t, v, fake.Client(), fake.IDToken(name, googleSettings, gmail, android), "")
			require.NoError(t, err, "a mobile client's token: aud the web client, azp the mobile one")
			_, err = verifyIDToken(t, v, fake.Client(), fake.IDToken(name, googleSettings, gmail, idOpts{Issuer: "accounts.google.com"}), "")
			require.NoError(t, err, "Google's schemeless issuer")

			workspace := backendtest.Identity{UID: "1042", Email: "ada@example.org", EmailVerified: true}
			p, err = verifyIDToken(t, v, fake.Client(), fake.IDToken(name, googleSettings, workspace, idOpts{Claims: map[string]any{"hd": nil}}), "")
			require.NoError(t, err)
			assert.False(t, p.Details.EmailVerified, "not gmail and no hd: Google's guide says not authoritative")

			for reason, o := range map[string]idOpts{
				"another app (aud)": {Audience: []string{"123-other.apps.googleusercontent.com"}},
				"another app (azp)": {AuthorizedParty: "123-other.apps.googleusercontent.com"},
				"another issuer":    {Issuer: "https://accounts.google.com.evil.example"},
			} {
				_, err = verifyIDToken(t, v, fake.Client(), fake.IDToken(name, googleSettings, gmail, o), "")
				require.ErrorIs(t, err, socialauth.ErrInvalidToken, reason)
				assert.Contains(t, err.Error(), reason)
			}
		})
	}
}
