package backends_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
)

const (
	googleUserInfo  = "https://openidconnect.googleapis.com/v1/userinfo"
	googleTokenInfo = "https://oauth2.googleapis.com/tokeninfo"
)

var googleSettings = backends.Settings{Key: "web-client-id.apps.googleusercontent.com", Secret: "google-secret",
	ClientIDs: []string{"ios-client-id.apps.googleusercontent.com"}}

func TestGoogleOAuth2(t *testing.T) {
	b := backends.GoogleOAuth2(googleSettings)
	require.Equal(t, "google-oauth2", b.Name())
	tok := "ya29.a0AfB_byC-example-token"

	t.Run("uid is sub, gmail address verified", func(t *testing.T) {
		c, mock := providerWith(t, answer{"GET", googleUserInfo, 0, "google-oauth2/userinfo.json"}, answer{"GET", googleTokenInfo, 0, "google-oauth2/tokeninfo.json"})
		p, err := authenticate(t, b, c, tok)
		require.NoError(t, err)
		checkGolden(t, "google-oauth2/userinfo", p)
		assert.Equal(t, "110169484474386276334", p.UID, "never the email")
		assert.Equal(t, tok, p.Token.AccessToken)
		assert.ElementsMatch(t, []string{"GET " + googleUserInfo, "GET " + googleTokenInfo + "?access_token=" + tok}, mock.urls(),
			"userinfo, and tokeninfo about this very token")
		for _, r := range mock.reqs {
			if r.URL.String() == googleUserInfo {
				assert.Equal(t, "Bearer "+tok, r.Header.Get("Authorization"))
			}
		}
	})
	t.Run("token of the iOS client is accepted", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", googleUserInfo, 0, "google-oauth2/userinfo.json"}, answer{"GET", googleTokenInfo, 0, "google-oauth2/tokeninfo-ios.json"})
		p, err := authenticate(t, b, c, tok)
		require.NoError(t, err)
		assert.Equal(t, "110169484474386276334", p.UID)
	})
	t.Run("workspace address not verified", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", googleUserInfo, 0, "google-oauth2/userinfo-workspace-unverified.json"}, answer{"GET", googleTokenInfo, 0, "google-oauth2/tokeninfo-other-user.json"})
		_, err := authenticate(t, b, c, tok)
		require.ErrorIs(t, err, socialauth.ErrInvalidToken, "tokeninfo's sub differs from userinfo's")
	})
	errCases := []struct {
		name     string
		answers  []answer
		want     error
		wantCode string
	}{
		{"token issued to another app", []answer{{"GET", googleUserInfo, 0, "google-oauth2/userinfo.json"}, {"GET", googleTokenInfo, 0, "google-oauth2/tokeninfo-other-app.json"}}, socialauth.ErrInvalidToken, ""},
		{"token belongs to another user", []answer{{"GET", googleUserInfo, 0, "google-oauth2/userinfo.json"}, {"GET", googleTokenInfo, 0, "google-oauth2/tokeninfo-other-user.json"}}, socialauth.ErrInvalidToken, ""},
		{"expired token", []answer{{"GET", googleUserInfo, 401, "google-oauth2/tokeninfo-invalid.json"}, {"GET", googleTokenInfo, 400, "google-oauth2/tokeninfo-invalid.json"}}, socialauth.ErrInvalidToken, "invalid_token"},
		{"userinfo down", []answer{{"GET", googleUserInfo, 503, "google-oauth2/tokeninfo-invalid.json"}, {"GET", googleTokenInfo, 0, "google-oauth2/tokeninfo.json"}}, socialauth.ErrProviderUnavailable, ""},
		{"no sub", []answer{{"GET", googleUserInfo, 0, "google-oauth2/userinfo-no-sub.json"}, {"GET", googleTokenInfo, 0, "google-oauth2/tokeninfo.json"}}, socialauth.ErrAuthFailed, ""},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := providerWith(t, tc.answers...)
			_, err := authenticate(t, b, c, tok)
			require.ErrorIs(t, err, tc.want)
			if tc.wantCode != "" {
				var pe *socialauth.ProviderError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, tc.wantCode, pe.Code)
			}
		})
	}
	t.Run("unverified workspace email is not trusted", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", googleUserInfo, 0, "google-oauth2/userinfo-workspace-unverified.json"},
			answer{"GET", googleTokenInfo, 0, "google-oauth2/tokeninfo-ios.json"})
		_, err := authenticate(t, b, c, tok)
		require.ErrorIs(t, err, socialauth.ErrInvalidToken, "sub mismatch again: the fixture user differs")
		// Map the profile alone to check the verified rule.
		c, _ = providerWith(t, answer{"GET", googleUserInfo, 0, "google-oauth2/userinfo-workspace-unverified.json"})
		p, err := authenticate(t, backends.NewOAuth2(backends.Provider{Name: "g", UserInfoURL: googleUserInfo, User: googleUserMapper(t)}), c, tok)
		require.NoError(t, err)
		checkGolden(t, "google-oauth2/userinfo-workspace-unverified", p)
		assert.False(t, p.Details.EmailVerified)
	})
}

