package backends_test

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
)

// What each provider does beyond the scenarios every backend passes
// (providers_test.go): its own requests, answers and mapping rules.

func TestGitLab(t *testing.T) {
	const tok = "glpat-oauth-7c1e4b2a9d8f6e3c"
	user, info := "https://gitlab.com/api/v4/user", "https://gitlab.com/oauth/token/info"
	userinfo := "https://gitlab.com/oauth/userinfo"
	ok := []answer{{"GET", user, 0, "gitlab/user.json"}, {"GET", info, 0, "gitlab/check.json"}, {"GET", userinfo, 0, "gitlab/userinfo.json"}}
	b := backends.GitLab(gitlabSettings)

	t.Run("token sent as a bearer header, never in the URL", func(t *testing.T) {
		_, rec, err := login(t, b, tok, ok...)
		require.NoError(t, err)
		for _, u := range []string{user, info, userinfo} {
			r := requestTo(t, rec, "GET", u)
			assert.Equal(t, "Bearer "+tok, r.Header.Get("Authorization"))
			assert.Empty(t, r.URL.RawQuery)
		}
	})
	t.Run("self-managed instance, unconfirmed account", func(t *testing.T) {
		s := gitlabSettings
		s.BaseURL = "https://gitlab.example.com/"
		p, _, err := login(t, backends.GitLab(s), tok, answer{"GET", "https://gitlab.example.com/api/v4/user", 0, "gitlab/user-unconfirmed.json"},
			answer{"GET", "https://gitlab.example.com/oauth/token/info", 0, "gitlab/check-unconfirmed.json"},
			answer{"GET", "https://gitlab.example.com/oauth/userinfo", 0, "gitlab/userinfo-unconfirmed.json"})
		require.NoError(t, err)
		checkGolden(t, "gitlab/user-unconfirmed", p)
		assert.False(t, p.Details.EmailVerified, "userinfo says email_verified false")
		assert.Equal(t, "https://gitlab.example.com/oauth/authorize", backends.GitLab(s).Provider().AuthURL)
	})
	// GitLab documents email_verified in its OpenID Connect userinfo; the
	// account's confirmed_at (set by an instance that skips confirmation)
	// proves nothing of the email.
	t.Run("confirmed account, unverified email", func(t *testing.T) {
		p, _, err := login(t, b, tok, ok[0], ok[1], answer{"GET", userinfo, 0, "gitlab/userinfo-unverified.json"})
		require.NoError(t, err)
		assert.Equal(t, "ada@analytical-engine.example", p.Details.Email)
		assert.False(t, p.Details.EmailVerified, "confirmed_at is not email verification")
	})
	t.Run("token without the openid scope: email unverified", func(t *testing.T) {
		p, _, err := login(t, b, tok, ok[0], ok[1], answer{"GET", userinfo, 403, "gitlab/insufficient-scope.json"})
		require.NoError(t, err)
		assert.Equal(t, "1738291", p.UID)
		assert.False(t, p.Details.EmailVerified)
	})
	t.Run("userinfo about another user is refused", func(t *testing.T) {
		_, _, err := login(t, b, tok, ok[0], ok[1], answer{"GET", userinfo, 0, "gitlab/userinfo-other-user.json"})
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	})
	t.Run("userinfo down", func(t *testing.T) {
		_, _, err := login(t, b, tok, ok[0], ok[1], answer{"GET", userinfo, 502, "gitlab/error.json"})
		require.ErrorIs(t, err, socialauth.ErrProviderUnavailable)
	})
	t.Run("a second client id is accepted", func(t *testing.T) {
		p, _, err := login(t, backends.GitLab(backends.Settings{Key: "web-app-id", ClientIDs: []string{gitlabSettings.Key}}), tok, ok...)
		require.NoError(t, err)
		assert.Equal(t, "1738291", p.UID)
	})
}

func TestDiscord(t *testing.T) {
	const tok = "MTQ0NjY2MTYyODQ2NjYxODU2.discord-user-token"
	user, auth := "https://discord.com/api/v10/users/@me", "https://discord.com/api/v10/oauth2/@me"
	b := backends.Discord(backends.Settings{Key: "159799960412356608", Secret: "discord-secret-9f1c"})
	t.Run("every URL pins API version 10", func(t *testing.T) {
		_, rec, err := login(t, b, tok, answer{"GET", user, 0, "discord/user.json"}, answer{"GET", auth, 0, "discord/check.json"})
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"GET " + user, "GET " + auth}, rec.urls())
		p := b.Provider()
		for _, u := range []string{p.AuthURL, p.TokenURL} {
			assert.True(t, strings.HasPrefix(u, "https://discord.com/api/v10/"), u)
		}
	})
	t.Run("unverified email", func(t *testing.T) {
		p, _, err := login(t, b, tok, answer{"GET", user, 0, "discord/user-unverified.json"}, answer{"GET", auth, 0, "discord/check.json"})
		require.NoError(t, err)
		assert.Equal(t, "nelly@discord.com", p.Details.Email)
		assert.False(t, p.Details.EmailVerified)
	})
}

