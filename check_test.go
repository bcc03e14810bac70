package socialauth_test

import (
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
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// checkedBackend is a host's backend with a Check of its own, which
// records the client it was given.
type checkedBackend struct {
	name   string
	err    error
	client *http.Client
}

func (b *checkedBackend) Name() string { return b.name }
func (b *checkedBackend) Authenticate(context.Context, *http.Client, string) (*socialauth.Profile, error) {
	return nil, socialauth.ErrInvalidToken
}
func (b *checkedBackend) Check(_ context.Context, client *http.Client) error {
	b.client = client
	return b.err
}

// plainBackend has no Check: Service.Check takes it as it is.
type plainBackend struct{ name string }

func (b plainBackend) Name() string { return b.name }
func (b plainBackend) Authenticate(context.Context, *http.Client, string) (*socialauth.Profile, error) {
	return nil, socialauth.ErrInvalidToken
}

// TestServiceCheck: Check asks every backend that can check itself, with
// the configured client, and returns every problem of every backend, each
// prefixed with its backend's name, in the order of Config.Backends.
func TestServiceCheck(t *testing.T) {
	fake := backendtest.New(t)
	good := backends.Settings{Key: "web-app", BaseURL: "https://idp.example.com"}
	fake.IssuerOf("oidc", good)
	down := backends.Settings{Key: "web-app", BaseURL: "https://sso.example.com/realms/x"}
	fake.IssuerOf("keycloak", down).Outage(http.StatusServiceUnavailable)
	build := func(name string, s backends.Settings) socialauth.Backend {
		b, err := backends.ByName(name, s)
		require.NoError(t, err)
		return b
	}
	host := &checkedBackend{name: "acme", err: errors.Join(errors.New("ACME_TENANT is empty"), errors.New("ACME_REGION is empty"))}
	newService := func(bs ...socialauth.Backend) *socialauth.Service {
		svc, err := socialauth.New(socialauth.Config{Backends: bs, Storage: memory.New(), Pipeline: pipeline.Default(), HTTPClient: fake.Client()})
		require.NoError(t, err)
		return svc
	}

	svc := newService(build("github", backends.Settings{Secret: "s3cr3t-value"}), build("oidc", good), plainBackend{"legacy"}, host, build("keycloak", down))
	err := svc.Check(context.Background())
	require.Error(t, err)
	assert.Equal(t, strings.Join([]string{
		"socialauth: backend github: SOCIAL_AUTH_GITHUB_KEY is empty (Settings.Key)",
		"socialauth: backend acme: ACME_TENANT is empty",
		"socialauth: backend acme: ACME_REGION is empty",
		"socialauth: backend keycloak: discovery (SOCIAL_AUTH_KEYCLOAK_API_URL (Settings.BaseURL)): socialauth: provider unavailable: provider answered 503 server_error",
	}, "\n"), err.Error())
	require.ErrorIs(t, err, socialauth.ErrProviderUnavailable, "the backends' errors stay in the chain")
	assert.Same(t, fake.Client(), host.client, "Config.HTTPClient")
	assert.NotContains(t, err.Error(), "s3cr3t-value")

	host.err = nil
	require.NoError(t, newService(build("oidc", good), plainBackend{"legacy"}, host).Check(context.Background()))
}
