package backends_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// psaExtraKeys are the keys Python Social Auth keeps in extra_data for
// each backend beside the tokens: the EXTRA_DATA of its class in
// social-core (social_core/backends/<module>.py), less what a token
// exchange never has (values of the token endpoint's answer or of the
// login request, PSA's OpenID Connect id_token, Atlassian's resources
// fetched by a call this package does not make, and Slack's real_name,
// always null in PSA). A backend missing here keeps the tokens only.
var psaExtraKeys = map[string][]string{
	"amazon":                   {"postal_code", "user_id"},
	"auth0":                    {"picture"},
	"azuread-tenant-oauth2":    {"first_name", "last_name"},
	"azuread-v2-tenant-oauth2": {"first_name", "last_name"},
	"box":                      {"id"},
	"facebook":                 {"id"},
	"gitea":                    {"id"},
	"github":                   {"id", "login"},
	"gitlab":                   {"id"},
	"kakao":                    {"properties"},
	"line":                     {"id", "picture_url", "status_message"},
	"linkedin-oauth2":          {"first_name", "id", "last_name"},
	"linkedin-openidconnect":   {"id"},
	"naver":                    {"id"},
	"oidc":                     {"id"},
	"patreon":                  {"id"},
	"reddit":                   {"comment_karma", "id", "link_karma", "username"},
	"salesforce-oauth2":        {"id"},
	"slack":                    {"id", "name"},
	"stackoverflow":            {"id"},
	"twitter-oauth2": {"created_at", "description", "first_name", "fullname", "id", "last_name", "pinned_tweet_id",
		"profile_image_url", "protected", "public_metrics", "url", "username", "verified", "verified_type"},
	"vk-oauth2":    {"id"},
	"yahoo-oauth2": {"id"},
}

// tokenKeys are what load_extra_data keeps of the tokens.
var tokenKeys = []string{"access_token", "token_type", "refresh_token", "expires"}

// updateCounter counts the association updates of logins.
type updateCounter struct {
	socialauth.Storage
	updates atomic.Int64
}

func (w *updateCounter) UpdateAssociation(ctx context.Context, a *socialauth.Association) error {
	w.updates.Add(1)
	return w.Storage.UpdateAssociation(ctx, a)
}

// TestExtraDataAsPSAKeepsIt logs a fake person in through every backend's
// fake provider with the default pipeline: the association keeps the
// access token, no token_type (no provider sends one to a token
// exchange), and exactly the keys PSA keeps for the backend, written with
// the association at the first login; a returning login with the same
// token writes nothing, and one with a new token writes once.
func TestExtraDataAsPSAKeepsIt(t *testing.T) {
	ctx := context.Background()
	for _, name := range backendtest.Names() {
		t.Run(name, func(t *testing.T) {
			s := fakeSettings(name)
			b, err := backends.ByName(name, s)
			require.NoError(t, err)
			fake := backendtest.New(t)
			st := &updateCounter{Storage: memory.New()}
			svc, err := socialauth.New(socialauth.Config{Backends: []socialauth.Backend{b}, Storage: st,
				Pipeline: pipeline.Default(), HTTPClient: fake.Client()})
			require.NoError(t, err)

			tok := fake.Token(name, s, fakeIdentity)
			res, err := svc.Login(ctx, name, tok)
			require.NoError(t, err)
			require.True(t, res.IsNew)
			assert.Equal(t, int64(0), st.updates.Load(), "the first login writes the association once")
			stored, err := st.GetAssociation(ctx, name, fakeIdentity.UID)
			require.NoError(t, err)
			extra := stored.ExtraData
			o, isOIDC := b.(*backends.OIDC)
			idTokenOnly := isOIDC && o.Config().AccessTokenIsIDToken // the "access token" is an id_token, which is not kept
			if idTokenOnly {
				assert.NotContains(t, extra, "access_token")
			} else {
				assert.Equal(t, tok, extra["access_token"])
			}
			assert.NotContains(t, extra, "token_type", "the provider sent no token_type")
			own := slices.DeleteFunc(slices.Sorted(maps.Keys(extra)), func(k string) bool { return slices.Contains(tokenKeys, k) })
			assert.ElementsMatch(t, psaExtraKeys[name], own, "the keys PSA keeps for %s", name)
			if slices.Contains(psaExtraKeys[name], "id") && name != "salesforce-oauth2" {
				assert.Equal(t, fakeIdentity.UID, idText(extra["id"]), "PSA's id is the provider's user id")
			}

			again := tok
			if idTokenOnly {
				again = fake.Token(name, s, fakeIdentity) // an id_token logs in once; a new one changes nothing stored
			}
			_, err = svc.Login(ctx, name, again)
			require.NoError(t, err)
			assert.Equal(t, int64(0), st.updates.Load(), "an unchanged returning login writes nothing")
			if !idTokenOnly {
				_, err = svc.Login(ctx, name, fake.Token(name, s, fakeIdentity))
				require.NoError(t, err)
				assert.Equal(t, int64(1), st.updates.Load(), "a new access token is one write")
			}
		})
	}
}

