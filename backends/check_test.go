package backends_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

// checker is the start-up check every backend of the package has (the
// method socialauth.Service.Check calls).
type checker interface {
	Check(ctx context.Context, client *http.Client) error
}

// check runs b's Check against client; the error's text holds none of s's
// secrets.
func check(t *testing.T, b socialauth.Backend, client *http.Client, s backends.Settings) error {
	t.Helper()
	c, ok := b.(checker)
	require.True(t, ok, "%s has Check", b.Name())
	err := c.Check(context.Background(), client)
	if err != nil {
		noSecretIn(t, err.Error(), s.Secret, s.PrivateKey, s.APIKey)
	}
	return err
}

// fakesFor installs backend name's fake provider, and its OpenID
// provider where it has one, in fake.
func fakesFor(fake *backendtest.Provider, b socialauth.Backend, s backends.Settings) {
	fake.Token(b.Name(), s, fakeIdentity)
	if _, ok := b.(socialauth.IDTokenAuthenticator); ok {
		fake.IssuerOf(b.Name(), s)
	}
}

// settingsEnv is the environment FromEnv reads s from, for backend name.
func settingsEnv(name string, s backends.Settings) map[string]string {
	p := backends.EnvPrefix(name)
	env := map[string]string{}
	for k, v := range map[string]string{
		"KEY": s.Key, "SECRET": s.Secret, "SCOPE": strings.Join(s.Scope, " "), "AUDIENCE": strings.Join(s.ClientIDs, ","),
		"API_URL": s.BaseURL, "TENANT_ID": s.Tenant, "DOMAIN": s.Domain, "TEAM": s.TeamID, "KEY_ID": s.KeyID,
		"PRIVATE_KEY": s.PrivateKey, "API_KEY": s.APIKey,
	} {
		if v != "" {
			env[p+k] = v
		}
	}
	return env
}

// without is s with the setting k (as FromEnv names it) left empty.
func without(s backends.Settings, k string) backends.Settings {
	switch k {
	case "KEY":
		s.Key = ""
	case "SECRET":
		s.Secret = ""
	case "API_URL":
		s.BaseURL = ""
	case "DOMAIN":
		s.Domain = ""
	case "API_KEY":
		s.APIKey = ""
	case "AUDIENCE":
		s.ClientIDs = nil
	case "TENANT_ID":
		s.Tenant = ""
	default:
		panic("without: " + k)
	}
	return s
}

// TestCheckCatalog: every backend, configured as its fake provider
// expects, passes its Check against the fakes (for the OpenID providers:
// discovery and keys fetched); each setting it requires, left empty, is an
// error that names it, from Check, and from FromEnv before any backend is
// built.
func TestCheckCatalog(t *testing.T) {
	for _, name := range backends.Names() {
		t.Run(name, func(t *testing.T) {
			s := fakeSettings(name)
			b, err := backends.ByName(name, s)
			require.NoError(t, err)
			fake := backendtest.New(t)
			fakesFor(fake, b, s)
			require.NoError(t, check(t, b, fake.Client(), s))

			for _, k := range append([]string{"KEY"}, backends.RequiredSettings(name)...) {
				env := backends.EnvPrefix(name) + k
				t.Run("without "+k, func(t *testing.T) {
					s := without(s, k)
					got, err := backends.FromEnv(envOf(settingsEnv(name, s)))
					if k == "KEY" {
						require.NoError(t, err)
						assert.Empty(t, got, "FromEnv enables no backend without its key")
					} else {
						require.Error(t, err)
						assert.Contains(t, err.Error(), env)
					}
					if k == "API_URL" {
						// The issuer comes from it: the constructor panics
						// without one (a programmer's error), and FromEnv's
						// error above is the start-up check.
						assert.Panics(t, func() { _, _ = backends.ByName(name, s) })
						return
					}
					b, err := backends.ByName(name, s)
					require.NoError(t, err)
					err = check(t, b, fake.Client(), s)
					require.Error(t, err)
					assert.Contains(t, err.Error(), env+" is empty")
				})
			}
		})
	}
}

