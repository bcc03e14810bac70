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
	svc, ctx := e.svc(t), context.Background()
	alice, err := svc.Login(ctx, "dev", "dev-alice")
	require.NoError(t, err)
	bob, err := svc.Login(ctx, "dev", "dev-bob")
	require.NoError(t, err)

	err = svc.Disconnect(ctx, "dev", alice.User, alice.Association.ID)
	require.ErrorIs(t, err, socialauth.ErrNotAllowedToDisconnect, "her only way in")

	err = svc.Disconnect(ctx, "dev", alice.User, bob.Association.ID)
	require.ErrorIs(t, err, socialauth.ErrNotFound, "not hers to remove")
	_, err = e.store.GetAssociation(context.Background(), "dev", "dev-bob")
	require.NoError(t, err, "bob's association is untouched")

	second, err := svc.Connect(ctx, "dev", alice.User, "dev-alice-work")
	require.NoError(t, err)
	require.NoError(t, svc.Disconnect(ctx, "dev", alice.User, alice.Association.ID))
	links, err := e.store.AssociationsForUser(context.Background(), alice.User.ID)
	require.NoError(t, err)
	require.Len(t, links, 1)
	assert.Equal(t, second.Association.ID, links[0].ID)

	t.Run("another way to log in allows the last one to go", func(t *testing.T) {
		e.cfg.DisconnectPipeline = pipeline.DefaultDisconnect().Replace("allowed_to_disconnect",
			pipeline.AllowedToDisconnect(pipeline.DisconnectOptions{HasOtherLogin: func(context.Context, *socialauth.User) (bool, error) { return true, nil }}))
		svc, ctx := e.svc(t), context.Background()
		require.NoError(t, svc.Disconnect(ctx, "dev", alice.User, ""))
		links, err := e.store.AssociationsForUser(context.Background(), alice.User.ID)
		require.NoError(t, err)
		assert.Empty(t, links)
	})
	t.Run("not configured", func(t *testing.T) {
		e.cfg.DisconnectPipeline = nil
		err := e.svc(t).Disconnect(context.Background(), "dev", bob.User, "")
		require.Error(t, err)
	})
}
