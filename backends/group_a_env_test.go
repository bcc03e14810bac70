package backends_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth/backends"
)

// groupANames are PSA's backend names for provider group A.
var groupANames = []string{
	"gitlab", "discord", "slack", "bitbucket-oauth2", "amazon", "spotify", "twitch", "reddit", "dropbox-oauth2",
	"yandex-oauth2", "vk-oauth2", "instagram", "stackoverflow", "linkedin-oauth2",
}

func TestGroupANamesAndDocs(t *testing.T) {
	for _, name := range groupANames {
		b, err := backends.ByName(name, backends.Settings{Key: "k", Secret: "s", APIKey: "a"})
		require.NoError(t, err, name)
		assert.Equal(t, name, b.Name())
		doc := b.(backends.Documented).Doc()
		assert.Equal(t, "OAuth2", doc.Protocol, name)
		for field, v := range map[string]string{"TokenCheck": doc.TokenCheck, "UID": doc.UID, "EmailVerified": doc.EmailVerified} {
			assert.NotEmpty(t, v, "%s: Doc.%s", name, field)
		}
	}
}

func TestGroupAFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	for _, tc := range []struct {
		name, missing string
	}{
		{"vk-oauth2", "SOCIAL_AUTH_VK_OAUTH2_API_KEY"},
		{"stackoverflow", "SOCIAL_AUTH_STACKOVERFLOW_API_KEY"},
		{"instagram", "SOCIAL_AUTH_INSTAGRAM_SECRET"},
		{"linkedin-oauth2", "SOCIAL_AUTH_LINKEDIN_OAUTH2_SECRET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := backends.EnvPrefix(tc.name)
			_, err := backends.FromEnv(env(map[string]string{p + "KEY": "k"}))
			require.Error(t, err, "a key without its required extra must not silently half-configure the backend")
			assert.Contains(t, err.Error(), tc.missing)

			got, err := backends.FromEnv(env(map[string]string{p + "KEY": "k", p + "SECRET": "s", p + "API_KEY": "a"}))
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, tc.name, got[0].Name())
		})
	}
	t.Run("gitlab's API_URL is the self-managed base URL", func(t *testing.T) {
		got, err := backends.FromEnv(env(map[string]string{"SOCIAL_AUTH_GITLAB_KEY": "k", "SOCIAL_AUTH_GITLAB_API_URL": "https://git.example.org"}))
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, "https://git.example.org/oauth/authorize", got[0].(*backends.OAuth2).Provider().AuthURL)
	})
}
