package backends

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/go-socialauth/socialauth"
)

// catalog lists every backend this package ships, under its persisted name:
// the constructor, and the settings it cannot work without ("SECRET",
// "API_URL", "DOMAIN", "API_KEY", "AUDIENCE", ... as FromEnv names them
// after SOCIAL_AUTH_<NAME>_). It is built on each call: the package keeps no
// mutable global registry.
func catalog() map[string]entry {
	return map[string]entry{
		"amazon":                   of(Amazon),
		"apple-id":                 of(AppleID).refusing("CLIENT", "PSA's client id is our _KEY, its _KEY (the key id) our _KEY_ID, its _SECRET (the .p8 key) our _PRIVATE_KEY"),
		"atlassian":                of(Atlassian),
		"auth0":                    of(Auth0, "DOMAIN"),
		"azuread-tenant-oauth2":    of(AzureADTenantOAuth2),
		"azuread-v2-tenant-oauth2": of(AzureADV2TenantOAuth2),
		"bitbucket-oauth2":         of(BitbucketOAuth2),
		"box":                      of(Box),
		"coinbase":                 of(Coinbase),
		"digitalocean":             of(DigitalOcean),
		"discord":                  of(Discord),
		"dropbox-oauth2":           of(DropboxOAuth2),
		"facebook":                 of(Facebook, "SECRET"),
		"gitea":                    of(Gitea, "SECRET"),
		"github":                   of(GitHub, "SECRET"),
		"gitlab":                   of(GitLab),
		"google-oauth2":            of(GoogleOAuth2),
		"google-openidconnect":     of(GoogleOIDC),
		"instagram":                of(Instagram),
		"kakao":                    of(Kakao, "AUDIENCE"),
		"keycloak":                 of(Keycloak, "API_URL"),
		"line":                     of(Line),
		"linkedin-oauth2":          of(LinkedInOAuth2, "SECRET"),
		"linkedin-openidconnect":   of(LinkedInOIDC),
		"mailru":                   of(MailRu),
		"microsoft-graph":          of(MicrosoftGraph),
		"naver":                    of(Naver),
		"oidc":                     of(GenericOIDC, "API_URL"),
		"okta-openidconnect":       of(OktaOIDC, "API_URL"),
		"patreon":                  of(Patreon),
		"paypal-oauth2":            of(PayPalOAuth2),
		"reddit":                   of(Reddit),
		"salesforce-oauth2":        of(SalesforceOAuth2, "SECRET"),
		"slack":                    of(Slack),
		"spotify":                  of(Spotify),
		"stackoverflow":            of(StackOverflow),
		"strava":                   of(Strava),
		"twitch":                   of(Twitch),
		"twitter-oauth2":           of(TwitterOAuth2),
		"vk-oauth2":                of(VKOAuth2, "API_KEY"),
		"yahoo-oauth2":             of(YahooOAuth2),
		"yandex-oauth2":            of(YandexOAuth2),
		"zoom-oauth2":              of(ZoomOAuth2),
	}
}

// entry is one backend of the catalog: how to build it, the settings it
// requires, and the settings it refuses with the reason why (PSA settings
// that mean something else here, so that a configuration carried over
// from PSA fails loudly instead of half working).
type entry struct {
	build    func(Settings) socialauth.Backend
	requires []string
	refuses  map[string]string
}

// of is the entry of a constructor that requires the named settings. The
// backend it builds keeps the settings it was built from, for its Check.
func of[B socialauth.Backend](newBackend func(Settings) B, requires ...string) entry {
	return entry{build: func(s Settings) socialauth.Backend {
		b := newBackend(s)
		keepSettings(b, &builtFrom{s: s, requires: requires})
		return b
	}, requires: requires}
}

// refusing adds a refused setting to e.
func (e entry) refusing(setting, why string) entry {
	e.refuses = map[string]string{setting: why}
	return e
}

// Names lists the backend names FromEnv and ByName know, sorted.
func Names() []string {
	return slices.Sorted(maps.Keys(catalog()))
}

// ByName builds the backend called name from s. An unknown name wraps
// socialauth.ErrUnknownBackend.
func ByName(name string, s Settings) (socialauth.Backend, error) {
	e, ok := catalog()[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", socialauth.ErrUnknownBackend, name)
	}
	return e.build(s), nil
}

// unset lists the settings e requires that s leaves empty, by the names
// FromEnv reads them under ("SECRET", "API_URL", ...).
func (e entry) unset(s Settings) []string {
	var out []string
	for _, k := range e.requires {
		if v, _ := settingOf(s, k); v == "" {
			out = append(out, k)
		}
	}
	return out
}

// settingOf is the value of s that FromEnv reads from the variable
// SOCIAL_AUTH_<NAME>_<k> (for AUDIENCE, the further client ids joined),
// and the name of its field.
func settingOf(s Settings, k string) (value, field string) {
	switch k {
	case "KEY":
		return s.Key, "Key"
	case "SECRET":
		return s.Secret, "Secret"
	case "API_URL":
		return s.BaseURL, "BaseURL"
	case "DOMAIN":
		return s.Domain, "Domain"
	case "API_KEY":
		return s.APIKey, "APIKey"
	case "AUDIENCE":
		return strings.Join(s.ClientIDs, ","), "ClientIDs"
	case "TENANT_ID":
		return s.Tenant, "Tenant"
	case "TEAM":
		return s.TeamID, "TeamID"
	case "KEY_ID":
		return s.KeyID, "KeyID"
	case "PRIVATE_KEY":
		return s.PrivateKey, "PrivateKey"
	}
	panic("backends: the catalog names an unknown setting " + k)
}
