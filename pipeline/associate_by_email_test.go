package pipeline_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// loginAs logs id in through a fake Google (at the HTTP level) into st,
// with the stock pipeline and associate_by_email.
func loginAs(t *testing.T, st socialauth.Storage, id backendtest.Identity) (*socialauth.Result, error) {
	t.Helper()
	fake := backendtest.New(t)
	google := backends.Settings{Key: "web-client.apps.googleusercontent.com"}
	svc, err := socialauth.New(socialauth.Config{
		Backends:   []socialauth.Backend{backends.GoogleOAuth2(google)},
		Storage:    st,
		Pipeline:   pipeline.Default().InsertAfter("get_username", pipeline.AssociateByEmail()),
		HTTPClient: fake.Client(),
	})
	require.NoError(t, err)
	return svc.Login(context.Background(), "google-oauth2", fake.Token("google-oauth2", google, id))
}

// A user with the same email that associate_by_email may not link to (its
// email unverified, or the user inactive) must not block a verified login:
// like PSA, the login gets a user of its own.
func TestAssociateByEmailSkipsUnlinkableUsers(t *testing.T) {
	for name, existing := range map[string]*socialauth.User{
		"unverified": {Username: "old", Email: "pat@example.com", EmailVerified: false, IsActive: true},
		"inactive":   {Username: "old", Email: "pat@example.com", EmailVerified: true, IsActive: false},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := memory.New()
			old, err := st.CreateUser(ctx, existing)
			require.NoError(t, err)
			res, err := loginAs(t, st, backendtest.Identity{UID: "1", Username: "pat", Email: "Pat@Example.com", EmailVerified: true})
			require.NoError(t, err)
			assert.True(t, res.IsNew)
			assert.NotEqual(t, old.ID, res.User.ID, "never linked to a user it may not link to")
			users, err := st.UsersByEmail(ctx, "pat@example.com")
			require.NoError(t, err)
			assert.Len(t, users, 2)
		})
	}
}

// racingSignup is a store in which, just before the first login stores its
// user, somebody else signs up with the same email, unverified.
type racingSignup struct {
	*memory.Store
	done bool
}

func (r *racingSignup) CreateUserWithAssociation(ctx context.Context, u *socialauth.User, a *socialauth.Association, o socialauth.CreateOptions) (*socialauth.User, *socialauth.Association, error) {
	if !r.done {
		r.done = true
		if _, err := r.CreateUser(ctx, &socialauth.User{Username: "squatter", Email: u.Email, IsActive: true}); err != nil {
			return nil, nil, err
		}
	}
	return r.Store.CreateUserWithAssociation(ctx, u, a, o)
}

func TestAssociateByEmailEmailTakenByUnlinkableUser(t *testing.T) {
	st := &racingSignup{Store: memory.New()}
	res, err := loginAs(t, st, backendtest.Identity{UID: "1", Username: "pat", Email: "pat@example.com", EmailVerified: true})
	require.NoError(t, err)
	assert.True(t, res.IsNew)
	assert.Equal(t, "pat", res.User.Username, "its own user, not the squatter")
	assert.True(t, res.User.EmailVerified)
}