// TestSlack: Sign in with Slack is OpenID Connect. Its userinfo is a POST
// with the Bearer token; Slack refuses with HTTP 200 and {"ok": false}.
func TestSlack(t *testing.T) {
	const tok = "xoxp-2048-4096-8192-slackusertoken"
	userinfo := "https://slack.com/api/openid.connect.userInfo"
	s := backends.Settings{Key: "2048.4096", Secret: "slack-secret-41ab"}
	b := backends.Slack(s)
	t.Run("userinfo: uid, team in the username, verified email", func(t *testing.T) {
		p, rec, err := login(t, b, tok, answer{"POST", userinfo, 0, "slack/userinfo.json"})
		require.NoError(t, err)
		assert.Equal(t, "U0R7JM", p.UID)
		assert.Equal(t, "krane@kraneflannel", p.Details.Username, "PSA's username: the email's local part @ the team name")
		assert.True(t, p.Details.EmailVerified)
		r := requestTo(t, rec, "POST", userinfo)
		assert.Equal(t, "Bearer "+tok, r.Header.Get("Authorization"))
	})
	t.Run("email_verified false", func(t *testing.T) {
		p, _, err := login(t, b, tok, answer{"POST", userinfo, 0, "slack/userinfo-email-unverified.json"})
		require.NoError(t, err)
		assert.Equal(t, "krane@slack-corp.com", p.Details.Email)
		assert.False(t, p.Details.EmailVerified)
	})
	t.Run("username without a team name", func(t *testing.T) {
		p, _, err := login(t, b, tok, answer{"POST", userinfo, 0, "slack/userinfo-no-team-name.json"})
		require.NoError(t, err)
		assert.Equal(t, "U0R7JM", p.UID)
		assert.Equal(t, "Sonny Whether", p.Details.Username, "no email: the name, and no @team")
	})
	for file, want := range map[string]error{
		"slack/invalid-auth.json":  socialauth.ErrInvalidToken,
		"slack/missing-scope.json": socialauth.ErrInvalidToken,
		"slack/ratelimited.json":   socialauth.ErrProviderUnavailable,
	} {
		t.Run("ok false with HTTP 200 is an error: "+file, func(t *testing.T) {
			p, _, err := login(t, b, tok, answer{"POST", userinfo, 0, file})
			require.ErrorIs(t, err, want)
			assert.Nil(t, p)
		})
	}
}

func TestBitbucketOAuth2(t *testing.T) {
	const tok = "bb-access-token-Jk7Qx2Lm9"
	api := "https://api.bitbucket.org/2.0"
	user := answer{"GET", api + "/user", 0, "bitbucket-oauth2/user.json"}
	emails := func(status int, file string) answer {
		return answer{"GET", api + "/user/emails", status, "bitbucket-oauth2/" + file}
	}
	b := backends.BitbucketOAuth2(backends.Settings{Key: "bbConsumerKey", Secret: "bb-consumer-secret"})
	t.Run("unconfirmed primary email is not verified", func(t *testing.T) {
		p, rec, err := login(t, b, tok, user, emails(0, "emails-unconfirmed.json"))
		require.NoError(t, err)
		assert.Equal(t, "{c788b2da-b7a2-404c-9e26-d3f077557007}", p.UID)
		assert.Equal(t, "tutorials@example.com", p.Details.Email)
		assert.False(t, p.Details.EmailVerified)
		assert.Equal(t, "Bearer "+tok, requestTo(t, rec, "GET", api+"/user/emails").Header.Get("Authorization"))
	})
	t.Run("no email permission: a login without email", func(t *testing.T) {
		p, _, err := login(t, b, tok, user, emails(403, "forbidden.json"))
		require.NoError(t, err)
		assert.Empty(t, p.Details.Email)
		assert.False(t, p.Details.EmailVerified)
	})
	t.Run("emails endpoint down", func(t *testing.T) {
		_, _, err := login(t, b, tok, user, emails(502, "error.json"))
		require.ErrorIs(t, err, socialauth.ErrProviderUnavailable)
	})
}

