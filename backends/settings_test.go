package backends_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
)

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
			if b.Name() == "google-oauth2" {
				g, ok := b.(*backends.OAuth2IDToken)
				require.True(t, ok)
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
}

func TestFromEnvRequiredSettings(t *testing.T) {
	for _, tc := range []struct {
		name, missing string
	}{
		{"vk-oauth2", "SOCIAL_AUTH_VK_OAUTH2_API_KEY"},
		{"linkedin-oauth2", "SOCIAL_AUTH_LINKEDIN_OAUTH2_SECRET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := backends.EnvPrefix(tc.name)
			_, err := backends.FromEnv(envOf(map[string]string{p + "KEY": "k"}))
			require.Error(t, err, "a key without its required extra must not silently half-configure the backend")
			assert.Contains(t, err.Error(), tc.missing)

			got, err := backends.FromEnv(envOf(map[string]string{p + "KEY": "k", p + "SECRET": "s", p + "API_KEY": "a"}))
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, tc.name, got[0].Name())
		})
	}
	t.Run("gitlab's API_URL is the self-managed base URL", func(t *testing.T) {
		got, err := backends.FromEnv(envOf(map[string]string{"SOCIAL_AUTH_GITLAB_KEY": "k", "SOCIAL_AUTH_GITLAB_API_URL": "https://git.example.org"}))
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, "https://git.example.org/oauth/authorize", got[0].(*backends.OAuth2).Provider().AuthURL)
	})
}
