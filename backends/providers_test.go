package backends_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth/backends"
)

// Settings of the backends whose token check needs particular client ids.
var (
	googleSettings = backends.Settings{Key: "web-client-id.apps.googleusercontent.com", Secret: "google-secret",
		ClientIDs: []string{"ios-client-id.apps.googleusercontent.com"}}
	facebookSettings   = backends.Settings{Key: "138483919580948", Secret: "fb-app-secret-5f2b"}
	githubSettings     = backends.Settings{Key: "Iv1.8a61f9b3a7aba766", Secret: "gh-client-secret-0c4d"}
	gitlabSettings     = backends.Settings{Key: "3f6c0d8e1a9b47c25e0d7f8a6b4c2e19d0a7b3c5e8f1a2d4b6c9e0f3a5d7b8c1", Secret: "gloas-2c51d0e8b7a4"}
	amazonSettings     = backends.Settings{Key: "amzn1.application-oa2-client.8d6a2f5c0b1e4f3a9c7d2e6b4a1f0c38", Secret: "amzn-secret-77d2"}
	twitchSettings     = backends.Settings{Key: "wbmytr93xzw8zbg0p1izqyzzc5mbiz", Secret: "twitch-secret-5ac1"}
	vkSettings         = backends.Settings{Key: "51786543", Secret: "vk-protected-key-Zx1", APIKey: "vk-service-key-4f1e2d3c"}
	instagramSettings  = backends.Settings{Key: "990602627938098", Secret: "ig-app-secret-a1b2c3"}
	stackSettings      = backends.Settings{Key: "29184", Secret: "so-client-secret-9a"}
	linkedinSettings   = backends.Settings{Key: "86wgw8vx3q6kli", Secret: "WPL_AP1.linkedin-secret"}
	yandexSettings     = backends.Settings{Key: "4760187d81bc4b7799476b42b5103713", Secret: "yandex-secret-b3b0"}
	lineSettings       = backends.Settings{Key: "1350031035", Secret: "line-channel-secret-9d1e", ClientIDs: []string{"1656000001"}}
	giteaSettings      = backends.Settings{Key: "d8e9a3f4-5b6c-4d7e-8f90-a1b2c3d4e5f6", Secret: "gto_giteasecret5c1b8e0a"}
	salesforceSettings = backends.Settings{Key: "3MVG9fe4g9fhX0E5kHxD8UjBpA2Q7.example", Secret: "sf-consumer-secret-44A1"}
	mailruSettings     = backends.Settings{Key: "7e5f4707292443fca607873f9f545752", Secret: "mailru-secret-0b7c"}
	kakaoSettings      = backends.Settings{Key: "5a9c2f0e8b1d4c3a7e6f9b0d2c4a8e1f", Secret: "kakao-secret-71d0", ClientIDs: []string{"1234567"}}
	// plainSettings serve the backends whose token check needs nothing more.
	plainSettings = backends.Settings{Key: "app-client-id", Secret: "app-client-secret-3e9f"}
)

