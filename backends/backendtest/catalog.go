package backendtest

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-socialauth/socialauth/backends"
)

// fakes lists the fake of every backend, by the backend's name: the routes
// it serves for an app's settings. The OpenID Connect backends whose fake
// is an [Issuer] have servedByIssuer (their routes come with the issuer,
// oidc_providers.go).
func fakes() map[string]func(backends.Settings) []route {
	return map[string]func(backends.Settings) []route{
		"amazon":                   fakeAmazon,
		"apple-id":                 servedByIssuer,
		"atlassian":                fakeAtlassian,
		"auth0":                    servedByIssuer,
		"azuread-tenant-oauth2":    servedByIssuer,
		"azuread-v2-tenant-oauth2": servedByIssuer,
		"bitbucket-oauth2":         fakeBitbucket,
		"box":                      fakeBox,
		"coinbase":                 fakeCoinbase,
		"digitalocean":             fakeDigitalOcean,
		"discord":                  fakeDiscord,
		"dropbox-oauth2":           fakeDropbox,
		"facebook":                 fakeFacebook,
		"gitea":                    fakeGitea,
		"github":                   fakeGitHub,
		"gitlab":                   fakeGitLab,
		"google-oauth2":            fakeGoogle,
		"google-openidconnect":     fakeGoogle,
		"instagram":                fakeInstagram,
		"kakao":                    fakeKakao,
		"keycloak":                 servedByIssuer,
		"line":                     fakeLine,
		"linkedin-oauth2":          fakeLinkedIn,
		"linkedin-openidconnect":   fakeLinkedInOIDC,
		"mailru":                   fakeMailRu,
		"microsoft-graph":          fakeGraph,
		"naver":                    fakeNaver,
		"oidc":                     servedByIssuer,
		"okta-openidconnect":       servedByIssuer,
		"patreon":                  fakePatreon,
		"paypal-oauth2":            fakePayPal,
		"reddit":                   fakeReddit,
		"salesforce-oauth2":        fakeSalesforce,
		"slack":                    fakeSlack,
		"spotify":                  fakeSpotify,
		"stackoverflow":            fakeStackOverflow,
		"strava":                   fakeStrava,
		"twitch":                   fakeTwitch,
		"twitter-oauth2":           fakeTwitter,
		"vk-oauth2":                fakeVK,
		"yahoo-oauth2":             fakeYahoo,
		"yandex-oauth2":            fakeYandex,
		"zoom-oauth2":              fakeZoom,
	}
}

// Names lists the backends this package fakes, sorted: every backend of
// package backends.
func Names() []string {
	return slices.Sorted(maps.Keys(fakes()))
}

// servedByIssuer is the fake of a backend whose provider is an [Issuer]:
// it has no routes of its own.
func servedByIssuer(backends.Settings) []route { return nil }

// fakeAlias is the fake a backend shares with another: google-openidconnect
// is google-oauth2 under another name, and its tokens are that fake's.
func fakeAlias(name string) string {
	if name == "google-openidconnect" {
		return "google-oauth2"
	}
	return name
}

// otherApp is the client id foreign tokens are issued to.
const otherApp = "another-app-client-id"

// issuedTo is the client id the fake says a token was issued to: the
// app's Key, or another app's for a foreign token.
func issuedTo(c *call) string {
	if c.foreign {
		return otherApp
	}
	return c.settings.Key
}

// numericID renders a numeric uid as a JSON number, as providers with
// numeric ids send it; any other uid stays a string.
func numericID(uid string) any {
	if n, err := strconv.ParseInt(uid, 10, 64); err == nil {
		return n
	}
	return uid
}

// pictureHash is a stable stand-in for the image id or hash a provider
// gives a person's picture.
func pictureHash(uid string) string {
	h := sha256.Sum256([]byte("picture|" + uid))
	return hex.EncodeToString(h[:16])
}

// siteURL is s.BaseURL without its trailing slashes, or def when it is
// empty: where a self-hosted provider's fake lives.
func siteURL(s backends.Settings, def string) string {
	if s.BaseURL == "" {
		return def
	}
	return strings.TrimRight(s.BaseURL, "/")
}

// defaultToken reads a token sent as "Authorization: Bearer" (or GitHub's
// "token"), or as the access_token or oauth_token query parameter.
func defaultToken(r *http.Request) string {
	for _, scheme := range []string{"Bearer", "token"} {
		if tok := authToken(scheme)(r); tok != "" {
			return tok
		}
	}
	q := r.URL.Query()
	for _, k := range []string{"access_token", "oauth_token"} {
		if v := q.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// authToken reads the token of an "Authorization: <scheme> <token>" header
// (Twitch's validate and Yandex use the scheme "OAuth").
func authToken(scheme string) func(*http.Request) string {
	return func(r *http.Request) string {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), scheme+" ")
		return tok
	}
}

// queryToken reads the token from query parameter k.
func queryToken(k string) func(*http.Request) string {
	return func(r *http.Request) string { return r.URL.Query().Get(k) }
}
