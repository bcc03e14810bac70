package backends_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
)

// Each test runs the shared scenarios of runGroupA, then what is peculiar
// to its provider.

var gitlabSettings = backends.Settings{Key: "3f6c0d8e1a9b47c25e0d7f8a6b4c2e19d0a7b3c5e8f1a2d4b6c9e0f3a5d7b8c1", Secret: "gloas-2c51d0e8b7a4"}

func TestGitLab(t *testing.T) {
	const tok = "glpat-oauth-7c1e4b2a9d8f6e3c"
	user, info := "https://gitlab.com/api/v4/user", "https://gitlab.com/oauth/token/info"
	ok := []answer{{"GET", user, 0, "gitlab/user.json"}, {"GET", info, 0, "gitlab/check.json"}}
	b := backends.GitLab(gitlabSettings)
	runGroupA(t, groupACase{b: b, token: tok, secrets: []string{gitlabSettings.Secret},
		user: endpoint{"GET", user}, check: &endpoint{"GET", info},
		refused: []string{"check-other-user.json", "check-no-owner.json"}, bearer: true,
		unconfigured: &backends.Settings{}, unconfiguredSays: "no client id"})

	t.Run("token sent as a bearer header, never in the URL", func(t *testing.T) {
		_, rec, err := login(t, b, tok, ok...)
		require.NoError(t, err)
		for _, u := range []string{user, info} {
			r := requestTo(t, rec, "GET", u)
			assert.Equal(t, "Bearer "+tok, r.Header.Get("Authorization"))
			assert.Empty(t, r.URL.RawQuery)
		}
	})
	t.Run("self-managed instance, unconfirmed account", func(t *testing.T) {
		s := gitlabSettings
		s.BaseURL = "https://gitlab.example.com/"
		p, _, err := login(t, backends.GitLab(s), tok, answer{"GET", "https://gitlab.example.com/api/v4/user", 0, "gitlab/user-unconfirmed.json"},
			answer{"GET", "https://gitlab.example.com/oauth/token/info", 0, "gitlab/check-unconfirmed.json"})
		require.NoError(t, err)
		checkGolden(t, "gitlab/user-unconfirmed", p)
		assert.False(t, p.Details.EmailVerified, "no confirmed_at: the email is not verified")
		assert.Equal(t, "https://gitlab.example.com/oauth/authorize", backends.GitLab(s).Provider().AuthURL)
	})
	t.Run("a second client id is accepted", func(t *testing.T) {
		p, _, err := login(t, backends.GitLab(backends.Settings{Key: "web-app-id", ClientIDs: []string{gitlabSettings.Key}}), tok, ok...)
		require.NoError(t, err)
		assert.Equal(t, "1738291", p.UID)
	})
}

func TestDiscord(t *testing.T) {
	const tok = "MTQ0NjY2MTYyODQ2NjYxODU2.discord-user-token"
	user, auth := "https://discord.com/api/users/@me", "https://discord.com/api/oauth2/@me"
	b := backends.Discord(backends.Settings{Key: "159799960412356608", Secret: "discord-secret-9f1c"})
	runGroupA(t, groupACase{b: b, token: tok, secrets: []string{"discord-secret-9f1c"},
		user: endpoint{"GET", user}, check: &endpoint{"GET", auth}, refused: []string{"check-other-user.json"}, bearer: true})
	t.Run("unverified email", func(t *testing.T) {
		p, _, err := login(t, b, tok, answer{"GET", user, 0, "discord/user-unverified.json"}, answer{"GET", auth, 0, "discord/check.json"})
		require.NoError(t, err)
		assert.Equal(t, "nelly@discord.com", p.Details.Email)
		assert.False(t, p.Details.EmailVerified)
	})
}