func TestAmazon(t *testing.T) {
	const tok = "Atza|IQEBLjAsAhRmHjNgHpi0U-Dme37rR6CuUpSR"
	profile, info := "https://api.amazon.com/user/profile", "https://api.amazon.com/auth/o2/tokeninfo"
	ok := []answer{{"GET", profile, 0, "amazon/user.json"}, {"GET", info, 0, "amazon/check.json"}}
	b := backends.Amazon(amazonSettings)
	t.Run("tokeninfo is asked about this very token", func(t *testing.T) {
		p, rec, err := login(t, b, tok, ok...)
		require.NoError(t, err)
		assert.False(t, p.Details.EmailVerified, "Amazon does not say")
		assert.Equal(t, tok, requestTo(t, rec, "GET", info).URL.Query().Get("access_token"))
	})
	t.Run("token issued to the iOS client id", func(t *testing.T) {
		p, _, err := login(t, backends.Amazon(backends.Settings{Key: "amzn1.application-oa2-client.web", ClientIDs: []string{amazonSettings.Key}}), tok, ok...)
		require.NoError(t, err)
		assert.Equal(t, "amzn1.account.K2LI23KL2LK2", p.UID)
	})
}

func TestSpotify(t *testing.T) {
	const tok = "BQDJ-spotify-user-token-0x5f"
	me := "https://api.spotify.com/v1/me"
	b := backends.Spotify(backends.Settings{Key: "spotify-client", Secret: "spotify-secret-c3", Scope: []string{"user-read-email"}})
	t.Run("display_name null", func(t *testing.T) {
		p, _, err := login(t, b, tok, answer{"GET", me, 0, "spotify/user-no-name.json"})
		require.NoError(t, err)
		assert.Equal(t, "31l77fd6xyz", p.UID)
		assert.Equal(t, "31l77fd6xyz", p.Details.Username)
		assert.Empty(t, p.Details.FullName)
	})
	assert.Equal(t, []string{"user-read-email"}, b.Provider().Scopes)
}

func TestTwitch(t *testing.T) {
	const tok = "cfabdegwdoklmawdzdo98xt2fo512y"
	users, validate := "https://api.twitch.tv/helix/users", "https://id.twitch.tv/oauth2/validate"
	t.Run("validate with the OAuth scheme, Helix with the token's client id", func(t *testing.T) {
		s := backends.Settings{Key: "web-client-id", ClientIDs: []string{twitchSettings.Key}}
		p, rec, err := login(t, backends.Twitch(s), tok, answer{"GET", users, 0, "twitch/user.json"}, answer{"GET", validate, 0, "twitch/check.json"})
		require.NoError(t, err)
		assert.Equal(t, "141981764", p.UID)
		assert.Equal(t, "OAuth "+tok, requestTo(t, rec, "GET", validate).Header.Get("Authorization"))
		assert.Equal(t, twitchSettings.Key, requestTo(t, rec, "GET", users).Header.Get("Client-Id"), "the client the token was issued to, not Key")
		assert.NotContains(t, string(p.Raw), `"data"`, "Raw is the user object, as PSA's user_data returns it")
		assert.Contains(t, string(p.Raw), `"login": "twitchdev"`)
	})
}

func TestReddit(t *testing.T) {
	const tok = "1234567890-reddit-bearer-QwErTy"
	me := "https://oauth.reddit.com/api/v1/me.json"
	b := backends.Reddit(backends.Settings{Key: "reddit-client", Secret: "reddit-secret-0e9"})
	t.Run("a descriptive User-Agent", func(t *testing.T) {
		p, rec, err := login(t, b, tok, answer{"GET", me, 0, "reddit/user.json"})
		require.NoError(t, err)
		assert.Empty(t, p.Details.Email)
		assert.Contains(t, requestTo(t, rec, "GET", me).Header.Get("User-Agent"), "socialauth")
	})
	t.Run("current hosts, not the legacy ssl.reddit.com", func(t *testing.T) {
		p := b.Provider()
		assert.Equal(t, "https://www.reddit.com/api/v1/authorize", p.AuthURL)
		assert.Equal(t, "https://www.reddit.com/api/v1/access_token", p.TokenURL)
		assert.Equal(t, "https://oauth.reddit.com/api/v1/me.json", p.UserInfoURL)
	})
}

