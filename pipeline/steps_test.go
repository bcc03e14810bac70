package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

var ctx = context.Background()

// counting wraps a real store and counts the writes of a login.
type counting struct {
	socialauth.Storage
	userUpdates, assocUpdates, creates atomic.Int64
}

func (c *counting) UpdateUser(ctx context.Context, u *socialauth.User) error {
	c.userUpdates.Add(1)
	return c.Storage.UpdateUser(ctx, u)
}

func (c *counting) UpdateAssociation(ctx context.Context, a *socialauth.Association) error {
	c.assocUpdates.Add(1)
	return c.Storage.UpdateAssociation(ctx, a)
}

func (c *counting) CreateUserWithAssociation(ctx context.Context, u *socialauth.User, a *socialauth.Association, o socialauth.CreateOptions) (*socialauth.User, *socialauth.Association, error) {
	c.creates.Add(1)
	return c.Storage.CreateUserWithAssociation(ctx, u, a, o)
}

// backend is a real backend; the steps only read its name.
var backend = devprovider.Backend("http://127.0.0.1:1")

func profile(uid string, d socialauth.Details) *socialauth.Profile {
	return &socialauth.Profile{UID: uid, Details: d, Raw: []byte(`{"sub":"` + uid + `"}`),
		Token: socialauth.Token{AccessToken: "at-" + uid, TokenType: "Bearer"}}
}

func newState(st socialauth.Storage, p *socialauth.Profile) *socialauth.State {
	svc, err := socialauth.New(socialauth.Config{Backends: []socialauth.Backend{backend}, Storage: st, Pipeline: pipeline.Default()})
	if err != nil {
		panic(err)
	}
	s, err := svc.NewState(backend.Name(), p)
	if err != nil {
		panic(err)
	}
	return s
}