func TestSlack(t *testing.T) {
	const tok = "xoxp-2048-4096-8192-slackusertoken"
	identity := "https://slack.com/api/users.identity"
	b := backends.Slack(backends.Settings{Key: "2048.4096", Secret: "slack-secret-41ab"})
	runGroupA(t, groupACase{b: b, token: tok, secrets: []string{"slack-secret-41ab"}, user: endpoint{"GET", identity}, noCheck: true, bearer: true})
	t.Run("username without a team name", func(t *testing.T) {
		p, _, err := login(t, b, tok, answer{"GET", identity, 0, "slack/user-no-team-name.json"})
		require.NoError(t, err)
		assert.Equal(t, "U0G9QF9C6", p.UID)
		assert.Equal(t, "Sonny Whether", p.Details.Username, "no email: the name, and no @team")
	})
	for file, want := range map[string]error{
		"slack/invalid-auth.json":  socialauth.ErrInvalidToken,
		"slack/missing-scope.json": socialauth.ErrInvalidToken,
		"slack/ratelimited.json":   socialauth.ErrProviderUnavailable,
	} {
		t.Run("ok false with HTTP 200 is an error: "+file, func(t *testing.T) {
			p, _, err := login(t, b, tok, answer{"GET", identity, 0, file})
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
	runGroupA(t, groupACase{b: b, token: tok, secrets: []string{"bb-consumer-secret"},
		user: endpoint{"GET", api + "/user"}, extra: []answer{emails(0, "emails.json")}, noCheck: true, bearer: true})
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

var amazonSettings = backends.Settings{Key: "amzn1.application-oa2-client.8d6a2f5c0b1e4f3a9c7d2e6b4a1f0c38", Secret: "amzn-secret-77d2"}

func TestAmazon(t *testing.T) {
	const tok = "Atza|IQEBLjAsAhRmHjNgHpi0U-Dme37rR6CuUpSR"
	profile, info := "https://api.amazon.com/user/profile", "https://api.amazon.com/auth/o2/tokeninfo"
	ok := []answer{{"GET", profile, 0, "amazon/user.json"}, {"GET", info, 0, "amazon/check.json"}}
	b := backends.Amazon(amazonSettings)
	runGroupA(t, groupACase{b: b, token: tok, secrets: []string{amazonSettings.Secret},
		user: endpoint{"GET", profile}, check: &endpoint{"GET", info}, refused: []string{"check-other-user.json"}, bearer: true})
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
	runGroupA(t, groupACase{b: b, token: tok, secrets: []string{"spotify-secret-c3"}, user: endpoint{"GET", me}, noCheck: true, bearer: true})
	t.Run("display_name null", func(t *testing.T) {
		p, _, err := login(t, b, tok, answer{"GET", me, 0, "spotify/user-no-name.json"})
		require.NoError(t, err)
		assert.Equal(t, "31l77fd6xyz", p.UID)
		assert.Equal(t, "31l77fd6xyz", p.Details.Username)
		assert.Empty(t, p.Details.FullName)
	})
	assert.Equal(t, []string{"user-read-email"}, b.Provider().Scopes)
}

var twitchSettings = backends.Settings{Key: "wbmytr93xzw8zbg0p1izqyzzc5mbiz", Secret: "twitch-secret-5ac1"}

func TestTwitch(t *testing.T) {
	const tok = "cfabdegwdoklmawdzdo98xt2fo512y"
	users, validate := "https://api.twitch.tv/helix/users", "https://id.twitch.tv/oauth2/validate"
	b := backends.Twitch(twitchSettings)
	runGroupA(t, groupACase{b: b, token: tok, secrets: []string{twitchSettings.Secret},
		user: endpoint{"GET", users}, check: &endpoint{"GET", validate},
		refused: []string{"check-other-user.json", "check-app-token.json"}, bearer: true})
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
	runGroupA(t, groupACase{b: b, token: tok, secrets: []string{"reddit-secret-0e9"}, user: endpoint{"GET", me}, noCheck: true, bearer: true})
	t.Run("a descriptive User-Agent", func(t *testing.T) {
		p, rec, err := login(t, b, tok, answer{"GET", me, 0, "reddit/user.json"})
		require.NoError(t, err)
		assert.Empty(t, p.Details.Email)
		assert.Contains(t, requestTo(t, rec, "GET", me).Header.Get("User-Agent"), "socialauth")
	})
}

func TestDropboxOAuth2(t *testing.T) {
	const tok = "sl.u.AbX9y6Fe3AuH5o66-dropbox-token"
	account := "https://api.dropboxapi.com/2/users/get_current_account"
	b := backends.DropboxOAuth2(backends.Settings{Key: "dropbox-app-key", Secret: "dropbox-secret-88"})
	runGroupA(t, groupACase{b: b, token: tok, secrets: []string{"dropbox-secret-88"}, user: endpoint{"POST", account}, noCheck: true, bearer: true})
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
	b := backends.YandexOAuth2(backends.Settings{Key: "4760187d81bc4b7799476b42b5103713", Secret: "yandex-secret-b3b0"})
	runGroupA(t, groupACase{b: b, token: tok, secrets: []string{"yandex-secret-b3b0"}, user: endpoint{"GET", info},
		foreign:      []answer{{"GET", info, 0, "yandex-oauth2/user-other-app.json"}},
		unconfigured: &backends.Settings{}, unconfiguredSays: "no client id"})
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

var vkSettings = backends.Settings{Key: "51786543", Secret: "vk-protected-key-Zx1", APIKey: "vk-service-key-4f1e2d3c"}

func TestVKOAuth2(t *testing.T) {
	const tok = "vk1.a.Wv3sW4-user-access-token"
	users, check := "https://api.vk.ru/method/users.get", "https://api.vk.ru/method/secure.checkToken"
	vk := func(url, file string) answer { return answer{"GET", url, 0, "vk-oauth2/" + file} }
	b := backends.VKOAuth2(vkSettings)
	runGroupA(t, groupACase{b: b, token: tok, secrets: []string{vkSettings.Secret, vkSettings.APIKey},
		user: endpoint{"GET", users}, check: &endpoint{"GET", check}, refused: []string{"check-other-user.json"},
		unconfigured: &backends.Settings{Key: vkSettings.Key}, unconfiguredSays: "API_KEY"})
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
				var pe *socialauth.ProviderError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, tc.wantCode, pe.Code)
			}
		})
	}
}