// TestCheckConstructed: a backend built by its constructor, not ByName,
// still names a missing client id and a missing secret its provider needs.
func TestCheckConstructed(t *testing.T) {
	constructors := map[string]func(backends.Settings) socialauth.Backend{
		"facebook":          func(s backends.Settings) socialauth.Backend { return backends.Facebook(s) },
		"gitea":             func(s backends.Settings) socialauth.Backend { return backends.Gitea(s) },
		"github":            func(s backends.Settings) socialauth.Backend { return backends.GitHub(s) },
		"linkedin-oauth2":   func(s backends.Settings) socialauth.Backend { return backends.LinkedInOAuth2(s) },
		"salesforce-oauth2": func(s backends.Settings) socialauth.Backend { return backends.SalesforceOAuth2(s) },
	}
	for _, name := range backends.Names() {
		needsSecret := false
		for _, k := range backends.RequiredSettings(name) {
			needsSecret = needsSecret || k == "SECRET"
		}
		if !needsSecret {
			continue
		}
		newBackend, ok := constructors[name]
		require.True(t, ok, "%s requires SECRET: list its constructor here", name)
		t.Run(name, func(t *testing.T) {
			s := fakeSettings(name)
			fake := backendtest.New(t)
			require.NoError(t, check(t, newBackend(s), fake.Client(), s))
			err := check(t, newBackend(backends.Settings{BaseURL: s.BaseURL}), fake.Client(), s)
			require.Error(t, err)
			p := backends.EnvPrefix(name)
			assert.Equal(t, p+"KEY is empty (Settings.Key)\n"+p+"SECRET is empty (Settings.Secret)", err.Error(), "every problem, not the first")
		})
	}
	t.Run("oidc", func(t *testing.T) {
		f := newOIDCFixture(t, "https://idp.example.com")
		b := backends.NewOIDC(backends.OIDCConfig{Name: "acme", Issuer: f.issuer.URL()})
		err := check(t, b, f.fake.Client(), f.s)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "OIDCConfig.ClientIDs is empty")
		b = backends.NewOIDC(backends.OIDCConfig{Name: "acme", Issuer: f.issuer.URL(), ClientIDs: []string{"web-app"}, Introspection: backends.IntrospectRequired})
		err = check(t, b, f.fake.Client(), f.s)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "OIDCConfig.ClientSecret is empty, but IntrospectRequired needs it")
	})
	t.Run("a backend of the host's own needs no client id", func(t *testing.T) {
		b := backends.NewOAuth2(backends.Provider{Name: "acme", UserInfoURL: "https://acme.example/me",
			User: func([]byte) (string, socialauth.Details, error) { return "", socialauth.Details{}, nil }})
		require.NoError(t, check(t, b, nil, backends.Settings{}))
	})
}

// TestCheckApple: apple-id needs no client secret to verify id_tokens; once
// any of TeamID, KeyID and PrivateKey is set, the others must be, and the
// key must be a P-256 PKCS#8 key.
func TestCheckApple(t *testing.T) {
	key, _ := p8(t)
	full := backends.Settings{Key: "com.example.web", TeamID: "TEAM123456", KeyID: "KEY1234567", PrivateKey: key}
	fake := backendtest.New(t)
	fake.IssuerOf("apple-id", full)
	for _, tc := range []struct {
		name string
		s    func(s backends.Settings) backends.Settings
		want []string // one problem each
	}{
		{"complete", func(s backends.Settings) backends.Settings { return s }, nil},
		{"id_tokens only", func(s backends.Settings) backends.Settings { return backends.Settings{Key: s.Key} }, nil},
		{"no team", func(s backends.Settings) backends.Settings { s.TeamID = ""; return s }, []string{"SOCIAL_AUTH_APPLE_ID_TEAM is empty (Settings.TeamID)"}},
		{"key only", func(s backends.Settings) backends.Settings { s.TeamID, s.KeyID = "", ""; return s },
			[]string{"SOCIAL_AUTH_APPLE_ID_TEAM is empty", "SOCIAL_AUTH_APPLE_ID_KEY_ID is empty"}},
		{"a key that is not one", func(s backends.Settings) backends.Settings { s.PrivateKey = "not a key"; return s },
			[]string{"SOCIAL_AUTH_APPLE_ID_PRIVATE_KEY (Settings.PrivateKey): socialauth: authentication failed: apple-id: PrivateKey is not a PKCS#8 key"}},
		{"no client id", func(s backends.Settings) backends.Settings { s.Key = ""; return s }, []string{"SOCIAL_AUTH_APPLE_ID_KEY is empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s(full)
			b, err := backends.ByName("apple-id", s)
			require.NoError(t, err)
			err = check(t, b, fake.Client(), s)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Len(t, err.(interface{ Unwrap() []error }).Unwrap(), len(tc.want), "%v", err)
		})
	}
}

