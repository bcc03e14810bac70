package backends_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

func TestMicrosoftGraph(t *testing.T) {
	s := backends.Settings{Key: "6731de76-14a6-49ae-97bc-6eba6914391e"}
	b := backends.MicrosoftGraph(s)
	fake := backendtest.New(t)
	user := backendtest.Identity{UID: "48d31887-5fad-4d73-a9f5-3c356e68a038", Username: "ada", Email: "ada@contoso.com", FirstName: "Ada", LastName: "Lovelace"}

	p, err := authenticate(t, b, fake.Client(), fake.Token("microsoft-graph", s, user))
	require.NoError(t, err)
	assert.Equal(t, user.UID, p.UID)
	assert.False(t, p.Details.EmailVerified, "Graph's mail is not verified (nOAuth)")
	assert.False(t, b.Doc().ChecksAudience)

	p, err = verifyIDToken(t, b, fake.Client(), fake.IDToken("microsoft-graph", s, user, idOpts{}), "")
	require.NoError(t, err, "multi-tenant: iss is the template with the token's tid")
	assert.Equal(t, user.UID, p.UID, "oid = Graph id")
	assert.False(t, p.Details.EmailVerified)
	p, err = verifyIDToken(t, b, fake.Client(), fake.IDToken("microsoft-graph", s, user, idOpts{Claims: map[string]any{"xms_edov": true}}), "")
	require.NoError(t, err)
	assert.True(t, p.Details.EmailVerified, "xms_edov: the domain owner verified the email")

	msa := fake.IDToken("microsoft-graph", s, user, idOpts{Claims: map[string]any{"oid": "00000000-0000-0000-9188-040D6C67EF09"}})
	p, err = verifyIDToken(t, b, fake.Client(), msa, "")
	require.NoError(t, err)
	assert.Equal(t, "9188040d6c67ef09", p.UID, "a personal account's oid, as Graph's id")

	other := "0b2d3c4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
	for reason, o := range map[string]idOpts{
		"another issuer":  {Claims: map[string]any{"iss": "https://login.microsoftonline.com/" + other + "/v2.0"}},
		"another issuer ": {Claims: map[string]any{"tid": "not-a-guid"}},
	} {
		_, err = verifyIDToken(t, b, fake.Client(), fake.IDToken("microsoft-graph", s, user, o), "")
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
		assert.Contains(t, err.Error(), strings.TrimSpace(reason))
	}
}

func TestAzureADTenant(t *testing.T) {
	user := backendtest.Identity{UID: "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ", Username: "ada", Email: "ada@contoso.com"}
	for _, tc := range []struct {
		name, uidClaim, issuer string
	}{
		{"azuread-tenant-oauth2", "sub", "https://sts.windows.net/"},
		{"azuread-v2-tenant-oauth2", "oid", "https://login.microsoftonline.com/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, tenant := range []string{"contoso.onmicrosoft.com", "6f3b0c3e-2b1a-4f5e-9c8d-1a2b3c4d5e6f", ""} {
				s := backends.Settings{Key: "6731de76-14a6-49ae-97bc-6eba6914391e", Tenant: tenant}
				b, err := backends.ByName(tc.name, s)
				require.NoError(t, err)
				fake := backendtest.New(t)
				tok := fake.Token(tc.name, s, user)
				p, err := authenticate(t, b, fake.Client(), tok)
				require.NoError(t, err, "tenant %q", tenant)
				assert.Equal(t, user.UID, p.UID, "uid from %s", tc.uidClaim)
				assert.Equal(t, "ada", p.Details.Username)
				var claims map[string]any
				require.NoError(t, json.Unmarshal(p.Raw, &claims))
				assert.True(t, strings.HasPrefix(claims["iss"].(string), tc.issuer))

				other := "0b2d3c4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
				iss := strings.Replace(claims["iss"].(string), claims["tid"].(string), other, 1)
				_, err = verifyIDToken(t, b.(socialauth.IDTokenAuthenticator), fake.Client(),
					fake.IDToken(tc.name, s, user, idOpts{Claims: map[string]any{"tid": other, "iss": iss}}), "")
				if tenant == "" {
					require.NoError(t, err, "common admits every tenant, as PSA's default does")
				} else {
					require.ErrorIs(t, err, socialauth.ErrInvalidToken, "a token of another tenant")
					assert.Contains(t, err.Error(), "another issuer")
				}
				_, err = authenticate(t, b, fake.Client(), fake.ForeignToken(tc.name, s, user))
				require.ErrorIs(t, err, socialauth.ErrInvalidToken)
			}
		})
	}
}