func TestDropboxOAuth2(t *testing.T) {
	const tok = "sl.u.AbX9y6Fe3AuH5o66-dropbox-token"
	account := "https://api.dropboxapi.com/2/users/get_current_account"
	b := backends.DropboxOAuth2(backends.Settings{Key: "dropbox-app-key", Secret: "dropbox-secret-88"})
	t.Run("uid is account_id, each user their own (PSA gives everyone None)", func(t *testing.T) {
		uids := map[string]bool{}
		for _, f := range []string{"dropbox-oauth2/user.json", "dropbox-oauth2/user-unverified.json"} {
			p, rec, err := login(t, b, tok, answer{"POST", account, 0, f})
			require.NoError(t, err)
			assert.NotContains(t, []string{"", "None"}, p.UID)
			uids[p.UID] = true
			assert.Empty(t, requestTo(t, rec, "POST", account).Header.Get("Content-Type"), "an RPC call without arguments has no body")
		}
		assert.Len(t, uids, 2)
	})
	t.Run("unverified email", func(t *testing.T) {
		p, _, err := login(t, b, tok, answer{"POST", account, 0, "dropbox-oauth2/user-unverified.json"})
		require.NoError(t, err)
		assert.Equal(t, "newcomer@example.com", p.Details.Email)
		assert.False(t, p.Details.EmailVerified)
	})
}

func TestYandexOAuth2(t *testing.T) {
	const tok = "y0_AgAAAAAGPhhBAATuwQAAAAEAwcZxAAC1-yandex"
	info := "https://login.yandex.ru/info"
	b := backends.YandexOAuth2(yandexSettings)
	t.Run("token in the OAuth header, never in the URL", func(t *testing.T) {
		_, rec, err := login(t, b, tok, answer{"GET", info, 0, "yandex-oauth2/user.json"})
		require.NoError(t, err)
		r := requestTo(t, rec, "GET", info)
		assert.Equal(t, "OAuth "+tok, r.Header.Get("Authorization"))
		assert.Equal(t, "format=json", r.URL.RawQuery)
	})
	t.Run("email from emails, username from display_name", func(t *testing.T) {
		p, _, err := login(t, b, tok, answer{"GET", info, 0, "yandex-oauth2/user-emails-only.json"})
		require.NoError(t, err)
		assert.Equal(t, "1130000061052811", p.UID)
		assert.Equal(t, "pasha.k@yandex.ru", p.Details.Email)
		assert.False(t, p.Details.EmailVerified)
		assert.Equal(t, "pasha.k", p.Details.Username)
	})
	t.Run("token of the mobile client id", func(t *testing.T) {
		s := backends.Settings{Key: "web", ClientIDs: []string{"9f2e1d3c4b5a69788f7e6d5c4b3a2910"}}
		p, _, err := login(t, backends.YandexOAuth2(s), tok, answer{"GET", info, 0, "yandex-oauth2/user-other-app.json"})
		require.NoError(t, err)
		assert.Equal(t, "1000034426", p.UID)
	})
}

func TestVKOAuth2(t *testing.T) {
	const tok = "vk1.a.Wv3sW4-user-access-token"
	users, check := "https://api.vk.ru/method/users.get", "https://api.vk.ru/method/secure.checkToken"
	vk := func(url, file string) answer { return answer{"GET", url, 0, "vk-oauth2/" + file} }
	b := backends.VKOAuth2(vkSettings)
	t.Run("requests", func(t *testing.T) {
		p, rec, err := login(t, b, tok, vk(users, "user.json"), vk(check, "check.json"))
		require.NoError(t, err)
		assert.Equal(t, "210700286", p.UID)
		assert.Contains(t, string(p.Raw), `"screen_name": "lindseystirling"`)
		assert.NotContains(t, string(p.Raw), `"response"`, "Raw is the user object")
		u := requestTo(t, rec, "GET", users).URL.Query()
		assert.Equal(t, tok, u.Get("access_token"))
		assert.Equal(t, "5.131", u.Get("v"))
		q := requestTo(t, rec, "GET", check).URL.Query()
		assert.Equal(t, tok, q.Get("token"))
		assert.Equal(t, vkSettings.APIKey, q.Get("access_token"), "checkToken is asked with the service key")
	})
	t.Run("a VK ID access token takes the same checks; the browser flow is VK ID's", func(t *testing.T) {
		const vkid = "vk2.a.Xt4m9Qv2-vkid-user-access-token" // id.vk.com/oauth2/auth issues these, valid for an hour
		p, rec, err := login(t, b, vkid, vk(users, "user.json"), vk(check, "check.json"))
		require.NoError(t, err)
		assert.Equal(t, "210700286", p.UID, "VK ID's user_id is the VK user id PSA stored")
		assert.Equal(t, vkid, requestTo(t, rec, "GET", check).URL.Query().Get("token"))
		assert.Equal(t, "https://id.vk.com/authorize", b.Provider().AuthURL)
		assert.Equal(t, "https://id.vk.com/oauth2/auth", b.Provider().TokenURL)
		assert.Contains(t, b.Doc().TokenCheck, "VK ID")
	})
	// PSA swallows VK's errors and logs the caller in as a previous user.
	cases := []struct {
		name     string
		answers  []answer
		want     error
		wantCode string
	}{
		{"error 5 with HTTP 200 is an invalid token, never a profile", []answer{vk(users, "user-token-revoked.json"), vk(check, "check.json")}, socialauth.ErrInvalidToken, "5"},
		{"error 10 is an outage", []answer{vk(users, "internal-error.json"), vk(check, "check.json")}, socialauth.ErrProviderUnavailable, "10"},
		{"HTTP 500", []answer{{"GET", users, 500, "vk-oauth2/internal-error.json"}, {"GET", check, 500, "vk-oauth2/internal-error.json"}}, socialauth.ErrProviderUnavailable, ""},
		{"wrong service key is a configuration error", []answer{vk(users, "user.json"), vk(check, "bad-service-key.json")}, socialauth.ErrAuthFailed, "28"},
		{"neither response nor error", []answer{vk(users, "neither.json"), vk(check, "check.json")}, socialauth.ErrProviderUnavailable, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, _, err := login(t, b, tok, tc.answers...)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, p)
			noSecretIn(t, err.Error(), tok, vkSettings.Secret, vkSettings.APIKey)
			if tc.wantCode != "" {
				requireProviderCode(t, err, tc.wantCode)
			}
		})
	}
}

