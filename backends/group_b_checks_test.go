package backends_test

import (
	"encoding/base64"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
)

// The details of the group B token checks that the shared table does not pin.

func TestLineVerify(t *testing.T) {
	const (
		profile = "https://api.line.me/v2/profile"
		verify  = "https://api.line.me/oauth2/v2.1/verify"
		tok     = "eyJhbGciOiJIUzI1NiJ9.line-access-token"
	)
	b := backends.Line(lineSettings)
	t.Run("token of the app's other channel is accepted", func(t *testing.T) {
		c, mock := providerWith(t, answer{"GET", profile, 0, "line/profile.json"}, answer{"GET", verify, 0, "line/verify-ios.json"})
		p, err := authenticate(t, b, c, tok)
		require.NoError(t, err)
		assert.Equal(t, "U4af4980629fdd36e2d4e0c1c3f3d5a91", p.UID)
		assert.Contains(t, mock.urls(), "GET "+verify+"?access_token="+url.QueryEscape(tok), "verify asks about this very token")
	})
	cases := []struct {
		name   string
		verify answer
		code   string
	}{
		{"expired token", answer{"GET", verify, 0, "line/verify-expired.json"}, ""},
		{"verify refuses the token", answer{"GET", verify, 400, "line/verify-invalid.json"}, "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := providerWith(t, answer{"GET", profile, 0, "line/profile.json"}, tc.verify)
			_, err := authenticate(t, b, c, tok)
			require.ErrorIs(t, err, socialauth.ErrInvalidToken)
			if tc.code != "" {
				var pe *socialauth.ProviderError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, tc.code, pe.Code)
			}
		})
	}
	t.Run("no channel id configured is a configuration error", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", profile, 0, "line/profile.json"}, answer{"GET", verify, 0, "line/verify.json"})
		_, err := authenticate(t, backends.Line(backends.Settings{}), c, tok)
		require.ErrorIs(t, err, socialauth.ErrAuthFailed)
		assert.NotErrorIs(t, err, socialauth.ErrInvalidToken)
	})
}

func TestMailRuAnswer(t *testing.T) {
	const userinfo = "https://oauth.mail.ru/userinfo"
	b := backends.MailRu(mailruSettings)
	t.Run("an error answered with 200 is a refusal", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", userinfo, 0, "mailru/error-invalid-token.json"})
		_, err := authenticate(t, b, c, "mailru-token-1")
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	})
	t.Run("the uid is the id, not the email PSA uses", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", userinfo, 0, "mailru/userinfo.json"})
		p, err := authenticate(t, b, c, "mailru-token-2")
		require.NoError(t, err)
		assert.Equal(t, "1734604429", p.UID)
		assert.False(t, p.Details.EmailVerified, "Mail.ru does not say")
	})
}

func TestKakaoAppID(t *testing.T) {
	const (
		me   = "https://kapi.kakao.com/v2/user/me"
		info = "https://kapi.kakao.com/v1/user/access_token_info"
		tok  = "kakao-access-token-Qx7"
	)
	b := backends.Kakao(kakaoSettings)
	t.Run("token info of another user", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", me, 0, "kakao/me.json"}, answer{"GET", info, 0, "kakao/token-info-other-user.json"})
		_, err := authenticate(t, b, c, tok)
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	})
	t.Run("the REST API key alone cannot check tokens", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", me, 0, "kakao/me.json"}, answer{"GET", info, 0, "kakao/token-info.json"})
		_, err := authenticate(t, backends.Kakao(backends.Settings{Key: kakaoSettings.Key}), c, tok)
		require.ErrorIs(t, err, socialauth.ErrAuthFailed)
		assert.Contains(t, err.Error(), "numeric app id")
	})
	t.Run("an email Kakao calls invalid is not verified", func(t *testing.T) {
		// The mapper alone, through a backend without the token check.
		c, _ := providerWith(t, answer{"GET", me, 0, "kakao/me-email-invalid.json"})
		p, err := authenticate(t, backends.NewOAuth2(backends.Provider{Name: "k", UserInfoURL: me, User: b.Provider().User}), c, tok)
		require.NoError(t, err)
		assert.Equal(t, "apeach@example.com", p.Details.Email)
		assert.False(t, p.Details.EmailVerified, "is_email_verified without is_email_valid")
	})
	t.Run("FromEnv requires the app id", func(t *testing.T) {
		env := map[string]string{"SOCIAL_AUTH_KAKAO_KEY": kakaoSettings.Key, "SOCIAL_AUTH_KAKAO_SECRET": kakaoSettings.Secret}
		lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
		_, err := backends.FromEnv(lookup)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "SOCIAL_AUTH_KAKAO_AUDIENCE")
		env["SOCIAL_AUTH_KAKAO_AUDIENCE"] = "1234567"
		bs, err := backends.FromEnv(lookup)
		require.NoError(t, err)
		require.Len(t, bs, 1)
		assert.Equal(t, "kakao", bs[0].Name())
	})
}