// googleUserMapper borrows the google backend's mapper through a backend
// without a token check, to pin the mapping alone.
func googleUserMapper(t *testing.T) func([]byte) (string, socialauth.Details, error) {
	return backends.GoogleOAuth2(googleSettings).Provider().User
}

var facebookSettings = backends.Settings{Key: "138483919580948", Secret: "fb-app-secret-5f2b"}

func TestFacebook(t *testing.T) {
	b := backends.Facebook(facebookSettings)
	me, debug := "https://graph.facebook.com/v24.0/me", "https://graph.facebook.com/v24.0/debug_token"
	tok := "EAAB-facebook-user-token"
	t.Run("profile", func(t *testing.T) {
		c, mock := providerWith(t, answer{"GET", me, 0, "facebook/me.json"}, answer{"GET", debug, 0, "facebook/debug_token.json"})
		p, err := authenticate(t, b, c, tok)
		require.NoError(t, err)
		checkGolden(t, "facebook/me", p)
		assert.False(t, p.Details.EmailVerified, "facebook does not say")
		// appsecret_proof = hex(HMAC-SHA256(secret, token)), computed with Python's hmac module.
		const proof = "a2ef5aee6e4599d42d86d954084fe67644042391cb7a666d1969f29c93891de8"
		var meQuery, debugQuery url.Values
		for _, r := range mock.reqs {
			switch r.URL.Path {
			case "/v24.0/me":
				meQuery = r.URL.Query()
			case "/v24.0/debug_token":
				debugQuery = r.URL.Query()
			}
		}
		require.NotNil(t, meQuery)
		require.NotNil(t, debugQuery)
		assert.Equal(t, proof, meQuery.Get("appsecret_proof"))
		assert.Equal(t, tok, debugQuery.Get("input_token"))
		assert.Equal(t, facebookSettings.Key+"|"+facebookSettings.Secret, debugQuery.Get("access_token"), "debug_token is asked with the app token")
	})
	cases := []struct {
		name    string
		answers []answer
		want    error
	}{
		{"token of another app", []answer{{"GET", me, 0, "facebook/me.json"}, {"GET", debug, 0, "facebook/debug_token-other-app.json"}}, socialauth.ErrInvalidToken},
		{"debug_token says invalid", []answer{{"GET", me, 0, "facebook/me.json"}, {"GET", debug, 0, "facebook/debug_token-invalid.json"}}, socialauth.ErrInvalidToken},
		{"expired session", []answer{{"GET", me, 400, "facebook/me-expired.json"}, {"GET", debug, 0, "facebook/debug_token.json"}}, socialauth.ErrInvalidToken},
		{"graph down", []answer{{"GET", me, 500, "facebook/me-expired.json"}, {"GET", debug, 500, "facebook/me-expired.json"}}, socialauth.ErrProviderUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := providerWith(t, tc.answers...)
			_, err := authenticate(t, b, c, tok)
			require.ErrorIs(t, err, tc.want)
			noSecretIn(t, err.Error(), tok, facebookSettings.Secret)
		})
	}
	t.Run("graph error fields are kept", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", me, 400, "facebook/me-expired.json"}, answer{"GET", debug, 0, "facebook/debug_token.json"})
		_, err := authenticate(t, b, c, tok)
		var pe *socialauth.ProviderError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, 400, pe.StatusCode)
		assert.Equal(t, "OAuthException 190", pe.Code)
		assert.Contains(t, pe.Description, "Session has expired")
	})
}

var githubSettings = backends.Settings{Key: "Iv1.8a61f9b3a7aba766", Secret: "gh-client-secret-0c4d"}

