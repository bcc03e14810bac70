package storagetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/pipeline"
)

// Identity is what a [FakeProvider] says about the owner of a token.
type Identity struct {
	UID           string
	Username      string
	Email         string
	EmailVerified bool
	Name          string
}

// FakeProvider is an identity provider on 127.0.0.1 (an httptest server)
// that answers GET /user for the tokens it was given, and 401 for others.
type FakeProvider struct {
	srv *httptest.Server
	mu  sync.RWMutex
	ids map[string]Identity
}

// NewFakeProvider starts a FakeProvider; it stops when tb's test ends.
func NewFakeProvider(tb testing.TB) *FakeProvider {
	p := &FakeProvider{ids: map[string]Identity{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	tb.Cleanup(p.srv.Close)
	return p
}

// Set makes token valid for id.
func (p *FakeProvider) Set(token string, id Identity) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ids[token] = id
}

// Client is the HTTP client that reaches the provider (Config.HTTPClient).
func (p *FakeProvider) Client() *http.Client { return p.srv.Client() }

// Backend returns a generic OAuth2 backend called name that checks tokens
// with this provider.
func (p *FakeProvider) Backend(name string) *backends.OAuth2 {
	return backends.NewOAuth2(backends.Provider{
		Name:        name,
		UserInfoURL: p.srv.URL + "/user",
		Doc:         backends.Doc{TokenCheck: "a test provider: every token it knows is this app's", UID: "id"},
		User: func(body []byte) (string, socialauth.Details, error) {
			var v struct {
				ID, Login, Email, Name string
				EmailVerified          bool `json:"email_verified"`
			}
			if err := json.Unmarshal(body, &v); err != nil {
				return "", socialauth.Details{}, fmt.Errorf("%w: malformed user JSON", socialauth.ErrProviderUnavailable)
			}
			return v.ID, socialauth.Details{Username: v.Login, Email: v.Email, EmailVerified: v.EmailVerified, FullName: v.Name}, nil
		},
	})
}

func (p *FakeProvider) serve(w http.ResponseWriter, r *http.Request) {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.RLock()
	id, ok := p.ids[token]
	p.mu.RUnlock()
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path != "/user" || !ok {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid_token"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": id.UID, "login": id.Username, "email": id.Email, "email_verified": id.EmailVerified, "name": id.Name,
	})
}

// NewService returns a Service over st with pipeline p and the given
// backends of provider. Its log is discarded.
func NewService(tb testing.TB, provider *FakeProvider, st socialauth.Storage, p socialauth.Pipeline, names ...string) *socialauth.Service {
	tb.Helper()
	cfg := socialauth.Config{Storage: st, Pipeline: p, HTTPClient: provider.Client(), Logger: slog.New(slog.DiscardHandler)}
	for _, n := range names {
		cfg.Backends = append(cfg.Backends, provider.Backend(n))
	}
	svc, err := socialauth.New(cfg)
	require.NoError(tb, err)
	return svc
}

// Login runs DoAuth for token through the backend called backend.
func Login(ctx context.Context, svc *socialauth.Service, backend, token string) (*socialauth.Result, error) {
	return svc.Login(ctx, backend, token)
}

// Census counts what a store holds, read from its own tables (a SQL
// store's rows, a memory store's maps), not through socialauth.Storage.
type Census struct {
	Users, Associations int
	// UsersWithoutAssociation and AssociationsWithoutUser are half-written
	// logins; in the logins of RunLogins they must stay zero.
	UsersWithoutAssociation, AssociationsWithoutUser int
}