// TestCheckProvider: an OpenID provider's discovery document must be
// reachable and name the configured issuer, and its JWKS reachable with a
// usable key; each failure names the setting or the host to look at.
func TestCheckProvider(t *testing.T) {
	s := fakeSettings("keycloak")
	setup := func(t *testing.T) (*providerDocuments, *http.Client, socialauth.Backend) {
		fake := backendtest.New(t)
		fake.IssuerOf("keycloak", s)
		docs := newProviderDocuments(fake.Transport())
		b, err := backends.ByName("keycloak", s)
		require.NoError(t, err)
		return docs, &http.Client{Transport: docs}, b
	}
	t.Run("discovery names another issuer", func(t *testing.T) {
		docs, client, b := setup(t)
		docs.setRewrite(func(kind string, body []byte) []byte {
			if kind != "discovery" {
				return body
			}
			return bytes.ReplaceAll(body, []byte(`"issuer":"https://sso.example.com/realms/fake"`), []byte(`"issuer":"https://sso.example.com/realms/other"`))
		})
		err := check(t, b, client, s)
		require.ErrorIs(t, err, socialauth.ErrAuthFailed)
		assert.Contains(t, err.Error(), "SOCIAL_AUTH_KEYCLOAK_API_URL (Settings.BaseURL)")
		assert.Contains(t, err.Error(), `another issuer than the configured one ("https://sso.example.com/realms/other", not "https://sso.example.com/realms/fake")`)
	})
	t.Run("discovery unreachable", func(t *testing.T) {
		docs, client, b := setup(t)
		docs.setDown(errConnRefused)
		err := check(t, b, client, s)
		require.ErrorIs(t, err, socialauth.ErrProviderUnavailable)
		assert.Contains(t, err.Error(), "discovery (SOCIAL_AUTH_KEYCLOAK_API_URL (Settings.BaseURL)): ")
		assert.Contains(t, err.Error(), "sso.example.com: connection refused")
	})
	t.Run("JWKS without a usable key", func(t *testing.T) {
		docs, client, b := setup(t)
		docs.setRewrite(func(kind string, body []byte) []byte {
			if kind == "jwks" {
				return []byte(`{"keys":[]}`)
			}
			return body
		})
		err := check(t, b, client, s)
		require.ErrorIs(t, err, socialauth.ErrProviderUnavailable)
		assert.Contains(t, err.Error(), "JWKS at sso.example.com: ")
		assert.Contains(t, err.Error(), "no usable signature key")
	})
	t.Run("settings and provider problems together", func(t *testing.T) {
		docs, client, _ := setup(t)
		docs.setDown(errConnRefused)
		b, err := backends.ByName("keycloak", backends.Settings{BaseURL: s.BaseURL})
		require.NoError(t, err)
		err = check(t, b, client, s)
		require.Error(t, err)
		var joined interface{ Unwrap() []error }
		require.True(t, errors.As(err, &joined))
		assert.Len(t, joined.Unwrap(), 2, "the missing key and the unreachable discovery: %v", err)
	})
}

// TestInsecureHTTPIssuer: an issuer that is plain http beyond loopback (a
// docker-compose network) is refused, at Check and at login, unless
// InsecureAllowHTTPIssuer says otherwise; http to loopback needs no option.
func TestInsecureHTTPIssuer(t *testing.T) {
	const compose = "http://keycloak:8080/realms/x"
	s := backends.Settings{Key: "web-app", Secret: "web-app-secret-5d1c", BaseURL: compose}
	fake := backendtest.New(t)
	issuer := fake.IssuerOf("keycloak", s)
	tok := issuer.IDToken(s, ada, backendtest.IDTokenOptions{})

	b, err := backends.ByName("keycloak", s)
	require.NoError(t, err)
	err = check(t, b, fake.Client(), s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the issuer "+compose+" is plain http beyond loopback")
	assert.Contains(t, err.Error(), "SOCIAL_AUTH_KEYCLOAK_INSECURE_ALLOW_HTTP_ISSUER=true")
	_, err = verifyIDToken(t, b.(socialauth.IDTokenAuthenticator), fake.Client(), tok, "")
	require.ErrorIs(t, err, socialauth.ErrAuthFailed, "refused at login too")
	assert.Contains(t, err.Error(), "not https")

	allowed := s
	allowed.InsecureAllowHTTPIssuer = true
	b, err = backends.ByName("keycloak", allowed)
	require.NoError(t, err)
	require.NoError(t, check(t, b, fake.Client(), allowed))
	p, err := verifyIDToken(t, b.(socialauth.IDTokenAuthenticator), fake.Client(), tok, "")
	require.NoError(t, err)
	assert.Equal(t, ada.UID, p.UID)

	t.Run("FromEnv", func(t *testing.T) {
		env := settingsEnv("keycloak", s)
		for _, tc := range []struct {
			v    string
			want bool
		}{{"", false}, {"true", true}, {"false", false}, {"1", true}} {
			env["SOCIAL_AUTH_KEYCLOAK_INSECURE_ALLOW_HTTP_ISSUER"] = tc.v
			bs, err := backends.FromEnv(envOf(env))
			require.NoError(t, err)
			require.Len(t, bs, 1)
			assert.Equal(t, tc.want, bs[0].(*backends.OIDC).Config().InsecureAllowHTTPIssuer, "%q", tc.v)
		}
		env["SOCIAL_AUTH_KEYCLOAK_INSECURE_ALLOW_HTTP_ISSUER"] = "yes please"
		_, err := backends.FromEnv(envOf(env))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "SOCIAL_AUTH_KEYCLOAK_INSECURE_ALLOW_HTTP_ISSUER must be true or false")
	})

	t.Run("loopback", func(t *testing.T) {
		local := backends.Settings{Key: "web-app", BaseURL: "http://127.0.0.1:8080/realms/x"}
		fake := backendtest.New(t)
		fake.IssuerOf("oidc", local)
		b, err := backends.ByName("oidc", local)
		require.NoError(t, err)
		require.NoError(t, check(t, b, fake.Client(), local))
	})

	t.Run("an issuer that is no URL", func(t *testing.T) {
		b, err := backends.ByName("oidc", backends.Settings{Key: "web-app", BaseURL: "idp.example.com"})
		require.NoError(t, err)
		err = check(t, b, backendtest.New(t).Client(), s)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `SOCIAL_AUTH_OIDC_API_URL (Settings.BaseURL): the issuer "idp.example.com" is not an http(s) URL with a host`)
	})
}
