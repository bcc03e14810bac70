package logintest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-socialauth/socialauth"
)

// ErrInjected is the error a [Faulty] store returns for the call it fails.
var ErrInjected = errors.New("logintest: injected fault")

// Faulty wraps a Storage: it records the name of every call and fails the
// failAt-th (counting from 1; 0 fails none) with ErrInjected before it
// reaches the wrapped store.
type Faulty struct {
	socialauth.Storage

	mu     sync.Mutex
	calls  []string
	failAt int
	fired  bool
}

// userFieldsKeeper is a store that keeps only some User fields (see
// pipeline.UserDetails); a wrapper must say so too.
type userFieldsKeeper interface{ UserFields() []string }

// faultyFields is a Faulty over a store that keeps only some User fields.
type faultyFields struct {
	*Faulty
	userFieldsKeeper
}

// Wrap returns a Faulty over st and the store to hand the service: the
// Faulty itself, or, when st keeps only some User fields, one that says
// which as st does.
func Wrap(st socialauth.Storage) (*Faulty, socialauth.Storage) {
	f := &Faulty{Storage: st}
	if k, ok := st.(userFieldsKeeper); ok {
		return f, faultyFields{f, k}
	}
	return f, f
}

// FailAt makes the n-th call from now fail (0: none) and forgets the
// calls so far.
func (f *Faulty) FailAt(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls, f.failAt, f.fired = nil, n, false
}

// Calls returns the names of the calls since the last FailAt, in order.
func (f *Faulty) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// Fired reports whether a call has failed since the last FailAt.
func (f *Faulty) Fired() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

// WriteCalls are the Storage methods that write.
var WriteCalls = []string{"CreateUser", "UpdateUser", "CreateAssociation", "UpdateAssociation", "DeleteAssociation",
	"CreateUserWithAssociation", "SavePartial", "DeletePartial", "UseNonce"}

func (f *Faulty) call(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	if len(f.calls) == f.failAt {
		f.fired = true
		return fmt.Errorf("%s: %w", name, ErrInjected)
	}
	return nil
}

func (f *Faulty) GetUser(ctx context.Context, id string) (*socialauth.User, error) {
	if err := f.call("GetUser"); err != nil {
		return nil, err
	}
	return f.Storage.GetUser(ctx, id)
}

func (f *Faulty) UsersByEmail(ctx context.Context, email string) ([]*socialauth.User, error) {
	if err := f.call("UsersByEmail"); err != nil {
		return nil, err
	}
	return f.Storage.UsersByEmail(ctx, email)
}

func (f *Faulty) UsernameExists(ctx context.Context, username string) (bool, error) {
	if err := f.call("UsernameExists"); err != nil {
		return false, err
	}
	return f.Storage.UsernameExists(ctx, username)
}

func (f *Faulty) CreateUser(ctx context.Context, u *socialauth.User) (*socialauth.User, error) {
	if err := f.call("CreateUser"); err != nil {
		return nil, err
	}
	return f.Storage.CreateUser(ctx, u)
}

func (f *Faulty) UpdateUser(ctx context.Context, u *socialauth.User) error {
	if err := f.call("UpdateUser"); err != nil {
		return err
	}
	return f.Storage.UpdateUser(ctx, u)
}

func (f *Faulty) GetAssociation(ctx context.Context, provider, uid string) (*socialauth.Association, error) {
	if err := f.call("GetAssociation"); err != nil {
		return nil, err
	}
	return f.Storage.GetAssociation(ctx, provider, uid)
}

func (f *Faulty) AssociationsForUser(ctx context.Context, userID string) ([]*socialauth.Association, error) {
	if err := f.call("AssociationsForUser"); err != nil {
		return nil, err
	}
	return f.Storage.AssociationsForUser(ctx, userID)
}

func (f *Faulty) CreateAssociation(ctx context.Context, a *socialauth.Association) (*socialauth.Association, error) {
	if err := f.call("CreateAssociation"); err != nil {
		return nil, err
	}
	return f.Storage.CreateAssociation(ctx, a)
}

func (f *Faulty) UpdateAssociation(ctx context.Context, a *socialauth.Association) error {
	if err := f.call("UpdateAssociation"); err != nil {
		return err
	}
	return f.Storage.UpdateAssociation(ctx, a)
}

func (f *Faulty) DeleteAssociation(ctx context.Context, id string) error {
	if err := f.call("DeleteAssociation"); err != nil {
		return err
	}
	return f.Storage.DeleteAssociation(ctx, id)
}

func (f *Faulty) CreateUserWithAssociation(ctx context.Context, u *socialauth.User, a *socialauth.Association, opts socialauth.CreateOptions) (*socialauth.User, *socialauth.Association, error) {
	if err := f.call("CreateUserWithAssociation"); err != nil {
		return nil, nil, err
	}
	return f.Storage.CreateUserWithAssociation(ctx, u, a, opts)
}

func (f *Faulty) SavePartial(ctx context.Context, p *socialauth.Partial) error {
	if err := f.call("SavePartial"); err != nil {
		return err
	}
	return f.Storage.SavePartial(ctx, p)
}

func (f *Faulty) LoadPartial(ctx context.Context, token string) (*socialauth.Partial, error) {
	if err := f.call("LoadPartial"); err != nil {
		return nil, err
	}
	return f.Storage.LoadPartial(ctx, token)
}

func (f *Faulty) DeletePartial(ctx context.Context, token string) error {
	if err := f.call("DeletePartial"); err != nil {
		return err
	}
	return f.Storage.DeletePartial(ctx, token)
}

func (f *Faulty) UseNonce(ctx context.Context, scope, value string, expires time.Time) error {
	if err := f.call("UseNonce"); err != nil {
		return err
	}
	return f.Storage.UseNonce(ctx, scope, value, expires)
}