// RunLogins drives real logins (socialauth.DoAuth, the stock pipeline, a
// FakeProvider) through stores made by newStore, and checks after each
// scenario what census reads from the store that newStore returned:
//
//   - 50 concurrent first logins of one identity end with one user and one
//     association, and every caller gets that user;
//   - 50 concurrent first logins of one verified email through two
//     providers, with associate_by_email, end with one user and two
//     associations;
//   - a storage call that fails, at each call of a first login in turn,
//     leaves no user without an association nor an association without a
//     user, and the next login succeeds;
//   - a returning user whose details and token did not change causes no
//     write call.
func RunLogins(t *testing.T, newStore NewStore, census func(t *testing.T, s socialauth.Storage) Census) {
	t.Run("FirstLoginRace", func(t *testing.T) { testFirstLoginRace(t, newStore, census) })
	t.Run("FirstLoginByEmailRace", func(t *testing.T) { testEmailRace(t, newStore, census) })
	t.Run("FailureAtEachCall", func(t *testing.T) { testFailures(t, newStore, census) })
	t.Run("ReturningUserNoWrites", func(t *testing.T) { testReturningNoWrites(t, newStore) })
}

// racers is how many logins run at once in the race scenarios.
const racers = 50

// race runs login racers times at once and returns the results; every
// login must succeed.
func race(t *testing.T, login func(i int) (*socialauth.Result, error)) []*socialauth.Result {
	t.Helper()
	res := make([]*socialauth.Result, racers)
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			res[i], errs[i] = login(i)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "login %d", i)
	}
	return res
}

func testFirstLoginRace(t *testing.T, newStore NewStore, census func(*testing.T, socialauth.Storage) Census) {
	t.Parallel()
	st := newStore(t, time.Now)
	prov := NewFakeProvider(t)
	prov.Set("tok", Identity{UID: "1001", Username: "pat", Email: "pat@example.com", EmailVerified: true, Name: "Pat Doe"})
	svc := NewService(t, prov, st, pipeline.Default(), "dev")

	res := race(t, func(int) (*socialauth.Result, error) { return Login(context.Background(), svc, "dev", "tok") })
	created := 0
	for i, r := range res {
		assert.Equal(t, res[0].User.ID, r.User.ID, "login %d got another user", i)
		assert.Equal(t, res[0].Association.ID, r.Association.ID, "login %d got another association", i)
		if r.IsNew {
			created++
		}
	}
	assert.Equal(t, 1, created, "exactly one login created the user")
	assert.Equal(t, Census{Users: 1, Associations: 1}, census(t, st))
	a, err := st.GetAssociation(context.Background(), "dev", "1001")
	require.NoError(t, err)
	assert.Equal(t, res[0].User.ID, a.UserID)
}

func testEmailRace(t *testing.T, newStore NewStore, census func(*testing.T, socialauth.Storage) Census) {
	t.Parallel()
	st := newStore(t, time.Now)
	prov := NewFakeProvider(t)
	// One person, two providers; the providers spell the email differently.
	prov.Set("tok-a", Identity{UID: "a-1", Username: "pat", Email: "Pat@Example.com", EmailVerified: true, Name: "Pat Doe"})
	prov.Set("tok-b", Identity{UID: "b-1", Username: "pdoe", Email: "pat@example.com", EmailVerified: true, Name: "Pat Doe"})
	p := pipeline.Default().InsertAfter("get_username", pipeline.AssociateByEmail())
	svc := NewService(t, prov, st, p, "dev-a", "dev-b")

	res := race(t, func(i int) (*socialauth.Result, error) {
		if i%2 == 0 {
			return Login(context.Background(), svc, "dev-a", "tok-a")
		}
		return Login(context.Background(), svc, "dev-b", "tok-b")
	})
	for i, r := range res {
		assert.Equal(t, res[0].User.ID, r.User.ID, "login %d got another user", i)
	}
	assert.Equal(t, Census{Users: 1, Associations: 2}, census(t, st))
	as, err := st.AssociationsForUser(context.Background(), res[0].User.ID)
	require.NoError(t, err)
	assert.Len(t, as, 2)
}

