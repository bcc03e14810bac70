package socialauth_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/socialhttp"
)

func newKey(t *testing.T) []byte {
	k := make([]byte, 32)
	_, err := rand.Read(k)
	require.NoError(t, err)
	return k
}

// rawTokens reads the association of uid straight from the store, as a
// look at the database would.
func rawAccessToken(t *testing.T, e *env, uid string) any {
	t.Helper()
	a, err := e.store.GetAssociation(context.Background(), "dev", uid)
	require.NoError(t, err)
	return a.ExtraData["access_token"]
}

func TestTokensSealedAtRest(t *testing.T) {
	e := newEnv(t, nil)
	oldKey, newKey := newKey(t), newKey(t)
	e.cfg.TokenKeys = [][]byte{oldKey}
	svc, ctx := e.svc(t), context.Background()

	res, err := svc.Login(ctx, "dev", "dev-alice")
	require.NoError(t, err)
	assert.Equal(t, "dev-alice", res.Association.AccessToken(), "the login's own view is plain")
	raw, _ := rawAccessToken(t, e, "dev-alice").(string)
	assert.True(t, strings.HasPrefix(raw, "sealed:v1:"), "stored sealed: %q", raw)
	assert.NotContains(t, raw, "dev-alice")

	as, err := svc.Associations(ctx, res.User.ID)
	require.NoError(t, err)
	require.Len(t, as, 1)
	assert.Equal(t, "dev-alice", as[0].AccessToken())

	again, err := svc.Login(ctx, "dev", "dev-alice")
	require.NoError(t, err)
	assert.False(t, again.IsNew)
	assert.Equal(t, raw, rawAccessToken(t, e, "dev-alice"), "an unchanged returning login rewrites nothing")

	t.Run("rotation: a new first key, the old one still opens", func(t *testing.T) {
		e.cfg.TokenKeys = [][]byte{newKey, oldKey}
		svc := e.svc(t)
		as, err := svc.Associations(ctx, res.User.ID)
		require.NoError(t, err)
		assert.Equal(t, "dev-alice", as[0].AccessToken())
		_, err = svc.Login(ctx, "dev", "dev-bob")
		require.NoError(t, err)
		bob, _ := rawAccessToken(t, e, "dev-bob").(string)
		assert.NotEqual(t, raw[:len("sealed:v1:")+8], bob[:len("sealed:v1:")+8], "sealed under the new key id")
	})
	t.Run("without the key, nothing opens and nothing is written", func(t *testing.T) {
		e.cfg.TokenKeys = [][]byte{newKey}
		svc := e.svc(t)
		_, err := svc.Login(ctx, "dev", "dev-alice")
		require.Error(t, err)
		assert.Equal(t, raw, rawAccessToken(t, e, "dev-alice"))
	})
	t.Run("a sealed value moved to another row does not open", func(t *testing.T) {
		e.cfg.TokenKeys = [][]byte{newKey, oldKey}
		svc := e.svc(t)
		bob, err := e.store.GetAssociation(ctx, "dev", "dev-bob")
		require.NoError(t, err)
		bob.ExtraData["access_token"] = raw // alice's sealed token
		require.NoError(t, e.store.UpdateAssociation(ctx, bob))
		_, err = svc.Associations(ctx, bob.UserID)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "dev-alice")
	})
	t.Run("keys must be 32 bytes", func(t *testing.T) {
		e.cfg.TokenKeys = [][]byte{[]byte("short")}
		_, err := socialauth.New(e.cfg)
		require.Error(t, err)
	})
}

func TestPausedLoginSealed(t *testing.T) {
	terms := socialauth.NewKey[bool]("host.terms")
	ask := socialauth.StepFunc(func(_ context.Context, s *socialauth.State) error {
		if ok, answered := terms.Get(s); !answered || !ok {
			return socialauth.Pause("accept_terms")
		}
		return nil
	})
	e := newEnv(t, pipeline.Default().InsertBefore("create_user", socialauth.PipelineStep{Name: "host.terms", Step: ask}))
	e.cfg.TokenKeys = [][]byte{newKey(t)}
	svc, ctx := e.svc(t), context.Background()
	_, err := svc.Login(ctx, "dev", "dev-paula")
	var paused *socialauth.PausedError
	require.ErrorAs(t, err, &paused)
	p, err := e.store.LoadPartial(ctx, paused.Token)
	require.NoError(t, err)
	assert.False(t, bytes.Contains(p.Data, []byte("dev-paula")), "no token in the saved state: %s", p.Data)
	res, err := svc.Resume(ctx, "dev", paused.Token, func(s *socialauth.State) error { terms.Set(s, true); return nil })
	require.NoError(t, err)
	assert.Equal(t, "dev-paula", res.Association.AccessToken(), "resumed with its token")
}

func TestDiscardTokens(t *testing.T) {
	e := newEnv(t, nil)
	e.cfg.DiscardTokens = true
	svc := e.svc(t)
	_, err := svc.Login(context.Background(), "dev", "dev-dan")
	require.NoError(t, err)
	assert.Nil(t, rawAccessToken(t, e, "dev-dan"))
	before, err := e.store.GetAssociation(context.Background(), "dev", "dev-dan")
	require.NoError(t, err)
	again, err := svc.Login(context.Background(), "dev", "dev-dan")
	require.NoError(t, err)
	assert.False(t, again.IsNew)
	after, err := e.store.GetAssociation(context.Background(), "dev", "dev-dan")
	require.NoError(t, err)
	assert.Equal(t, before.ModifiedAt, after.ModifiedAt, "a returning login with nothing new writes nothing")
}

func TestOnLogin(t *testing.T) {
	e := newEnv(t, nil)
	var events []socialauth.LoginEvent
	e.cfg.OnLogin = func(_ context.Context, ev socialauth.LoginEvent) { events = append(events, ev) }
	svc, ctx := e.svc(t), context.Background()
	_, err := svc.Login(ctx, "dev", "dev-olga")
	require.NoError(t, err)
	_, err = svc.Login(ctx, "dev", "refused-token")
	require.Error(t, err)
	_, err = svc.Login(ctx, "nosuch", "dev-olga")
	require.Error(t, err)
	require.Len(t, events, 3)
	assert.Equal(t, "login", events[0].Operation)
	assert.True(t, events[0].IsNew)
	assert.NotEmpty(t, events[0].UserID)
	assert.NoError(t, events[0].Err)
	assert.Greater(t, events[0].Duration, time.Duration(0))
	code, _ := socialhttp.ErrorCode(events[1].Err)
	assert.Equal(t, "invalid_token", code)
	assert.True(t, errors.Is(events[2].Err, socialauth.ErrUnknownBackend))
	for _, ev := range events {
		if ev.Err != nil {
			assert.NotContains(t, ev.Err.Error(), "refused-token")
		}
	}
}