func run(t *testing.T, s *socialauth.State, steps ...socialauth.PipelineStep) error {
	t.Helper()
	for _, st := range steps {
		if err := st.Step.Run(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// seedUser stores a user with an association for backend and uid.
func seedUser(t *testing.T, st socialauth.Storage, u socialauth.User, uid string) (*socialauth.User, *socialauth.Association) {
	t.Helper()
	nu, a, err := st.CreateUserWithAssociation(ctx, &u, &socialauth.Association{Provider: backend.Name(), UID: uid}, socialauth.CreateOptions{})
	require.NoError(t, err)
	return nu, a
}

func TestDefaultIsPSAOrder(t *testing.T) {
	var names []string
	for _, s := range pipeline.Default() {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"social_details", "social_uid", "auth_allowed", "social_user", "get_username",
		"create_user", "associate_user", "load_extra_data", "user_details"}, names)
	assert.Equal(t, -1, pipeline.Default().Index("associate_by_email"), "not in the default pipeline")
}

func TestSocialDetails(t *testing.T) {
	d := socialauth.Details{Username: "ada", Email: "ada@example.com", EmailVerified: true, FullName: "Ada Lovelace"}
	t.Run("copies the provider's details and splits the name", func(t *testing.T) {
		s := newState(memory.New(), profile("1", d))
		require.NoError(t, run(t, s, pipeline.SocialDetails()))
		assert.Equal(t, "Ada", s.Details.FirstName)
		assert.Equal(t, "Lovelace", s.Details.LastName)
		assert.True(t, s.Details.EmailVerified)
	})
	t.Run("incoming details win, like PSA's merge", func(t *testing.T) {
		s := newState(memory.New(), profile("1", d))
		s.Details = socialauth.Details{FirstName: "Augusta", LastName: "King"}
		require.NoError(t, run(t, s, pipeline.SocialDetails()))
		assert.Equal(t, "Augusta", s.Details.FirstName)
		assert.Equal(t, "ada@example.com", s.Details.Email)
		assert.True(t, s.Details.EmailVerified)
	})
	t.Run("a host-set email that differs is not verified", func(t *testing.T) {
		s := newState(memory.New(), profile("1", d))
		s.Details = socialauth.Details{Email: "other@example.com"}
		require.NoError(t, run(t, s, pipeline.SocialDetails()))
		assert.Equal(t, "other@example.com", s.Details.Email)
		assert.False(t, s.Details.EmailVerified)
	})
}

func TestSocialUID(t *testing.T) {
	s := newState(memory.New(), profile(" Abc", socialauth.Details{}))
	require.NoError(t, run(t, s, pipeline.SocialUID()))
	assert.Equal(t, " Abc", s.UID, "kept byte for byte")

	s = newState(memory.New(), profile("", socialauth.Details{}))
	err := run(t, s, pipeline.SocialUID())
	require.ErrorIs(t, err, socialauth.ErrAuthFailed)
	assert.Empty(t, s.UID, "never the string None")
}

func TestAuthAllowed(t *testing.T) {
	opts := pipeline.AllowedOptions{Emails: []string{"Boss@Corp.example"}, Domains: []string{"corp.example"}}
	cases := []struct {
		name     string
		opts     pipeline.AllowedOptions
		email    string
		verified bool
		ok       bool
	}{
		{"no lists: everyone", pipeline.AllowedOptions{}, "", false, true},
		{"listed email, any case", pipeline.AllowedOptions{Emails: []string{"Boss@Corp.example"}}, "boss@corp.EXAMPLE", true, true},
		{"listed domain", opts, "ann@corp.example", true, true},
		{"subdomain is another domain", opts, "ann@evil.corp.example", true, false},
		{"suffix trick", opts, "ann@evilcorp.example", true, false},
		{"other domain", opts, "ann@gmail.com", true, false},
		{"unverified email refused", opts, "ann@corp.example", false, false},
		{"unverified allowed when asked", pipeline.AllowedOptions{Domains: []string{"corp.example"}, AllowUnverified: true}, "ann@corp.example", false, true},
		{"list injection", opts, "x@gmail.com,ann@corp.example", true, false},
		{"two at signs", opts, "x@gmail.com@corp.example", true, false},
		{"no email", opts, "", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newState(memory.New(), profile("1", socialauth.Details{}))
			s.Details = socialauth.Details{Email: tc.email, EmailVerified: tc.verified}
			err := run(t, s, pipeline.AuthAllowed(tc.opts))
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, socialauth.ErrAuthForbidden)
			}
		})
	}
}

func TestSocialUser(t *testing.T) {
	st := memory.New()
	u, a := seedUser(t, st, socialauth.User{Username: "ada", IsActive: true}, "uid-1")

	t.Run("unknown identity", func(t *testing.T) {
		s := newState(st, profile("uid-2", socialauth.Details{}))
		require.NoError(t, run(t, s, pipeline.SocialUID(), pipeline.SocialUser()))
		assert.Nil(t, s.User)
		assert.True(t, s.IsNew)
		assert.True(t, s.NewAssociation)
	})
	t.Run("known identity", func(t *testing.T) {
		s := newState(st, profile("uid-1", socialauth.Details{}))
		require.NoError(t, run(t, s, pipeline.SocialUID(), pipeline.SocialUser()))
		assert.Equal(t, u.ID, s.User.ID)
		assert.Equal(t, a.ID, s.Association.ID)
		assert.False(t, s.IsNew)
	})
	t.Run("uid compared byte-exactly", func(t *testing.T) {
		s := newState(st, profile("UID-1", socialauth.Details{}))
		require.NoError(t, run(t, s, pipeline.SocialUID(), pipeline.SocialUser()))
		assert.Nil(t, s.User)
	})
	t.Run("connect: identity of another user", func(t *testing.T) {
		s := newState(st, profile("uid-1", socialauth.Details{}))
		s.User = &socialauth.User{ID: "someone-else"}
		err := run(t, s, pipeline.SocialUID(), pipeline.SocialUser())
		require.ErrorIs(t, err, socialauth.ErrAlreadyAssociated)
	})
	t.Run("connect: own identity again", func(t *testing.T) {
		s := newState(st, profile("uid-1", socialauth.Details{}))
		s.User = u
		require.NoError(t, run(t, s, pipeline.SocialUID(), pipeline.SocialUser()))
		assert.Equal(t, a.ID, s.Association.ID)
	})
}

