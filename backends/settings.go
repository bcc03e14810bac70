package backends

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/go-socialauth/socialauth"
)

// Settings are what one backend needs to know of the app: its client id
// and secret at the provider, scopes, further client ids, and the
// provider's extras. Each constructor's doc says which fields it reads.
// [FromEnv] reads them from SOCIAL_AUTH_<NAME>_* variables (in brackets
// below), as PSA names its settings.
type Settings struct {
	// Key is the OAuth client id (SOCIAL_AUTH_<NAME>_KEY).
	Key string
	// Secret is the client secret (SOCIAL_AUTH_<NAME>_SECRET).
	Secret string
	// Scope adds scopes to the provider's defaults (SOCIAL_AUTH_<NAME>_SCOPE).
	Scope []string
	// ClientIDs are further client ids whose tokens this app accepts: the
	// iOS and Android clients of the same app (SOCIAL_AUTH_<NAME>_AUDIENCE,
	// comma-separated). Key is always accepted.
	ClientIDs []string
	// BaseURL is the address of a self-hosted provider (GitHub Enterprise,
	// GitLab, Gitea, Keycloak, ...) or an OIDC issuer (SOCIAL_AUTH_<NAME>_API_URL).
	BaseURL string
	// Tenant, Domain, TeamID, KeyID and PrivateKey are per-provider extras
	// (_TENANT_ID, _DOMAIN, _TEAM, _KEY_ID, _PRIVATE_KEY).
	Tenant, Domain, TeamID, KeyID, PrivateKey string
	// APIKey is a provider key that is neither the client id nor its secret
	// (SOCIAL_AUTH_<NAME>_API_KEY): VK's service access key, which its token
	// check needs.
	APIKey string
	// InsecureAllowHTTPIssuer lets an OpenID provider whose issuer is set
	// here (oidc, keycloak, okta-openidconnect) be reached over plain http
	// at any host, as on a docker-compose network
	// ("http://keycloak:8080/realms/x"): its keys, tokens and user data
	// then travel unprotected. False (the default) allows http only to
	// loopback (SOCIAL_AUTH_<NAME>_INSECURE_ALLOW_HTTP_ISSUER=true).
	InsecureAllowHTTPIssuer bool
}

// audiences is Key followed by ClientIDs, without empties.
func (s Settings) audiences() []string {
	out := make([]string, 0, 1+len(s.ClientIDs))
	for _, a := range append([]string{s.Key}, s.ClientIDs...) {
		if a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// siteURL is s.BaseURL without its trailing slashes, or def when it is empty:
// the address of a self-hosted or regional provider.
func siteURL(s Settings, def string) string {
	if s.BaseURL == "" {
		return def
	}
	return strings.TrimRight(s.BaseURL, "/")
}

// EnvPrefix is the prefix of a backend's environment variables:
// "google-oauth2" → "SOCIAL_AUTH_GOOGLE_OAUTH2_" (PSA's spelling).
func EnvPrefix(name string) string {
	return "SOCIAL_AUTH_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name)) + "_"
}

// FromEnv builds every backend of [Names] whose SOCIAL_AUTH_<NAME>_KEY is
// set ([EnvPrefix] spells <NAME>), reading the variables through lookup
// (os.LookupEnv in a program, a map in a test) into [Settings]: _KEY,
// _SECRET, _SCOPE, _AUDIENCE (ClientIDs), _API_URL or _OIDC_ENDPOINT
// (BaseURL), _TENANT_ID, _DOMAIN, _TEAM, _KEY_ID, _PRIVATE_KEY and
// _API_KEY, and _INSECURE_ALLOW_HTTP_ISSUER (true or false). A backend
// whose key is unset is not enabled. One whose key is set but whose
// required extras are missing is an error, so a typo does not silently
// disable a provider; so is a PSA setting that means something else here
// (apple-id's _CLIENT).
func FromEnv(lookup func(string) (string, bool)) ([]socialauth.Backend, error) {
	var out []socialauth.Backend
	table := catalog()
	for _, name := range Names() {
		p := EnvPrefix(name)
		key, ok := lookup(p + "KEY")
		if !ok || key == "" {
			continue
		}
		get := func(k string) string { v, _ := lookup(p + k); return strings.TrimSpace(v) }
		s := Settings{
			Key: key, Secret: get("SECRET"),
			Scope:     splitList(get("SCOPE")),
			ClientIDs: splitList(get("AUDIENCE")),
			BaseURL:   cmp.Or(get("API_URL"), get("OIDC_ENDPOINT")), // PSA's name for an OIDC issuer
			Tenant:    get("TENANT_ID"), Domain: get("DOMAIN"), TeamID: get("TEAM"),
			KeyID: get("KEY_ID"), PrivateKey: get("PRIVATE_KEY"),
			APIKey: get("API_KEY"),
		}
		if v := get("INSECURE_ALLOW_HTTP_ISSUER"); v != "" {
			allow, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("backends: %sINSECURE_ALLOW_HTTP_ISSUER must be true or false", p)
			}
			s.InsecureAllowHTTPIssuer = allow
		}
		if unset := table[name].unset(s); len(unset) > 0 {
			return nil, fmt.Errorf("backends: %s%s is required for %s", p, unset[0], name)
		}
		for _, k := range slices.Sorted(maps.Keys(table[name].refuses)) {
			if get(k) != "" {
				return nil, fmt.Errorf("backends: %s%s is not read for %s: %s", p, k, name, table[name].refuses[k])
			}
		}
		out = append(out, table[name].build(s))
	}
	return out, nil
}

// splitList splits on commas and white space: "a, b c" → [a b c].
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}
