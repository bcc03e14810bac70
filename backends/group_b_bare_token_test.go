package backends_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
)

// PSA's strava and salesforce-oauth2 read the user from the token-endpoint
// answer (Strava's "athlete", Salesforce's "id" URL), which an access token
// posted by an app does not come with: PSA crashes (KeyError). These tests
// prove the Go backends work from the bare token and tell users apart.

func TestStravaBareToken(t *testing.T) {
	const athlete = "https://www.strava.com/api/v3/athlete"
	b := backends.Strava(plainSettings)
	t.Run("the athlete endpoint alone identifies the user", func(t *testing.T) {
		c, mock := providerWith(t, answer{"GET", athlete, 0, "strava/athlete.json"})
		p, err := authenticate(t, b, c, "strava-bare-token-1")
		require.NoError(t, err)
		assert.Equal(t, "134815", p.UID)
		assert.Equal(t, []string{"GET " + athlete}, mock.urls(), "no token-endpoint answer is needed")
		assert.Equal(t, "Bearer strava-bare-token-1", mock.reqs[0].Header.Get("Authorization"))
	})
	t.Run("each athlete gets their own uid, rendered exactly", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", athlete, 0, "strava/athlete-big-id.json"})
		p, err := authenticate(t, b, c, "strava-bare-token-2")
		require.NoError(t, err)
		assert.Equal(t, "9007199254740993", p.UID, "an id above 2^53 must not be rounded through float64")
		assert.NotEqual(t, "134815", p.UID)
		assert.Empty(t, p.Details.Username, "a null username stays empty")
	})
}

func TestSalesforceBareToken(t *testing.T) {
	const tok = "00D5e000000HEcP!AQ4AQFakeSessionToken"
	prod := "https://login.salesforce.com/services/oauth2"
	b := backends.SalesforceOAuth2(salesforceSettings)

	t.Run("userinfo and introspection alone identify the user", func(t *testing.T) {
		c, mock := providerWith(t, answer{"GET", prod + "/userinfo", 0, "salesforce-oauth2/userinfo.json"},
			answer{"POST", prod + "/introspect", 0, "salesforce-oauth2/introspect.json"})
		p, err := authenticate(t, b, c, tok)
		require.NoError(t, err)
		assert.Equal(t, "https://login.salesforce.com/id/00D5e000000HEcPEAW/0055e000003E8ooAAC", p.UID,
			"the identity URL, the same string PSA stores from the token answer's id")
		assert.ElementsMatch(t, []string{"GET " + prod + "/userinfo", "POST " + prod + "/introspect"}, mock.urls(),
			"no token-endpoint answer is needed, and the token is in no URL")
		for _, r := range mock.reqs {
			if r.Method != "POST" {
				assert.Equal(t, "Bearer "+tok, r.Header.Get("Authorization"))
				continue
			}
			require.NoError(t, r.ParseForm())
			assert.Equal(t, url.Values{"token": {tok}, "token_type_hint": {"access_token"},
				"client_id": {salesforceSettings.Key}, "client_secret": {salesforceSettings.Secret}}, r.PostForm)
		}
	})
	t.Run("two users, two uids", func(t *testing.T) {
		s := salesforceSettings
		s.BaseURL = "https://test.salesforce.com/"
		sandbox := "https://test.salesforce.com/services/oauth2"
		c, _ := providerWith(t, answer{"GET", sandbox + "/userinfo", 0, "salesforce-oauth2/userinfo-sandbox.json"},
			answer{"POST", sandbox + "/introspect", 0, "salesforce-oauth2/introspect-sandbox.json"})
		p, err := authenticate(t, backends.SalesforceOAuth2(s), c, tok)
		require.NoError(t, err)
		checkGolden(t, "salesforce-oauth2/userinfo-sandbox", p)
		assert.NotEqual(t, "https://login.salesforce.com/id/00D5e000000HEcPEAW/0055e000003E8ooAAC", p.UID)
		assert.False(t, p.Details.EmailVerified)
	})
	t.Run("My Domain", func(t *testing.T) {
		s := salesforceSettings
		s.BaseURL = "https://acme.my.salesforce.com"
		my := s.BaseURL + "/services/oauth2"
		c, _ := providerWith(t, answer{"GET", my + "/userinfo", 0, "salesforce-oauth2/userinfo.json"},
			answer{"POST", my + "/introspect", 0, "salesforce-oauth2/introspect.json"})
		p, err := authenticate(t, backends.SalesforceOAuth2(s), c, tok)
		require.NoError(t, err)
		assert.Equal(t, "https://login.salesforce.com/id/00D5e000000HEcPEAW/0055e000003E8ooAAC", p.UID)
		assert.Equal(t, my+"/authorize", backends.SalesforceOAuth2(s).Provider().AuthURL)
	})
	cases := []struct {
		name       string
		introspect string
		want       error
	}{
		{"introspection names another user", "salesforce-oauth2/introspect-other-user.json", socialauth.ErrInvalidToken},
		{"inactive token", "salesforce-oauth2/introspect-inactive.json", socialauth.ErrInvalidToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := providerWith(t, answer{"GET", prod + "/userinfo", 0, "salesforce-oauth2/userinfo.json"},
				answer{"POST", prod + "/introspect", 0, tc.introspect})
			_, err := authenticate(t, b, c, tok)
			require.ErrorIs(t, err, tc.want)
			noSecretIn(t, err.Error(), tok, salesforceSettings.Secret)
		})
	}
	t.Run("without the secret the token cannot be checked", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", prod + "/userinfo", 0, "salesforce-oauth2/userinfo.json"})
		_, err := authenticate(t, backends.SalesforceOAuth2(backends.Settings{Key: salesforceSettings.Key}), c, tok)
		require.ErrorIs(t, err, socialauth.ErrAuthFailed)
		assert.Contains(t, err.Error(), "client id and secret")
	})
}