func TestGetUsername(t *testing.T) {
	st := memory.New()
	seedUser(t, st, socialauth.User{Username: "ada", IsActive: true}, "taken")
	get := func(t *testing.T, o pipeline.UsernameOptions, d socialauth.Details) string {
		s := newState(st, profile("x", d))
		require.NoError(t, run(t, s, pipeline.SocialDetails(), pipeline.GetUsername(o)))
		return s.Username
	}
	assert.Equal(t, "grace", get(t, pipeline.UsernameOptions{}, socialauth.Details{Username: "grace"}))
	assert.Equal(t, "FooBar", get(t, pipeline.UsernameOptions{}, socialauth.Details{Username: "Foo Bar!"}), "PSA's clean_username")
	assert.Equal(t, "Foo Bar!", get(t, pipeline.UsernameOptions{NoClean: true}, socialauth.Details{Username: "Foo Bar!"}))
	assert.Equal(t, "g@x.example", get(t, pipeline.UsernameOptions{IsFullEmail: true}, socialauth.Details{Username: "g", Email: "g@x.example"}))
	assert.Equal(t, "SLUG", get(t, pipeline.UsernameOptions{Clean: func(string) string { return "SLUG" }}, socialauth.Details{Username: "x"}))

	t.Run("taken: a random suffix", func(t *testing.T) {
		name := get(t, pipeline.UsernameOptions{}, socialauth.Details{Username: "ada"})
		assert.Len(t, name, 3+16)
		assert.True(t, strings.HasPrefix(name, "ada"))
		other := get(t, pipeline.UsernameOptions{SuffixLength: 6}, socialauth.Details{Username: "ada"})
		assert.Len(t, other, 3+6)
	})
	t.Run("max length holds with the suffix", func(t *testing.T) {
		name := get(t, pipeline.UsernameOptions{MaxLength: 10}, socialauth.Details{Username: "abcdefghijklmnop"})
		assert.Equal(t, "abcdefghij", name)
		seedUser(t, st, socialauth.User{Username: "abcdefghij", IsActive: true}, "taken-2")
		name = get(t, pipeline.UsernameOptions{MaxLength: 10, SuffixLength: 4}, socialauth.Details{Username: "abcdefghijklmnop"})
		assert.Len(t, name, 10)
		assert.True(t, strings.HasPrefix(name, "abcdef"))
	})
	t.Run("nothing usable: random", func(t *testing.T) {
		assert.Len(t, get(t, pipeline.UsernameOptions{}, socialauth.Details{}), 32)
		name := get(t, pipeline.UsernameOptions{}, socialauth.Details{Username: "日本語"})
		assert.Len(t, name, 16, "cleaned to nothing: a random suffix alone")
	})
	t.Run("existing user keeps theirs", func(t *testing.T) {
		s := newState(st, profile("x", socialauth.Details{Username: "new"}))
		s.User = &socialauth.User{ID: "7", Username: "old"}
		require.NoError(t, run(t, s, pipeline.GetUsername(pipeline.UsernameOptions{})))
		assert.Equal(t, "old", s.Username)
	})
}

