package backends_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
)

// Settings of group B backends whose token check needs particular client ids.
var (
	lineSettings       = backends.Settings{Key: "1350031035", Secret: "line-channel-secret-9d1e", ClientIDs: []string{"1656000001"}}
	giteaSettings      = backends.Settings{Key: "d8e9a3f4-5b6c-4d7e-8f90-a1b2c3d4e5f6", Secret: "gto_giteasecret5c1b8e0a"}
	salesforceSettings = backends.Settings{Key: "3MVG9fe4g9fhX0E5kHxD8UjBpA2Q7.example", Secret: "sf-consumer-secret-44A1"}
	mailruSettings     = backends.Settings{Key: "7e5f4707292443fca607873f9f545752", Secret: "mailru-secret-0b7c"}
	kakaoSettings      = backends.Settings{Key: "5a9c2f0e8b1d4c3a7e6f9b0d2c4a8e1f", Secret: "kakao-secret-71d0", ClientIDs: []string{"1234567"}}
	plainSettings      = backends.Settings{Key: "group-b-client-id", Secret: "group-b-client-secret-3e9f"}
)

// bCase describes one group B backend for the tests every backend gets.
type bCase struct {
	name    string
	s       backends.Settings
	user    answer   // the profile endpoint, answering the golden fixture
	also    []answer // the other endpoints a login calls (token check, emails)
	noID    string   // a profile without the user id
	refusal answer   // how the profile endpoint refuses a bad token
	// foreign replaces an answer of also with one that names another app;
	// empty for backends whose provider cannot tell.
	foreign answer
	inQuery bool // the token travels as ?access_token=, not as a bearer header
}