func TestGitHub(t *testing.T) {
	b := backends.GitHub(githubSettings)
	api := "https://api.github.com"
	check := api + "/applications/" + githubSettings.Key + "/token"
	tok := "gho_16C7e42F292c6912E7710c838347Ae178B4a"
	t.Run("public email", func(t *testing.T) {
		c, mock := providerWith(t, answer{"GET", api + "/user", 0, "github/user.json"}, answer{"POST", check, 0, "github/check-token.json"})
		p, err := authenticate(t, b, c, tok)
		require.NoError(t, err)
		checkGolden(t, "github/user", p)
		assert.Equal(t, "583231", p.UID, "numeric id, not the login")
		assert.Len(t, mock.urls(), 2, "no /user/emails call when the profile has an email")
	})
	t.Run("no public email: primary verified from /user/emails", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", api + "/user", 0, "github/user-no-email.json"}, answer{"GET", api + "/user/emails", 0, "github/emails.json"},
			answer{"POST", check, 0, "github/check-token-hubot.json"})
		p, err := authenticate(t, b, c, tok)
		require.NoError(t, err)
		checkGolden(t, "github/user-no-email", p)
	})
	t.Run("unverified primary is not used", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", api + "/user", 0, "github/user-no-email.json"}, answer{"GET", api + "/user/emails", 0, "github/emails-unverified.json"},
			answer{"POST", check, 0, "github/check-token-hubot.json"})
		p, err := authenticate(t, b, c, tok)
		require.NoError(t, err)
		assert.Empty(t, p.Details.Email)
		assert.False(t, p.Details.EmailVerified)
	})
	t.Run("enterprise server", func(t *testing.T) {
		s := githubSettings
		s.BaseURL = "https://github.example.com/"
		c, _ := providerWith(t, answer{"GET", "https://github.example.com/api/v3/user", 0, "github/user.json"},
			answer{"POST", "https://github.example.com/api/v3/applications/" + s.Key + "/token", 0, "github/check-token.json"})
		p, err := authenticate(t, backends.GitHub(s), c, tok)
		require.NoError(t, err)
		assert.Equal(t, "583231", p.UID)
	})
	cases := []struct {
		name    string
		answers []answer
		want    error
	}{
		{"token of another app (404)", []answer{{"GET", api + "/user", 0, "github/user.json"}, {"POST", check, 404, "github/not-found.json"}}, socialauth.ErrInvalidToken},
		{"token of another user", []answer{{"GET", api + "/user", 0, "github/user.json"}, {"POST", check, 0, "github/check-token-hubot.json"}}, socialauth.ErrInvalidToken},
		{"bad credentials", []answer{{"GET", api + "/user", 401, "github/not-found.json"}, {"POST", check, 0, "github/check-token.json"}}, socialauth.ErrInvalidToken},
		{"rate limited", []answer{{"GET", api + "/user", 429, "github/not-found.json"}, {"POST", check, 0, "github/check-token.json"}}, socialauth.ErrProviderUnavailable},
		{"no id", []answer{{"GET", api + "/user", 0, "github/emails-unverified.json"}, {"POST", check, 0, "github/check-token.json"}}, socialauth.ErrProviderUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := providerWith(t, tc.answers...)
			_, err := authenticate(t, b, c, tok)
			require.ErrorIs(t, err, tc.want)
			noSecretIn(t, err.Error(), tok, githubSettings.Secret)
		})
	}
	t.Run("missing secret is a clear configuration error", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", api + "/user", 0, "github/user.json"})
		_, err := authenticate(t, backends.GitHub(backends.Settings{Key: "x"}), c, tok)
		require.ErrorIs(t, err, socialauth.ErrAuthFailed)
		assert.Contains(t, err.Error(), "client id and secret")
	})
}

func TestProviderErrorRedactsAndClips(t *testing.T) {
	tok := "tok-SECRET-1234567890"
	mock := answer{"GET", "https://api.example.com/me", 400, "redact/echo.json"}
	c, _ := providerWith(t, mock)
	b := backends.NewOAuth2(backends.Provider{Name: "echo", UserInfoURL: "https://api.example.com/me", User: func([]byte) (string, socialauth.Details, error) {
		return "", socialauth.Details{}, nil
	}})
	_, err := authenticate(t, b, c, tok)
	require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	var pe *socialauth.ProviderError
	require.ErrorAs(t, err, &pe)
	assert.NotContains(t, pe.Description, tok)
	assert.Contains(t, pe.Description, "[REDACTED]")
	assert.LessOrEqual(t, len(pe.Description), 204)
	assert.NotContains(t, pe.Description, "\n")
	_ = http.StatusOK
}