func TestAssociateByEmail(t *testing.T) {
	st := memory.New()
	verified, _ := seedUser(t, st, socialauth.User{Username: "v", Email: "Ada@Example.com", EmailVerified: true, IsActive: true}, "v")
	seedUser(t, st, socialauth.User{Username: "u", Email: "grace@example.com", EmailVerified: false, IsActive: true}, "u")
	seedUser(t, st, socialauth.User{Username: "i", Email: "inactive@example.com", EmailVerified: true, IsActive: false}, "i")
	seedUser(t, st, socialauth.User{Username: "d1", Email: "dup@example.com", EmailVerified: true, IsActive: true}, "d1")
	seedUser(t, st, socialauth.User{Username: "d2", Email: "DUP@example.com", EmailVerified: true, IsActive: true}, "d2")

	step := func(email string, verifiedAtProvider bool) (*socialauth.State, error) {
		s := newState(st, profile("new", socialauth.Details{Email: email, EmailVerified: verifiedAtProvider}))
		err := run(t, s, pipeline.SocialDetails(), pipeline.AssociateByEmail())
		return s, err
	}
	s, err := step("ada@example.com", true)
	require.NoError(t, err)
	require.NotNil(t, s.User)
	assert.Equal(t, verified.ID, s.User.ID, "matched case-insensitively")
	assert.False(t, s.IsNew)

	s, err = step("ada@example.com", false)
	require.NoError(t, err)
	assert.Nil(t, s.User, "the provider did not verify the email: never matched")

	s, err = step("grace@example.com", true)
	require.NoError(t, err)
	assert.Nil(t, s.User, "the stored account's email was never verified (pre-hijack)")

	s, err = step("inactive@example.com", true)
	require.NoError(t, err)
	assert.Nil(t, s.User)

	_, err = step("dup@example.com", true)
	require.ErrorIs(t, err, socialauth.ErrAuthForbidden)
	require.ErrorContains(t, err, "several users")

	s, err = step("nobody@example.com", true)
	require.NoError(t, err)
	assert.Nil(t, s.User)
	assert.True(t, s.UniqueEmail, "the new user must be the only one with the email")

	s, err = step("mıke@example.com", true) // dotless i
	require.NoError(t, err)
	assert.Nil(t, s.User)
}

func TestCreateUserWritesNothing(t *testing.T) {
	st := &counting{Storage: memory.New()}
	s := newState(st, profile("x", socialauth.Details{Username: "ada", Email: "ada@example.com", EmailVerified: true, FullName: "Ada Lovelace"}))
	require.NoError(t, run(t, s, pipeline.SocialDetails(), pipeline.SocialUID(), pipeline.SocialUser(), pipeline.GetUsername(pipeline.UsernameOptions{}), pipeline.CreateUser()))
	require.NotNil(t, s.User)
	assert.Empty(t, s.User.ID, "staged, not stored")
	assert.True(t, s.IsNew)
	assert.True(t, s.User.IsActive)
	assert.True(t, s.User.EmailVerified)
	assert.Equal(t, "Lovelace", s.User.LastName)
	exists, err := st.UsernameExists(ctx, "ada")
	require.NoError(t, err)
	assert.False(t, exists)

	s = newState(st, profile("x", socialauth.Details{}))
	err = run(t, s, pipeline.CreateUser())
	require.ErrorIs(t, err, socialauth.ErrAuthFailed, "no username: get_username missing")
}