// idText is a stored id as text: a string, or a number as sent.
func idText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

// TestExtraDataValues pins what some backends keep from their providers'
// documented answers.
func TestExtraDataValues(t *testing.T) {
	cases := []struct {
		backend string
		raw     string
		details socialauth.Details
		want    map[string]any
	}{
		{"github", `{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","site_admin":false}`, socialauth.Details{},
			map[string]any{"id": json.Number("1"), "login": "octocat"}},
		{"line", `{"userId":"U4af4980629","displayName":"LINE taro","pictureUrl":"https://profile.line-scdn.net/abc","statusMessage":"Hello, LINE!"}`, socialauth.Details{},
			map[string]any{"id": "U4af4980629", "picture_url": "https://profile.line-scdn.net/abc", "status_message": "Hello, LINE!"}},
		{"twitter-oauth2", `{"data":{"id":"2244994945","name":"X Dev","username":"XDevelopers","protected":false,"public_metrics":{"followers_count":1}}}`,
			socialauth.Details{Username: "XDevelopers", FullName: "X Dev", FirstName: "X", LastName: "Dev"},
			map[string]any{"id": "2244994945", "username": "XDevelopers", "fullname": "X Dev", "first_name": "X", "last_name": "Dev",
				"protected": false, "public_metrics": map[string]any{"followers_count": json.Number("1")},
				"created_at": nil, "verified": nil, "verified_type": nil, "description": nil, "url": nil, "profile_image_url": nil, "pinned_tweet_id": nil}},
		{"naver", `{"resultcode":"00","message":"success","response":{"id":"32742776","nickname":"OpenAPI"}}`, socialauth.Details{},
			map[string]any{"id": "32742776"}},
		{"reddit", `{"id":"1w72","name":"reddit_bot","link_karma":10,"comment_karma":3}`, socialauth.Details{},
			map[string]any{"id": "1w72", "username": "reddit_bot", "link_karma": json.Number("10"), "comment_karma": json.Number("3")}},
		{"dropbox-oauth2", `{"account_id":"dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"}`, socialauth.Details{}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.backend, func(t *testing.T) {
			b, err := backends.ByName(tc.backend, fakeSettings(tc.backend))
			require.NoError(t, err)
			got := b.(interface {
				ExtraData(*socialauth.Profile) map[string]any
			}).ExtraData(&socialauth.Profile{Raw: []byte(tc.raw), Details: tc.details})
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestExtraDataOfMalformedJSON: Raw is not validated again, so a malformed
// one must neither panic nor yield its fragments (GitHub's keys, id and
// login, have no details to stand in, so they are null).
func TestExtraDataOfMalformedJSON(t *testing.T) {
	gh := backends.GitHub(backends.Settings{Key: "k", Secret: "s"})
	for _, raw := range []string{`{"id":12,"login":"oct`, `{"id":12,"login"`, `{"id":`, `{`, `{"id":12abc}`, `[1,2]`, ``, `{"x":{"y":[`} {
		p := &socialauth.Profile{UID: "12", Raw: []byte(raw), Details: socialauth.Details{Username: "octo"}}
		require.NotPanics(t, func() { gh.ExtraData(p) }, raw)
		assert.Equal(t, map[string]any{"id": nil, "login": nil}, gh.ExtraData(p), "%q", raw)
	}
}