func testFailures(t *testing.T, newStore NewStore, census func(*testing.T, socialauth.Storage) Census) {
	pipelines := map[string]socialauth.Pipeline{
		"Default":          pipeline.Default(),
		"AssociateByEmail": pipeline.Default().InsertAfter("get_username", pipeline.AssociateByEmail()),
	}
	for name, p := range pipelines {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			prov := NewFakeProvider(t)
			prov.Set("tok", Identity{UID: "7", Username: "pat", Email: "pat@example.com", EmailVerified: true, Name: "Pat Doe"})
			for n := 1; ; n++ {
				require.Less(t, n, 50, "the login never got through")
				st := newStore(t, time.Now)
				f := &Faulty{Storage: st, FailAt: n}
				svc := NewService(t, prov, f, p, "dev")
				_, err := Login(context.Background(), svc, "dev", "tok")
				c := census(t, st)
				assert.Zero(t, c.UsersWithoutAssociation, "call %d failed: a user without an association", n)
				assert.Zero(t, c.AssociationsWithoutUser, "call %d failed: an association without a user", n)
				assert.Equal(t, c.Users, c.Associations, "call %d failed", n)
				if !f.Fired() {
					require.NoError(t, err)
					assert.Equal(t, Census{Users: 1, Associations: 1}, c)
					return
				}
				require.ErrorIs(t, err, ErrInjected, "call %d (%s)", n, f.Calls()[n-1])
				// The failure left the store usable: the login goes through now.
				f.FailAt = 0
				res, err := Login(context.Background(), svc, "dev", "tok")
				require.NoError(t, err, "the login after the failure of call %d", n)
				assert.Equal(t, "tok", res.Association.AccessToken())
				assert.Equal(t, Census{Users: 1, Associations: 1}, census(t, st))
			}
		})
	}
}

func testReturningNoWrites(t *testing.T, newStore NewStore) {
	t.Parallel()
	st := newStore(t, time.Now)
	prov := NewFakeProvider(t)
	prov.Set("tok", Identity{UID: "9", Username: "pat", Email: "pat@example.com", EmailVerified: true, Name: "Pat Doe"})
	f := &Faulty{Storage: st}
	svc := NewService(t, prov, f, pipeline.Default().InsertAfter("get_username", pipeline.AssociateByEmail()), "dev")
	first, err := Login(context.Background(), svc, "dev", "tok")
	require.NoError(t, err)
	require.True(t, first.IsNew)
	before := len(f.Calls())
	again, err := Login(context.Background(), svc, "dev", "tok")
	require.NoError(t, err)
	assert.False(t, again.IsNew)
	assert.Equal(t, first.User.ID, again.User.ID)
	calls := f.Calls()[before:]
	assert.NotEmpty(t, calls)
	for _, c := range calls {
		assert.NotContains(t, writeCalls, c, "a returning user with unchanged data caused a write")
	}
}

// writeCalls are the Storage methods that write.
var writeCalls = []string{"CreateUser", "UpdateUser", "CreateAssociation", "UpdateAssociation", "DeleteAssociation",
	"CreateUserWithAssociation", "SavePartial", "DeletePartial", "UseNonce"}

// ErrInjected is the error a [Faulty] store returns for the call it fails.
var ErrInjected = errors.New("storagetest: injected fault")

// Faulty wraps a Storage: it records the name of every call and fails the
// FailAt-th (counting from 1; 0 fails none) with ErrInjected, before it
// reaches the wrapped store. Set FailAt before use, or between logins.
type Faulty struct {
	Storage socialauth.Storage
	FailAt  int

	mu    sync.Mutex
	calls []string
	fired bool
}

var _ socialauth.Storage = (*Faulty)(nil)

// Calls returns the names of the calls so far, in order.
func (f *Faulty) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// Fired reports whether a call has failed.
func (f *Faulty) Fired() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

func (f *Faulty) call(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	if len(f.calls) == f.FailAt {
		f.fired = true
		return fmt.Errorf("%s: %w", name, ErrInjected)
	}
	return nil
}

// GetUser implements socialauth.UserStore.
func (f *Faulty) GetUser(ctx context.Context, id string) (*socialauth.User, error) {
	if err := f.call("GetUser"); err != nil {
		return nil, err
	}
	return f.Storage.GetUser(ctx, id)
}

// UsersByEmail implements socialauth.UserStore.
func (f *Faulty) UsersByEmail(ctx context.Context, email string) ([]*socialauth.User, error) {
	if err := f.call("UsersByEmail"); err != nil {
		return nil, err
	}
	return f.Storage.UsersByEmail(ctx, email)
}