func TestAssociateUser(t *testing.T) {
	first := func(st socialauth.Storage, uid string, d socialauth.Details) *socialauth.State {
		return newState(st, profile(uid, d))
	}
	upTo := []socialauth.PipelineStep{pipeline.SocialDetails(), pipeline.SocialUID(), pipeline.SocialUser(), pipeline.GetUsername(pipeline.UsernameOptions{}), pipeline.CreateUser()}

	t.Run("new user and association together", func(t *testing.T) {
		st := memory.New()
		s := first(st, "n1", socialauth.Details{Username: "ada"})
		require.NoError(t, run(t, s, append(upTo, pipeline.AssociateUser())...))
		require.NotEmpty(t, s.User.ID)
		assert.Equal(t, s.User.ID, s.Association.UserID)
		assert.True(t, s.IsNew)
		assert.True(t, s.NewAssociation)
	})
	t.Run("lost race: takes the winner's, leaves no orphan", func(t *testing.T) {
		st := memory.New()
		s := first(st, "race", socialauth.Details{Username: "ada"})
		require.NoError(t, run(t, s, upTo...))
		// Another login of the same identity completes in between.
		winner, wa := seedUser(t, st, socialauth.User{Username: "winner", IsActive: true}, "race")
		require.NoError(t, run(t, s, pipeline.AssociateUser()))
		assert.Equal(t, winner.ID, s.User.ID)
		assert.Equal(t, wa.ID, s.Association.ID)
		assert.False(t, s.IsNew)
		taken, err := st.UsernameExists(ctx, "ada")
		require.NoError(t, err)
		assert.False(t, taken, "the loser's user was never stored")
	})
	t.Run("username taken since get_username", func(t *testing.T) {
		st := memory.New()
		s := first(st, "u1", socialauth.Details{Username: "ada"})
		require.NoError(t, run(t, s, upTo...))
		seedUser(t, st, socialauth.User{Username: "ada", IsActive: true}, "other")
		require.NoError(t, run(t, s, pipeline.AssociateUser()))
		assert.True(t, strings.HasPrefix(s.User.Username, "ada"))
		assert.NotEqual(t, "ada", s.User.Username)
	})
	t.Run("email taken concurrently: links to that user", func(t *testing.T) {
		st := memory.New()
		s := first(st, "e1", socialauth.Details{Username: "ada", Email: "ada@example.com", EmailVerified: true})
		require.NoError(t, run(t, s, pipeline.SocialDetails(), pipeline.SocialUID(), pipeline.SocialUser(), pipeline.GetUsername(pipeline.UsernameOptions{}), pipeline.AssociateByEmail(), pipeline.CreateUser()))
		require.True(t, s.UniqueEmail)
		other, _ := seedUser(t, st, socialauth.User{Username: "ada2", Email: "ADA@example.com", EmailVerified: true, IsActive: true}, "via-other-provider")
		require.NoError(t, run(t, s, pipeline.AssociateUser()))
		assert.Equal(t, other.ID, s.User.ID)
		assert.False(t, s.IsNew)
		links, err := st.AssociationsForUser(ctx, other.ID)
		require.NoError(t, err)
		assert.Len(t, links, 2)
	})
	t.Run("connect: identity taken by another user", func(t *testing.T) {
		st := memory.New()
		me, _ := seedUser(t, st, socialauth.User{Username: "me", IsActive: true}, "mine")
		seedUser(t, st, socialauth.User{Username: "them", IsActive: true}, "theirs")
		s := first(st, "theirs", socialauth.Details{})
		s.User = me
		s.UID = "theirs"
		err := run(t, s, pipeline.AssociateUser())
		require.ErrorIs(t, err, socialauth.ErrAlreadyAssociated)
	})
}

func TestLoadExtraData(t *testing.T) {
	st := &counting{Storage: memory.New()}
	_, a := seedUser(t, st, socialauth.User{Username: "ada", IsActive: true}, "x")
	p := profile("x", socialauth.Details{})
	p.Raw = []byte(`{"sub":"x","locale":"en-GB","plan":{"tier":"pro"},"empty":"","big":12345678901234567890}`)
	p.Token.RefreshToken = "rt-1"
	keys := pipeline.ExtraDataOptions{Keys: []pipeline.ExtraKey{{Name: "locale"}, {Name: "plan", Alias: "subscription"}, {Name: "empty", DiscardEmpty: true}, {Name: "missing"}, {Name: "big"}}}
	s := newState(st, p)
	s.Association = a
	require.NoError(t, run(t, s, pipeline.LoadExtraData(keys)))
	stored, err := st.GetAssociation(ctx, backend.Name(), "x")
	require.NoError(t, err)
	e := stored.ExtraData
	assert.Equal(t, "at-x", e["access_token"])
	assert.Equal(t, "Bearer", e["token_type"])
	assert.Equal(t, "rt-1", e["refresh_token"])
	assert.Equal(t, "en-GB", e["locale"])
	assert.Equal(t, map[string]any{"tier": "pro"}, e["subscription"])
	assert.NotContains(t, e, "empty")
	assert.Contains(t, e, "missing")
	assert.Nil(t, e["missing"])
	assert.Equal(t, "12345678901234567890", stringOf(e["big"]), "numbers kept exactly")
	assert.Equal(t, int64(1), st.assocUpdates.Load())

	t.Run("same data again: no write", func(t *testing.T) {
		s := newState(st, p)
		s.Association = stored
		require.NoError(t, run(t, s, pipeline.LoadExtraData(keys)))
		assert.Equal(t, int64(1), st.assocUpdates.Load())
	})
	t.Run("a refresh token not sent again is kept", func(t *testing.T) {
		p2 := profile("x", socialauth.Details{})
		p2.Token.AccessToken = "at-2"
		s := newState(st, p2)
		s.Association = stored
		require.NoError(t, run(t, s, pipeline.LoadExtraData(pipeline.ExtraDataOptions{})))
		got, err := st.GetAssociation(ctx, backend.Name(), "x")
		require.NoError(t, err)
		assert.Equal(t, "at-2", got.AccessToken())
		assert.Equal(t, "rt-1", got.RefreshToken())
	})
}