func groupBCases() []bCase {
	const (
		giteaAPI = "https://gitea.com/api/v1"
		sfAPI    = "https://login.salesforce.com/services/oauth2"
		lineAPI  = "https://api.line.me"
		kakaoAPI = "https://kapi.kakao.com"
	)
	get := func(url, file string) answer { return answer{"GET", url, 0, file} }
	unauthorized := func(url, file string) answer { return answer{"GET", url, 401, file} }
	return []bCase{
		{name: "twitter-oauth2", s: plainSettings, user: get("https://api.x.com/2/users/me", "twitter-oauth2/users-me.json"),
			noID: "twitter-oauth2/users-me-no-data.json", refusal: unauthorized("https://api.x.com/2/users/me", "twitter-oauth2/error-401.json")},
		{name: "strava", s: plainSettings, user: get("https://www.strava.com/api/v3/athlete", "strava/athlete.json"),
			noID: "strava/athlete-no-id.json", refusal: unauthorized("https://www.strava.com/api/v3/athlete", "strava/error-401.json")},
		{name: "patreon", s: plainSettings, user: get("https://www.patreon.com/api/oauth2/v2/identity", "patreon/identity.json"),
			noID: "patreon/identity-no-id.json", refusal: unauthorized("https://www.patreon.com/api/oauth2/v2/identity", "patreon/error-401.json")},
		{name: "zoom-oauth2", s: plainSettings, user: get("https://api.zoom.us/v2/users/me", "zoom-oauth2/users-me.json"),
			noID: "zoom-oauth2/users-me-no-id.json", refusal: unauthorized("https://api.zoom.us/v2/users/me", "zoom-oauth2/error-401.json")},
		{name: "yahoo-oauth2", s: plainSettings, user: get("https://api.login.yahoo.com/openid/v1/userinfo", "yahoo-oauth2/userinfo.json"),
			noID: "yahoo-oauth2/userinfo-no-sub.json", refusal: unauthorized("https://api.login.yahoo.com/openid/v1/userinfo", "yahoo-oauth2/error-401.json")},
		{name: "paypal-oauth2", s: plainSettings, user: get("https://api-m.paypal.com/v1/identity/oauth2/userinfo", "paypal-oauth2/userinfo.json"),
			noID: "paypal-oauth2/userinfo-no-id.json", refusal: unauthorized("https://api-m.paypal.com/v1/identity/oauth2/userinfo", "paypal-oauth2/error-401.json")},
		{name: "digitalocean", s: plainSettings, user: get("https://api.digitalocean.com/v2/account", "digitalocean/account.json"),
			noID: "digitalocean/account-no-id.json", refusal: unauthorized("https://api.digitalocean.com/v2/account", "digitalocean/error-401.json")},
		{name: "atlassian", s: plainSettings, user: get("https://api.atlassian.com/me", "atlassian/me.json"),
			noID: "atlassian/me-no-id.json", refusal: unauthorized("https://api.atlassian.com/me", "atlassian/error-401.json")},
		{name: "naver", s: plainSettings, user: get("https://openapi.naver.com/v1/nid/me", "naver/me.json"),
			noID: "naver/me-no-id.json", refusal: unauthorized("https://openapi.naver.com/v1/nid/me", "naver/me-refused.json")},
		{name: "coinbase", s: plainSettings, user: get("https://api.coinbase.com/v2/user", "coinbase/user.json"),
			noID: "coinbase/user-no-id.json", refusal: unauthorized("https://api.coinbase.com/v2/user", "coinbase/error-401.json")},
		{name: "box", s: plainSettings, user: get("https://api.box.com/2.0/users/me", "box/users-me.json"),
			noID: "box/users-me-no-id.json", refusal: unauthorized("https://api.box.com/2.0/users/me", "box/error-401.json")},
		{name: "line", s: lineSettings, user: get(lineAPI+"/v2/profile", "line/profile.json"),
			also:    []answer{get(lineAPI+"/oauth2/v2.1/verify", "line/verify.json")},
			foreign: get(lineAPI+"/oauth2/v2.1/verify", "line/verify-other-app.json"),
			noID:    "line/profile-no-id.json", refusal: unauthorized(lineAPI+"/v2/profile", "line/error-401.json")},
		{name: "mailru", s: mailruSettings, user: get("https://oauth.mail.ru/userinfo", "mailru/userinfo.json"),
			foreign: get("https://oauth.mail.ru/userinfo", "mailru/userinfo-other-app.json"), inQuery: true,
			noID: "mailru/userinfo-no-id.json", refusal: unauthorized("https://oauth.mail.ru/userinfo", "mailru/error-invalid-token.json")},
		{name: "kakao", s: kakaoSettings, user: get(kakaoAPI+"/v2/user/me", "kakao/me.json"),
			also:    []answer{get(kakaoAPI+"/v1/user/access_token_info", "kakao/token-info.json")},
			foreign: get(kakaoAPI+"/v1/user/access_token_info", "kakao/token-info-other-app.json"),
			noID:    "kakao/me-no-id.json", refusal: unauthorized(kakaoAPI+"/v2/user/me", "kakao/error-401.json")},
		{name: "gitea", s: giteaSettings, user: get(giteaAPI+"/user", "gitea/user.json"),
			also:    []answer{get(giteaAPI+"/user/emails", "gitea/emails.json"), {"POST", "https://gitea.com/login/oauth/introspect", 0, "gitea/introspect.json"}},
			foreign: answer{"POST", "https://gitea.com/login/oauth/introspect", 0, "gitea/introspect-other-app.json"},
			noID:    "gitea/user-no-id.json", refusal: unauthorized(giteaAPI+"/user", "gitea/error-401.json")},
		{name: "salesforce-oauth2", s: salesforceSettings, user: get(sfAPI+"/userinfo", "salesforce-oauth2/userinfo.json"),
			also:    []answer{{"POST", sfAPI + "/introspect", 0, "salesforce-oauth2/introspect.json"}},
			foreign: answer{"POST", sfAPI + "/introspect", 0, "salesforce-oauth2/introspect-other-app.json"},
			noID:    "salesforce-oauth2/userinfo-no-sub.json", refusal: unauthorized(sfAPI+"/userinfo", "salesforce-oauth2/error-401.json")},
	}
}

// respond makes the fake provider behind c answer method url with body.
func respond(c *http.Client, method, url string, status int, body string) {
	c.Transport.(*httpmock.MockTransport).RegisterResponder(method, url, httpmock.NewStringResponder(status, body))
}

