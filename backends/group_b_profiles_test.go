package backends_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
)

// The profile mappings of group B that the golden files alone do not pin:
// which emails count as verified, and odd answers that must not crash.

func TestGroupBEmailVerified(t *testing.T) {
	cases := []struct {
		backend, url, file string
		email              string
		verified           bool
	}{
		{"paypal-oauth2", "https://api-m.paypal.com/v1/identity/oauth2/userinfo", "paypal-oauth2/userinfo-unconfirmed.json", "newbuyer@example.com", false},
		{"patreon", "https://www.patreon.com/api/oauth2/v2/identity", "patreon/identity-unverified.json", "new.patron@example.com", false},
		{"zoom-oauth2", "https://api.zoom.us/v2/users/me", "zoom-oauth2/users-me-unverified.json", "pat@example.com", false},
		{"digitalocean", "https://api.digitalocean.com/v2/account", "digitalocean/account-unverified.json", "new@example.com", false},
		{"atlassian", "https://api.atlassian.com/me", "atlassian/me-no-email-verified.json", "contractor@example.net", false},
		{"naver", "https://openapi.naver.com/v1/nid/me", "naver/me.json", "openapi@naver.com", false},
		{"coinbase", "https://api.coinbase.com/v2/user", "coinbase/user.json", "user1@example.com", false},
		{"box", "https://api.box.com/2.0/users/me", "box/users-me.json", "ceo@example.com", false},
		{"yahoo-oauth2", "https://api.login.yahoo.com/openid/v1/userinfo", "yahoo-oauth2/userinfo.json", "janedoe@yahoo.com", true},
	}
	for _, tc := range cases {
		t.Run(tc.backend+" "+tc.file, func(t *testing.T) {
			b, err := backends.ByName(tc.backend, plainSettings)
			require.NoError(t, err)
			c, _ := providerWith(t, answer{"GET", tc.url, 0, tc.file})
			p, err := authenticate(t, b, c, "group-b-token")
			require.NoError(t, err)
			assert.Equal(t, tc.email, p.Details.Email)
			assert.Equal(t, tc.verified, p.Details.EmailVerified, "verified only when the provider says so")
		})
	}
}

func TestPayPalUserID(t *testing.T) {
	const userinfo = "https://api-m.paypal.com/v1/identity/oauth2/userinfo"
	b := backends.PayPalOAuth2(plainSettings)
	t.Run("odd user_id: kept verbatim, no crash, no emails", func(t *testing.T) {
		c, mock := providerWith(t, answer{"GET", userinfo, 0, "paypal-oauth2/userinfo-odd-id.json"})
		p, err := authenticate(t, b, c, "paypal-token")
		require.NoError(t, err)
		assert.Equal(t, "mWq6_1sU85v5EG9yHdPxJRrhGHrnMJ-1PQKtX6pcsmA/", p.UID)
		assert.Empty(t, p.Details.Username, "nothing after the last slash")
		assert.Empty(t, p.Details.Email)
		assert.Equal(t, "paypalv1.1", mock.reqs[0].URL.Query().Get("schema"))
	})
	t.Run("the primary email wins over the first", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", userinfo, 0, "paypal-oauth2/userinfo.json"})
		p, err := authenticate(t, b, c, "paypal-token")
		require.NoError(t, err)
		assert.Equal(t, "user2@example.com", p.Details.Email)
	})
}

func TestGroupBRequestShape(t *testing.T) {
	t.Run("twitter-oauth2 asks for the user fields it maps", func(t *testing.T) {
		c, mock := providerWith(t, answer{"GET", "https://api.x.com/2/users/me", 0, "twitter-oauth2/users-me.json"})
		_, err := authenticate(t, backends.TwitterOAuth2(plainSettings), c, "x-token")
		require.NoError(t, err)
		assert.Contains(t, mock.reqs[0].URL.Query().Get("user.fields"), "username")
	})
	t.Run("coinbase sends its API version", func(t *testing.T) {
		c, mock := providerWith(t, answer{"GET", "https://api.coinbase.com/v2/user", 0, "coinbase/user.json"})
		_, err := authenticate(t, backends.Coinbase(plainSettings), c, "cb-token")
		require.NoError(t, err)
		assert.NotEmpty(t, mock.reqs[0].Header.Get("CB-VERSION"))
	})
	t.Run("naver's refusal answered with 200", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", "https://openapi.naver.com/v1/nid/me", 0, "naver/me-refused.json"})
		_, err := authenticate(t, backends.Naver(plainSettings), c, "naver-token")
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	})
}

// FuzzGroupB feeds every group B backend arbitrary provider answers on all
// of its endpoints: it must never panic, and never log anyone in without a uid.
func FuzzGroupB(f *testing.F) {
	for _, tc := range groupBCases() {
		for _, a := range append([]answer{tc.user, tc.refusal}, tc.also...) {
			if body, err := os.ReadFile(filepath.Join("testdata", a.file)); err == nil {
				f.Add(body)
			}
		}
	}
	f.Add([]byte(`{"id":null,"data":[],"account":"x","response":7,"aud":{"a":1},"active":"yes"}`))
	cases := groupBCases()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, tc := range cases {
			b, err := backends.ByName(tc.name, tc.s)
			require.NoError(t, err)
			mock := httpmock.NewMockTransport()
			mock.RegisterNoResponder(httpmock.NewBytesResponder(http.StatusOK, body))
			p, err := b.Authenticate(context.Background(), &http.Client{Transport: mock}, "fuzz-token")
			if err == nil {
				require.NotEmpty(t, p.UID, "%s logged in without a uid", tc.name)
			}
		}
	})
}