// An id_token login has no access token: its expiry is not the "expires"
// of stored provider tokens, and a returning id_token login writes nothing.
func TestLoadExtraDataIDTokenOnly(t *testing.T) {
	st := &counting{Storage: memory.New()}
	_, a := seedUser(t, st, socialauth.User{Username: "ada", IsActive: true}, "x")
	for i := range 2 {
		p := &socialauth.Profile{UID: "x", Token: socialauth.Token{IDToken: fmt.Sprint("eyJ.id-token-", i), Expiry: time.Now().Add(time.Duration(i+1) * time.Hour)}}
		s := newState(st, p)
		cur, err := st.GetAssociation(ctx, backend.Name(), "x")
		require.NoError(t, err)
		s.Association = cur
		require.NoError(t, run(t, s, pipeline.LoadExtraData(pipeline.ExtraDataOptions{})))
	}
	got, err := st.GetAssociation(ctx, backend.Name(), a.UID)
	require.NoError(t, err)
	assert.NotContains(t, got.ExtraData, "expires")
	assert.NotContains(t, got.ExtraData, "id_token", "id_tokens are not kept")
	assert.Equal(t, int64(0), st.assocUpdates.Load())
}

// A first login through the default pipeline writes the user and the
// association once each, in one atomic call: no UPDATE follows the INSERT.
func TestFirstLoginWritesOnce(t *testing.T) {
	st := &counting{Storage: memory.New()}
	s := newState(st, profile("first", socialauth.Details{Username: "ada", FullName: "Ada Lovelace"}))
	for _, step := range pipeline.Default() {
		require.NoError(t, step.Step.Run(ctx, s), step.Name)
	}
	assert.Equal(t, int64(1), st.creates.Load())
	assert.Equal(t, int64(0), st.assocUpdates.Load())
	assert.Equal(t, int64(0), st.userUpdates.Load())
	got, err := st.GetAssociation(ctx, backend.Name(), "first")
	require.NoError(t, err)
	assert.Equal(t, "at-first", got.AccessToken())
}

func stringOf(v any) string {
	if s, ok := v.(interface{ String() string }); ok {
		return s.String()
	}
	return ""
}