// TestGroupB runs what every group B backend must do: map its provider's
// profile (golden files), refuse what the provider refuses, report a failing
// provider as unavailable, refuse a profile without an id, refuse another
// app's token where the provider can tell, and never leak a secret.
func TestGroupB(t *testing.T) {
	const tok = "gB-access-token-5f0c2a9d7e"
	for _, tc := range groupBCases() {
		t.Run(tc.name, func(t *testing.T) {
			b, err := backends.ByName(tc.name, tc.s)
			require.NoError(t, err)
			login := func(t *testing.T, tweak func(c *http.Client), answers ...answer) (*socialauth.Profile, error) {
				c, _ := providerWith(t, append([]answer{tc.user}, append(tc.also, answers...)...)...)
				if tweak != nil {
					tweak(c)
				}
				p, err := authenticate(t, b, c, tok)
				if err != nil {
					noSecretIn(t, err.Error(), tok, tc.s.Secret)
				}
				return p, err
			}

			t.Run("golden profile", func(t *testing.T) {
				c, mock := providerWith(t, append([]answer{tc.user}, tc.also...)...)
				p, err := authenticate(t, b, c, tok)
				require.NoError(t, err)
				checkGolden(t, strings.TrimSuffix(tc.user.file, ".json"), p)
				assert.Equal(t, tok, p.Token.AccessToken)
				assert.NotEmpty(t, p.Raw)
				var sent bool
				for _, r := range mock.reqs {
					if r.Method == tc.user.method && strings.HasPrefix(r.URL.String(), tc.user.url) {
						sent = true
						if tc.inQuery {
							assert.Equal(t, tok, r.URL.Query().Get("access_token"))
						} else {
							assert.Equal(t, "Bearer "+tok, r.Header.Get("Authorization"))
						}
					}
				}
				assert.True(t, sent, "the profile endpoint was asked")
			})
			t.Run("refused token", func(t *testing.T) {
				_, err := login(t, nil, tc.refusal)
				require.ErrorIs(t, err, socialauth.ErrInvalidToken)
			})
			for _, status := range []int{http.StatusInternalServerError, http.StatusServiceUnavailable} {
				t.Run(http.StatusText(status), func(t *testing.T) {
					_, err := login(t, nil, answer{tc.user.method, tc.user.url, status, tc.refusal.file})
					require.ErrorIs(t, err, socialauth.ErrProviderUnavailable)
				})
			}
			t.Run("malformed JSON", func(t *testing.T) {
				_, err := login(t, func(c *http.Client) { respond(c, tc.user.method, tc.user.url, http.StatusOK, `{"id": "4242", `) })
				require.ErrorIs(t, err, socialauth.ErrProviderUnavailable)
			})
			t.Run("no user id", func(t *testing.T) {
				p, err := login(t, nil, answer{tc.user.method, tc.user.url, 0, tc.noID})
				require.Error(t, err, "a profile without an id must never log anyone in")
				assert.Nil(t, p)
				assert.ErrorIs(t, err, socialauth.ErrAuthFailed)
			})
			doc := b.(backends.Documented).Doc()
			t.Run("audience", func(t *testing.T) {
				if tc.foreign.file == "" {
					assert.False(t, doc.ChecksAudience)
					assert.True(t, strings.HasPrefix(doc.TokenCheck, "none: "), "say plainly that there is no check: %q", doc.TokenCheck)
					return
				}
				assert.True(t, doc.ChecksAudience)
				_, err := login(t, nil, tc.foreign)
				require.ErrorIs(t, err, socialauth.ErrInvalidToken, "a token issued to another app must be refused")
			})
			assert.NotEmpty(t, doc.UID)
			assert.NotEmpty(t, doc.EmailVerified)
			assert.Equal(t, "OAuth2", doc.Protocol)
		})
	}
}

// TestGroupBNames keeps the constructor table honest: every group B
// backend is built by name, under PSA's name.
func TestGroupBNames(t *testing.T) {
	names := backends.Names()
	for _, tc := range groupBCases() {
		assert.Contains(t, names, tc.name)
		b, err := backends.ByName(tc.name, tc.s)
		require.NoError(t, err)
		assert.Equal(t, tc.name, b.Name())
	}
	assert.Len(t, groupBCases(), 16)
}
