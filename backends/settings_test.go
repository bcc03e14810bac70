package backends_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestEnvPrefix(t *testing.T) {
	assert.Equal(t, "SOCIAL_AUTH_GOOGLE_OAUTH2_", backends.EnvPrefix("google-oauth2"))
	assert.Equal(t, "SOCIAL_AUTH_APPLE_ID_", backends.EnvPrefix("apple-id"))
	assert.Equal(t, "SOCIAL_AUTH_GITHUB_", backends.EnvPrefix("github"))
}

func TestFromEnv(t *testing.T) {
	t.Run("nothing set: nothing enabled", func(t *testing.T) {
		got, err := backends.FromEnv(envOf(nil))
		require.NoError(t, err)
		assert.Empty(t, got)
	})
	t.Run("keys enable backends", func(t *testing.T) {
		got, err := backends.FromEnv(envOf(map[string]string{
			"SOCIAL_AUTH_GOOGLE_OAUTH2_KEY":      "web.apps.googleusercontent.com",
			"SOCIAL_AUTH_GOOGLE_OAUTH2_AUDIENCE": "ios.apps.googleusercontent.com, android.apps.googleusercontent.com",
			"SOCIAL_AUTH_GOOGLE_OAUTH2_SCOPE":    "https://www.googleapis.com/auth/calendar.readonly",
			"SOCIAL_AUTH_GITHUB_KEY":             "Iv1.x",
			"SOCIAL_AUTH_GITHUB_SECRET":          "s",
			"SOCIAL_AUTH_FACEBOOK_SECRET":        "a secret without a key enables nothing",
		}))
		require.NoError(t, err)
		var names []string
		for _, b := range got {
			names = append(names, b.Name())
		}
		assert.ElementsMatch(t, []string{"google-oauth2", "github"}, names)
		for _, b := range got {
			if g, ok := b.(*backends.OAuth2); ok && b.Name() == "google-oauth2" {
				assert.Contains(t, g.Provider().Scopes, "https://www.googleapis.com/auth/calendar.readonly")
				assert.Contains(t, g.Provider().Scopes, "openid")
			}
		}
	})
	t.Run("a key without its required secret is an error, not a silent skip", func(t *testing.T) {
		_, err := backends.FromEnv(envOf(map[string]string{"SOCIAL_AUTH_GITHUB_KEY": "Iv1.x"}))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "SOCIAL_AUTH_GITHUB_SECRET")
	})
}

func TestByName(t *testing.T) {
	b, err := backends.ByName("github", backends.Settings{Key: "k", Secret: "s"})
	require.NoError(t, err)
	assert.Equal(t, "github", b.Name())
	_, err = backends.ByName("myspace", backends.Settings{})
	require.ErrorIs(t, err, socialauth.ErrUnknownBackend)
	for _, name := range backends.Names() {
		b, err := backends.ByName(name, kitSettings(name))
		require.NoError(t, err)
		assert.Equal(t, name, b.Name(), "the table's key is the backend's persisted name")
	}
}