// fixtureCases are the OAuth2 providers' documented answers (testdata/<name>/).
func fixtureCases() []fixtureCase {
	get := func(url, file string) answer { return answer{"GET", url, 0, file} }
	const (
		gitlab  = "https://gitlab.com"
		discord = "https://discord.com/api/v10"
		google  = "https://openidconnect.googleapis.com/v1/userinfo"
		graph   = "https://graph.facebook.com/v24.0"
		github  = "https://api.github.com"
		amazon  = "https://api.amazon.com"
		twitch  = "https://id.twitch.tv/oauth2/validate"
		vk      = "https://api.vk.ru/method/"
		insta   = "https://graph.instagram.com"
		linked  = "https://www.linkedin.com/oauth/v2/introspectToken"
		bbAPI   = "https://api.bitbucket.org/2.0"
		yandex  = "https://login.yandex.ru/info"
		gitea   = "https://gitea.com"
		sfAPI   = "https://login.salesforce.com/services/oauth2"
		lineAPI = "https://api.line.me"
		kakao   = "https://kapi.kakao.com"
		bearer  = "bearer"
		query   = "query"
	)
	const tok = "access-token-5f0c2a9d7e"
	// profileOnly is a provider whose only endpoint is the profile at url,
	// with no token check: file answers it, noID lacks the user id, and
	// refusal is its refusal of a token.
	profileOnly := func(name, url, file, noID, refusal string) fixtureCase {
		return fixtureCase{name: name, s: plainSettings, token: tok, tokenIn: bearer, user: get(url, file), noID: noID, refusal: refusal}
	}
	return []fixtureCase{
		{name: "google-oauth2", s: googleSettings, token: "ya29.a0AfB_byC-example-token", tokenIn: bearer,
			user:    get(google, "google-oauth2/userinfo.json"),
			also:    []answer{get("https://oauth2.googleapis.com/tokeninfo", "google-oauth2/tokeninfo.json")},
			foreign: []answer{get("https://oauth2.googleapis.com/tokeninfo", "google-oauth2/tokeninfo-other-app.json")},
			refused: []answer{get("https://oauth2.googleapis.com/tokeninfo", "google-oauth2/tokeninfo-other-user.json")},
			noID:    "google-oauth2/userinfo-no-sub.json", refusal: "google-oauth2/tokeninfo-invalid.json"},
		{name: "facebook", s: facebookSettings, token: "EAAB-facebook-user-token", tokenIn: query,
			user:    get(graph+"/me", "facebook/me.json"),
			also:    []answer{get(graph+"/debug_token", "facebook/debug_token.json")},
			foreign: []answer{get(graph+"/debug_token", "facebook/debug_token-other-app.json")},
			refused: []answer{get(graph+"/debug_token", "facebook/debug_token-invalid.json")},
			noID:    "facebook/me-no-id.json", refusal: "facebook/me-expired.json", refusalStatus: 400,
			unconfigured: &backends.Settings{Key: facebookSettings.Key}, unconfiguredSays: "secret"},
		{name: "github", s: githubSettings, token: "gho_16C7e42F292c6912E7710c838347Ae178B4a", tokenIn: bearer,
			user:    get(github+"/user", "github/user.json"),
			also:    []answer{{"POST", github + "/applications/" + githubSettings.Key + "/token", 0, "github/check-token.json"}, get(github+"/user/emails", "github/emails-octocat.json")},
			foreign: []answer{{"POST", github + "/applications/" + githubSettings.Key + "/token", 404, "github/not-found.json"}},
			refused: []answer{{"POST", github + "/applications/" + githubSettings.Key + "/token", 0, "github/check-token-hubot.json"}},
			noID:    "github/user-no-id.json", refusal: "github/not-found.json",
			unconfigured: &backends.Settings{Key: githubSettings.Key}, unconfiguredSays: "client id and secret"},
		{name: "gitlab", s: gitlabSettings, token: "glpat-oauth-7c1e4b2a9d8f6e3c", tokenIn: bearer,
			user:    get(gitlab+"/api/v4/user", "gitlab/user.json"),
			also:    []answer{get(gitlab+"/oauth/token/info", "gitlab/check.json"), get(gitlab+"/oauth/userinfo", "gitlab/userinfo.json")},
			foreign: []answer{get(gitlab+"/oauth/token/info", "gitlab/check-other-app.json")},
			refused: []answer{get(gitlab+"/oauth/token/info", "gitlab/check-other-user.json"), get(gitlab+"/oauth/token/info", "gitlab/check-no-owner.json")},
			noID:    "gitlab/user-no-id.json", refusal: "gitlab/error.json",
			unconfigured: &backends.Settings{}, unconfiguredSays: "no client id"},
		{name: "discord", s: backends.Settings{Key: "159799960412356608", Secret: "discord-secret-9f1c"}, token: "MTQ0NjY2MTYyODQ2NjYxODU2.discord-user-token", tokenIn: bearer,
			user:    get(discord+"/users/@me", "discord/user.json"),
			also:    []answer{get(discord+"/oauth2/@me", "discord/check.json")},
			foreign: []answer{get(discord+"/oauth2/@me", "discord/check-other-app.json")},
			refused: []answer{get(discord+"/oauth2/@me", "discord/check-other-user.json")},
			noID:    "discord/user-no-id.json", refusal: "discord/error.json"},
		{name: "slack", s: backends.Settings{Key: "2048.4096", Secret: "slack-secret-41ab"}, token: "xoxp-2048-4096-8192-slackusertoken", tokenIn: bearer,
			user: answer{"POST", "https://slack.com/api/openid.connect.userInfo", 0, "slack/userinfo.json"},
			noID: "slack/userinfo-no-sub.json", refusal: "slack/error.json"},
		{name: "bitbucket-oauth2", s: backends.Settings{Key: "bbConsumerKey", Secret: "bb-consumer-secret"}, token: "bb-access-token-Jk7Qx2Lm9", tokenIn: bearer,
			user: get(bbAPI+"/user", "bitbucket-oauth2/user.json"),
			also: []answer{get(bbAPI+"/user/emails", "bitbucket-oauth2/emails.json")},
			noID: "bitbucket-oauth2/user-no-id.json", refusal: "bitbucket-oauth2/error.json"},
		{name: "amazon", s: amazonSettings, token: "Atza|IQEBLjAsAhRmHjNgHpi0U-Dme37rR6CuUpSR", tokenIn: bearer,
			user:    get(amazon+"/user/profile", "amazon/user.json"),
			also:    []answer{get(amazon+"/auth/o2/tokeninfo", "amazon/check.json")},
			foreign: []answer{get(amazon+"/auth/o2/tokeninfo", "amazon/check-other-app.json")},
			refused: []answer{get(amazon+"/auth/o2/tokeninfo", "amazon/check-other-user.json")},
			noID:    "amazon/user-no-id.json", refusal: "amazon/error.json"},
		{name: "spotify", s: backends.Settings{Key: "spotify-client", Secret: "spotify-secret-c3"}, token: "BQDJ-spotify-user-token-0x5f", tokenIn: bearer,
			user: get("https://api.spotify.com/v1/me", "spotify/user.json"),
			noID: "spotify/user-no-id.json", refusal: "spotify/error.json"},
		{name: "twitch", s: twitchSettings, token: "cfabdegwdoklmawdzdo98xt2fo512y", tokenIn: bearer,
			user:    get("https://api.twitch.tv/helix/users", "twitch/user.json"),
			also:    []answer{get(twitch, "twitch/check.json")},
			foreign: []answer{get(twitch, "twitch/check-other-app.json")},
			refused: []answer{get(twitch, "twitch/check-other-user.json"), get(twitch, "twitch/check-app-token.json")},
			noID:    "twitch/user-no-id.json", refusal: "twitch/error.json"},
		{name: "reddit", s: backends.Settings{Key: "reddit-client", Secret: "reddit-secret-0e9"}, token: "1234567890-reddit-bearer-QwErTy", tokenIn: bearer,
			user: get("https://oauth.reddit.com/api/v1/me.json", "reddit/user.json"),
			noID: "reddit/user-no-id.json", refusal: "reddit/error.json"},
		{name: "dropbox-oauth2", s: backends.Settings{Key: "dropbox-app-key", Secret: "dropbox-secret-88"}, token: "sl.u.AbX9y6Fe3AuH5o66-dropbox-token", tokenIn: bearer,
			user: answer{"POST", "https://api.dropboxapi.com/2/users/get_current_account", 0, "dropbox-oauth2/user.json"},
			noID: "dropbox-oauth2/user-no-id.json", refusal: "dropbox-oauth2/error.json"},
		{name: "yandex-oauth2", s: yandexSettings, token: "y0_AgAAAAAGPhhBAATuwQAAAAEAwcZxAAC1-yandex",
			user:    get(yandex, "yandex-oauth2/user.json"),
			foreign: []answer{get(yandex, "yandex-oauth2/user-other-app.json")},
			noID:    "yandex-oauth2/user-no-id.json", refusal: "yandex-oauth2/error.json",
			unconfigured: &backends.Settings{}, unconfiguredSays: "no client id"},
		{name: "vk-oauth2", s: vkSettings, token: "vk1.a.Wv3sW4-user-access-token", tokenIn: query,
			user:    get(vk+"users.get", "vk-oauth2/user.json"),
			also:    []answer{get(vk+"secure.checkToken", "vk-oauth2/check.json")},
			foreign: []answer{get(vk+"secure.checkToken", "vk-oauth2/check-other-app.json")},
			refused: []answer{get(vk+"secure.checkToken", "vk-oauth2/check-other-user.json")},
			noID:    "vk-oauth2/user-no-id.json", refusal: "vk-oauth2/error.json",
			unconfigured: &backends.Settings{Key: vkSettings.Key}, unconfiguredSays: "API_KEY"},
		{name: "instagram", s: instagramSettings, token: "IGAAN7rZCLKZBZAmUgetQ0Zhc-instagram-user-token", tokenIn: query,
			user: get(insta+"/me", "instagram/user.json"),
			noID: "instagram/user-no-id.json", refusal: "instagram/error.json"},
		{name: "stackoverflow", s: stackSettings, token: "zFrzUT2VqTHgo8xJtN8nSA))", tokenIn: bearer,
			user: get("https://api.stackexchange.com/2.3/me", "stackoverflow/user.json"),
			noID: "stackoverflow/user-no-id.json", refusal: "stackoverflow/error.json"},
		{name: "linkedin-oauth2", s: linkedinSettings, token: "AQUvlL_DYEzvT2wz1QJiEPeLioeA-linkedin", tokenIn: bearer,
			user:    get("https://api.linkedin.com/v2/me", "linkedin-oauth2/user.json"),
			also:    []answer{{"POST", linked, 0, "linkedin-oauth2/check.json"}},
			foreign: []answer{{"POST", linked, 0, "linkedin-oauth2/check-other-app.json"}},
			refused: []answer{{"POST", linked, 0, "linkedin-oauth2/check-revoked.json"}, {"POST", linked, 0, "linkedin-oauth2/check-app-token.json"}, {"POST", linked, 0, "linkedin-oauth2/check-enterprise.json"}, {"POST", linked, 0, "linkedin-oauth2/check-no-auth-type.json"}},
			noID:    "linkedin-oauth2/user-no-id.json", refusal: "linkedin-oauth2/error.json",
			unconfigured: &backends.Settings{Key: linkedinSettings.Key}, unconfiguredSays: "client id and secret"},
		profileOnly("twitter-oauth2", "https://api.x.com/2/users/me", "twitter-oauth2/users-me.json", "twitter-oauth2/users-me-no-data.json", "twitter-oauth2/error-401.json"),
		profileOnly("strava", "https://www.strava.com/api/v3/athlete", "strava/athlete.json", "strava/athlete-no-id.json", "strava/error-401.json"),
		profileOnly("patreon", "https://www.patreon.com/api/oauth2/v2/identity", "patreon/identity.json", "patreon/identity-no-id.json", "patreon/error-401.json"),
		profileOnly("zoom-oauth2", "https://api.zoom.us/v2/users/me", "zoom-oauth2/users-me.json", "zoom-oauth2/users-me-no-id.json", "zoom-oauth2/error-401.json"),
		profileOnly("yahoo-oauth2", "https://api.login.yahoo.com/openid/v1/userinfo", "yahoo-oauth2/userinfo.json", "yahoo-oauth2/userinfo-no-sub.json", "yahoo-oauth2/error-401.json"),
		profileOnly("paypal-oauth2", "https://api-m.paypal.com/v1/identity/openidconnect/userinfo", "paypal-oauth2/userinfo.json", "paypal-oauth2/userinfo-no-id.json", "paypal-oauth2/error-401.json"),
		profileOnly("digitalocean", "https://api.digitalocean.com/v2/account", "digitalocean/account.json", "digitalocean/account-no-id.json", "digitalocean/error-401.json"),
		profileOnly("atlassian", "https://api.atlassian.com/me", "atlassian/me.json", "atlassian/me-no-id.json", "atlassian/error-401.json"),
		profileOnly("naver", "https://openapi.naver.com/v1/nid/me", "naver/me.json", "naver/me-no-id.json", "naver/me-refused.json"),
		profileOnly("coinbase", "https://api.coinbase.com/v2/user", "coinbase/user.json", "coinbase/user-no-id.json", "coinbase/error-401.json"),
		profileOnly("box", "https://api.box.com/2.0/users/me", "box/users-me.json", "box/users-me-no-id.json", "box/error-401.json"),
		{name: "line", s: lineSettings, token: tok, tokenIn: bearer, user: get(lineAPI+"/v2/profile", "line/profile.json"),
			also:    []answer{get(lineAPI+"/oauth2/v2.1/verify", "line/verify.json")},
			foreign: []answer{get(lineAPI+"/oauth2/v2.1/verify", "line/verify-other-app.json")},
			refused: []answer{get(lineAPI+"/oauth2/v2.1/verify", "line/verify-expired.json")},
			noID:    "line/profile-no-id.json", refusal: "line/error-401.json",
			unconfigured: &backends.Settings{}, unconfiguredSays: "no client id"},
		{name: "mailru", s: mailruSettings, token: tok, tokenIn: query, user: get("https://oauth.mail.ru/userinfo", "mailru/userinfo.json"),
			foreign: []answer{get("https://oauth.mail.ru/userinfo", "mailru/userinfo-other-app.json")},
			noID:    "mailru/userinfo-no-id.json", refusal: "mailru/error-invalid-token.json"},
		{name: "kakao", s: kakaoSettings, token: tok, tokenIn: bearer, user: get(kakao+"/v2/user/me", "kakao/me.json"),
			also:    []answer{get(kakao+"/v1/user/access_token_info", "kakao/token-info.json")},
			foreign: []answer{get(kakao+"/v1/user/access_token_info", "kakao/token-info-other-app.json")},
			refused: []answer{get(kakao+"/v1/user/access_token_info", "kakao/token-info-other-user.json")},
			noID:    "kakao/me-no-id.json", refusal: "kakao/error-401.json",
			unconfigured: &backends.Settings{Key: kakaoSettings.Key}, unconfiguredSays: "numeric app id"},
		{name: "gitea", s: giteaSettings, token: tok, tokenIn: bearer, user: get(gitea+"/api/v1/user", "gitea/user.json"),
			also:    []answer{get(gitea+"/api/v1/user/emails", "gitea/emails.json"), {"POST", gitea + "/login/oauth/introspect", 0, "gitea/introspect.json"}},
			foreign: []answer{{"POST", gitea + "/login/oauth/introspect", 0, "gitea/introspect-other-app.json"}},
			refused: []answer{{"POST", gitea + "/login/oauth/introspect", 0, "gitea/introspect-other-user.json"}, {"POST", gitea + "/login/oauth/introspect", 0, "gitea/introspect-inactive.json"}},
			noID:    "gitea/user-no-id.json", refusal: "gitea/error-401.json",
			unconfigured: &backends.Settings{Key: giteaSettings.Key}, unconfiguredSays: "client id and secret"},
		{name: "salesforce-oauth2", s: salesforceSettings, token: tok, tokenIn: bearer, user: get(sfAPI+"/userinfo", "salesforce-oauth2/userinfo.json"),
			also:    []answer{{"POST", sfAPI + "/introspect", 0, "salesforce-oauth2/introspect.json"}},
			foreign: []answer{{"POST", sfAPI + "/introspect", 0, "salesforce-oauth2/introspect-other-app.json"}},
			refused: []answer{{"POST", sfAPI + "/introspect", 0, "salesforce-oauth2/introspect-other-user.json"}, {"POST", sfAPI + "/introspect", 0, "salesforce-oauth2/introspect-inactive.json"}},
			noID:    "salesforce-oauth2/userinfo-no-sub.json", refusal: "salesforce-oauth2/error-401.json",
			unconfigured: &backends.Settings{Key: salesforceSettings.Key}, unconfiguredSays: "client id and secret"},
	}
}