// UsernameExists implements socialauth.UserStore.
func (f *Faulty) UsernameExists(ctx context.Context, username string) (bool, error) {
	if err := f.call("UsernameExists"); err != nil {
		return false, err
	}
	return f.Storage.UsernameExists(ctx, username)
}

// CreateUser implements socialauth.UserStore.
func (f *Faulty) CreateUser(ctx context.Context, u *socialauth.User) (*socialauth.User, error) {
	if err := f.call("CreateUser"); err != nil {
		return nil, err
	}
	return f.Storage.CreateUser(ctx, u)
}

// UpdateUser implements socialauth.UserStore.
func (f *Faulty) UpdateUser(ctx context.Context, u *socialauth.User) error {
	if err := f.call("UpdateUser"); err != nil {
		return err
	}
	return f.Storage.UpdateUser(ctx, u)
}

// GetAssociation implements socialauth.AssociationStore.
func (f *Faulty) GetAssociation(ctx context.Context, provider, uid string) (*socialauth.Association, error) {
	if err := f.call("GetAssociation"); err != nil {
		return nil, err
	}
	return f.Storage.GetAssociation(ctx, provider, uid)
}

// AssociationsForUser implements socialauth.AssociationStore.
func (f *Faulty) AssociationsForUser(ctx context.Context, userID string) ([]*socialauth.Association, error) {
	if err := f.call("AssociationsForUser"); err != nil {
		return nil, err
	}
	return f.Storage.AssociationsForUser(ctx, userID)
}

// CreateAssociation implements socialauth.AssociationStore.
func (f *Faulty) CreateAssociation(ctx context.Context, a *socialauth.Association) (*socialauth.Association, error) {
	if err := f.call("CreateAssociation"); err != nil {
		return nil, err
	}
	return f.Storage.CreateAssociation(ctx, a)
}

// UpdateAssociation implements socialauth.AssociationStore.
func (f *Faulty) UpdateAssociation(ctx context.Context, a *socialauth.Association) error {
	if err := f.call("UpdateAssociation"); err != nil {
		return err
	}
	return f.Storage.UpdateAssociation(ctx, a)
}

// DeleteAssociation implements socialauth.AssociationStore.
func (f *Faulty) DeleteAssociation(ctx context.Context, id string) error {
	if err := f.call("DeleteAssociation"); err != nil {
		return err
	}
	return f.Storage.DeleteAssociation(ctx, id)
}

// CreateUserWithAssociation implements socialauth.LoginStore.
func (f *Faulty) CreateUserWithAssociation(ctx context.Context, u *socialauth.User, a *socialauth.Association, opts socialauth.CreateOptions) (*socialauth.User, *socialauth.Association, error) {
	if err := f.call("CreateUserWithAssociation"); err != nil {
		return nil, nil, err
	}
	return f.Storage.CreateUserWithAssociation(ctx, u, a, opts)
}

// SavePartial implements socialauth.PartialStore.
func (f *Faulty) SavePartial(ctx context.Context, p *socialauth.Partial) error {
	if err := f.call("SavePartial"); err != nil {
		return err
	}
	return f.Storage.SavePartial(ctx, p)
}

// LoadPartial implements socialauth.PartialStore.
func (f *Faulty) LoadPartial(ctx context.Context, token string) (*socialauth.Partial, error) {
	if err := f.call("LoadPartial"); err != nil {
		return nil, err
	}
	return f.Storage.LoadPartial(ctx, token)
}

// DeletePartial implements socialauth.PartialStore.
func (f *Faulty) DeletePartial(ctx context.Context, token string) error {
	if err := f.call("DeletePartial"); err != nil {
		return err
	}
	return f.Storage.DeletePartial(ctx, token)
}

// UseNonce implements socialauth.NonceStore.
func (f *Faulty) UseNonce(ctx context.Context, scope, value string, expires time.Time) error {
	if err := f.call("UseNonce"); err != nil {
		return err
	}
	return f.Storage.UseNonce(ctx, scope, value, expires)
}