func TestInstagram(t *testing.T) {
	const tok = "IGAAN7rZCLKZBZAmUgetQ0Zhc-instagram-user-token"
	me := "https://graph.instagram.com/me"
	b := backends.Instagram(instagramSettings)
	t.Run("only the documented /me, asked with the token and the fields", func(t *testing.T) {
		p, rec, err := login(t, b, tok, answer{"GET", me, 0, "instagram/user.json"})
		require.NoError(t, err)
		assert.Equal(t, "7316448938407651", p.UID, "the app-scoped id, as PSA stores it")
		q := requestTo(t, rec, "GET", me).URL.Query()
		assert.Equal(t, tok, q.Get("access_token"))
		assert.Equal(t, "id,user_id,username,name,profile_picture_url", q.Get("fields"))
		assert.Len(t, rec.urls(), 1, "no call Meta does not document (graph.instagram.com/debug_token)")
	})
	t.Run("graph error fields are kept", func(t *testing.T) {
		_, _, err := login(t, b, tok, answer{"GET", me, 400, "instagram/error.json"})
		requireProviderCode(t, err, "OAuthException.190")
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	})
	t.Run("the doc says there is no check", func(t *testing.T) {
		d := b.Doc()
		assert.False(t, d.ChecksAudience)
		assert.True(t, strings.HasPrefix(d.TokenCheck, "none"), d.TokenCheck)
	})
}

func TestStackOverflow(t *testing.T) {
	const tok = "zFrzUT2VqTHgo8xJtN8nSA))"
	me := "https://api.stackexchange.com/2.3/me"
	s := stackSettings
	b := backends.StackOverflow(s)
	t.Run("the token as a bearer header, only the site in the query; Raw is the user", func(t *testing.T) {
		p, rec, err := login(t, b, tok, answer{"GET", me, 0, "stackoverflow/user.json"})
		require.NoError(t, err)
		r := requestTo(t, rec, "GET", me)
		assert.Equal(t, "Bearer "+tok, r.Header.Get("Authorization"), "Stack Exchange takes tokens only in the header since June 2026")
		assert.Equal(t, url.Values{"site": {"stackoverflow"}}, r.URL.Query(), "no key, no token in the URL")
		assert.Contains(t, string(p.Raw), `"user_id": 22656`)
		assert.NotContains(t, string(p.Raw), "quota_max")
	})
}

