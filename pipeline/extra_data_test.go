package pipeline_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// stateOf is newState for backend b.
func stateOf(t *testing.T, st socialauth.Storage, b socialauth.Backend, p *socialauth.Profile) *socialauth.State {
	t.Helper()
	svc, err := socialauth.New(socialauth.Config{Backends: []socialauth.Backend{b}, Storage: st, Pipeline: pipeline.Default()})
	require.NoError(t, err)
	s, err := svc.NewState(b.Name(), p)
	require.NoError(t, err)
	return s
}

// githubProfile is a login through GitHub whose /user answer is raw.
func githubProfile(token, raw string) *socialauth.Profile {
	return &socialauth.Profile{UID: "583231", Details: socialauth.Details{Username: "octocat"}, Raw: []byte(raw),
		Token: socialauth.Token{AccessToken: token}}
}

const octocat = `{"login":"octocat","id":583231,"node_id":"MDQ6VXNlcjU4MzIzMQ==","name":"The Octocat"}`

// The backend's own keys (PSA's EXTRA_DATA for it) are stored with the
// tokens, at the first login's single write; an unchanged returning login
// writes nothing; a configured key wins over the backend's.
func TestLoadExtraDataBackendKeys(t *testing.T) {
	gh := backends.GitHub(backends.Settings{Key: "Iv1.8a61f9b3a7aba766", Secret: "gh-secret"})
	st := &counting{Storage: memory.New()}
	first := stateOf(t, st, gh, githubProfile("gho_first", octocat))
	require.NoError(t, run(t, first, pipeline.Default()...))
	require.Equal(t, int64(1), st.creates.Load())
	assert.Equal(t, int64(0), st.assocUpdates.Load(), "the first login writes the association once, keys included")
	stored, err := st.GetAssociation(ctx, "github", "583231")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"access_token": "gho_first", "id": json.Number("583231"), "login": "octocat"}, stored.ExtraData,
		"GitHub's id and login as PSA keeps them; no token_type, which the provider did not send")

	again := stateOf(t, st, gh, githubProfile("gho_first", octocat))
	require.NoError(t, run(t, again, pipeline.Default()...))
	assert.Equal(t, int64(0), st.assocUpdates.Load(), "an unchanged returning login writes nothing")

	renamed := stateOf(t, st, gh, githubProfile("gho_first", `{"login":"octocat2","id":583231}`))
	require.NoError(t, run(t, renamed, pipeline.Default()...))
	assert.Equal(t, int64(1), st.assocUpdates.Load())
	got, err := st.GetAssociation(ctx, "github", "583231")
	require.NoError(t, err)
	assert.Equal(t, "octocat2", got.ExtraData["login"])

	t.Run("a configured key wins", func(t *testing.T) {
		s := stateOf(t, st, gh, githubProfile("gho_first", `{"login":"octocat2","id":583231,"node_id":"MDQ"}`))
		s.Association = got
		require.NoError(t, run(t, s, pipeline.LoadExtraData(pipeline.ExtraDataOptions{Keys: []pipeline.ExtraKey{{Name: "node_id", Alias: "login"}}})))
		got, err := st.GetAssociation(ctx, "github", "583231")
		require.NoError(t, err)
		assert.Equal(t, "MDQ", got.ExtraData["login"])
	})
}

// token_type only when the provider sent one; expires is the access
// token's expiry in Unix seconds; a new access token drops the type and
// expiry of the old one, PSA's relative expires_in and expires_on too.
func TestLoadExtraDataTokens(t *testing.T) {
	st := &counting{Storage: memory.New()}
	_, a := seedUser(t, st, socialauth.User{Username: "ada", IsActive: true}, "x")
	psaRow := map[string]any{"access_token": "old", "token_type": "Bearer", "expires_in": json.Number("5183999"),
		"expires_on": json.Number("1700000000"), "auth_time": json.Number("1699990000"), "refresh_token": "rt-old"}
	a.ExtraData = psaRow
	require.NoError(t, st.UpdateAssociation(ctx, a))

	expiry := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	p := &socialauth.Profile{UID: "x", Raw: []byte(`{"sub":"x"}`), Token: socialauth.Token{AccessToken: "new", Expiry: expiry}}
	s := newState(st, p)
	s.Association = a
	require.NoError(t, run(t, s, pipeline.LoadExtraData(pipeline.ExtraDataOptions{})))
	got, err := st.GetAssociation(ctx, backend.Name(), "x")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"access_token": "new", "expires": json.Number("1798859045"),
		"auth_time": json.Number("1699990000"), "refresh_token": "rt-old"}, got.ExtraData)

	t.Run("a token_type the provider sent is kept", func(t *testing.T) {
		p := &socialauth.Profile{UID: "x", Token: socialauth.Token{AccessToken: "newer", TokenType: "bearer"}}
		s := newState(st, p)
		s.Association = got
		require.NoError(t, run(t, s, pipeline.LoadExtraData(pipeline.ExtraDataOptions{})))
		got, err := st.GetAssociation(ctx, backend.Name(), "x")
		require.NoError(t, err)
		assert.Equal(t, "bearer", got.ExtraData["token_type"])
		assert.NotContains(t, got.ExtraData, "expires", "the old token's expiry is not the new one's")
	})
}
