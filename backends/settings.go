package backends

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/go-socialauth/socialauth"
)

// Settings configure one backend, as PSA's SOCIAL_AUTH_<NAME>_* settings do.
// Each constructor's doc says which fields it reads.
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
	// (SOCIAL_AUTH_<NAME>_API_KEY): Stack Exchange's app key, sent with every
	// API call, and VK's service access key, which its token check needs.
	APIKey string
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

// checkApp refuses a token whose client (app) is not one of audiences: the
// audience check of RFC 6749 §10.16 that every token check ends with.
func checkApp(backend, app string, audiences []string) error {
	if len(audiences) == 0 {
		return fmt.Errorf("%w: %s has no client id configured to check tokens against", socialauth.ErrAuthFailed, backend)
	}
	if app == "" || !slices.Contains(audiences, app) {
		return fmt.Errorf("%w: the token was issued to another app", socialauth.ErrInvalidToken)
	}
	return nil
}

// issuedTo is the app a checked token names: its client_id when it has
// one, else the first of its audiences that is one of ours ("" when none
// is). checkApp then decides.
func issuedTo(clientID string, audiences, ours []string) string {
	if clientID != "" {
		return clientID
	}
	for _, a := range audiences {
		if slices.Contains(ours, a) {
			return a
		}
	}
	return ""
}

// constructor is one entry of the tables below: how to build a backend,
// which settings it cannot work without ("SECRET", "API_URL", "TENANT_ID",
// "DOMAIN", "TEAM", "KEY_ID", "PRIVATE_KEY", "API_KEY", "AUDIENCE"), and which it refuses, with
// the reason: PSA settings that mean something else here, so that a
// configuration carried over from PSA fails loudly instead of half working.
type constructor struct {
	build    func(Settings) socialauth.Backend
	requires []string
	refuses  map[string]string
}

// constructorGroups are the per-file tables of constructors, merged by
// constructors. They are built on each call: the package keeps no mutable
// global registry.
func constructorGroups() []map[string]constructor {
	return []map[string]constructor{
		coreConstructors(),
		groupAConstructors(),
		groupBConstructors(),
		groupOIDCConstructors(),
	}
}

func coreConstructors() map[string]constructor {
	return map[string]constructor{
		"google-oauth2": {build: func(s Settings) socialauth.Backend { return GoogleOAuth2(s) }},
		"facebook":      {build: func(s Settings) socialauth.Backend { return Facebook(s) }, requires: []string{"SECRET"}},
		"github":        {build: func(s Settings) socialauth.Backend { return GitHub(s) }, requires: []string{"SECRET"}},
	}
}

func constructors() map[string]constructor {
	all := map[string]constructor{}
	for _, g := range constructorGroups() {
		for name, c := range g {
			if _, dup := all[name]; dup {
				panic("backends: two constructors for " + name)
			}
			all[name] = c
		}
	}
	return all
}

// Names lists the backend names FromEnv and ByName know, sorted.
func Names() []string {
	m := constructors()
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ByName builds the backend called name from s. An unknown name wraps
// socialauth.ErrUnknownBackend.
func ByName(name string, s Settings) (socialauth.Backend, error) {
	c, ok := constructors()[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", socialauth.ErrUnknownBackend, name)
	}
	return c.build(s), nil
}

// EnvPrefix is the settings prefix of a backend name, as PSA spells it:
// "google-oauth2" → "SOCIAL_AUTH_GOOGLE_OAUTH2_".
func EnvPrefix(name string) string {
	return "SOCIAL_AUTH_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name)) + "_"
}

// FromEnv builds every known backend whose SOCIAL_AUTH_<NAME>_KEY is set,
// reading the variables through lookup (os.LookupEnv in a program, a map in
// a test): _SECRET, _SCOPE, _AUDIENCE (ClientIDs), _API_URL or PSA's
// _OIDC_ENDPOINT (BaseURL), _TENANT_ID, _DOMAIN, _TEAM, _KEY_ID and
// _PRIVATE_KEY. Unset means not enabled. A backend whose key is set but
// whose required extras are missing is an error, so a typo does not
// silently disable a provider; so is a PSA setting that means something
// else here (apple-id's _CLIENT).
func FromEnv(lookup func(string) (string, bool)) ([]socialauth.Backend, error) {
	var out []socialauth.Backend
	table := constructors()
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
		for _, k := range table[name].requires {
			if get(k) == "" && !(k == "API_URL" && s.BaseURL != "") {
				return nil, fmt.Errorf("backends: %s%s is required for %s", p, k, name)
			}
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

// decode unmarshals a provider's JSON; malformed JSON is the provider's
// failure (ErrProviderUnavailable), never a crash.
func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: malformed user JSON", socialauth.ErrProviderUnavailable)
	}
	return nil
}

// idString renders a JSON id (a string or a number) exactly as sent;
// null or absent gives "".
func idString(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return ""
	}
	if s[0] == '"' {
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return ""
		}
		return v
	}
	if s[0] == '-' || (s[0] >= '0' && s[0] <= '9') {
		return s
	}
	return "" // objects, arrays, booleans are not ids
}

// flexBool reads a JSON boolean that some providers send as a string
// ("true"/"false", Apple and Google's tokeninfo do).
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch strings.Trim(strings.ToLower(string(data)), `"`) {
	case "true", "1":
		*b = true
	default:
		*b = false
	}
	return nil
}

// localPart is the part of an email before the '@'.
func localPart(email string) string {
	l, _, _ := strings.Cut(email, "@")
	return l
}