func TestLinkedInOAuth2(t *testing.T) {
	const tok = "AQUvlL_DYEzvT2wz1QJiEPeLioeA-linkedin"
	me, introspect := "https://api.linkedin.com/v2/me", "https://www.linkedin.com/oauth/v2/introspectToken"
	b := backends.LinkedInOAuth2(linkedinSettings)
	t.Run("requests", func(t *testing.T) {
		_, rec, err := login(t, b, tok, answer{"GET", me, 0, "linkedin-oauth2/user.json"}, answer{"POST", introspect, 0, "linkedin-oauth2/check.json"})
		require.NoError(t, err)
		assert.Equal(t, "(firstName,id,lastName,profilePicture(displayImage~:playableStreams))", requestTo(t, rec, "GET", me).URL.Query().Get("projection"))
		assert.Equal(t, "application/x-www-form-urlencoded", requestTo(t, rec, "POST", introspect).Header.Get("Content-Type"))
	})
	t.Run("names in the preferred locale", func(t *testing.T) {
		p, _, err := login(t, b, tok, answer{"GET", me, 0, "linkedin-oauth2/user-other-locale.json"}, answer{"POST", introspect, 0, "linkedin-oauth2/check.json"})
		require.NoError(t, err)
		assert.Equal(t, "REOH6Pp0aZ", p.UID)
		assert.Equal(t, "JürgenMüller", p.Details.Username)
		assert.Equal(t, "Jürgen Müller", p.Details.FullName)
	})
}

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
		{"verify refuses the token", answer{"GET", verify, 400, "line/verify-invalid.json"}, "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := providerWith(t, answer{"GET", profile, 0, "line/profile.json"}, tc.verify)
			_, err := authenticate(t, b, c, tok)
			require.ErrorIs(t, err, socialauth.ErrInvalidToken)
			if tc.code != "" {
				requireProviderCode(t, err, tc.code)
			}
		})
	}
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
		{"server without introspection", check("gitea/not-found.json", 404), socialauth.ErrProviderUnavailable},
		{"app credentials refused", check("gitea/error-401.json", 401), socialauth.ErrAuthFailed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := providerWith(t, user, emails, tc.check)
			_, err := authenticate(t, b, c, tok)
			require.ErrorIs(t, err, tc.want)
			noSecretIn(t, err.Error(), tok, s.Secret, base64.StdEncoding.EncodeToString([]byte(s.Key+":"+s.Secret)))
		})
	}
}

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
}

func TestEmailVerifiedOnlyWhenTheProviderSays(t *testing.T) {
	cases := []struct {
		backend, url, file string
		email              string
		verified           bool
	}{
		{"paypal-oauth2", "https://api-m.paypal.com/v1/identity/openidconnect/userinfo", "paypal-oauth2/userinfo-unconfirmed.json", "newbuyer@example.com", false},
		{"patreon", "https://www.patreon.com/api/oauth2/v2/identity", "patreon/identity-unverified.json", "new.patron@example.com", false},
		{"zoom-oauth2", "https://api.zoom.us/v2/users/me", "zoom-oauth2/users-me-unverified.json", "pat@example.com", false},
		{"zoom-oauth2", "https://api.zoom.us/v2/users/me", "zoom-oauth2/users-me.json", "jchill@example.com", false}, // verified: 1 is the account's flag
		{"digitalocean", "https://api.digitalocean.com/v2/account", "digitalocean/account-unverified.json", "new@example.com", false},
		{"atlassian", "https://api.atlassian.com/me", "atlassian/me-no-email-verified.json", "contractor@example.net", false},
		{"atlassian", "https://api.atlassian.com/me", "atlassian/me.json", "mia@example.com", false}, // the documented /me: no email_verified
		{"atlassian", "https://api.atlassian.com/me", "atlassian/me-undocumented-email-verified.json", "mia@example.com", false},
		{"naver", "https://openapi.naver.com/v1/nid/me", "naver/me.json", "openapi@naver.com", false},
		{"coinbase", "https://api.coinbase.com/v2/user", "coinbase/user.json", "user1@example.com", false},
		{"box", "https://api.box.com/2.0/users/me", "box/users-me.json", "ceo@example.com", false},
		{"yahoo-oauth2", "https://api.login.yahoo.com/openid/v1/userinfo", "yahoo-oauth2/userinfo.json", "janedoe@yahoo.com", true},
		{"twitter-oauth2", "https://api.x.com/2/users/me", "twitter-oauth2/users-me-email.json", "grace@example.com", true}, // confirmed_email
		{"twitter-oauth2", "https://api.x.com/2/users/me", "twitter-oauth2/users-me.json", "", false},                       // no users.email scope
	}
	for _, tc := range cases {
		t.Run(tc.backend+" "+tc.file, func(t *testing.T) {
			b, err := backends.ByName(tc.backend, plainSettings)
			require.NoError(t, err)
			c, _ := providerWith(t, answer{"GET", tc.url, 0, tc.file})
			p, err := authenticate(t, b, c, "access-token-5f0c2a9d7e")
			require.NoError(t, err)
			assert.Equal(t, tc.email, p.Details.Email)
			assert.Equal(t, tc.verified, p.Details.EmailVerified, "verified only when the provider says so")
		})
	}
}

