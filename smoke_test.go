package socialauth_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/internal/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	srv := httptest.NewServer(devprovider.Handler())
	defer srv.Close()
	svc, err := socialauth.New(socialauth.Config{Backends: []socialauth.Backend{devprovider.Backend(srv.URL)}, Storage: memory.New(), Pipeline: pipeline.Default(), HTTPClient: srv.Client()})
	require.NoError(t, err)
	ctx, err := svc.WithBackend(context.Background(), "dev")
	require.NoError(t, err)
	r1, err := socialauth.DoAuth(ctx, "dev:alice")
	require.NoError(t, err)
	t.Logf("%+v %+v new=%v", r1.User, r1.Association, r1.IsNew)
	r2, err := socialauth.DoAuth(ctx, "dev:alice")
	require.NoError(t, err)
	require.Equal(t, r1.User.ID, r2.User.ID)
	require.False(t, r2.IsNew)
	_, err = socialauth.DoAuth(ctx, "nope")
	t.Log(err)
	require.ErrorIs(t, err, socialauth.ErrInvalidToken)
}
