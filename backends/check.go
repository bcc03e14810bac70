package backends

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// A backend's Check finds at start-up what would otherwise fail the first
// login: socialauth's Service.Check calls it for every configured backend.

// builtFrom is what a backend built by ByName or FromEnv knows of its
// configuration: the settings, and those its catalog entry requires.
type builtFrom struct {
	s        Settings
	requires []string
}

// keepSettings gives b, built by the catalog, the settings it was built from.
func keepSettings(b any, from *builtFrom) {
	switch b := b.(type) {
	case *OAuth2:
		b.from = from
	case *OIDC:
		b.from = from
	case *OAuth2IDToken:
		b.from = from // its OAuth2's
	}
}

// Check reports what keeps the backend from working, each problem naming
// the setting to fix: a missing client id (SOCIAL_AUTH_<NAME>_KEY), and
// the settings its provider needs (_SECRET for github, _AUDIENCE for
// kakao, ...; for a backend built by its constructor rather than by
// [ByName] or [FromEnv], the client id and secret only). It asks the
// provider nothing: there is no token to ask about. The problems are
// joined (errors.Join).
func (o *OAuth2) Check(ctx context.Context, client *http.Client) error {
	return errors.Join(settingProblems(o.p.Name, o.from, o.p.ClientID != "", o.p.ClientSecret != "")...)
}

// Check reports what keeps the backend from working, each problem naming
// the setting to fix, as [OAuth2.Check] does, and then, as [OIDC.Check]
// does, whether its id_tokens can be verified: the provider's keys.
func (b *OAuth2IDToken) Check(ctx context.Context, client *http.Client) error {
	errs := settingProblems(b.Name(), b.from, b.p.ClientID != "", b.p.ClientSecret != "")
	return errors.Join(append(errs, b.idt.checkProvider(ctx, client)...)...)
}

// Check reports what keeps the backend from working, each problem naming
// the setting to fix: a missing client id (SOCIAL_AUTH_<NAME>_KEY, or
// OIDCConfig.ClientIDs), the settings its provider needs (apple-id's
// _TEAM, _KEY_ID and _PRIVATE_KEY, once any of them is set, and a private
// key that parses), an issuer that is plain http beyond loopback without
// InsecureAllowHTTPIssuer; then it asks the provider: the discovery
// document must be reachable and name the configured issuer, and the JWKS
// reachable and hold a usable key. What it fetches stays cached for the
// logins that follow. The problems are joined (errors.Join).
func (o *OIDC) Check(ctx context.Context, client *http.Client) error {
	errs := o.missingSettings()
	return errors.Join(append(errs, o.checkProvider(ctx, client)...)...)
}

// missingSettings are the missing or unusable settings of the backend.
func (o *OIDC) missingSettings() []error {
	secret := o.cfg.ClientSecret != "" || o.cfg.ClientSecretFunc != nil
	var errs []error
	if o.catalogued() {
		errs = settingProblems(o.cfg.Name, o.from, len(o.cfg.ClientIDs) > 0, secret)
	} else if len(o.cfg.ClientIDs) == 0 {
		errs = append(errs, errors.New("OIDCConfig.ClientIDs is empty: no id_token can be checked against this app's client id"))
	}
	if o.access != nil && o.cfg.AccessTokenCheck == nil && o.cfg.Introspection == IntrospectRequired && !secret {
		errs = append(errs, errors.New("OIDCConfig.ClientSecret is empty, but IntrospectRequired needs it to introspect"))
	}
	if o.ownSettings != nil {
		errs = append(errs, o.ownSettings()...)
	}
	return errs
}

// checkProvider fetches the discovery document (unless the provider is
// static) and the JWKS, as a login would.
func (o *OIDC) checkProvider(ctx context.Context, client *http.Client) []error {
	setting := o.issuerSetting()
	if iss := strings.ReplaceAll(o.cfg.Issuer, "{tenantid}", "t"); iss != "" {
		u, err := url.Parse(iss)
		switch {
		case err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http":
			return []error{fmt.Errorf("%s: the issuer %q is not an http(s) URL with a host", setting, clip(o.cfg.Issuer, 200))}
		case !o.allowedURL(iss):
			opt := "InsecureAllowHTTPIssuer"
			if o.catalogued() {
				opt = EnvPrefix(o.cfg.Name) + "INSECURE_ALLOW_HTTP_ISSUER=true (Settings.InsecureAllowHTTPIssuer)"
			}
			return []error{fmt.Errorf("%s: the issuer %s is plain http beyond loopback: use https, or set %s where the network to it is trusted",
				setting, clip(o.cfg.Issuer, 200), opt)}
		}
	}
	m, err := o.metadata(ctx, client)
	if err != nil {
		return []error{fmt.Errorf("discovery (%s): %w", setting, err)}
	}
	if _, err := o.jwks.get(ctx, client, m.d.JWKSURL, o.cfg.Now(), 0, nil); err != nil {
		return []error{fmt.Errorf("JWKS at %s: %w", hostOf(m.d.JWKSURL), err)}
	}
	return nil
}

// catalogued reports whether the backend is one of this package's, whose
// settings FromEnv reads.
func (o *OIDC) catalogued() bool {
	_, ours := catalog()[o.cfg.Name]
	return ours || o.from != nil
}

// issuerSetting names the setting the provider's issuer comes from.
func (o *OIDC) issuerSetting() string {
	if e, ours := catalog()[o.cfg.Name]; ours {
		for _, k := range []string{"API_URL", "DOMAIN"} {
			if slices.Contains(e.requires, k) {
				_, field := settingOf(Settings{}, k)
				return EnvPrefix(o.cfg.Name) + k + " (Settings." + field + ")"
			}
		}
		return "the issuer of " + o.cfg.Name
	}
	if o.cfg.DiscoveryURL != "" {
		return "OIDCConfig.DiscoveryURL"
	}
	return "OIDCConfig.Issuer"
}

// settingProblems are the settings of backend name that are missing: from
// what it was built from when known, else (a backend built by its
// constructor) the client id and the secret, as its catalog entry
// requires. A backend this package does not list has none.
func settingProblems(name string, from *builtFrom, hasKey, hasSecret bool) []error {
	var unset []string
	if from != nil {
		if from.s.Key == "" {
			unset = append(unset, "KEY")
		}
		unset = append(unset, entry{requires: from.requires}.unset(from.s)...)
	} else if e, ours := catalog()[name]; ours {
		if !hasKey {
			unset = append(unset, "KEY")
		}
		if !hasSecret && slices.Contains(e.requires, "SECRET") {
			unset = append(unset, "SECRET")
		}
	}
	errs := make([]error, 0, len(unset))
	for _, k := range unset {
		errs = append(errs, missingSetting(name, k))
	}
	return errs
}

// missingSetting is the error of a setting k (as FromEnv names it) that
// backend name needs and does not have.
func missingSetting(name, k string) error {
	_, field := settingOf(Settings{}, k)
	return fmt.Errorf("%s%s is empty (Settings.%s)", EnvPrefix(name), k, field)
}