var instagramSettings = backends.Settings{Key: "990602627938098", Secret: "ig-app-secret-a1b2c3"}

func TestInstagram(t *testing.T) {
	const tok = "IGAAN7rZCLKZBZAmUgetQ0Zhc-instagram-user-token"
	me, debug := "https://graph.instagram.com/me", "https://graph.instagram.com/debug_token"
	b := backends.Instagram(instagramSettings)
	runGroupA(t, groupACase{b: b, token: tok, secrets: []string{instagramSettings.Secret},
		user: endpoint{"GET", me}, check: &endpoint{"GET", debug}, refused: []string{"check-invalid.json"},
		unconfigured: &backends.Settings{Key: instagramSettings.Key}, unconfiguredSays: "app id and secret"})
	t.Run("requests", func(t *testing.T) {
		p, rec, err := login(t, b, tok, answer{"GET", me, 0, "instagram/user.json"}, answer{"GET", debug, 0, "instagram/check.json"})
		require.NoError(t, err)
		assert.Equal(t, "7316448938407651", p.UID, "the app-scoped id, as PSA stores it")
		q := requestTo(t, rec, "GET", me).URL.Query()
		assert.Equal(t, tok, q.Get("access_token"))
		assert.Equal(t, "id,user_id,username,name", q.Get("fields"))
		d := requestTo(t, rec, "GET", debug).URL.Query()
		assert.Equal(t, tok, d.Get("input_token"))
		assert.Equal(t, instagramSettings.Key+"|"+instagramSettings.Secret, d.Get("access_token"))
	})
	t.Run("graph error fields are kept", func(t *testing.T) {
		_, _, err := login(t, b, tok, answer{"GET", me, 400, "instagram/error.json"}, answer{"GET", debug, 0, "instagram/check.json"})
		var pe *socialauth.ProviderError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "OAuthException 190", pe.Code)
	})
}

func TestStackOverflow(t *testing.T) {
	const tok = "zFrzUT2VqTHgo8xJtN8nSA))"
	me := "https://api.stackexchange.com/2.3/me"
	s := backends.Settings{Key: "29184", Secret: "so-client-secret-9a", APIKey: "Ckjvj8P0yg1iNqs8EvWfLA(("}
	b := backends.StackOverflow(s)
	runGroupA(t, groupACase{b: b, token: tok, secrets: []string{s.Secret}, user: endpoint{"GET", me}, noCheck: true,
		unconfigured: &backends.Settings{Key: s.Key}, unconfiguredSays: "API_KEY"})
	t.Run("site, key and token in the query; Raw is the user", func(t *testing.T) {
		p, rec, err := login(t, b, tok, answer{"GET", me, 0, "stackoverflow/user.json"})
		require.NoError(t, err)
		q := requestTo(t, rec, "GET", me).URL.Query()
		assert.Equal(t, "stackoverflow", q.Get("site"))
		assert.Equal(t, s.APIKey, q.Get("key"))
		assert.Equal(t, tok, q.Get("access_token"))
		assert.Contains(t, string(p.Raw), `"user_id": 22656`)
		assert.NotContains(t, string(p.Raw), "quota_max")
	})
}

func TestLinkedInOAuth2(t *testing.T) {
	const tok = "AQUvlL_DYEzvT2wz1QJiEPeLioeA-linkedin"
	me, introspect := "https://api.linkedin.com/v2/me", "https://www.linkedin.com/oauth/v2/introspectToken"
	s := backends.Settings{Key: "86wgw8vx3q6kli", Secret: "WPL_AP1.linkedin-secret"}
	b := backends.LinkedInOAuth2(s)
	runGroupA(t, groupACase{b: b, token: tok, secrets: []string{s.Secret},
		user: endpoint{"GET", me}, check: &endpoint{"POST", introspect}, refused: []string{"check-revoked.json", "check-app-token.json"}, bearer: true,
		unconfigured: &backends.Settings{Key: s.Key}, unconfiguredSays: "client id and secret"})
	t.Run("requests", func(t *testing.T) {
		_, rec, err := login(t, b, tok, answer{"GET", me, 0, "linkedin-oauth2/user.json"}, answer{"POST", introspect, 0, "linkedin-oauth2/check.json"})
		require.NoError(t, err)
		assert.Equal(t, "(firstName,id,lastName)", requestTo(t, rec, "GET", me).URL.Query().Get("projection"))
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