func TestGiteaIntrospection(t *testing.T) {
	const tok = "gta_4f1e2d3c4b5a69788796a5b4c3d2e1f0"
	site := "https://git.example.org"
	s := giteaSettings
	s.BaseURL = site + "/"
	b := backends.Gitea(s)
	user := answer{"GET", site + "/api/v1/user", 0, "gitea/user.json"}
	emails := answer{"GET", site + "/api/v1/user/emails", 0, "gitea/emails.json"}
	check := func(file string, status int) answer {
		return answer{"POST", site + "/login/oauth/introspect", status, file}
	}

	t.Run("self-hosted server, app credentials in Basic, token in the form", func(t *testing.T) {
		c, mock := providerWith(t, user, emails, check("gitea/introspect.json", 0))
		p, err := authenticate(t, b, c, tok)
		require.NoError(t, err)
		assert.Equal(t, "7", p.UID)
		assert.Equal(t, "Foo Bar", p.Details.FullName, "read from full_name")
		assert.Equal(t, site+"/login/oauth/authorize", b.Provider().AuthURL)
		var introspected bool
		for _, r := range mock.reqs {
			if r.Method != "POST" {
				continue
			}
			introspected = true
			id, secret, ok := r.BasicAuth()
			require.True(t, ok)
			assert.Equal(t, s.Key, id)
			assert.Equal(t, s.Secret, secret)
			require.NoError(t, r.ParseForm())
			assert.Equal(t, tok, r.PostForm.Get("token"))
			assert.Empty(t, r.URL.RawQuery)
		}
		assert.True(t, introspected)
	})
	t.Run("unverified email", func(t *testing.T) {
		c, _ := providerWith(t, user, answer{"GET", site + "/api/v1/user/emails", 0, "gitea/emails-unverified.json"}, check("gitea/introspect.json", 0))
		p, err := authenticate(t, b, c, tok)
		require.NoError(t, err)
		assert.Equal(t, "foo@example.org", p.Details.Email)
		assert.False(t, p.Details.EmailVerified)
	})
	cases := []struct {
		name  string
		check answer
		want  error
	}{
		{"token of another user", check("gitea/introspect-other-user.json", 0), socialauth.ErrInvalidToken},
		{"inactive token", check("gitea/introspect-inactive.json", 0), socialauth.ErrInvalidToken},
		{"server without introspection", check("gitea/not-found.json", 404), socialauth.ErrAuthFailed},
		{"app credentials refused", check("gitea/error-401.json", 401), socialauth.ErrInvalidToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := providerWith(t, user, emails, tc.check)
			_, err := authenticate(t, b, c, tok)
			require.ErrorIs(t, err, tc.want)
			noSecretIn(t, err.Error(), tok, s.Secret, base64.StdEncoding.EncodeToString([]byte(s.Key+":"+s.Secret)))
		})
	}
	t.Run("missing secret is a clear configuration error", func(t *testing.T) {
		c, _ := providerWith(t, user, emails)
		_, err := authenticate(t, backends.Gitea(backends.Settings{Key: s.Key, BaseURL: site}), c, tok)
		require.ErrorIs(t, err, socialauth.ErrAuthFailed)
		assert.Contains(t, err.Error(), "client id and secret")
	})
}
