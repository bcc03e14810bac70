package socialauth_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/pipeline"
)

func TestDisconnect(t *testing.T) {
	e := newEnv(t, nil)
	e.cfg.DisconnectPipeline = pipeline.DefaultDisconnect()
	ctx := e.ctx(t)
	alice, err := socialauth.DoAuth(ctx, "dev:alice")
	require.NoError(t, err)
	bob, err := socialauth.DoAuth(ctx, "dev:bob")
	require.NoError(t, err)

	err = socialauth.Disconnect(ctx, alice.User, alice.Association.ID)
	require.ErrorIs(t, err, socialauth.ErrNotAllowedToDisconnect, "her only way in")

	err = socialauth.Disconnect(ctx, alice.User, bob.Association.ID)
	require.ErrorIs(t, err, socialauth.ErrNotFound, "not hers to remove")
	_, err = e.store.GetAssociation(context.Background(), "dev", "dev-bob")
	require.NoError(t, err, "bob's association is untouched")

	second, err := socialauth.Connect(ctx, alice.User, "dev:alice-work")
	require.NoError(t, err)
	require.NoError(t, socialauth.Disconnect(ctx, alice.User, alice.Association.ID))
	links, err := e.store.AssociationsForUser(context.Background(), alice.User.ID)
	require.NoError(t, err)
	require.Len(t, links, 1)
	assert.Equal(t, second.Association.ID, links[0].ID)

	t.Run("another way to log in allows the last one to go", func(t *testing.T) {
		e.cfg.DisconnectPipeline = pipeline.DefaultDisconnect().Replace("allowed_to_disconnect",
			pipeline.AllowedToDisconnect(pipeline.DisconnectOptions{HasOtherLogin: func(context.Context, *socialauth.User) (bool, error) { return true, nil }}))
		ctx := e.ctx(t)
		require.NoError(t, socialauth.Disconnect(ctx, alice.User, ""))
		links, err := e.store.AssociationsForUser(context.Background(), alice.User.ID)
		require.NoError(t, err)
		assert.Empty(t, links)
	})
	t.Run("not configured", func(t *testing.T) {
		e.cfg.DisconnectPipeline = nil
		err := socialauth.Disconnect(e.ctx(t), bob.User, "")
		require.Error(t, err)
	})
}