// TestProviderFixtures runs every OAuth2 provider through the scenarios of
// runFixtures with its provider's documented answers.
func TestProviderFixtures(t *testing.T) {
	for _, c := range fixtureCases() {
		t.Run(c.name, func(t *testing.T) { runFixtures(t, c) })
	}
}

// TestFixturesCoverEveryOAuth2Backend: every backend but the OpenID Connect
// ones (their fixtures are id_tokens, oidc_fixtures_test.go) has a case.
func TestFixturesCoverEveryOAuth2Backend(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range fixtureCases() {
		assert.False(t, covered[c.name], "two cases for %s", c.name)
		covered[c.name] = true
	}
	for _, name := range backends.Names() {
		b, err := backends.ByName(name, fakeSettings(name))
		require.NoError(t, err)
		if _, isOIDC := b.(*backends.OIDC); isOIDC || name == "microsoft-graph" || name == "google-openidconnect" {
			continue
		}
		assert.True(t, covered[name], "%s has no fixture case", name)
	}
}

// TestCatalog: every backend is built by name under that name, and says
// how it checks tokens.
func TestCatalog(t *testing.T) {
	for _, name := range backends.Names() {
		b, err := backends.ByName(name, fakeSettings(name))
		require.NoError(t, err)
		assert.Equal(t, name, b.Name(), "the catalog's key is the backend's persisted name")
		doc := b.(backends.Documented).Doc()
		for field, v := range map[string]string{"Protocol": doc.Protocol, "TokenCheck": doc.TokenCheck, "UID": doc.UID, "EmailVerified": doc.EmailVerified} {
			assert.NotEmpty(t, v, "%s: Doc.%s", name, field)
		}
	}
}
