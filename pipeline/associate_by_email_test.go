package pipeline_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
	"github.com/go-socialauth/socialauth/storage/storagetest"
)

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
			prov := storagetest.NewFakeProvider(t)
			prov.Set("tok", storagetest.Identity{UID: "1", Username: "pat", Email: "Pat@Example.com", EmailVerified: true})
			svc := storagetest.NewService(t, prov, st, pipeline.Default().InsertAfter("get_username", pipeline.AssociateByEmail()), "dev")

			res, err := storagetest.Login(ctx, svc, "dev", "tok")
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
	ctx := context.Background()
	st := &racingSignup{Store: memory.New()}
	prov := storagetest.NewFakeProvider(t)
	prov.Set("tok", storagetest.Identity{UID: "1", Username: "pat", Email: "pat@example.com", EmailVerified: true})
	svc := storagetest.NewService(t, prov, st, pipeline.Default().InsertAfter("get_username", pipeline.AssociateByEmail()), "dev")

	res, err := storagetest.Login(ctx, svc, "dev", "tok")
	require.NoError(t, err)
	assert.True(t, res.IsNew)
	assert.Equal(t, "pat", res.User.Username, "its own user, not the squatter")
	assert.True(t, res.User.EmailVerified)
}