func TestUserDetails(t *testing.T) {
	st := &counting{Storage: memory.New()}
	u, _ := seedUser(t, st, socialauth.User{Username: "ada", Email: "ada@old.example", FirstName: "Ada", LastName: "Byron", FullName: "Ada Byron", IsActive: true}, "x")
	d := socialauth.Details{Username: "ada-new", Email: "ada@new.example", EmailVerified: true, FirstName: "Ada", LastName: "Lovelace", FullName: "Ada Lovelace"}
	apply := func(o pipeline.UserDetailsOptions) *socialauth.User {
		s := newState(st, profile("x", d))
		s.Details = d
		s.Username = d.Username
		cur, err := st.GetUser(ctx, u.ID)
		require.NoError(t, err)
		s.User = cur
		require.NoError(t, run(t, s, pipeline.UserDetails(o)))
		got, err := st.GetUser(ctx, u.ID)
		require.NoError(t, err)
		return got
	}
	got := apply(pipeline.UserDetailsOptions{Immutable: []string{"first_name"}})
	assert.Equal(t, "Lovelace", got.LastName)
	assert.Equal(t, "Ada Lovelace", got.FullName)
	assert.Equal(t, "ada", got.Username, "protected by default")
	assert.Equal(t, "ada@old.example", got.Email, "protected by default")
	assert.Equal(t, int64(1), st.userUpdates.Load())

	apply(pipeline.UserDetailsOptions{})
	assert.Equal(t, int64(1), st.userUpdates.Load(), "nothing changed: no write")

	got = apply(pipeline.UserDetailsOptions{NoDefaultProtected: true, Protected: []string{"username"}})
	assert.Equal(t, "ada@new.example", got.Email)
	assert.True(t, got.EmailVerified, "the verified flag follows the email")
	assert.Equal(t, "ada", got.Username)

	st2 := memory.New()
	u2, _ := seedUser(t, st2, socialauth.User{Username: "g", FirstName: "Grace", IsActive: true}, "y")
	s := newState(st2, profile("y", d))
	s.Details, s.User = socialauth.Details{FirstName: "Amazing", LastName: "Hopper"}, u2
	require.NoError(t, run(t, s, pipeline.UserDetails(pipeline.UserDetailsOptions{Immutable: []string{"first_name", "last_name"}})))
	got, err := st2.GetUser(ctx, u2.ID)
	require.NoError(t, err)
	assert.Equal(t, "Grace", got.FirstName, "immutable and already set")
	assert.Equal(t, "Hopper", got.LastName, "immutable but empty: set once")
}

// keepsSome is a store over a users table that keeps only some of the
// User's fields, as a SQL store over a host's table says with UserFields.
type keepsSome struct {
	*counting
	fields []string
}

func (k keepsSome) UserFields() []string { return k.fields }

// A store that keeps no name columns is never asked to update them, and
// the avatar is kept like the names where the store keeps it.
func TestUserDetailsKeptFields(t *testing.T) {
	d := socialauth.Details{Username: "ada", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace",
		FullName: "Ada Lovelace", AvatarURL: "https://example.com/ada.png"}
	login := func(st socialauth.Storage, u *socialauth.User) {
		s := newState(st, profile("x", d))
		s.Details, s.Username, s.User = d, d.Username, u
		require.NoError(t, run(t, s, pipeline.UserDetails(pipeline.UserDetailsOptions{})))
	}

	narrow := keepsSome{counting: &counting{Storage: memory.New()}, fields: []string{"id", "username", "email"}}
	u, _ := seedUser(t, narrow, socialauth.User{Username: "ada", Email: "ada@example.com", IsActive: true}, "x")
	login(narrow, u)
	assert.Zero(t, narrow.userUpdates.Load(), "names and avatar differ, but the store does not keep them")

	avatar := keepsSome{counting: &counting{Storage: memory.New()}, fields: []string{"id", "username", "email", "avatar_url"}}
	u, _ = seedUser(t, avatar, socialauth.User{Username: "ada", Email: "ada@example.com", IsActive: true}, "x")
	login(avatar, u)
	assert.Equal(t, int64(1), avatar.userUpdates.Load())
	got, err := avatar.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/ada.png", got.AvatarURL)
	assert.Empty(t, got.FirstName, "not kept, not written")
	login(avatar, got)
	assert.Equal(t, int64(1), avatar.userUpdates.Load(), "unchanged: no second write")

	every := &counting{Storage: memory.New()} // no UserFields: every field is kept
	u, _ = seedUser(t, every, socialauth.User{Username: "ada", Email: "ada@example.com", IsActive: true}, "x")
	login(every, u)
	assert.Equal(t, int64(1), every.userUpdates.Load())
	got, err = every.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "Lovelace", got.LastName)
	assert.Equal(t, "https://example.com/ada.png", got.AvatarURL)
}

func TestCleanUsername(t *testing.T) {
	assert.Equal(t, "a.b@c+d_e-f", pipeline.CleanUsername("a.b@c+d_e-f"))
	assert.Equal(t, "FooBar", pipeline.CleanUsername("Foo Bar"))
	assert.Equal(t, "", pipeline.CleanUsername("日本 !#$%"))
}