func TestPayPalUserID(t *testing.T) {
	const userinfo = "https://api-m.paypal.com/v1/identity/openidconnect/userinfo"
	b := backends.PayPalOAuth2(plainSettings)
	t.Run("odd user_id: kept verbatim, no crash, no email", func(t *testing.T) {
		c, mock := providerWith(t, answer{"GET", userinfo, 0, "paypal-oauth2/userinfo-odd-id.json"})
		p, err := authenticate(t, b, c, "paypal-token")
		require.NoError(t, err)
		assert.Equal(t, "mWq6_1sU85v5EG9yHdPxJRrhGHrnMJ-1PQKtX6pcsmA/", p.UID)
		assert.Empty(t, p.Details.Username, "nothing after the last slash")
		assert.Empty(t, p.Details.Email)
		assert.Equal(t, "openid", mock.reqs[0].URL.Query().Get("schema"), "the documented OpenID Connect schema")
	})
}

func TestRequestShapes(t *testing.T) {
	t.Run("twitter-oauth2 asks for the user fields it maps", func(t *testing.T) {
		c, mock := providerWith(t, answer{"GET", "https://api.x.com/2/users/me", 0, "twitter-oauth2/users-me.json"})
		_, err := authenticate(t, backends.TwitterOAuth2(plainSettings), c, "x-token")
		require.NoError(t, err)
		assert.Contains(t, mock.reqs[0].URL.Query().Get("user.fields"), "username")
		assert.Contains(t, mock.reqs[0].URL.Query().Get("user.fields"), "confirmed_email")
		assert.Contains(t, backends.TwitterOAuth2(plainSettings).Provider().Scopes, "users.email", "X gives the email only with this scope")
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

const (
	googleUserInfo  = "https://openidconnect.googleapis.com/v1/userinfo"
	googleTokenInfo = "https://oauth2.googleapis.com/tokeninfo"
)

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
	t.Run("aud and azp must both be ours", func(t *testing.T) {
		for _, b := range []socialauth.Backend{b, backends.GoogleOIDC(googleSettings)} {
			for _, file := range []string{"google-oauth2/tokeninfo-other-azp.json", "google-oauth2/tokeninfo-other-aud.json"} {
				c, _ := providerWith(t, answer{"GET", googleUserInfo, 0, "google-oauth2/userinfo.json"}, answer{"GET", googleTokenInfo, 0, file})
				_, err := authenticate(t, b, c, tok)
				require.ErrorIs(t, err, socialauth.ErrInvalidToken, "%s: %s", b.Name(), file)
				assert.Contains(t, err.Error(), "another app")
			}
		}
	})
	t.Run("expired token: Google's error code is kept", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", googleUserInfo, 401, "google-oauth2/tokeninfo-invalid.json"}, answer{"GET", googleTokenInfo, 400, "google-oauth2/tokeninfo-invalid.json"})
		_, err := authenticate(t, b, c, tok)
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
		requireProviderCode(t, err, "invalid_token")
	})
	t.Run("unverified workspace email is not trusted", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", googleUserInfo, 0, "google-oauth2/userinfo-workspace-unverified.json"},
			answer{"GET", googleTokenInfo, 0, "google-oauth2/tokeninfo-ios.json"})
		_, err := authenticate(t, b, c, tok)
		require.ErrorIs(t, err, socialauth.ErrInvalidToken, "sub mismatch again: the fixture user differs")
		// Map the profile alone to check the verified rule.
		c, _ = providerWith(t, answer{"GET", googleUserInfo, 0, "google-oauth2/userinfo-workspace-unverified.json"})
		p, err := authenticate(t, backends.NewOAuth2(backends.Provider{Name: "g", UserInfoURL: googleUserInfo, User: b.Provider().User}), c, tok)
		require.NoError(t, err)
		checkGolden(t, "google-oauth2/userinfo-workspace-unverified", p)
		assert.False(t, p.Details.EmailVerified)
	})
}

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
		// debug_token's proof is over the token it is asked with, the app token (Python's hmac again).
		assert.Equal(t, "d21be44464134d687d7983f1669a8199bd824417962765653e891c0fb1fee94f", debugQuery.Get("appsecret_proof"),
			"debug_token carries appsecret_proof too")
	})
	t.Run("graph error fields are kept", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", me, 400, "facebook/me-expired.json"}, answer{"GET", debug, 0, "facebook/debug_token.json"})
		_, err := authenticate(t, b, c, tok)
		var pe *backends.ProviderError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, 400, pe.StatusCode)
		assert.Equal(t, "OAuthException.190", pe.Code)
		require.ErrorIs(t, err, socialauth.ErrInvalidToken, "Graph's 190 is an invalid token")
		assert.NotContains(t, err.Error(), "Session has expired", "the provider's message stays out of errors")
	})
}

func TestGitHub(t *testing.T) {
	b := backends.GitHub(githubSettings)
	api := "https://api.github.com"
	check := api + "/applications/" + githubSettings.Key + "/token"
	tok := "gho_16C7e42F292c6912E7710c838347Ae178B4a"
	t.Run("email verified by /user/emails", func(t *testing.T) {
		c, mock := providerWith(t, answer{"GET", api + "/user", 0, "github/user.json"}, answer{"POST", check, 0, "github/check-token.json"},
			answer{"GET", api + "/user/emails", 0, "github/emails-octocat.json"})
		p, err := authenticate(t, b, c, tok)
		require.NoError(t, err)
		checkGolden(t, "github/user", p)
		assert.Equal(t, "583231", p.UID, "numeric id, not the login")
		assert.Len(t, mock.urls(), 3, "/user, /user/emails and the token check")
	})
	// GitHub documents /user's email as the public one, not as verified:
	// only /user/emails says which addresses are.
	for _, tc := range []struct {
		name   string
		emails answer
	}{
		{"public email that /user/emails lists unverified", answer{"GET", api + "/user/emails", 0, "github/emails-public-unverified.json"}},
		{"public email, no user:email scope (404)", answer{"GET", api + "/user/emails", 404, "github/not-found.json"}},
		{"public email, no user:email scope (403)", answer{"GET", api + "/user/emails", 403, "github/not-found.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := providerWith(t, answer{"GET", api + "/user", 0, "github/user.json"}, answer{"POST", check, 0, "github/check-token.json"}, tc.emails)
			p, err := authenticate(t, b, c, tok)
			require.NoError(t, err)
			assert.Equal(t, "octocat@github.com", p.Details.Email, "the public email, for display")
			assert.False(t, p.Details.EmailVerified, "never verified on /user's word alone")
		})
	}
	t.Run("/user/emails down", func(t *testing.T) {
		c, _ := providerWith(t, answer{"GET", api + "/user", 0, "github/user.json"}, answer{"POST", check, 0, "github/check-token.json"},
			answer{"GET", api + "/user/emails", 503, "github/not-found.json"})
		_, err := authenticate(t, b, c, tok)
		require.ErrorIs(t, err, socialauth.ErrProviderUnavailable)
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
			answer{"GET", "https://github.example.com/api/v3/user/emails", 0, "github/emails-octocat.json"},
			answer{"POST", "https://github.example.com/api/v3/applications/" + s.Key + "/token", 0, "github/check-token.json"})
		p, err := authenticate(t, backends.GitHub(s), c, tok)
		require.NoError(t, err)
		assert.Equal(t, "583231", p.UID)
	})
}

// TestProviderErrorKeepsNoDescription: a provider's free text (here an
// error_description that echoes the token) reaches no error; its short
// error code does, and decides the kind.
func TestProviderErrorKeepsNoDescription(t *testing.T) {
	tok := "tok-SECRET-1234567890"
	mock := answer{"GET", "https://api.example.com/me", 400, "redact/echo.json"}
	c, _ := providerWith(t, mock)
	b := backends.NewOAuth2(backends.Provider{Name: "echo", UserInfoURL: "https://api.example.com/me", User: func([]byte) (string, socialauth.Details, error) {
		return "", socialauth.Details{}, nil
	}})
	_, err := authenticate(t, b, c, tok)
	require.ErrorIs(t, err, socialauth.ErrProviderUnavailable, "invalid_request is not a refusal of the token")
	var pe *backends.ProviderError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "invalid_request", pe.Code)
	assert.Equal(t, "socialauth: provider unavailable: provider answered 400 invalid_request", err.Error())
}

// TestPictureOnlyFromWebAddresses: a picture address that is not an
// absolute http(s) URL (a script, a relative path such as Strava's
// placeholder) is dropped: hosts put AvatarURL into pages.
func TestPictureOnlyFromWebAddresses(t *testing.T) {
	user := backends.GitLab(gitlabSettings).Provider().User
	for raw, want := range map[string]string{
		"https://gitlab.com/uploads/a.png": "https://gitlab.com/uploads/a.png",
		"http://k.kakaocdn.net/dn/b.jpg":   "http://k.kakaocdn.net/dn/b.jpg",
		"javascript:alert(1)":              "",
		"data:image/png;base64,iVBORw0KGg": "",
		"avatar/athlete/large.png":         "",
		"//cdn.example.com/a.png":          "",
		"":                                 "",
	} {
		_, d, err := user([]byte(`{"id": 1, "avatar_url": ` + strconv.Quote(raw) + `}`))
		require.NoError(t, err)
		assert.Equal(t, want, d.AvatarURL, raw)
	}
}
